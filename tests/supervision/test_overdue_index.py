"""The overdue index (Assignment.Meta: assignment_overdue, issue 10) serves the overdue list and
nothing else. The list reads the overdue rows from it in its order; every other page that
reads assignments still finds them by their task. With `tracked` as the index's first column,
SQLite, without statistics, took `tracked = 1` for a selective condition and read every
tracked assignment of the province through the index to find one plan's: the plan page went
from 15 to 47 ms, the dashboard of one plan from 47 to 85 ms."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.supervision_world import big_plan, frozen

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def plans_on_assignments(client, url):
    """[(SQL, its EXPLAIN QUERY PLAN lines that read tracker_assignment)] of the page."""
    with frozen(), CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            if query["sql"].startswith("SELECT") and '"tracker_assignment"' in query["sql"]:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                lines = [row[3] for row in cursor.fetchall() if "assignment" in row[3]]
                plans.append((query["sql"], lines))
    return plans


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and statistics")
@pytest.mark.parametrize("statistics", [False, True])
def test_only_overdue_queries_read_the_overdue_index(client_as, manager, statistics):
    with frozen():
        plan = big_plan(6, "one")
        big_plan(6, "other")
    if statistics:
        call_command("optimize_database", verbosity=0)
    client = client_as(manager)
    for url in ("/list/?light=red", "/list/?flag=overdue", "/list/?overdue_days=30"):
        lines = [x for _sql, lines in plans_on_assignments(client, url) for x in lines]
        assert any("USING INDEX assignment_overdue (overdue_since<?)" in x for x in lines), lines
    for url in (f"/plans/{plan.slug}/", f"/dashboard/?plan={plan.slug}", "/dashboard/matrix/"):
        plans = plans_on_assignments(client, url)
        assert plans
        for sql, lines in plans:
            # The dashboard's longest overdue may read it (overdue_first); nothing else.
            if '"overdue_since" <' not in sql:
                assert not any("assignment_overdue" in x for x in lines), (url, sql, lines)
