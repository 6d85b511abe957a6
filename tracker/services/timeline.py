"""The whole history of an assignment or a task, newest first: reports (with corrections and
evidence), extension requests, sign-off and extension decisions, reminders and recorded
changes. A fixed number of queries however long the history is."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from tracker.models import ChangeRecord, Decision, ExtensionRequest, Reminder, Report

# Of entries made in the same instant, which is shown as having happened later.
ORDER = {"report": 0, "extension": 1, "decision": 2, "change": 3, "reminder": 4}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # report | extension | decision | change | reminder
    item: Any  # a Report, ExtensionRequest, Decision, ChangeRecord or Reminder

    @property
    def sort_key(self):
        return (self.at, ORDER[self.kind], self.item.pk)


def build(assignment_ids, changes=None):
    """Entries for the given assignments; `changes` (a Q on ChangeRecord) replaces the
    default: the changes recorded against those assignments."""
    assignment_ids = list(assignment_ids)
    reports = Report.objects.filter(assignment__in=assignment_ids).for_timeline()
    extensions = ExtensionRequest.objects.filter(assignment__in=assignment_ids).select_related(
        "requested_by", "assignment__body", "decision"
    )
    decisions = Decision.objects.filter(assignment__in=assignment_ids).select_related(
        "decided_by", "assignment__body", "extension", "report"
    )
    if changes is None:
        changes = Q(assignment__in=assignment_ids)
    change_rows = ChangeRecord.objects.filter(changes).select_related("assignment__body")
    reminders = Reminder.objects.filter(assignment__in=assignment_ids).select_related(
        "sent_by", "assignment__body"
    )
    entries = [
        *(Entry(r.created_at, "report", r) for r in reports),
        *(Entry(e.created_at, "extension", e) for e in extensions),
        *(Entry(d.created_at, "decision", d) for d in decisions),
        *(Entry(c.created_at, "change", c) for c in change_rows),
        *(Entry(r.created_at, "reminder", r) for r in reminders),
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries


def for_assignment(assignment):
    return build([assignment.pk])


def for_task(task, visible_assignment_ids):
    """A task's timeline as one user may see it: the assignments they may read, and the
    changes to the task and its measures themselves."""
    ids = list(visible_assignment_ids)
    return build(ids, Q(task=task) & (Q(assignment__isnull=True) | Q(assignment__in=ids)))
