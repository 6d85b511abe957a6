"""What offices do (issue 11): the lead body's review (牵头单位初审), its chasing and summary
(汇总报送); in-body approval (经办人 → 单位负责人); extensions granted for another date and
capped per plan; 逾期完成."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.builders import PDF, complete, file_report, progress_world, upload
from tests.factories import MembershipFactory, UserFactory
from tracker.models import (
    ChangeRecord,
    Decision,
    ExtensionRequest,
    LeadReview,
    Membership,
    Report,
    ReportDraft,
    TaskSummary,
)
from tracker.services import reporting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def world(staff_a, staff_b, body_c):
    return progress_world(staff_a.membership.body, staff_b.membership.body, body_c)


# --- the lead body's review -----------------------------------------------------------------


def test_a_county_completion_goes_to_the_lead_body_first(
    client_as, staff_a, staff_b, manager, world
):
    own = world["own"]
    file_report(own, staff_b, status="completed", percent=100, text="园区建成")
    own.refresh_from_db()
    assert own.signoff == "lead_review"
    assert "等待牵头单位初审" in client_as(staff_b).get(reverse("my_work")).content.decode()
    # Not yet the managers': their queue says it is with the lead body.
    todo = client_as(manager).get(reverse("todo")).content.decode()
    assert "0 项待审核" in todo and "另有 1 项销号申请正在牵头单位初审" in todo
    # The lead body finds it on 我的任务 and passes it on with its opinion.
    work = client_as(staff_a).get(reverse("my_work")).content.decode()
    assert "待本单位初审的销号申请" in work and reverse("lead_review", args=[own.pk]) in work
    url = reverse("lead_review", args=[own.pk])
    no_opinion = client_as(staff_a).post(url, {"decision": "yes", "reason": " "})
    assert no_opinion.status_code == 200 and "请写明初审意见" in no_opinion.content.decode()
    client_as(staff_a).post(url, {"decision": "yes", "reason": "已现场核实，同意销号。"})
    own.refresh_from_db()
    assert own.signoff == "requested"
    review = LeadReview.objects.get()
    assert review.passed and review.reviewer == staff_a and review.body == staff_a.membership.body
    todo = client_as(manager).get(reverse("todo")).content.decode()
    assert "1 项待审核" in todo and "已现场核实，同意销号。" in todo


def test_the_lead_body_may_return_a_request(client_as, staff_a, staff_b, world):
    own = world["own"]
    file_report(own, staff_b, status="completed", percent=100)
    client_as(staff_a).post(
        reverse("lead_review", args=[own.pk]), {"decision": "no", "reason": "缺少验收材料"}
    )
    own.refresh_from_db()
    assert own.signoff == "returned"
    page = client_as(staff_b).get(own.get_absolute_url()).content.decode()
    assert "牵头单位初审：退回" in page and "缺少验收材料" in page


def test_only_the_lead_body_reviews(client_as, staff_b, staff_c, manager, world):
    file_report(world["own"], staff_b, status="completed", percent=100)
    url = reverse("lead_review", args=[world["own"].pk])
    assert client_as(staff_b).get(url).status_code == 403
    assert client_as(staff_c).get(url).status_code == 404
    assert client_as(manager).get(url).status_code == 403
    with pytest.raises(ValidationError):
        reporting.signoff_decide(assignment=world["own"], manager=manager, approve=True)


def test_the_lead_body_files_a_summary_shown_above_the_reports(
    client_as, staff_a, staff_b, staff_c, manager, world
):
    task = world["task"]
    url = reverse("task_summary", args=[task.plan.slug, task.number])
    response = client_as(staff_a).post(url, {"as_of": "2026-11-27", "text": "两县园区均已开工。"})
    assert response.status_code == 302
    assert TaskSummary.objects.get().body == staff_a.membership.body
    page = client_as(manager).get(task.get_absolute_url()).content.decode()
    assert page.index("牵头单位汇总报送") < page.index("落实记录")
    assert "两县园区均已开工。" in page
    assert (
        "两县园区均已开工。" not in client_as(staff_b).get(task.get_absolute_url()).content.decode()
    )
    assert client_as(staff_b).post(url, {"as_of": "2026-11-27", "text": "x"}).status_code == 403


# --- in-body approval -----------------------------------------------------------------------


@pytest.fixture
def approving(staff_b, world):
    """莘县 requires its head's approval: staff_b is the head, `clerk` a clerk."""
    body = staff_b.membership.body
    body.requires_approval = True
    body.save()
    Membership.objects.filter(user=staff_b).update(role="head")
    clerk = MembershipFactory(user=UserFactory(username="clerk", first_name="王经办"), body=body)
    return clerk.user


