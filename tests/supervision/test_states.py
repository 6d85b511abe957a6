"""The states of tracker/states.py at their edges, with frozen dates in Asia/Shanghai, and
the database's answer (with_state / with_light) agreeing with the model's (state / light_on)."""

import datetime as dt
import itertools
import random

import pytest
import time_machine
from django.utils import timezone

from tests.builders import file_report
from tests.factories import (
    AssignmentFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)
from tracker import states
from tracker.models import Assignment, Measure, Milestone, Task, with_states
from tracker.services import reporting
from tracker.states import State, next_steps

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.TRACKER_DUE_SOON_DAYS = 30
    settings.TRACKER_BEHIND_PACE_POINTS = 15


def at_local(day, hour=10, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def make(
    *,
    due=None,
    start=dt.date(2026, 1, 1),
    percent=0,
    reported=None,
    signoff="open",
    period=30,
    assigned_on=None,
    withdrawn=False,
    rhythm="days",
    day=None,
):
    plan = PlanFactory(
        start_date=start, report_period_days=period, report_rhythm=rhythm, report_day=day
    )
    task = TaskFactory(
        plan=plan, deadline=due, deadline_source="text" if due else "", withdrawn=withdrawn
    )
    return AssignmentFactory(
        task=task,
        percent=percent,
        last_reported_at=reported,
        signoff=signoff,
        signed_off_at=timezone.now() if signoff == "signed_off" else None,
        assigned_on=assigned_on,
    )


FLAGS = [
    "withdrawn",
    "done",
    "overdue",
    "due_soon",
    "behind_pace",
    "silent",
    "waiting",
    "done_late",
]


# Everything with_state() annotates, which with_states() gives a page's rows in Python.
ANNOTATED = [
    "due",
    "missed_milestone",
    *(f"is_{flag}" for flag in ["withdrawn", *FLAGS]),
    "days_overdue",
    "expected_percent",
    "next_report_on",
    "light",
    "light_rank",
]


def page_agrees(rows, today):
    """with_states() gives the rows of a page exactly what with_state() annotates."""
    rows = {row.pk: row for row in rows}
    page = with_states(Assignment.objects.filter(pk__in=list(rows))._list_joins(), today)
    for a in page:
        row = rows[a.pk]
        assert {n: getattr(a, n) for n in ANNOTATED} == {n: getattr(row, n) for n in ANNOTATED}


def both(a, today):
    """The states from Python and from the database; they must agree — the flags, the
    light, the days overdue, the missed milestone and the next report's due day."""
    python = a.state(today)
    row = Assignment.objects.with_state(today).get(pk=a.pk)
    db = {flag: getattr(row, f"is_{flag}") for flag in FLAGS}
    assert db == {flag: getattr(python, flag) for flag in FLAGS}
    assert row.light == python.light
    assert row.days_overdue == python.days_overdue
    # What the rows keep for SQL (Assignment.due, tracked) is what Python reads from them.
    assert (row.due, row.tracked) == (python.due, not python.withdrawn)
    assert row.pace_start == a.task.plan.start_date
    assert State.of_row(row, today) == python
    page_agrees([row], today)
    return python


def recent(today=TODAY):
    return at_local(today - dt.timedelta(days=1))


# --- due dates --------------------------------------------------------------------------------


def test_due_today_is_due_soon_not_overdue():
    s = both(make(due=TODAY, percent=100, reported=recent()), TODAY)
    assert not s.overdue and s.due_soon and s.light == "yellow"


def test_due_yesterday_is_overdue_and_red():
    s = both(make(due=TODAY - dt.timedelta(days=1), percent=100, reported=recent()), TODAY)
    assert s.overdue and not s.due_soon and s.light == "red"


def test_due_soon_ends_at_the_configured_number_of_days(settings):
    edge = make(due=TODAY + dt.timedelta(days=30), percent=95, reported=recent())
    beyond = make(due=TODAY + dt.timedelta(days=31), percent=95, reported=recent())
    assert both(edge, TODAY).due_soon
    s = both(beyond, TODAY)
    assert not s.due_soon and s.light == "green"
    settings.TRACKER_DUE_SOON_DAYS = 31
    assert both(beyond, TODAY).due_soon


def test_signed_off_work_is_done_even_past_its_due_date():
    s = both(make(due=dt.date(2024, 12, 31), signoff="signed_off", percent=100), TODAY)
    assert s.done and not s.overdue and not s.silent and s.light == "done"
    assert not Assignment.objects.overdue(TODAY).exists()


def test_ongoing_work_is_never_overdue_or_due_soon():
    s = both(make(due=None, reported=recent()), TODAY)
    assert not (s.overdue or s.due_soon or s.behind_pace) and s.light == "green"


@time_machine.travel(dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC), tick=False)
def test_today_is_the_date_in_shanghai():
    # 16:30 UTC on the 26th is 00:30 on the 27th in Shanghai: work due on the 26th is late.
    assert timezone.localdate() == TODAY
    a = make(due=dt.date(2026, 11, 26), percent=100, reported=recent())
    assert a.state().overdue
    assert list(Assignment.objects.overdue(timezone.localdate())) == [a]


