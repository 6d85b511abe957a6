"""Issuing a bulletin (印发通报): a manager composes a 通报 for a plan (or all plans) as of a
day, writes its opening and its 下一步要求, and issues it. Issued, it carries the next 文号
of the year, keeps its figures as they were (supervision.bulletin_figures, as JSON) and
its Word document (documents.gongwen_docx, stored through Django's storage API), and never
changes.

The 文号 prefix and the issuing office come from settings (TRACKER_BULLETIN_PREFIX,
TRACKER_BULLETIN_ISSUER; Liaocheng's by default); each issued bulletin keeps its own, so a
later change of the settings changes no bulletin already issued.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracker.access import visible_assignments
from tracker.models import Bulletin
from tracker.services import documents, supervision

# Two managers issuing at the same moment may both take the same next number; the database
# refuses the second (bulletin_unique_number), which then takes the number after it.
ATTEMPTS = 5
DOCUMENT_LANGUAGE = "zh-hans"  # an official document is written in Chinese, whoever makes it


def issuer():
    return settings.TRACKER_BULLETIN_ISSUER


def doc_number(year, number):
    """聊督通〔2026〕3号."""
    return f"{settings.TRACKER_BULLETIN_PREFIX}〔{year}〕{number}号"


def draft_doc_number(year):
    """The 文号 of a draft: the number is left blank until the bulletin is issued."""
    return f"{settings.TRACKER_BULLETIN_PREFIX}〔{year}〕　号"


def figures(*, user, plan, day):
    """The figures of a bulletin of `plan` (None: all plans) as of `day`, over what `user`
    may see (managers: everything)."""
    rows = visible_assignments(user).active().with_state(day)
    if plan is not None:
        rows = rows.filter(task__plan=plan)
    return supervision.bulletin_figures(supervision.bulletin_rows(rows), day, plan)


def default_texts(plan, day):
    """The title, recipients, opening and 下一步要求 a manager starts from (in Chinese, the
    document's language)."""
    title = plan.title if plan is not None else ""
    with translation.override(DOCUMENT_LANGUAGE):
        return {
            "title": supervision.bulletin_title(title),
            "recipients": settings.TRACKER_BULLETIN_RECIPIENTS,
            "opening": supervision.bulletin_opening(title, day),
            "requirements": supervision.bulletin_requirements(),
        }


def document(*, figures, title, recipients, opening, requirements, number, day, office, draft):
    """The .docx of a bulletin, in Chinese."""
    with translation.override(DOCUMENT_LANGUAGE):
        blocks = supervision.bulletin_outline(figures, opening=opening, requirements=requirements)
        return documents.gongwen_docx(
            issuer=office,
            doc_number=number,
            title=title,
            recipients=recipients,
            blocks=blocks,
            signature=office,
            day=day,
            draft_note=_("草稿（未印发，文号印发时编入）") if draft else "",
        )


def draft_document(*, user, plan, day, title, recipients, opening, requirements):
    """The Word document of a bulletin not yet issued: no number, marked as a draft."""
    today = timezone.localdate()
    return document(
        figures=figures(user=user, plan=plan, day=day),
        title=title,
        recipients=recipients,
        opening=opening,
        requirements=requirements,
        number=draft_doc_number(today.year),
        day=today,
        office=issuer(),
        draft=True,
    )


def next_number(year):
    """The number after the year's last (1 for the year's first bulletin)."""
    latest = Bulletin.objects.filter(year=year).aggregate(n=Max("number"))["n"]
    return (latest or 0) + 1


def issue(*, user, plan, day, title, recipients, opening, requirements):
    """印发: the bulletin of `plan` (None: all plans) as of `day`, with the manager's texts,
    numbered with the next 文号 of this year, its figures frozen and its .docx stored; the
    bodies it names may read it from then on. In one transaction: a failure leaves no
    bulletin, no number used and no file behind."""
    if day > timezone.localdate():
        raise ValidationError(_("截至日期不能晚于今天：通报的是已经发生的情况。"))
    issued_on = timezone.localdate()
    year = issued_on.year
    office = issuer()
    name = user.get_full_name() or user.get_username()
    for _attempt in range(ATTEMPTS):
        stored, number = None, 0
        try:
            with transaction.atomic():
                number = next_number(year)
                data = figures(user=user, plan=plan, day=day)
                bulletin = Bulletin(
                    year=year,
                    number=number,
                    doc_number=doc_number(year, number),
                    issuer=office,
                    plan=plan,
                    as_of=day,
                    issued_on=issued_on,
                    title=title,
                    recipients=recipients,
                    opening=opening,
                    requirements=requirements,
                    figures=data,
                    issued_by=user,
                    issued_by_name=name,
                )
                content = document(
                    figures=data,
                    title=title,
                    recipients=recipients,
                    opening=opening,
                    requirements=requirements,
                    number=bulletin.doc_number,
                    day=issued_on,
                    office=office,
                    draft=False,
                )
                bulletin.sha256 = hashlib.sha256(content).hexdigest()
                bulletin.document.save(
                    f"{bulletin.doc_number}.docx", ContentFile(content), save=False
                )
                stored = bulletin.document.name
                # The number's uniqueness is the database's to decide (see ATTEMPTS).
                bulletin.full_clean(validate_constraints=False)
                bulletin.save()
                bulletin.named_bodies.set(data["bodies"])
            return bulletin
        except BaseException as error:
            if stored:
                Bulletin._meta.get_field("document").storage.delete(stored)
            clash = (
                isinstance(error, IntegrityError)
                and number > 0
                and Bulletin.objects.filter(year=year, number=number).exists()
            )
            if not clash:
                raise
    raise ValidationError(_("同时印发的通报较多，未能编入文号，请稍后再试。"))
