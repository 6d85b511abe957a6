"""The overdue and progress list (逾期与进度清单): every filter, the Chinese text search,
sorting, paging, the table fragment the script fetches, and what body staff may see."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.builders import set_own_due
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CountyFactory,
    MeasureFactory,
    PlanFactory,
    TaskFactory,
)
from tests.supervision_world import frozen, world
from tracker.models import Milestone

pytestmark = pytest.mark.django_db

URL = reverse("assignment_list")


@pytest.fixture
def w(staff_a, staff_b, staff_c):
    """The world of tests/supervision_world.py with staff_a at 市邮政管理局 (the lead of
    task 1), staff_b at 莘县 and staff_c at 冠县."""
    with frozen():
        return world(shen=staff_b.membership.body, guan=staff_c.membership.body)


def listed(client, query=""):
    with frozen():
        response = client.get(f"{URL}?{query}" if query else URL)
    assert response.status_code == 200
    return response


def ids(response):
    return [a.pk for a in response.context["page"]]


def named(w, *names):
    return {w[n].pk for n in names}


ALL = [
    "park_lead",
    "park_shen",
    "park_guan",
    "delivery_shen",
    "delivery_guan",
    "lockers_dong_e",
    "emergency_transport",
]


def test_managers_see_every_assignment_most_urgent_first(client_as, manager, w):
    response = listed(client_as(manager))
    assert set(ids(response)) == named(w, *ALL)
    lights = [a.light for a in response.context["page"]]
    assert lights == sorted(lights, key=["red", "yellow", "green", "done"].index)
    page = response.content.decode()
    assert "逾期与进度清单" in page and "推进快递园区建设" in page and "催办" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("plan=lc", ALL),
        ("task={park}", ["park_lead", "park_shen", "park_guan"]),
        ("category={governance}", ["emergency_transport"]),
        ("county={shen}", ["park_shen", "delivery_shen"]),
        ("body={post}", ["park_lead"]),
        ("role=lead", ["park_lead"]),
        ("role=support", ["emergency_transport"]),
        ("light=red", ["park_lead", "park_shen"]),
        ("light=yellow", ["delivery_guan", "lockers_dong_e", "emergency_transport"]),
        ("light=green", ["delivery_shen"]),
        ("light=done", ["park_guan"]),
        ("flag=overdue", ["park_lead", "park_shen"]),
        ("flag=due_soon", ["lockers_dong_e"]),
        ("flag=behind_pace", ["park_lead", "park_shen", "delivery_guan", "lockers_dong_e"]),
        ("flag=silent", ["park_lead", "emergency_transport"]),
        ("status=completed", ["park_guan"]),
        ("status=not_started", ["park_lead", "emergency_transport"]),
        ("signoff=signed_off", ["park_guan"]),
        ("due_after=2026-12-01&due_before=2026-12-31", ["lockers_dong_e"]),
        ("due_before=2026-07-01", ["park_lead", "park_shen", "park_guan"]),
        ("overdue_days=150", ["park_lead", "park_shen"]),
        ("overdue_days=151", []),
        ("overdue_days=0", ["park_lead", "park_shen"]),
        ("county={shen}&light=red", ["park_shen"]),
    ],
)
def test_each_filter(client_as, manager, w, query, expected):
    keys = {
        "park": w["park"].pk,
        "governance": w["emergency"].category_id,
        "shen": w["shen"].pk,
        "post": w["post"].pk,
    }
    response = listed(client_as(manager), query.format(**keys))
    assert set(ids(response)) == named(w, *expected)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("园区", ["park_lead", "park_shen", "park_guan"]),  # task title (and source text)
        ("末端配送", ["delivery_shen", "delivery_guan", "lockers_dong_e"]),  # task title
        ("信包箱", ["lockers_dong_e"]),  # measure text only
        ("寄递渠道", ["emergency_transport"]),  # task source text only
        ("莘", ["park_shen", "delivery_shen"]),  # body name, one character
        ("交通运输", ["emergency_transport"]),  # body name
        ("园区 莘县", ["park_shen"]),  # every word must match
        ("  应急  ", ["emergency_transport"]),
        ("%", []),  # LIKE's wildcards are plain characters
        ("_", []),
        ("北京", []),
    ],
)
def test_chinese_substring_search(client_as, manager, w, q, expected):
    response = listed(client_as(manager), f"q={q}")
    assert set(ids(response)) == named(w, *expected)


def test_latin_search_ignores_case(client_as, manager, w):
    with frozen():
        task = TaskFactory(plan=w["plan"], number=9, title="推进OFD电子文件应用")
        a = AssignmentFactory(task=task, body=BodyFactory(name="市大数据局"))
    assert ids(listed(client_as(manager), "q=ofd")) == [a.pk]


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("due", lambda a: (a.due is None, a.due)),
        ("-due", lambda a: (a.due is None, -a.due.toordinal() if a.due else 0)),
        ("percent", lambda a: a.percent),
        ("-percent", lambda a: -a.percent),
        ("-overdue", lambda a: (a.days_overdue is None, -(a.days_overdue or 0))),
        ("light", lambda a: a.light_rank),
    ],
)
def test_sorting_by_a_column_keeps_empty_values_last(client_as, manager, w, sort, key):
    rows = list(listed(client_as(manager), f"o={sort}").context["page"])
    assert [key(a) for a in rows] == sorted(key(a) for a in rows)
    if sort in ("due", "-due"):
        assert rows[-1].due is None  # the ongoing task


def test_a_sort_header_asks_for_the_other_direction_and_keeps_the_filters(client_as, manager, w):
    page = listed(client_as(manager), "light=red&o=due&page=1").content.decode()
    assert 'href="?light=red&amp;o=-due"' in page  # descending next; back to page 1
    assert 'href="?light=red&amp;o=percent"' in page
    assert "▲" in page


def test_pages_of_fifty(client_as, manager, w):
    with frozen():
        task = TaskFactory(plan=w["plan"], number=8, title="批量任务")
        for _ in range(60):
            AssignmentFactory(task=task, body=BodyFactory())
    first = listed(client_as(manager), "task=" + str(task.pk))
    assert len(ids(first)) == 50 and first.context["page"].paginator.num_pages == 2
    second = listed(client_as(manager), f"task={task.pk}&page=2")
    assert len(ids(second)) == 10 and not set(ids(first)) & set(ids(second))
    assert f'href="?task={task.pk}&amp;page=2"' in first.content.decode()


def test_the_filter_state_is_in_the_url_and_shown_in_the_form(client_as, manager, w):
    page = listed(client_as(manager), "q=园区&light=red&overdue_days=10").content.decode()
    assert 'value="园区"' in page
    assert '<option value="red" selected>' in page
    assert 'value="10"' in page
    # Exports carry the same filters.
    assert f"{reverse('list_export_xlsx')}?q=%E5%9B%AD%E5%8C%BA&amp;light=red" in page


def test_a_bad_filter_value_gets_a_message_and_is_ignored(client_as, manager, w):
    response = listed(client_as(manager), "light=purple&overdue_days=-3&due_after=昨天")
    page = response.content.decode()
    assert set(ids(response)) == named(w, *ALL)
    assert page.count('role="alert"') == 3


def test_the_script_gets_just_the_table(client_as, manager, w):
    with frozen():
        response = client_as(manager).get(URL + "?light=red", headers={"X-Partial": "results"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page
    assert '<table class="list">' in page and "共 2 项" in page
    assert "X-Partial" in response["Vary"]
    full = listed(client_as(manager), "light=red").content.decode()
    assert "<html" in full and 'id="results"' in full and "tracker/manage.js" in full
    assert "<script>" not in full  # no inline script: the CSP forbids it


def test_body_staff_see_their_own_work(client_as, staff_b, w):
    response = listed(client_as(staff_b))
    assert set(ids(response)) == named(w, "park_shen", "delivery_shen")
    page = response.content.decode()
    assert "催办" not in page  # only managers chase


def test_the_lead_body_also_sees_the_work_it_leads(client_as, staff_a, w):
    response = listed(client_as(staff_a))
    assert set(ids(response)) == named(w, "park_lead", "park_shen", "park_guan")


def test_filters_cannot_widen_what_body_staff_see(client_as, staff_c, w):
    assert set(ids(listed(client_as(staff_c)))) == named(w, "park_guan", "delivery_guan")
    own = named(w, "park_guan", "delivery_guan")
    # Another body is not even offered: the filter refuses it and lists no more than before.
    assert set(ids(listed(client_as(staff_c), f"body={w['transport'].pk}"))) <= own
    assert set(ids(listed(client_as(staff_c), f"county={w['shen'].pk}"))) <= own


def test_users_without_a_body_see_an_empty_list(client_as, w):
    from tests.factories import UserFactory

    assert ids(listed(client_as(UserFactory(username="nobody")))) == []


def test_withdrawn_work_is_not_listed(client_as, manager, w):
    w["emergency"].withdrawn = True
    w["emergency"].save()
    assert w["emergency_transport"].pk not in ids(listed(client_as(manager)))


def every_row(client, query):
    """All the rows of every page of the list, in order."""
    first = listed(client, query)
    rows = list(first.context["page"])
    for n in range(2, first.context["page"].paginator.num_pages + 1):
        rows += list(listed(client, f"{query}&page={n}").context["page"])
    return rows


def test_the_overdue_filters_keep_the_default_order(client_as, manager, w):
    """light=red, flag=overdue and overdue_days read the overdue index in its own order
    (AssignmentQuerySet.overdue_first): the rows and their order, over several pages, are
    still those of the default order's red rows."""
    with frozen():
        task = TaskFactory(
            plan=w["plan"], number=8, title="批量任务", deadline=dt.date(2025, 6, 30)
        )
        measure = MeasureFactory(
            task=task, number=1, text="分项", deadline=dt.date(2025, 3, 31), deadline_source="text"
        )
        for i in range(90):
            a = AssignmentFactory(
                task=task, measure=measure if i % 3 == 0 else None, body=BodyFactory()
            )
            if i % 4 == 1:
                set_own_due(a, dt.date(2025, 1, 1) + dt.timedelta(days=i * 3))
            if i % 7 == 3:
                set_own_due(a, dt.date(2027, 6, 30))
            if i % 5 == 2:
                Milestone.objects.create(
                    task=task,
                    assignment=a,
                    due=dt.date(2024, 12, 1) + dt.timedelta(days=i % 2),
                    text="阶段目标",
                )
    client = client_as(manager)
    red = [a for a in every_row(client, "") if a.light == "red"]
    assert len(red) > 60  # more than one page
    assert len({a.days_overdue for a in red}) > 10 and len({a.due for a in red}) > 10
    by_pk = [a.pk for a in red]
    assert [a.pk for a in every_row(client, "light=red")] == by_pk
    assert [a.pk for a in every_row(client, "flag=overdue")] == by_pk
    at_least = [a.pk for a in red if a.days_overdue >= 600]
    assert 0 < len(at_least) < len(red)
    assert [a.pk for a in every_row(client, "overdue_days=600")] == at_least
    # A sort the user chose still applies.
    by_percent = every_row(client, "light=red&o=-percent")
    assert {a.pk for a in by_percent} == set(by_pk) and by_percent != red