def test_a_clerk_drafts_the_head_returns_and_approves(
    client_as, staff_a, staff_b, manager, approving, world
):
    own, clerk = world["own"], approving
    url = reverse("report_create", args=[own.pk])
    data = {"status": "in_progress", "percent": "60", "text": "园区已封顶", "as_of": "2026-11-27"}
    client = client_as(clerk)
    assert "提交单位负责人审核" in client.get(url).content.decode()
    saved = client.post(url, {**data, "save": "1", "files": [upload("照片.pdf", PDF)]})
    draft = ReportDraft.objects.get()
    assert saved.url == draft.get_absolute_url() and draft.state == "draft"
    # Counts for nothing, and nobody outside the body sees it.
    assert not Report.objects.exists()
    own.refresh_from_db()
    assert own.last_reported_at is None and own.percent == 0
    for outsider in (staff_a, manager):
        assert client_as(outsider).get(draft.get_absolute_url()).status_code == 404
        assert "园区已封顶" not in client_as(outsider).get(own.get_absolute_url()).content.decode()
    # Submitted, returned with a reason, revised and submitted again.
    client_as(clerk).post(draft.get_absolute_url(), {**data, "submit": "1"})
    draft.refresh_from_db()
    assert draft.state == "submitted"
    head = client_as(staff_b)
    assert "单位负责人审核" in head.get(draft.get_absolute_url()).content.decode()
    review = reverse("draft_review", args=[draft.pk])
    head.post(review, {"decision": "no", "reason": "请补充入驻企业名单"})
    draft.refresh_from_db()
    assert draft.state == "returned"
    page = client_as(clerk).get(draft.get_absolute_url()).content.decode()
    assert "请补充入驻企业名单" in page
    client_as(clerk).post(
        draft.get_absolute_url(), {**data, "text": "园区已封顶，入驻中通、韵达", "submit": "1"}
    )
    response = client_as(staff_b).post(review, {"decision": "yes", "reason": ""})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.author, report.approved_by) == (clerk, staff_b)
    assert report.text == "园区已封顶，入驻中通、韵达"
    assert report.evidence.get().original_name == "照片.pdf"
    own.refresh_from_db()
    assert own.percent == 60
    history = client_as(manager).get(own.get_absolute_url()).content.decode()
    assert "经单位负责人" in history and "审核报送" in history
    # The evidence the head approved downloads like any other.
    evidence = report.evidence.get()
    assert client_as(manager).get(evidence.get_absolute_url()).status_code == 200


def test_a_clerk_cannot_approve_and_the_head_files_directly(client_as, staff_b, approving, world):
    own, clerk = world["own"], approving
    draft = reporting.draft_save(
        assignment=own,
        author=clerk,
        status="in_progress",
        percent=10,
        text="x",
        as_of=dt.date(2026, 11, 27),
        submit=True,
    )
    review = reverse("draft_review", args=[draft.pk])
    assert client_as(clerk).post(review, {"decision": "yes"}).status_code == 403
    url = reverse("report_create", args=[own.pk])
    data = {
        "status": "in_progress",
        "percent": "20",
        "text": "负责人直接填报",
        "as_of": "2026-11-27",
    }
    assert client_as(staff_b).post(url, data).status_code == 302
    assert Report.objects.get().text == "负责人直接填报"


