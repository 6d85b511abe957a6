"""The list's exports (.xlsx, .csv) hold exactly what the list shows: the same filters, the
same order, the same visibility, every page of it; in Chinese, with real dates, and nothing
anyone typed runs as a formula."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.builders import file_report
from tests.factories import AssignmentFactory, BodyFactory, MeasureFactory, TaskFactory
from tests.supervision_world import frozen, world
from tracker.services import reporting
from tracker.services.supervision import EXPORT_HEADERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(staff_a, staff_b, staff_c):
    with frozen():
        return world(shen=staff_b.membership.body, guan=staff_c.membership.body)


class Downloaded:
    """A streamed download read once (its streaming content can be read only once)."""

    def __init__(self, response):
        self.response = response
        self.content = response.getvalue()

    def getvalue(self):
        return self.content

    def __getitem__(self, header):
        return self.response[header]


def fetch(client, name, query=""):
    with frozen():
        response = client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 200
    return Downloaded(response)


def xlsx_rows(response):
    """The sheet, and its rows from the header down (the title row above is left out)."""
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def listed(client, query=""):
    with frozen():
        return list(client.get(f"{reverse('assignment_list')}?{query}").context["filter"].qs)


def test_the_xlsx_is_the_list_row_by_row(client_as, manager, w):
    client = client_as(manager)
    query = "plan=lc&o=-overdue"
    response = fetch(client, "list_export_xlsx", query)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert "%E9%80%BE%E6%9C%9F" in response["Content-Disposition"]  # 逾期… in the name
    sheet, rows = xlsx_rows(response)
    assert rows[0] == EXPORT_HEADERS
    expected = listed(client, query)
    assert [(r[2], r[4]) for r in rows[1:]] == [
        (f"任务{a.task.number}：{a.task.title}", a.body.name) for a in expected
    ]
    assert sheet.freeze_panes == "A3"


def test_the_xlsx_has_real_dates_numbers_and_labels(client_as, manager, w):
    _, rows = xlsx_rows(
        fetch(client_as(manager), "list_export_xlsx", "county={}".format(w["shen"].pk))
    )
    by_task = {r[2]: dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]}
    park = by_task["任务1：推进快递园区建设"]
    assert park["完成时限"] == dt.datetime(2026, 6, 30)
    assert park["逾期天数"] == 150
    assert park["完成百分比"] == 40
    assert park["亮灯"] == "红灯"
    assert park["状态标记"] == "逾期、滞后于序时进度"
    assert park["角色"] == "分解落实" and park["类别"] == "1. 强化行业规划引领"
    assert park["最近填报"] == dt.datetime(2026, 11, 24)
    delivery = by_task["任务2：完善城市末端配送"]
    assert delivery["逾期天数"] is None and delivery["亮灯"] == "绿灯"


def test_the_csv_has_a_bom_and_the_same_rows(client_as, manager, w):
    client = client_as(manager)
    response = fetch(client, "list_export_csv", "light=yellow")
    assert response.getvalue().startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == EXPORT_HEADERS
    assert [r[4] for r in rows[1:]] == [a.body.name for a in listed(client, "light=yellow")]
    dates = {r[4]: r[8] for r in rows[1:]}
    assert dates["东阿县"] == "2026年12月10日" and dates["市交通运输局"] == "长期坚持"


def test_exports_hold_every_page(client_as, manager, w):
    with frozen():
        task = TaskFactory(plan=w["plan"], number=8, title="批量任务")
        for _ in range(60):
            AssignmentFactory(task=task, body=BodyFactory())
    _, rows = xlsx_rows(fetch(client_as(manager), "list_export_xlsx", f"task={task.pk}"))
    assert len(rows) == 1 + 60


def test_text_that_would_run_as_a_formula_is_neutralised(client_as, manager, w):
    with frozen():
        task = TaskFactory(plan=w["plan"], number=7, title='=HYPERLINK("http://evil")')
        AssignmentFactory(task=task, body=BodyFactory(name="@市某局"))
    client = client_as(manager)
    sheet, rows = xlsx_rows(fetch(client, "list_export_xlsx", f"task={task.pk}"))
    # In the xlsx a text cell Excel shows as typed (quotePrefix), no apostrophe to see.
    body = sheet.cell(row=3, column=5)
    assert (body.value, body.data_type, body.quotePrefix) == ("@市某局", "s", True)
    assert rows[1][2] == '任务7：=HYPERLINK("http://evil")'  # does not begin with =
    csv_row = csv_rows(fetch(client, "list_export_csv", f"task={task.pk}"))[1]
    assert csv_row[4] == "'@市某局"  # csv has no cell types: the apostrophe stays


@pytest.mark.parametrize("name", ["list_export_xlsx", "list_export_csv"])
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("staff_a", {"市邮政管理局", "莘县", "冠县"}),  # its own and the task it leads
        ("staff_b", {"莘县"}),
        ("staff_c", {"冠县"}),
    ],
)
def test_body_staff_export_only_what_they_may_see(request, client_as, w, name, user, expected):
    response = fetch(client_as(request.getfixturevalue(user)), name)
    if name.endswith("xlsx"):
        bodies = {r[4] for r in xlsx_rows(response)[1][1:]}
    else:
        bodies = {r[4] for r in csv_rows(response)[1:]}
    assert bodies == expected


def test_an_empty_export_still_has_its_headers(client_as, manager, w):
    _, rows = xlsx_rows(fetch(client_as(manager), "list_export_xlsx", "q=北京"))
    assert rows == [EXPORT_HEADERS]


# --- what a superior asks for: a title, the narrative, the contacts, where the date comes from


def column(rows, name):
    return [r[EXPORT_HEADERS.index(name)] for r in rows[1:]]


def test_the_xlsx_has_a_title_row_with_the_plan_the_filters_and_the_day(client_as, manager, w):
    response = fetch(
        client_as(manager), "list_export_xlsx", f"plan=lc&light=red&county={w['shen'].pk}"
    )
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet["A1"].value == (
        "《聊城市加快邮政快递业高质量发展实施方案》逾期与进度清单"
        "（筛选条件：县（市、区）：莘县；亮灯：红灯；截至2026年11月27日）"
    )
    assert [c.value for c in sheet[2]] == EXPORT_HEADERS
    assert sheet.auto_filter.ref.startswith("A2:")
    everything = load_workbook(io.BytesIO(fetch(client_as(manager), "list_export_xlsx").getvalue()))
    assert everything.active["A1"].value == "逾期与进度清单（筛选条件：全部；截至2026年11月27日）"


def test_a_filter_the_list_refuses_is_not_said_to_be_no_filter(client_as, manager, w):
    """A hand-edited or stale URL (a plan that no longer exists): the list ignores that filter
    and applies the others — the title row and the access record say which were applied."""
    from tracker.models import AccessRecord

    client = client_as(manager)
    query = f"plan=no-such-plan&county={w['shen'].pk}"
    response = fetch(client, "list_export_xlsx", query)
    sheet, rows = xlsx_rows(response)
    assert {r[4] for r in rows[1:]} == {"莘县"}
    assert sheet["A1"].value == "逾期与进度清单（筛选条件：县（市、区）：莘县；截至2026年11月27日）"
    assert AccessRecord.objects.get().filters == "县（市、区）：莘县"
    # The plan is named in the title when it applies, whatever else was refused.
    sheet, _ = xlsx_rows(fetch(client, "list_export_xlsx", "plan=lc&county=999999"))
    assert sheet["A1"].value.startswith(
        "《聊城市加快邮政快递业高质量发展实施方案》逾期与进度清单（筛选条件：全部；"
    )


def test_the_exports_carry_the_latest_narrative_cut_at_500_characters(
    client_as, manager, staff_b, w
):
    with frozen():
        file_report(w["park_shen"], staff_b, percent=50, text="第一次：完成选址。")
        file_report(w["park_shen"], staff_b, percent=60, text="园" * 600)
        file_report(w["delivery_shen"], staff_b, percent=85, text="=1+2 已完成 85%")
    client = client_as(manager)
    sheet, rows = xlsx_rows(fetch(client, "list_export_xlsx", f"county={w['shen'].pk}"))
    by_task = {r[2]: dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]}
    park = by_task["任务1：推进快递园区建设"]["最新进展"]
    assert len(park) == 500 and park == "园" * 499 + "…"
    # A narrative that looks like a formula is a plain string, shown without an apostrophe.
    assert by_task["任务2：完善城市末端配送"]["最新进展"] == "=1+2 已完成 85%"
    where = next(
        cell
        for cell in sheet[2 + 1 + list(by_task).index("任务2：完善城市末端配送")]
        if cell.value == "=1+2 已完成 85%"
    )
    assert where.data_type == "s" and where.quotePrefix
    narratives = column(
        csv_rows(fetch(client, "list_export_csv", f"county={w['shen'].pk}")), "最新进展"
    )
    assert "'=1+2 已完成 85%" in narratives


def test_the_exports_carry_the_bodys_leader_and_contacts(client_as, manager, w):
    shen = w["shen"]
    shen.leader, shen.contact_name, shen.contact_phone = "王某某 副县长", "李某", "0635-0000001"
    shen.save()
    client = client_as(manager)
    _, rows = xlsx_rows(fetch(client, "list_export_xlsx", f"county={shen.pk}"))
    for name, value in [
        ("责任人", "王某某 副县长"),
        ("联系人", "李某"),
        ("联系电话", "0635-0000001"),
    ]:
        assert set(column(rows, name)) == {value}
    csv = csv_rows(fetch(client, "list_export_csv", f"county={shen.pk}"))
    assert set(column(csv, "联系电话")) == {"0635-0000001"}


def test_the_exports_say_where_each_due_date_comes_from(client_as, manager, staff_b, w):
    from tracker.services import plan_edits

    with frozen():
        plan_edits.deadline_set(
            item=w["emergency"],
            user=manager,
            deadline=dt.date(2027, 6, 30),
            ongoing=False,
            reason="市政府常务会议纪要〔2026〕5号",
        )
        extension = reporting.extension_request_create(
            assignment=w["delivery_guan"],
            author=w["guan"].memberships.first().user,
            new_due=dt.date(2028, 3, 31),
            reason="用地审批未完成",
        )
        reporting.extension_decide(extension=extension, manager=manager, approve=True)
    _, rows = xlsx_rows(fetch(client_as(manager), "list_export_xlsx", "plan=lc"))
    source = {(r[2], r[4]): r[EXPORT_HEADERS.index("时限来源")] for r in rows[1:]}
    # One column for the due date's source, in the wording of the pages (provenance_text).
    assert EXPORT_HEADERS.count("时限来源") == 1 and "来源" not in EXPORT_HEADERS
    assert source[("任务1：推进快递园区建设", "莘县")] == "原文“2026年6月底前”"
    assert source[("任务3：建立应急保障机制", "市交通运输局")] == (
        "管理员确定（依据：市政府常务会议纪要〔2026〕5号）；原文：“长期坚持”"
    )
    assert source[("任务2：完善城市末端配送", "冠县")] == (
        "延期获批（依据：同意延期申请：用地审批未完成）；原文：“到2024年年底”"
    )


def test_each_row_says_what_its_assignment_says(client_as, manager, w):
    """The export reads plain values, not model instances (supervision.export_rows): each row
    still says what the assignment itself says — its date or why it has none
    (Assignment.is_ongoing), its labels, and where its date (Assignment.deadline_from,
    own_due_by_person) and its body (origin_place) come from: a date of the task, of a
    measure, of the task under a measure without one, one of its own the text states, and a
    body an administrator added."""
    from tracker.models import Assignment, with_due_reasons
    from tracker.states import Light

    with frozen():
        AssignmentFactory(
            task=w["park"],
            body=BodyFactory(name="市商务局"),
            due_date=dt.date(2026, 9, 30),
            due_text="9月底前",
            origin_ref="第12行",
        )
        AssignmentFactory(
            task=w["delivery"],
            body=BodyFactory(name="市财政局"),
            origin=Assignment.Origin.ADMIN,
            origin_reason="市政府批示",
        )
        drill = MeasureFactory(task=w["emergency"], number=1, text="开展应急演练。")
        AssignmentFactory(task=w["emergency"], measure=drill, body=BodyFactory(name="市应急局"))
    client = client_as(manager)
    _, rows = xlsx_rows(fetch(client, "list_export_xlsx", "plan=lc"))
    rows = [dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]]
    with frozen():
        assignments = with_due_reasons(listed(client, "plan=lc"))
    assert [r["责任单位"] for r in rows] == [a.body.name for a in assignments]
    for a, r in zip(assignments, rows, strict=True):
        due = dt.datetime.combine(a.due, dt.time()) if a.due else None
        assert r["完成时限"] == (due or ("长期坚持" if a.is_ongoing else "无明确时限"))
        assert r["角色"] == a.get_role_display()
        assert r["进展状态"] == a.get_status_display()
        assert r["销号状态"] == a.get_signoff_display()
        assert r["亮灯"] == Light(a.light).label
    by_body = {(r["任务"], r["责任单位"]): r for r in rows}
    own = by_body[("任务1：推进快递园区建设", "市商务局")]
    assert own["完成时限"] == dt.datetime(2026, 9, 30)
    assert own["时限来源"] == "原文“9月底前”（第12行）"
    assert own["责任单位来源"] == "原文（第12行）"
    added = by_body[("任务2：完善城市末端配送", "市财政局")]
    assert added["责任单位来源"] == "管理员确定（依据：市政府批示）"
    assert added["时限来源"] == f"原文“{w['delivery'].deadline_text}”"  # the task's
    lockers = by_body[("任务2：完善城市末端配送", "东阿县")]
    assert lockers["具体措施"] == "措施 2.1：推进智能快件箱（信包箱）进社区、进校园。"
    assert lockers["完成时限"] == dt.datetime(2026, 12, 10) and lockers["时限来源"] == "原文"
    under_ongoing = by_body[("任务3：建立应急保障机制", "市应急局")]
    assert under_ongoing["完成时限"] == "长期坚持"
    assert under_ongoing["时限来源"] == "原文“长期坚持”"


def test_dates_inside_the_reasons_are_written_as_offices_write_them(client_as, manager, w):
    """A reason quoted in an export writes its dates 2026年11月30日, as the date cells show
    them — also one recorded before reasons said dates so, or typed the ISO way — while the
    due date itself stays a real date in the xlsx."""
    from tracker.history import record_changes
    from tracker.models import ChangeRecord

    with frozen():
        extension = reporting.extension_request_create(
            assignment=w["delivery_guan"],
            author=w["guan"].memberships.first().user,
            new_due=dt.date(2028, 3, 31),
            reason="用地审批未完成",
        )
        reporting.extension_decide(
            extension=extension,
            manager=manager,
            approve=True,
            granted_due=dt.date(2028, 1, 31),
            reason="按2027-12-31会议意见",
        )
        # As an administrator's change was recorded before: the dates the ISO way.
        a = w["delivery_shen"]
        old = dt.date(2027, 12, 31)
        a.due_date = dt.date(2028, 6, 30)
        a.save(update_fields=["due_date"])
        record = ChangeRecord.objects.filter(assignment=w["delivery_guan"]).get()
        assert "申请延至2028年3月31日，同意延至2028年1月31日" in record.reason
        previous = type(a).objects.get(pk=a.pk)
        previous.due_date = old
        record_changes(
            user=manager,
            old=previous,
            new=a,
            via=ChangeRecord.Via.ADMIN,
            reason="2026-11-30 会议决定延至2028-06-30，9999-99-99 不是日期",
            fields=["due_date"],
        )
    client = client_as(manager)
    _, rows = xlsx_rows(fetch(client, "list_export_xlsx", "plan=lc"))
    due = EXPORT_HEADERS.index("完成时限")
    source = {(r[2], r[4]): (r[due], r[EXPORT_HEADERS.index("时限来源")]) for r in rows[1:]}
    guan_due, guan = source[("任务2：完善城市末端配送", "冠县")]
    assert guan_due == dt.datetime(2028, 1, 31)  # a real date cell
    assert guan.startswith(
        "延期获批（依据：同意延期申请（申请延至2028年3月31日，同意延至2028年1月31日）："
        "用地审批未完成（审批意见：按2027年12月31日会议意见）"
    ), guan
    shen_due, shen = source[("任务2：完善城市末端配送", "莘县")]
    assert shen_due == dt.datetime(2028, 6, 30)
    assert "2026年11月30日 会议决定延至2028年6月30日，9999-99-99 不是日期" in shen
    assert "2028-" not in guan + shen
    rows = csv_rows(fetch(client, "list_export_csv", "plan=lc"))
    text = {(r[2], r[4]): r[EXPORT_HEADERS.index("时限来源")] for r in rows[1:]}
    assert text[("任务2：完善城市末端配送", "莘县")] == shen
