"""Writes that touch the history or an assignment's current state. Every one takes keyword
arguments, validates before it writes, runs in one transaction and locks the assignment row
first (select_for_update), so reports and decisions made at the same moment queue up and the
current state always ends up matching the history. No signals, no side effects in save().

Refusals are ValidationErrors with a message for the person (Chinese msgids).
"""

import copy
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import evidence as evidence_files
from tracker.history import record_changes
from tracker.models import (
    Assignment,
    Body,
    ChangeRecord,
    Decision,
    Evidence,
    ExtensionRequest,
    ProgressStatus,
    Report,
    ReportedValue,
)
from tracker.states import SignOff


def _lock(assignment_pk):
    """The assignment, re-read with its row locked until the transaction ends."""
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("task__plan", "measure", "body")
        .get(pk=assignment_pk)
    )


# --- progress reports ----------------------------------------------------------------------


def report_create(
    *,
    assignment,
    author,
    status,
    percent,
    text,
    as_of,
    values=None,
    files=(),
    corrects=None,
):
    """File a progress report (进展填报), with its values against targets and its evidence
    files, and bring the assignment's current state up to date.

    `values` maps Target → Decimal. `files` are uploaded files already checked by the form
    (tracker.forms); each is checked again here. `corrects` is a report of the same
    assignment that this one corrects; both stay. When anything fails, no row is written and
    every file already stored is removed again.

    A new report tells where the work stands now, so it becomes the current report: its
    as-of date may not be earlier than the current report's (a ValidationError on `as_of`).
    Only a correction of an older, no longer current report may carry an older date; it
    then changes the record, not the current state. See _refresh_progress.
    """
    stored = []
    try:
        with transaction.atomic():
            locked = _lock(assignment.pk)
            if locked.signoff == SignOff.SIGNED_OFF:
                raise ValidationError(_("该项工作已销号，不需要再填报。"))
            if corrects is not None:
                if corrects.assignment_id != locked.pk:
                    raise ValidationError(_("只能更正本项工作的填报。"))
                if Report.objects.filter(corrects=corrects).exists():
                    raise ValidationError(_("这条填报已经被更正过，请更正最新的那条。"))
            earliest = _earliest_as_of(locked, corrects)
            if earliest is not None and as_of < earliest:
                raise ValidationError(
                    {
                        "as_of": _(
                            "情况截至日期不能早于本项工作当前填报的截至日期 %(day)s。"
                            "如需改正以前的填报，请使用“更正”。"
                        )
                        % {"day": earliest.isoformat()}
                    }
                )
            now = timezone.now()
            report = Report(
                assignment=locked,
                author=author,
                created_at=now,
                as_of=as_of,
                status=status,
                percent=percent,
                text=text,
                corrects=corrects,
            )
            report.full_clean()
            report.save()
            for target, value in (values or {}).items():
                if value is None:
                    continue
                row = ReportedValue(report=report, target=target, value=value, created_at=now)
                row.full_clean()
                row.save()
            _check_upload_quota(locked, files, now)
            for upload in files:
                stored.append(_store_evidence(report, upload, now).file.name)
            _refresh_progress(locked, report, now)
    except BaseException:
        for name in stored:
            Evidence._meta.get_field("file").storage.delete(name)
        raise
    return report


def _check_upload_quota(locked, files, now):
    """The limits of tracker/evidence.py, checked again where they cannot be raced: the body's
    row is locked, so two reports of one body at the same moment count each other's files."""
    if not files:
        return
    Body.objects.select_for_update().filter(pk=locked.body_id).first()
    used = Evidence.objects.uploaded_by_body_on(locked.body_id, timezone.localdate(now))
    problem = evidence_files.quota_problem([upload.size for upload in files], used)
    if problem:
        raise ValidationError({"files": problem})


def _store_evidence(report, upload, now):
    name = evidence_files.clean_name(upload.name)
    kind = evidence_files.kind_of(name, upload)
    if kind is None:
        raise ValidationError(_("“%(name)s”不是可接受的文件类型。") % {"name": name})
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    row = Evidence(
        report=report,
        created_at=now,
        original_name=name,
        kind=kind,
        content_type=evidence_files.KINDS[kind].content_type,
        size=size,
        sha256=digest.hexdigest(),
    )
    row.file.save(name, upload, save=False)
    row.save()
    return row


def _earliest_as_of(locked, corrects):
    """The earliest as-of date a report may carry so that it becomes the current one: the
    as-of date of the current report — or, for a correction of the current report, of the
    report that would be current without it. None when any date will do: nothing has been
    reported, or the report corrects one that is no longer current."""
    current = locked.reports.current()
    if corrects is not None:
        if current.first() != corrects:
            return None
        current = current.exclude(pk=corrects.pk)
    return current.values_list("as_of", flat=True).first()


