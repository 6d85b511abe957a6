"""催办: a manager chases an assignment — recorded in its history, shown on the body's 我的任务,
e-mailed to the members with an address, never as an empty mail — and the scheduled sweep
(`manage.py send_reminders`): one mail per body, at most once a day per assignment."""

import datetime as dt
import io
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tests.builders import file_report
from tests.factories import MembershipFactory, UserFactory
from tests.supervision_world import NOON, frozen, world
from tracker.models import Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(staff_a, staff_b, staff_c):
    """staff_b (莘县) has an e-mail address; staff_c (冠县) has none."""
    staff_b.email = "zhang@shenxian.gov.cn"
    staff_b.save()
    with frozen():
        return world(shen=staff_b.membership.body, guan=staff_c.membership.body)


def remind(client, a, message="请于本周五前报送快递园区建设进展。", **extra):
    data = {"message": message, "level": "chase", **extra}
    with frozen():
        return client.post(reverse("remind", args=[a.pk]), data)


# --- a manager's reminder -------------------------------------------------------------------


def test_the_form_proposes_a_message_and_names_who_will_get_it(client_as, manager, w):
    with frozen():
        page = client_as(manager).get(reverse("remind", args=[w["park_shen"].pk]))
    text = page.content.decode()
    # The proposed message goes to the body as the office's words: an office date, not ISO.
    assert "完成时限 2026年6月30日 已过 150 天" in text
    assert "2026-06-30 已过" not in text
    assert "zhang@shenxian.gov.cn" in text


def test_a_reminder_is_recorded_and_mailed_to_the_body(client_as, manager, w):
    a = w["park_shen"]
    client = client_as(manager)
    response = remind(client, a)
    assert response.status_code == 302 and response.url == a.get_absolute_url()
    reminder = Reminder.objects.get()
    assert (reminder.assignment, reminder.kind, reminder.sent_by) == (a, "manual", manager)
    assert reminder.day == dt.date(2026, 11, 27)
    assert reminder.recipients == ["zhang@shenxian.gov.cn"]
    (sent,) = mail.outbox
    assert sent.to == ["zhang@shenxian.gov.cn"]
    assert sent.subject == "【催办】莘县：任务1 推进快递园区建设"
    assert "请于本周五前报送快递园区建设进展。" in sent.body
    assert "完成时限：2026年6月30日（已逾期 150 天）" in sent.body
    assert "督查督办系统 2026年11月27日" in sent.body
    assert "2026-06-30" not in sent.body
    assert f"http://testserver{a.get_absolute_url()}" in sent.body
    with frozen():
        followed = client.get(response.url)
    assert "已催办莘县，邮件已发送给 1 人。" in followed.content.decode()


def test_a_letters_mail_names_its_reply_day_as_offices_write_it(client_as, manager, w):
    remind(
        client_as(manager),
        w["park_shen"],
        level="letter",
        doc_number="聊督办函〔2026〕5号",
        reply_by="2026-12-10",
    )
    (sent,) = mail.outbox
    assert "督办函 聊督办函〔2026〕5号，请于 2026年12月10日 前签收并回复。" in sent.body


def test_only_members_of_the_body_with_an_address_get_it(client_as, manager, w):
    shen = w["shen"]
    MembershipFactory(user=UserFactory(username="li", email="li@shenxian.gov.cn"), body=shen)
    MembershipFactory(user=UserFactory(username="wang", email=""), body=shen)
    MembershipFactory(
        user=UserFactory(username="gone", email="gone@shenxian.gov.cn", is_active=False),
        body=shen,
    )
    remind(client_as(manager), w["park_shen"])
    (sent,) = mail.outbox
    assert sent.to == ["li@shenxian.gov.cn", "zhang@shenxian.gov.cn"]


def test_nobody_with_an_address_means_no_mail_and_the_manager_is_told(client_as, manager, w):
    a = w["delivery_guan"]  # 冠县: staff_c has no address
    client = client_as(manager)
    response = remind(client, a)
    assert mail.outbox == []
    reminder = Reminder.objects.get()
    assert reminder.recipients == [] and not reminder.mail_failed
    with frozen():
        page = client.get(response.url).content.decode()
    assert "没有登记邮箱的工作人员，没有人收到邮件" in page


