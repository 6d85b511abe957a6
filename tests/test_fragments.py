"""The fragments every list repeats (tracker/templatetags/tracker_tags.py) write the markup the
template includes wrote before them: where a value came from, the light, the flags, the due
date and the title of a piece of work — escaped where it shows what people typed."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from tracker.templatetags import tracker_tags as tags


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def flags_of(**set_):
    fields = dict.fromkeys(
        ["is_overdue", "is_due_soon", "is_behind_pace", "is_silent", "is_waiting", "is_done_late"],
        False,
    )
    fields.update(missed_milestone=None, completed_late_days=None)
    fields.update(set_)
    return SimpleNamespace(get_signoff_display=lambda: "待销号审核", **fields)


def test_provenance_of_the_text_and_of_a_person():
    assert tags.provenance("text", phrase="2024年底前", ref="第5行") == (
        '<span class="prov prov-text">原文“2024年底前”（第5行）</span>'
    )
    assert tags.provenance("clause") == '<span class="prov prov-text">原文</span>'
    assert tags.provenance("") == ""
    assert tags.provenance("admin", reason="会议<决定>") == (
        '<details class="prov prov-person"><summary title="依据：会议&lt;决定&gt;">管理员确定'
        '</summary><span class="prov-reason">（依据：会议&lt;决定&gt;）</span></details>'
    )
    assert tags.provenance("person", label="延期获批", phrase="年内", ref="第9行") == (
        '<details class="prov prov-person"><summary>延期获批</summary>'
        '<span class="prov-reason">（依据：未写明）</span> '
        '<span class="phrase">原文：“年内”（第9行）</span></details>'
    )


def test_the_include_passes_what_it_is_given():
    html = Template(
        '{% include "tracker/_provenance.html" with source="review" reason=r phrase="" %}'
    ).render(Context({"r": "审核文件", "ref": "第1行", "label": ""}))
    assert html == (
        '<details class="prov prov-person"><summary title="依据：审核文件">管理员确定'
        '</summary><span class="prov-reason">（依据：审核文件）</span></details>'
    )


def test_lights():
    assert tags.light("red") == '<span class="light red" title="逾期">红灯</span>'
    assert tags.light("done") == '<span class="light done">已销号</span>'
    assert tags.light(None) == ""


def test_flags_in_their_order():
    a = flags_of(
        is_overdue=True,
        missed_milestone=dt.date(2026, 5, 1),
        is_behind_pace=True,
        is_waiting=True,
    )
    assert tags.flags(a) == (
        '<span class="badge red">逾期</span>'
        ' <span class="badge red" title="2026-05-01">阶段性目标逾期</span>'
        ' <span class="badge yellow">滞后于序时进度</span>'
        ' <span class="badge grey">待销号审核</span>'
    )
    late = flags_of(is_done_late=True, completed_late_days=3)
    assert tags.flags(late) == ' <span class="badge yellow">逾期 3 天完成</span>'
    assert tags.flags(flags_of()) == ""
    assert tags.flags(SimpleNamespace()) == ""  # fetched without its states


def test_due_dates():
    a = SimpleNamespace(is_ongoing=True)
    assert tags.due(a, dt.date(2027, 1, 9)) == "2027-01-09"
    assert tags.due(a, None) == "长期坚持"
    assert (
        tags.due(SimpleNamespace(is_ongoing=False), None) == '<span class="none">无明确时限</span>'
    )


@pytest.mark.django_db
def test_a_title_escapes_what_was_typed():
    plan = SimpleNamespace(title="《方案》<b>")
    a = SimpleNamespace(
        pk=7,
        task=SimpleNamespace(plan=plan, number=2, title="推进<i>园区</i>"),
        measure=SimpleNamespace(number=1, text="字" * 85),
    )
    # Cut at 80 characters as the template's truncatechars did.
    cut = Template("{{ t|truncatechars:80 }}").render(Context({"t": "字" * 85}))
    assert tags.work_title(a) == (
        '<div class="small muted">《方案》&lt;b&gt;</div><a href="/assignments/7/">'
        "任务2：推进&lt;i&gt;园区&lt;/i&gt;</a>"
        f'<div class="small">措施 2.1：{cut}</div>'
    )


def _person(full, username="u"):
    return SimpleNamespace(get_full_name=lambda: full, username=username)


def _report(**fields):
    report = dict(
        pk=12,
        status="in_progress",
        percent=40,
        as_of=dt.date(2026, 11, 2),
        text="第一行<b>\n第二行 & 完",
        author=_person("", "clerk<1>"),
        approved_by=None,
        corrects_id=None,
        correction=None,
        met_list=[],
        value_list=[],
        evidence_list=[],
        assignment=SimpleNamespace(body=SimpleNamespace(name="东昌府区<人民政府>")),
    )
    report.update(fields)
    return SimpleNamespace(**report)


def _entry(report):
    at = dt.datetime(2026, 11, 3, 1, 5, tzinfo=dt.UTC)  # 09:05 in Asia/Shanghai
    return SimpleNamespace(at=at, kind="report", item=report)


def _timeline_report(report, **flags):
    return tags.timeline_report(Context(), _entry(report), **flags)


def test_a_report_on_a_timeline_escapes_what_was_typed():
    assert _timeline_report(_report()) == (
        '<li class="tl tl-report" id="r12"><div class="tl-when small muted">2026-11-03 09:05</div>'
        '<div><strong>进展填报 #12</strong> <span class="badge status-in_progress">推进中</span>'
        ' 40% <span class="small muted">情况截至 2026-11-02 · clerk&lt;1&gt;</span></div>'
        '<p class="tl-text">第一行&lt;b&gt;<br>第二行 &amp; 完</p></li>'
    )


@pytest.mark.django_db
def test_a_report_on_a_timeline_with_all_that_hangs_on_it():
    report = _report(
        status="completed",
        percent=100,
        text="完成",
        author=_person("李<四>"),
        approved_by=_person("王<五>"),
        corrects_id=9,
        met_list=[
            SimpleNamespace(milestone=SimpleNamespace(due=dt.date(2026, 6, 30), text="建成<园区>"))
        ],
        value_list=[
            SimpleNamespace(
                target=SimpleNamespace(description="网点<数>", unit="个"),
                value=Decimal("10.5000"),
            )
        ],
        evidence_list=[
            SimpleNamespace(
                kind="pdf",
                get_absolute_url=lambda: "/e/3/",
                original_name="材料<1>.pdf",
                size=2048,
                carried_from_id=None,
            ),
            # Kept by a correction from the report it corrects.
            SimpleNamespace(
                kind="jpg",
                get_absolute_url=lambda: "/e/4/",
                original_name="照片.jpg",
                size=1024,
                carried_from_id=2,
            ),
        ],
    )
    html = _timeline_report(report, can_correct=True, show_body=True)
    assert html == (
        '<li class="tl tl-report" id="r12"><div class="tl-when small muted">2026-11-03 09:05 · '
        "东昌府区&lt;人民政府&gt;</div>"
        '<div><strong>进展填报 #12</strong> <span class="badge status-completed">已完成</span>'
        ' 100% <span class="small muted">情况截至 2026-11-02 · 李&lt;四&gt; · '
        "经单位负责人 王&lt;五&gt; 审核报送</span></div>"
        '<div class="small note">更正了 #9</div><p class="tl-text">完成</p>'
        '<ul class="values small"><li>完成阶段性目标（2026-06-30）：建成&lt;园区&gt;</li></ul>'
        '<ul class="values small"><li>网点&lt;数&gt;：<strong>10.5</strong> 个</li></ul>'
        '<ul class="files"><li><span class="badge grey">PDF</span> <a href="/e/3/">'
        '材料&lt;1&gt;.pdf</a> <span class="small muted">2.0\xa0KB</span></li>'
        '<li><span class="badge grey">JPG</span> <a href="/e/4/">照片.jpg</a> '
        '<span class="small muted">1.0\xa0KB（沿用原填报）</span></li></ul>'
        '<a class="small" href="/reports/12/correct/">更正这条填报</a></li>'
    )
    # A corrected report says by which, and offers no correction of its own.
    corrected = _timeline_report(_report(correction=SimpleNamespace(pk=13)), can_correct=True)
    assert '<div class="small note corrected">已被 #13 更正（原内容保留）</div>' in corrected
    assert "更正这条填报" not in corrected


@pytest.mark.django_db
def test_selects_are_written_as_django_writes_them():
    """The form renderer writes selects in Python (tracker.forms.widgets.FormRenderer): the
    same bytes as Django's own templates, for groups, several chosen options, attributes
    that are switched on or off and labels that need escaping or are already safe."""
    from django import forms
    from django.forms.renderers import DjangoTemplates
    from django.utils.safestring import mark_safe

    from tracker.forms.widgets import FormRenderer
    from tracker.models import Body

    Body.objects.create(name="东阿县<人民政府>", kind="county")
    choices = [
        ("", "全部"),
        ("a&b", "甲<乙>"),
        (3, mark_safe("<b>粗</b>")),
        ("组<一>", [("x", "X"), ("y", '引"号')]),
    ]
    widgets = [
        (forms.Select(choices=choices, attrs={"id": "id_s", "required": True}), "y"),
        (forms.Select(choices=choices, attrs={"disabled": False, "data-x": "<'>"}), 3),
        (forms.SelectMultiple(choices=choices), ["a&b", "x"]),
        (forms.NullBooleanSelect(), True),
        (forms.Select(choices=[]), None),
    ]
    field = forms.ModelChoiceField(queryset=Body.objects.all(), empty_label="全部")
    widgets.append((field.widget, None))
    ours, django = FormRenderer(), DjangoTemplates()
    for widget, value in widgets:
        expected = widget.render("f<", value, renderer=django)
        assert widget.render("f<", value, renderer=ours) == expected
    # Radio buttons (another template) are left to Django.
    radio = forms.RadioSelect(choices=choices)
    assert radio.render("r", "x", renderer=ours) == radio.render("r", "x", renderer=django)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "“完成率（%）”不能小于 0。"),
        ("1.23456", "“完成率（%）”最多 4 位小数。"),
        ("abc", "“完成率（%）”请填写数字。"),
        ("", "请填写“完成率（%）”。"),
    ],
)
def test_a_label_with_a_percent_sign_keeps_its_messages_whole(value, message):
    """Django fills its messages' values in with %: a % in the label (a target measured in
    %) is doubled in those, and left alone in the others (it answered 500 before)."""
    from django import forms

    from tracker.forms.widgets import OwnWordsForm

    class Form(OwnWordsForm):
        rate = forms.DecimalField(label="完成率（%）", min_value=0, decimal_places=4)

    form = Form({"rate": value})
    assert not form.is_valid()
    assert form.errors["rate"] == [message]
