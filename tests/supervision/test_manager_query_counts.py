"""The managers' pages cost the same number of queries for a plan of 2 tasks and one of 20
(tests/supervision_world.py: big_plan), and the archive of issued bulletins for 2 and for 20
of them. Both plans are built once for the whole module."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import shared_world
from tests.factories import make_manager
from tests.supervision_world import big_plan, frozen
from tracker.models import Assignment, Body, Bulletin, Membership

pytestmark = pytest.mark.django_db


def issued(plan, n, named):
    """n issued bulletins of `plan` naming the bodies `named` (rows as the service leaves
    them; the list reads neither the figures nor the file)."""
    user = make_manager(f"issuer-{plan.slug}")
    for number in range(1, n + 1):
        bulletin = Bulletin.objects.create(
            year=2026 + (plan.slug == "large"),
            number=number,
            doc_number=f"聊督通〔2026〕{number}号",
            issuer="聊城市人民政府督查室",
            plan=plan,
            as_of=dt.date(2026, 11, 27),
            issued_on=dt.date(2026, 11, 27),
            title=f"关于第{number}期落实情况的通报",
            figures={},
            document=f"bulletins/2026/{plan.slug}-{number}.docx",
            sha256="0" * 64,
            issued_by=user,
            issued_by_name="督查室",
        )
        bulletin.named_bodies.set(named)


@pytest.fixture(scope="module", autouse=True)
def plans(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker), frozen():
        small, large = big_plan(2, slug="small"), big_plan(20, slug="large")
        counties = list(Body.objects.filter(kind="county"))
        issued(small, 2, counties)
        issued(large, 20, counties)
        yield {"small": small, "large": large}


def count_queries(client, url):
    with frozen(), CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        lambda slug: reverse("dashboard") + f"?plan={slug}",
        lambda slug: reverse("matrix") + f"?plan={slug}",
        lambda slug: reverse("bulletin") + f"?plan={slug}&date=2026-11-27",
        lambda slug: reverse("assignment_list") + f"?plan={slug}",
        lambda slug: reverse("assignment_list") + f"?plan={slug}&q=快递&o=-overdue",
        lambda slug: reverse("list_export_xlsx") + f"?plan={slug}",
        lambda slug: reverse("list_export_csv") + f"?plan={slug}&light=red",
        lambda slug: reverse("task_detail", args=[slug, 1]),
        lambda slug: reverse("bulletin_compose") + f"?plan={slug}&date=2026-11-27",
        lambda slug: reverse("bulletin_list") + f"?plan={slug}",
    ],
    ids=[
        "dashboard",
        "matrix",
        "bulletin",
        "list",
        "list-filtered",
        "xlsx",
        "csv",
        "task",
        "compose",
        "bulletins",
    ],
)
def test_page_query_count_does_not_grow_with_the_plan(client_as, manager, url):
    client = client_as(manager)
    assert count_queries(client, url("small")) == count_queries(client, url("large"))


def test_the_list_for_body_staff_costs_the_same(client_as):
    clerk = Membership.objects.filter(body__name="莘县").first().user
    client = client_as(clerk)
    for url in (reverse("assignment_list"), reverse("list_export_xlsx"), reverse("bulletin_list")):
        assert count_queries(client, url + "?plan=small") == count_queries(
            client, url + "?plan=large"
        )


def test_the_reminder_form_costs_the_same(client_as, manager, plans):
    def url(plan):
        a = Assignment.objects.filter(task__plan=plan, role="responsible").first()
        return reverse("remind", args=[a.pk])

    client = client_as(manager)
    assert count_queries(client, url(plans["small"])) == count_queries(client, url(plans["large"]))
