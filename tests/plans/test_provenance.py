"""Wherever a deadline, a body or the start date appears, it says where it came from: the
text (its words and their place) or an administrator's decision (管理员确定, with the reason
in a <details> that opens on a tap and a title that shows on hover) — on the plan overview,
the task page, 我的任务, the assignment page, the list, the exports and the import preview.

The world: the Liaocheng seed imported with its review (tasks 1 and 2 below), once for the
module."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.conftest import shared_world
from tests.factories import MembershipFactory, UserFactory, make_manager
from tracker.models import Assignment, Body, Plan
from tracker.services import reporting

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
REVIEW = ROOT / "seeds" / "liaocheng-express-2024.review.toml"

# Task 2, 推进快递园区建设: its deadline is the text's, its lead the administrator's.
PARK_DEADLINE = "原文“到2024年年底”（第105行）"
COUNTY = "原文（第105行）"
PARK_LEAD_REASON = "原文只载明各县（市、区）建成园区，未载明牵头和配合单位"
# Task 1: its deadline is the administrator's; the text states none.
PLAN_DEADLINE_REASON = "原文未载明责任单位和出台时限"
START_REASON = "原文未载明跟踪起始日期"


@pytest.fixture(scope="module")
def w(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker):
        call_command("import_plan", str(SEED), "--review", str(REVIEW), stdout=io.StringIO())
        shen = Body.objects.get(name="莘县")
        clerk = MembershipFactory(user=UserFactory(username="shen"), body=shen).user
        make_manager()
        plan = Plan.objects.get()
        park = plan.tasks.get(number=2)
        yield {
            "plan": plan,
            "park": park,
            "first": plan.tasks.get(number=1),
            "clerk": clerk,
            "own": Assignment.objects.get(task=park, body=shen, measure=None),
        }


@pytest.fixture(autouse=True)
def _fast_and_isolated():
    """The module's world needs no media folder."""


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def person(reason):
    """管理员确定 with its reason: on hover (title) and on a tap (inside <details>)."""
    return f'<summary title="依据：{reason}'


def test_the_overview(client_as, w):
    html = page(client_as(w["clerk"]), w["plan"].get_absolute_url())
    assert PARK_DEADLINE in html
    assert person(PLAN_DEADLINE_REASON) in html and "管理员确定</summary>" in html
    # 其他责任单位: the counties the text names, with their line; the supporting body decided
    # by the administrator, with the reason.
    assert (
        "东昌府区、茌平区、临清市、阳谷县、莘县、东阿县、冠县、高唐县 "
        + (f'<span class="prov prov-text">{COUNTY}</span>')
        in html
    )
    assert person(PARK_LEAD_REASON) in html
    assert person(START_REASON) in html  # the start date


def test_the_task_page(client_as, w):
    html = page(client_as(w["clerk"]), w["park"].get_absolute_url())
    assert PARK_DEADLINE in html and COUNTY in html and person(PARK_LEAD_REASON) in html
    assert "000_b4e0627ec94ce713.txt 第105行" in html  # where the task is written
    first = page(client_as(w["clerk"]), w["first"].get_absolute_url())
    assert person(PLAN_DEADLINE_REASON) in first
    # Each body's row says where the date it inherits comes from: the administrator's date
    # read as if the text gave it, beside the text's place of the body.
    managed = page(client_as(make_manager("m6")), w["first"].get_absolute_url())
    rows = managed.split('<ul class="assignments">')[1].split("</ul>")[0].split("<li")[1:]
    dated = [row.split("时限 ")[1] for row in rows if "时限 " in row]
    assert dated and all(person(PLAN_DEADLINE_REASON) in row for row in dated)


def test_my_work_and_the_assignment_page(client_as, w):
    client = client_as(w["clerk"])
    work = page(client, "/work/")
    assert PARK_DEADLINE in work and COUNTY in work
    detail = page(client, w["own"].get_absolute_url())
    assert PARK_DEADLINE in detail and COUNTY in detail and person(START_REASON) in detail


def sources(header, row):
    """The export's 时限来源 and 责任单位来源 of a row."""
    return [row[header.index("时限来源")], row[header.index("责任单位来源")]]


def test_the_list_and_its_exports(client_as, w):
    client = client_as(w["clerk"])
    html = page(client, "/list/")
    assert PARK_DEADLINE in html and COUNTY in html
    rows = list(
        csv.reader(io.StringIO(client.get("/list/export.csv").getvalue().decode("utf-8-sig")))
    )
    header, park = rows[0], next(r for r in rows if r[2].startswith("任务2："))
    assert "时限来源" in header and "责任单位来源" in header
    assert sources(header, park) == [PARK_DEADLINE, COUNTY]
    sheet = load_workbook(io.BytesIO(client.get("/list/export.xlsx").getvalue())).active
    # Row 1 is the export's title; the header is row 2.
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert any(sources(cells[0], row) == [PARK_DEADLINE, COUNTY] for row in cells[1:])


