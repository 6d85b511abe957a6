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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import evidence as evidence_files
from tracker.access import files_directly
from tracker.history import in_records_language, record_changes
from tracker.models import (
    EXTENSION_DECISIONS,
    Assignment,
    Body,
    ChangeRecord,
    Decision,
    DraftFile,
    DraftStep,
    Evidence,
    ExtensionRequest,
    LeadReview,
    Milestone,
    ProgressStatus,
    Report,
    ReportDraft,
    ReportedMilestone,
    ReportedValue,
    TaskSummary,
)
from tracker.services.documents import office_date
from tracker.states import WAITING, SignOff, days_late, local_day


def _lock(assignment_pk, *related):
    """The assignment, re-read with its row locked until the transaction ends (with
    `related` joined besides its work and body)."""
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("task__plan", "measure", "body", *related)
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
    milestones=(),
    approved_by=None,
    draft_files=(),
    kept_evidence=(),
):
    """File a progress report (进展填报), with its values against targets, the milestones it
    says were reached and its evidence files, and bring the assignment's current state up to
    date.

    `values` maps Target → Decimal. `files` are uploaded files already checked by the form
    (tracker.forms); each is checked again here. `draft_files` are the stored files of an
    approved draft (draft_approve), attached as they are; `kept_evidence`, files of the
    report a correction corrects that it keeps (the same stored files, not counted against
    the day's uploads again). `corrects` is a report of the same
    assignment that this one corrects; both stay, and the correction takes the corrected
    report's place in the filing order (Report.place_at). `approved_by` is the body's head
    who approved it (in-body approval). When anything fails, no row is written and every
    file stored here is removed again.

    A new report tells where the work stands now, so it becomes the current report: its
    as-of date may not be earlier than the current report's (a ValidationError on `as_of`).
    Only a correction of an older, no longer current report may carry an older date; it
    then changes the record, not the current state. See _refresh_progress.
    """
    # The report's own fields, its constraints and what it refers to do not depend on the
    # assignment's current state: they are checked before the lock is taken, which on
    # SQLite (BEGIN IMMEDIATE) is the whole database's write lock, so that the other
    # workers' reports wait only for the checks and writes that need it (issue 10). The
    # one unique field, `corrects`, is checked under the lock below, with its own message.
    report = Report(
        assignment_id=assignment.pk,
        author=author,
        as_of=as_of,
        status=status,
        percent=percent,
        text=text,
        corrects=corrects,
        approved_by=approved_by,
    )
    # Not asked again whether the assignment and the author exist: the one is read again
    # under the lock, the other is the signed-in user.
    report.full_clean(exclude=["assignment", "author"], validate_unique=False)
    _check_kept(corrects, kept_evidence)
    stored = []
    try:
        with transaction.atomic():
            locked = _lock(assignment.pk, "current_report")
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
            if milestones:
                applying = set(Milestone.objects.applying_to(locked).values_list("pk", flat=True))
                if any(m.pk not in applying for m in milestones):
                    raise ValidationError(_("只能填报本项工作的阶段性目标。"))
            now = timezone.now()
            report.assignment = locked
            report.created_at = now
            # Kept on the report as it is filed: history is never written afterwards.
            report.withdrew_signoff = signoff_withdrawn_by(locked, status=status, corrects=corrects)
            if corrects is not None:
                report.place_at = corrects.place_at
            else:
                # Filed last, so placed last -- also when another server's clock is behind
                # the one that placed the current report (_refresh_progress relies on it).
                current = locked.current_report
                report.place_at = max(now, current.place_at) if current else now
            report.save()
            for target, value in (values or {}).items():
                if value is None:
                    continue
                row = ReportedValue(report=report, target=target, value=value, created_at=now)
                row.full_clean()
                row.save()
            # Kept files count towards the report's files; a draft's were checked when saved.
            _check_upload_quota(locked, files, now, carried=[e.size for e in kept_evidence])
            for milestone in milestones:
                ReportedMilestone(
                    report=report, milestone=milestone, assignment=locked, created_at=now
                ).save()
            for upload in files:
                stored.append(_store_evidence(report, upload, now).file.name)
            for kept in draft_files:
                Evidence(
                    report=report,
                    created_at=now,
                    file=kept.file.name,
                    from_draft=True,
                    **{fact: getattr(kept, fact) for fact in FILE_FACTS},
                ).save()
            for kept in kept_evidence:
                Evidence(
                    report=report,
                    created_at=now,
                    file=kept.file.name,
                    carried_from=kept,
                    **{fact: getattr(kept, fact) for fact in FILE_FACTS},
                ).save()
            _refresh_progress(locked, report, now, reached=bool(milestones))
    except BaseException:
        for name in stored:
            Evidence._meta.get_field("file").storage.delete(name)
        raise
    return report


