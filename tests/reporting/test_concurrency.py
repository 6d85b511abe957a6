"""Reports posted at the same moment for one assignment, by several processes logging in over
HTTP against a live server, are all kept, and the assignment's current state ends up matching
the latest of them. Runs on the file-backed SQLite test database (tests/conftest.py) and, in
the PostgreSQL run, on PostgreSQL."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.builders import progress_world
from tracker.models import Evidence, Report

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(__file__).with_name("report_client.py")
CLIENTS = 6
REPORTS_EACH = 4


def test_reports_posted_at_once_are_all_kept_and_the_state_matches_the_latest(
    live_server, staff_a, staff_b, settings
):
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "needs a file: see tests/conftest.py"
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    as_of = timezone.localdate().isoformat()
    start_at = time.time() + 3  # every client logs in first, then all post at once
    clients = [
        subprocess.Popen(
            [
                sys.executable,
                str(CLIENT),
                live_server.url,
                "staff_b",
                "password",
                str(own.pk),
                str(n),
                str(REPORTS_EACH),
                as_of,
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(CLIENTS)
    ]
    for client in clients:
        _out, err = client.communicate(timeout=120)
        assert client.returncode == 0, err
    reports = list(Report.objects.filter(assignment=own).order_by("pk"))
    assert len(reports) == CLIENTS * REPORTS_EACH
    assert {r.text for r in reports} == {
        f"客户端{c}第{n}次填报" for c in range(CLIENTS) for n in range(REPORTS_EACH)
    }
    assert Evidence.objects.filter(report__assignment=own).count() == len(reports)
    # The reports were filed one after another: ids and times rise together.
    assert [r.created_at for r in reports] == sorted(r.created_at for r in reports)
    latest = reports[-1]
    assert Report.objects.filter(assignment=own).current().first() == latest
    own.refresh_from_db()
    assert (own.status, own.percent, own.progress_as_of) == (
        latest.status,
        latest.percent,
        latest.as_of,
    )
    assert own.last_reported_at == latest.created_at


@pytest.mark.postgres
def test_a_writer_waits_for_the_assignment_row_that_another_holds(staff_a, staff_b):
    """On PostgreSQL the services' row lock (select_for_update) really holds a second writer
    back; SQLite has no row locks and serialises whole write transactions instead."""
    import threading

    from django.db import DatabaseError, connections, transaction

    from tracker.models import Assignment
    from tracker.services.reporting import _lock

    assert connection.vendor == "postgresql"
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    outcome = {}

    def second_writer():
        try:
            with transaction.atomic():
                Assignment.objects.select_for_update(nowait=True).get(pk=own.pk)
            outcome["locked"] = False
        except DatabaseError:
            outcome["locked"] = True
        finally:
            connections.close_all()

    with transaction.atomic():
        _lock(own.pk)
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join()
    assert outcome == {"locked": True}
