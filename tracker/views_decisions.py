"""An administrator sets, on the task page, what the plan text does not say: a deadline, a
body. Both are POST-only and answer with the task page again (errors shown in place)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import decisions
from tracker.access import get_task_for_user
from tracker.forms_decisions import AssignForm, DeadlineForm
from tracker.roles import is_admin


def decision_forms(user, task, data=None, which=None):
    """The two forms for the task page, for administrators only."""
    if not is_admin(user):
        return {}
    return {
        "deadline_form": DeadlineForm(data if which == "deadline" else None, task=task),
        "assign_form": AssignForm(data if which == "assign" else None, task=task),
    }


def _task_for_admin(request, slug, number):
    if not is_admin(request.user):
        raise PermissionDenied(_("只有方案管理员可以设定时限和责任单位。"))
    return get_task_for_user(request.user, slug, number)


def _invalid(request, slug, number, which):
    # Re-render the task page with the bound form and its messages next to the fields.
    from tracker.views import task_detail

    return task_detail(request, slug, number, invalid=which)


@login_required
@require_POST
def task_deadline(request, slug, number):
    task = _task_for_admin(request, slug, number)
    form = DeadlineForm(request.POST, task=task)
    if not form.is_valid():
        return _invalid(request, slug, number, "deadline")
    data = form.cleaned_data
    decisions.deadline_set(
        item=data["measure"] or task,
        user=request.user,
        deadline=data["deadline"],
        ongoing=data["ongoing"],
        reason=data["reason"],
    )
    messages.success(request, _("已设定完成时限，并记入变更记录。"))
    return redirect(task)


@login_required
@require_POST
def task_assign(request, slug, number):
    task = _task_for_admin(request, slug, number)
    form = AssignForm(request.POST, task=task)
    if not form.is_valid():
        return _invalid(request, slug, number, "assign")
    data = form.cleaned_data
    assignment = decisions.body_assign(
        task=task,
        measure=data["measure"],
        body=data["body"],
        new_name=data["new_body"],
        new_kind=data["new_kind"],
        role=data["role"],
        user=request.user,
        reason=data["reason"],
    )
    messages.success(
        request, _("已指定责任单位“%(body)s”，并记入变更记录。") % {"body": assignment.body}
    )
    return redirect(task)
