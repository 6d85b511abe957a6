import datetime as dt

import pytest
from django.core import serializers
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CountyFactory,
    MeasureFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
)
from tracker.models import Assignment, Body, Measure, Plan, Target, Task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


def violates(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_a_task_and_a_measure_may_have_co_leads_the_first_named_first():
    measure = MeasureFactory()
    task = measure.task
    second = AssignmentFactory(task=task, role="lead", position=1, body=BodyFactory(name="区经委"))
    first = AssignmentFactory(task=task, role="lead", position=0, body=BodyFactory(name="区发改委"))
    AssignmentFactory(task=task, role="support", position=2)
    on_measure = [
        AssignmentFactory(task=task, measure=measure, role="lead", position=k) for k in (1, 0)
    ]
    assert list(task.assignments.filter(measure=None).leads()) == [first, second]
    assert task.first_lead() == first
    assert list(measure.assignments.leads()) == on_measure[::-1]


def test_a_task_without_a_lead_has_no_first_lead():
    task = TaskFactory()
    AssignmentFactory(task=task, role="support")
    assert task.first_lead() is None


def test_a_body_is_assigned_once_per_task_or_measure():
    measure = MeasureFactory()
    body = BodyFactory()
    AssignmentFactory(task=measure.task, body=body)
    AssignmentFactory(task=measure.task, measure=measure, body=body)
    violates(lambda: AssignmentFactory(task=measure.task, body=body))
    violates(lambda: AssignmentFactory(task=measure.task, measure=measure, body=body))


def test_the_database_rejects_values_outside_the_choices():
    task = TaskFactory()
    violates(lambda: AssignmentFactory(task=task, role="boss"))
    violates(lambda: Body.objects.create(jurisdiction="聊城市", name="某单位", kind="club"))


def test_an_ongoing_task_has_no_date_and_a_dated_one_names_its_source():
    violates(lambda: TaskFactory(ongoing=True, deadline=dt.date(2025, 1, 1)))
    violates(lambda: TaskFactory(deadline=dt.date(2025, 1, 1), deadline_source=""))
    TaskFactory(deadline=None, deadline_text="", deadline_source="")


def test_bodies_are_unique_within_their_jurisdiction_only():
    Body.objects.create(jurisdiction="聊城市", name="市公安局", kind="department")
    Body.objects.create(jurisdiction="济南市", name="市公安局", kind="department")
    violates(lambda: Body.objects.create(jurisdiction="聊城市", name="市公安局"))


def test_a_measure_target_names_its_task():
    measure = MeasureFactory()
    violates(
        lambda: Target.objects.create(
            plan=measure.task.plan, number=99, measure=measure, description="x"
        )
    )


def test_overdue_is_past_due_and_not_signed_off():
    task = TaskFactory(deadline=dt.date(2024, 12, 31))
    late = AssignmentFactory(task=task)
    AssignmentFactory(task=task, signed_off=True)
    AssignmentFactory(task=TaskFactory(plan=task.plan, deadline=TODAY, deadline_source="text"))
    AssignmentFactory(task=TaskFactory(plan=task.plan, deadline=None, deadline_source=""))
    assert list(Assignment.objects.overdue(TODAY)) == [late]


def test_an_assignment_is_due_by_its_own_date_then_its_measure_then_its_task():
    task = TaskFactory(deadline=dt.date(2030, 1, 1))
    measure = MeasureFactory(task=task, deadline=dt.date(2024, 6, 30), deadline_source="text")
    on_measure = AssignmentFactory(task=task, measure=measure)
    own = AssignmentFactory(task=task, due_date=dt.date(2020, 1, 1))
    AssignmentFactory(task=task)  # due 2030
    assert set(Assignment.objects.overdue(TODAY)) == {on_measure, own}
    assert on_measure.effective_due == dt.date(2024, 6, 30)


def test_withdrawn_work_is_never_overdue():
    task = TaskFactory(deadline=dt.date(2024, 1, 1), withdrawn=True)
    AssignmentFactory(task=task)
    assert not Assignment.objects.overdue(TODAY).exists()
    assert not Task.objects.overdue(TODAY).exists()


def test_a_task_is_overdue_until_everyone_on_it_has_signed_off():
    task = TaskFactory(deadline=dt.date(2024, 12, 31))
    assert list(Task.objects.overdue(TODAY)) == [task]  # nobody assigned yet
    a = AssignmentFactory(task=task)
    assert list(Task.objects.overdue(TODAY)) == [task]
    a.signoff, a.signed_off_at = "signed_off", timezone.now()
    a.save()
    assert not Task.objects.overdue(TODAY).exists()


def test_fixtures_refer_to_rows_by_natural_keys():
    plan = PlanFactory(slug="nk-plan")
    task = TaskFactory(plan=plan, number=3)
    measure = MeasureFactory(task=task, number=2)
    county = CountyFactory(name="莘县")
    AssignmentFactory(task=task, measure=measure, body=county)
    TargetFactory(task=task, measure=measure, number=1)
    objects = [plan, *plan.categories.all(), task, measure, county, *Assignment.objects.all()]
    objects += list(Target.objects.all())
    data = serializers.serialize(
        "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    assert '"pk"' not in data
    for model in (Target, Assignment, Measure, Task, Body, Plan):
        model.objects.all().delete()
    for obj in serializers.deserialize("json", data, handle_forward_references=True):
        obj.save()
    assignment = Assignment.objects.get_by_natural_key("nk-plan", 3, 2, "聊城市", "莘县")
    assert assignment.measure == Measure.objects.get_by_natural_key("nk-plan", 3, 2)
    assert Plan.objects.get_by_natural_key("nk-plan").tasks.count() == 1


def test_str_reads_as_chinese():
    task = TaskFactory(number=2, title="推进快递园区建设")
    assert str(task) == "2. 推进快递园区建设"
    assert Task._meta.verbose_name == "重点任务"


def test_a_plan_keeps_the_reading_of_its_title_for_sorting():
    zuo = PlanFactory(slug="zuo", title="聊城市做好快递进村实施方案")
    an = PlanFactory(slug="an", title="聊城市安全生产实施方案")
    assert list(Plan.objects.filter(pk__in=[zuo.pk, an.pk])) == [an, zuo]
    # A title changed alone (update_fields) changes its reading too.
    zuo.title = "聊城市爱心驿站建设实施方案"
    zuo.save(update_fields=["title"])
    zuo.refresh_from_db()
    assert zuo.pinyin.startswith("liao2 cheng2 shi4 ai4 xin1")
    assert list(Plan.objects.filter(pk__in=[zuo.pk, an.pk])) == [zuo, an]
