"""Body staff report progress (进展填报): the current state follows the latest report, a
correction keeps both, nothing deletes a report, and evidence files are checked by content."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from tests.builders import (
    DOCX,
    EXE,
    JPEG,
    OFD,
    OLE2,
    PDF,
    PLAIN_ZIP,
    PNG,
    PPTX,
    XLSX,
    file_report,
    pass_to_managers,
    progress_world,
    upload,
)
from tests.factories import TaskFactory
from tracker import evidence
from tracker.models import (
    Assignment,
    Evidence,
    HistoryIsAppendOnly,
    Report,
    ReportedValue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff_a, staff_b, body_c):
    return progress_world(staff_a.membership.body, staff_b.membership.body, body_c)


def report_url(a):
    return reverse("report_create", args=[a.pk])


def form_data(**overrides):
    return {
        "status": "in_progress",
        "percent": "60",
        "text": "已完成园区选址，正在招引快递企业入驻。",
        "as_of": "2026-11-20",
        **overrides,
    }


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the current state ------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_report_changes_the_current_state(client_as, staff_b, world):
    own = world["own"]
    response = client_as(staff_b).post(
        report_url(own), {**form_data(), f"target_{world['target'].pk}": "1"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.status, own.percent, own.progress_as_of) == (
        "in_progress",
        60,
        dt.date(2026, 11, 20),
    )
    assert own.last_reported_at == dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    assert own.signoff == "open"
    report = Report.objects.get()
    assert report.author == staff_b and report.text.startswith("已完成园区选址")
    assert ReportedValue.objects.get().value == Decimal("1")


def test_the_current_state_follows_the_latest_as_of_date_then_the_latest_filed(staff_b, world):
    own = world["own"]
    old = file_report(own, staff_b, percent=20, as_of=dt.date(2026, 11, 1))
    file_report(own, staff_b, percent=50, as_of=dt.date(2026, 11, 10))
    file_report(own, staff_b, percent=30, as_of=dt.date(2026, 11, 1), corrects=old)  # the past
    own.refresh_from_db()
    assert (own.percent, own.progress_as_of) == (50, dt.date(2026, 11, 10))
    file_report(own, staff_b, percent=55, as_of=dt.date(2026, 11, 10))  # same day, filed later
    own.refresh_from_db()
    assert own.percent == 55


def test_a_correction_keeps_both_reports_and_the_state_follows_it(client_as, staff_b, world):
    own = world["own"]
    wrong = file_report(own, staff_b, percent=90, text="误填为90%")
    client = client_as(staff_b)
    form = client.get(reverse("report_correct", args=[wrong.pk]))
    assert form.status_code == 200 and "误填为90%" in form.content.decode()
    response = client.post(
        reverse("report_correct", args=[wrong.pk]), form_data(percent="45", text="实际为45%")
    )
    assert response.status_code == 302
    fixed = Report.objects.get(corrects=wrong)
    assert Report.objects.count() == 2
    own.refresh_from_db()
    assert own.percent == 45
    page = client.get(own.get_absolute_url()).content.decode()
    assert "误填为90%" in page and "实际为45%" in page
    assert f"已被 #{fixed.pk} 更正" in page and f"更正了 #{wrong.pk}" in page
    # A corrected report cannot be corrected again; the correction can.
    again = client.post(reverse("report_correct", args=[wrong.pk]), form_data())
    assert again.status_code == 302 and Report.objects.count() == 2
    with pytest.raises(ValidationError):
        file_report(own, staff_b, corrects=wrong)


def test_a_report_of_completion_asks_for_sign_off(client_as, staff_b, world):
    own = world["own"]
    client_as(staff_b).post(report_url(own), form_data(status="completed", percent="100"))
    own.refresh_from_db()
    # The task has a lead body: it reviews the request first (牵头单位初审).
    assert own.status == "completed" and own.signoff == "lead_review"


# --- a report dated back does not undo the current state --------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 27, 4, 0, tzinfo=dt.UTC), tick=False)
def test_a_completion_dated_before_the_current_report_is_refused_at_its_date(
    client_as, staff_b, world
):
    own = world["own"]
    client = client_as(staff_b)
    client.post(report_url(own), form_data(percent="50", as_of="2026-11-27"))
    response = client.post(
        report_url(own), form_data(status="completed", percent="100", as_of="2026-11-24")
    )
    assert response.status_code == 200
    assert "不能早于本项工作当前填报的截至日期 2026-11-27" in "".join(
        response.context["form"].errors["as_of"]
    )
    assert "已申请销号" not in response.content.decode()
    own.refresh_from_db()
    assert (own.percent, own.signoff) == (50, "open")
    assert Report.objects.count() == 1
    # Dated today it is the current report, and it asks for sign-off.
    response = client.post(
        report_url(own),
        form_data(status="completed", percent="100", as_of="2026-11-27"),
        follow=True,
    )
    assert "已填报，并已申请销号，等待牵头单位初审" in response.content.decode()
    own.refresh_from_db()
    assert (own.percent, own.signoff) == (100, "lead_review")


def test_a_note_dated_back_cannot_undo_a_send_back(staff_b, manager, world):
    from tracker.services import reporting

    own = world["own"]
    file_report(own, staff_b, status="completed", percent=100, as_of=dt.date(2026, 11, 20))
    pass_to_managers(own)
    reporting.signoff_decide(assignment=own, manager=manager, approve=False, reason="补材料")
    with pytest.raises(ValidationError) as refused:
        file_report(own, staff_b, text="补记上周情况", as_of=dt.date(2026, 11, 13))
    assert "as_of" in refused.value.message_dict
    own.refresh_from_db()
    assert own.signoff == "returned"
    assert Report.objects.count() == 1


def test_correcting_an_older_report_leaves_the_sign_off_alone(client_as, staff_b, manager, world):
    from tracker.services import reporting

    own = world["own"]
    older = file_report(own, staff_b, percent=30, as_of=dt.date(2026, 11, 1))
    file_report(own, staff_b, status="completed", percent=100, as_of=dt.date(2026, 11, 20))
    pass_to_managers(own)
    reporting.signoff_decide(assignment=own, manager=manager, approve=False, reason="补材料")
    file_report(own, staff_b, percent=35, text="更正：实为35%", corrects=older, as_of=older.as_of)
    own.refresh_from_db()
    assert (own.signoff, own.percent, own.status) == ("returned", 100, "completed")


def test_the_message_says_what_happened_to_the_sign_off(client_as, staff_b, world):
    own = world["own"]
    older = file_report(own, staff_b, percent=30, as_of=dt.date(2026, 11, 1))
    file_report(own, staff_b, percent=50, as_of=dt.date(2026, 11, 10))
    # Correcting the older report to 已完成 changes the record, not where the work stands.
    response = client_as(staff_b).post(
        reverse("report_correct", args=[older.pk]),
        form_data(status="completed", percent="100", as_of="2026-11-01"),
        follow=True,
    )
    page = response.content.decode()
    assert "已填报。" in page and "已申请销号" not in page
    own.refresh_from_db()
    assert (own.percent, own.signoff) == (50, "open")


# --- nothing deletes or rewrites a report -----------------------------------------------------


def test_nothing_deletes_or_rewrites_a_report(staff_b, world):
    report = file_report(world["own"], staff_b, files=[upload("照片.png", PNG)])
    with pytest.raises(HistoryIsAppendOnly):
        report.delete()
    with pytest.raises(HistoryIsAppendOnly):
        Report.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        Report.objects.update(percent=1)
    report.text = "改写"
    with pytest.raises(HistoryIsAppendOnly):
        report.save()
    with pytest.raises(HistoryIsAppendOnly):
        Evidence.objects.get().delete()
    # Deleting what a report hangs on is refused too.
    with pytest.raises(ProtectedError):
        Assignment.objects.get(pk=world["own"].pk).delete()
    with pytest.raises(ProtectedError):
        world["task"].delete()
    with pytest.raises(ProtectedError):
        staff_b.delete()
    assert Report.objects.get().text == "完成快递园区选址。"


def test_the_web_offers_no_way_to_change_or_delete_a_report(client_as, staff_b, admin_user, world):
    report = file_report(world["own"], staff_b)
    client = client_as(admin_user)
    change = client.post(reverse("admin:tracker_report_change", args=[report.pk]), {"text": "改写"})
    assert change.status_code == 403
    delete = client.post(reverse("admin:tracker_report_delete", args=[report.pk]), {"post": "yes"})
    assert delete.status_code == 403
    view = client.get(reverse("admin:tracker_report_change", args=[report.pk]))
    assert view.status_code == 200 and "完成快递园区选址" in view.content.decode()
    assert Report.objects.get().text == "完成快递园区选址。"


# --- evidence files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("佐证.pdf", PDF, "pdf"),
        ("现场.PNG", PNG, "png"),
        ("现场.jpeg", JPEG, "jpg"),
        ("报告.docx", DOCX, "docx"),
        ("台账.xlsx", XLSX, "xlsx"),
        ("汇报.pptx", PPTX, "pptx"),
        ("公文.ofd", OFD, "ofd"),
        ("文档.wps", OLE2, "wps"),
        ("表格.et", OLE2, "et"),
        ("演示.dps", OLE2, "dps"),
        ("病毒.pdf", EXE, None),  # an .exe renamed .pdf
        ("病毒.exe", EXE, None),
        ("假的.docx", PDF, None),  # content and name disagree
        ("压缩包.docx", PLAIN_ZIP, None),
        ("旧文档.doc", OLE2, None),
        ("说明.txt", "你好".encode(), None),
        ("无扩展名", PDF, None),
    ],
)
def test_evidence_is_recognised_by_its_content(name, content, kind):
    assert evidence.kind_of(name, upload(name, content)) == kind


def test_evidence_is_stored_outside_static_and_downloaded_under_its_chinese_name(
    client_as, staff_b, staff_a, staff_c, manager, world, settings
):
    client = client_as(staff_b)
    response = client.post(
        report_url(world["own"]),
        {**form_data(), "files": [upload("园区验收报告.pdf", PDF), upload("现场.png", PNG)]},
    )
    assert response.status_code == 302
    files = stored_files(settings)
    assert len(files) == 2 and all("evidence" in str(p) for p in files)
    assert not any("园区" in str(p) for p in files)  # stored under a random name
    pdf = Evidence.objects.get(kind="pdf")
    assert pdf.original_name == "园区验收报告.pdf" and pdf.size == len(PDF)
    for user in (staff_b, staff_a, manager):  # owner, lead body, manager
        download = client_as(user).get(pdf.get_absolute_url())
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        disposition = download["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "filename*=utf-8''%E5%9B%AD%E5%8C%BA" in disposition
        assert b"".join(download.streaming_content) == PDF
    assert client_as(staff_c).get(pdf.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("大文件.pdf", PDF + b"0" * 2048)], "超过了"),
        ([("病毒.pdf", EXE)], "不是它的扩展名所说的类型"),
        # The good one is not kept either: the page says to choose them all again.
        ([("好的.pdf", PDF), ("病毒.pdf", EXE)], "改正后请重新选择全部要上传的文件"),
        ([("空.pdf", b"")], "空文件"),
        ([("病毒.exe", EXE)], "不接受“.exe”文件（“病毒.exe”）"),
    ],
    ids=["oversized", "disguised-exe", "one-bad-of-two", "empty", "exe"],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    client_as, staff_b, world, settings, files, message
):
    settings.TRACKER_UPLOAD_MAX_BYTES = 1024
    response = client_as(staff_b).post(
        report_url(world["own"]),
        {**form_data(), "files": [upload(name, content) for name, content in files]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "已完成园区选址" in page  # what was typed is kept
    assert Report.objects.count() == 0 and Evidence.objects.count() == 0
    assert stored_files(settings) == []
    world["own"].refresh_from_db()
    assert world["own"].last_reported_at is None


def test_a_failure_after_storing_a_file_removes_it_again(staff_b, world, settings, monkeypatch):
    from tracker.services import reporting

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(reporting, "_refresh_progress", broken)
    with pytest.raises(RuntimeError):
        file_report(world["own"], staff_b, files=[upload("a.pdf", PDF)])
    assert Report.objects.count() == 0 and stored_files(settings) == []


# --- the form ---------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 11, 27, 4, 0, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"text": "   "}, "请填写“工作进展”。"),
        ({"text": "字" * 2001}, "“工作进展”最多 2000 字，现在有 2001 字。"),
        ({"percent": "101"}, "“完成百分比”不能大于 100。"),
        ({"percent": "-1"}, "“完成百分比”不能小于 0。"),
        ({"percent": "六十"}, "“完成百分比”请填写整数。"),
        ({"percent": ""}, "请填写“完成百分比”。"),
        ({"as_of": "2026-11-28"}, "截至日期不能晚于今天"),
        ({"as_of": "2026-02-30"}, "“情况截至”请填写有效的日期"),
        ({"status": "finished"}, "“当前状态”的选项无效"),
        ({"status": "completed", "percent": "80"}, "完成百分比应为 100"),
        ({"status": "not_started", "percent": "10"}, "完成百分比应为 0"),
    ],
)
def test_every_bad_value_gets_a_message_and_nothing_is_written(
    client_as, staff_b, world, overrides, field_message
):
    response = client_as(staff_b).post(report_url(world["own"]), form_data(**overrides))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert Report.objects.count() == 0


def test_every_date_field_uses_the_one_date_picker():
    from tracker.forms import plans, reporting, supervision
    from tracker.forms.widgets import DateInput

    widgets = [
        reporting.ReportForm().fields["as_of"].widget,
        plans.DeadlineForm(task=TaskFactory()).fields["deadline"].widget,
        reporting.ExtensionRequestForm().fields["new_due"].widget,
        supervision.BulletinForm().fields["date"].widget,
        *(
            supervision.AssignmentFilter().form.fields[n].widget
            for n in ("due_after", "due_before")
        ),
    ]
    assert {type(widget) for widget in widgets} == {DateInput}
    html = widgets[0].render("as_of", dt.date(2026, 11, 7))
    assert 'type="date"' in html and 'value="2026-11-07"' in html


def test_a_bad_target_value_gets_a_message(client_as, staff_b, world):
    data = {**form_data(), f"target_{world['target'].pk}": "很多"}
    response = client_as(staff_b).post(report_url(world["own"]), data)
    assert response.status_code == 200 and "输入一个数字" in response.content.decode()


def test_html_typed_into_a_report_is_shown_as_text(client_as, staff_b, manager, world):
    file_report(world["own"], staff_b, text='<script>alert("x")</script><b>粗</b>')
    for user in (staff_b, manager):
        page = client_as(user).get(world["own"].get_absolute_url()).content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page
        assert "&lt;b&gt;粗&lt;/b&gt;" in page


def test_the_report_form_speaks_chinese_and_offers_the_targets(client_as, staff_b, world):
    page = client_as(staff_b).get(report_url(world["own"])).content.decode()
    for text in [
        "进展填报",
        "未启动",
        "推进中",
        "存在困难",
        "已完成",
        "工作进展",
        "情况截至",
        "佐证材料",
        "建成快递园区",
        "不少于 1 处",
    ]:
        assert text in page, text


def test_a_choice_among_radios_is_a_fieldset_named_by_its_legend(client_as, staff_b, world):
    """“当前状态” names the group of radios (a screen reader reads it with each choice); a
    <label for=""> pointed at nothing."""
    page = client_as(staff_b).get(report_url(world["own"])).content.decode()
    assert 'for=""' not in page
    assert '<legend>当前状态 <span class="req">*</span></legend>' in page


def test_the_report_and_extension_forms_help_in_the_users_language(client_as, staff_b, world):
    # Their help texts were interpolated when the module was imported, so they stayed in
    # Chinese on the English pages.
    client = client_as(staff_b)
    english = {"headers": {"accept-language": "en"}}
    page = client.get(report_url(world["own"]), **english).content.decode()
    assert "What was done" in page and "做了什么" not in page
    url = reverse("extension_create", args=[world["own"].pk])
    page = client.get(url, **english).content.decode()
    assert "Why an extension is needed" in page and "为什么需要延期" not in page
    assert "做了什么" in client.get(report_url(world["own"])).content.decode()


def test_a_signed_off_assignment_takes_no_more_reports(client_as, staff_b, world):
    own = world["own"]
    Assignment.objects.filter(pk=own.pk).update(
        signoff="signed_off", signed_off_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    response = client_as(staff_b).post(report_url(own), form_data())
    assert response.status_code == 302 and Report.objects.count() == 0
    with pytest.raises(ValidationError):
        file_report(own, staff_b)


def test_a_state_as_of_a_day_before_the_plan_is_refused(client_as, staff_b, world):
    # 情况截至 2020-01-01 was accepted on a plan tracked from 2024: a year typed wrong.
    plan = world["own"].task.plan
    plan.start_date = dt.date(2024, 9, 1)
    plan.save()
    response = client_as(staff_b).post(
        report_url(world["own"]), form_data(as_of="2020-01-01", text="去年的进展")
    )
    assert response.status_code == 200
    assert "截至日期不能早于本方案开始跟踪的日期（2024-09-01），请检查年份。" in (
        response.content.decode()
    )
    assert not Report.objects.exists()


def test_files_chosen_with_a_refused_field_are_asked_for_again(client_as, staff_b, world):
    # Refused for its date, the report came back with the files gone and nothing said:
    # sent again as it was, it was filed without them.
    response = client_as(staff_b).post(
        report_url(world["own"]),
        {**form_data(as_of="2999-01-01"), "files": [upload("验收.pdf", PDF)]},
    )
    page = response.content.decode()
    assert "截至日期不能晚于今天" in page
    assert "这次选择的文件都没有保存：改正后请重新选择全部要上传的文件。" in page
    plain = client_as(staff_b).post(report_url(world["own"]), form_data(as_of="2999-01-01"))
    assert "这次选择的文件都没有保存" not in plain.content.decode()