def signoff_at_stake(assignment, corrects=None):
    """The completion request a report filed now would decide on, or None: the waiting
    sign-off (待牵头单位初审, 待销号审核) when the report becomes the current one — a new
    report, or a correction of the current report. A correction of an older report leaves
    the sign-off alone (_refresh_progress)."""
    if assignment.signoff not in WAITING:
        return None
    if corrects is not None and corrects.pk != assignment.current_report_id:
        return None
    return SignOff(assignment.signoff)


def signoff_withdrawn_by(assignment, *, status, corrects=None):
    """The waiting completion request a report with this status withdraws, or "": one that
    becomes current and says the work is not complete (_refresh_progress)."""
    if status == ProgressStatus.COMPLETED:
        return ""
    return signoff_at_stake(assignment, corrects) or ""


def _check_kept(corrects, kept_evidence):
    """Only a correction keeps files, and only those of the report it corrects."""
    if kept_evidence and (
        corrects is None or any(e.report_id != corrects.pk for e in kept_evidence)
    ):
        raise ValidationError(_("只能沿用被更正的那条填报的佐证材料。"))


def _check_upload_quota(locked, files, now, carried=()):
    """The limits of tracker/evidence.py, checked again where they cannot be raced: the body's
    row is locked, so two reports of one body at the same moment count each other's files.
    `carried`: the sizes of the files the report or draft carries besides (quota_problem)."""
    if not files and len(carried) <= evidence_files.MAX_FILES:
        return
    Body.objects.select_for_update().filter(pk=locked.body_id).first()
    used = Evidence.objects.uploaded_by_body_on(locked.body_id, timezone.localdate(now))
    problem = evidence_files.quota_problem([upload.size for upload in files], used, carried=carried)
    if problem:
        raise ValidationError({"files": problem})


def _checked_file(upload):
    """(name, kind, size, sha256) of an uploaded file, checked by its content again."""
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
    return name, kind, size, digest.hexdigest()


# What an evidence file and a draft's file record of their upload, beside the file itself.
FILE_FACTS = ("original_name", "kind", "content_type", "size", "sha256")


def _file_facts(upload):
    """The checked upload's FILE_FACTS (see _checked_file)."""
    name, kind, size, sha256 = _checked_file(upload)
    return {
        "original_name": name,
        "kind": kind,
        "content_type": evidence_files.KINDS[kind].content_type,
        "size": size,
        "sha256": sha256,
    }


def _store_evidence(report, upload, now):
    row = Evidence(report=report, created_at=now, **_file_facts(upload))
    row.file.save(row.original_name, upload, save=False)
    row.save()
    return row


def _earliest_as_of(locked, corrects):
    """The earliest as-of date a report may carry so that it becomes the current one: the
    as-of date of the current report — or, for a correction of the current report, of the
    report that would be current without it. None when any date will do: nothing has been
    reported, or the report corrects one that is no longer current."""
    if corrects is None:
        # The current report's date, kept beside it (_refresh_progress).
        return locked.progress_as_of if locked.current_report_id is not None else None
    current = locked.reports.current()
    if current.first() != corrects:
        return None
    return current.exclude(pk=corrects.pk).values_list("as_of", flat=True).first()


