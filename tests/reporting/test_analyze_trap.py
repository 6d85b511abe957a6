"""The ANALYZE trap (issue 10): once SQLite has statistics (manage.py optimize_database, as a
deployment runs it daily), the unique and almost always NULL `corrects` column's own index
looks as if one key matched every report, and the planner scanned the whole reports table
for each report the timeline joins to its correction (82 ms -> 5.8 s at a province's size).
The corrections' partial index (Report.Meta.indexes, report_corrections) describes only the
corrections: with statistics, the assignment page still looks every report up by index.
The timeline now takes each correction from the reports it read (models.with_timeline_parts);
the page's reports in force (the targets' latest values) are still a join on `corrects`."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import file_report, progress_world
from tests.factories import BodyFactory, CountyFactory, MembershipFactory, UserFactory, make_manager
from tracker.models import Report

# How a query joins a report to the report that corrects it (corrected_by).
CORRECTION_JOIN = (
    r'JOIN "tracker_report" "(T\d+)" ON \("tracker_report"\."id" = "\1"\."corrects_id"\)'
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def query_plans(client, url):
    """{SQL: its EXPLAIN QUERY PLAN lines} of each query the page makes on the reports."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    plans = {}
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            if '"tracker_report"' in query["sql"] and query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plans[query["sql"]] = [row[3] for row in cursor.fetchall()]
    return plans


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and statistics")
def test_with_statistics_the_timeline_finds_each_correction_by_its_index(client_as):
    county, other_county = CountyFactory(name="莘县"), CountyFactory(name="冠县")
    w = progress_world(BodyFactory(name="市邮政管理局"), county, other_county)
    a, other = w["own"], w["other"]
    staff = MembershipFactory(user=UserFactory(), body=county).user
    other_staff = MembershipFactory(user=UserFactory(), body=other_county).user
    # A history of 40 reports, every fifth corrected, among many reports of other work: the
    # statistics then say what a province's say (corrections are rare).
    previous = None
    for i in range(40):
        previous = file_report(
            a,
            staff,
            percent=i + 1,
            as_of=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            corrects=previous if i % 5 == 4 else None,
        )
    for i in range(60):
        file_report(other, other_staff, percent=i + 1)
    assert Report.objects.filter(corrects__isnull=False).count() == 8
    call_command("optimize_database")
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'report_corrections'")
        assert cursor.fetchone() is not None  # the statistics are there

    plans = query_plans(client_as(make_manager()), f"/assignments/{a.pk}/")
    joins = [(sql, match.group(1)) for sql in plans if (match := re.search(CORRECTION_JOIN, sql))]
    assert joins, "the page joins reports to their corrections (the reports in force)"
    for sql, alias in joins:
        # The correction of each report is found by the corrections' index, never by a scan
        # of the reports (with 33 reports, 33 scans of a million rows).
        lines = plans[sql]
        found = [line for line in lines if line.startswith(f"SEARCH {alias} ")]
        assert len(found) == 1, lines
        assert re.fullmatch(
            rf"SEARCH {alias} USING (COVERING )?INDEX report_corrections \(corrects_id=\?\).*",
            found[0],
        ), lines
        assert not [line for line in lines if line.startswith(f"SCAN {alias}")], lines
