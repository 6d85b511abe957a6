"""The reporting chain: body staff see their work (我的任务), report progress (as drafts for
their head's approval where the body requires it) and ask for more time; the lead body
reviews the others' completion requests first and files the task's summary; managers decide
sign-offs and extensions from their to-do list (待办). Function views, each behind
@login_required, every object fetched through tracker.access; writes go through
tracker.services.reporting."""

import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker import states
from tracker.access import (
    body_of,
    can_report,
    files_directly,
    get_assignment,
    get_assignment_to_decide,
    get_assignment_to_report,
    get_assignment_to_review_as_lead,
    get_draft,
    get_draft_file,
    get_draft_to_approve,
    get_draft_to_set_aside,
    get_evidence,
    get_extension_to_decide,
    get_reminder_to_acknowledge,
    get_report,
    get_task_to_summarise,
    is_body_head,
    is_manager,
    leads_assignment,
    may_set_aside,
    require_manager,
    visible_drafts,
)
from tracker.forms.reporting import (
    DraftReviewForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    LeadReviewForm,
    ReportForm,
    SignOffForm,
    TaskSummaryForm,
)
from tracker.middleware import client_address
from tracker.models import (
    TASK_BEFORE_MEASURES,
    Assignment,
    DraftStep,
    Evidence,
    ExtensionRequest,
    LeadReview,
    Milestone,
    Reminder,
    ReportDraft,
    ReportedMilestone,
    Target,
    active_with_state,
    prebuilt,
    with_latest_reminders,
    with_states,
    with_timeline_parts,
)
from tracker.services import audit, reminders, reporting, supervision, timeline
from tracker.text import plain_number

GET_POST = require_http_methods(["GET", "POST"])
# 我的任务: the body's own work a page at a time; the other bodies' work it leads, the
# LED_SHOWN most urgent, and the REVIEW_SHOWN oldest of their completion requests waiting for
# its review (the list, /list/, has all of both).
WORK_PAGE = 20
LED_SHOWN = 10
REVIEW_SHOWN = 10
# 待办: this many decisions a page, the oldest first.
TODO_PAGE = 50
KINDS = ("signoff", "extension")


def _by_urgency(queryset):
    return queryset.order_by(
        "-light_rank",
        F("due").asc(nulls_last=True),
        "task__plan",
        "task__number",
        TASK_BEFORE_MEASURES,
        "pk",
    )


def _with_steps(assignments, today):
    for a in with_latest_reminders(assignments):
        a.steps = states.next_steps(a, states.State.of_row(a, today))
        if a.reminder_level:
            a.reminder_level_label = Reminder.Level(a.reminder_level).label
            a.reminder_kind_label = Reminder.Kind(a.reminder_kind).label
            a.reminder_reply_late = bool(
                a.reminder_reply_by and a.reminder_reply_by < today and not a.reminder_acknowledged
            )
    return assignments


