"""What managers (督查) open every morning: the dashboard, the county × task matrix, the
overdue and progress list with its exports, the bulletin (通报) — composed, issued and
archived — and the reminder (催办).

Function views behind @login_required; every assignment comes from
tracker.access.visible_assignments, so body staff reach the list and its exports limited to
what they may see, and an assignment they may not see answers 404. The dashboard, the
matrix, composing and issuing bulletins are for managers (403 for body staff,
tracker.access); reminders for managers and, on their own task, the lead body; issued
bulletins are read by managers and by the bodies they name (another body's bulletin answers
404: tracker.access.get_bulletin).
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tracker import states
from tracker.access import (
    get_assignment_to_chase,
    get_bulletin,
    is_manager,
    require_manager,
    visible_assignments,
    visible_bulletins,
)
from tracker.forms.supervision import (
    SORT_LABELS,
    AssignmentFilter,
    BulletinComposeForm,
    BulletinForm,
    PlanChoiceForm,
    ReminderForm,
)
from tracker.middleware import client_address
from tracker.models import (
    Assignment,
    Plan,
    Reminder,
    Task,
    active_with_state,
    prebuilt,
    with_due_reasons,
    with_states,
)
from tracker.services import audit, bulletins, documents, exports, reminders, supervision

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


def _listed(today):
    return Assignment.objects.active().for_list().with_state(today)


def _overdue_list(today):
    return Assignment.objects.for_overdue_list(today, reasons=False)


def _overdue_list_with_reasons(today):
    return Assignment.objects.for_overdue_list(today)


def _assignments(user, today, plan):
    """The active assignments the user may see, with their states and the joins the
    dashboard's tables need."""
    queryset = visible_assignments(user, prebuilt(_listed, today))
    if plan is not None:
        queryset = queryset.filter(task__plan=plan)
    return queryset


# On the dashboard for all plans, the progress per category of this many plans per page; on
# the matrix for all plans, this many plans' matrices per page.
DASHBOARD_PLANS = 20
MATRIX_PLANS = 5
LETTERS_SHOWN = 10
# The dashboard's items overdue longest (the list has them all, sorted the same way).
OVERDUE_SHOWN = 10
# A bulletin's page lists this many items of each group (its Word document lists them all).
BULLETIN_ITEMS_SHOWN = 20


@login_required
@require_GET
def dashboard(request):
    """督查看板: counts per light, progress per category, the league table of bodies and the
    items overdue longest. The counts and the league are counted by the database in one pass
    (supervision.state_totals); the progress per category, for all plans, is paged by plan
    and made of plain values (supervision.state_rows)."""
    require_manager(request.user)
    today = timezone.localdate()
    plan = _chosen_plan(request)
    queryset = visible_assignments(request.user, prebuilt(active_with_state, today))
    if plan is not None:
        queryset = queryset.filter(task__plan=plan)
    totals = supervision.state_totals(queryset)
    counts = supervision.light_counts_of(totals)
    tasks = (
        Task.objects.active().select_related("plan", "category__plan").order_by("plan", "number")
    )
    tasks = tasks.defer("source_text", "plan__source_text", "category__plan__source_text")
    plans_page = None
    if plan is not None:
        tasks = tasks.filter(plan=plan)
        shown = queryset
    else:
        plan_ids = set(queryset.order_by().values_list("task__plan", flat=True).distinct())
        readings = dict(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "pinyin"))
        ordered = sorted(plan_ids, key=lambda pk: (readings[pk], pk))
        plans_page = Paginator(ordered, DASHBOARD_PLANS).get_page(request.GET.get("page"))
        on_page = list(plans_page.object_list)
        tasks = tasks.filter(plan__in=on_page)
        shown = queryset.filter(task__plan__in=on_page)
    # The items overdue longest, in the overdue list's order (read from its index): their
    # keys first, then the few rows with their states and joins.
    top = list(
        queryset.filter(states.light_q(states.Light.RED, today))
        .overdue_first()
        .values_list("pk", flat=True)[:OVERDUE_SHOWN]
    )
    rows = {a.pk: a for a in Assignment.objects.filter(pk__in=top).for_list().with_state(today)}
    overdue = [rows[pk] for pk in top]
    letters = reminders.letters_overdue(
        today, plan and visible_assignments(request.user).filter(task__plan=plan)
    )
    return render(
        request,
        "tracker/dashboard.html",
        {
            "plan": plan,
            "plan_form": PlanChoiceForm(initial={"plan": plan}),
            "today": today,
            "counts": counts,
            "categories": supervision.category_progress(
                tasks, supervision.state_rows(shown), today
            ),
            "plans_page": plans_page,
            "league": supervision.league(totals),
            "overdue": overdue,
            "overdue_total": counts["overdue"],
            "letters_overdue": list(letters[:LETTERS_SHOWN]),
            "letters_total": letters.count(),
        },
    )


