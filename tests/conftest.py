"""Shared fixtures: personas, the browser, and the rules for skipping.

Personas (as in healthchecks' tests): `admin_user` (plan administrator, Django staff),
`manager` (督查), `staff_a` / `staff_b` (body staff of two different bodies), `staff_c`
(staff of a third body that has no part in what a test builds) and `anonymous` (no login).
Each comes with a logged-in test client: `client_as(user)`. In tests of progress reporting
`staff_a`'s body usually leads the task and `staff_b`'s answers for the assignment.

On SQLite the test database is a file, not shared memory, so a live server's threads each
have their own connection and concurrent writers really queue (tests/test_concurrency.py).
"""

import contextlib
import os
import shutil

import pytest
from django.db import transaction

from tests.factories import BodyFactory, MembershipFactory, UserFactory, make_admin, make_manager

# Playwright runs an event loop in the test thread; live_server's ORM use is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _fast_and_isolated_session(tmp_path_factory):
    """For what module-scoped fixtures build (shared_world) as much as for every test: a
    fast password hasher, and evidence files in a throw-away folder, never in media/."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@contextlib.contextmanager
def shared_world(django_db_blocker):
    """For a module-scoped fixture that builds a big world once for all of a module's tests:
    what is built inside this block stays for the module's tests (each test runs in a
    savepoint within it and is rolled back as usual) and is rolled back at the module's end.
    Every test of such a module sees the world, so keep them in a module of their own."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def body_a(db):
    return BodyFactory(name="市邮政管理局")


@pytest.fixture
def body_b(db):
    return BodyFactory(name="莘县", kind="county")


@pytest.fixture
def admin_user(db):
    return make_admin()


@pytest.fixture
def manager(db):
    return make_manager()


@pytest.fixture
def staff_a(db, body_a):
    return MembershipFactory(user=UserFactory(username="staff_a"), body=body_a).user


@pytest.fixture
def staff_b(db, body_b):
    return MembershipFactory(user=UserFactory(username="staff_b"), body=body_b).user


@pytest.fixture
def body_c(db):
    return BodyFactory(name="冠县", kind="county")


@pytest.fixture
def staff_c(db, body_c):
    return MembershipFactory(user=UserFactory(username="staff_c"), body=body_c).user


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def client_as(client):
    """A client logged in as the given user (or anonymous for None)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


# --- browser -----------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items:
        return
    if ON_CI:
        raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}: refusing to skip")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def screenshot_dir():
    """Where browser tests save screenshots to look at: $TMPDIR/tracker-screenshots."""
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "tracker-screenshots")
    os.makedirs(path, exist_ok=True)
    return path
