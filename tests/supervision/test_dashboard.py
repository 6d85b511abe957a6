"""The managers' dashboard (督查看板), the county × task matrix and the bulletin (通报): what
they count and rank, on a frozen day; the same number of queries for a small and a big plan;
and, on the Liaocheng fixture, red exactly where the due dates say."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.supervision_world import TODAY, big_plan, frozen, world
from tracker.models import Assignment, Milestone
from tracker.services.supervision import LIGHTS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "liaocheng-express-2024.json"


@pytest.fixture
def w(db):
    with frozen():
        yield world()


def get(client, url):
    with frozen():
        response = client.get(url)
    assert response.status_code == 200
    return response


# --- dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_each_light(client_as, manager, w):
    response = get(client_as(manager), reverse("dashboard"))
    counts = response.context["counts"]
    assert {k: counts[k] for k in ("red", "yellow", "green", "done", "total")} == {
        "red": 2,
        "yellow": 3,
        "green": 1,
        "done": 1,
        "total": 7,
    }
    assert counts["overdue"] == 2 and counts["due_soon"] == 1 and counts["silent"] == 2
    page = response.content.decode()
    assert "督查看板" in page and "红灯" in page and "2026-11-27" in page
    # Each count links to the list, filtered the same way.
    assert f"{reverse('assignment_list')}?plan=lc&amp;light=red" in page


def test_the_counts_agree_with_each_assignment_state(client_as, manager, w):
    counts = get(client_as(manager), reverse("dashboard")).context["counts"]
    with frozen():
        python = [a.state() for a in Assignment.objects.all()]
    # The database's totals (supervision.state_totals) are the Python states counted.
    expected = {light: sum(s.light == light for s in python) for light in LIGHTS}
    for flag in ("overdue", "due_soon", "behind_pace", "silent"):
        expected[flag] = sum(getattr(s, flag) for s in python)
    expected["total"] = len(python)
    assert counts == expected
    assert counts["red"] and counts["yellow"] and counts["green"]


def test_progress_per_category_uses_the_task_lights_and_roll_ups(client_as, manager, w):
    categories = get(client_as(manager), reverse("dashboard")).context["categories"]
    planning, governance = categories
    assert planning.category.title == "强化行业规划引领" and planning.tasks == 2
    # Task 1 is red (莘县 overdue); task 2 yellow (冠县 behind pace, 东阿县 due soon).
    assert planning.lights == {"red": 1, "yellow": 1, "green": 0, "done": 0}
    # Task 1: counties 40 % and 100 % → 70; task 2: 80 %, 5 % and, on its measure, 50 % → 45;
    # the category: (70 + 45) / 2, half up.
    assert planning.average == 58
    assert governance.lights["yellow"] == 1 and governance.average == 0


def test_the_league_table_puts_the_worst_body_first(client_as, manager, w):
    league = get(client_as(manager), reverse("dashboard")).context["league"]
    assert [line.body.name for line in league] == [
        "市邮政管理局",  # overdue, behind pace and silent
        "莘县",  # overdue and behind pace
        "东阿县",  # behind pace and due soon
        "冠县",  # behind pace
        "市交通运输局",  # silent
    ]
    shen = league[1]
    assert (shen.assignments, shen.overdue, shen.behind_pace, shen.silent) == (2, 1, 1, 0)
    assert [line.rank for line in league] == [1, 2, 3, 4, 5]


def test_the_dashboard_lists_the_longest_overdue_with_a_reminder_link(client_as, manager, w):
    client = client_as(manager)
    response = get(client, reverse("dashboard"))
    red = get(client, reverse("assignment_list") + "?light=red").context["page"]
    assert [a.pk for a in response.context["overdue"]] == [a.pk for a in red]
    assert {a.pk for a in red} == {w["park_lead"].pk, w["park_shen"].pk}
    page = response.content.decode()
    assert reverse("remind", args=[w["park_shen"].pk]) in page
    assert "150" in page  # days overdue since 2026-06-30


def test_the_longest_overdue_come_first_as_on_the_list_also_by_a_missed_milestone(
    client_as, manager, w
):
    # 冠县's share of task 2 is due at the end of 2027, but it missed a milestone long
    # before: it is overdue longest, on the dashboard as on the list (it was sorted by due
    # date alone, and came last or not at all).
    with frozen():
        Milestone.objects.create(
            task=w["delivery"],
            assignment=w["delivery_guan"],
            due=TODAY - dt.timedelta(days=400),
            text="完成选址",
        )
    client = client_as(manager)
    overdue = get(client, reverse("dashboard")).context["overdue"]
    red = get(client, reverse("assignment_list") + "?light=red").context["page"]
    assert [a.pk for a in overdue] == [a.pk for a in red]
    assert overdue[0].pk == w["delivery_guan"].pk and overdue[0].days_overdue == 400
    # The row says why: the missed milestone beside the due date.
    row = get(client, reverse("dashboard")).content.decode().split('class="overdue-top"')[1]
    first = row.split('<tr class="overdue">')[1].split("</tr>")[0]
    assert "2027-12-31" in first and "阶段性目标逾期" in first


def test_work_overdue_by_a_missed_milestone_without_a_due_date_is_listed_not_a_500(
    client_as, manager, w
):
    # Task 3 has no deadline; a missed milestone makes its work overdue. The overdue items
    # were sorted by due date, and None beside a date was a TypeError: every managers' page
    # with such work was a 500.
    with frozen():
        Milestone.objects.create(
            task=w["emergency"], due=TODAY - dt.timedelta(days=10), text="完成机制建设"
        )
    client = client_as(manager)
    overdue = get(client, reverse("dashboard")).context["overdue"]
    assert w["emergency_transport"].pk in [a.pk for a in overdue]
    for url in (
        reverse("dashboard") + "?plan=lc",
        reverse("matrix"),
        reverse("bulletin"),
        reverse("assignment_list") + "?light=red&o=due",
        reverse("assignment_list") + "?light=red&o=-due",
        reverse("list_export_csv") + "?light=red&o=due",
    ):
        get(client, url)


def test_an_unknown_plan_is_404(client_as, manager, w):
    with frozen():
        assert client_as(manager).get(reverse("dashboard") + "?plan=nope").status_code == 404


def test_all_plans_together_when_there_are_several(client_as, manager, w):
    with frozen():
        big_plan(2, slug="other")
    response = get(client_as(manager), reverse("dashboard"))
    assert response.context["plan"] is None
    assert response.context["counts"]["total"] == 7 + 2 * 6  # 2 tasks of lead, support, 4 counties
    only = get(client_as(manager), reverse("dashboard") + "?plan=lc")
    assert only.context["counts"]["total"] == 7


# --- matrix ---------------------------------------------------------------------------------


def test_the_matrix_has_a_row_per_broken_down_task_and_a_column_per_county(client_as, manager, w):
    response = get(client_as(manager), reverse("matrix"))
    (m,) = response.context["matrices"]
    assert [c.name for c in m.counties] == ["东阿县", "冠县", "莘县"]
    shape = [
        (row.task.number, row.measure.number if row.measure else None, row.light) for row in m.rows
    ]
    assert shape == [(1, None, "red"), (2, None, "yellow"), (2, 1, "yellow")]
    assert [[a.light if a else None for a in row.cells] for row in m.rows] == [
        [None, "done", "red"],
        [None, "yellow", "green"],
        ["yellow", None, None],
    ]
    assert m.red_per_county == [0, 0, 1]
    page = response.content.decode()
    # Each cell links to its assignment; supporting and lead bodies are not columns.
    assert reverse("assignment_detail", args=[w["park_shen"].pk]) in page
    assert "市邮政管理局" not in page


# --- bulletin -------------------------------------------------------------------------------


def overdue_groups(response):
    section = next(s for s in response.context["figures"]["sections"] if s["key"] == "overdue")
    return section["groups"]


def test_the_bulletin_ranks_bodies_by_overdue_items_on_the_chosen_day(client_as, manager, w):
    response = get(client_as(manager), reverse("bulletin") + "?date=2026-11-27&plan=lc")
    groups = overdue_groups(response)
    # As many items and days overdue: the bodies in their customary order (counties first).
    assert [(g["body"], len(g["items"])) for g in groups] == [("莘县", 1), ("市邮政管理局", 1)]
    page = response.content.decode()
    assert "关于《聊城市加快邮政快递业高质量发展实施方案》落实情况的通报" in page
    assert "截至2026年11月27日" in page and "推进快递园区建设" in page
    assert "四、逾期未完成" in page and "（一）莘县（1项）" in page


def test_a_later_day_brings_more_items_due_by_then(client_as, manager, w):
    response = get(client_as(manager), reverse("bulletin") + "?date=2026-12-31&plan=lc")
    groups = {g["body"]: g for g in overdue_groups(response)}
    assert len(groups["东阿县"]["items"]) == 1  # measure 2.1 was due 2026-12-10
    assert groups["东阿县"]["items"][0]["days_overdue"] == 21
    # Three bodies with one item each: the shortest overdue comes last.
    assert [g["body"] for g in overdue_groups(response)][-1] == "东阿县"


def test_a_bad_date_is_refused_with_a_message(client_as, manager, w):
    response = get(client_as(manager), reverse("bulletin") + "?date=2026-13-45")
    assert "有效的日期" in response.content.decode() or response.context["form"].errors


@pytest.mark.parametrize("day", ["9999-12-31", "1999-12-31", "2036-11-28"])
def test_a_date_out_of_range_is_refused_with_a_message(client_as, manager, w, day):
    response = get(client_as(manager), reverse("bulletin") + f"?date={day}")
    assert "截至日期应在 2000-01-01 至 2036-11-27 之间" in response.content.decode()
    assert response.context["day"] == TODAY


def test_the_range_ends_ten_years_from_today(client_as, manager, w):
    response = get(client_as(manager), reverse("bulletin") + "?date=2036-11-27&plan=lc")
    assert not response.context["form"].errors and response.context["day"] == dt.date(2036, 11, 27)


def test_the_bulletin_prints_without_the_page_around_it(client_as, manager, w):
    page = get(client_as(manager), reverse("bulletin")).content.decode()
    assert 'class="no-print"' in page and "data-print" in page
    assert "tracker/manage.js" in page and "<script>" not in page


# --- navigation -----------------------------------------------------------------------------


def test_managers_reach_the_dashboard_and_the_list_from_the_top_bar(client_as, manager, w):
    page = get(client_as(manager), reverse("plan_list")).content.decode()
    assert f'href="{reverse("dashboard")}"' in page
    assert f'href="{reverse("assignment_list")}"' in page


def test_body_staff_see_the_list_but_not_the_dashboard_in_the_top_bar(client_as, staff_b, w):
    page = get(client_as(staff_b), reverse("plan_list")).content.decode()
    assert f'href="{reverse("dashboard")}"' not in page
    assert f'href="{reverse("assignment_list")}"' in page


@pytest.mark.parametrize("name", ["dashboard", "matrix", "bulletin"])
def test_body_staff_may_not_open_the_managers_pages(client_as, staff_b, w, name):
    with frozen():
        assert client_as(staff_b).get(reverse(name)).status_code == 403


# --- query counts (the pages themselves: tests/supervision/test_manager_query_counts.py) ----------


def count_queries(client, url):
    with frozen(), CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_dashboard_of_all_plans_costs_the_same_with_more_plans(client_as, manager):
    # No plan chosen: each category is shown with its plan's title.
    with frozen():
        big_plan(2, slug="first")
        big_plan(2, slug="second")
    client = client_as(manager)
    two = count_queries(client, reverse("dashboard"))
    with frozen():
        big_plan(20, slug="third")
    response = get(client, reverse("dashboard"))
    assert response.context["plan"] is None and len(response.context["categories"]) == 6
    assert count_queries(client, reverse("dashboard")) == two


# --- the Liaocheng plan ---------------------------------------------------------------------


def red_from_the_fixture(data, today):
    """Independently of the app: effective due = the assignment's due date, else its
    measure's deadline, else its task's; red = due before today and not signed off. Work
    the plan has withdrawn is left out, as everywhere."""
    tasks, measures = {}, {}
    for row in data:
        f = row["fields"]
        if row["model"] == "tracker.task":
            tasks[(f["plan"][0], f["number"])] = f
        elif row["model"] == "tracker.measure":
            measures[(*f["task"], f["number"])] = f
    red = set()
    for row in data:
        if row["model"] != "tracker.assignment":
            continue
        f = row["fields"]
        task = tasks[tuple(f["task"])]
        measure = measures[tuple(f["measure"])] if f["measure"] else None
        if task["withdrawn"] or (measure and measure["withdrawn"]):
            continue
        due = f["due_date"] or (measure and measure["deadline"]) or task["deadline"]
        if due and dt.date.fromisoformat(due) < today and f["signoff"] != "signed_off":
            red.add((f["task"][1], f["measure"][2] if f["measure"] else None, f["body"][1]))
    return red


@pytest.mark.skipif(
    not FIXTURE.exists(),
    reason="fixtures/liaocheng-express-2024.json is not there yet (the lead generates it "
    "from seeds/ with `make fixtures`)",
)
def test_on_the_liaocheng_plan_red_is_exactly_what_the_due_dates_say(client_as, manager):
    call_command("loaddata", str(FIXTURE), verbosity=0)
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    expected = red_from_the_fixture(data, TODAY)
    assert expected, "the 2024 plan has work due before 2026-11-27"

    response = get(client_as(manager), reverse("dashboard"))
    assert response.context["counts"]["red"] == len(expected)
    # The red tile links to the list, which lists exactly these.
    listed = get(client_as(manager), reverse("assignment_list") + "?light=red")
    assert {
        (a.task.number, a.measure.number if a.measure_id else None, a.body.name)
        for a in listed.context["filter"].qs
    } == expected


# --- the task page: targets against reported values -----------------------------------------


def test_the_task_page_shows_each_body_reported_value_against_the_target(
    client_as, manager, staff_b, staff_c
):
    from tests.builders import file_report
    from tests.factories import TargetFactory

    with frozen():
        w = world(shen=staff_b.membership.body, guan=staff_c.membership.body)
        park = w["park"]
        target = TargetFactory(
            task=park, plan=w["plan"], number=1, description="建成快递园区", value=1, unit="处"
        )
        first = file_report(w["park_shen"], staff_b, values={target: 0})
        file_report(w["park_shen"], staff_b, values={target: 2}, corrects=first)
    page = get(client_as(manager), park.get_absolute_url()).content.decode()
    assert "各单位填报值" in page
    assert "莘县：<strong>2</strong> 处" in page and "达标" in page
    assert "莘县：<strong>0</strong>" not in page  # the corrected report's value is gone
    assert "1 个单位填报，1 个达标" in page
    # In English the count agrees with its noun: one body, not "1 bodies".
    english = client_as(manager)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page_en = get(english, park.get_absolute_url()).content.decode()
    assert "1 body reported, 1 met the goal" in page_en
    # 冠县 may not read 莘县's work on this task: it sees no value.
    other = get(client_as(staff_c), park.get_absolute_url()).content.decode()
    assert "莘县：<strong>" not in other


def test_each_plans_tasks_without_a_category_are_a_row_of_their_own(client_as, manager, db):
    # They were grouped by category alone: every plan's uncategorised tasks made one row,
    # and that row named no plan.
    from tests.factories import AssignmentFactory, PlanFactory, TaskFactory

    for slug, title in (("a", "甲方案"), ("b", "乙方案")):
        task = TaskFactory(plan=PlanFactory(slug=slug, title=title), category=None, number=1)
        AssignmentFactory(task=task)
    with frozen():
        response = client_as(manager).get(reverse("dashboard") + "?plan=")
    rows = response.context["categories"]
    assert sorted((c.plan.title, c.category, c.tasks) for c in rows) == [
        ("乙方案", None, 1),
        ("甲方案", None, 1),
    ]
    page = response.content.decode()
    assert "甲方案</span><br>未分类任务" in page and "乙方案</span><br>未分类任务" in page


def test_plans_come_by_the_reading_of_their_titles_on_every_page(client_as, manager, db):
    # 做 (zuo, U+505A) comes before 安 (an, U+5B89) by code point, after it by reading: the
    # pages that say 按名称排列 followed the code points.
    from tests.factories import AssignmentFactory, CountyFactory, PlanFactory, TaskFactory

    county = CountyFactory(name="莘县")
    for slug, title in (("zuo", "聊城市做好快递进村实施方案"), ("an", "聊城市安全生产实施方案")):
        plan = PlanFactory(slug=slug, title=title)
        AssignmentFactory(task=TaskFactory(plan=plan, number=1, deadline=TODAY), body=county)
    manager_client = client_as(manager)
    dashboard = get(manager_client, reverse("dashboard") + "?plan=")
    assert [c.plan.slug for c in dashboard.context["categories"]] == ["an", "zuo"]
    matrix = get(manager_client, reverse("matrix") + "?plan=")
    assert [m.plan.slug for m in matrix.context["matrices"]] == ["an", "zuo"]
    by_task = get(manager_client, reverse("assignment_list") + "?o=task")
    assert [a.task.plan.slug for a in by_task.context["page"]] == ["an", "zuo"]
    chooser = by_task.context["filter"].form.fields["plan"].widget.choices
    assert [slug for slug, _label in chooser[1:]] == ["an", "zuo"]
    # The bulletin of the day after: both overdue, one body, its items by plan.
    day = TODAY + dt.timedelta(days=1)
    bulletin = get(manager_client, reverse("bulletin") + f"?plan=&date={day}")
    (group,) = overdue_groups(bulletin)
    assert [item["plan"] for item in group["items"]] == [
        "聊城市安全生产实施方案",
        "聊城市做好快递进村实施方案",
    ]


def test_the_bulletin_says_why_it_counts_fewer_behind_pace_than_the_dashboard(
    client_as, manager, w
):
    # The dashboard counts the four behind pace; the bulletin lists two, the other two being
    # overdue (their own section). Nothing said why the numbers differed.
    dashboard = get(client_as(manager), reverse("dashboard") + "?plan=lc")
    assert dashboard.context["counts"]["behind_pace"] == 4
    bulletin = get(client_as(manager), reverse("bulletin") + "?date=2026-11-27&plan=lc")
    sections = {s["key"]: s["count"] for s in bulletin.context["figures"]["sections"]}
    assert sections["behind"] == 2 and sections["overdue"] == 2
    assert "已逾期或已报完成待审核销号的事项分别列入相应部分" in bulletin.content.decode()
