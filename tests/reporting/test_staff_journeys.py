"""Body staff's journeys as walks through the app found them wanting:

1. a correction (or a new report) that says the work is not complete after all withdraws a
   completion request waiting for review — the form said nothing of it before it was sent,
   and the record said nothing after;
2. 申请延期 was offered while a completion request waited for review;
3. in a body whose reports need the head's approval, a clerk's extension request went
   straight to the managers;
4. 我的任务 did not say why something came back (a draft, a completion request, an
   extension request);
(5, the draft's checkboxes, is in test_drafts_set_aside.py.)"""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import PDF, complete, file_report, pass_to_managers, progress_world, upload
from tests.factories import MembershipFactory, UserFactory
from tracker.models import Assignment, ExtensionRequest, Membership, Report, ReportDraft
from tracker.services import reporting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def world(staff_a, staff_b, body_c):
    return progress_world(staff_a.membership.body, staff_b.membership.body, body_c)


def approval_body(staff_b):
    """staff_b's body needs its head's approval; staff_b is the head, `clerk` a clerk."""
    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    Membership.objects.filter(user=staff_b).update(role="head")
    return MembershipFactory(user=UserFactory(username="clerk"), body=body).user


def report_data(**overrides):
    return {
        "status": "in_progress",
        "percent": "80",
        "text": "验收发现问题，尚需整改",
        "as_of": TODAY.isoformat(),
        **overrides,
    }


def refreshed(a):
    return Assignment.objects.get(pk=a.pk)


# --- 1. a report that withdraws a waiting completion request ---------------------------------


def test_a_correction_to_in_progress_warns_then_records_who_withdrew_the_request(
    client_as, staff_b, manager, world
):
    done = complete(world["own"], staff_b)
    assert refreshed(world["own"]).signoff == "requested"
    client = client_as(staff_b)
    form = client.get(reverse("report_correct", args=[done.pk])).content.decode()
    assert "本项工作的销号申请正在等待督查审核。" in form
    assert "这次更正的状态如果不是“已完成”，提交后这份销号申请即被撤回" in form
    sent = client.post(reverse("report_correct", args=[done.pk]), report_data(), follow=True)
    assert "已填报。原先等待审核的销号申请已撤回。" in sent.content.decode()
    fixed = Report.objects.get(corrects=done)
    assert fixed.withdrew_signoff == "requested"
    assert refreshed(world["own"]).signoff == "open"
    page = client.get(world["own"].get_absolute_url()).content.decode()
    entry = page[page.index("销号申请已撤回") :]
    assert f"更正 #{fixed.pk} 将状态改为“推进中”" in entry
    assert "原先等待督查审核的销号申请随之撤回" in entry
    assert "staff_b" in entry[: entry.index("</li>")]
    # The managers' queue no longer holds it, and they read the same entry.
    assert "staff_b" not in client_as(manager).get(reverse("todo")).content.decode()
    assert "销号申请已撤回" in client.get(world["own"].get_absolute_url()).content.decode()
    # On the task page too, with the body's name.
    task_page = client_as(manager).get(world["task"].get_absolute_url()).content.decode()
    assert "销号申请已撤回" in task_page


def test_a_correction_that_stays_complete_withdraws_nothing(client_as, staff_b, world):
    done = complete(world["own"], staff_b)
    client = client_as(staff_b)
    client.post(
        reverse("report_correct", args=[done.pk]),
        report_data(status="completed", percent="100", text="补充验收材料"),
    )
    assert Report.objects.get(corrects=done).withdrew_signoff == ""
    # Asked again, from the lead body first.
    assert refreshed(world["own"]).signoff == "lead_review"
    assert "销号申请已撤回" not in client.get(world["own"].get_absolute_url()).content.decode()


def test_correcting_an_older_report_is_not_warned_and_withdraws_nothing(client_as, staff_b, world):
    older = file_report(world["own"], staff_b, percent=30, as_of=TODAY - dt.timedelta(days=5))
    complete(world["own"], staff_b)
    client = client_as(staff_b)
    form = client.get(reverse("report_correct", args=[older.pk])).content.decode()
    assert "销号申请正在等待" not in form
    client.post(
        reverse("report_correct", args=[older.pk]),
        report_data(percent="35", as_of=(TODAY - dt.timedelta(days=5)).isoformat()),
    )
    assert Report.objects.get(corrects=older).withdrew_signoff == ""
    assert refreshed(world["own"]).signoff == "requested"


def test_a_new_report_while_the_lead_body_reviews_says_so_too(client_as, staff_b, world):
    file_report(world["own"], staff_b, status="completed", percent=100)
    client = client_as(staff_b)
    form = client.get(reverse("report_create", args=[world["own"].pk])).content.decode()
    assert "本项工作的销号申请正在等待牵头单位初审。" in form
    assert "这次填报的状态如果不是“已完成”" in form
    client.post(reverse("report_create", args=[world["own"].pk]), report_data())
    report = Report.objects.latest("pk")
    assert report.withdrew_signoff == "lead_review"
    page = client.get(world["own"].get_absolute_url()).content.decode()
    assert f"填报 #{report.pk} 的状态为“推进中”" in page
    assert "原先等待牵头单位初审的销号申请随之撤回" in page
    # Where nothing waits, nothing is said.
    form = client.get(reverse("report_create", args=[world["own"].pk])).content.decode()
    assert "销号申请正在等待" not in form


