"""The list's exports (.xlsx, .csv) hold exactly what the list shows: the same filters, the
same order, the same visibility, every page of it; in Chinese, with real dates, and nothing
anyone typed runs as a formula."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import AssignmentFactory, BodyFactory, TaskFactory
from tests.supervision_world import frozen, world
from tracker.services.supervision import EXPORT_HEADERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(staff_a, staff_b, staff_c):
    with frozen():
        return world(shen=staff_b.membership.body, guan=staff_c.membership.body)


def fetch(client, name, query=""):
    with frozen():
        response = client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 200
    return response


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


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
    assert sheet.freeze_panes == "A2"


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
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == EXPORT_HEADERS
    assert [r[4] for r in rows[1:]] == [a.body.name for a in listed(client, "light=yellow")]
    dates = {r[4]: r[8] for r in rows[1:]}
    assert dates["东阿县"] == "2026-12-10" and dates["市交通运输局"] == "长期坚持"


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
    _, rows = xlsx_rows(fetch(client, "list_export_xlsx", f"task={task.pk}"))
    assert rows[1][4] == "'@市某局"
    assert rows[1][2] == '任务7：=HYPERLINK("http://evil")'  # does not begin with =
    csv_row = csv_rows(fetch(client, "list_export_csv", f"task={task.pk}"))[1]
    assert csv_row[4] == "'@市某局"


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