@login_required
@require_GET
def my_work(request):
    """我的任务: the body's own assignments, most urgent first, with what is expected next;
    what waits for the body — completion requests to review as lead body, drafts to approve
    as head, the clerk's own drafts; below, read-only, the other bodies on the work the body
    leads."""
    if is_manager(request.user):
        return redirect("todo")
    body = body_of(request.user)
    today = timezone.localdate()
    own = led = to_review = drafts = []
    page = counts = None
    led_total = review_total = 0
    if body is not None:
        active = Assignment.objects.active()
        # A body may answer for a thousand assignments: the most urgent first, a page at a
        # time, with the counts per light of all of them above.
        stated = prebuilt(active_with_state, today).filter(body=body)
        counts = supervision.light_counts_of(supervision.state_totals(stated))
        # The order picks the page's keys (computing only what it sorts by); the page's rows
        # then come with what is pending on each, their states computed in Python by the
        # same rules (with_states) — as the other bodies' work and the reviews below.
        keys = _by_urgency(stated).values_list("pk", flat=True)
        page = Paginator(keys, WORK_PAGE).get_page(request.GET.get("page"))
        pks = list(page.object_list)
        rows = {a.pk: a for a in Assignment.objects.filter(pk__in=pks).for_my_work()}
        own = _with_steps(with_states([rows[pk] for pk in pks], today), today)
        # Why a completion request or an extension request came back, beside the item.
        reporting.attach_returns(own)
        # The other bodies' work and their completion requests to review exist only for a
        # body that leads some work; most bodies (the counties) lead none, and the two
        # queries' states and subqueries cost more to compile than this look-up.
        if Assignment.objects.filter(body=body, role=Assignment.Role.LEAD).exists():
            # The most urgent first, as the body's own: a department that leads a hundred
            # tasks has a thousand rows of others' work, and needs the overdue ones.
            others = prebuilt(active_with_state, today).visible_to_body(body).exclude(body=body)
            led_keys = list(_by_urgency(others).values_list("pk", flat=True)[:LED_SHOWN])
            # Their rows with the joins alone: the table shows no reminders nor reasons.
            led_rows = {a.pk: a for a in Assignment.objects.filter(pk__in=led_keys).for_form()}
            led = with_states([led_rows[pk] for pk in led_keys], today)
            led_total = (
                active.visible_to_body(body).exclude(body=body).count()
                if len(led) == LED_SHOWN
                else len(led)
            )
            # 催办 on the rows whose lead body this is (Assignment.lead_body): not on a
            # measure's own work where another body leads the measure.
            chaseable = set(
                active.overseen_by(body)
                .filter(pk__in=[a.pk for a in led])
                .values_list("pk", flat=True)
            )
            for a in led:
                a.chaseable = a.pk in chaseable
            waiting = active.overseen_by(body).filter(signoff=states.SignOff.LEAD_REVIEW)
            to_review = list(waiting.for_form().order_by("last_reported_at", "pk")[:REVIEW_SHOWN])
            review_total = waiting.count() if len(to_review) == REVIEW_SHOWN else len(to_review)
        drafts = list(
            visible_drafts(request.user)
            .open()
            .select_related(
                "assignment__task__plan", "assignment__measure", "assignment__body", "author"
            )
            # A returned draft shows the head's reason (the latest return).
            .prefetch_related(
                Prefetch(
                    "steps",
                    queryset=DraftStep.objects.filter(kind=DraftStep.Kind.RETURNED)
                    .select_related("user")
                    .order_by("-created_at", "-pk"),
                    to_attr="returns",
                )
            )
            .order_by("-updated_at", "-pk")
        )
    return render(
        request,
        "tracker/my_work.html",
        {
            "body": body,
            "own": own,
            "page": page,
            "counts": counts,
            "led": led,
            "led_total": led_total,
            "to_review": to_review,
            "review_total": review_total,
            "drafts": drafts,
            "is_head": is_body_head(request.user),
            "today": today,
        },
    )


def _targets_of(assignment):
    """The targets a report on this assignment may give values for."""
    return (
        Target.objects.filter(task=assignment.task_id, withdrawn=False)
        .filter(Q(measure__isnull=True) | Q(measure=assignment.measure_id))
        .order_by("number")
    )


def _targets_with_latest(assignment):
    """The targets of the work, each with the latest value of a report in force that gives
    one (`reported`: a list of at most one line) — the same rule as the task page."""
    return supervision.attach_reported_values(
        _targets_of(assignment), Assignment.objects.filter(pk=assignment.pk)
    )


