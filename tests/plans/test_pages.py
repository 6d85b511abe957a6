import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CategoryFactory,
    CountyFactory,
    MeasureFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
)
from tracker.models import Task
from tracker.services import supervision

pytestmark = pytest.mark.django_db


def build_plan(n_tasks, slug="p"):
    """A plan with n tasks in two categories, each with measures, bodies and a target."""
    plan = PlanFactory(slug=slug)
    cats = [CategoryFactory(plan=plan, number=1), CategoryFactory(plan=plan, number=2)]
    lead = BodyFactory(name="市邮政管理局")
    counties = CountyFactory.create_batch(8)
    for i in range(1, n_tasks + 1):
        task = TaskFactory(plan=plan, category=cats[i % 2], number=i)
        AssignmentFactory(task=task, body=lead, role="lead", origin="review", origin_reason="职责")
        AssignmentFactory(task=task, body=counties[i % 8], role="responsible")
        measure = MeasureFactory(task=task, number=1)
        AssignmentFactory(task=task, measure=measure, body=BodyFactory(), role="support")
        TargetFactory(task=task, plan=plan, number=i)
    return plan


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        lambda slug: reverse("plan_overview", args=[slug]),
        lambda slug: reverse("task_detail", args=[slug, 2]),
    ],
    ids=["overview", "task"],
)
def test_page_query_count_does_not_grow_with_the_plan(client_as, staff_a, url):
    client = client_as(staff_a)
    build_plan(2, slug="small")
    build_plan(20, slug="large")
    assert count_queries(client, url("small")) == count_queries(client, url("large"))


def test_overview_lists_categories_tasks_deadlines_and_bodies(client_as, staff_a):
    plan = PlanFactory(slug="lc", title="聊城市加快邮政快递业高质量发展实施方案")
    cat = CategoryFactory(plan=plan, number=1, title="强化行业规划引领")
    park = TaskFactory(plan=plan, category=cat, number=2, title="推进快递园区建设")
    TaskFactory(
        plan=plan,
        category=cat,
        number=1,
        title="出台行业专项规划",
        deadline=None,
        deadline_text="",
        deadline_source="",
    )
    AssignmentFactory(
        task=park,
        body=BodyFactory(name="市邮政管理局"),
        role="lead",
        origin="review",
        origin_reason="行业主管部门",
    )
    AssignmentFactory(task=park, body=CountyFactory(name="莘县"), role="responsible")
    page = client_as(staff_a).get(reverse("plan_overview", args=["lc"])).content.decode()
    assert "第1类 强化行业规划引领" in page
    assert "推进快递园区建设" in page and "2024-12-31" in page and "到2024年年底" in page
    assert "无明确时限" in page
    assert "市邮政管理局" in page and "莘县" in page
    assert "管理员确定" in page and "行业主管部门" in page  # a person decided the lead
    assert "逾期" in page  # 2024-12-31 has passed


def test_task_page_shows_source_measures_bodies_and_targets(client_as, manager):
    plan = PlanFactory(
        source_name="page.txt", source_text="\n" * 104 + "提 升农村服务网络。\n巩固快递进村成果。\n"
    )
    task = TaskFactory(
        plan=plan,
        number=4,
        title="提升农村服务网络",
        source_text="提升农村服务网络。\n巩固快递进村成果。",
        first_line=105,
        last_line=106,
    )
    m = MeasureFactory(
        task=task,
        text="巩固“快递进村”成果，合理布局村级快递站点。",
        deadline=dt.date(2025, 6, 30),
        deadline_text="2025年6月底前",
        deadline_source="text",
    )
    AssignmentFactory(
        task=task, measure=m, body=CountyFactory(name="冠县"), origin="named", origin_line=107
    )
    TargetFactory(task=task, description="至少建成1处快递园区", value=1, unit="处")
    page = client_as(manager).get(task.get_absolute_url()).content.decode()
    for text in [
        "提升农村服务网络",
        "合理布局村级快递站点",
        "2025年6月底前",
        "冠县",
        "原文（第107行）",
        "提 升农村服务网络",
        "page.txt 第105–106行",
        "至少建成1处快递园区",
        "不少于 1 处",
        "每个县（市、区）",
        "105",
    ]:
        assert text in page, text


