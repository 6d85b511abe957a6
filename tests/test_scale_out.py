"""Two app servers, one PostgreSQL: what README's scale-out set-up relies on. The servers are
real gunicorn processes (tests/servers.py) sharing the test database and one media folder
(standing in for the object storage). A user logged in on one is logged in on the other and
logged out on both; a report posted to one waits for the assignment's row lock another
process holds, and reports posted to both at once are all kept, with the assignment's kept
count and current report right; failed logins counted on one lock the account on the other.
Nothing of a user's lives in a server process."""

import threading
import time
import urllib.parse

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, transaction
from django.utils import timezone

from tests.builders import progress_world
from tests.reporting.report_client import PDF, multipart, token
from tests.servers import Server, cookies_set
from tracker.models import Assignment, Report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url():
    db = connection.settings_dict
    return (
        f"postgres://{urllib.parse.quote(db['USER'])}:{urllib.parse.quote(db['PASSWORD'])}"
        f"@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


@pytest.fixture
def servers(tmp_path):
    env = {"DATABASE_URL": database_url(), "DJANGO_MEDIA_ROOT": str(tmp_path / "media")}
    pair = [Server(env, workers=1), Server(env, workers=1)]
    try:
        for server in pair:
            assert server.wait_until_up() == 200
        yield pair
    finally:
        for server in pair:
            server.kill()


def server_password(user, password="过两台服务器"):
    """The test settings' fast MD5 hasher is unknown to the servers: store a hash they read."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return password


def log_in(server, username, password):
    """The login form, as a browser posts it: the session cookie it sets, or the status."""
    status, headers, html = server.request("GET", "/accounts/login/")
    csrf = cookies_set(headers)["csrftoken"]
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token(html.decode()), "username": username, "password": password}
    )
    status, headers, _ = server.request(
        "POST",
        "/accounts/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    return status, cookies_set(headers).get("sessionid")


def get(server, path, session):
    status, headers, html = server.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    return status, dict(headers), html.decode()


def post_report(server, session, assignment, text, percent):
    """One 填报 with an evidence file; the status the server answered."""
    path = f"/assignments/{assignment.pk}/report/"
    _, headers, html = get(server, path, session)
    csrf = cookies_set(headers.items())["csrftoken"]
    body, content_type = multipart(
        {
            "csrfmiddlewaretoken": token(html),
            "status": "in_progress",
            "percent": str(percent),
            "text": text,
            "as_of": timezone.localdate().isoformat(),
        },
        {"files": (f"{text}.pdf", PDF)},
    )
    cookie = f"sessionid={session}; csrftoken={csrf}"
    status, _, _ = server.request(
        "POST", path, body, {"Content-Type": content_type, "Cookie": cookie}
    )
    return status


def test_a_session_begun_on_one_server_is_known_and_ended_on_the_other(servers, staff_b):
    one, other = servers
    password = server_password(staff_b)
    status, session = log_in(one, "staff_b", password)
    assert status == 302 and session
    status, _, html = get(other, "/work/", session)
    assert status == 200 and "莘县" in html
    # Logged out on the other server: the first one no longer knows the session either.
    _, headers, html = get(other, "/work/", session)
    csrf = cookies_set(headers.items())["csrftoken"]
    status, _, _ = other.request(
        "POST",
        "/accounts/logout/",
        urllib.parse.urlencode({"csrfmiddlewaretoken": token(html)}),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
        },
    )
    assert status == 302
    status, headers, _ = get(one, "/work/", session)
    assert status == 302 and headers["Location"].startswith("/accounts/login/")


def test_a_report_waits_for_the_row_lock_another_process_holds(servers, staff_a, staff_b):
    other = servers[1]
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    _, session = log_in(other, "staff_b", server_password(staff_b))
    locked, release, answered = threading.Event(), threading.Event(), []

    def hold_the_lock():
        try:
            with transaction.atomic():
                Assignment.objects.select_for_update().get(pk=own.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(10)
    poster = threading.Thread(
        target=lambda: answered.append(post_report(other, session, own, "锁外等待", 55))
    )
    poster.start()
    time.sleep(1.5)
    # The server is waiting on this process's lock: nothing answered, nothing written.
    assert poster.is_alive() and not answered
    assert not Report.objects.filter(text="锁外等待").exists()
    release.set()
    holder.join(10)
    poster.join(30)
    assert answered == [302]
    assert Report.objects.filter(assignment=own, text="锁外等待").count() == 1


def test_reports_posted_to_both_servers_at_once_are_all_kept(servers, staff_a, staff_b):
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    password = server_password(staff_b)
    before = Assignment.objects.get(pk=own.pk).report_count
    sessions = [log_in(server, "staff_b", password)[1] for server in servers]
    statuses = []

    def burst(n, server, session):
        for i in range(5):
            statuses.append(post_report(server, session, own, f"服务器{n}第{i}次", 10 + i))

    threads = [
        threading.Thread(target=burst, args=(n, server, session))
        for n, (server, session) in enumerate(zip(servers, sessions, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [302] * 10
    own.refresh_from_db()
    texts = set(Report.objects.filter(assignment=own).values_list("text", flat=True))
    assert {f"服务器{n}第{i}次" for n in (0, 1) for i in range(5)} <= texts
    assert own.report_count == before + 10
    latest = Report.objects.filter(assignment=own).order_by("-as_of", "-created_at").first()
    assert own.current_report_id == latest.pk


def test_failed_logins_on_one_server_lock_the_account_on_the_other(servers, staff_b, settings):
    one, other = servers
    password = server_password(staff_b)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert log_in(one, "staff_b", "错的密码")[0] in (200, 429)
    status, session = log_in(other, "staff_b", password)
    assert status == 429 and session is None