def test_a_failed_mail_is_recorded_as_failed(client_as, manager, w, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    client = client_as(manager)
    response = remind(client, w["park_shen"])
    assert response.status_code == 302
    reminder = Reminder.objects.get()
    assert reminder.mail_failed and reminder.recipients == []
    with frozen():
        page = client.get(response.url).content.decode()
    assert "已记录对莘县的催办，但邮件发送失败，没有人收到邮件。" in page


def test_an_empty_message_is_refused(client_as, manager, w):
    response = remind(client_as(manager), w["park_shen"], message="   ")
    assert response.status_code == 200
    assert "请填写催办内容。" in response.content.decode()
    assert not Reminder.objects.exists() and mail.outbox == []


def test_signed_off_work_is_not_chased(client_as, manager, w):
    response = remind(client_as(manager), w["park_guan"])
    assert response.status_code == 302
    assert not Reminder.objects.exists() and mail.outbox == []


def test_the_manager_goes_back_to_the_list_they_came_from(client_as, manager, w):
    back = reverse("assignment_list") + "?county=1&light=red"
    response = remind(client_as(manager), w["park_shen"], next=back)
    assert response.url == back
    evil = remind(client_as(manager), w["park_shen"], next="https://evil.example/")
    assert evil.url == w["park_shen"].get_absolute_url()


def test_body_staff_may_not_chase_but_the_lead_body_may(client_as, staff_a, staff_b, staff_c, w):
    a = w["park_shen"]
    assert remind(client_as(staff_b), a).status_code == 403  # its own
    assert remind(client_as(staff_c), a).status_code == 404  # none of its business
    assert not Reminder.objects.exists()
    # The lead body chases the other bodies on its task, at most at the level 催办.
    too_strong = remind(
        client_as(staff_a), a, level="letter", doc_number="x", reply_by="2026-12-10"
    )
    assert too_strong.status_code == 200 and not Reminder.objects.exists()
    assert remind(client_as(staff_a), a).status_code == 302
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.level, reminder.sent_by) == ("lead", "chase", staff_a)


def test_the_lead_body_is_not_offered_the_fields_of_a_letter(client_as, staff_a, manager, w):
    url = reverse("remind", args=[w["park_shen"].pk])
    with frozen():
        lead = client_as(staff_a).get(url).content.decode()
        managers = client_as(manager).get(url).content.decode()
    assert "督办函文号" in managers and "回复期限" in managers
    assert "督办函文号" not in lead and "回复期限" not in lead
    assert 'type="hidden" name="doc_number"' in lead


# --- what the body sees ---------------------------------------------------------------------


def my_work(client):
    with frozen():
        return client.get(reverse("my_work")).content.decode()


def test_the_body_sees_the_reminder_on_my_work_until_it_reports(client_as, manager, staff_b, w):
    remind(client_as(manager), w["park_shen"], message="请尽快报送园区建设情况。")
    page = my_work(client_as(staff_b))
    assert "收到催办，请尽快填报" in page
    assert "<strong>催办</strong>" in page and "请尽快报送园区建设情况。" in page
    assert "2026-11-27 · 督查催办 · 发出人：manager" in page
    with frozen():
        file_report(w["park_shen"], staff_b, percent=60, as_of=dt.date(2026, 11, 27))
    assert "收到催办" not in my_work(client_as(staff_b))


def test_a_letter_on_my_work_shows_its_number_reply_day_and_sender(client_as, manager, staff_b, w):
    """The body reads on 我的任务 what the letter is (its 文号), by when it must reply and
    who sent it; the suggested words, left as they were, name that reply day."""
    manager.first_name = "王督查"
    manager.save()
    remind(
        client_as(manager),
        w["park_shen"],
        message=suggested(client_as(manager), w["park_shen"]),
        level="letter",
        doc_number="聊督办函〔2026〕5号",
        reply_by="2026-12-10",
    )
    letter = Reminder.objects.get()
    assert "于 2026年12月10日 前填报进展" in letter.message and "3 日内" not in letter.message
    page = my_work(client_as(staff_b))
    assert '<strong>督办函</strong> <span class="doc-number">聊督办函〔2026〕5号</span>' in page
    assert "限期回复：2026年12月10日前" in page
    assert "督查催办 · 发出人：王督查" in page
    assert "收到督办函，请于 2026-12-10 前签收并填报进展" in page
    assert "于 2026年12月10日 前填报进展" in page and "已过回复期限" not in page
    # After the reply day, unacknowledged, it says so.
    with frozen(NOON + dt.timedelta(days=14)):
        later = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "已过回复期限" in later


def suggested(client, a):
    with frozen():
        return client.get(reverse("remind", args=[a.pk])).context["form"].initial["message"]


def test_words_the_manager_edited_are_kept_whatever_the_reply_day(client_as, manager, w):
    remind(
        client_as(manager),
        w["park_shen"],
        message="请于3日内报送。",
        level="letter",
        doc_number="聊督办函〔2026〕6号",
        reply_by="2026-12-10",
    )
    assert Reminder.objects.get().message == "请于3日内报送。"