@login_required
@require_GET
def matrix(request):
    """县（市、区）× 任务: for each task or measure broken down to the counties, each
    county's light, linked to its assignment. For all plans, MATRIX_PLANS plans a page."""
    require_manager(request.user)
    today = timezone.localdate()
    plan = _chosen_plan(request)
    rows = _assignments(request.user, today, plan).county_shares()
    plans_page = None
    if plan is None:
        with_shares = (
            Plan.objects.filter(pk__in=rows.order_by().values("task__plan"))
            .order_by("pinyin", "pk")
            .values_list("pk", flat=True)
        )
        plans_page = Paginator(with_shares, MATRIX_PLANS).get_page(request.GET.get("page"))
        rows = rows.filter(task__plan__in=list(plans_page.object_list))
    return render(
        request,
        "tracker/matrix.html",
        {
            "plan": plan,
            "plan_form": PlanChoiceForm(initial={"plan": plan}),
            "today": today,
            "matrices": supervision.matrices(rows),
            "plans_page": plans_page,
        },
    )


# --- the overdue and progress list ----------------------------------------------------------


def _filtered(request, today, *, reasons=True):
    built = prebuilt(_overdue_list_with_reasons if reasons else _overdue_list, today)
    queryset = visible_assignments(request.user, built)
    return AssignmentFilter(request.GET, queryset=queryset, request=request, today=today)


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
    filterset = _filtered(request, today, reasons=False)
    # In two steps: the order picks the page's keys computing only what it sorts by (the
    # light's rank, the days overdue, the due date) for every row that passes the filters;
    # the fifty rows of the page then come with their joins, their states computed in
    # Python by the same rules (with_states).
    keys = filterset.qs.values_list("pk", flat=True)
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    pks = list(page.object_list)
    rows = Assignment.objects.filter(pk__in=pks)._list_joins()
    by_pk = {a.pk: a for a in with_states(rows, today)}
    page.object_list = with_due_reasons([by_pk[pk] for pk in pks])
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
    every page of it, with the latest narrative, the body's contacts and where the due date
    comes from; the xlsx under a title row naming the plan, the filters and the day. Rows
    are written as the query yields them (exports.Counted counts them for the record)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    today = timezone.localdate()
    filterset = _filtered(request, today)
    rows = exports.Counted(supervision.export_rows(filterset.qs.for_export()))
    name = _("逾期与进度清单-%(day)s") % {"day": today.isoformat()}
    if fmt == "xlsx":
        filterset.form.is_valid()  # a refused field is ignored, the others still apply
        plan = filterset.form.cleaned_data.get("plan")
        what = _("逾期与进度清单")
        if plan is not None:
            what = _("《%(plan)s》%(what)s") % {"plan": plan.title, "what": what}
        title = supervision.export_title(
            what, filters=filterset.in_words(exclude=["plan"]), day=today
        )
    # Written into a temporary file as the query yields the rows, then streamed from it:
    # neither the rows nor the file are ever held in memory (FileResponse closes the file,
    # which the system then removes).
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    if fmt == "xlsx":
        exports.write_xlsx(
            handle, supervision.EXPORT_COLUMNS, rows, sheet=_("逾期与进度清单"), title=title
        )
        content_type = exports.XLSX_TYPE
    else:
        exports.write_csv(handle, supervision.EXPORT_HEADERS, rows)
        content_type = exports.CSV_TYPE
    handle.seek(0)
    # Who exported what, recorded before the file leaves (tracker/services/audit.py).
    audit.record_export(
        user=request.user,
        subject=f"{name}.{fmt}",
        filters=filterset.in_words(),
        query=request.GET.urlencode(),
        rows=rows.n,
        client_address=client_address(request),
    )
    return FileResponse(
        handle, as_attachment=True, filename=f"{name}.{fmt}", content_type=content_type
    )


# --- the bulletin ---------------------------------------------------------------------------


