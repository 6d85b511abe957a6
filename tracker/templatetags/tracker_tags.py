"""The small fragments every list repeats on every row — an assignment's light, its flags, its
due date and where it comes from, its title, a row of the overdue list, a report on a
timeline — written once, in Python.

They were template includes (tracker/_light.html, …; those files now call these tags, so
every page shows the same markup). A page of fifty rows rendered them some four hundred times
through the template engine: a context pushed, a node tree walked and a translation looked
up for each word, most of the list's time at province scale (issue 10, docs/bench.md). As
functions they cost a few microseconds a row. tests/test_fragments.py pins their markup.
"""

import datetime
import re

from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from tracker.models import AssignmentRole, ProgressStatus
from tracker.text import escape, escaped, safe_format, safe_join

register = template.Library()


PERSON_SOURCES = ("review", "admin", "person")


def _day(value):
    # A date's isoformat() is Django's "Y-m-d", without the formatter's cost per call.
    if type(value) is datetime.date:
        return value.isoformat()
    return date_format(value, "Y-m-d")


@register.simple_tag
def provenance(source, phrase="", ref="", reason="", label=""):
    """Where a value came from (see tracker/_provenance.html): the plan's text — its words
    and their place — or a person's decision, 管理员确定 unless `label` says otherwise, with
    the reason on a tap (details) and on hover (title)."""
    if source in PERSON_SOURCES:
        title = safe_format(' title="{}{}"', gettext("依据："), reason) if reason else ""
        words = ""
        if phrase:
            words = safe_format(
                ' <span class="phrase">{}“{}”{}</span>', gettext("原文："), phrase, _ref(ref)
            )
        return safe_format(
            '<details class="prov prov-person"><summary{}>{}</summary>'
            '<span class="prov-reason">{}</span>{}</details>',
            title,
            label or gettext("管理员确定"),
            _in_brackets(escaped(gettext("依据：")) + escaped(reason or gettext("未写明"))),
            words,
        )
    if source:
        words = safe_format("“{}”", phrase) if phrase else ""
        return safe_format(
            '<span class="prov prov-text">{}{}{}</span>', gettext("原文"), words, _ref(ref)
        )
    return ""


def _ref(ref):
    return _in_brackets(escaped(place_in_words(ref))) if ref else ""


def _in_brackets(html):
    # Full-width brackets in Chinese, ASCII ones with a space before in English.
    return mark_safe(gettext("（%(words)s）") % {"words": html})


# A place in the source file as the parser writes it (plan/formats.py, plan/parser.py): 第12行,
# 第12–14行, 第3段, 第3页, 表1第5行, 第3页表1第2行, 工作表“任务”第4行.
PLACE_PART = re.compile(r"第(\d+)页|表(\d+)|工作表“([^”]*)”|第(\d+)(?:–(\d+))?行|第(\d+)段")


@register.filter(name="place")
def place_in_words(ref):
    """A place in the source file in the page's language: as stored in Chinese; in another
    language part by part (page 3, table 1, row 2), or as stored when it has other words."""
    if translation.get_language().startswith("zh"):
        return ref
    parts, end, in_table = [], 0, False
    for m in PLACE_PART.finditer(ref):
        if m.start() != end:
            return ref
        end = m.end()
        page, table, sheet, line, last, paragraph = m.groups()
        if page:
            parts.append(gettext("第%(n)s页") % {"n": page})
        elif table:
            parts.append(gettext("表%(n)s") % {"n": table})
            in_table = True
        elif sheet is not None:
            parts.append(gettext("工作表“%(name)s”") % {"name": sheet})
            in_table = True
        elif last:
            parts.append(gettext("第%(a)s–%(b)s行") % {"a": line, "b": last})
        elif line:
            words = pgettext("表格中", "第%(n)s行") if in_table else gettext("第%(n)s行")
            parts.append(words % {"n": line})
        else:
            parts.append(gettext("第%(n)s段") % {"n": paragraph})
    if end != len(ref) or not parts:
        return ref
    return gettext("，").join(parts)


