"""Every URL pattern, for every role. The list of patterns comes from Django's URL resolver,
so a new page without a row here fails `test_every_url_pattern_is_covered`.

Expected results: a status code, "login" (redirected to the login page) or "admin-login"
(the admin's own login page, for users who are not Django staff).

In the world below staff_b's body owns the assignment, staff_a's body leads its task (and may
read, not write, the other bodies' work on it; it reviews the others' completion requests
first, chases them and files the task's summary), and staff_c's body has no part in it.
staff_b is the head (单位负责人) of a body that requires approval: a clerk of it has a draft
waiting for staff_b; every new object of another body answers 404 to staff_c.
`bare_staff` is Django staff and `bare_superuser` a superuser, neither in a role group nor in a
body: the Django admin lets them in, the app gives them nothing a signed-in stranger does not
get (tracker/access.py).
Endpoints that change something are also POSTed (POSTS): only the expected role writes.
Every answer, whatever it is, carries `Cache-Control: private, no-store`.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from tests.builders import PDF, file_report, pass_to_managers, upload
from tests.conftest import shared_world
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    MeasureFactory,
    MembershipFactory,
    TaskFactory,
    UserFactory,
    make_admin,
    make_manager,
)
from tests.plan import formatsamples
from tracker.models import (
    Bulletin,
    ChangeRecord,
    Decision,
    DraftStep,
    ExtensionRequest,
    LeadReview,
    Membership,
    Milestone,
    Plan,
    Reminder,
    ReminderReceipt,
    Report,
    TaskSummary,
)
from tracker.services import bulletins, importing, reminders, reporting

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "staff_a",
    "staff_b",
    "staff_c",
    "manager",
    "admin_user",
    "bare_staff",
    "bare_superuser",
]


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


@pytest.fixture(autouse=True)
def _fast_and_isolated():
    """The evidence file the module's world stored stays where it was stored (the session's
    media folder), instead of each test getting an empty one (tests/conftest.py)."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A task whose lead is body A; a measure body B answers for. B has reported it complete
    with a PDF (a sign-off request), and asked for an extension on its other assignment.
    Built once for the module (tests/conftest.py: shared_world); each test rolls back."""
    with shared_world(django_db_blocker):
        users = {
            "anonymous": None,
            "staff_a": MembershipFactory(
                user=UserFactory(username="staff_a"), body=BodyFactory(name="市邮政管理局")
            ).user,
            "staff_b": MembershipFactory(
                user=UserFactory(username="staff_b"), body=BodyFactory(name="莘县", kind="county")
            ).user,
            "staff_c": MembershipFactory(
                user=UserFactory(username="staff_c"), body=BodyFactory(name="冠县", kind="county")
            ).user,
            "manager": make_manager(),
            "admin_user": make_admin(),
            "bare_staff": UserFactory(username="bare_staff", is_staff=True),
            "bare_superuser": UserFactory(
                username="bare_superuser", is_staff=True, is_superuser=True
            ),
        }
        staff_a, staff_b = users["staff_a"], users["staff_b"]
        body_b = staff_b.membership.body
        body_b.requires_approval = True
        body_b.save()
        Membership.objects.filter(user=staff_b).update(role="head")
        staff_b.membership.refresh_from_db()  # the head, who may ask for an extension
        clerk = MembershipFactory(user=UserFactory(username="clerk_b"), body=body_b).user
        task = TaskFactory(number=1, deadline=dt.date(2030, 12, 31))
        measure = MeasureFactory(task=task, number=1)
        second = MeasureFactory(task=task, number=2)
        AssignmentFactory(task=task, body=staff_a.membership.body, role="lead")
        own = AssignmentFactory(task=task, measure=measure, body=body_b)
        other = AssignmentFactory(task=task, body=body_b)
        at_lead = AssignmentFactory(task=task, measure=second, body=body_b)
        # Nothing waits on it: the body may ask for an extension (not while sign-off or
        # another request waits, as on the others).
        free = AssignmentFactory(
            task=task, measure=MeasureFactory(task=task, number=3), body=body_b
        )
        report = file_report(
            own, staff_b, status="completed", percent=100, files=[upload("验收.pdf", PDF)]
        )
        pass_to_managers(own)  # now waiting for the managers
        file_report(at_lead, staff_b, status="completed", percent=100)  # waiting for the lead
        extension = reporting.extension_request_create(
            assignment=other, author=staff_b, new_due=dt.date(2031, 6, 30), reason="用地审批"
        )
        draft = importing.draft_create(
            user=users["admin_user"],
            source=formatsamples.as_text().encode("utf-8"),
            source_name="分工.txt",
        )
        report_draft = reporting.draft_save(
            assignment=other,
            author=clerk,
            status="in_progress",
            percent=30,
            text="草稿",
            as_of=report.as_of,
            files=[upload("草稿佐证.pdf", PDF)],
            submit=True,
        )
        reminder = reminders.remind(assignment=own, sender=users["manager"], message="请补充材料")
        # Names B (its sign-off request waits) and A (its lead has never reported); not C.
        bulletin = bulletins.issue(
            user=users["manager"],
            plan=task.plan,
            day=timezone.localdate(),
            title="关于落实情况的通报",
            recipients="",
            opening="",
            requirements="",
        )
        assert {b.name for b in bulletin.named_bodies.all()} == {"市邮政管理局", "莘县"}
        yield {
            "bulletin": bulletin.pk,
            "body": staff_b.membership.body_id,
            "slug": task.plan.slug,
            "number": task.number,
            "a": own.pk,
            "at_lead": at_lead.pk,
            "free": free.pk,
            "report": report.pk,
            "evidence": report.evidence.get().pk,
            "extension": extension.pk,
            "report_draft": report_draft.pk,
            "draft_file": report_draft.files.get().pk,
            "reminder": reminder.pk,
            "as_of": report.as_of.isoformat(),
            "draft": draft.key,
            "users": users,
        }


# name -> (path builder, {role: expected})
ALL = {r: 200 for r in ROLES}
STAFF_403 = {"staff_a": 403, "staff_b": 403, "staff_c": 403}
# Staff and superusers without a role group or a body: what a signed-in stranger gets.
BARE = ["bare_staff", "bare_superuser"]
BARE_403 = dict.fromkeys(BARE, 403)
BARE_404 = dict.fromkeys(BARE, 404)
# Another body's assignment, report or evidence is 404 to body staff: it does not exist for them.
READ = {**ALL, "anonymous": "login"}
OWNER_WRITES = {
    **READ,
    "staff_a": 403,
    "staff_c": 404,
    "manager": 403,
    "admin_user": 403,
    **BARE_404,
}
MANAGER_DECIDES = {**READ, "staff_a": 403, "staff_b": 403, "staff_c": 404, **BARE_404}
MANAGERS_READ = {
    "anonymous": "login",
    **STAFF_403,
    "manager": 200,
    "admin_user": 200,
    **BARE_403,
}
ADMINS_ONLY = {"anonymous": "login", **STAFF_403, "manager": 403, "admin_user": 200, **BARE_403}
# The lead body's: staff_a's body leads the task.
LEAD_ONLY = {
    **READ,
    "staff_b": 403,
    "staff_c": 404,
    "manager": 403,
    "admin_user": 403,
    **BARE_404,
}
LEAD_OF_TASK = {
    **READ,
    "staff_b": 403,
    "staff_c": 403,
    "manager": 403,
    "admin_user": 403,
    **BARE_403,
}
# Drafts are seen inside their body only (staff_b is its head): 404 to everyone else.
IN_BODY = {"anonymous": "login", **{r: 404 for r in ROLES[1:]}, "staff_b": 200}
POST_ONLY = {**{r: 405 for r in ROLES}, "anonymous": "login"}
PAGES = {
    "home": (lambda w: "/", {"anonymous": "login", **{r: 302 for r in ROLES[1:]}}),
    "plan_list": (lambda w: "/plans/", {**ALL, "anonymous": "login"}),
    "plan_overview": (lambda w: f"/plans/{w['slug']}/", {**ALL, "anonymous": "login"}),
    "task_detail": (
        lambda w: f"/plans/{w['slug']}/tasks/{w['number']}/",
        {**ALL, "anonymous": "login"},
    ),
    # An administrator's plan edits on the task page: POST only.
    "task_deadline": (
        lambda w: f"/plans/{w['slug']}/tasks/{w['number']}/deadline/",
        {**{r: 405 for r in ROLES}, "anonymous": "login"},
    ),
    "task_assign": (
        lambda w: f"/plans/{w['slug']}/tasks/{w['number']}/assign/",
        {**{r: 405 for r in ROLES}, "anonymous": "login"},
    ),
    # Archiving and restoring a plan: POST only.
    "plan_archive": (
        lambda w: f"/plans/{w['slug']}/archive/",
        {**{r: 405 for r in ROLES}, "anonymous": "login"},
    ),
    "plan_restore": (
        lambda w: f"/plans/{w['slug']}/restore/",
        {**{r: 405 for r in ROLES}, "anonymous": "login"},
    ),
    "task_milestone": (lambda w: f"/plans/{w['slug']}/tasks/{w['number']}/milestones/", POST_ONLY),
    "plan_report_rule": (lambda w: f"/plans/{w['slug']}/reporting/", POST_ONLY),
    "task_summary": (
        lambda w: f"/plans/{w['slug']}/tasks/{w['number']}/summary/",
        {**LEAD_OF_TASK, "staff_a": 200},
    ),
    "favicon": (lambda w: "/favicon.ico", {r: 301 for r in ROLES}),
    "import_start": (lambda w: "/import/", ADMINS_ONLY),
    # The administrator's own upload; anyone else's is 404 to an administrator.
    "import_preview": (lambda w: f"/import/{w['draft']}/", ADMINS_ONLY),
    # Confirming is a POST.
    "import_confirm": (
        lambda w: f"/import/{w['draft']}/confirm/",
        {**{r: 405 for r in ROLES}, "anonymous": "login"},
    ),
    # The reporting chain (tracker/views/reporting.py). Managers have no work of their own:
    # on to their to-do list.
    "my_work": (
        lambda w: "/work/",
        {**ALL, "anonymous": "login", "manager": 302, "admin_user": 302},
    ),
    "assignment_detail": (
        lambda w: f"/assignments/{w['a']}/",
        {**READ, "staff_c": 404, **BARE_404},
    ),
    "evidence_download": (
        lambda w: f"/evidence/{w['evidence']}/",
        {**READ, "staff_c": 404, **BARE_404},
    ),
    "report_create": (lambda w: f"/assignments/{w['a']}/report/", OWNER_WRITES),
    "extension_create": (lambda w: f"/assignments/{w['free']}/extension/", OWNER_WRITES),
    "report_correct": (lambda w: f"/reports/{w['report']}/correct/", OWNER_WRITES),
    "signoff_review": (lambda w: f"/assignments/{w['a']}/signoff/", MANAGER_DECIDES),
    "lead_review": (lambda w: f"/assignments/{w['at_lead']}/lead-review/", LEAD_ONLY),
    "draft_edit": (lambda w: f"/drafts/{w['report_draft']}/", IN_BODY),
    "draft_review": (lambda w: f"/drafts/{w['report_draft']}/review/", POST_ONLY),
    "draft_withdraw": (lambda w: f"/drafts/{w['report_draft']}/withdraw/", POST_ONLY),
    "draft_discard": (lambda w: f"/drafts/{w['report_draft']}/discard/", POST_ONLY),
    "draft_file_download": (lambda w: f"/draft-files/{w['draft_file']}/", IN_BODY),
    "reminder_acknowledge": (lambda w: f"/reminders/{w['reminder']}/acknowledge/", POST_ONLY),
    "extension_decide": (lambda w: f"/extensions/{w['extension']}/decide/", MANAGER_DECIDES),
    "todo": (lambda w: "/review/", MANAGERS_READ),
    # Supervision (tracker/views/supervision.py): the managers' pages are 403 to body staff; the
    # list and its exports answer everyone, each with what they may see.
    "dashboard": (lambda w: "/dashboard/", MANAGERS_READ),
    "matrix": (lambda w: "/dashboard/matrix/", MANAGERS_READ),
    "bulletin": (lambda w: "/dashboard/bulletin/", MANAGERS_READ),
    # Issued bulletins: managers read all; body staff those that name their body (C's is
    # not named: 404); composing and issuing is the managers'.
    "bulletin_list": (lambda w: "/bulletins/", READ),
    "bulletin_compose": (lambda w: "/bulletins/new/", MANAGERS_READ),
    "bulletin_detail": (
        lambda w: f"/bulletins/{w['bulletin']}/",
        {**READ, "staff_c": 404, **BARE_404},
    ),
    "bulletin_document": (
        lambda w: f"/bulletins/{w['bulletin']}/document.docx",
        {**READ, "staff_c": 404, **BARE_404},
    ),
    # The bodies' contacts: managers read them, administrators edit them.
    "body_list": (lambda w: "/bodies/", MANAGERS_READ),
    "body_edit": (lambda w: f"/bodies/{w['body']}/edit/", ADMINS_ONLY),
    "assignment_list": (lambda w: "/list/", READ),
    "list_export_xlsx": (lambda w: "/list/export.xlsx", READ),
    "list_export_csv": (lambda w: "/list/export.csv", READ),
    "remind": (lambda w: f"/assignments/{w['a']}/remind/", {**MANAGER_DECIDES, "staff_a": 200}),
    "login": (lambda w: "/accounts/login/", {"anonymous": 200, **{r: 302 for r in ROLES[1:]}}),
    # Who downloaded and exported what: plan administrators only.
    "access_records": (lambda w: "/audit/", ADMINS_ONLY),
    # For the proxy and the monitoring: no login, no data.
    "healthz": (lambda w: "/healthz", ALL),
    # Logging out is a POST; a GET is refused for everyone.
    "logout": (lambda w: "/accounts/logout/", {r: 405 for r in ROLES}),
    "set_language": (lambda w: "/i18n/setlang/", {r: 302 for r in ROLES}),
    "admin:*": (
        lambda w: "/admin/",
        {
            "anonymous": "admin-login",
            "staff_a": "admin-login",
            "staff_b": "admin-login",
            "staff_c": "admin-login",
            "manager": "admin-login",
            "admin_user": 200,
            # The admin lets staff in, as Django intends (what they may change there is
            # their model permissions); that gives them nothing in the app.
            "bare_staff": 200,
            "bare_superuser": 200,
        },
    ),
}


def test_every_url_pattern_is_covered():
    names = {name for name, _ in all_patterns()}
    assert names - set(PAGES) == set(), "add the new URL patterns to PAGES"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_role_gets_what_it_should(client_as, world, name, role):
    path_of, expected = PAGES[name]
    user = world["users"][role]
    response = client_as(user).get(path_of(world))
    want = expected[role]
    if want == "admin-login":
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
    else:
        check(response, want)
    assert_private(response)


def assert_private(response):
    """Pages, downloads, exports, refusals and redirects alike: for this person only, kept by
    no shared cache and not on the browser's disk (tracker.middleware.PrivateCacheMiddleware)."""
    directives = {d.strip().split("=")[0] for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_body_staff_cannot_open_any_admin_page(client_as, world):
    client = client_as(world["users"]["staff_a"])
    for path in ["/admin/", "/admin/tracker/task/", "/admin/tracker/assignment/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


def check(response, want):
    if want == "login":
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")
    else:
        assert response.status_code == want


# name -> (data builder, the model a successful POST adds a row to, {role: expected}).
# The import's two steps write nothing on these posts (its own tests cover the writes):
# no model, only who is let in.
WROTE = 302
ADMIN_DECIDES = {**ADMINS_ONLY, "admin_user": WROTE}
POSTS = {
    "task_deadline": (
        lambda w: {"deadline": "2031-01-31", "reason": "会议决定"},
        ChangeRecord,
        ADMIN_DECIDES,
    ),
    "task_assign": (
        lambda w: {
            "new_body": "市数据局",
            "new_kind": "department",
            "role": "support",
            "reason": "职能",
        },
        ChangeRecord,
        ADMIN_DECIDES,
    ),
    "report_create": (
        lambda w: {
            "status": "in_progress",
            "percent": "50",
            "text": "推进中",
            "as_of": w["as_of"],  # not before the current report's date
        },
        Report,
        {**OWNER_WRITES, "staff_b": WROTE},
    ),
    "report_correct": (
        lambda w: {"status": "in_progress", "percent": "90", "text": "更正", "as_of": "2026-01-05"},
        Report,
        {**OWNER_WRITES, "staff_b": WROTE},
    ),
    "extension_create": (
        lambda w: {"new_due": "2031-12-31", "reason": "用地"},
        ExtensionRequest,
        {**OWNER_WRITES, "staff_b": WROTE},
    ),
    "signoff_review": (
        lambda w: {"decision": "yes"},
        Decision,
        {**MANAGER_DECIDES, "manager": WROTE, "admin_user": WROTE},
    ),
    "extension_decide": (
        lambda w: {"decision": "no", "reason": "不同意"},
        Decision,
        {**MANAGER_DECIDES, "manager": WROTE, "admin_user": WROTE},
    ),
    "remind": (
        lambda w: {"message": "请尽快填报进展。", "level": "chase"},
        Reminder,
        {**MANAGER_DECIDES, "staff_a": WROTE, "manager": WROTE, "admin_user": WROTE},
    ),
    "lead_review": (
        lambda w: {"decision": "yes", "reason": "材料齐全，同意。"},
        LeadReview,
        {**LEAD_ONLY, "staff_a": WROTE},
    ),
    "task_summary": (
        lambda w: {"as_of": w["as_of"], "text": "各县均已建成园区。"},
        TaskSummary,
        {**LEAD_OF_TASK, "staff_a": WROTE},
    ),
    "task_milestone": (
        lambda w: {"scope": "task", "due": "2030-06-30", "text": "完成选址", "reason": "会议"},
        Milestone,
        ADMIN_DECIDES,
    ),
    "plan_report_rule": (
        lambda w: {"report_rhythm": "monthly", "report_day": "25", "reason": "市政府办公室通知"},
        ChangeRecord,
        ADMIN_DECIDES,
    ),
    # The draft is with the head: nobody edits it now (the clerk's edits: tests/reporting).
    "draft_edit": (lambda w: {"text": "改"}, None, {**IN_BODY, "staff_b": 302}),
    "draft_review": (
        lambda w: {"decision": "no", "reason": "请补充照片。"},
        DraftStep,
        {**IN_BODY, "staff_b": WROTE},
    ),
    # The clerk's (tests/reporting/test_drafts_set_aside.py): the head may discard a draft
    # that is not with it, not withdraw the clerk's; this one is with the head.
    "draft_withdraw": (lambda w: {}, None, {**IN_BODY, "staff_b": 302}),
    "draft_discard": (lambda w: {}, None, {**IN_BODY, "staff_b": 302}),
    "reminder_acknowledge": (
        lambda w: {},
        ReminderReceipt,
        {
            **READ,
            "staff_a": 403,
            "staff_b": WROTE,
            "staff_c": 404,
            "manager": 403,
            "admin_user": 403,
            **BARE_404,
        },
    ),
    # A wrong password: the form again for the anonymous (django-axes counts it: its own
    # tests, tests/test_login.py); the signed-in are sent on.
    "login": (
        lambda w: {"username": "staff_a", "password": "wrong"},
        None,
        {"anonymous": 200, **{r: 302 for r in ROLES[1:]}},
    ),
    "bulletin_compose": (
        lambda w: {
            "plan": "",
            "date": timezone.localdate().isoformat(),
            "title": "关于落实情况的通报",
            "confirm": "on",
            "action": "issue",
        },
        Bulletin,
        {**MANAGERS_READ, "manager": WROTE, "admin_user": WROTE},
    ),
    "body_edit": (
        lambda w: {"leader": "王某某", "contact_name": "李某", "contact_phone": "0635-0000001"},
        None,
        ADMIN_DECIDES,
    ),
    "plan_archive": (lambda w: {"reason": "方案已完成"}, ChangeRecord, ADMIN_DECIDES),
    # Restoring a plan that is not archived changes nothing: only who is let in.
    "plan_restore": (lambda w: {"reason": "恢复跟踪"}, None, ADMIN_DECIDES),
    # The upload writes a draft, not the plan: only who is let in.
    "import_start": (lambda w: {"source_text": ""}, None, ADMINS_ONLY),
    "import_confirm": (lambda w: {}, Plan, ADMIN_DECIDES),
}


def test_every_view_that_takes_a_post_is_in_posts(client_as, world):
    client = client_as(world["users"]["admin_user"])
    for name, (path_of, _) in PAGES.items():
        path = path_of(world)
        if not resolve(path).func.__module__.startswith("tracker.views."):
            continue
        if client.post(path, {}).status_code != 405:
            assert name in POSTS, f"{name} takes a POST: add it to POSTS"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_only_the_right_role_may_post(client_as, world, name, role):
    data_of, model, expected = POSTS[name]
    path_of, _ = PAGES[name]
    user = world["users"][role]
    before = model.objects.count() if model else None
    response = client_as(user).post(path_of(world), data_of(world))
    check(response, expected[role])
    assert_private(response)
    # A write adds rows (a deadline edit records each changed field); a refusal adds none.
    if model is not None:
        assert (model.objects.count() > before) == (expected[role] == WROTE)


@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize("path", ["/list/", "/list/export.csv"])
def test_lists_and_exports_hold_only_what_the_role_may_see(client_as, world, role, path):
    """The lead body reads its task's other assignments; the owner its own; a stranger
    nothing; managers everything."""
    import csv
    import io

    from tracker.access import visible_assignments
    from tracker.models import Assignment

    user = world["users"][role]
    response = client_as(user).get(path)
    assert response.status_code == 200
    may_see = {a.body.name for a in visible_assignments(user).select_related("body")}
    if path.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))[1:]
        shown = {row[4] for row in rows}
        assert len(rows) == visible_assignments(user).count()
    else:
        shown = {a.body.name for a in response.context["page"]}
    assert shown == may_see
    everything = {a.body.name for a in Assignment.objects.select_related("body")}
    assert (shown == everything) == (role in ("manager", "admin_user") or role == "staff_a")


def test_opening_an_address_that_takes_posts_only_says_so(client_as, world):
    # Django's 405 is an empty page: a refreshed or bookmarked form address showed nothing.
    client = client_as(world["users"]["manager"])
    plan = "/plans/any-plan/"  # refused by its method before the plan is looked up
    response = client.get(f"{plan}archive/", HTTP_REFERER=f"http://testserver{plan}")
    page = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "此地址只接受表单提交" in page and f'href="http://testserver{plan}"' in page