def test_the_export_names_the_administrators_decisions_with_their_reasons(client_as, w):
    client = client_as(make_manager("m2"))
    rows = list(
        csv.reader(io.StringIO(client.get("/list/export.csv").getvalue().decode("utf-8-sig")))
    )
    lead = next(r for r in rows if r[2].startswith("任务2：") and r[4] == "市邮政管理局")
    assert sources(rows[0], lead)[1].startswith("管理员确定（依据：" + PARK_LEAD_REASON)
    first = next(r for r in rows if r[2].startswith("任务1："))
    assert sources(rows[0], first)[0].startswith("管理员确定（依据：" + PLAN_DEADLINE_REASON)


def test_a_date_moved_by_an_approved_extension_says_so_with_the_reason(client_as, w):
    manager = make_manager("m3")
    extension = reporting.extension_request_create(
        assignment=w["own"],
        author=w["clerk"],
        new_due=w["park"].deadline.replace(year=2030),
        reason="园区用地审批未完成",
    )
    reporting.extension_decide(extension=extension, manager=manager, approve=True)
    client = client_as(w["clerk"])
    work = page(client, "/work/")
    assert "2030-12-31" in work and "延期获批</summary>" in work
    assert "同意延期申请：园区用地审批未完成" in work
    # What the text said stays beside the person's date, on the page and in the export.
    assert "原文：“到2024年年底”" in work.split("延期获批</summary>")[1].split("</details>")[0]
    rows = list(
        csv.reader(io.StringIO(client.get("/list/export.csv").getvalue().decode("utf-8-sig")))
    )
    own = next(r for r in rows if r[2].startswith("任务2：") and r[4] == "莘县" and not r[3])
    assert sources(rows[0], own)[0] == (
        "延期获批（依据：同意延期申请：园区用地审批未完成）；原文：“到2024年年底”"
    )


def test_an_approval_with_a_note_shows_the_managers_note_beside_the_bodys_reason(client_as, w):
    # Only the body's reason was shown; the manager's note, written when approving, was
    # kept with the decision but never beside the new date.
    extension = reporting.extension_request_create(
        assignment=w["own"],
        author=w["clerk"],
        new_due=w["park"].deadline.replace(year=2030),
        reason="园区用地审批未完成",
    )
    reporting.extension_decide(
        extension=extension, manager=make_manager("m4"), approve=True, reason="最后一次延期"
    )
    work = page(client_as(w["clerk"]), "/work/")
    assert "同意延期申请：园区用地审批未完成（审批意见：最后一次延期）" in work


def test_another_date_granted_keeps_the_bodys_reason_in_the_records_language(client_as, w):
    # The body's reason was dropped when another date was granted, and the words were
    # stored in the language the approving manager happened to use.
    from django.utils import translation

    extension = reporting.extension_request_create(
        assignment=w["own"],
        author=w["clerk"],
        new_due=w["park"].deadline.replace(year=2030),
        reason="园区用地审批未完成",
    )
    with translation.override("en"):
        reporting.extension_decide(
            extension=extension,
            manager=make_manager("m5"),
            approve=True,
            reason="先延至六月",
            granted_due=dt.date(2030, 6, 30),
        )
    work = page(client_as(w["clerk"]), "/work/")
    assert (
        "同意延期申请（申请延至2030年12月31日，同意延至2030年6月30日）：园区用地审批未完成"
        "（审批意见：先延至六月）"
    ) in work
    # The record's other words too: what changed and the field's name.
    from tracker.models import ChangeRecord

    record = ChangeRecord.objects.filter(field="due_date").latest("pk")
    assert "任务2" in record.subject and not record.field_label.isascii()


def test_an_english_page_says_the_place_in_english_in_ascii_brackets(client_as, w):
    from django.utils import translation

    from tracker.templatetags.tracker_tags import place_in_words

    client = client_as(w["clerk"])
    client.cookies["django_language"] = "en"
    html = page(client, w["park"].get_absolute_url())
    assert "“到2024年年底” (Line 105)" in html and "（第105行）" not in html
    assert "000_b4e0627ec94ce713.txt Line 105" in html and "第105行" not in html
    with translation.override("en"):
        assert place_in_words("第3页表1第2行") == "Page 3, Table 1, Row 2"
        assert place_in_words("工作表“任务”第4行") == "Sheet “任务”, Row 4"
        assert place_in_words("第12段") == "Paragraph 12"
        assert place_in_words("第12–14行") == "Lines 12–14"
        assert place_in_words("附件第2行") == "附件第2行"  # other words: as stored
    with translation.override("zh-hans"):
        assert place_in_words("第3页表1第2行") == "第3页表1第2行"