def test_html_in_plan_text_is_shown_as_text(client_as, staff_a):
    task = TaskFactory(title="<script>alert(1)</script>")
    page = client_as(staff_a).get(task.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


def test_unknown_plan_or_task_is_404(client_as, staff_a):
    client = client_as(staff_a)
    assert client.get(reverse("plan_overview", args=["nope"])).status_code == 404
    task = TaskFactory()
    assert client.get(reverse("task_detail", args=[task.plan.slug, 99])).status_code == 404


def test_home_goes_to_the_only_plan(client_as):
    plan = PlanFactory()
    user = UserFactory(username="nobody")  # neither body staff nor manager
    assert client_as(user).get("/").url == plan.get_absolute_url()


def test_home_takes_managers_to_the_dashboard(client_as, manager, admin_user):
    PlanFactory()
    assert client_as(manager).get("/").url == reverse("dashboard")
    assert client_as(admin_user).get("/").url == reverse("dashboard")


def test_home_takes_body_staff_to_their_work(client_as, staff_a):
    PlanFactory()
    assert client_as(staff_a).get("/").url == reverse("my_work")


def test_withdrawn_work_has_no_light_and_the_pages_agree_with_overdue(client_as, manager):
    today = timezone.localdate()
    plan = PlanFactory(slug="w")
    gone = TaskFactory(plan=plan, number=1, deadline=dt.date(2024, 12, 31), withdrawn=True)
    AssignmentFactory(task=gone, body=CountyFactory(name="东阿县"))
    TaskFactory(plan=plan, number=2, deadline=dt.date(2024, 12, 31))  # nobody on it: red
    kept = TaskFactory(plan=plan, number=3, deadline=dt.date(2030, 12, 31))
    dropped = MeasureFactory(
        task=kept, number=1, deadline=dt.date(2024, 6, 30), deadline_source="text", withdrawn=True
    )
    AssignmentFactory(task=kept, measure=dropped, body=CountyFactory(name="冠县"))
    live = MeasureFactory(
        task=kept, number=2, deadline=dt.date(2024, 6, 30), deadline_source="text"
    )
    AssignmentFactory(task=kept, measure=live, body=CountyFactory(name="莘县"))
    client = client_as(manager)

    overview = client.get(reverse("plan_overview", args=["w"]))
    on_overview = {
        t.number for _, tasks in overview.context["groups"] for t in tasks if t.is_overdue
    }
    pages = {n: client.get(reverse("task_detail", args=["w", n])) for n in (1, 2, 3)}
    red_pages = {n for n, page in pages.items() if page.context["task_light"] == "red"}
    overdue = set(Task.objects.overdue(today).values_list("number", flat=True))
    assert on_overview == red_pages == overdue == {2, 3}
    assert pages[1].context["task_light"] is None
    assert "红灯" not in pages[1].content.decode()
    # On task 3: the withdrawn measure and its assignment have no light and are not overdue.
    measures = {m.number: m for m in pages[3].context["measures"]}
    assert (measures[1].light, measures[2].light) == (None, "red")
    (on_dropped,) = measures[1].assignment_list
    assert on_dropped.light is None and not on_dropped.is_overdue
    assert pages[3].context["rollup"].units == 1  # 莘县 only


def test_a_withdrawn_task_has_no_progress_light(manager):
    """Its assignments are overdue by their dates and have reported, yet the withdrawn task
    shows no light and its roll-up counts none of them."""
    today = timezone.localdate()
    task = TaskFactory(deadline=dt.date(2024, 12, 31), withdrawn=True)
    for name in ("莘县", "冠县"):
        AssignmentFactory(task=task, body=CountyFactory(name=name), percent=60)
    assignments = list(task.assignments.select_related("body").with_state(today))
    assert len(assignments) == 2
    progress = supervision.task_progress(manager, task, assignments, today)
    assert progress["task_light"] is None and progress["rollup"].units == 0


def test_forbidden_and_missing_pages_speak_chinese(client_as, staff_a):
    client = client_as(staff_a)
    forbidden = client.get("/import/")
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()
    missing = client.get("/plans/no-such-plan/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


def test_ongoing_work_reads_as_ongoing_in_lists(client_as, manager):
    # The export says so too: tests/test_exports_views.py.
    task = TaskFactory(deadline=None, deadline_text="", deadline_source="review", ongoing=True)
    a = AssignmentFactory(task=task)
    assert a.is_ongoing
    assert "长期坚持" in client_as(manager).get("/list/").content.decode()


def test_a_single_source_line_reads_as_one_line(client_as, staff_a):
    plan = PlanFactory(source_name="p.txt", source_text="\n" * 9 + "推进快递园区建设。\n")
    task = TaskFactory(plan=plan, first_line=10, last_line=10)
    page = client_as(staff_a).get(task.get_absolute_url()).content.decode()
    assert "p.txt 第10行" in page and "第10–10行" not in page


class _Nesting(HTMLParser):
    """Block elements a browser will not keep inside an open <p>: it closes the paragraph
    before them, so what followed in the paragraph lands on a line of its own."""

    BLOCKS = {"details", "div", "section", "ul", "ol", "table", "form", "h1", "h2", "h3", "p"}

    def __init__(self):
        super().__init__()
        self.open_p = 0
        self.broken = []

    def handle_starttag(self, tag, attrs):
        if self.open_p and tag in self.BLOCKS:
            self.broken.append(tag)
        if tag == "p":
            self.open_p += 1

    def handle_endtag(self, tag):
        if tag == "p" and self.open_p:
            self.open_p -= 1


def test_the_overview_keeps_the_calendar_and_its_provenance_on_one_line(client_as, admin_user):
    plan = PlanFactory(
        report_rhythm="monthly",
        report_day=25,
        report_rule_source="admin",
        report_rule_reason="市政府办公室通知",
        extension_cap=2,
    )
    html = client_as(admin_user).get(plan.get_absolute_url()).content.decode()
    assert "每月25日前" in html and "市政府办公室通知" in html
    parser = _Nesting()
    parser.feed(html)
    assert parser.broken == []