def _refresh_progress(locked, report, now, *, reached):
    """The current state follows the current report (ReportQuerySet.current): the report
    itself, its status, percent and as-of date, the number of reports filed, and — when the
    report reached milestones or corrects another — the earliest milestone still open. The
    sign-off follows only the report just filed, and only when it is the current one:
    已完成 asks for sign-off — first from the lead body, where another body leads the work
    (牵头单位初审), else from the managers; any other report
    withdraws a request (or answers a 退回). A correction of an older report leaves the
    sign-off alone."""
    if report.corrects_id is None:
        # A new report is current: its date is no earlier than the current one's
        # (_earliest_as_of) and it is placed last (place_at); one more report, under the
        # lock. Only a correction may leave another report current.
        current = report
        locked.report_count += 1
    else:
        current = locked.reports.current().first()
        locked.report_count = locked.reports.count()
    locked.current_report = current
    locked.status = current.status
    locked.percent = current.percent
    locked.progress_as_of = current.as_of
    locked.last_reported_at = now
    fields = [
        "current_report",
        "report_count",
        "status",
        "percent",
        "progress_as_of",
        "last_reported_at",
        "signoff",
    ]
    if reached or report.corrects_id is not None:
        # Reached milestones, or a correction that may take some back.
        locked.open_milestone_due = locked.first_open_milestone()
        fields.append("open_milestone_due")
    if current == report:
        if report.status != ProgressStatus.COMPLETED:
            locked.signoff = SignOff.OPEN
        elif locked.lead_body() is not None:
            locked.signoff = SignOff.LEAD_REVIEW
        else:
            locked.signoff = SignOff.REQUESTED
    locked.save(update_fields=fields)


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
        report = locked.reports.current().first()
        decision = Decision(
            assignment=locked,
            kind=Decision.Kind.SIGNED_OFF if approve else Decision.Kind.RETURNED,
            report=report,
            decided_by=manager,
            reason=reason,
            created_at=now,
        )
        decision.full_clean()
        decision.save()
        if approve:
            locked.signoff, locked.signed_off_at = SignOff.SIGNED_OFF, now
            locked.completed_late_days = completion_days_late(locked, report)
        else:
            locked.signoff = SignOff.RETURNED
        locked.save(update_fields=["signoff", "signed_off_at", "completed_late_days"])
    return decision


def completion_days_late(assignment, report):
    """逾期完成: whole days the completion report was filed after the due date that applies,
    or None when it was on time (or the work has no due date)."""
    due = assignment.effective_due
    if due is None or report is None:
        return None
    late = days_late(due, local_day(report.created_at))
    return late if late > 0 else None


# --- what came back to the body (我的任务) -----------------------------------------------------


def attach_returns(assignments):
    """Give each assignment of a body's list why something came back to it, for 我的任务 to
    show beside the item: `signoff_return`, the latest return of its completion request while
    it stands returned — the managers' Decision (退回) or the lead body's LeadReview (初审退回)
    —, and `extension_refused`, the decision on its latest extension request when that was
    a refusal the body has not acted on since (no report filed after it, no new request
    waiting). None otherwise. Two queries however many assignments; the rows need
    `extension_pending` (AssignmentQuerySet.for_my_work)."""
    for a in assignments:
        a.signoff_return = a.extension_refused = None
    if not assignments:
        return assignments
    by_pk = {a.pk: a for a in assignments}
    returned = [a.pk for a in assignments if a.signoff == SignOff.RETURNED]
    decisions = (
        Decision.objects.filter(assignment__in=list(by_pk))
        .filter(
            Q(kind__in=EXTENSION_DECISIONS)
            | Q(kind=Decision.Kind.RETURNED, assignment__in=returned)
        )
        .select_related("decided_by", "extension")
        .order_by("created_at", "pk")
    )
    # Most pages have nothing returned: no query for it (compiling one costs).
    reviews = (
        LeadReview.objects.filter(assignment__in=returned, passed=False)
        .select_related("reviewer", "body")
        .order_by("created_at", "pk")
        if returned
        else ()
    )
    latest_extension = {}
    # Oldest first: the last one seen for an assignment is its latest.
    for d in decisions:
        if d.kind == Decision.Kind.RETURNED:
            by_pk[d.assignment_id].signoff_return = d
        else:
            latest_extension[d.assignment_id] = d
    for r in reviews:
        a = by_pk[r.assignment_id]
        if a.signoff_return is None or r.created_at >= a.signoff_return.created_at:
            a.signoff_return = r
    for pk, d in latest_extension.items():
        a = by_pk[pk]
        if (
            d.kind == Decision.Kind.REJECTED
            and not getattr(a, "extension_pending", False)
            and (a.last_reported_at is None or d.created_at > a.last_reported_at)
        ):
            a.extension_refused = d
    return assignments


# --- the lead body's review (牵头单位初审) -----------------------------------------------------