def test_a_pending_extension_is_not_asked_for_again(client_as, manager, staff_b, w):
    """Work whose body has asked for more time is not told to ask: the words say that the
    request is being decided — in the manager's form and in the daily sweep."""
    from tracker.services import reporting

    client = client_as(manager)
    assert "或按程序申请延期" in suggested(client, w["park_shen"])
    with frozen():
        reporting.extension_request_create(
            assignment=w["park_shen"], author=staff_b, new_due=dt.date(2027, 3, 31), reason="用地"
        )
    words = suggested(client, w["park_shen"])
    assert "按程序申请延期" not in words
    assert (
        "你单位申请延期至 2027年3月31日，正在审批；审批前请继续抓紧推进，于 3 日内填报进展。"
        in (words)
    )
    sweep()
    chased = Reminder.objects.get(assignment=w["park_shen"])
    assert "正在审批" in chased.message and "或按程序申请延期" not in chased.message
    other = Reminder.objects.get(assignment=w["park_lead"])  # no request: may ask
    assert "或按程序申请延期" in other.message


def test_the_reminder_is_in_the_assignment_history(client_as, manager, staff_b, staff_a, w):
    remind(client_as(manager), w["park_shen"], message="请尽快报送园区建设情况。")
    for user in (staff_b, staff_a, manager):  # the body, the lead body, the manager
        with frozen():
            page = client_as(user).get(w["park_shen"].get_absolute_url()).content.decode()
        assert "督查催办" in page and "请尽快报送园区建设情况。" in page
        assert "已发邮件给 1 人" in page
    with frozen():
        task_page = client_as(staff_a).get(w["park"].get_absolute_url()).content.decode()
    assert "请尽快报送园区建设情况。" in task_page


def test_history_of_reminders_is_append_only(client_as, manager, w):
    from tracker.models import HistoryIsAppendOnly

    remind(client_as(manager), w["park_shen"])
    reminder = Reminder.objects.get()
    reminder.message = "改写"
    with pytest.raises(HistoryIsAppendOnly):
        reminder.save()
    with pytest.raises(HistoryIsAppendOnly):
        Reminder.objects.all().delete()


# --- the scheduled sweep --------------------------------------------------------------------


def sweep(*args, when=NOON):
    out, err = io.StringIO(), io.StringIO()
    with frozen(when):
        call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_sweep_sends_one_mail_per_body_listing_its_items(w, staff_a, settings):
    settings.TRACKER_SITE_URL = "https://dubanshi.example.cn"
    staff_a.email = "post@lc.gov.cn"
    staff_a.save()
    # 东阿县 gets an address too, for its item due soon.
    MembershipFactory(
        user=UserFactory(username="dong", email="dong@dong-e.gov.cn"), body=w["dong_e"]
    )
    out, _ = sweep()
    # Overdue: 市邮政管理局 (lead) and 莘县; due soon: 东阿县. Signed off and green ones: not.
    assert {tuple(m.to) for m in mail.outbox} == {
        ("post@lc.gov.cn",),
        ("zhang@shenxian.gov.cn",),
        ("dong@dong-e.gov.cn",),
    }
    shen = next(m for m in mail.outbox if m.to == ["zhang@shenxian.gov.cn"])
    assert shen.subject == "【催办】莘县：任务1 推进快递园区建设"
    assert "https://dubanshi.example.cn/assignments/" in shen.body
    dong = next(m for m in mail.outbox if m.to == ["dong@dong-e.gov.cn"])
    assert "措施 2.1" in dong.body and "2026年12月10日" in dong.body
    kinds = {r.assignment_id: r.kind for r in Reminder.objects.all()}
    assert kinds == {
        w["park_lead"].pk: "overdue",
        w["park_shen"].pk: "overdue",
        w["lockers_dong_e"].pk: "due_soon",
    }
    assert "共 3 个单位，发出 3 封邮件" in out


def test_one_mail_lists_all_of_a_body_items(w):
    with frozen():
        w["delivery_shen"].due_date = dt.date(2026, 12, 1)  # now due soon as well
        w["delivery_shen"].save()
    sweep()
    (shen,) = [m for m in mail.outbox if m.to == ["zhang@shenxian.gov.cn"]]
    assert shen.subject == "【催办】莘县：2 项工作临期或逾期"
    assert "任务1：推进快递园区建设" in shen.body and "任务2：完善城市末端配送" in shen.body


def test_a_mail_lists_the_task_before_its_measures(w):
    from tests.factories import AssignmentFactory, MeasureFactory

    with frozen():
        measure = MeasureFactory(task=w["park"], number=1, text="建成县级快递园区。")
        AssignmentFactory(task=w["park"], measure=measure, body=w["shen"])  # due with the task
    sweep()
    (shen,) = [m for m in mail.outbox if m.to == ["zhang@shenxian.gov.cn"]]
    task_item = shen.body.index("1. 任务1：推进快递园区建设")
    measure_item = shen.body.index("2. 任务1：推进快递园区建设\n   措施 1.1")
    assert task_item < measure_item


