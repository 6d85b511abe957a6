"""What managers (督查) open every morning: the dashboard, the county × task matrix, the
overdue and progress list with its exports, the bulletin (通报) and the reminder (催办).

Function views behind @login_required; every assignment comes from
tracker.access.visible_assignments, so body staff reach the list and its exports limited to
what they may see, and an assignment they may not see answers 404. The dashboard, the
matrix, the bulletin and reminders are for managers (403 for body staff, tracker.access).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tracker import states
from tracker.access import (
    get_assignment_to_remind,
    is_manager,
    require_manager,
    visible_assignments,
)
from tracker.forms.supervision import (
    SORT_LABELS,
    AssignmentFilter,
    BulletinForm,
    PlanChoiceForm,
    ReminderForm,
)
from tracker.middleware import client_address
from tracker.models import Plan, Task
from tracker.services import audit, exports, reminders, supervision

PAGE_SIZE = 50
# The filters always in view; the others fold away until one of them is used.
MAIN_FILTERS = ["q", "county", "light", "flag", "o"]
MORE_FILTERS = [
    "plan",
    "category",
    "task",
    "body",
    "role",
    "status",
    "signoff",
    "due_after",
    "due_before",
    "overdue_days",
]
# The list's table alone, for the script that refreshes it without a full reload.
PARTIAL_HEADER = "X-Partial"


def _chosen_plan(request):
    """The plan named by ?plan=, else the only plan there is, else None (all plans)."""
    slug = request.GET.get("plan")
    if slug:
        return get_object_or_404(Plan, slug=slug)
    if "plan" in request.GET:
        return None  # 全部方案, chosen explicitly
    plans = list(Plan.objects.current()[:2])
    return plans[0] if len(plans) == 1 else None


def _assignments(user, today, plan):
    """The active assignments the user may see, with their states and the joins the
    dashboard's tables need."""
    queryset = visible_assignments(user).active().for_list().with_state(today)
    if plan is not None:
        queryset = queryset.filter(task__plan=plan)
    return queryset


@login_required
@require_GET
def dashboard(request):
    """督查看板: counts per light, progress per category, the league table of bodies and the
    items overdue longest."""
    require_manager(request.user)
    today = timezone.localdate()
    plan = _chosen_plan(request)
    rows = list(_assignments(request.user, today, plan))
    # Without a chosen plan the table names each category's plan: category__plan.
    tasks = (
        Task.objects.active().select_related("plan", "category__plan").order_by("plan", "number")
    )
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    overdue = sorted(
        (a for a in rows if a.is_overdue),
        key=lambda a: (a.due, a.task.number, a.measure.number if a.measure_id else 0, a.pk),
    )
    return render(
        request,
        "tracker/dashboard.html",
        {
            "plan": plan,
            "plan_form": PlanChoiceForm(initial={"plan": plan}),
            "today": today,
            "rows": rows,
            "counts": supervision.light_counts(rows),
            "categories": supervision.category_progress(tasks, rows, today),
            "league": supervision.league(rows),
            "overdue": overdue[:10],
            "overdue_total": len(overdue),
        },
    )


@login_required
@require_GET
def matrix(request):
    """县（市、区）× 任务: for each task or measure broken down to the counties, each
    county's light, linked to its assignment."""
    require_manager(request.user)
    today = timezone.localdate()
    plan = _chosen_plan(request)
    rows = _assignments(request.user, today, plan).county_shares()
    return render(
        request,
        "tracker/matrix.html",
        {
            "plan": plan,
            "plan_form": PlanChoiceForm(initial={"plan": plan}),
            "today": today,
            "matrices": supervision.matrices(rows),
        },
    )


# --- the overdue and progress list ----------------------------------------------------------


def _filtered(request, today):
    queryset = visible_assignments(request.user).for_overdue_list(today)
    return AssignmentFilter(request.GET, queryset=queryset)


def _sort_headers(current):
    """For each sortable column: the sort parameter a click asks for (ascending, then
    descending, then back to the default) and the current direction."""
    headers: dict[str, dict[str, str | None]] = {}
    for key in SORT_LABELS:
        if current == key:
            headers[key] = {"next": f"-{key}", "dir": "asc"}
        elif current == f"-{key}":
            headers[key] = {"next": None, "dir": "desc"}
        else:
            headers[key] = {"next": key, "dir": ""}
    return headers


