"""A report POST (进展填报 by the body's own staff, the request `make bench` bursts) costs a
fixed number of queries, the same with 2 and with 20 reports already filed on the work, and
the same for a body with 2 and with 20 assignments (issue 10: report POSTs). The worlds are
built once for the module (tests/conftest.py: shared_world)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.builders import file_report
from tests.conftest import shared_world
from tests.factories import AssignmentFactory, BodyFactory, MembershipFactory, TaskFactory
from tracker.models import Assignment, Report

pytestmark = pytest.mark.django_db

# What one report POST costs, by what asks:
#   session, the user with their membership and body (access.UserBackend) ..... 2
#   the assignment with its work and body (access.get_assignment_to_report) .. 1
#   the form: the task's targets, whether any milestone is open .............. 2
#   the report's five check constraints in one query, before the lock
#   (models.validate_checks_at_once); not whether the assignment and the author
#   exist: the one is read again under the lock, the other is the user ........ 1
#   under the lock: BEGIN, the locked row, INSERT, UPDATE, COMMIT; the current
#   report's date and the count are kept on the row (services/reporting) ..... 5
# 11 in all, as served (issue 10: 35 before). Here the test's own transaction turns BEGIN
# and COMMIT into a savepoint and its release, and puts the constraints' query in a
# savepoint of its own (a failed query must not abort the transaction): two more.
# Not asked: the day's upload quota (no files), the assignment's states (the form shows
# no light), the milestones that apply (none reported), the user's role permissions
# (its own body may report).
REPORT_POST_QUERIES = 13


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_world(django_db_blocker):
        pairs = []
        for n in (2, 20):
            staff = MembershipFactory(body=BodyFactory(name=f"单位{n}")).user
            body = staff.membership.body
            assignments = [AssignmentFactory(task=TaskFactory(), body=body) for _ in range(n)]
            for _ in range(n):
                file_report(assignments[0], staff)
            pairs.append((staff, assignments[0].pk))
        yield pairs


def post_report(client, pk):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/assignments/{pk}/report/",
            {
                "status": "in_progress",
                "percent": "55",
                "text": "本期按计划推进，完成阶段性工作。",
                "as_of": timezone.localdate().isoformat(),
            },
        )
    assert response.status_code == 302
    return len(ctx.captured_queries)


def test_a_report_post_costs_the_same_with_2_and_20_reports(client_as, world):
    counts = []
    for staff, pk in world:
        before = Assignment.objects.get(pk=pk).report_count
        counts.append(post_report(client_as(staff), pk))
        # Filed, and the kept state follows the history (nothing was skipped for speed).
        a = Assignment.objects.get(pk=pk)
        assert a.report_count == before + 1 == Report.objects.filter(assignment=a).count()
        assert a.current_report == Report.objects.filter(assignment=a).current().first()
        assert a.percent == 55
    assert counts == [REPORT_POST_QUERIES, REPORT_POST_QUERIES]


@pytest.mark.parametrize(
    ("status", "percent", "text"),
    [
        ("in_progress", 55, "推进中"),  # valid: no error
        ("completed", 80, "完成"),  # completed is 100
        ("not_started", 10, ""),  # not started is 0, and the text is blank
        ("bogus", 101, "x"),  # no such status, over 100
        (None, None, None),  # NULLs are UNKNOWN: they pass, as in Django
    ],
)
def test_the_one_query_constraint_check_says_what_django_says(status, percent, text):
    """Report.validate_constraints (models.validate_checks_at_once) raises the same errors as
    Django's own one query per constraint, with and without excluded fields."""
    from django.core.exceptions import ValidationError
    from django.db import models

    def errors(check):
        try:
            check()
        except ValidationError as error:
            return {k: sorted(str(m) for m in v) for k, v in error.message_dict.items()}
        return None

    report = Report(assignment_id=1, author_id=1, status=status, percent=percent, text=text)
    for exclude in (None, {"text"}, {"status", "percent"}):
        with CaptureQueriesContext(connection) as ctx:
            ours = errors(lambda e=exclude: report.validate_constraints(exclude=e))
        assert ours == errors(lambda e=exclude: models.Model.validate_constraints(report, e))
        # One query (in a savepoint here: the test runs in a transaction), or none at all.
        assert len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 1