def _document_context(*, figures, texts, number, office, day):
    """What tracker/_bulletin_document.html shows: the same parts as the Word document."""
    sign_in, date_in = documents.signature_indents(office, documents.office_date(day))
    # The document itself is in Chinese on every page, as its Word document is; the page
    # around it follows the reader's language.
    with translation.override(bulletins.DOCUMENT_LANGUAGE):
        blocks = supervision.bulletin_outline(
            figures,
            opening=texts["opening"],
            requirements=texts["requirements"],
            limit=BULLETIN_ITEMS_SHOWN,
        )
    return {
        "sign_in": sign_in,
        "date_in": date_in,
        "issuer": office,
        "doc_number": number,
        "title": texts["title"],
        "recipients": texts["recipients"],
        "blocks": blocks,
        "signature": office,
        "day": day,
    }


def _bulletin_choice(request, today):
    """The form choosing a bulletin's day and plan from ?date=&plan=, and the day and the
    plan (None: all plans) it chose. No day: today, shown in the form; an invalid choice:
    today and all plans, the form saying what is wrong."""
    form = BulletinForm(request.GET or None, today=today)
    if not form.is_bound:
        plan = _chosen_plan(request)
        return BulletinForm(initial={"date": today, "plan": plan}, today=today), today, plan
    if not form.is_valid():
        return form, today, None
    day, plan = form.cleaned_data["date"], form.cleaned_data["plan"]
    if day is None:
        day = today
        data = {"date": today.isoformat(), "plan": plan.slug if plan else ""}
        form = BulletinForm(data, today=today)
        form.is_valid()
    return form, day, plan


@login_required
@require_GET
def bulletin(request):
    """通报: as of a chosen day, the bulletin as it would be issued today — the same
    figures, sections and words as its Word document (services/bulletins.py); printed from
    the browser it is laid out as the document is. The states are those of that day from
    what is recorded now (tracker/states.py)."""
    require_manager(request.user)
    today = timezone.localdate()
    form, day, plan = _bulletin_choice(request, today)
    figures = bulletins.figures(user=request.user, plan=plan, day=day)
    return render(
        request,
        "tracker/bulletin.html",
        {
            "form": form,
            "day": day,
            "plan": plan,
            "today": today,
            "figures": figures,
            "doc": _document_context(
                figures=figures,
                texts=bulletins.default_texts(plan, day),
                number=bulletins.draft_doc_number(today.year),
                office=bulletins.issuer(),
                day=today,
            ),
            "can_issue": day <= today,
        },
    )