@login_required
@require_GET
def assignment_list(request):
    """逾期与进度清单: filter, sort, page; with the header X-Partial: results only the
    table is rendered (tracker/static/tracker/manage.js)."""
    today = timezone.localdate()
    filterset = _filtered(request, today)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = filterset.form
    more = [form[name] for name in MORE_FILTERS]
    context = {
        "filter": filterset,
        "main_fields": [form[name] for name in MAIN_FILTERS],
        "more_fields": more,
        "more_open": any(field.value() or field.errors for field in more),
        "page": page,
        "sort": _sort_headers(request.GET.get("o", "")),
        "can_remind": is_manager(request.user),
        "today": today,
    }
    template = "tracker/assignment_list.html"
    if request.headers.get(PARTIAL_HEADER) == "results":
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, [PARTIAL_HEADER])
    return response


@login_required
@require_GET
def list_export(request, fmt):
    """The list as .xlsx or .csv: the same filters, the same order and the same visibility,
    every page of it."""
    today = timezone.localdate()
    filterset = _filtered(request, today)
    rows = [supervision.export_row(a) for a in filterset.qs]
    name = _("逾期与进度清单-%(day)s") % {"day": today.isoformat()}
    if fmt == "xlsx":
        content = exports.xlsx_bytes(supervision.EXPORT_HEADERS, rows, title=_("逾期与进度清单"))
        content_type = exports.XLSX_TYPE
    elif fmt == "csv":
        content = exports.csv_bytes(supervision.EXPORT_HEADERS, rows)
        content_type = exports.CSV_TYPE
    else:
        raise Http404
    # Who exported what, recorded before the file leaves (tracker/services/audit.py).
    audit.record_export(
        user=request.user,
        subject=f"{name}.{fmt}",
        filters=filterset.in_words(),
        query=request.GET.urlencode(),
        rows=len(rows),
        client_address=client_address(request),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{name}.{fmt}"
    )
    return response


# --- the bulletin ---------------------------------------------------------------------------


@login_required
@require_GET
def bulletin(request):
    """通报: as of a chosen day, the bodies ranked by their overdue items, with the items.
    The states are those of that day from what is recorded now (tracker/states.py)."""
    require_manager(request.user)
    today = timezone.localdate()
    form = BulletinForm(request.GET or None, today=today)
    day, plan = today, None
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["date"] or today
        plan = form.cleaned_data["plan"]
    elif not form.is_bound:
        plan = _chosen_plan(request)
        form = BulletinForm(initial={"date": today, "plan": plan}, today=today)
    rows = list(_assignments(request.user, day, plan))
    overdue = [a for a in rows if a.is_overdue]
    ranked = supervision.bulletin(overdue)
    return render(
        request,
        "tracker/bulletin.html",
        {
            "form": form,
            "day": day,
            "plan": plan,
            "today": today,
            "bodies": ranked,
            "total": len(rows),
            "overdue_total": len(overdue),
            "counts": supervision.light_counts(rows),
        },
    )


# --- reminders ------------------------------------------------------------------------------


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def remind(request, pk):
    """催办: a manager chases one assignment with a message. 404 for what the user may not
    see; 403 for body staff who may see it."""
    today = timezone.localdate()
    assignment = get_assignment_to_remind(request.user, pk, today)
    back = _safe_next(request, assignment.get_absolute_url())
    if assignment.signoff == states.SignOff.SIGNED_OFF:
        messages.info(request, _("该项工作已销号，不需要催办。"))
        return redirect(back)
    initial = {"message": reminders.reminder_message(assignment, today)}
    form = ReminderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reminder = reminders.remind(
                assignment=assignment,
                sender=request.user,
                message=form.cleaned_data["message"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _tell_the_manager(request, reminder, assignment)
            return redirect(back)
    return render(
        request,
        "tracker/remind_form.html",
        {
            "a": assignment,
            "form": form,
            "next": back,
            "recipients": reminders.recipients_of(assignment.body),
            "today": today,
        },
    )


def _tell_the_manager(request, reminder, assignment):
    body = assignment.body.name
    if reminder.mail_failed:
        messages.error(
            request,
            _("已记录对%(body)s的催办，但邮件发送失败，没有人收到邮件。") % {"body": body},
        )
    elif not reminder.recipients:
        messages.warning(
            request,
            _("已记录对%(body)s的催办；该单位没有登记邮箱的工作人员，没有人收到邮件。")
            % {"body": body},
        )
    else:
        messages.success(
            request,
            ngettext(
                "已催办%(body)s，邮件已发送给 %(n)s 人。",
                "已催办%(body)s，邮件已发送给 %(n)s 人。",
                len(reminder.recipients),
            )
            % {"body": body, "n": len(reminder.recipients)},
        )