def lead_review_decide(*, assignment, reviewer, body, passed, opinion):
    """The lead body passes a completion request on to the managers with its opinion, or
    returns it to the body (退回). The opinion is required either way."""
    opinion = (opinion or "").strip()
    with transaction.atomic():
        locked = _lock(assignment.pk)
        if locked.signoff != SignOff.LEAD_REVIEW:
            raise ValidationError(_("这项工作没有等待牵头单位初审的销号申请（可能已有人处理）。"))
        if not opinion:
            raise ValidationError({"opinion": _("请写明初审意见。")})
        review = LeadReview(
            assignment=locked,
            report=locked.reports.current().first(),
            body=body,
            reviewer=reviewer,
            passed=passed,
            opinion=opinion,
        )
        review.full_clean()
        review.save()
        locked.signoff = SignOff.REQUESTED if passed else SignOff.RETURNED
        locked.save(update_fields=["signoff"])
    return review


# --- the lead body's summary (汇总报送) ------------------------------------------------------


def task_summary_create(*, task, body, author, as_of, text):
    """The lead body files an account of the whole task."""
    summary = TaskSummary(task=task, body=body, author=author, as_of=as_of, text=text.strip())
    summary.full_clean()
    summary.save()
    return summary


# --- extensions ----------------------------------------------------------------------------


def extension_refusal(assignment, user=None):
    """Why the body — or `user` of it — may not ask for an extension now, or None: the work
    is signed off, or its completion request waits for review (the body said it is done: a
    report that it is not withdraws the request first), a request is already waiting (since
    when, for which date), the plan's cap is reached, or the body's reports need its head's
    approval and `user` is not the head: its extension requests are the head's to send,
    as its reports are the head's to file."""
    if assignment.signoff == SignOff.SIGNED_OFF:
        return _("该项工作已销号，不能申请延期。")
    if assignment.signoff in WAITING:
        return _(
            "该项工作已申请销号，正在%(step)s，不能同时申请延期。"
            "如果工作实际还未完成，请先如实填报进展（销号申请随之撤回），再申请延期。"
        ) % {"step": waiting_words(assignment.signoff)}
    pending = assignment.extension_requests.pending().order_by("-created_at").first()
    if pending is not None:
        return _(
            "已有一份延期申请（%(day)s 提交，申请延至 %(due)s）在等待审批，审批后才能再次申请。"
        ) % {"day": local_day(pending.created_at).isoformat(), "due": pending.new_due.isoformat()}
    cap = assignment.task.plan.extension_cap
    if cap is not None:
        granted = assignment.decisions.filter(kind=Decision.Kind.APPROVED).count()
        if granted >= cap:
            return _("本方案规定每项工作最多延期 %(cap)s 次，这项工作已延期 %(n)s 次。") % {
                "cap": cap,
                "n": granted,
            }
    if user is not None and not files_directly(user, assignment):
        return _(
            "本单位的填报须经单位负责人审核，延期申请也须由单位负责人提出："
            "请把延期理由和拟延至的日期报单位负责人。"
        )
    return None


def waiting_words(signoff):
    """Where a waiting completion request is, as a sentence says it."""
    if signoff == SignOff.LEAD_REVIEW:
        return _("等待牵头单位初审")
    return _("等待督查审核")


def extension_request_create(*, assignment, author, new_due, reason):
    """A body asks to move its due date (延期申请). One pending request at a time, none
    while the work waits for sign-off, no more approved extensions than the plan allows
    (Plan.extension_cap), and in a body whose reports need its head's approval, only from
    whoever may file them (extension_refusal)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(assignment.pk)
        refusal = extension_refusal(locked, author)
        if refusal:
            raise ValidationError(refusal)
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


def extension_decide(*, extension, manager, approve, reason="", granted_due=None):
    """A manager approves an extension request — the assignment's due date moves and the
    change is recorded with the date that applied before — or rejects it with a reason.
    The manager may grant another date than the one asked for (`granted_due`), saying why.

    Approval is checked against the assignment as it is now, not as it was when the body
    asked: signed-off work is not extended, the plan's cap on extensions holds, and the date
    must still be later than the due date that applies now (which may have moved meanwhile)
    and not in the past. A request that fails this can still be rejected."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(extension.assignment_id)
        if Decision.objects.filter(extension=extension).exists():
            raise ValidationError(_("这份延期申请已经审批过了。"))
        if not approve and not reason:
            raise ValidationError({"reason": _("不同意延期时请写明理由。")})
        granted = (granted_due or extension.new_due) if approve else None
        if approve:
            if granted != extension.new_due and not reason:
                raise ValidationError({"reason": _("同意延至申请以外的日期时，请写明理由。")})
            if locked.signoff == SignOff.SIGNED_OFF:
                problem = _("该项工作已经销号。")
            else:
                problem = _cap_problem(locked)
                date_problem = new_due_problem(locked.effective_due, granted)
                if not problem and date_problem and granted != extension.new_due:
                    # The manager's own date is wrong, not the request: say so at that date,
                    # rather than advise refusing a request that may be granted as asked.
                    raise ValidationError({"granted_due": date_problem})
                problem = problem or date_problem
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
            granted_due=granted,
        )
        decision.full_clean()
        decision.save()
        if approve:
            old = copy.copy(locked)
            locked.due_date = granted
            locked.save(update_fields=["due_date"])
            record_changes(
                user=manager,
                old=old,
                new=locked,
                via=ChangeRecord.Via.EXTENSION,
                reason=_approval_reason(extension, granted, reason),
                fields=["due_date"],
            )
    return decision