@register.simple_tag
def folded_message(message):
    """A message of several lines (views/importing.py, FOLDED): its first line, which opens
    to the others."""
    head, *lines = str(message).split("\n")
    return safe_format(
        '<details class="folded"><summary>{}</summary><ul>{}</ul></details>',
        head,
        safe_join("", "<li>{}</li>", ([line] for line in lines)),
    )


@register.simple_tag
def light(value):
    """The light as a coloured label (red carries its meaning in a title)."""
    if value == "red":
        return safe_format(
            '<span class="light red" title="{}">{}</span>', gettext("逾期"), gettext("红灯")
        )
    words = {"yellow": "黄灯", "green": "绿灯", "done": "已销号"}
    if value in words:
        return safe_format('<span class="light {}">{}</span>', value, gettext(words[value]))
    return ""


@register.simple_tag
def flags(a):
    """The badges of an assignment fetched with its states (with_state, with_states); an
    object without them shows none, as the template did."""

    def on(name):
        return getattr(a, name, None)

    parts = []
    if on("is_overdue"):
        parts.append(safe_format('<span class="badge red">{}</span>', gettext("逾期")))
    if on("missed_milestone") and on("is_overdue"):
        parts.append(
            safe_format(
                ' <span class="badge red" title="{}">{}</span>',
                _day(a.missed_milestone),
                gettext("阶段性目标逾期"),
            )
        )
    for flag, word in (
        ("is_due_soon", "临期"),
        ("is_behind_pace", "滞后于序时进度"),
        ("is_silent", "未按时填报"),
    ):
        if on(flag):
            parts.append(safe_format(' <span class="badge yellow">{}</span>', gettext(word)))
    if on("is_waiting"):
        parts.append(safe_format(' <span class="badge grey">{}</span>', a.get_signoff_display()))
    if on("is_done_late"):
        n = a.completed_late_days
        parts.append(
            safe_format(
                ' <span class="badge yellow">{}</span>',
                ngettext("逾期 %(n)s 天完成", "逾期 %(n)s 天完成", n) % {"n": n},
            )
        )
    return mark_safe("".join(parts))


@register.simple_tag
def due(a, value):
    """A due date, 长期坚持 for ongoing work, or 无明确时限."""
    if value:
        return _day(value)
    if a.is_ongoing:
        return gettext("长期坚持")
    return safe_format('<span class="none">{}</span>', gettext("无明确时限"))


@register.simple_tag
def due_provenance(a):
    """Where an assignment's due date comes from (Assignment.deadline_from): its measure's or
    task's deadline — the text's or an administrator's — or a date of its own: the text's,
    or moved by an approved extension or an administrator (the reason from the change
    record: `due_reason`, `due_via`, AssignmentQuerySet.with_due_reason)."""
    item = a.deadline_from
    if item:
        if item.deadline_source or item.deadline_text:
            return provenance(
                item.deadline_source or "text",
                phrase=item.deadline_text,
                ref=item.deadline_ref,
                reason=item.deadline_reason,
            )
        return ""
    if not a.own_due_by_person:
        return provenance("text", phrase=a.due_text, ref=a.origin_place)
    # Without the annotations of with_due_reason the reason is not known, as the template
    # read it. What the text said stays beside the person's date.
    reason = getattr(a, "due_reason", None)
    phrase, ref = a.text_due_words
    label = gettext("延期获批") if getattr(a, "due_via", None) == "extension" else ""
    return provenance("person", label=label, reason=reason, phrase=phrase, ref=ref)


@register.simple_tag
def body_provenance(a):
    """An assignment's body: where the text names it, or the administrator's decision."""
    return provenance(a.origin, ref=a.origin_place, reason=a.origin_reason)


@register.simple_tag
def work_title(a):
    """The plan, the task and (for work on a measure) the measure of an assignment, the task
    linking to the assignment's page."""
    task = a.task
    html = safe_format(
        '<div class="small muted">{}</div><a href="{}">{}</a>',
        task.plan.title,
        reverse("assignment_detail", args=[a.pk]),
        _words(gettext("任务%(n)s：%(t)s"), n=task.number, t=task.title),
    )
    measure = a.measure
    if measure:
        html += safe_format(
            '<div class="small">{}{}</div>',
            _words(gettext("措施 %(n)s.%(m)s："), n=task.number, m=measure.number),
            Truncator(measure.text).chars(80),
        )
    return html