@login_required
@require_GET
def assignment_detail(request, pk):
    today = timezone.localdate()
    assignment = get_assignment(request.user, pk, today)
    state = states.State.of_row(assignment, today)
    entries = timeline.for_assignment(assignment)
    # The current report is kept on the assignment (services/reporting.py); the timeline
    # has it already.
    current = next(
        (
            e.item
            for e in entries
            if e.kind == "report" and e.item.pk == assignment.current_report_id
        ),
        None,
    )
    # The first undecided extension request (ExtensionRequestQuerySet.pending().first()),
    # from the timeline's requests with their decisions.
    pending = min(
        (
            e.item
            for e in entries
            if e.kind == "extension" and getattr(e.item, "decision", None) is None
        ),
        key=lambda x: (x.created_at, x.pk),
        default=None,
    )
    manager = is_manager(request.user)
    reporter = can_report(request.user, assignment)
    lead = leads_assignment(request.user, assignment)
    drafts = []
    if reporter:
        drafts = list(assignment.drafts.open().select_related("author"))
    return render(
        request,
        "tracker/assignment_detail.html",
        {
            "a": assignment,
            "state": state,
            "steps": states.next_steps(assignment, state) if reporter else [],
            "current": current,
            "targets": _targets_with_latest(assignment),
            "pending_extension": pending,
            "can_report": reporter and not state.done,
            "files_directly": files_directly(request.user, assignment),
            "extension_refusal": reporting.extension_refusal(assignment, request.user)
            if reporter
            else None,
            "can_review": manager and assignment.signoff == states.SignOff.REQUESTED,
            "can_lead_review": lead and assignment.signoff == states.SignOff.LEAD_REVIEW,
            # Not once the work is no longer tracked (withdrawn, or its plan archived).
            "can_chase": (manager or lead) and not state.done and not state.withdrawn,
            "signoff_form": SignOffForm() if manager else None,
            "extension_form": ExtensionDecisionForm(extension=pending)
            if manager and pending
            else None,
            "drafts": drafts,
            "timeline": entries,
            "plan": assignment.task.plan,
            "today": today,
        },
    )


def _milestones_open(assignment):
    """The milestones of the work no report in force says were reached yet."""
    reached = ReportedMilestone.objects.filter(
        report__assignment=assignment, report__corrected_by__isnull=True
    ).values("milestone")
    return Milestone.objects.applying_to(assignment).exclude(pk__in=reached)


