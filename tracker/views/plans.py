"""Plans and tasks: the list of plans, a plan's overview, a task's page, and an
administrator's plan edits (a deadline, a body or a milestone the text does not name on the
task page; the reporting calendar on the plan's page); the bodies' 责任人 and contacts
(单位联系人: managers read them, administrators keep them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from tracker.access import (
    body_of,
    get_body_to_edit,
    get_plan,
    get_plan_to_archive,
    get_plan_to_edit,
    get_task,
    get_task_to_edit,
    is_manager,
    is_plan_admin,
    leads_task,
    require_manager,
    visible_assignments,
)
from tracker.forms.plans import (
    ArchiveForm,
    AssignForm,
    BodyContactForm,
    DeadlineForm,
    MilestoneForm,
    ReportRuleForm,
)
from tracker.models import TASK_BEFORE_MEASURES, Assignment, Body, Plan, Task, prebuilt
from tracker.services import plan_edits, supervision
from tracker.text import safe_format


@login_required
@require_GET
def home(request):
    if body_of(request.user) is not None:
        return redirect("my_work")  # body staff land on their body's work
    if is_manager(request.user):
        return redirect("dashboard")  # managers start the day on the dashboard
    plans = list(Plan.objects.current()[:2])
    if len(plans) == 1:
        return redirect(plans[0])
    return redirect("plan_list")


# The plans a page of the list of plans shows (a province tracks hundreds).
PLANS_PAGE = 50


@login_required
@require_GET
def plan_list(request):
    """The plans being tracked; below them, folded away, the archived ones (kept, readable)."""
    plans = Plan.objects.defer("source_text")
    page = Paginator(plans.current(), PLANS_PAGE).get_page(request.GET.get("page"))
    archived = plans.archived()
    return render(
        request,
        "tracker/plan_list.html",
        {
            "plans": page.object_list,
            "page": page,
            "archived": archived[:PLANS_PAGE],
            "archived_total": archived.count(),
        },
    )


def _assignments_prefetch():
    # A list (to_attr), not the related manager: a queryset made for each task cost more
    # than the query. The page names the bodies; the measures only order the rows.
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("body").order_by(
            "role", TASK_BEFORE_MEASURES, *Assignment.BODY_ORDER
        ),
        to_attr="assignment_list",
    )


def _leads(assignments):
    """The task's own leads among its assignments, first-named first: what
    AssignmentQuerySet.leads() gives of a task's assignments without measure, from the ones
    fetched already."""
    leads = (a for a in assignments if a.measure_id is None and a.role == Assignment.Role.LEAD)
    return sorted(leads, key=lambda a: (a.position, a.pk))


def by_provenance(assignments):
    """Bodies grouped by where the text names them, or by the administrator's decision that
    put them there: [(names, an assignment of the group)], in order, each body once."""
    groups: dict[tuple, tuple[list[str], Assignment]] = {}
    seen = set()
    for a in assignments:
        if a.body_id in seen:
            continue
        seen.add(a.body_id)
        key = (a.set_by_person, a.origin_reason if a.set_by_person else a.origin_place)
        groups.setdefault(key, ([], a))[0].append(a.body.name)
    return list(groups.values())


@login_required
@require_GET
def plan_overview(request, slug):
    plan = get_plan(request.user, slug)
    return _plan_page(request, plan, _rule_form(request.user, plan))


def _rule_form(user, plan, form=None):
    if not is_plan_admin(user) or plan.is_archived:
        return None
    return form or ReportRuleForm(
        initial={
            "report_rhythm": plan.report_rhythm,
            "report_day": plan.report_day,
            "report_period_days": plan.report_period_days,
            "extension_cap": plan.extension_cap,
            "start_date": plan.start_date,
        }
    )


def _overdue_tasks(today):
    """The overdue tasks (for prebuilt)."""
    return Task.objects.overdue(today)


def _overdue_work(today):
    """The overdue assignments (for prebuilt)."""
    return Assignment.objects.overdue(today)


def _plan_page(request, plan, rule_form, status=200, archive_form=None):
    today = timezone.localdate()
    tasks = list(plan.tasks.select_related("category").prefetch_related(_assignments_prefetch()))
    # The overdue rule's querysets are built once a day (models.prebuilt): building them
    # cost more than running them.
    if is_manager(request.user):
        overdue = prebuilt(_overdue_tasks, today).filter(plan=plan)
        overdue_ids = set(overdue.values_list("pk", flat=True))
    else:
        # Body staff learn of other bodies' lateness only where they may read their work.
        seen = visible_assignments(request.user, prebuilt(_overdue_work, today)).values("task")
        overdue_ids = set(plan.tasks.active().filter(pk__in=seen).values_list("pk", flat=True))
    for task in tasks:
        task.is_overdue = task.pk in overdue_ids
        leads = _leads(task.assignment_list)
        lead_ids = {a.pk for a in leads}
        task.lead_groups = by_provenance(leads)
        task.other_groups = by_provenance(a for a in task.assignment_list if a.pk not in lead_ids)
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
            # Counted here, not with tasks.active(): an archived plan still has its tasks.
            "task_count": sum(1 for t in tasks if not t.withdrawn),
            "overdue_count": len(overdue_ids),
            "archive_form": archive_form
            or (ArchiveForm() if is_plan_admin(request.user) else None),
            "rule_form": rule_form,
            "today": today,
        },
        status=status,
    )


@login_required
@require_POST
def plan_archive(request, slug):
    """归档: the plan leaves everyone's work lists; its records stay."""
    return _archive_or_restore(request, slug, archive=True)