def _refresh_progress(locked, report, now):
    """The current state follows the current report (ReportQuerySet.current): its
    status, percent and as-of date. The sign-off follows only the report just filed, and only
    when it is the current one: 已完成 asks for sign-off; any other report withdraws a request
    (or answers a 退回). A correction of an older report leaves the sign-off alone."""
    current = locked.reports.current().first()
    locked.status = current.status
    locked.percent = current.percent
    locked.progress_as_of = current.as_of
    locked.last_reported_at = now
    if current == report:
        locked.signoff = (
            SignOff.REQUESTED if report.status == ProgressStatus.COMPLETED else SignOff.OPEN
        )
    locked.save(
        update_fields=["status", "percent", "progress_as_of", "last_reported_at", "signoff"]
    )


# --- sign-off ------------------------------------------------------------------------------


def signoff_decide(*, assignment, manager, approve, reason=""):
    """A manager signs off (销号) an assignment whose body reported it complete, or sends it
    back (退回) with a reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(assignment.pk)
        if locked.signoff != SignOff.REQUESTED:
            raise ValidationError(_("这项工作没有待审核的销号申请（可能已有人处理）。"))
        if not approve and not reason:
            raise ValidationError({"reason": _("退回时请写明理由。")})
        now = timezone.now()
        decision = Decision(
            assignment=locked,
            kind=Decision.Kind.SIGNED_OFF if approve else Decision.Kind.RETURNED,
            report=locked.reports.current().first(),
            decided_by=manager,
            reason=reason,
            created_at=now,
        )
        decision.full_clean()
        decision.save()
        if approve:
            locked.signoff, locked.signed_off_at = SignOff.SIGNED_OFF, now
        else:
            locked.signoff = SignOff.RETURNED
        locked.save(update_fields=["signoff", "signed_off_at"])
    return decision


# --- extensions ----------------------------------------------------------------------------


def extension_request_create(*, assignment, author, new_due, reason):
    """A body asks to move its due date (延期申请). One pending request at a time."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(assignment.pk)
        if locked.signoff == SignOff.SIGNED_OFF:
            raise ValidationError(_("该项工作已销号，不能申请延期。"))
        if locked.extension_requests.pending().exists():
            raise ValidationError(_("已有一份延期申请在等待审批。"))
        old_due = locked.effective_due
        problem = new_due_problem(old_due, new_due)
        if problem:
            raise ValidationError({"new_due": problem})
        request = ExtensionRequest(
            assignment=locked,
            requested_by=author,
            old_due=old_due,
            new_due=new_due,
            reason=reason,
        )
        request.full_clean()
        request.save()
    return request


def new_due_problem(old_due, new_due, today=None):
    """What is wrong with a requested due date, or None: it must be later than the current
    one and not in the past."""
    today = today or timezone.localdate()
    if old_due and new_due <= old_due:
        return _("新的完成时限应晚于现在的时限 %(day)s。") % {"day": old_due}
    if new_due < today:
        return _("新的完成时限不能早于今天。")
    return None


def extension_decide(*, extension, manager, approve, reason=""):
    """A manager approves an extension request — the assignment's due date moves and the
    change is recorded with the old date — or rejects it with a reason.

    Approval is checked against the assignment as it is now, not as it was when the body
    asked: signed-off work is not extended, and the requested date must still be later than
    the due date that applies now (which may have moved meanwhile) and not in the past. A
    request that fails this can still be rejected."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(extension.assignment_id)
        if Decision.objects.filter(extension=extension).exists():
            raise ValidationError(_("这份延期申请已经审批过了。"))
        if not approve and not reason:
            raise ValidationError({"reason": _("不同意延期时请写明理由。")})
        if approve:
            if locked.signoff == SignOff.SIGNED_OFF:
                problem = _("该项工作已经销号。")
            else:
                problem = new_due_problem(locked.effective_due, extension.new_due)
            if problem:
                raise ValidationError(
                    _("不能同意这份延期申请：%(problem)s请选择不同意并写明理由。")
                    % {"problem": problem}
                )
        decision = Decision(
            assignment=locked,
            kind=Decision.Kind.APPROVED if approve else Decision.Kind.REJECTED,
            extension=extension,
            decided_by=manager,
            reason=reason,
        )
        decision.full_clean()
        decision.save()
        if approve:
            old = copy.copy(locked)
            locked.due_date = extension.new_due
            locked.save(update_fields=["due_date"])
            record_changes(
                user=manager,
                old=old,
                new=locked,
                via=ChangeRecord.Via.EXTENSION,
                reason=_("同意延期申请：%(reason)s") % {"reason": extension.reason},
                fields=["due_date"],
            )
    return decision