def test_a_drafted_correction_warns_the_clerk_and_the_head(client_as, staff_b, world):
    clerk = approval_body(staff_b)
    done = complete(world["own"], staff_b)
    client = client_as(clerk)
    form = client.get(reverse("report_correct", args=[done.pk])).content.decode()
    assert "经单位负责人同意报送后，这份销号申请即被撤回" in form
    client.post(reverse("report_correct", args=[done.pk]), report_data(submit="1"))
    draft = ReportDraft.objects.get()
    # Nothing is withdrawn until the head approves it.
    assert refreshed(world["own"]).signoff == "requested"
    head = client_as(staff_b)
    review = head.get(draft.get_absolute_url()).content.decode()
    assert "这份草稿的状态是“推进中”，同意报送后，这份销号申请即被撤回" in review
    approved = head.post(
        reverse("draft_review", args=[draft.pk]), {"decision": "yes", "reason": ""}, follow=True
    )
    assert "原先等待审核的销号申请已撤回" in approved.content.decode()
    fixed = Report.objects.get(corrects=done)
    assert (fixed.withdrew_signoff, fixed.approved_by) == ("requested", staff_b)
    page = head.get(world["own"].get_absolute_url()).content.decode()
    entry = page[page.index("销号申请已撤回") :]
    assert "clerk · 经单位负责人 staff_b 审核报送" in entry[: entry.index("</li>")]


def test_what_a_report_withdrew_is_one_of_the_waiting_states(staff_b, world):
    report = Report(
        assignment=world["own"],
        author=staff_b,
        as_of=TODAY,
        status="in_progress",
        percent=10,
        text="x",
        withdrew_signoff="signed_off",
    )
    with pytest.raises(ValidationError):
        report.full_clean()


# --- 2. no extension request while sign-off is waiting ---------------------------------------


def test_no_extension_is_offered_or_taken_while_sign_off_waits(client_as, staff_b, world):
    a = world["own"]
    ask_url = reverse("extension_create", args=[a.pk])
    client = client_as(staff_b)
    assert ask_url in client.get(a.get_absolute_url()).content.decode()
    file_report(a, staff_b, status="completed", percent=100)
    page = client.get(a.get_absolute_url()).content.decode()
    assert ask_url not in page
    assert "正在等待牵头单位初审，不能同时申请延期" in page
    # A form opened before: refused, what was typed kept, nothing written.
    sent = client.post(ask_url, {"new_due": "2031-06-30", "reason": "园区用地审批延迟"})
    assert sent.status_code == 400
    body = sent.content.decode()
    assert "不能同时申请延期" in body and "园区用地审批延迟" in body
    assert not ExtensionRequest.objects.exists()
    # Asked for from a link: back to the work with the reason.
    followed = client.get(ask_url, follow=True)
    assert "不能同时申请延期" in followed.content.decode()
    pass_to_managers(a)
    with pytest.raises(ValidationError, match="等待督查审核，不能同时申请延期"):
        reporting.extension_request_create(
            assignment=a, author=staff_b, new_due=dt.date(2031, 6, 30), reason="用地"
        )


def test_an_extension_may_be_asked_again_once_the_request_is_returned(
    client_as, staff_b, manager, world
):
    a = world["own"]
    complete(a, staff_b)
    reporting.signoff_decide(assignment=a, manager=manager, approve=False, reason="材料不全")
    page = client_as(staff_b).get(a.get_absolute_url()).content.decode()
    assert reverse("extension_create", args=[a.pk]) in page


# --- 3. a clerk's extension request goes through the head ------------------------------------


def test_in_a_body_that_needs_approval_only_the_head_asks_for_an_extension(
    client_as, staff_b, world
):
    clerk = approval_body(staff_b)
    a = world["own"]
    ask_url = reverse("extension_create", args=[a.pk])
    client = client_as(clerk)
    page = client.get(a.get_absolute_url()).content.decode()
    assert ask_url not in page
    assert "延期申请也须由单位负责人提出" in page
    sent = client.post(ask_url, {"new_due": "2031-06-30", "reason": "园区用地审批延迟"})
    assert sent.status_code == 400
    assert "延期申请也须由单位负责人提出" in sent.content.decode()
    with pytest.raises(ValidationError, match="须由单位负责人提出"):
        reporting.extension_request_create(
            assignment=a, author=clerk, new_due=dt.date(2031, 6, 30), reason="用地"
        )
    assert not ExtensionRequest.objects.exists()
    # The head asks.
    head = client_as(staff_b)
    assert ask_url in head.get(a.get_absolute_url()).content.decode()
    assert head.post(ask_url, {"new_due": "2031-06-30", "reason": "用地"}).status_code == 302
    assert ExtensionRequest.objects.get().requested_by == staff_b


