"""Issue 11 on the managers' side: escalation (levels, the suggested level, 督办函 with its
文号 and reply day, 签收, the dashboard's flag), the bulletin's numbering and its separate
count of work awaiting sign-off, and an administrator's calendar and milestones."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.builders import file_report, pass_to_managers
from tests.supervision_world import TODAY, frozen, world
from tracker.models import (
    Assignment,
    ChangeRecord,
    Milestone,
    Plan,
    Reminder,
    ReminderReceipt,
)
from tracker.services import reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(staff_a, staff_b, staff_c):
    with frozen():
        return world(shen=staff_b.membership.body, guan=staff_c.membership.body)


def post(client, url, data):
    with frozen():
        return client.post(url, data)


def get(client, url):
    with frozen():
        response = client.get(url)
    assert response.status_code == 200
    return response


# --- escalation -----------------------------------------------------------------------------


def test_the_level_is_suggested_from_days_overdue_and_earlier_chases(client_as, manager, w):
    url = reverse("remind", args=[w["park_shen"].pk])  # 150 days overdue
    page = get(client_as(manager), url)
    assert page.context["suggested"] == "chase"  # nobody chased it yet
    assert "建议级别：催办" in page.content.decode()
    post(client_as(manager), url, {"message": "请尽快推进。", "level": "chase"})
    assert get(client_as(manager), url).context["suggested"] == "letter"
    # Not overdue: a notice.
    green = reverse("remind", args=[w["delivery_shen"].pk])
    assert get(client_as(manager), green).context["suggested"] == "notice"


def test_a_letter_needs_its_number_and_reply_day(client_as, manager, w):
    url = reverse("remind", args=[w["park_shen"].pk])
    response = post(client_as(manager), url, {"message": "请书面回复。", "level": "letter"})
    page = response.content.decode()
    assert "督办函须写明文号" in page and "督办函须写明回复期限" in page
    assert not Reminder.objects.exists()
    data = {
        "message": "请书面回复。",
        "level": "letter",
        "doc_number": "聊督办函〔2026〕5号",
        "reply_by": "2026-12-04",
    }
    assert post(client_as(manager), url, data).status_code == 302
    letter = Reminder.objects.get()
    assert (letter.level, letter.doc_number, letter.reply_by) == (
        "letter",
        "聊督办函〔2026〕5号",
        dt.date(2026, 12, 4),
    )


def test_the_body_acknowledges_and_the_record_shows_who_and_when(
    client_as, manager, staff_a, staff_b, w
):
    with frozen():
        letter = reminders.remind(
            assignment=w["park_shen"],
            sender=manager,
            message="请书面回复。",
            level="letter",
            doc_number="聊督办函〔2026〕5号",
            reply_by=dt.date(2026, 12, 4),
        )
    url = reverse("reminder_acknowledge", args=[letter.pk])
    assert post(client_as(staff_a), url, {}).status_code == 403  # the lead body reads, not signs
    assert post(client_as(staff_b), url, {}).status_code == 302
    receipt = ReminderReceipt.objects.get()
    assert receipt.acknowledged_by == staff_b
    post(client_as(staff_b), url, {})  # twice: still one receipt
    assert ReminderReceipt.objects.count() == 1
    page = get(client_as(manager), w["park_shen"].get_absolute_url()).content.decode()
    assert "督办函" in page and "聊督办函〔2026〕5号" in page and "已于 2026-11-27" in page


def test_an_unacknowledged_letter_past_its_reply_day_is_flagged_on_the_dashboard(
    client_as, manager, staff_b, w
):
    with frozen(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)):
        letter = reminders.remind(
            assignment=w["park_shen"],
            sender=manager,
            message="请书面回复。",
            level="letter",
            doc_number="聊督办函〔2026〕3号",
            reply_by=dt.date(2026, 11, 25),
        )
    page = get(client_as(manager), reverse("dashboard")).content.decode()
    assert "督办函逾期未签收" in page and "聊督办函〔2026〕3号" in page
    post(client_as(staff_b), reverse("reminder_acknowledge", args=[letter.pk]), {})
    page = get(client_as(manager), reverse("dashboard")).content.decode()
    assert "督办函逾期未签收" not in page


# --- the bulletin ---------------------------------------------------------------------------


def test_the_bulletin_counts_work_awaiting_the_lead_or_the_managers_apart(
    client_as, manager, staff_a, staff_b, w
):
    with frozen():
        # 莘县 reports its overdue share complete: first with the lead body, then passed on.
        file_report(w["park_shen"], staff_b, status="completed", percent=100)
    url = reverse("bulletin") + "?date=2026-11-27&plan=lc"

    def sections():
        figures = get(client_as(manager), url).context["figures"]
        return {s["key"]: s for s in figures["sections"]}

    at_lead = sections()
    assert at_lead["waiting"]["count"] == 1 and at_lead["overdue"]["count"] == 1
    with frozen():
        pass_to_managers(w["park_shen"])
    passed = sections()
    assert passed["waiting"]["count"] == 1 and passed["overdue"]["count"] == 1
    (group,) = passed["overdue"]["groups"]
    assert group["body"] == "市邮政管理局"  # only the lead's own overdue work
    page = get(client_as(manager), url).content.decode()
    assert "一、总体情况" in page and "、待审核销号" in page and "（一）莘县（1项）" in page
    assert "已报完成待审核销号1项" in page


def test_the_bulletin_numbers_ranks_and_headings_apart(client_as, manager, w):
    from tracker.services.supervision import chinese_number

    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
    ]


# --- the administrator's calendar and milestones --------------------------------------------


def test_an_administrator_sets_a_monthly_calendar_shown_as_theirs(client_as, admin_user, w):
    url = reverse("plan_report_rule", args=["lc"])
    missing = post(client_as(admin_user), url, {"report_rhythm": "monthly", "reason": "通知"})
    assert missing.status_code == 400 and "请填写截止日" in missing.content.decode()
    data = {"report_rhythm": "monthly", "report_day": "25", "reason": "市政府办公室通知"}
    assert post(client_as(admin_user), url, data).status_code == 302
    plan = Plan.objects.get(slug="lc")
    assert (plan.report_rhythm, plan.report_day, plan.report_rule_source) == (
        "monthly",
        25,
        "admin",
    )
    assert ChangeRecord.objects.filter(plan=plan, field="report_rhythm").exists()
    page = get(client_as(admin_user), plan.get_absolute_url()).content.decode()
    assert "每月25日前" in page and "管理员设定" in page and "市政府办公室通知" in page


def test_a_plan_without_a_tracking_start_says_so_until_an_administrator_sets_one(
    client_as, admin_user, manager, staff_b, w
):
    plan = Plan.objects.get(slug="lc")
    plan.start_date, plan.start_date_source = None, ""
    plan.save()
    # No tracking start: no page names a first report due in 1970.
    overview = get(client_as(manager), plan.get_absolute_url()).content.decode()
    assert "跟踪起始未定" in overview and "1970" not in overview
    with frozen():
        quiet = (
            Assignment.objects.with_state(TODAY)
            .filter(task__plan=plan, last_reported_at__isnull=True, assigned_on__isnull=True)
            .filter(is_overdue=False, is_due_soon=False, is_done=False, is_waiting=False)
            .first()
        )
        assert not quiet.is_silent
        assert reminders.reminder_message(quiet, TODAY) == "请抓紧推进该项工作，并及时填报进展。"
    page = get(client_as(manager), quiet.get_absolute_url()).content.decode()
    assert "跟踪起始未定：首次填报时间待管理员设定" in page and "1970" not in page
    url = reverse("plan_report_rule", args=["lc"])
    reason = "督查室通知：自12月起按月报送"
    data = {"report_rhythm": "monthly", "report_day": "25", "reason": reason}
    # The calendar alone leaves the start as it was (unknown) ...
    assert post(client_as(admin_user), url, data).status_code == 302
    assert Plan.objects.get(slug="lc").start_date is None
    # ... a start date set here is the administrator's, with the reason, in the history.
    assert post(client_as(admin_user), url, {**data, "start_date": "2026-12-01"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.start_date, plan.start_date_source, plan.start_date_reason) == (
        dt.date(2026, 12, 1),
        "admin",
        "督查室通知：自12月起按月报送",
    )
    assert ChangeRecord.objects.filter(plan=plan, field="start_date").exists()
    overview = get(client_as(admin_user), plan.get_absolute_url()).content.decode()
    assert "跟踪起始未定" not in overview and "跟踪起始 2026-12-01" in overview
    # Sent again unchanged, the start keeps its source and records nothing new.
    before = ChangeRecord.objects.filter(plan=plan, field="start_date").count()
    again = {**data, "start_date": "2026-12-01", "reason": "改为每月25日"}
    assert post(client_as(admin_user), url, again).status_code == 302
    plan.refresh_from_db()
    assert plan.start_date_reason == "督查室通知：自12月起按月报送"
    assert ChangeRecord.objects.filter(plan=plan, field="start_date").count() == before


def test_an_administrator_sets_a_milestone_that_makes_work_overdue_when_missed(
    client_as, admin_user, staff_b, w
):
    task = w["delivery"]
    url = reverse("task_milestone", args=["lc", task.number])
    past = post(
        client_as(admin_user),
        url,
        {"scope": "task", "due": "2026-11-01", "text": "完成选址", "reason": "会议"},
    )
    # A past date is not taken silently: it is warned about and must be confirmed.
    assert past.status_code == 400 and "2026-11-01 已经过去" in past.content.decode()
    data = {
        "scope": f"assignment-{w['delivery_shen'].pk}",
        "due": "2026-12-01",
        "text": "完成选址",
        "reason": "专题会议纪要",
    }
    assert post(client_as(admin_user), url, data).status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.assignment == w["delivery_shen"] and milestone.created_by == admin_user
    assert ChangeRecord.objects.filter(model="milestone", action="created").exists()
    with frozen(dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC)):
        row = (
            w["delivery_shen"]
            .__class__.objects.with_state(dt.date(2026, 12, 3))
            .get(pk=w["delivery_shen"].pk)
        )
        page = client_as(staff_b).get(w["delivery_shen"].get_absolute_url()).content.decode()
    assert row.is_overdue and row.days_overdue == 2
    assert "阶段性目标（2026-12-01）" in page and "逾期未完成" in page


def test_the_dashboard_costs_the_same_with_2_and_20_overdue_letters(client_as, manager, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def letters(k):
        with frozen(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)):
            for i in range(k):
                reminders.remind(
                    assignment=w["park_shen"] if i % 2 else w["park_lead"],
                    sender=manager,
                    message="请回复。",
                    level="letter",
                    doc_number=f"聊督办函〔2026〕{i}号",
                    reply_by=dt.date(2026, 11, 25),
                )

    client = client_as(manager)

    def count():
        with frozen(), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("dashboard"))
        context = response.context
        return len(ctx.captured_queries), len(context["letters_overdue"]), context["letters_total"]

    letters(2)
    count()  # the session's first page costs more
    two, shown, total = count()
    letters(18)
    # The ten whose reply day is earliest are listed, with how many there are in all.
    assert count() == (two, 10, 20) and (shown, total) == (2, 2)
