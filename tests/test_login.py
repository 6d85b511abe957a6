"""Logging in: throttling (django-axes) by account and by client address, the lockout page,
unlocking by time and by an administrator, every failure logged; the client address behind
the trusted proxy; 记住我 and the idle timeout."""

import datetime as dt
import io
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import BodyFactory, MembershipFactory, UserFactory, make_admin
from tracker.access import UserBackend, body_of
from tracker.middleware import LAST_SEEN, client_address

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LIMIT = 10


@pytest.fixture
def clerk():
    return UserFactory(username="shenxian", first_name="张工作人员")


def attempt(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(client):
    return "_auth_user_id" in client.session


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, clerk):
    for n in range(LIMIT - 1):
        page = attempt(client, "shenxian", f"guess-{n}")
        assert page.status_code == 200 and "请输入一个正确的用户名和密码" in page.content.decode()
    locked = attempt(client, "shenxian", "guess-last")
    assert locked.status_code == 429
    refused = attempt(client, "shenxian", "password")
    assert refused.status_code == 429
    assert not logged_in(client)
    page = refused.content.decode()
    assert "登录已暂时锁定" in page and "账号“shenxian”" in page
    assert "30 分钟后再试" in page and "联系系统管理员解锁" in page
    assert refused["Retry-After"] == str(30 * 60)
    # A proper page of the site, not a bare 403.
    assert '<html lang="zh-hans">' in page and "返回登录页" in page


def test_the_lock_holds_the_account_from_any_address(client, clerk):
    for n in range(LIMIT):
        attempt(client, "shenxian", f"guess-{n}", REMOTE_ADDR="10.1.1.1")
    elsewhere = attempt(client, "shenxian", "password", REMOTE_ADDR="10.2.2.2")
    assert elsewhere.status_code == 429 and not logged_in(client)


def test_an_address_guessing_at_many_accounts_is_locked_for_all_of_them(client, clerk):
    for n in range(LIMIT):
        attempt(client, f"user{n}", "guess", REMOTE_ADDR="10.3.3.3")
    # Not one failure was on shenxian's account, but the address is locked.
    assert attempt(client, "shenxian", "password", REMOTE_ADDR="10.3.3.3").status_code == 429
    # From another address the account is fine.
    assert attempt(client, "shenxian", "password", REMOTE_ADDR="10.4.4.4").status_code == 302
    assert logged_in(client)


def test_the_admin_login_is_throttled_too(client):
    make_admin("root")
    for n in range(LIMIT):
        client.post("/admin/login/", {"username": "root", "password": f"guess-{n}"})
    response = client.post("/admin/login/", {"username": "root", "password": "password"})
    assert response.status_code == 429 and not logged_in(client)


def test_the_lock_ends_by_itself_after_the_configured_time(client, clerk, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=5)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(LIMIT):
            attempt(client, "shenxian", f"guess-{n}")
        locked = attempt(client, "shenxian", "password")
        assert locked.status_code == 429 and "5 分钟后再试" in locked.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=False):
        assert attempt(client, "shenxian", "password").status_code == 429
    # Each failure during the lock started the time again: 5 minutes after the last one.
    with time_machine.travel(start + dt.timedelta(minutes=9, seconds=1), tick=False):
        assert attempt(client, "shenxian", "password").status_code == 302
        assert logged_in(client)


def lock(client):
    for n in range(LIMIT):
        attempt(client, "shenxian", f"guess-{n}")
    assert attempt(client, "shenxian", "password").status_code == 429


def test_an_administrator_unlocks_an_account_in_the_admin(client, clerk, client_as):
    lock(client)
    admin_client = client_as(make_admin())
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "shenxian" in listing.content.decode()
    assert "访问尝试" in listing.content.decode()  # django-axes' admin, in Chinese
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    confirm = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert confirm.status_code == 302
    assert not AccessAttempt.objects.exists()
    admin_client.logout()
    assert attempt(client, "shenxian", "password").status_code == 302
    # The failures themselves are still on record.
    assert AccessFailureLog.objects.filter(username="shenxian").count() == LIMIT + 1


def test_an_administrator_unlocks_from_the_command_line(client, clerk):
    lock(client)
    call_command("axes_reset_username", "shenxian", stdout=io.StringIO())
    call_command("axes_reset", stdout=io.StringIO())
    assert attempt(client, "shenxian", "password").status_code == 302


def test_the_admin_group_may_unlock_and_bare_staff_may_not(client_as):
    """Unlocking is an administrator's work (the 管理员 group), not any staff account's."""
    admin = make_admin("root")
    admin.is_superuser = False
    admin.save()
    assert client_as(admin).get("/admin/axes/accessattempt/").status_code == 200
    bare = UserFactory(username="bare", is_staff=True)
    assert client_as(bare).get("/admin/axes/accessattempt/").status_code == 403