# --- reporting periods ------------------------------------------------------------------------


def test_a_report_exactly_one_period_ago_is_on_time_today_and_late_tomorrow():
    a = make(due=dt.date(2027, 6, 30), reported=at_local(TODAY - dt.timedelta(days=30)))
    s = both(a, TODAY)
    assert not s.silent and s.next_report_due == TODAY
    s = both(a, TODAY + dt.timedelta(days=1))
    assert s.silent and s.light == "yellow"


def test_the_report_day_is_the_local_day_it_was_filed():
    # Filed at 00:30 Shanghai time on 10-29 (16:30 UTC on 10-28): its period ends 11-28.
    filed = dt.datetime(2026, 10, 28, 16, 30, tzinfo=dt.UTC)
    a = make(due=dt.date(2027, 6, 30), reported=filed)
    assert not both(a, dt.date(2026, 11, 28)).silent
    assert both(a, dt.date(2026, 11, 29)).silent


def test_without_a_report_the_period_runs_from_the_plan_start():
    a = make(due=dt.date(2027, 6, 30), start=dt.date(2026, 10, 1))
    assert not both(a, dt.date(2026, 10, 31)).silent
    assert both(a, dt.date(2026, 11, 1)).silent


@pytest.mark.parametrize(("rhythm", "day"), [("days", None), ("monthly", 25), ("quarterly", 20)])
def test_with_no_tracking_start_no_report_and_no_assignment_day_nothing_is_due(rhythm, day):
    # Not 1970: when the first report is due is unknown until a start is set or a report
    # comes, so the work is not silent and names no day.
    a = make(due=dt.date(2027, 6, 30), start=None, rhythm=rhythm, day=day)
    s = both(a, TODAY)
    assert s.next_report_due is None and not s.silent and s.light == "green"
    assert [step.label for step in next_steps(a, s)] == [
        "跟踪起始未定：首次填报时间待管理员设定，可随时填报进展"
    ]
    # A report starts the clock.
    a.last_reported_at = at_local(TODAY - dt.timedelta(days=200))
    a.save()
    s = both(a, TODAY)
    assert s.next_report_due is not None and s.silent


def test_work_assigned_later_counts_from_the_day_it_was_assigned():
    a = make(due=dt.date(2027, 6, 30), start=dt.date(2026, 1, 1), assigned_on=TODAY)
    assert not both(a, TODAY + dt.timedelta(days=30)).silent
    assert both(a, TODAY + dt.timedelta(days=31)).silent


def test_the_period_is_the_plans():
    a = make(due=dt.date(2027, 6, 30), reported=at_local(TODAY - dt.timedelta(days=8)), period=7)
    assert both(a, TODAY).silent


def test_waiting_for_sign_off_is_not_silent():
    a = make(
        due=dt.date(2027, 6, 30),
        percent=100,
        signoff="requested",
        reported=at_local(dt.date(2026, 1, 5)),
    )
    assert not both(a, TODAY).silent


# --- pace -------------------------------------------------------------------------------------


def test_behind_pace_is_more_than_the_points_below_the_line():
    # 2026-01-01 → 2027-01-01 is 365 days; on 2026-07-02 (182 days) the line is at 49.86 %.
    due, today = dt.date(2027, 1, 1), dt.date(2026, 7, 2)
    on_edge = make(due=due, percent=35, reported=recent(today))  # 14.86 points below
    behind = make(due=due, percent=34, reported=recent(today))  # 15.86 points below
    assert not both(on_edge, today).behind_pace
    s = both(behind, today)
    assert s.behind_pace and s.light == "yellow" and s.expected_percent == 49


def test_exactly_the_points_below_is_not_behind():
    # 2026-01-01 → 2026-01-21 is 20 days; on 01-11 the line is at exactly 50 %.
    due, today = dt.date(2026, 1, 21), dt.date(2026, 1, 11)
    assert not both(make(due=due, percent=35, reported=recent(today)), today).behind_pace
    assert both(make(due=due, percent=34, reported=recent(today)), today).behind_pace