# --- extensions -----------------------------------------------------------------------------


def test_the_manager_grants_another_date_with_a_reason(client_as, staff_b, manager, world):
    own = world["own"]
    request = reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2031, 12, 31), reason="用地审批"
    )
    url = reverse("extension_decide", args=[request.pk])
    client = client_as(manager)
    no_reason = client.post(url, {"decision": "yes", "granted_due": "2031-06-30"})
    assert "同意延至申请以外的日期时，请写明理由" in no_reason.content.decode()
    client.post(url, {"decision": "yes", "granted_due": "2031-06-30", "reason": "半年足够"})
    own.refresh_from_db()
    assert own.due_date == dt.date(2031, 6, 30)
    decision = Decision.objects.get()
    assert decision.granted_due == dt.date(2031, 6, 30)
    change = ChangeRecord.objects.get()
    assert "申请延至2031年12月31日，同意延至2031年6月30日" in change.reason
    page = client.get(own.get_absolute_url()).content.decode()
    assert "督查决定延至 2031-06-30" in page


def test_a_wrong_granted_date_is_named_at_that_date(client_as, staff_b, manager, world):
    # The request itself is fine: the manager mistyped the date to grant. The page said
    # “不能同意这份延期申请…请选择不同意”, advising to refuse a request that may be granted.
    own = world["own"]
    request = reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2031, 12, 31), reason="用地审批"
    )
    url = reverse("extension_decide", args=[request.pk])
    data = {"decision": "yes", "granted_due": "2020-06-30", "reason": "给半年"}
    response = client_as(manager).post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["granted_due"] == [f"新的完成时限应晚于现在的时限 {own.effective_due}。"]
    assert "请选择不同意" not in response.content.decode()
    assert not Decision.objects.exists()
    own.refresh_from_db()
    assert own.due_date is None


def test_an_extension_to_a_year_typed_wrong_is_refused(client_as, staff_b, world):
    url = reverse("extension_create", args=[world["own"].pk])
    response = client_as(staff_b).post(url, {"new_due": "9999-12-31", "reason": "用地审批"})
    assert "“申请延至”不能晚于 2100-12-31，请检查年份。" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_a_plan_may_cap_extensions(client_as, staff_b, manager, world):
    plan = world["plan"]
    plan.extension_cap = 1
    plan.save()
    own = world["own"]
    first = reporting.extension_request_create(
        assignment=own, author=staff_b, new_due=dt.date(2031, 6, 30), reason="用地"
    )
    reporting.extension_decide(extension=first, manager=manager, approve=True)
    with pytest.raises(ValidationError, match="最多延期 1 次，这项工作已延期 1 次"):
        reporting.extension_request_create(
            assignment=own, author=staff_b, new_due=dt.date(2032, 6, 30), reason="再延"
        )
    page = client_as(staff_b).get(own.get_absolute_url()).content.decode()
    assert "最多延期 1 次" in page and reverse("extension_create", args=[own.pk]) not in page


# --- 逾期完成 ---------------------------------------------------------------------------------


def test_work_completed_after_its_due_date_is_recorded_and_counted(
    client_as, staff_b, manager, world
):
    own = world["own"]
    own.due_date = dt.date(2026, 11, 20)
    own.save()
    complete(own, staff_b)
    reporting.signoff_decide(assignment=own, manager=manager, approve=True)
    own.refresh_from_db()
    assert own.completed_late_days == 7
    league = client_as(manager).get(reverse("dashboard")).context["league"]
    (line,) = [x for x in league if x.body == own.body]
    assert line.done_late == 1
    bulletin = client_as(manager).get(reverse("bulletin")).content.decode()
    assert "、逾期完成" in bulletin and "逾期7天完成" in bulletin