@in_records_language
def _approval_reason(extension, granted, note):
    """Why the date moved, as the change record keeps it and every page shows it beside the
    date (due_provenance): the body's reason, the manager's note and, when another date was
    granted, both dates."""
    why = _("同意延期申请：%(reason)s") % {"reason": extension.reason}
    if granted != extension.new_due:
        why = _("同意延期申请（申请延至%(asked)s，同意延至%(granted)s）：%(reason)s") % {
            "asked": office_date(extension.new_due),
            "granted": office_date(granted),
            "reason": extension.reason,
        }
    if note:
        why += _("（审批意见：%(note)s）") % {"note": note}
    return why


def _cap_problem(locked):
    cap = locked.task.plan.extension_cap
    if cap is None:
        return None
    granted = locked.decisions.filter(kind=Decision.Kind.APPROVED).count()
    if granted >= cap:
        return _("本方案规定每项工作最多延期 %(cap)s 次，已延期 %(n)s 次。") % {
            "cap": cap,
            "n": granted,
        }
    return None


# --- in-body approval: drafts (经办人 → 单位负责人) ---------------------------------------------


def draft_save(
    *,
    assignment,
    author,
    status,
    percent,
    text,
    as_of,
    values=None,
    milestones=(),
    files=(),
    corrects=None,
    draft=None,
    submit=False,
    kept_evidence=(),
    remove_files=(),
):
    """A clerk saves a report as a draft (a new one, or `draft` again while it is not with
    the head), and with `submit` hands it to the head for approval. The draft's files are
    stored now; they become the report's evidence when the head approves, with the files
    of the corrected report the draft keeps (`kept_evidence`, as report_create).
    `remove_files`: files saved in the draft before that it no longer carries."""
    _check_kept(draft.corrects if draft is not None else corrects, kept_evidence)
    stored = []
    try:
        with transaction.atomic():
            locked = _lock(assignment.pk)
            if locked.signoff == SignOff.SIGNED_OFF:
                raise ValidationError(_("该项工作已销号，不需要再填报。"))
            if draft is None:
                draft = ReportDraft(assignment=locked, author=author, corrects=corrects)
            else:
                draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
                if draft.state in (ReportDraft.State.SUBMITTED, ReportDraft.State.FILED):
                    raise ValidationError(_("这份草稿已提交审核或已报送，不能再修改。"))
                if draft.state == ReportDraft.State.DISCARDED:
                    raise ValidationError(_("这份草稿已作废，不能再修改。"))
            draft.status, draft.percent, draft.text, draft.as_of = status, percent, text, as_of
            draft.values = {str(t.pk): str(v) for t, v in (values or {}).items() if v is not None}
            draft.milestones = [m.pk for m in milestones]
            draft.kept_evidence = [e.pk for e in kept_evidence]
            draft.updated_at = timezone.now()
            draft.state = ReportDraft.State.DRAFT if draft.state != "returned" else draft.state
            draft.full_clean()
            draft.save()
            _remove_draft_files(draft, remove_files)
            # Drafts' files take room on the server too: the same limits, checked the same way,
            # with the files saved in the draft before and those it keeps.
            saved = [f.size for f in draft.files.all()]
            _check_upload_quota(
                locked, files, timezone.now(), carried=saved + [e.size for e in kept_evidence]
            )
            for upload in files:
                row = DraftFile(draft=draft, **_file_facts(upload))
                # Named before the row is saved: a failed save still removes the file.
                row.file.save(row.original_name, upload, save=False)
                stored.append(str(row.file.name))
                row.save()
            if submit:
                draft_submit(draft=draft, user=author)
    except BaseException:
        for name in stored:
            DraftFile._meta.get_field("file").storage.delete(name)
        raise
    return draft