def test_no_pace_without_a_start_or_a_due_date_or_before_the_start():
    assert not both(make(due=dt.date(2027, 1, 1), start=None, reported=recent()), TODAY).behind_pace
    assert not both(make(due=None, reported=recent()), TODAY).behind_pace
    early = make(due=dt.date(2027, 12, 31), start=dt.date(2027, 1, 1), reported=recent())
    s = both(early, TODAY)
    assert not s.behind_pace and s.expected_percent == 0


def test_past_the_due_date_the_line_stays_at_100():
    a = make(due=dt.date(2026, 6, 30), percent=90, reported=recent())
    s = both(a, TODAY)
    assert s.expected_percent == 100 and not s.behind_pace  # 10 points below
    b = make(due=dt.date(2026, 6, 30), percent=80, reported=recent())
    assert both(b, TODAY).behind_pace


# --- agreement over many combinations ---------------------------------------------------------


def test_the_database_and_the_model_agree_on_every_combination():
    rng = random.Random(20261127)
    dues = [None, *(TODAY + dt.timedelta(days=d) for d in (-400, -1, 0, 1, 29, 30, 31, 200))]
    starts = [None, dt.date(2025, 1, 1), TODAY, TODAY + dt.timedelta(days=10)]
    reports = [
        None,
        *(
            at_local(TODAY - dt.timedelta(days=d), hour=h)
            for d, h in ((0, 9), (30, 23), (31, 0), (90, 12))
        ),
    ]
    combos = list(itertools.product(dues, starts, [0, 35, 50, 100], reports))
    rng.shuffle(combos)
    made = []
    for due, start, percent, reported in combos[:160]:
        signoff = rng.choice(["open", "open", "requested", "returned", "signed_off"])
        assigned = rng.choice([None, TODAY - dt.timedelta(days=rng.randint(0, 60))])
        made.append(
            make(
                due=due,
                start=start,
                percent=percent,
                reported=reported,
                signoff=signoff,
                period=rng.choice([7, 30, 90]),
                assigned_on=assigned,
                withdrawn=rng.random() < 0.1,
            )
        )
    for today in (TODAY, TODAY + dt.timedelta(days=31)):
        rows = {a.pk: a for a in Assignment.objects.with_state(today).select_related("task__plan")}
        for a in made:
            python = a.state(today)
            row = rows[a.pk]
            assert row.light == python.light, (a.pk, today)
            for flag in FLAGS:
                assert getattr(row, f"is_{flag}") == getattr(python, flag), (flag, a.pk)
        page_agrees(rows.values(), today)
        lights = {row.light for row in rows.values()}
        assert lights == {"red", "yellow", "green", "done", None}  # None: withdrawn
        # The list's filter by light (states.light_q) picks exactly the rows of that light.
        for light in ("red", "yellow", "green", "done"):
            lit = Assignment.objects.with_state(today).filter(states.light_q(light, today))
            assert set(lit.values_list("pk", flat=True)) == {
                pk for pk, row in rows.items() if row.light == light
            }, light


# --- tasks and measures take the worst light --------------------------------------------------


def test_a_task_and_a_measure_take_the_worst_light_of_their_assignments():
    plan = PlanFactory(start_date=dt.date(2026, 1, 1))
    task = TaskFactory(plan=plan, deadline=dt.date(2027, 6, 30))
    measure = MeasureFactory(task=task, deadline=dt.date(2026, 11, 1), deadline_source="text")
    AssignmentFactory(task=task, percent=100, last_reported_at=recent())  # green
    AssignmentFactory(task=task, measure=measure, signed_off=True)  # done
    late = AssignmentFactory(task=task, measure=measure, percent=50, last_reported_at=recent())
    quiet = TaskFactory(plan=plan, deadline=dt.date(2027, 6, 30))
    AssignmentFactory(task=quiet, signed_off=True)
    nobody_late = TaskFactory(plan=plan, deadline=dt.date(2026, 1, 1))
    nobody_yet = TaskFactory(plan=plan, deadline=dt.date(2027, 1, 1))

    expected = {task: "red", quiet: "done", nobody_late: "red", nobody_yet: None}
    db = dict(Task.objects.with_light(TODAY).values_list("pk", "light"))
    for t, light in expected.items():
        assert t.light_on(TODAY) == light == db[t.pk]
    assert Measure.objects.with_light(TODAY).get(pk=measure.pk).light == "red"
    assert measure.light_on(TODAY) == "red"
    # Signing off the late one leaves the task at the worst of the rest: green.
    Assignment.objects.filter(pk=late.pk).update(signoff="signed_off", signed_off_at=timezone.now())
    assert Task.objects.with_light(TODAY).get(pk=task.pk).light == "green" == task.light_on(TODAY)
    assert measure.light_on(TODAY) == "done"