def test_a_clerk_of_a_body_that_needs_no_approval_asks_as_before(client_as, staff_c, world):
    a = world["other"]
    sent = client_as(staff_c).post(
        reverse("extension_create", args=[a.pk]), {"new_due": "2031-06-30", "reason": "用地"}
    )
    assert sent.status_code == 302
    assert ExtensionRequest.objects.get().requested_by == staff_c


# --- 4. 我的任务 says why something came back -------------------------------------------------

LONG = "佐证材料不足，" * 30


def test_my_work_shows_why_a_completion_request_came_back_from_the_managers(
    client_as, staff_b, manager, world
):
    complete(world["own"], staff_b)
    reporting.signoff_decide(assignment=world["own"], manager=manager, approve=False, reason=LONG)
    page = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "督查退回销号申请（2026-11-27）：" in page
    # Under the step that says the request came back.
    step = page[page.index('class="step-returned"') :]
    assert step.index("督查退回销号申请") < step.index("</li>")
    # Cut short on the card, whole in its title.
    assert f'title="{LONG}"' in page
    shown = page[page.index("督查退回销号申请") :]
    shown = shown[shown.index("</strong>") + len("</strong>") : shown.index("</div>")]
    assert LONG.startswith(shown[:90]) and len(shown) <= 100 < len(LONG)
    # Answered by a new report: the request is no longer returned, the note goes.
    file_report(world["own"], staff_b, percent=95)
    assert "督查退回销号申请" not in client_as(staff_b).get(reverse("my_work")).content.decode()


def test_my_work_shows_why_the_lead_body_returned_a_completion_request(
    client_as, staff_a, staff_b, world
):
    file_report(world["own"], staff_b, status="completed", percent=100)
    reporting.lead_review_decide(
        assignment=world["own"],
        reviewer=staff_a,
        body=staff_a.membership.body,
        passed=False,
        opinion="请补充园区验收照片",
    )
    page = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "牵头单位市邮政管理局初审退回（2026-11-27）：" in page
    assert "请补充园区验收照片" in page


def test_my_work_shows_a_refused_extension_until_the_body_acts(client_as, staff_b, manager, world):
    a = world["own"]
    request = reporting.extension_request_create(
        assignment=a, author=staff_b, new_due=dt.date(2031, 6, 30), reason="用地"
    )
    client = client_as(staff_b)
    assert "未获同意" not in client.get(reverse("my_work")).content.decode()
    reporting.extension_decide(
        extension=request, manager=manager, approve=False, reason="请按原时限完成"
    )
    page = client.get(reverse("my_work")).content.decode()
    assert "延期申请（延至 2031-06-30）未获同意（2026-11-27）：" in page
    assert "请按原时限完成" in page
    with time_machine.travel(dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)):
        file_report(a, staff_b, percent=60)
    assert "未获同意" not in client.get(reverse("my_work")).content.decode()


def test_my_work_shows_why_the_head_returned_a_draft(client_as, staff_b, world):
    clerk = approval_body(staff_b)
    client = client_as(clerk)
    client.post(reverse("report_create", args=[world["own"].pk]), report_data(submit="1"))
    draft = ReportDraft.objects.get()
    reporting.draft_return(draft=draft, head=staff_b, reason="进展写得太笼统，请补充数字")
    page = client.get(reverse("my_work")).content.decode()
    assert "staff_b 退回（2026-11-27）：" in page
    assert "进展写得太笼统，请补充数字" in page


def test_the_reasons_cost_the_same_queries_however_many_came_back(
    client_as, staff_a, staff_b, manager
):
    def returned_work(n):
        for _ in range(n):
            w = progress_world(staff_a.membership.body, staff_b.membership.body)
            complete(w["own"], staff_b, files=[upload("验收.pdf", PDF)])
            reporting.signoff_decide(
                assignment=w["own"], manager=manager, approve=False, reason="材料不全"
            )
            ext = w["lead"]
            request = reporting.extension_request_create(
                assignment=ext, author=staff_a, new_due=dt.date(2031, 6, 30), reason="用地"
            )
            reporting.extension_decide(
                extension=request, manager=manager, approve=False, reason="按原时限"
            )

    def count(user):
        client = client_as(user)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("my_work"))
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    returned_work(2)
    few, page = count(staff_b)
    lead_few, lead_page = count(staff_a)
    assert page.count("督查退回销号申请") == 2 and lead_page.count("未获同意") == 2
    returned_work(6)
    many, page = count(staff_b)
    lead_many, lead_page = count(staff_a)
    assert page.count("督查退回销号申请") == 8 and lead_page.count("未获同意") == 8
    assert (few, lead_few) == (many, lead_many)