def _remove_draft_files(draft, files):
    """Delete these files of the draft; their stored files go once the transaction commits
    (a rolled-back save keeps them)."""
    files = [f for f in files if f.draft_id == draft.pk]
    if not files:
        return
    storage = DraftFile._meta.get_field("file").storage
    names = [f.file.name for f in files]
    DraftFile.objects.filter(pk__in=[f.pk for f in files]).delete()

    def delete_stored():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_stored)


def draft_withdraw(*, draft, user):
    """撤回修改: the clerk takes back a draft handed to the head, to change it."""
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.author_id != user.pk:
            raise ValidationError(_("只有经办人本人可以撤回这份草稿。"))
        if locked.state != ReportDraft.State.SUBMITTED:
            raise ValidationError(_("这份草稿不在待审核状态（可能已有人处理），不能撤回。"))
        locked.state = ReportDraft.State.DRAFT
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        DraftStep(draft=locked, kind=DraftStep.Kind.WITHDRAWN, user=user).save()
    return locked


def draft_discard(*, draft, user):
    """作废: a draft nobody will file is set aside, its files deleted; its steps stay, and it
    leaves the lists of drafts. Not while it is with the head (it is withdrawn first)."""
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
        if not locked.editable:
            raise ValidationError(_("只有未提交或已退回的草稿可以作废。"))
        _remove_draft_files(locked, list(locked.files.all()))
        locked.state = ReportDraft.State.DISCARDED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        DraftStep(draft=locked, kind=DraftStep.Kind.DISCARDED, user=user).save()
    return locked


def draft_submit(*, draft, user):
    """提交审核: the draft goes to the body's head."""
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
        if not locked.editable:
            raise ValidationError(_("这份草稿已提交审核或已报送。"))
        locked.state = ReportDraft.State.SUBMITTED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        DraftStep(draft=locked, kind=DraftStep.Kind.SUBMITTED, user=user).save()
    draft.state = locked.state
    return locked


def draft_return(*, draft, head, reason):
    """The head sends a submitted draft back to the clerk with a reason (退回修改)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = ReportDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.state != ReportDraft.State.SUBMITTED:
            raise ValidationError(_("这份草稿不在待审核状态（可能已有人处理）。"))
        if not reason:
            raise ValidationError({"reason": _("退回时请写明理由。")})
        locked.state = ReportDraft.State.RETURNED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "updated_at"])
        step = DraftStep(draft=locked, kind=DraftStep.Kind.RETURNED, user=head, note=reason)
        step.full_clean()
        step.save()
    return locked


def draft_approve(*, draft, head, note=""):
    """The head approves a submitted draft: it is filed as a report in the clerk's name,
    approved by the head (Report.approved_by), with the draft's files as its evidence.
    What report_create refuses (a date earlier than the current report's, signed-off work)
    is refused here, and the head can return the draft instead."""
    from decimal import Decimal

    from tracker.models import Target

    with transaction.atomic():
        locked = (
            ReportDraft.objects.select_for_update(of=("self",))
            .select_related("corrects")
            .get(pk=draft.pk)
        )
        if locked.state != ReportDraft.State.SUBMITTED:
            raise ValidationError(_("这份草稿不在待审核状态（可能已有人处理）。"))
        targets = Target.objects.in_bulk([int(pk) for pk in locked.values])
        report = report_create(
            assignment=locked.assignment,
            author=locked.author,
            status=locked.status,
            percent=locked.percent,
            text=locked.text,
            as_of=locked.as_of,
            values={targets[int(pk)]: Decimal(v) for pk, v in locked.values.items()},
            milestones=list(Milestone.objects.filter(pk__in=locked.milestones)),
            corrects=locked.corrects,
            approved_by=head,
            draft_files=list(locked.files.all()),
            kept_evidence=list(locked.kept_files()),
        )
        locked.state, locked.report = ReportDraft.State.FILED, report
        locked.updated_at = timezone.now()
        locked.save(update_fields=["state", "report", "updated_at"])
        DraftStep(
            draft=locked, kind=DraftStep.Kind.APPROVED, user=head, note=(note or "").strip()
        ).save()
    return report
