"""The admin cannot change the plan silently: every save and delete of a plan, task, measure,
assignment or target leaves change records (who, when, old → new), and the history itself is
read-only there."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import file_report, progress_world
from tests.factories import AssignmentFactory, BodyFactory, TaskFactory, UserFactory, make_manager
from tracker.models import Assignment, ChangeRecord, Decision, ExtensionRequest, Measure

pytestmark = pytest.mark.django_db


def admin_form_data(response):
    """What the admin's change form would post back unchanged: the main form and every inline."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif hasattr(field.widget, "format_value") and isinstance(value, dt.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(key)] = value
        for form in formset.forms:
            add(form)
    return data


def test_a_due_date_changed_in_the_admin_leaves_a_history_entry(client_as, admin_user):
    assignment = AssignmentFactory(task=TaskFactory(deadline=dt.date(2024, 12, 31)))
    url = reverse("admin:tracker_assignment_change", args=[assignment.pk])
    client = client_as(admin_user)
    data = admin_form_data(client.get(url))
    data["due_date"] = "2025-03-31"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assignment.refresh_from_db()
    assert assignment.due_date == dt.date(2025, 3, 31)
    change = ChangeRecord.objects.get()
    # The record shows the date the assignment had before: the task's, inherited.
    assert (change.field, change.new) == ("due_date", "2025-03-31")
    assert change.old == "2024-12-31（沿用任务时限）"
    assert change.user == admin_user and change.via == "admin" and change.action == "changed"
    assert change.assignment == assignment and change.task == assignment.task
    assert change.field_label == "本单位完成时限"
    # It shows on the assignment's timeline.
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert "本单位完成时限" in page and "2025-03-31" in page and "后台管理" in page


def test_task_and_inline_measure_changes_are_recorded(client_as, admin_user):
    task = TaskFactory(deadline=dt.date(2024, 12, 31), title="推进快递园区建设")
    measure = Measure.objects.create(task=task, number=1, text="建园区")
    url = reverse("admin:tracker_task_change", args=[task.pk])
    client = client_as(admin_user)
    data = admin_form_data(client.get(url))
    data["deadline"] = "2025-06-30"
    data["deadline_source"] = "admin"
    prefix = next(k for k in data if k.endswith("-0-text") and "measure" in k).rsplit("-0-", 1)[0]
    data[f"{prefix}-0-deadline"] = "2025-03-31"
    data[f"{prefix}-0-deadline_source"] = "admin"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    changes = {(c.model, c.field): (c.old, c.new) for c in ChangeRecord.objects.all()}
    assert changes[("task", "deadline")] == ("2024-12-31", "2025-06-30")
    assert changes[("task", "deadline_source")] == ("方案原文", "管理员确定（导入后）")
    assert changes[("measure", "deadline")] == ("", "2025-03-31")
    assert ChangeRecord.objects.get(model="measure", field="deadline").measure == measure
    page = client.get(task.get_absolute_url()).content.decode()
    assert "2024-12-31" in page and "2025-06-30" in page  # on the task's timeline


def test_an_assignment_added_or_deleted_in_the_admin_is_recorded(client_as, admin_user):
    task = TaskFactory()
    body = BodyFactory(name="市交通运输局")
    client = client_as(admin_user)
    response = client.post(
        reverse("admin:tracker_assignment_add"),
        {"task": task.pk, "body": body.pk, "role": "support", "origin": "admin"},
    )
    assert response.status_code == 302
    added = Assignment.objects.get()
    assert added.assigned_on is not None  # its reporting period starts today
    record = ChangeRecord.objects.get()
    assert record.action == "created" and record.assignment == added
    client.post(reverse("admin:tracker_assignment_delete", args=[added.pk]), {"post": "yes"})
    assert not Assignment.objects.exists()
    deleted = ChangeRecord.objects.get(action="deleted")
    assert deleted.task == task and deleted.assignment is None and "市交通运输局" in deleted.subject
    assert ChangeRecord.objects.get(action="created").assignment is None  # link gone, row kept


def test_work_with_reports_cannot_be_deleted_in_the_admin(client_as, admin_user, staff_a, staff_b):
    world = progress_world(staff_a.membership.body, staff_b.membership.body)
    file_report(world["own"], staff_b)
    client = client_as(admin_user)
    page = client.get(reverse("admin:tracker_assignment_delete", args=[world["own"].pk]))
    assert "进展填报" in page.content.decode()  # listed as protected
    client.post(reverse("admin:tracker_assignment_delete", args=[world["own"].pk]), {"post": "yes"})
    client.post(reverse("admin:tracker_task_delete", args=[world["task"].pk]), {"post": "yes"})
    assert Assignment.objects.filter(pk=world["own"].pk).exists()


def test_the_current_state_is_read_only_in_the_admin(client_as, admin_user):
    assignment = AssignmentFactory()
    client = client_as(admin_user)
    url = reverse("admin:tracker_assignment_change", args=[assignment.pk])
    data = admin_form_data(client.get(url))
    data.update({"percent": "100", "signoff": "signed_off", "status": "completed"})
    client.post(url, data)
    assignment.refresh_from_db()
    assert (assignment.percent, assignment.signoff) == (0, "open")


@pytest.mark.parametrize(
    "model",
    [
        "report",
        "evidence",
        "reportedvalue",
        "extensionrequest",
        "decision",
        "changerecord",
        "reminder",
    ],
)
def test_history_is_read_only_in_the_admin(client_as, admin_user, model):
    client = client_as(admin_user)
    listing = client.get(reverse(f"admin:tracker_{model}_changelist"))
    assert listing.status_code == 200
    assert client.get(reverse(f"admin:tracker_{model}_add")).status_code == 403
    assert 'value="delete_selected"' not in listing.content.decode()


def extensions_decided_by_different_people(n):
    """n extension requests, each asked by its own body clerk and decided by its own manager."""
    for i in range(n):
        a = AssignmentFactory(task=TaskFactory(deadline=dt.date(2030, 12, 31)))
        request = ExtensionRequest.objects.create(
            assignment=a,
            requested_by=UserFactory(),
            old_due=dt.date(2030, 12, 31),
            new_due=dt.date(2031, 6, 30),
            reason=f"第{i}次",
        )
        Decision.objects.create(
            assignment=a,
            kind="rejected",
            extension=request,
            decided_by=make_manager(f"manager-{i}"),
            reason="不同意",
        )


@pytest.mark.parametrize("model", ["extensionrequest", "decision"])
def test_history_lists_cost_the_same_with_2_and_20_people(client_as, admin_user, model):
    client = client_as(admin_user)
    url = reverse(f"admin:tracker_{model}_changelist")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    extensions_decided_by_different_people(2)
    with_2 = queries()
    extensions_decided_by_different_people(18)
    assert queries() == with_2
