"""Function views. Every page needs a signed-in user; access goes through tracker.access."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone

from tracker import supervision
from tracker.access import get_plan_for_user, get_task_for_user, visible_assignments
from tracker.models import TASK_BEFORE_MEASURES, Assignment, Plan
from tracker.roles import body_of, is_manager
from tracker.views_decisions import decision_forms


@login_required
def home(request):
    if body_of(request.user) is not None:
        return redirect("my_work")  # body staff land on their body's work
    if is_manager(request.user):
        return redirect("dashboard")  # managers start the day on the dashboard
    plans = list(Plan.objects.all()[:2])
    if len(plans) == 1:
        return redirect(plans[0])
    return redirect("plan_list")


@login_required
def plan_list(request):
    plans = Plan.objects.all()
    return render(request, "tracker/plan_list.html", {"plans": plans})


def _assignments_prefetch():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("body", "measure").order_by(
            "role", TASK_BEFORE_MEASURES, "body__kind", "body__position", "body__name"
        ),
    )


@login_required
def plan_overview(request, slug):
    plan = get_plan_for_user(request.user, slug)
    today = timezone.localdate()
    tasks = list(plan.tasks.select_related("category").prefetch_related(_assignments_prefetch()))
    overdue_ids = set(plan.tasks.overdue(today).values_list("pk", flat=True))
    for task in tasks:
        task.is_overdue = task.pk in overdue_ids
        task.lead = next(
            (a for a in task.assignments.all() if a.role == "lead" and not a.measure_id), None
        )
        task.others = _distinct_bodies(a for a in task.assignments.all() if a is not task.lead)
    categories = list(plan.categories.all())
    groups = [(c, [t for t in tasks if t.category_id == c.pk]) for c in categories]
    uncategorised = [t for t in tasks if t.category_id is None]
    if uncategorised:
        groups.append((None, uncategorised))
    return render(
        request,
        "tracker/plan_overview.html",
        {
            "plan": plan,
            "groups": groups,
            "task_count": plan.tasks.active().count(),
            "overdue_count": len(overdue_ids),
            "today": today,
        },
    )


def _distinct_bodies(assignments):
    seen, bodies = set(), []
    for a in assignments:
        if a.body_id not in seen:
            seen.add(a.body_id)
            bodies.append(a.body)
    return bodies


@login_required
def task_detail(request, slug, number, invalid=None):
    task = get_task_for_user(request.user, slug, number)
    today = timezone.localdate()
    assignments = list(
        task.assignments.select_related("body", "measure")
        .with_state(today)
        .order_by("role", "body__kind", "body__position", "body__name")
    )
    measures = list(task.measures.with_light(today))
    for m in measures:
        m.assignment_list = [a for a in assignments if a.measure_id == m.pk]
    task_assignments = [a for a in assignments if a.measure_id is None]
    return render(
        request,
        "tracker/task_detail.html",
        {
            "plan": task.plan,
            "task": task,
            "measures": measures,
            "task_assignments": task_assignments,
            # Each target with the values the bodies the user may see last reported.
            "targets": supervision.attach_reported_values(
                task.targets.select_related("measure"),
                visible_assignments(request.user).filter(task=task),
            ),
            "source_lines": task.plan.source_lines(task.first_line, task.last_line),
            "today": today,
            # The task's light, its roll-up and the timeline (tracker/supervision.py).
            **supervision.task_progress(request.user, task, assignments, today),
            # An administrator's deadline and body forms (tracker/views_decisions.py).
            **decision_forms(request.user, task, request.POST, invalid),
        },
        status=400 if invalid else 200,
    )
