"""Plan edits: on a task page an administrator sets what the text does not say — a deadline,
a body, a milestone; on the plan's page its reporting calendar. Each is stored as the
administrator's (source/origin "admin", with the reason) beside what came from the text, and
recorded in the change history in the same transaction.

An administrator also archives (归档) a plan and restores it: nothing of it is deleted."""

import copy

from django.db import transaction
from django.utils import timezone

from tracker.history import record_changes, record_created
from tracker.models import Assignment, Body, ChangeRecord, Milestone, Plan, Source, Task
from tracker.states import Rhythm

VIA = ChangeRecord.Via.PLAN_EDIT
DEADLINE_FIELDS = ["deadline", "ongoing", "deadline_source", "deadline_reason"]
ARCHIVE_FIELDS = ["archived_at", "archived_by", "archive_reason"]


@transaction.atomic
def deadline_set(*, item, user, deadline, ongoing, reason):
    """Set the deadline of a task or measure. The text's own phrase stays as it was, so the
    page can show both: the administrator's date and what the text said."""
    locked = type(item).objects.select_for_update(of=("self",)).get(pk=item.pk)
    old = copy.copy(locked)
    locked.deadline = None if ongoing else deadline
    locked.ongoing = ongoing
    locked.deadline_source = Source.ADMIN
    locked.deadline_reason = reason
    locked.full_clean()
    locked.save(update_fields=DEADLINE_FIELDS)
    record_changes(user=user, old=old, new=locked, via=VIA, reason=reason, fields=DEADLINE_FIELDS)
    return locked


@transaction.atomic
def body_assign(*, task, measure, role, user, reason, body=None, new_name="", new_kind=None):
    """Put a body on a task (or one of its measures) in a role: an existing `body`, or one
    named `new_name` (created in the plan's jurisdiction if need be, in this transaction).
    A new lead takes the place of the old one, who stays on as a supporting body; nothing
    is removed."""
    if body is None:
        body, _ = Body.objects.get_or_create(
            jurisdiction=task.plan.jurisdiction,
            name=new_name,
            defaults={"kind": new_kind or Body.Kind.DEPARTMENT},
        )
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if role == Assignment.Role.LEAD:
        for previous in (
            Assignment.objects.select_for_update(of=("self",))
            .filter(task=task, measure=measure, role=Assignment.Role.LEAD)
            .exclude(body=body)
        ):
            old = copy.copy(previous)
            previous.role = Assignment.Role.SUPPORT
            previous.save(update_fields=["role"])
            record_changes(
                user=user, old=old, new=previous, via=VIA, reason=reason, fields=["role"]
            )
    row = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(task=task, measure=measure, body=body)
        .order_by("pk")
        .first()
    )
    if row is None:
        row = Assignment(
            task=task,
            measure=measure,
            body=body,
            role=role,
            origin=Assignment.Origin.ADMIN,
            origin_reason=reason,
            assigned_on=timezone.localdate(),
        )
        row.full_clean()
        row.save()
        record_created(user=user, obj=row, via=VIA, reason=reason)
        return row
    old = copy.copy(row)
    row.role, row.origin, row.origin_reason = role, Assignment.Origin.ADMIN, reason
    row.save(update_fields=["role", "origin", "origin_reason"])
    record_changes(user=user, old=old, new=row, via=VIA, reason=reason, fields=["role", "origin"])
    return row


def _set_archive(*, plan, user, reason, archived):
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if (locked.archived_at is not None) == archived:
        return locked  # already so: a second click changes nothing
    old = copy.copy(locked)
    locked.archived_at = timezone.now() if archived else None
    locked.archived_by = user if archived else None
    locked.archive_reason = reason if archived else ""
    locked.full_clean()
    locked.save(update_fields=ARCHIVE_FIELDS)
    record_changes(
        user=user,
        old=old,
        new=locked,
        via=ChangeRecord.Via.ARCHIVE,
        reason=reason,
        fields=ARCHIVE_FIELDS,
    )
    return locked


@transaction.atomic
def plan_archive(*, plan, user, reason):
    """归档: the plan leaves 我的任务, the dashboard, the lists and the reminders (its work
    counts as withdrawn, tracker/states.py); every record stays, and plan_restore() brings
    it back."""
    return _set_archive(plan=plan, user=user, reason=reason, archived=True)


@transaction.atomic
def plan_restore(*, plan, user, reason):
    """恢复: an archived plan is tracked again, as it was."""
    return _set_archive(plan=plan, user=user, reason=reason, archived=False)


@transaction.atomic
def milestone_add(*, task, user, due, text, reason, measure=None, assignment=None):
    """A milestone (阶段性目标) on a task, a measure or one assignment: the administrator's
    decision with its reason, recorded in the change history."""
    milestone = Milestone(
        task=task,
        measure=measure,
        assignment=assignment,
        due=due,
        text=text.strip(),
        reason=reason,
        source=Source.ADMIN,
        created_by=user,
    )
    milestone.full_clean()
    milestone.save()
    record_created(user=user, obj=milestone, via=VIA, reason=reason)
    return milestone


REPORT_RULE_FIELDS = [
    "report_rhythm",
    "report_day",
    "report_period_days",
    "extension_cap",
    "report_rule_source",
    "report_rule_reason",
]
START_FIELDS = ["start_date", "start_date_source", "start_date_reason"]


@transaction.atomic
def report_rule_set(*, plan, user, rhythm, day, period, extension_cap, reason, start_date=None):
    """The plan's reporting calendar (每月D日前, 每季度末月D日前 or every N days), its cap
    on extensions per assignment and, when given and different, its tracking start: the
    administrator's decisions, beside what the text says, recorded in the change history."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    old = copy.copy(locked)
    fields = list(REPORT_RULE_FIELDS)
    # A start the text gave stays the text's unless the administrator changes the date.
    if start_date is not None and start_date != locked.start_date:
        locked.start_date = start_date
        locked.start_date_source = Source.ADMIN
        locked.start_date_reason = reason
        fields += START_FIELDS
    locked.report_rhythm = rhythm
    locked.report_day = day if rhythm != Rhythm.DAYS else None
    if rhythm == Rhythm.DAYS:
        locked.report_period_days = period
    locked.extension_cap = extension_cap
    locked.report_rule_source = Source.ADMIN
    locked.report_rule_reason = reason
    locked.full_clean()
    locked.save(update_fields=fields)
    record_changes(user=user, old=old, new=locked, via=VIA, reason=reason, fields=fields)
    return locked