def test_every_failure_is_logged_with_the_account_and_the_address(client, clerk, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for n in range(3):
            attempt(client, "shenxian", f"guess-{n}", REMOTE_ADDR="10.5.5.5")
    lines = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert len(lines) == 3
    assert all("shenxian" in line and "10.5.5.5" in line for line in lines)
    kept = AccessFailureLog.objects.filter(username="shenxian", ip_address="10.5.5.5")
    assert kept.count() == 3


# --- the client's address behind the proxy ---------------------------------------------------


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(settings):
    settings.TRACKER_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    # Straight from a client: its own address, whatever header it sends.
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    # Through the proxy: the address the proxy appended (right-most), not what the client
    # put in front of it.
    assert client_address(request_from("127.0.0.1", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Through two trusted hops.
    assert client_address(request_from("10.0.0.5", "203.0.113.9, 127.0.0.1")) == "203.0.113.9"
    # The proxy sent nothing usable: the proxy's own address.
    assert client_address(request_from("127.0.0.1")) == "127.0.0.1"
    assert client_address(request_from("127.0.0.1", "not-an-address")) == "127.0.0.1"


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRACKER_TRUSTED_PROXIES = []
    assert client_address(request_from("127.0.0.1", "203.0.113.9")) == "127.0.0.1"


def test_behind_the_proxy_each_client_is_locked_on_its_own(client, clerk, settings):
    settings.TRACKER_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(LIMIT):
        attempt(client, f"user{n}", "guess", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert AccessFailureLog.objects.filter(ip_address="203.0.113.9").count() == LIMIT
    # The attacker's address is locked, even when it forges another one in front …
    forged = attempt(
        client, "shenxian", "password", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9", **proxy
    )
    assert forged.status_code == 429
    # … while another client behind the same proxy logs in.
    ok = attempt(client, "shenxian", "password", HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert ok.status_code == 302


# --- 记住我 and the idle timeout ---------------------------------------------------------------


def test_without_remember_me_the_session_ends_with_the_browser(client, clerk):
    response = attempt(client, "shenxian", "password")
    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]


def test_with_remember_me_the_session_outlives_the_browser_for_the_idle_time(
    client, clerk, settings
):
    response = client.post(
        LOGIN, {"username": "shenxian", "password": "password", "remember": "on"}
    )
    assert response.status_code == 302
    assert not client.session.get_expire_at_browser_close()
    assert response.cookies["sessionid"]["max-age"] == settings.TRACKER_SESSION_IDLE_SECONDS


def test_the_login_page_offers_remember_me_and_says_the_idle_time(client):
    page = client.get(LOGIN).content.decode()
    assert 'name="remember"' in page and "记住我" in page
    assert "超过 8 小时没有操作都需要重新登录" in page


def test_a_session_idle_longer_than_the_setting_ends(client, clerk, settings):
    settings.TRACKER_SESSION_IDLE_SECONDS = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt(client, "shenxian", "password")
        assert client.get("/plans/").status_code == 200
    # Active within the hour: still in, and the clock starts again.
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert client.get("/plans/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=100), tick=False):
        assert client.get("/plans/").status_code == 200
    # Then idle for more than an hour: out, and told why.
    with time_machine.travel(start + dt.timedelta(minutes=161), tick=False):
        response = client.get("/plans/", follow=True)
        assert response.redirect_chain[-1][0].startswith(LOGIN)
        assert "长时间没有操作，已自动退出" in response.content.decode()
        assert not logged_in(client)


def test_a_busy_session_is_not_written_on_every_request(client, clerk):
    attempt(client, "shenxian", "password")
    stamped = client.session[LAST_SEEN]
    client.get("/plans/")
    assert client.session[LAST_SEEN] == stamped


def test_the_signed_in_user_comes_with_their_body_in_one_query(django_assert_num_queries):
    """access.UserBackend reads the user of each request with their membership and body,
    which body_of() then answers without a query; a user without a body, an inactive one
    and one that no longer exists as Django's ModelBackend does."""
    staff = MembershipFactory(body=BodyFactory(name="东阿县人民政府")).user
    loner = UserFactory()
    with django_assert_num_queries(1):
        user = UserBackend().get_user(staff.pk)
        assert body_of(user).name == "东阿县人民政府"
    with django_assert_num_queries(1):
        assert body_of(UserBackend().get_user(loner.pk)) is None
    loner.is_active = False
    loner.save()
    assert UserBackend().get_user(loner.pk) is None
    assert UserBackend().get_user(10**9) is None


def test_a_login_is_kept_by_our_backend(client, clerk):
    """A session made by the login page names the backend that reads the user back."""
    attempt(client, clerk.username, "password")
    assert logged_in(client)
    assert client.session[BACKEND_SESSION_KEY] == "tracker.access.UserBackend"
    assert client.get("/").wsgi_request.user == clerk
