"""Every URL pattern, for every role. The list of patterns comes from Django's URL resolver,
so a new page without a row here fails `test_every_url_pattern_is_covered`.

Expected results: a status code, "login" (redirected to the login page) or "admin-login"
(the admin's own login page, for users who are not Django staff).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import AssignmentFactory, MeasureFactory, TaskFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff_a", "staff_b", "manager", "admin_user"]


def all_patterns(resolver=None, prefix="", namespace=""):
    """(name, route) for every named pattern outside the admin and Django's own apps."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "admin":
                yield ("admin:*", prefix + str(entry.pattern))
                continue
            yield from all_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield (name, prefix + str(entry.pattern))


@pytest.fixture
def world(staff_a, staff_b):
    """A task whose lead is body A; a measure body B answers for."""
    task = TaskFactory(number=1)
    measure = MeasureFactory(task=task, number=1)
    AssignmentFactory(task=task, body=staff_a.membership.body, role="lead")
    AssignmentFactory(task=task, measure=measure, body=staff_b.membership.body)
    return {"slug": task.plan.slug, "number": task.number}


# name -> (path builder, {role: expected})
ALL = {r: 200 for r in ROLES}
PAGES = {
    "home": (lambda w: "/", {"anonymous": "login", **{r: 302 for r in ROLES[1:]}}),
    "plan_list": (lambda w: "/plans/", {**ALL, "anonymous": "login"}),
    "plan_overview": (lambda w: f"/plans/{w['slug']}/", {**ALL, "anonymous": "login"}),
    "task_detail": (
        lambda w: f"/plans/{w['slug']}/tasks/{w['number']}/",
        {**ALL, "anonymous": "login"},
    ),
    "login": (lambda w: "/accounts/login/", {"anonymous": 200, **{r: 302 for r in ROLES[1:]}}),
    # Logging out is a POST; a GET is refused for everyone.
    "logout": (lambda w: "/accounts/logout/", {r: 405 for r in ROLES}),
    "set_language": (lambda w: "/i18n/setlang/", {r: 302 for r in ROLES}),
    "admin:*": (
        lambda w: "/admin/",
        {
            "anonymous": "admin-login",
            "staff_a": "admin-login",
            "staff_b": "admin-login",
            "manager": "admin-login",
            "admin_user": 200,
        },
    ),
}


def test_every_url_pattern_is_covered():
    names = {name for name, _ in all_patterns()}
    assert names - set(PAGES) == set(), "add the new URL patterns to PAGES"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_role_gets_what_it_should(request, client_as, world, name, role):
    path_of, expected = PAGES[name]
    user = request.getfixturevalue(role)
    response = client_as(user).get(path_of(world))
    want = expected[role]
    if want == "login":
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    elif want == "admin-login":
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
    else:
        assert response.status_code == want


def test_body_staff_cannot_open_any_admin_page(client_as, staff_a):
    client = client_as(staff_a)
    for path in ["/admin/", "/admin/tracker/task/", "/admin/tracker/assignment/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
