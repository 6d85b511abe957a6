"""Every list page of progress reporting costs the same number of queries with 2 and with 20
assignments and reports: 我的任务, 待办, an assignment's record and a task's page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import PDF, PNG, file_report, upload
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
)
from tracker import services
from tracker.models import ChangeRecord

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def build(n, lead_body, staff, slug):
    """n tasks led by `lead_body`; on each, a measure that `staff`'s body and another body
    answer for, each with a report carrying evidence and a target value; every other one asks
    for sign-off, the rest for an extension. Returns the first task and `staff`'s first
    assignment."""
    plan = PlanFactory(slug=slug)
    first = None
    for i in range(1, n + 1):
        task = TaskFactory(plan=plan, number=i, deadline=dt.date(2030, 12, 31))
        measure = MeasureFactory(task=task, number=1)
        target = TargetFactory(task=task, plan=plan, number=i)
        AssignmentFactory(task=task, body=lead_body, role="lead")
        other = MembershipFactory(user=UserFactory(), body=BodyFactory()).user
        for who in (staff, other):
            a = AssignmentFactory(task=task, measure=measure, body=who.membership.body)
            done = i % 2 == 0
            file_report(
                a,
                who,
                status="completed" if done else "in_progress",
                percent=100 if done else 40,
                values={target: 1},
                files=[upload("验收.pdf", PDF), upload("现场.png", PNG)],
            )
            if not done:
                services.extension_request_create(
                    assignment=a, author=who, new_due=dt.date(2031, 6, 30), reason="用地"
                )
            first = first or a
    return first.task, first


def deep_history(assignment, staff, manager, n):
    """n reports on one assignment, with corrections, decisions, extensions and changes."""
    for pending in assignment.extension_requests.pending():
        services.extension_decide(extension=pending, manager=manager, approve=False, reason="否")
    previous = None
    for i in range(n):
        report = file_report(
            assignment,
            staff,
            percent=10 + i,
            corrects=previous if i % 3 == 2 else None,
            files=[upload(f"第{i}份.pdf", PDF)],
        )
        previous = report
        ext = services.extension_request_create(
            assignment=assignment,
            author=staff,
            new_due=dt.date(2031, 1, 1) + dt.timedelta(days=i),
            reason=f"第{i}次",
        )
        services.extension_decide(extension=ext, manager=manager, approve=True)
    file_report(assignment, staff, status="completed", percent=100)
    services.signoff_decide(assignment=assignment, manager=manager, approve=False, reason="补材料")
    assert ChangeRecord.objects.filter(assignment=assignment).count() == n


@pytest.mark.parametrize("role", ["staff_a", "staff_b", "manager"])
def test_my_work_and_the_queue_cost_the_same_with_2_and_20(
    request, client_as, staff_a, staff_b, role
):
    user = request.getfixturevalue(role)
    client = client_as(user)
    url = reverse("review_queue") if role == "manager" else reverse("my_work")
    build(2, staff_a.membership.body, staff_b, "first")
    with_2 = count_queries(client, url)
    build(18, staff_a.membership.body, staff_b, "second")
    with_20 = count_queries(client, url)
    assert with_2 == with_20
    page = client.get(url).content.decode()
    if role == "manager":
        assert page.count("queue-item") == 40  # 20 sign-offs and 20 extensions
    elif role == "staff_b":
        assert page.count('class="work card') == 20
    else:  # the lead body: its 20 leads, and the 40 assignments of the others, read-only
        assert page.count('class="work card') == 20
        assert page.count('<td data-label="责任单位">') == 40


@pytest.mark.parametrize("role", ["staff_a", "staff_b", "manager"])
@pytest.mark.parametrize("page", ["task_detail", "assignment_detail"])
def test_a_task_and_an_assignment_cost_the_same_with_2_and_20(
    request, client_as, staff_a, staff_b, manager, page, role
):
    lead = staff_a.membership.body
    small_task, small_a = build(2, lead, staff_b, "small")
    large_task, large_a = build(20, lead, staff_b, "large")
    # Twenty assignments on one task, too.
    for _ in range(18):
        AssignmentFactory(task=large_task, body=BodyFactory())
    if page == "assignment_detail":
        deep_history(small_a, staff_b, manager, 2)
        deep_history(large_a, staff_b, manager, 20)
        small, large = small_a.get_absolute_url(), large_a.get_absolute_url()
    else:
        small, large = small_task.get_absolute_url(), large_task.get_absolute_url()
    client = client_as(request.getfixturevalue(role))
    assert count_queries(client, small) == count_queries(client, large)
