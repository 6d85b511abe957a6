"""Sign-off (销号), send-back (退回) and extensions (延期申请); the managers' queue (待办);
我的任务; what the lead body sees; a task's roll-up."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.builders import complete, file_report, progress_world, set_own_due
from tests.factories import AssignmentFactory, CountyFactory, MembershipFactory, UserFactory
from tracker.models import ChangeRecord, Decision, ExtensionRequest
from tracker.services import reporting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(staff_a, staff_b, body_c):
    return progress_world(staff_a.membership.body, staff_b.membership.body, body_c)


def completed(world, staff_b):
    """莘县 reports its share complete; the lead body (staff_a's) passes it on."""
    return complete(world["own"], staff_b, text="园区建成")


# --- sign-off ---------------------------------------------------------------------------------


def test_a_manager_signs_off_and_the_light_turns_done(client_as, staff_b, manager, world):
    completed(world, staff_b)
    own = world["own"]
    client = client_as(manager)
    assert "同意销号" in client.get(reverse("signoff_review", args=[own.pk])).content.decode()
    response = client.post(reverse("signoff_review", args=[own.pk]), {"decision": "yes"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.signoff == "signed_off" and own.signed_off_at is not None
    assert own.state(TODAY).light == "done"
    decision = Decision.objects.get()
    assert decision.kind == "signed_off" and decision.decided_by == manager
    assert decision.report == own.reports.get()


def test_a_return_needs_a_reason_and_leaves_a_history_entry(client_as, staff_b, manager, world):
    completed(world, staff_b)
    own = world["own"]
    client = client_as(manager)
    url = reverse("signoff_review", args=[own.pk])
    no_reason = client.post(url, {"decision": "no", "reason": "  "})
    assert no_reason.status_code == 200 and "退回时请写明理由" in no_reason.content.decode()
    assert not Decision.objects.exists()
    client.post(url, {"decision": "no", "reason": "请补充园区入驻企业名单"})
    own.refresh_from_db()
    assert own.signoff == "returned"
    assert Decision.objects.get().reason == "请补充园区入驻企业名单"
    page = client_as(staff_b).get(own.get_absolute_url()).content.decode()
    assert "销号审核：退回" in page and "请补充园区入驻企业名单" in page
    work = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "销号申请被退回" in work
    # The body reports again; the request goes back into the queue.
    completed(world, staff_b)
    own.refresh_from_db()
    assert own.signoff == "requested"


def test_nothing_to_sign_off_is_refused(client_as, staff_b, manager, world):
    file_report(world["own"], staff_b)  # in progress: no request
    response = client_as(manager).post(
        reverse("signoff_review", args=[world["own"].pk]), {"decision": "yes"}
    )
    assert response.status_code == 200 and "没有待审核的销号申请" in response.content.decode()
    world["own"].refresh_from_db()
    assert world["own"].signoff == "open"


def test_a_second_sign_off_of_the_same_request_is_refused(staff_b, manager, world):
    completed(world, staff_b)
    reporting.signoff_decide(assignment=world["own"], manager=manager, approve=True)
    with pytest.raises(ValidationError):
        reporting.signoff_decide(
            assignment=world["own"], manager=manager, approve=False, reason="x"
        )
    assert Decision.objects.count() == 1


# --- extensions -------------------------------------------------------------------------------


def ask(client, a, new_due="2031-06-30", reason="园区用地审批延迟"):
    return client.post(
        reverse("extension_create", args=[a.pk]), {"new_due": new_due, "reason": reason}
    )


def test_an_approved_extension_moves_the_due_date_and_keeps_the_old_one(
    client_as, staff_b, manager, world
):
    own = world["own"]
    assert ask(client_as(staff_b), own).status_code == 302
    request = ExtensionRequest.objects.get()
    assert request.old_due == dt.date(2030, 12, 31) and request.new_due == dt.date(2031, 6, 30)
    client = client_as(manager)
    response = client.post(reverse("extension_decide", args=[request.pk]), {"decision": "yes"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.due_date == dt.date(2031, 6, 30) and own.effective_due == dt.date(2031, 6, 30)
    change = ChangeRecord.objects.get()
    # The record shows the date that applied before, inherited from the task, and names the
    # work readably (issue 11: not "（空） → 2031-06-30", not "莘县 · 2 · 分解落实").
    assert (change.field, change.old, change.new) == (
        "due_date",
        "2030-12-31（沿用任务时限）",
        "2031-06-30",
    )
    assert change.subject == "莘县：任务2 措施 2.1（分解落实）"
    assert change.via == "extension" and change.user == manager and change.assignment == own
    assert Decision.objects.get().kind == "approved"
    page = client.get(own.get_absolute_url()).content.decode()
    assert "延期审批：同意" in page and "2030-12-31 → 2031-06-30" in page


def test_a_rejected_extension_needs_a_reason_and_leaves_the_due_date(
    client_as, staff_b, manager, world
):
    own = world["own"]
    ask(client_as(staff_b), own)
    request = ExtensionRequest.objects.get()
    client = client_as(manager)
    url = reverse("extension_decide", args=[request.pk])
    assert "不同意延期时请写明理由" in client.post(url, {"decision": "no"}).content.decode()
    client.post(url, {"decision": "no", "reason": "时限不能再延"})
    own.refresh_from_db()
    assert own.due_date is None and not ChangeRecord.objects.exists()
    assert Decision.objects.get().kind == "rejected"
    again = client.post(url, {"decision": "yes"})
    assert "已经审批过了" in again.content.decode()


def test_an_extension_is_not_approved_once_the_due_date_has_moved_past_it(
    client_as, staff_b, manager, world
):
    own = world["own"]
    ask(client_as(staff_b), own, new_due="2031-06-30")
    request = ExtensionRequest.objects.get()
    # Meanwhile an administrator set a later date than the one asked for.
    set_own_due(own, dt.date(2031, 12, 31))
    client = client_as(manager)
    url = reverse("extension_decide", args=[request.pk])
    response = client.post(url, {"decision": "yes"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能同意这份延期申请" in page and "应晚于现在的时限 2031-12-31" in page
    own.refresh_from_db()
    assert own.due_date == dt.date(2031, 12, 31)
    assert not Decision.objects.exists() and not ChangeRecord.objects.exists()
    # Rejecting it is still possible, and takes it off the queue.
    assert client.post(url, {"decision": "no", "reason": "时限已调整"}).status_code == 302
    assert Decision.objects.get().kind == "rejected"
    assert not ExtensionRequest.objects.pending().exists()


def test_signed_off_work_is_not_extended(staff_b, manager, world):
    own = world["own"]
    request = reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2031, 6, 30), reason="用地"
    )
    completed(world, staff_b)
    reporting.signoff_decide(assignment=own, manager=manager, approve=True)
    with pytest.raises(ValidationError, match="已经销号"):
        reporting.extension_decide(extension=request, manager=manager, approve=True)
    own.refresh_from_db()
    assert own.due_date is None and own.signoff == "signed_off"
    reporting.extension_decide(extension=request, manager=manager, approve=False, reason="已销号")
    assert Decision.objects.filter(kind="rejected").count() == 1


@pytest.mark.parametrize(
    ("new_due", "message"),
    [
        ("2030-12-31", "应晚于现在的时限"),
        ("2030-01-01", "应晚于现在的时限"),
        ("明年", "“申请延至”请填写有效的日期"),
        ("", "请填写“申请延至”"),
    ],
)
def test_a_bad_new_due_date_is_refused(client_as, staff_b, world, new_due, message):
    response = ask(client_as(staff_b), world["own"], new_due=new_due)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_an_overdue_body_may_not_ask_for_a_date_in_the_past(client_as, staff_b, world):
    set_own_due(world["own"], dt.date(2026, 1, 1))
    response = ask(client_as(staff_b), world["own"], new_due="2026-06-30")
    assert "不能早于今天" in response.content.decode()


def test_one_pending_extension_at_a_time(client_as, staff_b, world):
    client = client_as(staff_b)
    ask(client, world["own"])
    # A second request sent from a form opened before: refused with the reason, what was
    # typed kept on the page.
    again = ask(client, world["own"], new_due="2032-01-01")
    assert again.status_code == 400
    assert "已有一份延期申请" in again.content.decode()
    assert again.context["form"]["new_due"].value() == "2032-01-01"
    assert ExtensionRequest.objects.count() == 1
    with pytest.raises(ValidationError):
        reporting.extension_request_create(
            assignment=world["own"], author=staff_b, new_due=dt.date(2032, 1, 1), reason="再延"
        )


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_lists_pending_sign_offs_and_extensions_oldest_first(
    client_as, staff_b, staff_c, manager, world
):
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC), tick=False):
        reporting.extension_request_create(
            assignment=world["own"], author=staff_b, new_due=dt.date(2031, 3, 1), reason="甲"
        )
    with time_machine.travel(dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC), tick=False):
        complete(world["other"], staff_c)
    with time_machine.travel(dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC), tick=False):
        complete(world["lead"], staff_b)
    page = client_as(manager).get(reverse("todo")).content.decode()
    assert "3 项待审核" in page
    order = [page.index(s) for s in ["2026-11-18", "2026-11-20", "2026-11-22"]]
    assert order == sorted(order)
    # Decided items leave the queue.
    reporting.signoff_decide(assignment=world["lead"], manager=manager, approve=True)
    assert "2 项待审核" in client_as(manager).get(reverse("todo")).content.decode()


def test_body_staff_have_no_queue(client_as, staff_b):
    assert client_as(staff_b).get(reverse("todo")).status_code == 403


# --- 我的任务 and the lead body -------------------------------------------------------------------


def test_my_work_lists_the_body_assignments_with_light_and_next_step(client_as, staff_b, world):
    file_report(world["own"], staff_b, percent=30)
    reporting.extension_request_create(
        assignment=world["own"], author=staff_b, new_due=dt.date(2031, 3, 1), reason="用地"
    )
    page = client_as(staff_b).get(reverse("my_work")).content.decode()
    assert "我的任务" in page and "莘县" in page
    assert "任务2：推进快递园区建设" in page and "措施 2.1" in page
    assert "分解落实" in page and "2030-12-31" in page
    assert "推进中 · 30%" in page
    assert "延期申请待审批" in page and "下次填报截至" in page
    assert "绿灯" in page or "黄灯" in page
    assert "冠县" not in page  # another body's work
    assert "本单位牵头任务的其他责任单位" not in page


def test_my_work_shows_a_calendar_set_by_an_administrator_as_theirs(client_as, staff_b, world):
    # The plan's reporting calendar is a person's decision: the overview and the assignment
    # page said so, 我的任务 showed “每月25日前” bare.
    plan = world["own"].task.plan
    plan.report_rhythm, plan.report_day = "monthly", 25
    plan.report_rule_source, plan.report_rule_reason = "admin", "市政府办公室通知"
    plan.save()
    page = client_as(staff_b).get(reverse("my_work")).content.decode()
    rule = page.split("填报要求", 1)[1].split("</dd>", 1)[0]
    assert "每月25日前" in rule and "管理员确定" in rule and "依据：市政府办公室通知" in rule


def test_a_task_own_assignment_comes_before_its_measures_on_every_database(
    client_as, staff_a, staff_b, world
):
    # SQLite sorts a missing measure first, PostgreSQL last; the pages must not depend on it.
    body = staff_b.membership.body
    AssignmentFactory(task=world["task"], body=body, role="support")
    own = client_as(staff_b).get(reverse("my_work")).context["own"]
    assert [a.measure_id for a in own] == [None, world["measure"].pk]
    led = client_as(staff_a).get(reverse("my_work")).context["led"]
    assert [a.measure_id for a in led] == [None, world["measure"].pk, world["measure"].pk]


def test_the_lead_body_sees_the_others_read_only(client_as, staff_a, staff_c, world):
    file_report(world["other"], staff_c, percent=70, text="冠县园区已封顶")
    client = client_as(staff_a)
    page = client.get(reverse("my_work")).content.decode()
    assert "本单位牵头任务的其他责任单位" in page and "冠县" in page and "70%" in page
    other = client.get(world["other"].get_absolute_url())
    assert other.status_code == 200 and "冠县园区已封顶" in other.content.decode()
    assert "填报进展" not in other.content.decode()
    assert client.get(reverse("report_create", args=[world["other"].pk])).status_code == 403


def test_a_body_that_leads_nothing_sees_only_its_own(client_as, staff_b, staff_c, world):
    file_report(world["other"], staff_c, text="冠县园区已封顶")
    client = client_as(staff_b)
    assert client.get(world["other"].get_absolute_url()).status_code == 404
    assert client.get(world["lead"].get_absolute_url()).status_code == 404
    task_page = client.get(world["task"].get_absolute_url()).content.decode()
    assert "冠县园区已封顶" not in task_page  # the task's timeline shows only what it may see


def test_staff_without_a_body_see_an_explanation(client_as):
    user = UserFactory(username="nobody")
    page = client_as(user).get(reverse("my_work")).content.decode()
    assert "还没有分配到责任单位" in page


def test_managers_go_from_my_work_to_the_queue(client_as, manager):
    assert client_as(manager).get(reverse("my_work")).url == reverse("todo")


# --- the roll-up ------------------------------------------------------------------------------


def test_a_task_says_how_its_progress_is_derived(client_as, manager, staff_b, world):
    task = world["task"]
    for name in ["东昌府区", "茌平区", "临清市", "阳谷县", "东阿县", "高唐县"]:
        county = CountyFactory(name=name)
        AssignmentFactory(task=task, measure=world["measure"], body=county)
    # 8 counties: 莘县 60, 冠县 100 signed off, the others 0 → 160 / 8 = 20.
    file_report(world["own"], staff_b, percent=60)
    guan = MembershipFactory(user=UserFactory(), body=world["other"].body).user
    complete(world["other"], guan)
    reporting.signoff_decide(assignment=world["other"], manager=manager, approve=True)
    page = client_as(manager).get(task.get_absolute_url()).content.decode()
    assert "8 个县（市、区）中 1 个已销号，平均 20%" in page
    assert "牵头、配合单位不重复计入" in page