def test_a_red_task_is_exactly_an_overdue_task():
    plan = PlanFactory()
    tasks = [
        TaskFactory(plan=plan, deadline=dt.date(2024, 12, 31)),
        TaskFactory(plan=plan, deadline=dt.date(2027, 12, 31)),
        TaskFactory(plan=plan, deadline=dt.date(2024, 12, 31)),
    ]
    AssignmentFactory(task=tasks[0])
    extended = AssignmentFactory(task=tasks[2], due_date=dt.date(2027, 6, 30))  # extension
    AssignmentFactory(task=tasks[1], due_date=dt.date(2025, 6, 30))
    red = set(Task.objects.with_light(TODAY).filter(light="red").values_list("pk", flat=True))
    overdue = set(Task.objects.overdue(TODAY).values_list("pk", flat=True))
    assert red == overdue == {tasks[0].pk, tasks[1].pk}
    assert extended.state(TODAY).light != "red"


def test_withdrawn_work_has_no_light():
    task = TaskFactory(deadline=dt.date(2024, 12, 31))
    kept = AssignmentFactory(task=task)
    measure = MeasureFactory(task=task, withdrawn=True)
    dropped = AssignmentFactory(task=task, measure=measure)
    # An assignment of a withdrawn measure: no light and no flags, in SQL as in Python.
    s = both(dropped, TODAY)
    assert s.withdrawn and s.light is None and not s.overdue
    assert both(kept, TODAY).light == "red"
    assert Measure.objects.with_light(TODAY).get(pk=measure.pk).light is None
    assert measure.light_on(TODAY) is None
    task.withdrawn = True
    task.save(update_fields=["withdrawn"])
    assert both(Assignment.objects.get(pk=kept.pk), TODAY).light is None
    assert task.light_on(TODAY) is None
    assert Task.objects.with_light(TODAY).get(pk=task.pk).light is None
    assert not Task.objects.overdue(TODAY).exists()


def test_a_withdrawn_task_nobody_answers_for_has_no_light_past_its_deadline():
    task = TaskFactory(deadline=dt.date(2024, 12, 31), withdrawn=True)
    assert task.light_on(TODAY) is None
    assert Task.objects.with_light(TODAY).get(pk=task.pk).light is None
    assert not Task.objects.overdue(TODAY).exists()


def test_the_work_of_an_archived_plan_has_no_light_in_sql_as_in_python():
    task = TaskFactory(deadline=dt.date(2024, 12, 31))
    lonely = TaskFactory(plan=task.plan, number=2, deadline=dt.date(2024, 12, 31))
    a = AssignmentFactory(task=task)
    assert both(a, TODAY).light == "red"
    plan = task.plan
    plan.archived_at, plan.archive_reason = timezone.now(), "方案已完成"
    plan.save(update_fields=["archived_at", "archive_reason"])
    a = Assignment.objects.get(pk=a.pk)
    s = both(a, TODAY)
    assert s.withdrawn and s.light is None and not s.overdue
    for t in (task, lonely):  # with an assignment, and with nobody answering for it
        t = Task.objects.get(pk=t.pk)
        assert t.light_on(TODAY) is None
        assert Task.objects.with_light(TODAY).get(pk=t.pk).light is None
    assert not Task.objects.overdue(TODAY).exists()
    assert not Assignment.objects.active().exists()


# --- the reporting calendar (每月D日前, 每季度末月D日前) -----------------------------------------


@pytest.mark.parametrize(
    ("clock", "rhythm", "next_due"),
    [
        (dt.date(2026, 11, 20), "monthly", dt.date(2026, 12, 25)),  # in November's window
        (dt.date(2026, 11, 25), "monthly", dt.date(2026, 12, 25)),  # on the day itself
        (dt.date(2026, 11, 26), "monthly", dt.date(2027, 1, 25)),  # already December's
        (dt.date(2026, 12, 31), "monthly", dt.date(2027, 2, 25)),  # across the year
        (dt.date(2026, 11, 20), "quarterly", dt.date(2027, 3, 25)),
        (dt.date(2026, 12, 25), "quarterly", dt.date(2027, 3, 25)),
        (dt.date(2026, 12, 26), "quarterly", dt.date(2027, 6, 25)),
        (dt.date(2026, 10, 1), "quarterly", dt.date(2027, 3, 25)),
    ],
)
def test_the_calendar_sets_the_next_due_day(clock, rhythm, next_due):
    a = make(due=dt.date(2028, 6, 30), rhythm=rhythm, day=25, reported=at_local(clock))
    s = both(a, next_due)
    assert s.next_report_due == next_due and not s.silent  # due today: on time
    late = both(a, next_due + dt.timedelta(days=1))
    assert late.silent and late.report_days_late == 1