def _report_form(request, assignment, corrects=None, draft=None):
    """The report form, for a new report, a correction or a draft. Who files at once files a
    report; a clerk of a body that requires approval saves a draft (保存草稿) or hands it to
    the head (提交审核)."""
    today = timezone.localdate()
    targets = list(_targets_of(assignment))
    milestones = _milestones_open(assignment)
    source = draft or corrects
    if source is not None:
        values = (
            {f"target_{pk}": v for pk, v in draft.values.items()}
            if draft is not None
            else {f"target_{v.target_id}": plain_number(v.value) for v in corrects.values.all()}
        )
        initial = {
            "status": source.status,
            "percent": source.percent,
            "text": source.text,
            "as_of": source.as_of,
            **values,
        }
        if draft is not None:
            initial["milestones"] = draft.milestones
            initial["keep_files"] = draft.kept_evidence
        else:
            initial["milestones"] = [m.milestone_id for m in corrects.milestones_met.all()]
            milestones = Milestone.objects.applying_to(assignment)
    else:
        initial = {"status": assignment.status, "percent": assignment.percent}
    # A correction offers the corrected report's files, all ticked at first: the files that
    # proved the work are seldom what the correction is about.
    corrected = draft.corrects if draft is not None else corrects
    carried = list(corrected.evidence.all()) if corrected is not None else []
    if draft is None and corrects is not None:
        initial["keep_files"] = [e.pk for e in carried]
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        targets=targets,
        milestones=milestones if milestones.exists() else None,
        today=today,
        uploaded_today=functools.partial(
            Evidence.objects.uploaded_by_body_on, assignment.body, today
        ),
        carried=carried,
        earliest=assignment.task.plan.start_date or assignment.task.plan.issue_date,
        saved_files=list(draft.files.all()) if draft is not None else (),
        initial=initial,
    )
    direct = files_directly(request.user, assignment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "assignment": assignment,
            "status": data["status"],
            "percent": data["percent"],
            "text": data["text"],
            "as_of": data["as_of"],
            "values": form.values(),
            "milestones": form.milestones_reached(),
            "files": data["files"],
            "kept_evidence": form.kept_evidence(),
        }
        if draft is not None and not direct:
            fields["remove_files"] = form.files_to_remove()
        try:
            if direct:
                report = reporting.report_create(author=request.user, corrects=corrects, **fields)
            else:
                submit = "submit" in request.POST
                saved = reporting.draft_save(
                    author=draft.author if draft else request.user,
                    corrects=draft.corrects if draft else corrects,
                    draft=draft,
                    submit=submit,
                    **fields,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not direct:
                if submit:
                    messages.success(request, _("已提交单位负责人审核；审核同意后才报送。"))
                else:
                    messages.success(request, _("已保存草稿，尚未报送。"))
                return redirect(saved)
            # What happened to the sign-off, as the service left the assignment.
            signoff = report.assignment.signoff
            if signoff == states.SignOff.REQUESTED:
                messages.success(request, _("已填报，并已申请销号，等待督查审核。"))
            elif signoff == states.SignOff.LEAD_REVIEW:
                messages.success(request, _("已填报，并已申请销号，等待牵头单位初审。"))
            elif report.withdrew_signoff:
                messages.success(request, _("已填报。原先等待审核的销号申请已撤回。"))
            else:
                messages.success(request, _("已填报。"))
            return redirect(f"{assignment.get_absolute_url()}#r{report.pk}")
    return render(
        request,
        "tracker/report_form.html",
        {
            "a": assignment,
            "form": form,
            "corrects": corrects,
            "draft": draft,
            "direct": direct,
            "today": today,
            # A completion request waiting for review that this report withdraws unless it
            # says 已完成: the page warns before it is sent (report.js shows the warning
            # only while another status is chosen).
            "signoff_at_stake": reporting.signoff_at_stake(assignment, corrected),
            # A new draft beside one already begun: the page says so and links to it.
            "open_drafts": list(assignment.drafts.open().filter(author=request.user))
            if draft is None and not direct
            else [],
        },
    )


@login_required
@GET_POST
def report_create(request, pk):
    """进展填报 by the assignment's own body."""
    assignment = get_assignment_to_report(request.user, pk)
    if assignment.signoff == states.SignOff.SIGNED_OFF:
        messages.info(request, _("该项工作已销号，不需要再填报。"))
        return redirect(assignment)
    return _report_form(request, assignment)


@login_required
@GET_POST
def report_correct(request, pk):
    """更正: a new report that points to the one it corrects; both stay visible."""
    original = get_report(request.user, pk)
    assignment = get_assignment_to_report(request.user, original.assignment_id)
    if hasattr(original, "corrected_by"):
        messages.info(request, _("这条填报已经被更正过，请更正最新的那条。"))
        return redirect(assignment)
    if assignment.signoff == states.SignOff.SIGNED_OFF:
        messages.info(request, _("该项工作已销号，不需要再填报。"))
        return redirect(assignment)
    return _report_form(request, assignment, corrects=original)


@login_required
@GET_POST
def extension_create(request, pk):
    """延期申请 by the assignment's own body (by its head, where its reports need the head's
    approval)."""
    today = timezone.localdate()
    assignment = get_assignment_to_report(request.user, pk)
    refusal = reporting.extension_refusal(assignment, request.user)
    if refusal and request.method != "POST":
        messages.info(request, refusal)
        return redirect(assignment)
    form = ExtensionRequestForm(request.POST or None, old_due=assignment.effective_due, today=today)
    if refusal:
        # A form opened before the work changed (sign-off asked for meanwhile, another
        # request sent): refused with the reason, and what was typed stays on the page.
        form.is_valid()
        form.add_error(None, refusal)
        return render(
            request,
            "tracker/extension_form.html",
            {"a": assignment, "form": form, "today": today, "refused": True},
            status=400,
        )
    if request.method == "POST" and form.is_valid():
        try:
            reporting.extension_request_create(
                assignment=assignment,
                author=request.user,
                new_due=form.cleaned_data["new_due"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("延期申请已提交，等待督查审批。"))
            return redirect(assignment)
    return render(
        request, "tracker/extension_form.html", {"a": assignment, "form": form, "today": today}
    )


def _decide(request, form, decide, assignment, said, **extra):
    """Run a manager's decision service on a valid POST. Returns the redirect on success, or
    None to show the form again (with the service's refusal, if any, on the form).
    `said` is the message for (approved, rejected)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        decide(
            manager=request.user,
            approve=form.approve,
            reason=form.cleaned_data["reason"],
            **{k: form.cleaned_data.get(k) for k in extra},
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, said[0] if form.approve else said[1])
    return redirect(assignment)


@login_required
@GET_POST
def signoff_review(request, pk):
    """销号审核: a manager signs off or sends back (退回) with a reason."""
    assignment = get_assignment_to_decide(request.user, pk)
    form = SignOffForm(request.POST or None)
    decide = functools.partial(reporting.signoff_decide, assignment=assignment)
    done = _decide(request, form, decide, assignment, (_("已销号。"), _("已退回。")))
    if done:
        return done
    lead_opinion = (
        LeadReview.objects.filter(assignment=assignment)
        .select_related("reviewer", "body")
        .order_by("-created_at", "-pk")
        .first()
    )
    return _completion_review_page(
        request, assignment, form, timezone.localdate(), "signoff", lead_review=lead_opinion
    )


def _completion_review_page(request, assignment, form, today, kind, **extra):
    """A completion request under review (销号审核, 牵头单位初审): the form beside what the
    reviewer needs to decide — the report history, the evidence of the report in force, the
    targets against their goals and whether the work is late."""
    reports = with_timeline_parts(list(assignment.reports.for_timeline().order_by(*states_order())))
    current = next((r for r in reversed(reports) if _in_force(r)), None)
    return render(
        request,
        "tracker/decision_form.html",
        {
            "a": assignment,
            "state": states.State.of_row(assignment, today),
            "form": form,
            "current": current,
            "reports": reports,
            "targets": _targets_with_latest(assignment),
            "late_days": reporting.completion_days_late(assignment, current),
            "kind": kind,
            "today": today,
            **extra,
        },
    )


@login_required
@GET_POST
def extension_decide(request, pk):
    """延期审批: a manager approves (the due date moves) or rejects with a reason."""
    extension = get_extension_to_decide(request.user, pk)
    assignment = get_assignment(request.user, extension.assignment_id)
    form = ExtensionDecisionForm(request.POST or None, extension=extension)
    decide = functools.partial(reporting.extension_decide, extension=extension)
    said = (_("已同意延期，完成时限已更新。"), _("已不同意延期。"))
    done = _decide(request, form, decide, assignment, said, granted_due=True)
    if done:
        return done
    return render(
        request,
        "tracker/decision_form.html",
        {"a": assignment, "form": form, "extension": extension, "kind": "extension"},
    )


@login_required
@require_GET
def todo(request):
    """待办: pending sign-offs and extension requests, oldest first."""
    require_manager(request.user)
    today = timezone.localdate()
    # Both queues merged oldest first and paged: first as (time, kind, pk) only, then the
    # rows of the page with their joins.
    signoff_keys = Assignment.objects.filter(signoff=states.SignOff.REQUESTED).values_list(
        "last_reported_at", "pk"
    )
    extension_keys = ExtensionRequest.objects.pending().values_list("created_at", "pk")
    keys = [(when, "extension", pk) for when, pk in extension_keys]
    keys += [(when, "signoff", pk) for when, pk in signoff_keys]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    keys.sort(key=lambda k: (k[0] or epoch, k[1], k[2]))
    page = Paginator(keys, TODO_PAGE).get_page(request.GET.get("page"))
    wanted = {kind: [pk for _w, k, pk in page.object_list if k == kind] for kind in KINDS}
    signoffs = Assignment.objects.filter(pk__in=wanted["signoff"]).for_list().with_state(today)
    extensions = ExtensionRequest.objects.filter(pk__in=wanted["extension"]).select_related(
        "requested_by", "assignment__task__plan", "assignment__measure", "assignment__body"
    )
    found = {("signoff", a.pk): a for a in signoffs}
    found.update({("extension", e.pk): e for e in extensions})
    items = [(kind, when, found[(kind, pk)]) for when, kind, pk in page.object_list]
    with_lead = {
        r.assignment_id: r
        for r in LeadReview.objects.filter(
            assignment__in=[a.pk for kind, _, a in items if kind == "signoff"], passed=True
        ).select_related("body", "reviewer")
    }
    for kind, _when, a in items:
        if kind == "signoff":
            a.lead_opinion = with_lead.get(a.pk)
    at_lead = Assignment.objects.active().filter(signoff=states.SignOff.LEAD_REVIEW).count()
    return render(
        request,
        "tracker/todo.html",
        {"items": items, "page": page, "at_lead": at_lead, "today": today},
    )


@login_required
@require_GET
def evidence_download(request, pk):
    """A 佐证材料 file, for people who may see its assignment; always as an attachment, under
    the name it was uploaded with."""
    evidence = get_evidence(request.user, pk)
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # Recorded before a byte leaves (tracker/services/audit.py).
    audit.record_download(
        user=request.user, evidence=evidence, client_address=client_address(request)
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


def _in_force(report):
    """Not corrected (a report fetched with for_timeline)."""
    return getattr(report, "corrected_by", None) is None


def states_order():
    """Reports oldest first, in the order the current report is chosen by."""
    from tracker.models import Report

    return [key.removeprefix("-") for key in Report.LATEST_FIRST]


# --- the lead body: review (牵头单位初审) and summary (汇总报送) -----------------------------


@login_required
@GET_POST
def lead_review(request, pk):
    """牵头单位初审: the lead body passes a completion request on, with its opinion, or
    returns it to the body."""
    today = timezone.localdate()
    assignment = get_assignment_to_review_as_lead(request.user, pk, today)
    form = LeadReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reporting.lead_review_decide(
                assignment=assignment,
                reviewer=request.user,
                body=body_of(request.user),
                passed=form.approve,
                opinion=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已提出初审意见，报督查审核。") if form.approve else _("已退回责任单位。"),
            )
            return redirect(assignment)
    return _completion_review_page(request, assignment, form, today, "lead_review")


@login_required
@GET_POST
def task_summary(request, slug, number):
    """汇总报送: the lead body's account of the whole task."""
    task = get_task_to_summarise(request.user, slug, number)
    today = timezone.localdate()
    form = TaskSummaryForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        reporting.task_summary_create(
            task=task,
            body=body_of(request.user),
            author=request.user,
            as_of=form.cleaned_data["as_of"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("已汇总报送。"))
        return redirect(task)
    return render(request, "tracker/summary_form.html", {"task": task, "form": form})


# --- in-body approval: drafts --------------------------------------------------------------


@login_required
@GET_POST
def draft_edit(request, pk):
    """A draft: the clerk edits it and saves or submits it while it is not with the head;
    everyone in the body reads it and its steps."""
    draft = get_draft(request.user, pk)
    assignment = get_assignment(request.user, draft.assignment_id)
    editable = draft.editable
    if request.method == "POST" and not editable:
        if draft.state == ReportDraft.State.DISCARDED:
            messages.info(request, _("这份草稿已作废，不能再修改。"))
        else:
            messages.info(request, _("这份草稿已提交审核或已报送，不能再修改。"))
        return redirect(draft)
    if editable and not files_directly(request.user, assignment):
        return _report_form(request, assignment, draft=draft)
    return _draft_page(request, draft, assignment)


@login_required
@require_http_methods(["POST"])
def draft_withdraw(request, pk):
    """撤回修改: the clerk takes a draft back from the head to change it."""
    draft = get_draft_to_set_aside(request.user, pk)
    try:
        reporting.draft_withdraw(draft=draft, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已撤回，草稿可以继续修改。"))
    return redirect(draft)


@login_required
@require_http_methods(["POST"])
def draft_discard(request, pk):
    """作废 a draft that will not be filed: it leaves the lists, its files are deleted."""
    draft = get_draft_to_set_aside(request.user, pk)
    try:
        reporting.draft_discard(draft=draft, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(draft)
    messages.success(request, _("草稿已作废，其上传的文件已删除。"))
    return redirect("my_work")


def _draft_page(request, draft, assignment, form=None):
    return render(
        request,
        "tracker/draft_detail.html",
        {
            "draft": draft,
            "a": assignment,
            "steps": draft.steps.select_related("user"),
            "files": draft.files.all(),
            # A correction's files kept from the report it corrects go with it too: the
            # head approves them with the rest.
            "kept": draft.kept_files(),
            "values": _draft_values(draft),
            "milestones": Milestone.objects.filter(pk__in=draft.milestones),
            "can_discard": draft.editable and may_set_aside(request.user, draft),
            # Approving a draft that says the work is not complete withdraws a waiting
            # completion request: the head is told before deciding.
            "withdraws": reporting.signoff_withdrawn_by(
                assignment, status=draft.status, corrects=draft.corrects
            )
            if draft.state == ReportDraft.State.SUBMITTED
            else "",
            "review_form": form
            or (
                DraftReviewForm()
                if is_body_head(request.user) and draft.state == ReportDraft.State.SUBMITTED
                else None
            ),
        },
    )


def _draft_values(draft):
    targets = Target.objects.in_bulk([int(pk) for pk in draft.values])
    return [(targets[int(pk)], value) for pk, value in draft.values.items() if int(pk) in targets]


@login_required
@require_http_methods(["POST"])
def draft_review(request, pk):
    """单位负责人审核: the head approves a submitted draft (it is filed) or returns it."""
    draft = get_draft_to_approve(request.user, pk)
    assignment = get_assignment(request.user, draft.assignment_id)
    form = DraftReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.approve:
                report = reporting.draft_approve(
                    draft=draft, head=request.user, note=form.cleaned_data["reason"]
                )
            else:
                reporting.draft_return(
                    draft=draft, head=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.approve:
                if report.withdrew_signoff:
                    said = _("已审核同意，填报已报送；原先等待审核的销号申请已撤回。")
                else:
                    said = _("已审核同意，填报已报送。")
                messages.success(request, said)
                return redirect(f"{assignment.get_absolute_url()}#r{report.pk}")
            messages.success(request, _("已退回经办人修改。"))
            return redirect(draft)
    return _draft_page(request, draft, assignment, form)


@login_required
@require_GET
def draft_file_download(request, pk):
    """A draft's evidence file, inside the body only."""
    row = get_draft_file(request.user, pk)
    try:
        handle = row.file.storage.open(row.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )


# --- receipts -------------------------------------------------------------------------------


@login_required
@require_http_methods(["POST"])
def reminder_acknowledge(request, pk):
    """签收: a member of the body acknowledges a reminder."""
    reminder = get_reminder_to_acknowledge(request.user, pk)
    try:
        reminders.acknowledge(reminder=reminder, user=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("已签收。"))
    back = request.POST.get("next")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(reminder.assignment)
