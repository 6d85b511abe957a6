"""One access helper per object type: fetch it with the joins its page needs, or 404."""

from django.shortcuts import get_object_or_404

from tracker.models import Plan, Task


def get_plan_for_user(user, slug):
    """Every signed-in user may read a plan's structure."""
    return get_object_or_404(Plan, slug=slug)


def get_task_for_user(user, slug, number):
    return get_object_or_404(
        Task.objects.select_related("plan", "category"), plan__slug=slug, number=number
    )
