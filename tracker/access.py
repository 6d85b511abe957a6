"""One access helper per object type: fetch it with the joins its page needs, or 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tracker.models import Assignment, Evidence, ExtensionRequest, Plan, ProgressUpdate, Task
from tracker.roles import body_of, is_manager


def get_plan_for_user(user, slug):
    """Every signed-in user may read a plan's structure."""
    return get_object_or_404(Plan, slug=slug)


def get_task_for_user(user, slug, number):
    return get_object_or_404(
        Task.objects.select_related("plan", "category"), plan__slug=slug, number=number
    )


# Progress: body staff read their own body's assignments and, read-only, the others on the
# tasks and measures their body leads (AssignmentQuerySet.visible_to_body); managers read
# everything. Whatever a user may not read answers 404, so nothing tells a stranger that it
# exists; what they may read but not change answers 403.


def visible_assignments(user):
    if is_manager(user):
        return Assignment.objects.all()
    body = body_of(user)
    if body is None:
        return Assignment.objects.none()
    return Assignment.objects.visible_to_body(body)


def get_assignment_for_user(user, pk, today=None):
    """Read: with its joins and states (`light`, `is_overdue`, …) for `today`."""
    today = today or timezone.localdate()
    return get_object_or_404(visible_assignments(user).for_list().with_state(today), pk=pk)


def can_report(user, assignment):
    """Only staff of the assignment's own body report on it or ask for an extension."""
    body = body_of(user)
    return body is not None and assignment.body_id == body.pk


def get_assignment_for_reporting(user, pk, today=None):
    """Read-write for the assignment's own body: 404 when unseen, 403 when read-only."""
    assignment = get_assignment_for_user(user, pk, today)
    if not can_report(user, assignment):
        raise PermissionDenied
    return assignment


def get_assignment_for_review(user, pk, today=None):
    """Sign-off decisions: managers only."""
    assignment = get_assignment_for_user(user, pk, today)
    if not is_manager(user):
        raise PermissionDenied
    return assignment


def get_report_for_user(user, pk):
    return get_object_or_404(
        ProgressUpdate.objects.select_related("assignment__task__plan", "assignment__body")
        .prefetch_related("values")
        .filter(assignment__in=visible_assignments(user)),
        pk=pk,
    )


def get_evidence_for_user(user, pk):
    return get_object_or_404(
        Evidence.objects.filter(report__assignment__in=visible_assignments(user)), pk=pk
    )


def get_extension_for_review(user, pk):
    """Extension decisions: managers only (404 for what the user cannot see, else 403)."""
    extension = get_object_or_404(
        ExtensionRequest.objects.select_related(
            "assignment__task__plan", "assignment__measure", "assignment__body", "requested_by"
        ).filter(assignment__in=visible_assignments(user)),
        pk=pk,
    )
    if not is_manager(user):
        raise PermissionDenied
    return extension
