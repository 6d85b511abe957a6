"""Every list page of progress reporting costs the same number of queries with 2 and with 20
assignments and reports: 我的任务 and 待办 here; an assignment's record and a task's page in
tests/reporting/test_record_query_counts.py."""

import pytest
from django.urls import reverse

from tests.builders import count_queries, many_reports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["staff_a", "staff_b", "manager"])
def test_my_work_and_the_queue_cost_the_same_with_2_and_20(
    request, monkeypatch, client_as, staff_a, staff_b, role
):
    # Fewer of the others' rows than both worlds have: the page counts them all in both.
    monkeypatch.setattr("tracker.views.reporting.LED_SHOWN", 3)
    user = request.getfixturevalue(role)
    client = client_as(user)
    url = reverse("todo") if role == "manager" else reverse("my_work")
    many_reports(2, staff_a.membership.body, staff_b, "first")
    with_2 = count_queries(client, url)
    many_reports(18, staff_a.membership.body, staff_b, "second")
    with_20 = count_queries(client, url)
    assert with_2 == with_20
    page = client.get(url).content.decode()
    if role == "manager":
        assert page.count("queue-item") == 40  # 20 sign-offs and 20 extensions
    elif role == "staff_b":
        assert page.count('class="work card') == 20
    else:  # the lead body: its 20 leads, and the others' 40 assignments, read-only: the
        # most urgent shown, with a link to all of them
        assert page.count('class="work card') == 20
        assert page.count('<td data-label="责任单位">') == 3
        # The list holds the body's own 20 too, and says so.
        assert (
            "以上是最紧急的 3 项，共 40 项：在清单中查看全部（清单中还有本单位自己的 20 项）"
            in page
        )


def test_the_lead_body_review_queue_costs_the_same_with_2_and_20(
    monkeypatch, client_as, staff_a, staff_b
):
    from tests.builders import file_report, progress_world
    from tests.factories import BodyFactory, MembershipFactory

    def add(k):
        for _ in range(k):
            other = MembershipFactory(body=BodyFactory()).user
            w = progress_world(staff_a.membership.body, other.membership.body)
            file_report(w["own"], other, status="completed", percent=100)

    # Fewer shown than both worlds have: the page counts them all in both.
    monkeypatch.setattr("tracker.views.reporting.REVIEW_SHOWN", 1)
    monkeypatch.setattr("tracker.views.reporting.LED_SHOWN", 1)
    client = client_as(staff_a)
    add(2)
    with_2 = count_queries(client, reverse("my_work"))
    add(18)
    assert count_queries(client, reverse("my_work")) == with_2
    page = client.get(reverse("my_work"))
    # The oldest requests first, and a link to all of them.
    assert len(page.context["to_review"]) == 1 and page.context["review_total"] == 20
    assert "以上是最早提出的 1 项，共 20 项：在清单中查看全部" in page.content.decode()


def test_the_heads_drafts_cost_the_same_with_2_and_20(client_as, staff_b):
    import datetime as dt

    from tests.builders import progress_world
    from tests.factories import BodyFactory, MembershipFactory
    from tracker.models import Membership
    from tracker.services import reporting

    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    Membership.objects.filter(user=staff_b).update(role="head")
    clerk = MembershipFactory(body=body).user

    def add(k):
        for _ in range(k):
            w = progress_world(BodyFactory(), body)
            reporting.draft_save(
                assignment=w["own"],
                author=clerk,
                status="in_progress",
                percent=10,
                text="草稿",
                as_of=dt.date(2026, 1, 5),
                submit=True,
            )

    client = client_as(staff_b)
    add(2)
    with_2 = count_queries(client, reverse("my_work"))
    add(18)
    assert count_queries(client, reverse("my_work")) == with_2
    assert len(client.get(reverse("my_work")).context["drafts"]) == 20


def test_a_body_that_leads_nothing_is_not_asked_for_the_others_work(client_as, staff_a, staff_b):
    """我的任务 of a body that leads no work (most counties) skips the two lists only a lead
    body has: the others' work on what it leads and their completion requests to review."""
    many_reports(3, staff_a.membership.body, staff_b, "first")
    lead = count_queries(client_as(staff_a), reverse("my_work"))
    page = client_as(staff_b).get(reverse("my_work"))
    assert page.context["led"] == [] and page.context["to_review"] == []
    # session, user, role permissions, the counts, the page's count, its keys, its rows,
    # the latest reminders on them (with_latest_reminders), their extension decisions and
    # returns (attach_returns), whether the body leads anything, the drafts.
    assert count_queries(client_as(staff_b), reverse("my_work")) == 11
    # The lead body: the others' work (the most urgent's keys, then their rows), which of
    # them it may chase (催办) and the requests to review besides.
    assert lead == 14


def test_the_lead_body_chases_the_others_from_its_work_page(client_as, staff_a, staff_b):
    """The page says a lead body may chase the others (催办): each of their unfinished
    pieces of work has the button, which opens the reminder form and comes back here."""
    import re

    many_reports(2, staff_a.membership.body, staff_b, "first")
    client = client_as(staff_a)
    page = client.get(reverse("my_work")).content.decode()
    links = re.findall(r'href="(/assignments/\d+/remind/\?next=[^"]+)">催办<', page)
    others = page.count('<td data-label="责任单位">')  # the others' rows
    assert others == 4 and len(links) == others
    assert all(link.endswith("next=/work/") for link in links)
    assert client.get(links[0].replace("&amp;", "&")).status_code == 200
    # Body staff without the lead see no such button.
    assert "/remind/" not in client_as(staff_b).get(reverse("my_work")).content.decode()
    # A measure with a lead body of its own: that body chases its work, not the task's lead
    # (access.get_assignment_to_chase), so the task's lead sees those rows without 催办.
    from tests.factories import (
        AssignmentFactory,
        BodyFactory,
        MeasureFactory,
        PlanFactory,
        TaskFactory,
    )

    task = TaskFactory(plan=PlanFactory(slug="third"), number=1)
    AssignmentFactory(task=task, body=staff_a.membership.body, role="lead")
    measure = MeasureFactory(task=task, number=1)
    measure_lead = AssignmentFactory(task=task, measure=measure, body=BodyFactory(), role="lead")
    county = AssignmentFactory(task=task, measure=measure, body=BodyFactory())
    response = client_as(staff_a).get(reverse("my_work"))
    page = response.content.decode()
    for a in (measure_lead, county):
        assert a.body.name in page
        assert f"/assignments/{a.pk}/remind/" not in page
    assert len(re.findall(r">催办<", page)) == 4  # the four of before


def test_the_others_work_comes_most_urgent_first(monkeypatch, client_as, staff_a, staff_b):
    # It came in the plans' order: a department that leads a hundred tasks saw the first
    # fifty rows of others' work, green or not, and not the overdue ones further down.
    import datetime as dt

    from tests.builders import progress_world

    monkeypatch.setattr("tracker.views.reporting.LED_SHOWN", 1)
    lead = staff_a.membership.body
    on_time = progress_world(lead, staff_b.membership.body)
    late = progress_world(lead, staff_b.membership.body, deadline=dt.date(2020, 12, 31))
    assert on_time["plan"].pk < late["plan"].pk
    led = client_as(staff_a).get(reverse("my_work")).context["led"]
    assert [a.pk for a in led] == [late["own"].pk] and led[0].light == "red"