def _words(translated, **values):
    """A translated sentence with its values escaped, as {% blocktranslate %} renders it."""
    return mark_safe(translated % {k: escaped(v) for k, v in values.items()})


def _person(user):
    return user.get_full_name() or user.username


# The words of a report on a timeline, translated once per page (timeline_report), not once
# per report: a page of 48 reports looked each up 48 times.
REPORT_WORDS = (
    gettext_noop("进展填报 #%(n)s"),
    gettext_noop("情况截至 %(d)s"),
    gettext_noop("经单位负责人 %(h)s 审核报送"),
    gettext_noop("更正了 #%(n)s"),
    gettext_noop("已被 #%(n)s 更正（原内容保留）"),
    gettext_noop("完成阶段性目标（%(d)s）：%(t)s"),
    gettext_noop("更正这条填报"),
)


def _page_words(context, msgids, **choices):
    """`msgids` translated, and the labels of `choices` (name → TextChoices) under
    (name, value), once per page render (the template's render context), not once a row."""
    key = ("page_words", msgids)
    words = context.render_context.get(key)
    if words is None:
        words = {msgid: gettext(msgid) for msgid in msgids}
        for name, kind in choices.items():
            words.update(((name, value), str(label)) for value, label in kind.choices)
        context.render_context[key] = words
    return words


def _list_of(css_class, fmt, rows):
    return safe_format('<ul class="{}">{}</ul>', css_class, safe_join("", fmt, rows))


@register.simple_tag(takes_context=True)
def timeline_report(context, entry, can_correct=False, show_body=False):
    """A report on a timeline (tracker/_timeline.html, services/timeline.py): when and by
    whom, its status, what it corrects or what corrected it, its text, the milestones it
    says were reached, its values and its files. An assignment's page shows 20-48 of them;
    through the template engine they were most of that page's time (issue 10)."""
    words = _page_words(context, REPORT_WORDS, status=ProgressStatus)
    x = entry.item
    when = f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M}"
    if show_body and x.assignment:
        when = safe_format("{} · {}", when, x.assignment.body.name)
    by = escape(_person(x.author))
    if x.approved_by:
        by = safe_format(
            "{} · {}", by, _words(words["经单位负责人 %(h)s 审核报送"], h=_person(x.approved_by))
        )
    notes = []
    if x.corrects_id:
        notes.append(
            safe_format(
                '<div class="small note">{}</div>', _words(words["更正了 #%(n)s"], n=x.corrects_id)
            )
        )
    correction = x.correction
    if correction:
        notes.append(
            safe_format(
                '<div class="small note corrected">{}</div>',
                _words(words["已被 #%(n)s 更正（原内容保留）"], n=correction.pk),
            )
        )
    lists = []
    if x.met_list:
        met = words["完成阶段性目标（%(d)s）：%(t)s"]
        said = [(_words(met, d=_day(m.milestone.due), t=m.milestone.text),) for m in x.met_list]
        lists.append(_list_of("values small", "<li>{}</li>", said))
    if x.value_list:
        values = [
            (v.target.description, localize(v.value.normalize()), v.target.unit)
            for v in x.value_list
        ]
        lists.append(_list_of("values small", "<li>{}：<strong>{}</strong> {}</li>", values))
    if x.evidence_list:
        kept = gettext("（沿用原填报）")
        files = [
            (
                f.kind.upper(),
                f.get_absolute_url(),
                f.original_name,
                filesizeformat(f.size),
                kept if f.carried_from_id else "",
            )
            for f in x.evidence_list
        ]
        lists.append(
            _list_of(
                "files",
                '<li><span class="badge grey">{}</span> <a href="{}">{}</a>'
                ' <span class="small muted">{}{}</span></li>',
                files,
            )
        )
    if can_correct and not correction:
        lists.append(
            safe_format(
                '<a class="small" href="{}">{}</a>',
                reverse("report_correct", args=[x.pk]),
                words["更正这条填报"],
            )
        )
    return safe_format(
        '<li class="tl tl-report" id="r{}"><div class="tl-when small muted">{}</div>'
        '<div><strong>{}</strong> <span class="badge status-{}">{}</span> {}%'
        ' <span class="small muted">{} · {}</span></div>'
        '{}<p class="tl-text">{}</p>{}</li>',
        x.pk,
        when,
        _words(words["进展填报 #%(n)s"], n=x.pk),
        x.status,
        words["status", x.status],
        x.percent,
        _words(words["情况截至 %(d)s"], d=_day(x.as_of)),
        by,
        mark_safe("".join(notes)),
        linebreaksbr(x.text, autoescape=True),
        mark_safe("".join(lists)),
    )