@login_required
@require_POST
def plan_restore(request, slug):
    return _archive_or_restore(request, slug, archive=False)


def _archive_or_restore(request, slug, *, archive):
    plan = get_plan_to_archive(request.user, slug)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        # The page again, with the form open at its notes and a message at the top.
        if archive:
            _refused(request, _("归档此方案"), "archive-form")
        else:
            _refused(request, _("恢复跟踪"), "restore-form", above=True)
        rule_form = _rule_form(request.user, plan)
        return _plan_page(request, plan, rule_form, status=400, archive_form=form)
    change = plan_edits.plan_archive if archive else plan_edits.plan_restore
    change(plan=plan, user=request.user, reason=form.cleaned_data["reason"])
    if archive:
        messages.success(
            request,
            _(
                "已归档方案“%(title)s”：不再出现在我的任务、督查看板和清单中，也不再催办；全部记录保留，可随时恢复。"
            )
            % {"title": plan.title},
        )
    else:
        messages.success(request, _("已恢复方案“%(title)s”，重新跟踪。") % {"title": plan.title})
    return redirect(plan)


@login_required
@require_POST
def plan_report_rule(request, slug):
    """The plan's reporting calendar and cap on extensions, set by an administrator."""
    plan = get_plan_to_edit(request.user, slug)
    form = ReportRuleForm(request.POST)
    if not form.is_valid():
        _refused(request, _("管理员设定：填报节奏与跟踪起始"), "report-rule-form")
        return _plan_page(request, plan, _rule_form(request.user, plan, form), status=400)
    data = form.cleaned_data
    plan_edits.report_rule_set(
        plan=plan,
        user=request.user,
        rhythm=data["report_rhythm"],
        day=data["report_day"],
        period=data["report_period_days"] or plan.report_period_days,
        extension_cap=data["extension_cap"],
        reason=data["reason"],
        start_date=data["start_date"],
    )
    messages.success(request, _("已设定填报节奏，并记入变更记录。"))
    return redirect(plan)


@login_required
@require_GET
def task_detail(request, slug, number):
    task = get_task(request.user, slug, number)
    return _task_page(request, task, _plan_edit_forms(request.user, task))


def _plan_edit_forms(user, task, deadline_form=None, assign_form=None, milestone_form=None):
    """The task page's plan-edit forms, for administrators only; a bound form that failed
    validation is shown again with its messages. None while the plan is archived: its
    records stay as they were (access._not_archived)."""
    if not is_plan_admin(user) or task.plan.is_archived:
        return {}
    return {
        "deadline_form": deadline_form or DeadlineForm(task=task),
        "assign_form": assign_form or AssignForm(task=task),
        "milestone_form": milestone_form or MilestoneForm(task=task),
    }


