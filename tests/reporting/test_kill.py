"""kill -9 in the middle of a burst of reports: a real server (gunicorn, two workers) on a
SQLite file database, started by the test; clients post reports with evidence over HTTP; the
whole server is killed with SIGKILL while they post. Every report whose 302 a client received
is then in the database with its evidence file, and `PRAGMA integrity_check` is ok.

The same server answers /healthz with 200 while it runs -- and again after the restart on the
recovered database -- and with 503 once the database file has gone.

SQLite only (the `sqlite` marker): the server's database is a copy of the SQLite test
database, and what is tested is SQLite's write-ahead log surviving a killed writer.
"""

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.builders import progress_world
from tests.reporting.report_client import PDF, multipart, token
from tests.servers import Server, cookies_set

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
KILL_AFTER = 12  # acknowledged reports before the kill; the clients go on posting meanwhile


def sqlite_server(database, media):
    return Server(
        {"DATABASE_URL": "", "SQLITE_PATH": str(database), "DJANGO_MEDIA_ROOT": str(media)}
    )


def post_reports(server, path, cookies, client, acknowledged, errors):
    """Post reports until the server goes; a report counts as acknowledged only when its 302
    came back."""
    status, headers, html = server.request("GET", path, headers={"Cookie": cookies})
    assert status == 200, status
    cookie = f"{cookies}; csrftoken={cookies_set(headers)['csrftoken']}"
    csrf = token(html.decode())
    n = 0
    while True:
        text = f"客户端{client}第{n}次填报"
        evidence = PDF + text.encode()
        body, content_type = multipart(
            {
                "csrfmiddlewaretoken": csrf,
                "status": "in_progress",
                "percent": "50",
                "text": text,
                "as_of": timezone.localdate().isoformat(),
            },
            {"files": (f"佐证{client}-{n}.pdf", evidence)},
        )
        headers = {"Content-Type": content_type, "Cookie": cookie}
        try:
            status, _, _ = server.request("POST", path, body, headers)
        except OSError as error:
            errors.append(error)
            return
        assert status == 302, status
        acknowledged.append((text, hashlib.sha256(evidence).hexdigest()))
        n += 1


def test_every_acknowledged_report_survives_kill_9_and_the_database_is_whole(
    staff_a, staff_b, tmp_path
):
    assert connection.vendor == "sqlite"
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    browser = Client()
    browser.force_login(staff_b)
    cookies = f"sessionid={browser.cookies['sessionid'].value}"
    # The server's database: the test database as it is now (the world and the session).
    database, media = tmp_path / "server.sqlite3", tmp_path / "media"
    source = sqlite3.connect(connection.settings_dict["NAME"])
    with sqlite3.connect(database) as target:
        source.backup(target)
    source.close()

    server = sqlite_server(database, media)
    try:
        assert server.wait_until_up() == 200
        acknowledged, errors = [], []
        path = f"/assignments/{own.pk}/report/"
        clients = [
            threading.Thread(
                target=post_reports, args=(server, path, cookies, n, acknowledged, errors)
            )
            for n in range(CLIENTS)
        ]
        for c in clients:
            c.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.health() == 200  # while the burst goes on
        server.kill()
        for c in clients:
            c.join(timeout=30)
    finally:
        if server.process.poll() is None:
            server.kill()
    # Every client was still posting when the server died.
    assert len(errors) == CLIENTS
    assert len(acknowledged) >= KILL_AFTER

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = dict(
            db.execute(
                "SELECT r.text, e.file FROM tracker_report r"
                " JOIN tracker_evidence e ON e.report_id = r.id"
            ).fetchall()
        )
        recorded = dict(db.execute("SELECT file, sha256 FROM tracker_evidence").fetchall())
    for text, digest in acknowledged:
        assert text in stored, f"acknowledged but lost: {text}"
        name = stored[text]
        assert recorded[name] == digest
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == digest

    # Restarted on the recovered database it is healthy; without its database it says so.
    server = sqlite_server(database, media)
    try:
        assert server.wait_until_up() == 200
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        assert server.health() == 503
        assert not database.exists()
    finally:
        server.kill()
