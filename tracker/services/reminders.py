"""催办: chasing the body that owns an assignment.

- A manager chases one assignment with a message (`remind`), at a level the manager decides
  (提醒, 催办, 督办函 with its 文号 and reply day, 约谈, 通报; `suggested_level` proposes one from
  the days overdue and the earlier chases). The lead body's staff may chase the other bodies
  on their task too (提醒 or 催办). It is recorded in the assignment's history whatever
  happens to the mail, and e-mailed to the members of the body who have an e-mail address.
  Nobody with an address: recorded, no mail, and the caller is told so
  (`Reminder.recipients` is empty). The body acknowledges it (签收, `acknowledge`); a
  督办函 not acknowledged by its reply day is flagged on the dashboard (`letters_overdue`).
- `manage.py send_reminders` chases, once a day, whatever is due soon or overdue
  (`send_scheduled`): one mail per body listing its items. An assignment is chased at most
  once a day (a manual reminder that day counts too).

How the sweep keeps that promise without holding a transaction while it talks to the mail
server (on SQLite a write transaction blocks every other writer): for each body it

1. records the body's reminders in a short transaction of its own and commits. The database
   refuses a second scheduled reminder of an assignment on one day
   (reminder_scheduled_once_a_day), so of two sweeps running at once only one gets this far
   for a body; the other skips it. The rows name the addresses the mail is going to;
2. then sends the one mail, outside any transaction;
3. if sending fails, marks those rows as failed (ReminderQuerySet.record_mail_failure). A
   failed reminder stays in the history but no longer counts as the day's chase, so the next
   run chases the body again.

So a mail goes out at most once per assignment and day, and never without its record. Should
the process die between 1 and 2, the record says a mail went out that never did; that is the
price of never sending twice.

Never an empty mail: a mail goes out only with at least one item and one address.
Work waiting for the lead body's review or a sign-off decision is not chased: the body has
done its part.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import states
from tracker.models import (
    TASK_BEFORE_MEASURES,
    Assignment,
    Decision,
    ExtensionRequest,
    Membership,
    Reminder,
    ReminderReceipt,
)
from tracker.services.documents import office_date

Level = Reminder.Level
LADDER = list(Reminder.Level)
# The strongest level the days overdue justify: from 30 days a 督办函, 60 约谈, 90 通报.
LEVEL_BY_DAYS = [(90, Level.BULLETIN), (60, Level.INTERVIEW), (30, Level.LETTER), (1, Level.CHASE)]

log = logging.getLogger(__name__)


def recipients_of(body):
    """The e-mail addresses of a body's active members, each once, sorted."""
    emails = (
        Membership.objects.filter(body=body, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted({e.strip() for e in emails if e.strip()})


def _link(path, site_url):
    return f"{site_url.rstrip('/')}{path}" if site_url else path


def _send(subject, body, to):
    """Send one mail; True when sent, False when sending failed. Never called without
    recipients."""
    assert to, "never an empty mail"
    try:
        EmailMessage(subject, body, to=to).send()
    except OSError:  # smtplib.SMTPException is an OSError, as are connection failures
        log.exception("reminder mail to %s failed", ", ".join(to))
        return False
    return True


@dataclass(frozen=True)
class Item:
    """One assignment as a reminder mail lists it."""

    assignment: Assignment
    due: object
    days_overdue: int | None
    link: str
    next_due: object = None


def _item(assignment, site_url, today=None):
    """`assignment` comes with its states (AssignmentQuerySet.with_state)."""
    today = today or timezone.localdate()
    return Item(
        assignment,
        assignment.due,
        assignment.days_overdue,
        _link(assignment.get_absolute_url(), site_url),
        states.State.of_row(assignment, today).next_report_due,
    )


# The days a chase gives the body to report when it names no reply day of its own.
REPLY_DAYS = 3


def reminder_message(a, today, *, reply_by=None, pending_due=None):
    """What a reminder about `a` (fetched with its states for `today`) says: the manager's
    form starts from it and the scheduled sweep sends it. It goes from the office to a body,
    recorded and e-mailed, so its dates are written as offices write them (2026年11月30日).

    `reply_by`, a 督办函's reply day: the body reports by then (else within REPLY_DAYS
    days). `pending_due`, the date a pending extension request asks for: the body has
    asked already, so it is not told to ask, but that the request is being decided."""
    if reply_by is not None:
        by = _("于 %(day)s 前") % {"day": office_date(reply_by)}
    else:
        by = ngettext("于 %(n)s 日内", "于 %(n)s 日内", REPLY_DAYS) % {"n": REPLY_DAYS}
    if a.is_overdue:
        if pending_due is not None:
            return ngettext(
                "完成时限 %(due)s 已过 %(n)s 天。你单位申请延期至 %(asked)s，正在审批；"
                "审批前请继续抓紧推进，%(by)s填报进展。",
                "完成时限 %(due)s 已过 %(n)s 天。你单位申请延期至 %(asked)s，正在审批；"
                "审批前请继续抓紧推进，%(by)s填报进展。",
                a.days_overdue,
            ) % {
                "due": office_date(a.due),
                "n": a.days_overdue,
                "asked": office_date(pending_due),
                "by": by,
            }
        return ngettext(
            "完成时限 %(due)s 已过 %(n)s 天，请抓紧推进，%(by)s填报进展，或按程序申请延期。",
            "完成时限 %(due)s 已过 %(n)s 天，请抓紧推进，%(by)s填报进展，或按程序申请延期。",
            a.days_overdue,
        ) % {"due": office_date(a.due), "n": a.days_overdue, "by": by}
    if a.is_due_soon:
        days = (a.due - today).days
        return ngettext(
            "完成时限 %(due)s 临近（还有 %(n)s 天），请抓紧推进并及时填报进展。",
            "完成时限 %(due)s 临近（还有 %(n)s 天），请抓紧推进并及时填报进展。",
            days,
        ) % {"due": office_date(a.due), "n": days}
    state = states.State.of_row(a, today)
    if a.is_silent:
        return _("该项工作本期尚未填报进展（应于 %(day)s 前填报），请%(by)s填报。") % {
            "day": office_date(state.next_report_due),
            "by": by,
        }
    if state.next_report_due is None:  # no tracking start yet: no day to name
        return _("请抓紧推进该项工作，并及时填报进展。")
    return _("请抓紧推进该项工作，并于 %(day)s 前填报进展。") % {
        "day": office_date(state.next_report_due)
    }


def pending_extension_due(assignment):
    """The date the assignment's pending extension request asks for, or None."""
    return (
        assignment.extension_requests.pending()
        .order_by("-created_at", "-pk")
        .values_list("new_due", flat=True)
        .first()
    )


def suggested_level(a, today):
    """The level a manager's 催办 of `a` (fetched with its states for `today`) is proposed at,
    and why: 提醒 for work not overdue; for overdue work one level above the strongest earlier
    chase by a person since the due date last moved (催办 when there was none), but no
    stronger than the days overdue justify (LEVEL_BY_DAYS). The manager decides."""
    if not a.is_overdue:
        return Level.NOTICE, _("尚未逾期，建议提醒。")
    days = a.days_overdue
    allowed = next(level for limit, level in LEVEL_BY_DAYS if days >= limit)
    extended = (
        Decision.objects.filter(assignment=a, kind=Decision.Kind.APPROVED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    earlier = Reminder.objects.filter(assignment=a, kind__in=[Reminder.Kind.MANUAL])
    if extended is not None:
        earlier = earlier.filter(created_at__gt=extended)
    levels = list(earlier.values_list("level", flat=True))
    strongest = max((LADDER.index(Level(v)) for v in levels), default=None)
    above = LADDER.index(Level.CHASE) if strongest is None else min(strongest + 1, len(LADDER) - 1)
    level = LADDER[min(above, LADDER.index(allowed), len(LADDER) - 1)]
    level = max(level, Level.CHASE, key=LADDER.index)
    why = ngettext(
        "已逾期 %(days)s 天，此前已催办 %(n)s 次。",
        "已逾期 %(days)s 天，此前已催办 %(n)s 次。",
        len(levels),
    ) % {"days": days, "n": len(levels)}
    return level, why


def acknowledge(*, reminder, user):
    """签收: a member of the body acknowledges a reminder, once."""
    with transaction.atomic():
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if ReminderReceipt.objects.filter(reminder=locked).exists():
            raise ValidationError(_("这条催办已经签收过了。"))
        receipt = ReminderReceipt(reminder=locked, acknowledged_by=user)
        receipt.save()
    return receipt


def letters_overdue(today, assignments=None):
    """督办函 that nobody has acknowledged by their reply day, on active work not yet done:
    the dashboard flags them. `assignments` limits them (a queryset)."""
    rows = (
        Reminder.objects.filter(level=Level.LETTER, reply_by__lt=today, receipt__isnull=True)
        .exclude(assignment__signoff=states.SignOff.SIGNED_OFF)
        .exclude(states.withdrawn_q_via("assignment__"))
        .select_related(
            "assignment__task__plan", "assignment__measure", "assignment__body", "sent_by"
        )
        .order_by("reply_by", "pk")
    )
    if assignments is not None:
        rows = rows.filter(assignment__in=assignments)
    return rows


def _mail_text(*, body, items, message, sender, today, reminder=None):
    context = {
        "body": body,
        "items": items,
        "message": message,
        "sender": sender,
        "today": today,
        "reminder": reminder,
        "site_url": getattr(settings, "TRACKER_SITE_URL", ""),
    }
    subject = render_to_string("tracker/email/reminder_subject.txt", context)
    text = render_to_string("tracker/email/reminder.txt", context)
    return " ".join(subject.split()), text


# --- a manager's reminder -------------------------------------------------------------------


def remind(
    *,
    assignment,
    sender,
    message,
    site_url="",
    level=Level.CHASE,
    doc_number="",
    reply_by=None,
    by_lead=False,
):
    """A person's 催办 of one assignment: a manager's, or (`by_lead`) the lead body's. Returns
    the Reminder: its `recipients` are who got the mail (none when nobody has an address),
    `mail_failed` whether sending failed."""
    message = (message or "").strip()
    today = timezone.localdate()
    assignment = Assignment.objects.for_list().with_state(today).get(pk=assignment.pk)
    if assignment.signoff == states.SignOff.SIGNED_OFF:
        raise ValidationError(_("该项工作已销号，不需要催办。"))
    if assignment.is_withdrawn:
        raise ValidationError(_("该项工作已不再跟踪（已撤销，或方案已归档），不需要催办。"))
    reminder = Reminder(
        assignment=assignment,
        kind=Reminder.Kind.LEAD if by_lead else Reminder.Kind.MANUAL,
        level=level,
        doc_number=(doc_number or "").strip() if level == Level.LETTER else "",
        reply_by=reply_by if level == Level.LETTER else None,
        sent_by=sender,
        message=message,
        day=today,
    )
    try:
        reminder.full_clean()
    except ValidationError as error:
        if level == Level.LETTER and not (reminder.doc_number and reminder.reply_by):
            raise ValidationError(_("督办函须写明文号和回复期限。")) from error
        raise
    to = recipients_of(assignment.body)
    if to:
        subject, text = _mail_text(
            body=assignment.body,
            items=[_item(assignment, site_url)],
            message=message,
            sender=sender,
            today=today,
            reminder=reminder,
        )
        sent = _send(subject, text, to)
        reminder.emailed_to = "\n".join(to) if sent else ""
        reminder.mail_failed = not sent
    reminder.save()
    return reminder


# --- the scheduled sweep --------------------------------------------------------------------


def scheduled_candidates(today):
    """Active assignments due soon or overdue, not done, not waiting for a sign-off decision
    and not chased yet today (a reminder whose mail failed does not count), grouped by body:
    {body: [assignment, …]}."""
    chased_today = Reminder.objects.filter(assignment=OuterRef("pk"), day=today, mail_failed=False)
    # What a pending extension request asks for: the message then tells of it (reminder_message).
    pending = ExtensionRequest.objects.pending().filter(assignment=OuterRef("pk"))
    assignments = (
        Assignment.objects.active()
        .for_list()
        .with_state(today)
        .annotate(
            extension_pending_due=Subquery(
                pending.order_by("-created_at", "-pk").values("new_due")[:1]
            )
        )
        .filter(Q(is_overdue=True) | Q(is_due_soon=True))
        .exclude(signoff__in=states.WAITING)
        .exclude(Exists(chased_today))
        .order_by("body__name", "due", "task__number", TASK_BEFORE_MEASURES, "pk")
    )
    groups = defaultdict(list)
    for a in assignments:
        groups[a.body].append(a)
    return dict(groups)


@dataclass
class BodyResult:
    body: object
    items: list
    recipients: list
    outcome: str  # sent | no_address | mail_failed | already | dry_run


def send_scheduled(*, today=None, site_url="", dry_run=False):
    """One reminder per candidate assignment and one mail per body listing its items.
    Returns a BodyResult per body. A body whose mail fails has its reminders marked as failed,
    so the next run tries it again (see the module docstring). Not to be called inside a
    transaction: each body's reminders are committed before its mail is sent."""
    today = today or timezone.localdate()
    results = []
    for body, items in scheduled_candidates(today).items():
        to = recipients_of(body)
        if dry_run:
            results.append(BodyResult(body, items, to, "dry_run"))
            continue
        results.append(_send_to_body(body, items, to, today, site_url))
    return results


def _send_to_body(body, items, to, today, site_url):
    rows = [
        Reminder(
            assignment=a,
            kind=Reminder.Kind.OVERDUE if a.is_overdue else Reminder.Kind.DUE_SOON,
            level=Level.CHASE if a.is_overdue else Level.NOTICE,
            message=reminder_message(
                a, today, pending_due=getattr(a, "extension_pending_due", None)
            ),
            day=today,
            emailed_to="\n".join(to),
        )
        for a in items
    ]
    for row in rows:
        row.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            # A concurrent sweep that recorded this body's reminders first makes this fail on
            # reminder_scheduled_once_a_day, before anything is sent twice.
            Reminder.objects.bulk_create(rows)
    except IntegrityError:
        return BodyResult(body, items, to, "already")
    if not to:
        return BodyResult(body, items, to, "no_address")
    subject, text = _mail_text(
        body=body,
        items=[_item(a, site_url) for a in items],
        message="",
        sender=None,
        today=today,
    )
    if not _send(subject, text, to):
        Reminder.objects.filter(pk__in=[row.pk for row in rows]).record_mail_failure()
        return BodyResult(body, items, to, "mail_failed")
    return BodyResult(body, items, to, "sent")