def test_never_reported_work_says_how_late_the_first_report_is():
    a = make(due=dt.date(2028, 6, 30), start=dt.date(2024, 9, 1), rhythm="monthly", day=25)
    s = both(a, TODAY)
    # Tracking from 2024-09-01: the first report was due on 2024-10-25.
    assert s.silent and not s.reported and s.next_report_due == dt.date(2024, 10, 25)
    (step,) = [x for x in next_steps(a, s) if x.kind == "report"]
    assert str(step.label).startswith("首次填报已逾期 763 天（应于 2024-10-25 前填报）")
    assert "下次填报截至" not in str(step.label)


# --- milestones (阶段性目标) -------------------------------------------------------------------


def test_a_missed_milestone_makes_the_work_overdue_until_a_report_says_it_was_reached():
    a = make(due=dt.date(2028, 6, 30), reported=recent())
    body_staff = MembershipFactory(user=UserFactory(), body=a.body).user
    on_task = Milestone.objects.create(task=a.task, due=TODAY - dt.timedelta(days=5), text="选址")
    Milestone.objects.create(task=a.task, due=TODAY + dt.timedelta(days=5), text="开工")
    s = both(a, TODAY)
    assert s.overdue and s.light == "red" and s.missed_milestone == on_task.due
    assert s.days_overdue == 5
    with time_machine.travel(at_local(TODAY), tick=False):
        wrong = file_report(a, body_staff, milestones=[on_task], as_of=TODAY)
        a.refresh_from_db()
        assert not both(a, TODAY).overdue
        # A correction that no longer says so: the milestone is missed again.
        file_report(a, body_staff, corrects=wrong, as_of=TODAY)
    a.refresh_from_db()
    assert both(a, TODAY).missed_milestone == on_task.due


def test_milestones_apply_to_their_task_measure_or_assignment_only():
    task = TaskFactory(plan=PlanFactory(), deadline=dt.date(2028, 6, 30))
    measure = MeasureFactory(task=task)
    on_task = AssignmentFactory(task=task, last_reported_at=recent())
    on_measure = AssignmentFactory(task=task, measure=measure, last_reported_at=recent())
    other = AssignmentFactory(task=task, last_reported_at=recent())
    Milestone.objects.create(task=task, measure=measure, due=TODAY - dt.timedelta(days=1), text="a")
    Milestone.objects.create(
        task=task, assignment=other, due=TODAY - dt.timedelta(days=2), text="b"
    )
    assert not both(on_task, TODAY).overdue
    assert both(on_measure, TODAY).days_overdue == 1
    assert both(other, TODAY).days_overdue == 2


def test_the_database_and_the_model_agree_on_calendars_and_milestones():
    rng = random.Random(11)
    made = []
    for _ in range(40):
        rhythm = rng.choice(["days", "monthly", "quarterly"])
        day = rng.randint(1, 28) if rhythm != "days" else None
        reported = rng.choice([None, at_local(TODAY - dt.timedelta(days=rng.randint(0, 200)))])
        a = make(
            due=rng.choice([None, TODAY + dt.timedelta(days=rng.randint(-60, 60))]),
            start=rng.choice([None, dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))]),
            reported=reported,
            rhythm=rhythm,
            day=day,
            period=rng.choice([7, 30]),
            signoff=rng.choice(["open", "lead_review", "requested", "returned"]),
            assigned_on=rng.choice([None, TODAY - dt.timedelta(days=rng.randint(0, 90))]),
        )
        for _ in range(rng.randint(0, 2)):
            Milestone.objects.create(
                task=a.task,
                assignment=rng.choice([None, a]),
                due=TODAY + dt.timedelta(days=rng.randint(-40, 40)),
                text="节点",
            )
        made.append(a)
    for today in (TODAY, TODAY + dt.timedelta(days=45)):
        for a in made:
            both(a, today)


def test_work_signed_off_after_its_due_date_is_recorded_as_done_late(manager):
    a = make(due=TODAY - dt.timedelta(days=3), reported=recent())
    staff = MembershipFactory(user=UserFactory(), body=a.body).user
    with time_machine.travel(at_local(TODAY), tick=False):
        file_report(a, staff, status="completed", percent=100, as_of=TODAY)
        reporting.signoff_decide(assignment=a, manager=manager, approve=True)
    a.refresh_from_db()
    assert a.completed_late_days == 3
    s = both(a, TODAY)
    assert s.done and s.done_late and s.light == "done"
