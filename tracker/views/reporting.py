"""The reporting chain: body staff see their work (我的任务), report progress and ask for more
time; managers decide sign-offs and extensions from their to-do list (待办). Function views,
each behind @login_required, every object fetched through tracker.access; writes go through
tracker.services.reporting."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker import states
from tracker.access import (
    body_of,
    can_report,
    get_assignment,
    get_assignment_to_decide,
    get_assignment_to_report,
    get_evidence,
    get_extension_to_decide,
    get_report,
    is_manager,
    require_manager,
)
from tracker.forms.reporting import (
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ReportForm,
    SignOffForm,
)
from tracker.middleware import client_address
from tracker.models import TASK_BEFORE_MEASURES, Assignment, Evidence, ExtensionRequest, Target
from tracker.services import audit, reporting, timeline

GET_POST = require_http_methods(["GET", "POST"])


def _by_urgency(queryset):
    return queryset.order_by(
        "-light_rank",
        F("due").asc(nulls_last=True),
        "task__plan",
        "task__number",
        TASK_BEFORE_MEASURES,
    )


def _with_steps(assignments, today):
    for a in assignments:
        a.steps = states.next_steps(a, states.State.of_row(a, today))
    return assignments


@login_required
@require_GET
def my_work(request):
    """我的任务: the body's own assignments, most urgent first, with what is expected next;
    below them, read-only, the other bodies on the work the body leads."""
    if is_manager(request.user):
        return redirect("todo")
    body = body_of(request.user)
    today = timezone.localdate()
    own = led = []
    if body is not None:
        active = Assignment.objects.active()
        own = _with_steps(list(_by_urgency(active.filter(body=body).for_my_work(today))), today)
        led = list(
            active.visible_to_body(body)
            .exclude(body=body)
            .for_my_work(today)
            .order_by("task__plan", "task__number", TASK_BEFORE_MEASURES, *Assignment.BODY_ORDER)
        )
    return render(
        request,
        "tracker/my_work.html",
        {"body": body, "own": own, "led": led, "today": today},
    )


def _targets_of(assignment):
    """The targets a report on this assignment may give values for."""
    return (
        Target.objects.filter(task=assignment.task_id, withdrawn=False)
        .filter(Q(measure__isnull=True) | Q(measure=assignment.measure_id))
        .order_by("number")
    )


@login_required
@require_GET
def assignment_detail(request, pk):
    today = timezone.localdate()
    assignment = get_assignment(request.user, pk, today)
    state = states.State.of_row(assignment, today)
    current = assignment.reports.current().prefetch_related("values").first()
    reported = {v.target_id: v.value for v in current.values.all()} if current else {}
    targets = list(_targets_of(assignment))
    for t in targets:
        t.reported = reported.get(t.pk)
    pending = assignment.extension_requests.pending().select_related("requested_by").first()
    manager = is_manager(request.user)
    reporter = can_report(request.user, assignment)
    return render(
        request,
        "tracker/assignment_detail.html",
        {
            "a": assignment,
            "state": state,
            "steps": states.next_steps(assignment, state) if reporter else [],
            "current": current,
            "targets": targets,
            "pending_extension": pending,
            "can_report": reporter and not state.done,
            "can_review": manager and assignment.signoff == states.SignOff.REQUESTED,
            "signoff_form": SignOffForm() if manager else None,
            "extension_form": ExtensionDecisionForm() if manager and pending else None,
            "timeline": timeline.for_assignment(assignment),
            "today": today,
        },
    )


def _report_form(request, assignment, corrects=None):
    today = timezone.localdate()
    targets = list(_targets_of(assignment))
    if corrects is not None:
        initial = {
            "status": corrects.status,
            "percent": corrects.percent,
            "text": corrects.text,
            "as_of": corrects.as_of,
            **{f"target_{v.target_id}": v.value for v in corrects.values.all()},
        }
    else:
        initial = {"status": assignment.status, "percent": assignment.percent}
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        targets=targets,
        today=today,
        uploaded_today=Evidence.objects.uploaded_by_body_on(assignment.body, today),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = reporting.report_create(
                assignment=assignment,
                author=request.user,
                status=data["status"],
                percent=data["percent"],
                text=data["text"],
                as_of=data["as_of"],
                values=form.values(),
                files=data["files"],
                corrects=corrects,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # What happened to the sign-off, as the service left the assignment.
            if report.assignment.signoff == states.SignOff.REQUESTED:
                messages.success(request, _("已填报，并已申请销号，等待督查审核。"))
            else:
                messages.success(request, _("已填报。"))
            return redirect(f"{assignment.get_absolute_url()}#r{report.pk}")
    return render(
        request,
        "tracker/report_form.html",
        {"a": assignment, "form": form, "corrects": corrects, "today": today},
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
    if hasattr(original, "corrected_by") or assignment.signoff == states.SignOff.SIGNED_OFF:
        messages.info(request, _("这条填报已经被更正过，或该项工作已销号。"))
        return redirect(assignment)
    return _report_form(request, assignment, corrects=original)


@login_required
@GET_POST
def extension_create(request, pk):
    """延期申请 by the assignment's own body."""
    today = timezone.localdate()
    assignment = get_assignment_to_report(request.user, pk, today)
    if assignment.signoff == states.SignOff.SIGNED_OFF or (
        assignment.extension_requests.pending().exists()
    ):
        messages.info(request, _("该项工作已销号，或已有延期申请在等待审批。"))
        return redirect(assignment)
    form = ExtensionRequestForm(request.POST or None, old_due=assignment.effective_due, today=today)
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


def _decide(request, form, decide, assignment, said):
    """Run a manager's decision service on a valid POST. Returns the redirect on success, or
    None to show the form again (with the service's refusal, if any, on the form).
    `said` is the message for (approved, rejected)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        decide(manager=request.user, approve=form.approve, reason=form.cleaned_data["reason"])
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
    current = assignment.reports.current().first()
    return render(
        request,
        "tracker/decision_form.html",
        {"a": assignment, "form": form, "current": current, "kind": "signoff"},
    )


@login_required
@GET_POST
def extension_decide(request, pk):
    """延期审批: a manager approves (the due date moves) or rejects with a reason."""
    extension = get_extension_to_decide(request.user, pk)
    assignment = get_assignment(request.user, extension.assignment_id)
    form = ExtensionDecisionForm(request.POST or None)
    decide = functools.partial(reporting.extension_decide, extension=extension)
    said = (_("已同意延期，完成时限已更新。"), _("已不同意延期。"))
    done = _decide(request, form, decide, assignment, said)
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
    signoffs = (
        Assignment.objects.filter(signoff=states.SignOff.REQUESTED)
        .for_list()
        .with_state(today)
        .order_by("last_reported_at", "pk")
    )
    extensions = (
        ExtensionRequest.objects.pending()
        .select_related(
            "requested_by", "assignment__task__plan", "assignment__measure", "assignment__body"
        )
        .order_by("created_at", "pk")
    )
    items = [("signoff", a.last_reported_at, a) for a in signoffs]
    items += [("extension", e.created_at, e) for e in extensions]
    items.sort(key=lambda item: (item[1], item[0]))
    return render(request, "tracker/todo.html", {"items": items, "today": today})


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