def _docx_response(content, filename):
    response = HttpResponse(content, content_type=documents.DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_compose(request):
    """起草通报: choose the plan and the day (GET), edit the title, the recipients, the opening
    and 下一步要求 while looking at the bulletin they make (预览), download it as a Word draft,
    and issue it (印发, with the confirmation ticked): it gets its 文号 and goes to the
    archive. Managers only."""
    require_manager(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        form = BulletinComposeForm(request.POST, today=today)
        choice = BulletinForm(
            initial={"date": request.POST.get("date"), "plan": request.POST.get("plan")},
            today=today,
        )
    else:
        choice, day, plan = _bulletin_choice(request, today)
        if day > today:
            choice.add_error("date", _("通报的是已经发生的情况：截至日期不能晚于今天。"))
            day = today
        form = BulletinComposeForm(
            initial={"plan": plan, "date": day, **bulletins.default_texts(plan, day)},
            today=today,
        )
    preview = None
    if form.is_bound and form.is_valid():
        plan, day, texts = (
            form.cleaned_data["plan"],
            form.cleaned_data["date"],
            form.texts(),
        )
        action = request.POST.get("action")
        if action == "docx":
            content = bulletins.draft_document(user=request.user, plan=plan, day=day, **texts)
            return _docx_response(content, _("%(title)s（草稿）.docx") % {"title": texts["title"]})
        if action == "issue":
            if not form.cleaned_data["confirm"]:
                form.add_error("confirm", _("请核对通报内容后勾选确认，再印发。"))
            else:
                try:
                    issued = bulletins.issue(user=request.user, plan=plan, day=day, **texts)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("已印发%(number)s。责任单位可在“通报”中查阅点名本单位的通报。")
                        % {"number": issued.doc_number},
                    )
                    return redirect(issued)
        preview = _document_context(
            figures=bulletins.figures(user=request.user, plan=plan, day=day),
            texts=texts,
            number=bulletins.draft_doc_number(today.year),
            office=bulletins.issuer(),
            day=today,
        )
    elif not form.is_bound:
        data = form.initial
        preview = _document_context(
            figures=bulletins.figures(user=request.user, plan=data["plan"], day=data["date"]),
            texts=data,
            number=bulletins.draft_doc_number(today.year),
            office=bulletins.issuer(),
            day=today,
        )
    return render(
        request,
        "tracker/bulletin_compose.html",
        {"choice": choice, "form": form, "doc": preview, "today": today},
    )


@login_required
@require_GET
def bulletin_list(request):
    """已印发的通报: 文号, title, plan, as-of day, issue day and who issued it, the latest
    first. Managers see all; body staff the bulletins that name their body."""
    bulletins_seen = visible_bulletins(request.user).select_related("plan")
    plan = None
    if request.GET.get("plan"):
        plan = get_object_or_404(Plan, slug=request.GET["plan"])
        bulletins_seen = bulletins_seen.filter(plan=plan)
    page = Paginator(bulletins_seen, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/bulletin_list.html",
        {"page": page, "plan": plan, "can_issue": is_manager(request.user)},
    )


@login_required
@require_GET
def bulletin_detail(request, pk):
    """An issued bulletin as it was issued: from its frozen figures and texts."""
    issued = get_bulletin(request.user, pk)
    texts = {
        "title": issued.title,
        "recipients": issued.recipients,
        "opening": issued.opening,
        "requirements": issued.requirements,
    }
    return render(
        request,
        "tracker/bulletin_detail.html",
        {
            "bulletin": issued,
            "doc": _document_context(
                figures=issued.figures,
                texts=texts,
                number=issued.doc_number,
                office=issued.issuer,
                day=issued.issued_on,
            ),
        },
    )


@login_required
@require_GET
def bulletin_document(request, pk):
    """An issued bulletin's Word document, as it was stored when it was issued."""
    issued = get_bulletin(request.user, pk)
    try:
        handle = issued.document.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{issued.doc_number}{issued.title}.docx",
        content_type=documents.DOCX_TYPE,
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
    """催办: a manager chases one assignment at a level (proposed from the days overdue and
    the earlier chases; the manager decides), or the lead body chases another body on its
    task (提醒 or 催办). 404 for what the user may not see; 403 for body staff who may see
    it but do not lead it."""
    today = timezone.localdate()
    assignment = get_assignment_to_chase(request.user, pk, today)
    back = _safe_next(request, assignment.get_absolute_url())
    if assignment.signoff == states.SignOff.SIGNED_OFF:
        messages.info(request, _("该项工作已销号，不需要催办。"))
        return redirect(back)
    if assignment.is_withdrawn:
        messages.info(request, _("该项工作已不再跟踪（已撤销，或方案已归档），不需要催办。"))
        return redirect(back)
    manager = is_manager(request.user)
    if manager:
        suggested, why = reminders.suggested_level(assignment, today)
        levels = None
    else:
        suggested = Reminder.Level.CHASE if assignment.is_overdue else Reminder.Level.NOTICE
        why = ""
        levels = [Reminder.Level.NOTICE, Reminder.Level.CHASE]
    pending_due = reminders.pending_extension_due(assignment)
    suggestion = reminders.reminder_message(assignment, today, pending_due=pending_due)
    initial = {"message": suggestion, "level": suggested}
    form = ReminderForm(request.POST or None, initial=initial, levels=levels, today=today)
    if request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"]
        letter = form.cleaned_data["level"] == Reminder.Level.LETTER
        reply_by = form.cleaned_data["reply_by"] if letter else None
        if reply_by is not None and message.strip() == suggestion.strip():
            # The suggestion left as it was gives the body REPLY_DAYS days; a 督办函 names
            # its own reply day, and the message then says that day.
            message = reminders.reminder_message(
                assignment, today, reply_by=reply_by, pending_due=pending_due
            )
        try:
            reminder = reminders.remind(
                assignment=assignment,
                sender=request.user,
                message=message,
                site_url=request.build_absolute_uri("/"),
                level=form.cleaned_data["level"],
                doc_number=form.cleaned_data["doc_number"],
                reply_by=form.cleaned_data["reply_by"],
                by_lead=not manager,
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
            "suggested": suggested,
            "suggested_why": why,
            "manager": manager,
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
