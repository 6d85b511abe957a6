"""Every list and dashboard page costs the same number of queries with 2 plans as with 20,
and its HTML does not grow with the number of plans beyond its page size (issue 10: a
province tracks hundreds of plans). The page sizes are made small here, so that 2 plans
already fill a page: what the page then adds for 18 more plans is only a pager and bigger
numbers. The world is built once for the module: 2 plans, measured, then 18 more."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.builders import file_report
from tests.conftest import shared_world
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CategoryFactory,
    CountyFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
    make_manager,
)
from tests.supervision_world import NOON, TODAY, frozen
from tracker.services import reminders, reporting

pytestmark = pytest.mark.django_db

SMALL_PAGES = [
    ("tracker.views.supervision.PAGE_SIZE", 3),
    ("tracker.views.supervision.DASHBOARD_PLANS", 2),
    ("tracker.views.supervision.MATRIX_PLANS", 1),
    ("tracker.views.supervision.BULLETIN_ITEMS_SHOWN", 2),
    ("tracker.services.supervision.SECTION_LIMIT", 1),
    ("tracker.views.supervision.LETTERS_SHOWN", 2),
    ("tracker.views.supervision.OVERDUE_SHOWN", 2),
    ("tracker.views.reporting.WORK_PAGE", 3),
    ("tracker.views.reporting.LED_SHOWN", 3),
    ("tracker.views.reporting.REVIEW_SHOWN", 1),
    ("tracker.views.reporting.TODO_PAGE", 3),
    ("tracker.views.plans.PLANS_PAGE", 5),
    ("tracker.forms.supervision.PLAN_CHOICES", 3),
]
DAY = TODAY.isoformat()
MANAGER_PAGES = {
    "list": "/list/",
    "list-red": "/list/?light=red&o=-overdue",
    "list-plan": "/list/?plan=scale-1",
    "list-body": "/list/?body={county}",
    "list-filters": "/list/?plan=scale-1&category={category}&role=responsible&status=in_progress",
    "dashboard": "/dashboard/?plan=",
    "dashboard-plan": "/dashboard/?plan=scale-1",
    "matrix": "/dashboard/matrix/?plan=",
    "matrix-plan": "/dashboard/matrix/?plan=scale-1",
    "bulletin": f"/dashboard/bulletin/?plan=&date={DAY}",
    "bulletin-plan": f"/dashboard/bulletin/?plan=scale-1&date={DAY}",
    "compose": f"/bulletins/new/?plan=scale-1&date={DAY}",
    "bulletins": "/bulletins/",
    "plans": "/plans/",
    "plan": "/plans/scale-1/",
    "task": "/plans/scale-1/tasks/1/",
    "assignment": "/assignments/{assignment}/",
    "todo": "/review/",
    "bodies": "/bodies/",
    "xlsx": "/list/export.xlsx?light=red",
    "csv": "/list/export.csv",
}
STAFF_PAGES = {
    "work": "/work/",
    "staff-list": "/list/",
    "staff-bulletins": "/bulletins/",
    "staff-assignment": "/assignments/{assignment}/",
}
# The lead department's: the others' work on what it leads and their requests to review.
LEAD_PAGES = {"lead-work": "/work/"}
DOWNLOADS = {"xlsx", "csv"}


class World:
    def __init__(self):
        self.lead = BodyFactory(name="市邮政管理局")
        self.counties = [CountyFactory(name=n) for n in ("莘县", "冠县")]
        self.lead_user = MembershipFactory(user=UserFactory(username="lead"), body=self.lead).user
        self.clerks = [
            MembershipFactory(user=UserFactory(username=f"clerk{i}"), body=c).user
            for i, c in enumerate(self.counties)
        ]
        self.manager = make_manager()
        self.plans = 0
        # What the pages with an object in their URL show (all of the first plan).
        self.ids: dict[str, int] = {"county": self.counties[0].pk}

    def add_plans(self, n):
        """n plans of 2 tasks (one overdue, one not), each led by the same department and
        broken down to the same two counties; reports, a completion, an extension request
        and a 督办函 on each plan: every page has something of each plan to show."""
        for _ in range(n):
            self.plans += 1
            # Each plan a minute later: the queues (待办) interleave the plans' requests.
            with frozen(NOON + dt.timedelta(minutes=self.plans)):
                self.add_plan()
        self.issue_bulletin()

    def add_plan(self):
        # Titles of their own, not the factory's sequence (which earlier tests move on): the
        # plan chooser lists the first PLAN_CHOICES by title, and scale-1, chosen on the
        # pages, is one of them with 2 plans as with 20 (one more query when it is not).
        plan = PlanFactory(
            slug=f"scale-{self.plans}",
            title=f"规模测试方案{self.plans:03d}",
            start_date=dt.date(2026, 1, 1),
        )
        category = CategoryFactory(plan=plan, number=1)
        for number, deadline in ((1, dt.date(2026, 6, 30)), (2, dt.date(2027, 6, 30))):
            task = TaskFactory(plan=plan, category=category, number=number, deadline=deadline)
            AssignmentFactory(task=task, body=self.lead, role="lead")
            shares = [AssignmentFactory(task=task, body=c) for c in self.counties]
            self.ids.setdefault("assignment", shares[0].pk)
            self.ids.setdefault("category", category.pk)
            for clerk, a in zip(self.clerks, shares, strict=True):
                file_report(a, clerk, percent=30, as_of=TODAY - dt.timedelta(days=5))
            if number == 1:
                # Done, waiting for the lead department's review (牵头单位初审).
                file_report(shares[1], self.clerks[1], status="completed", percent=100)
        first, second = shares
        file_report(first, self.clerks[0], status="completed", percent=100, as_of=TODAY)
        reporting.lead_review_decide(
            assignment=first, reviewer=self.lead_user, body=self.lead, passed=True, opinion="同意"
        )
        reporting.extension_request_create(
            assignment=second,
            author=self.clerks[1],
            new_due=dt.date(2027, 12, 31),
            reason="用地审批",
        )
        reminders.remind(
            assignment=second,
            sender=self.manager,
            message="请回复。",
            level="letter",
            doc_number=f"聊督办函〔2026〕{self.plans}号",
            reply_by=TODAY - dt.timedelta(days=1),
        )

    def issue_bulletin(self):
        from tracker.services import bulletins

        texts = bulletins.default_texts(None, TODAY)
        bulletins.issue(user=self.manager, plan=None, day=TODAY, **texts)


def measure(world):
    """{page: (queries, bytes)} for each page, as each person opens it (after a first page:
    a session's first page costs more)."""
    result = {}
    for pages, user in (
        (MANAGER_PAGES, world.manager),
        (STAFF_PAGES, world.clerks[0]),
        (LEAD_PAGES, world.lead_user),
    ):
        client = Client()
        client.force_login(user)
        client.get("/plans/")
        for key, url in pages.items():
            with frozen(), CaptureQueriesContext(connection) as ctx:
                response = client.get(url.format(**world.ids))
                body = (
                    response.getvalue()
                    if hasattr(response, "streaming_content")
                    else response.content
                )
            assert response.status_code == 200, (key, response.status_code)
            result[key] = (len(ctx.captured_queries), len(body))
    return result


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    patch = pytest.MonkeyPatch()
    for name, value in SMALL_PAGES:
        patch.setattr(name, value)
    try:
        with shared_world(django_db_blocker), frozen():
            world = World()
            world.add_plans(2)
            two = measure(world)
            world.add_plans(18)
            twenty = measure(world)
            yield two, twenty
    finally:
        patch.undo()


PAGES = [*MANAGER_PAGES, *STAFF_PAGES, *LEAD_PAGES]


@pytest.mark.parametrize("page", PAGES)
def test_the_same_queries_with_2_and_20_plans(measured, page):
    two, twenty = measured
    assert twenty[page][0] == two[page][0]


@pytest.mark.parametrize("page", [p for p in PAGES if p not in DOWNLOADS])
def test_the_html_does_not_grow_with_the_plans(measured, page):
    two, twenty = measured
    # Ten times the plans: at most a pager and longer numbers more.
    assert twenty[page][1] - two[page][1] < 1500, (two[page][1], twenty[page][1])
