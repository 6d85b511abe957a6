"""An administrator archives (归档) a plan: it leaves 我的任务, the dashboard, the lists, the
exports and the reminders; every record stays, readable; it can be restored."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.builders import file_report
from tests.factories import AssignmentFactory, PlanFactory, TaskFactory, make_admin
from tracker.models import Assignment, ChangeRecord, Plan, Report, Task
from tracker.services import reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff_a, staff_b):
    """Two plans; staff_b's body has overdue work on both, staff_a's body leads one task."""
    old = PlanFactory(slug="old", title="已完成的旧方案")
    new = PlanFactory(slug="new", title="正在跟踪的方案")
    overdue = dt.date(2020, 12, 31)
    old_task = TaskFactory(plan=old, number=1, title="旧任务", deadline=overdue)
    new_task = TaskFactory(plan=new, number=1, title="新任务", deadline=overdue)
    AssignmentFactory(task=old_task, body=staff_a.membership.body, role="lead")
    old_work = AssignmentFactory(task=old_task, body=staff_b.membership.body)
    AssignmentFactory(task=new_task, body=staff_b.membership.body)
    report = file_report(old_work, staff_b, as_of=timezone.localdate())
    return {"old": old, "new": new, "old_work": old_work, "report": report}


def archive(client, plan, reason="方案已全部完成，经市政府办公室同意归档"):
    return client.post(f"/plans/{plan.slug}/archive/", {"reason": reason})


def test_an_archived_plan_leaves_everyones_work_lists(client_as, admin_user, staff_b, world):
    staff = client_as(staff_b)
    assert "旧任务" in staff.get("/work/").content.decode()
    archive(client_as(admin_user), world["old"])
    plan = Plan.objects.get(slug="old")
    assert plan.is_archived and plan.archived_by == admin_user
    staff = client_as(staff_b)
    work = staff.get("/work/").content.decode()
    assert "旧任务" not in work and "新任务" in work
    listed = staff.get("/list/").context["page"]
    assert [a.task.title for a in listed] == ["新任务"]
    assert "旧任务" not in staff.get("/list/export.csv").getvalue().decode("utf-8-sig")


def test_an_archived_plan_leaves_the_dashboard_plan_choices_and_reminders(
    client_as, admin_user, manager, world
):
    archive(client_as(admin_user), world["old"])
    client = client_as(manager)
    dashboard = client.get("/dashboard/")
    counts = dashboard.context["counts"]
    assert counts["total"] == Assignment.objects.filter(task__plan=world["new"]).count()
    assert [a.task.title for a in dashboard.context["overdue"]] == ["新任务"]
    assert counts["red"] == 1
    # With one plan left being tracked, the dashboard shows that one.
    assert dashboard.context["plan"] == world["new"]
    candidates = reminders.scheduled_candidates(timezone.localdate())
    assert [a.task.title for items in candidates.values() for a in items] == ["新任务"]
    page = client.get(f"/assignments/{world['old_work'].pk}/remind/")
    assert page.status_code in (200, 302)
    response = client.post(
        f"/assignments/{world['old_work'].pk}/remind/", {"message": "请填报"}, follow=True
    )
    assert "不再跟踪" in response.content.decode()


def test_every_record_stays_and_is_readable(client_as, admin_user, staff_b, world):
    archive(client_as(admin_user), world["old"])
    assert Task.objects.filter(plan=world["old"]).count() == 1
    assert Assignment.objects.filter(task__plan=world["old"]).count() == 2
    assert Report.objects.filter(pk=world["report"].pk).exists()
    staff = client_as(staff_b)
    page = staff.get(f"/assignments/{world['old_work'].pk}/").content.decode()
    assert "本方案已归档" in page and "完成快递园区选址" in page
    # No more reporting on it.
    assert staff.get(f"/assignments/{world['old_work'].pk}/report/").status_code == 403
    overview = staff.get("/plans/old/").content.decode()
    assert "已归档" in overview and "经市政府办公室同意归档" in overview
    plans = staff.get("/plans/")
    assert list(plans.context["plans"]) == [world["new"]]
    assert list(plans.context["archived"]) == [Plan.objects.get(slug="old")]


def test_archiving_and_restoring_are_recorded_and_restoring_brings_it_back(
    client_as, admin_user, staff_b, world
):
    client = client_as(admin_user)
    archive(client, world["old"])
    archive(client, world["old"])  # a second click changes nothing
    response = client.post("/plans/old/restore/", {"reason": "发现遗留事项，恢复跟踪"}, follow=True)
    assert "已恢复方案" in response.content.decode()
    plan = Plan.objects.get(slug="old")
    assert not plan.is_archived and plan.archive_reason == ""
    records = ChangeRecord.objects.filter(via=ChangeRecord.Via.ARCHIVE, field="archived_at")
    assert [(r.old == "", r.new == "", r.reason) for r in records] == [
        (True, False, "方案已全部完成，经市政府办公室同意归档"),
        (False, True, "发现遗留事项，恢复跟踪"),
    ]
    assert "旧任务" in client_as(staff_b).get("/work/").content.decode()


def test_archiving_needs_a_reason_and_an_administrator(client_as, admin_user, manager, world):
    response = archive(client_as(admin_user), world["old"], reason="")
    assert response.status_code == 400
    page = response.content.decode()
    # The form open at its note, and a message at the top that links to it.
    assert '<details class="archive" open>' in page and "请写明归档或恢复的依据。" in page
    assert '<a href="#archive-form">“归档此方案”</a>' in page
    assert not Plan.objects.get(slug="old").is_archived
    assert archive(client_as(manager), world["old"]).status_code == 403
    assert not Plan.objects.get(slug="old").is_archived


def test_a_reason_too_long_is_refused_in_our_words(client_as, admin_user, world):
    client = client_as(admin_user)
    response = archive(client, world["old"], reason="依" * 301)
    assert not Plan.objects.get(slug="old").is_archived
    page = response.content.decode()
    assert "“依据”最多 300 字，现在有 301 字。" in page and "请写明归档或恢复的依据" not in page
    response = archive(client, world["old"], reason="")
    assert "请写明归档或恢复的依据。" in response.content.decode()
    # Restoring, too: the restore form at the top of an archived plan's page.
    archive(client, world["old"])
    refused = client.post("/plans/old/restore/", {"reason": " "})
    assert refused.status_code == 400 and Plan.objects.get(slug="old").is_archived
    assert '页面上方<a href="#restore-form">“恢复跟踪”</a>' in refused.content.decode()


def test_the_overview_offers_archiving_to_administrators_only(client_as, admin_user, manager):
    plan = PlanFactory(slug="p")
    assert 'id="archive-form"' in client_as(admin_user).get("/plans/p/").content.decode()
    assert 'id="archive-form"' not in client_as(manager).get("/plans/p/").content.decode()
    assert plan.tasks.count() == 0


def test_a_plan_cannot_be_deleted_in_the_admin(client_as, admin_user, world):
    client = client_as(admin_user)
    client.post(f"/admin/tracker/plan/{world['old'].pk}/delete/", {"post": "yes"})
    assert Plan.objects.filter(pk=world["old"].pk).exists()


def test_an_archived_plan_is_kept_as_it_was_archived(client_as, admin_user, world):
    # Its deadlines, bodies, milestones and calendar stayed editable after archiving: the
    # page offered the forms and the edits were saved into a plan nobody tracks any more.
    archive(client_as(admin_user), world["old"])
    client = client_as(admin_user)
    overview = client.get("/plans/old/").content.decode()
    assert 'id="report-rule-form"' not in overview and 'id="restore-form"' in overview
    task_page = client.get("/plans/old/tasks/1/").content.decode()
    assert "本方案已于" in task_page and "恢复跟踪后才能修改时限和责任单位" in task_page
    assert 'id="deadline-form"' not in task_page and 'id="assign-form"' not in task_page
    # A form opened before the plan was archived is refused, and nothing is written.
    edits = [
        ("/plans/old/tasks/1/deadline/", {"deadline": "2030-06-30", "reason": "会议纪要"}),
        (
            "/plans/old/tasks/1/milestones/",
            {"scope": "task", "due": "2030-01-31", "text": "选址", "reason": "纪要"},
        ),
        (
            "/plans/old/reporting/",
            {"report_rhythm": "monthly", "report_day": 25, "extension_cap": 2, "reason": "通知"},
        ),
    ]
    before = ChangeRecord.objects.count()
    for path, data in edits:
        response = client.post(path, data)
        assert response.status_code == 403
        assert "本方案已归档" in response.content.decode()
    assert ChangeRecord.objects.count() == before
    task = Task.objects.get(plan=world["old"])
    assert task.deadline == dt.date(2020, 12, 31) and not task.milestones.exists()
    # Restored, the forms are back.
    client.post("/plans/old/restore/", {"reason": "发现遗留事项，恢复跟踪"})
    assert 'id="deadline-form"' in client.get("/plans/old/tasks/1/").content.decode()
    assert 'id="report-rule-form"' in client.get("/plans/old/").content.decode()


def test_an_archived_plans_pages_keep_its_record_without_asking_for_reports(
    client_as, manager, staff_b, world
):
    # Its task page said 尚无责任分工 above the list of its bodies (archived work counted as
    # withdrawn), and its assignments still asked for the next report by a date.
    archive(client_as(make_admin()), world["old"])
    task_page = client_as(manager).get("/plans/old/tasks/1/")
    assert "尚无责任分工" not in task_page.content.decode()
    assert task_page.context["rollup"].units == 1 and task_page.context["task_light"] is None
    detail = client_as(staff_b).get(f"/assignments/{world['old_work'].pk}/").content.decode()
    assert "下次填报截至" not in detail and "填报已逾期" not in detail
    # Nor is it chased: the reminder form refused what the button offered.
    managed = client_as(manager).get(f"/assignments/{world['old_work'].pk}/")
    assert managed.context["can_chase"] is False