def _task_page(request, task, forms, status=200):
    today = timezone.localdate()
    assignments = list(
        task.assignments.select_related("body", "measure")
        .with_state(today)
        .with_due_reason()
        .order_by(*Assignment.ROLE_ORDER)
    )
    measures = list(task.measures.with_light(today))
    progress = supervision.task_progress(request.user, task, assignments, today)
    visible = progress["visible_ids"]
    # The text's stages and a person's milestones; one of a body's share is that body's date,
    # shown to who may see its work.
    milestones = [
        s
        for s in task.milestones.filter(withdrawn=False)
        .select_related("assignment__body")
        .order_by("due", "pk")
        if progress["whole_task"] or s.assignment_id is None or s.assignment_id in visible
    ]
    for a in assignments:
        a.seen = a.pk in visible
    for m in measures:
        m.assignment_list = [a for a in assignments if a.measure_id == m.pk]
        m.milestone_list = [s for s in milestones if s.measure_id == m.pk]
        # A measure's light is made of its bodies' states: shown to who may read them all.
        if not all(a.pk in visible for a in m.assignment_list):
            m.light = None
    task_assignments = [a for a in assignments if a.measure_id is None]
    return render(
        request,
        "tracker/task_detail.html",
        {
            "plan": task.plan,
            "task": task,
            "measures": measures,
            "task_assignments": task_assignments,
            "milestones": [s for s in milestones if s.measure_id is None],
            # Each target with the values the bodies the user may see last reported.
            "targets": supervision.attach_reported_values(
                task.targets.select_related("measure"),
                visible_assignments(request.user).filter(task=task),
            ),
            "source_lines": task.plan.source_lines(task.first_line, task.last_line),
            "leads_task": leads_task(request.user, task),
            "today": today,
            # The task's light, its roll-up, the timeline and the lead body's summaries
            # (tracker/services/supervision.py).
            **progress,
            **forms,
        },
        status=status,
    )


# --- plan edits: what the text does not say, set by an administrator ----------------------
# POST only; an invalid form answers with the task page again, errors next to the fields,
# and a message at the top: the forms are at the bottom of a long page, which the browser
# opens at its top.


def _refused(request, form_title, anchor, *, above=False):
    """The message at the top of a long page whose form, at its bottom (or `above`, at its
    top), was refused: it names the form and links to it (`anchor`, the form's id)."""
    link = safe_format('<a href="#{}">“{}”</a>', anchor, form_title)
    if above:
        text = _("未保存：请按页面上方{}中的提示修改后重新提交。")
    else:
        text = _("未保存：请按页面下方{}中的提示修改后重新提交。")
    messages.error(request, safe_format(text, link))


@login_required
@require_POST
def task_deadline(request, slug, number):
    task = get_task_to_edit(request.user, slug, number)
    form = DeadlineForm(request.POST, task=task)
    if not form.is_valid():
        _refused(request, _("设定完成时限"), "deadline-form")
        forms = _plan_edit_forms(request.user, task, deadline_form=form)
        return _task_page(request, task, forms, status=400)
    data = form.cleaned_data
    plan_edits.deadline_set(
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
    task = get_task_to_edit(request.user, slug, number)
    form = AssignForm(request.POST, task=task)
    if not form.is_valid():
        _refused(request, _("指定责任单位"), "assign-form")
        forms = _plan_edit_forms(request.user, task, assign_form=form)
        return _task_page(request, task, forms, status=400)
    data = form.cleaned_data
    assignment = plan_edits.body_assign(
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


@login_required
@require_POST
def task_milestone(request, slug, number):
    """A milestone (阶段性目标) on the task, a measure or one body's share."""
    task = get_task_to_edit(request.user, slug, number)
    form = MilestoneForm(request.POST, task=task)
    if not form.is_valid():
        _refused(request, _("设定阶段性目标"), "milestone-form")
        forms = _plan_edit_forms(request.user, task, milestone_form=form)
        return _task_page(request, task, forms, status=400)
    measure, assignment = form.chosen_scope()
    plan_edits.milestone_add(
        task=task,
        user=request.user,
        due=form.cleaned_data["due"],
        text=form.cleaned_data["text"],
        reason=form.cleaned_data["reason"],
        measure=measure,
        assignment=assignment,
    )
    messages.success(request, _("已设定阶段性目标，并记入变更记录。"))
    return redirect(task)


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on every site: the site's icon."""
    return redirect(static("tracker/favicon.ico"), permanent=True)


# --- the bodies' contacts (单位联系人) -------------------------------------------------------


@login_required
@require_GET
def body_list(request):
    """单位联系人: every body with its 责任人, 联系人 and 联系电话, in the customary order;
    managers read it, administrators edit it."""
    require_manager(request.user)
    bodies = Body.objects.order_by(
        "jurisdiction", *(f.removeprefix("body__") for f in Assignment.BODY_ORDER)
    )
    return render(
        request,
        "tracker/body_list.html",
        {"bodies": bodies, "can_edit": is_plan_admin(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_edit(request, pk):
    """An administrator sets a body's 责任人 and contacts."""
    body = get_body_to_edit(request.user, pk)
    form = BodyContactForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存%(body)s的联系人。") % {"body": body.name})
        return redirect("body_list")
    return render(request, "tracker/body_form.html", {"body": body, "form": form})
