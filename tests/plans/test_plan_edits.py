"""An administrator sets, on the task page, a deadline and a body the text does not name."""

import datetime as dt
import re

import pytest

from tests.factories import AssignmentFactory, BodyFactory, MeasureFactory, TaskFactory
from tracker.models import Assignment, Body, ChangeRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def task():
    return TaskFactory(deadline=None, deadline_text="", deadline_source="", number=3)


def url(task, what):
    return f"/plans/{task.plan.slug}/tasks/{task.number}/{what}/"


def test_administrator_sets_a_deadline_shown_as_theirs(client_as, admin_user, task):
    client = client_as(admin_user)
    response = client.post(
        url(task, "deadline"),
        {"deadline": "2025-06-30", "reason": "市长办公会议纪要", "confirm_past": "on"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2025, 6, 30) and task.deadline_source == "admin"
    assert task.deadline_reason == "市长办公会议纪要"
    record = ChangeRecord.objects.get(field="deadline")
    assert (record.old, record.new, record.user, record.via) == (
        "",
        "2025-06-30",
        admin_user,
        "plan_edit",
    )
    page = client.get(task.get_absolute_url()).content.decode()
    assert "管理员确定" in page and "依据：市长办公会议纪要" in page


def test_the_texts_phrase_stays_beside_the_administrators_date(client_as, admin_user):
    task = TaskFactory()  # 2024-12-31 “到2024年年底” from the text
    client_as(admin_user).post(
        url(task, "deadline"), {"deadline": "2025-03-31", "reason": "延后", "confirm_past": "on"}
    )
    page = client_as(admin_user).get(task.get_absolute_url()).content.decode()
    assert "2025-03-31" in page and "原文：“到2024年年底”" in page


def test_a_measure_can_be_made_ongoing(client_as, admin_user, task):
    measure = MeasureFactory(task=task)
    client_as(admin_user).post(
        url(task, "deadline"), {"measure": measure.pk, "ongoing": "on", "reason": "常态化工作"}
    )
    measure.refresh_from_db()
    assert measure.ongoing and measure.deadline is None and measure.deadline_source == "admin"


def test_administrator_assigns_a_new_lead_and_the_old_one_stays_as_support(
    client_as, admin_user, task
):
    old = AssignmentFactory(task=task, role="lead", body=BodyFactory(name="市商务局"))
    response = client_as(admin_user).post(
        url(task, "assign"),
        {"new_body": "市数据局", "new_kind": "department", "role": "lead", "reason": "职能调整"},
    )
    assert response.status_code == 302
    lead = Assignment.objects.get(task=task, role="lead")
    assert (
        lead.body.name == "市数据局" and lead.origin == "admin" and lead.origin_reason == "职能调整"
    )
    assert lead.assigned_on is not None
    old.refresh_from_db()
    assert old.role == "support"
    assert ChangeRecord.objects.filter(assignment=old, field="role").exists()
    assert ChangeRecord.objects.filter(assignment=lead, action="created").exists()
    assert Body.objects.get(name="市数据局").jurisdiction == task.plan.jurisdiction


@pytest.mark.parametrize(
    ("what", "data", "message"),
    [
        ("deadline", {"reason": "x"}, "请填写完成时限"),
        ("deadline", {"deadline": "2025-01-01", "ongoing": "on", "reason": "x"}, "只选其一"),
        ("deadline", {"deadline": "not a date", "reason": "x"}, "有效的日期"),
        ("deadline", {"deadline": "2025-01-01"}, "请填写“设定依据”"),
        ("assign", {"role": "lead", "reason": "x", "new_kind": "department"}, "请选择责任单位"),
        (
            "assign",
            {"new_body": "<b>x</b>", "role": "boss", "reason": "x", "new_kind": "department"},
            "的选项无效，请重新选择",
        ),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_changes(
    client_as, admin_user, task, what, data, message
):
    response = client_as(admin_user).post(url(task, what), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    task.refresh_from_db()
    assert task.deadline is None and not Assignment.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_only_administrators_decide(client_as, manager, staff_a, task):
    for user in (manager, staff_a):
        client = client_as(user)
        assert (
            client.post(
                url(task, "deadline"),
                {"deadline": "2025-06-30", "reason": "x", "confirm_past": "on"},
            ).status_code
            == 403
        )
        assert "设定完成时限" not in client.get(task.get_absolute_url()).content.decode()
    task.refresh_from_db()
    assert task.deadline is None


def test_the_past_date_confirmation_has_no_label_until_it_is_offered(client_as, admin_user, task):
    # The box appears only with the warning; before it, its label stood alone, with nothing
    # to tick, under the deadline form.
    client = client_as(admin_user)
    page = client.get(task.get_absolute_url()).content.decode()
    assert 'name="confirm_past"' in page and "确认设定已经过去的日期" not in page
    warned = client.post(url(task, "deadline"), {"deadline": "2020-01-01", "reason": "会议纪要"})
    page = warned.content.decode()
    assert 'type="checkbox" name="confirm_past"' in page and "确认设定已经过去的日期" in page
    # The forms are at the bottom of a long page: a message at its top says where to look.
    top = page.split('id="deadline-form"')[0]
    message = (
        '未保存：请按页面下方<a href="#deadline-form">“设定完成时限”</a>中的提示修改后重新提交。'
    )
    assert message in top.split("<main")[1]


@pytest.mark.parametrize(
    ("what", "data"),
    [
        ("deadline", {"deadline": "9999-12-31", "reason": "会议纪要"}),
        ("milestones", {"scope": "task", "due": "9999-12-31", "text": "选址", "reason": "纪要"}),
    ],
)
def test_a_year_typed_wrong_is_refused_not_stored(client_as, admin_user, task, what, data):
    # 9999-12-31 was saved as the task's deadline, silently.
    response = client_as(admin_user).post(url(task, what), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "不能晚于 2100-12-31，请检查年份。" in page and "请填写完成时限" not in page
    task.refresh_from_db()
    assert task.deadline is None and not task.milestones.exists()
    assert not ChangeRecord.objects.exists()


def test_a_milestone_already_missed_is_set_once_confirmed(client_as, admin_user, task):
    # A plan loaded late may have stages already past: like a deadline, the date is warned
    # about and confirmed, not refused.
    a = AssignmentFactory(task=task)
    client = client_as(admin_user)
    data = {
        "scope": f"assignment-{a.pk}",
        "due": "2024-06-30",
        "text": "完成选址",
        "reason": "纪要",
    }
    warned = client.post(url(task, "milestones"), data)
    assert warned.status_code == 400
    page = warned.content.decode()
    assert "2024-06-30 已经过去" in page and 'type="checkbox" name="confirm_past"' in page
    assert not task.milestones.exists()
    saved = client.post(url(task, "milestones"), {**data, "confirm_past": "on"})
    assert saved.status_code == 302
    a.refresh_from_db()
    assert a.open_milestone_due == dt.date(2024, 6, 30) and a.overdue_since == a.open_milestone_due


def test_no_two_fields_of_the_task_or_plan_page_share_an_id(client_as, admin_user, task):
    # Three forms on the task page and two on the plan page each had a "reason" field, all
    # with id="id_reason": a click on a label put the cursor in another form's field.
    MeasureFactory(task=task, number=1, text="分项")
    client = client_as(admin_user)
    for page_url in (task.get_absolute_url(), task.plan.get_absolute_url()):
        page = client.get(page_url).content.decode()
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert "id_deadline_reason" in ids or "id_rule_report_day" in ids
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
        # Each label points at a field that is there.
        for target in re.findall(r'<label for="([^"]+)"', page):
            assert target in ids, target


def test_switching_language_after_a_refused_form_goes_back_to_its_page(client_as, admin_user, task):
    # The footer sent the language switch back to where the form was posted, which
    # answers POST only: a blank 405 page.
    client = client_as(admin_user)
    page = task.get_absolute_url()
    refused = client.post(url(task, "deadline"), {"reason": "x"}, HTTP_REFERER=page)
    assert refused.status_code == 400
    assert f'<input name="next" type="hidden" value="{page}">' in refused.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert switched.status_code == 302 and switched.url == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("scope", ["task", "measure", "assignment"])
def test_a_milestone_after_the_deadline_it_applies_to_is_warned_about_and_confirmed(
    client_as, admin_user, scope
):
    """A stage later than the deadline of the work it belongs to is most likely a slip of
    the keyboard: saved only once the administrator confirms it."""
    task = TaskFactory(deadline=dt.date(2030, 6, 30), number=4)
    measure = MeasureFactory(task=task, number=1, text="分项")  # no date: the task's
    a = AssignmentFactory(task=task, body=BodyFactory(name="莘县"))
    chosen = {
        "task": "task",
        "measure": f"measure-{measure.pk}",
        "assignment": f"assignment-{a.pk}",
    }
    client = client_as(admin_user)
    data = {"scope": chosen[scope], "due": "2030-09-30", "text": "完成验收", "reason": "纪要"}
    warned = client.post(url(task, "milestones"), data)
    assert warned.status_code == 400
    page = warned.content.decode()
    whose = {"task": "本任务", "measure": "措施 4.1", "assignment": "莘县的这项工作"}[scope]
    assert f"阶段性目标日期2030年9月30日晚于{whose}的完成时限2030年6月30日" in page
    assert 'type="checkbox" name="confirm_after"' in page
    assert not task.milestones.exists()
    saved = client.post(url(task, "milestones"), {**data, "confirm_after": "on"})
    assert saved.status_code == 302 and task.milestones.get().due == dt.date(2030, 9, 30)


def test_a_milestone_within_a_bodys_extended_date_is_not_warned_about(client_as, admin_user):
    task = TaskFactory(deadline=dt.date(2030, 6, 30), number=4)
    a = AssignmentFactory(task=task, due_date=dt.date(2030, 12, 31))  # extended
    client = client_as(admin_user)
    data = {
        "scope": f"assignment-{a.pk}",
        "due": "2030-09-30",
        "text": "完成验收",
        "reason": "纪要",
    }
    assert client.post(url(task, "milestones"), data).status_code == 302
    # Nor one before the deadline, on the whole task.
    data = {"scope": "task", "due": "2030-03-31", "text": "完成选址", "reason": "纪要"}
    assert client.post(url(task, "milestones"), data).status_code == 302
    assert task.milestones.count() == 2


def test_a_deadline_before_a_milestone_already_set_is_warned_about(client_as, admin_user, task):
    from tracker.models import Milestone

    Milestone.objects.create(task=task, due=dt.date(2030, 9, 30), text="完成验收", source="admin")
    client = client_as(admin_user)
    data = {"deadline": "2030-06-30", "reason": "纪要"}
    warned = client.post(url(task, "deadline"), data)
    assert warned.status_code == 400
    page = warned.content.decode()
    assert "完成时限2030年6月30日早于已设定的阶段性目标“完成验收”（2030年9月30日）" in page
    task.refresh_from_db()
    assert task.deadline is None
    assert client.post(url(task, "deadline"), {**data, "confirm_after": "on"}).status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2030, 6, 30)
