"""The whole history of an assignment or a task, newest first: reports (with corrections,
evidence, the head who approved them and the milestones they say were reached), the
completion requests a report withdrew (saying the work was not complete after all), extension
requests, the lead body's reviews, sign-off and extension decisions, reminders (with their
receipt, and whether a later report or an approved extension closed them), recorded
changes, and the milestones themselves at their dates. A fixed number of queries however
long the history is."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tracker.models import (
    ChangeRecord,
    Decision,
    ExtensionRequest,
    LeadReview,
    Milestone,
    Reminder,
    Report,
    with_timeline_parts,
)

# Of entries made in the same instant, which is shown as having happened later.
ORDER = {
    "milestone": 0,
    "report": 1,
    "withdrawal": 2,
    "extension": 3,
    "lead_review": 4,
    "decision": 5,
    "change": 6,
    "reminder": 7,
}


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    # milestone | report | withdrawal | extension | lead_review | decision | change | reminder;
    # a withdrawal's item is the report that withdrew a completion request.
    kind: str
    item: Any

    @property
    def sort_key(self):
        return (self.at, ORDER[self.kind], self.item.pk)


def _end_of(day):
    """A milestone stands on the timeline at the end of its day."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(23, 59)), timezone.get_default_timezone()
    )


def _close_reminders(reminders, reports, decisions):
    """Give each reminder `closed_by`: the first report on its assignment filed after it
    (answered), or the first approved extension after it (superseded), or None (open)."""
    for r in reminders:
        answers = [
            ("report", x.created_at, x)
            for x in reports
            if x.assignment_id == r.assignment_id and x.created_at > r.created_at
        ]
        answers += [
            ("extension", d.created_at, d)
            for d in decisions
            if d.assignment_id == r.assignment_id
            and d.kind == Decision.Kind.APPROVED
            and d.created_at > r.created_at
        ]
        first = min(answers, key=lambda a: a[1], default=None)
        r.closed_by = (first[0], first[2]) if first else None


def build(assignment_ids, changes=None, milestones=None, *, assignment=None):
    """Entries for the given assignments; `changes` (a Q on ChangeRecord) replaces the
    default: the changes recorded against those assignments; `milestones` (a Q on
    Milestone) adds those milestones at their dates. `assignment`: the one assignment of
    `assignment_ids`, fetched with its work and body — the entries take it instead of
    joining it again in every query, and the milestones that apply to it are added."""
    assignment_ids = list(assignment_ids)
    # Each entry's assignment and its body (pages of several assignments name the body).
    body = () if assignment is not None else ("assignment__body",)
    reports = with_timeline_parts(
        list(Report.objects.filter(assignment__in=assignment_ids).for_timeline(body=bool(body)))
    )
    extensions = list(
        ExtensionRequest.objects.filter(assignment__in=assignment_ids).select_related(
            "requested_by", *body, "decision"
        )
    )
    decisions = list(
        Decision.objects.filter(assignment__in=assignment_ids).select_related(
            "decided_by", *body, "extension", "report"
        )
    )
    reviews = list(
        LeadReview.objects.filter(assignment__in=assignment_ids).select_related(
            "reviewer", "body", *body
        )
    )
    if changes is None:
        changes = Q(assignment__in=assignment_ids)
    changed = ChangeRecord.objects.filter(changes)
    change_rows = list(changed.select_related(*body) if body else changed)
    reminders = list(
        Reminder.objects.filter(assignment__in=assignment_ids).select_related(
            "sent_by", *body, "receipt__acknowledged_by"
        )
    )
    if assignment is not None:
        for row in (*reports, *extensions, *decisions, *reviews, *change_rows, *reminders):
            row.assignment = assignment
    _close_reminders(reminders, reports, decisions)
    if assignment is not None:
        # The milestones that apply to the assignment: its own, its measure's or its task's,
        # which it was fetched with.
        milestone_rows = list(Milestone.objects.applying_to(assignment))
        for m in milestone_rows:
            if m.task_id == assignment.task_id:
                m.task = assignment.task
            if m.measure_id is not None and m.measure_id == assignment.measure_id:
                m.measure = assignment.measure
            if m.assignment_id == assignment.pk:
                m.assignment = assignment
    elif milestones is not None:
        milestone_rows = list(
            Milestone.objects.filter(milestones).select_related("measure", "task", *body)
        )
    else:
        milestone_rows = []
    entries = [
        *(Entry(_end_of(m.due), "milestone", m) for m in milestone_rows),
        *(Entry(r.created_at, "report", r) for r in reports),
        # A completion request a report withdrew, on its own line beside the report.
        *(Entry(r.created_at, "withdrawal", r) for r in reports if r.withdrew_signoff),
        *(Entry(e.created_at, "extension", e) for e in extensions),
        *(Entry(v.created_at, "lead_review", v) for v in reviews),
        *(Entry(d.created_at, "decision", d) for d in decisions),
        *(Entry(c.created_at, "change", c) for c in change_rows),
        *(Entry(r.created_at, "reminder", r) for r in reminders),
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries


def for_assignment(assignment):
    """An assignment's record, with its milestones and whether each was reached."""
    entries = build([assignment.pk], assignment=assignment)
    reached: dict[int, Report] = {}
    for e in reversed(entries):  # oldest first: the first report that said so
        if e.kind == "report" and getattr(e.item, "corrected_by", None) is None:
            for met in e.item.met_list:
                reached.setdefault(met.milestone_id, e.item)
    for e in entries:
        if e.kind == "milestone":
            e.item.reached_by = reached.get(e.item.pk)
    return entries


def for_task(task, visible_assignment_ids):
    """A task's timeline as one user may see it: the assignments they may read, the changes
    to the task and its measures themselves, and the task's milestones."""
    ids = list(visible_assignment_ids)
    return build(
        ids,
        Q(task=task) & (Q(assignment__isnull=True) | Q(assignment__in=ids)),
        milestones=Q(task=task) & (Q(assignment__isnull=True) | Q(assignment__in=ids)),
    )