# The words of a row of the overdue list (逾期与进度清单), translated once per page.
LIST_WORDS = (
    gettext_noop("任务"),
    gettext_noop("责任单位"),
    gettext_noop("亮灯"),
    gettext_noop("完成时限"),
    gettext_noop("逾期天数"),
    gettext_noop("进度"),
    gettext_noop("最近填报"),
    gettext_noop("尚未填报"),
    gettext_noop("催办"),
)


PK_SLOT = 2**62 + 7


def _list_words(context):
    words = _page_words(context, LIST_WORDS, status=ProgressStatus, role=AssignmentRole)
    if "remind" not in words:
        # 催办's address for any assignment, reversed once (with a key no row has).
        words["remind"] = reverse("remind", args=[PK_SLOT])
    return words


@register.simple_tag(takes_context=True)
def list_row(context, a, can_remind=False, next_url=""):
    """A row of the overdue list (tracker/assignment_list.html): the work, its body, the
    light and flags, the due date, the days overdue, the progress, the latest report and,
    for managers, 催办. Fifty of them through the template engine were a third of the
    list's time (issue 10). `next_url`, the page to come back to, already URL-encoded."""
    w = _list_words(context)
    if a.days_overdue is not None:
        overdue = safe_format('<span class="num-red">{}</span>', a.days_overdue)
    else:
        overdue = mark_safe('<span class="none">—</span>')
    if a.last_reported_at:
        reported = f"{timezone.localtime(a.last_reported_at):%Y-%m-%d}"
    else:
        reported = safe_format('<span class="none">{}</span>', w["尚未填报"])
    actions = ""
    if can_remind:
        button = ""
        if not a.is_done:
            button = safe_format(
                '<a class="button small-button" href="{}?next={}">{}</a>',
                w["remind"].replace(str(PK_SLOT), str(a.pk)),
                next_url,
                w["催办"],
            )
        actions = safe_format('<td data-col="actions">{}</td>', button)
    return safe_format(
        '<tr data-id="{}" class="{}">'
        '<td data-label="{}" data-col="task">{}</td>'
        '<td data-label="{}" data-col="body"><span class="body-name">{}</span>'
        ' <span class="badge role-{}">{}</span> {}</td>'
        '<td data-label="{}" data-col="light">{} {}</td>'
        '<td data-label="{}" data-col="due"><span class="due">{}</span> {}</td>'
        '<td data-label="{}" data-col="overdue">{}</td>'
        '<td data-label="{}" data-col="percent">{} · <span class="pct">{}</span>%</td>'
        '<td data-label="{}" data-col="reported">{}</td>{}</tr>',
        a.pk,
        "overdue" if a.is_overdue else "",
        w["任务"],
        work_title(a),
        w["责任单位"],
        a.body.name,
        a.role,
        w["role", a.role],
        body_provenance(a),
        w["亮灯"],
        light(a.light),
        flags(a),
        w["完成时限"],
        due(a, a.due),
        due_provenance(a),
        w["逾期天数"],
        overdue,
        w["进度"],
        w["status", a.status],
        a.percent,
        w["最近填报"],
        reported,
        actions,
    )