def test_with_a_plan_chosen_the_bodies_offered_are_those_with_work_in_it(client_as, manager, w):
    # The picker listed every body of every plan: choosing one of another plan listed
    # nothing. The body already chosen stays offered, so the form shows what filters.
    other = TaskFactory(
        plan=PlanFactory(slug="other", title="另一方案"), number=1, title="别的任务"
    )
    stranger = BodyFactory(name="外方案单位")
    AssignmentFactory(task=other, body=stranger)
    plan = w["plan"]

    def offered(query):
        field = listed(client_as(manager), query).context["filter"].form["body"]
        return [str(label) for value, label in field.field.widget.choices if value]

    assert "外方案单位" in offered("")
    in_plan = offered(f"plan={plan.slug}")
    assert "外方案单位" not in in_plan and in_plan
    assert "外方案单位" in offered(f"plan={plan.slug}&body={stranger.pk}")
    # A value that is no key is refused by the filter, not turned into an error.
    for bad in ("²", "9" * 30, "x"):
        assert listed(client_as(manager), f"plan={plan.slug}&body={bad}").status_code == 200


def test_bodies_of_the_same_name_are_told_apart_by_their_place(client_as, manager, w):
    # 区发展改革委 of two districts were two identical options, and two identical lines of
    # the dashboard's league table.
    for place in ("黄浦区", "静安区"):
        AssignmentFactory(
            task=TaskFactory(plan=PlanFactory(slug=place, title=f"{place}方案"), number=1),
            body=BodyFactory(name="区发展改革委", jurisdiction=place),
        )
    field = listed(client_as(manager)).context["filter"].form["body"].field
    labels = [str(label) for value, label in field.widget.choices if value]
    assert "区发展改革委（黄浦区）" in labels and "区发展改革委（静安区）" in labels
    assert "莘县" in labels  # a name nobody else has stays as it is
    with frozen():
        league = client_as(manager).get("/dashboard/?plan=").context["league"]
    assert {"区发展改革委（黄浦区）", "区发展改革委（静安区）"} <= {x.body.label for x in league}


def test_a_collective_says_so_where_counties_are_offered(client_as, manager, w):
    # 各街道 (every street office as one body, kind county) was offered among the counties as
    # if it were one of them.
    AssignmentFactory(
        task=TaskFactory(plan=PlanFactory(slug="jd", title="街道方案"), number=1),
        body=CountyFactory(name="各街道", collective=True),
    )
    field = listed(client_as(manager)).context["filter"].form["county"].field
    labels = [str(label) for value, label in field.widget.choices if value]
    assert "各街道（统称）" in labels and "莘县" in labels