def test_no_address_no_mail_but_the_body_still_sees_it(w, client_as, staff_a):
    out, _ = sweep()
    # staff_a (市邮政管理局) has no address: its overdue item is recorded, not mailed.
    assert all(m.to != [] for m in mail.outbox)
    assert Reminder.objects.filter(assignment=w["park_lead"], emailed_to="").exists()
    assert "市邮政管理局：1 项（逾期 1，临期 0）→ 已记录催办；该单位没有登记邮箱的工作人员" in out
    assert "收到催办" in my_work(client_as(staff_a))


def test_the_sweep_chases_nothing_twice_a_day(w):
    sweep()
    first = len(mail.outbox)
    out, _ = sweep(when=NOON + dt.timedelta(hours=6))
    assert len(mail.outbox) == first
    assert "没有需要催办" in out
    sweep(when=NOON + dt.timedelta(days=1))  # the next day, again
    assert len(mail.outbox) == 2 * first


def test_a_manual_reminder_today_counts_as_the_day_s_chase(client_as, manager, w):
    remind(client_as(manager), w["park_shen"])
    mail.outbox.clear()
    sweep()
    assert all(m.to != ["zhang@shenxian.gov.cn"] for m in mail.outbox)


def test_the_database_refuses_a_second_scheduled_reminder_on_one_day(w):
    row = {"assignment": w["park_shen"], "kind": "overdue", "message": "逾期", "day": NOON.date()}
    Reminder.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**row)


def test_work_waiting_for_sign_off_is_not_chased(w, staff_b):
    with frozen():
        file_report(w["park_shen"], staff_b, status="completed", percent=100)
    sweep()
    assert not Reminder.objects.filter(assignment=w["park_shen"]).exists()
    assert all(m.to != ["zhang@shenxian.gov.cn"] for m in mail.outbox)


def test_a_failed_mail_is_recorded_and_tried_again_next_run(w, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    _, err = sweep()
    assert "莘县" in err and "邮件发送失败" in err
    failed = Reminder.objects.get(assignment=w["park_shen"])
    assert failed.mail_failed and failed.recipients == []
    monkeypatch.undo()
    sweep(when=NOON + dt.timedelta(hours=1))
    assert [m.to for m in mail.outbox].count(["zhang@shenxian.gov.cn"]) == 1
    retried = Reminder.objects.filter(assignment=w["park_shen"]).latest("pk")
    assert not retried.mail_failed and retried.recipients == ["zhang@shenxian.gov.cn"]
    # Delivered now: a third run that day sends nothing more.
    sweep(when=NOON + dt.timedelta(hours=2))
    assert [m.to for m in mail.outbox].count(["zhang@shenxian.gov.cn"]) == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_records_first_and_mails_outside_any_transaction(w, monkeypatch):
    """A mail server that takes its time must not hold a write transaction open (on SQLite
    that blocks every writer), and a mail that went out must already have its record."""
    seen = []
    send = EmailMessage.send

    def watched(message, *args, **kwargs):
        body = message.to[0]
        recorded = Reminder.objects.filter(emailed_to__contains=body).exists()
        seen.append((body, connection.in_atomic_block, recorded))
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", watched)
    sweep()
    assert seen == [("zhang@shenxian.gov.cn", False, True)]


def test_a_mail_failure_is_the_only_change_and_only_to_scheduled_reminders(client_as, manager, w):
    remind(client_as(manager), w["park_shen"])
    manual = Reminder.objects.get()
    assert Reminder.objects.all().record_mail_failure() == 0
    manual.refresh_from_db()
    assert not manual.mail_failed and manual.recipients == ["zhang@shenxian.gov.cn"]


def test_a_dry_run_writes_and_sends_nothing(w):
    out, _ = sweep("--dry-run")
    assert "试运行" in out and "莘县" in out
    assert not Reminder.objects.exists() and mail.outbox == []


def test_nothing_due_means_no_mail_at_all(db):
    out, _ = sweep()
    assert mail.outbox == [] and "没有需要催办" in out


def test_the_assignment_page_offers_managers_a_reminder(client_as, manager, staff_b, w):
    url = w["park_shen"].get_absolute_url()
    chase = reverse("remind", args=[w["park_shen"].pk])
    with frozen():
        assert chase in client_as(manager).get(url).content.decode()
        assert chase not in client_as(staff_b).get(url).content.decode()
        done = client_as(manager).get(w["park_guan"].get_absolute_url()).content.decode()
    assert reverse("remind", args=[w["park_guan"].pk]) not in done
