"""What an assignment keeps so that lists never read the reports (issue 10) always equals what
its history says: the current report in force, how many reports were filed, the local day of
the latest one, the earliest milestone not yet reached, and each reached milestone's
assignment — through reports, corrections of the current and of an older report, drafts
approved by the head, sign-off, and milestones added, re-dated, withdrawn or deleted; and
the generated province (manage.py generate_demo) keeps them the same way."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.builders import file_report, progress_world
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    PlanFactory,
    UserFactory,
    make_manager,
)
from tracker import states
from tracker.models import Assignment, Milestone, Plan, Report, ReportedMilestone
from tracker.services import plan_edits, reporting

pytestmark = pytest.mark.django_db


def history_says(a):
    """(current report, count, local day of the latest report, earliest milestone not
    reached) from the reports and the milestones themselves."""
    reports = Report.objects.filter(assignment=a)
    latest = reports.order_by("-created_at", "-pk").first()
    reached = {
        m.milestone_id
        for m in ReportedMilestone.objects.filter(report__assignment=a)
        if not Report.objects.filter(corrects=m.report_id).exists()
    }
    applying = [
        m.due
        for m in Milestone.objects.filter(task=a.task_id, withdrawn=False)
        if m.pk not in reached
        and (m.assignment_id == a.pk or (m.assignment_id is None and m.measure_id == a.measure_id))
    ]
    current = reports.current().first()
    return (
        current,
        reports.count(),
        states.local_day(latest.created_at) if latest else None,
        min(applying, default=None),
        current.as_of if current else None,
    )


def kept(a):
    a = Assignment.objects.get(pk=a.pk)
    return (
        a.current_report,
        a.report_count,
        a.last_report_on,
        a.open_milestone_due,
        a.progress_as_of,
    )


def due_says(a):
    """(the due date that applies, tracked, overdue since) from the assignment's own date,
    its measure, its task and its plan, read afresh."""
    a = Assignment.objects.select_related("task__plan", "measure").get(pk=a.pk)
    due = a.due_date or (a.measure and a.measure.deadline) or a.task.deadline
    tracked = not (
        a.task.withdrawn
        or (a.measure is not None and a.measure.withdrawn)
        or a.task.plan.archived_at is not None
    )
    since = min((d for d in (due, a.open_milestone_due) if d is not None), default=None)
    return due, tracked, since, a.task.plan.start_date


def due_kept(a):
    a = Assignment.objects.get(pk=a.pk)
    return a.due, a.tracked, a.overdue_since, a.pace_start


def assert_kept_equals_history(assignments):
    for a in assignments:
        assert kept(a) == history_says(a), a
        assert due_kept(a) == due_says(a), a
        # The next report's day, as the states' rule computes it from the same facts.
        a = Assignment.objects.get(pk=a.pk)
        assert a.next_report_on == a.state().next_report_due, a
    for met in ReportedMilestone.objects.select_related("report"):
        assert met.assignment_id == met.report.assignment_id


def test_every_kind_of_report_keeps_the_current_report_and_the_count(staff_a, staff_b):
    w = progress_world(staff_a.membership.body, staff_b.membership.body)
    own = w["own"]
    milestone = Milestone.objects.create(
        task=w["task"], measure=w["measure"], due=dt.date(2030, 6, 30), text="建成一处"
    )
    assert_kept_equals_history([own])  # nothing reported: none, 0, none
    today = timezone.localdate()
    first = file_report(own, staff_b, percent=20, as_of=today - dt.timedelta(days=9))
    second = file_report(own, staff_b, percent=40, as_of=today, milestones=[milestone])
    assert_kept_equals_history([own])
    # A correction of the current report takes its place; one of an older report does not.
    fixed = file_report(own, staff_b, percent=45, as_of=today, corrects=second)
    assert kept(own)[0] == fixed
    file_report(own, staff_b, percent=25, as_of=today - dt.timedelta(days=9), corrects=first)
    assert_kept_equals_history([own])
    # Completed, passed on by the lead body and signed off.
    file_report(own, staff_b, status="completed", percent=100)
    reporting.lead_review_decide(
        assignment=own, reviewer=staff_a, body=staff_a.membership.body, passed=True, opinion="同意"
    )
    reporting.signoff_decide(assignment=own, manager=make_manager(), approve=True)
    assert_kept_equals_history([own, w["lead"]])
    assert kept(own)[1] == 5


def test_the_earliest_open_milestone_follows_milestones_and_reports(staff_a, staff_b):
    w = progress_world(staff_a.membership.body, staff_b.membership.body)
    own, lead = w["own"], w["lead"]
    everyone = [own, lead]
    assert kept(own)[3] is None
    # The measure's milestone applies to its assignment, not to the task's lead.
    later = Milestone.objects.create(
        task=w["task"], measure=w["measure"], due=dt.date(2030, 6, 30), text="建成两处"
    )
    first = Milestone.objects.create(
        task=w["task"], measure=w["measure"], due=dt.date(2029, 6, 30), text="建成一处"
    )
    task_wide = Milestone.objects.create(task=w["task"], due=dt.date(2028, 1, 1), text="完成规划")
    assert_kept_equals_history(everyone)
    assert (kept(own)[3], kept(lead)[3]) == (first.due, task_wide.due)
    # Reached: the next one is open; a correction that leaves it out opens it again.
    today = timezone.localdate()
    report = file_report(own, staff_b, percent=40, as_of=today, milestones=[first])
    assert kept(own)[3] == later.due
    file_report(own, staff_b, percent=40, as_of=today, corrects=report)
    assert kept(own)[3] == first.due
    assert_kept_equals_history(everyone)
    # Re-dated, withdrawn, deleted, or one of the assignment's own.
    first.due = dt.date(2031, 1, 1)
    first.save()
    assert kept(own)[3] == later.due
    later.withdrawn = True
    later.save()
    assert kept(own)[3] == first.due
    extra = Milestone.objects.create(
        task=w["task"], measure=w["measure"], due=dt.date(2027, 6, 30), text="补充"
    )
    assert kept(own)[3] == extra.due
    extra.delete()
    assert kept(own)[3] == first.due
    own_one = Milestone.objects.create(
        task=w["task"], assignment=own, due=dt.date(2027, 3, 1), text="专项"
    )
    assert kept(own)[3] == own_one.due
    assert_kept_equals_history(everyone)
    # A body put on the task later starts with the milestones that apply to it; a full
    # save of an instance read before a change does not put the old value back.
    stale = Assignment.objects.get(pk=lead.pk)
    task_wide.due = dt.date(2027, 1, 1)
    task_wide.save()
    stale.assigned_on = today
    stale.save()
    newcomer = AssignmentFactory(task=w["task"], body=BodyFactory(name="新增单位"), role="support")
    assert_kept_equals_history([*everyone, newcomer])
    assert kept(newcomer)[3] == dt.date(2027, 1, 1)


def test_a_draft_the_head_approves_keeps_them_too(staff_a, staff_b):
    from tracker.models import Membership

    w = progress_world(staff_a.membership.body, staff_b.membership.body)
    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    head = UserFactory(username="head")
    Membership.objects.create(user=head, body=body, role=Membership.Role.HEAD)
    draft = reporting.draft_save(
        assignment=w["own"],
        author=staff_b,
        status="in_progress",
        percent=30,
        text="完成选址。",
        as_of=timezone.localdate(),
        submit=True,
    )
    reporting.draft_approve(draft=draft, head=head)
    assert_kept_equals_history([w["own"]])
    assert kept(w["own"])[1] == 1


# --- the generated province ---------------------------------------------------------------


def test_the_due_date_and_the_tracking_follow_every_change(staff_a, staff_b, admin_user):
    w = progress_world(staff_a.membership.body, staff_b.membership.body)
    task, measure, own, lead = w["task"], w["measure"], w["own"], w["lead"]
    everyone = [own, lead]

    def check(own_due, lead_due, own_tracked=True, lead_tracked=True):
        assert_kept_equals_history(everyone)
        assert due_kept(own)[:2] == (own_due, own_tracked)
        assert due_kept(lead)[:2] == (lead_due, lead_tracked)

    check(dt.date(2030, 12, 31), dt.date(2030, 12, 31))
    # The task's deadline moves both; the measure's its own assignments only; ongoing work
    # (长期坚持) has none.
    plan_edits.deadline_set(
        item=task, user=admin_user, deadline=dt.date(2029, 6, 30), ongoing=False, reason="调整"
    )
    check(dt.date(2029, 6, 30), dt.date(2029, 6, 30))
    plan_edits.deadline_set(
        item=measure, user=admin_user, deadline=dt.date(2028, 3, 31), ongoing=False, reason="细化"
    )
    check(dt.date(2028, 3, 31), dt.date(2029, 6, 30))
    plan_edits.deadline_set(item=task, user=admin_user, deadline=None, ongoing=True, reason="长期")
    check(dt.date(2028, 3, 31), None)
    # An approved extension gives the assignment a date of its own.
    request = reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2028, 9, 30), reason="征地手续未完成"
    )
    reporting.extension_decide(extension=request, manager=make_manager(), approve=True)
    check(dt.date(2028, 9, 30), None)
    # An earlier open milestone: overdue since then (due_says checks overdue_since).
    Milestone.objects.create(task=task, measure=measure, due=dt.date(2027, 1, 31), text="选址")
    assert due_kept(own)[2] == dt.date(2027, 1, 31)
    # A measure the plan no longer contains, an archived plan and its restoration.
    measure.withdrawn = True
    measure.save(update_fields=["withdrawn"])
    check(dt.date(2028, 9, 30), None, own_tracked=False)
    plan_edits.plan_archive(plan=w["plan"], user=admin_user, reason="方案已完成")
    check(dt.date(2028, 9, 30), None, own_tracked=False, lead_tracked=False)
    plan = plan_edits.plan_restore(plan=w["plan"], user=admin_user, reason="继续跟踪")
    check(dt.date(2028, 9, 30), None, own_tracked=False)
    # The pace line starts where the plan's tracking starts (due_says checks pace_start).
    plan.start_date = dt.date(2025, 3, 1)
    plan.save(update_fields=["start_date"])
    check(dt.date(2028, 9, 30), None, own_tracked=False)
    assert due_kept(own)[3] == dt.date(2025, 3, 1)
    task.refresh_from_db()
    task.withdrawn = True
    task.save(update_fields=["withdrawn"])
    check(dt.date(2028, 9, 30), None, own_tracked=False, lead_tracked=False)
    # A full save of an instance read before its task changed keeps what the task says now.
    stale = Assignment.objects.select_related("task", "task__plan").get(pk=lead.pk)
    task.withdrawn, task.deadline, task.ongoing = False, dt.date(2027, 12, 31), False
    task.save()
    stale.assigned_on = timezone.localdate()
    stale.save()
    check(dt.date(2028, 9, 30), dt.date(2027, 12, 31), own_tracked=False)
    newcomer = AssignmentFactory(task=task, body=BodyFactory(name="新增单位"), role="support")
    assert due_kept(newcomer)[:2] == (dt.date(2027, 12, 31), True)


def test_generate_demo_is_deterministic_and_keeps_what_the_history_says():
    def generate():
        call_command("generate_demo", plans=2, seed=7, bulletins=0, as_of=dt.date(2026, 11, 27))
        rows = Assignment.objects.order_by("task__plan__slug", "task__number", "body__name")
        return [
            (a.task.plan.slug, a.task.number, a.body.name, a.role, a.percent, a.signoff, a.due_date)
            for a in rows.select_related("task__plan", "body")
        ], list(Report.objects.order_by("pk").values_list("text", "as_of", "percent")[:200])

    from django.db import transaction

    with transaction.atomic():
        first = generate()
        transaction.set_rollback(True)
    second = generate()
    assert first == second
    assignments = list(Assignment.objects.all())
    # The shape, at 2 plans: 14 tasks a plan in 4 categories, 5–9 bodies a task,
    # 20–48 reports each.
    assert Plan.objects.get(slug="gen-0001").tasks.count() == 14
    assert Plan.objects.get(slug="gen-0001").categories.count() == 4
    per_task = {}
    for a in assignments:
        per_task[a.task_id] = per_task.get(a.task_id, 0) + 1
    assert set(per_task.values()) <= set(range(5, 10))
    assert all(20 <= a.report_count <= 49 for a in assignments)
    assert_kept_equals_history(assignments[::7])


def test_generate_demo_refuses_a_database_with_real_plans():
    PlanFactory(slug="liaocheng-express-2024")
    with pytest.raises(CommandError, match="真实的实施方案"):
        call_command("generate_demo", plans=1, bulletins=0)
    assert not Plan.objects.filter(slug__startswith="gen-").exists()
    call_command("generate_demo", plans=1, bulletins=0, force=True)
    assert Plan.objects.filter(slug__startswith="gen-").count() == 1
    with pytest.raises(CommandError, match="已有生成的演示方案"):
        call_command("generate_demo", plans=1, bulletins=0, force=True)


def test_a_new_report_is_current_even_when_another_clock_ran_ahead(staff_a, staff_b):
    """With several app servers, the one that placed the current report may have a clock
    ahead of the next one's. A new report is still placed after it, so the kept current
    report is the one ReportQuerySet.current() finds."""
    from django.db.models import QuerySet

    w = progress_world(staff_a.membership.body, staff_b.membership.body)
    a = w["own"]
    first = file_report(a, staff_b, as_of=dt.date(2026, 11, 2))
    ahead = timezone.now() + dt.timedelta(minutes=5)
    QuerySet.update(Report.objects.filter(pk=first.pk), place_at=ahead)  # history, by hand
    second = file_report(a, staff_b, as_of=dt.date(2026, 11, 2), percent=60)
    assert second.place_at >= ahead
    assert_kept_equals_history([a])
    assert kept(a)[0] == second
