"""/healthz, for the proxy and the monitoring: 200 when the database answers and the evidence
storage takes a file, 503 otherwise; no login, and nothing about the data. (With a real
server and a database that has gone: tests/reporting/test_kill.py.)"""

import pytest
from django.db import OperationalError, connection

from tests.test_settings import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.django_db


def test_it_answers_ok_without_a_login_and_says_nothing_else(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "sessionid" not in response.cookies
    # The probe file is gone again.
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_it_answers_503_when_the_evidence_storage_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"media: unavailable\n"


def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken():
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database: unavailable\n"


def test_it_answers_over_plain_http_where_everything_else_is_sent_to_https(tmp_path):
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='dubansys.example.cn');"
        "print(c.get('/').status_code, c.get('/healthz').status_code)"
    )
    env = {
        **PRODUCTION_ENV,
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "SQLITE_PATH": str(tmp_path / "missing.sqlite3"),
        "DATABASE_URL": "",
    }
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    # The home page redirects to https; the health check answers (503: no database here).
    assert result.stdout.split()[-2:] == ["301", "503"]
    assert not (tmp_path / "missing.sqlite3").exists()
