"""The states of an assignment (责任分工), defined once. Every page, list, filter and count uses
these rules; nothing else decides what "overdue" or "silent" means.

Each rule is written here twice, side by side: as a database expression, so lists, filters
and counts happen in SQL (`AssignmentQuerySet.with_state(today)` and friends in models.py),
and as plain Python for one object (`Assignment.state(today)`). Both use the same integer
arithmetic on day numbers, and tests/supervision/test_states.py checks that they agree.

Dates are local dates in Asia/Shanghai (settings.TIME_ZONE): `today` is
`timezone.localdate()` unless a caller passes a day. A report's date is the local date on
which it was filed.

An assignment's *due date* is its own due date (set by an approved extension or an
administrator), else its measure's deadline, else its task's. Ongoing work (长期坚持) and
work without a date have no due date.

A *milestone* (阶段性目标, `Milestone`) is a date and what must be done by then, set by a
person on a task (it applies to the task's own assignments), a measure (its assignments) or
one assignment. An assignment *reached* a milestone when one of its reports in force (not
corrected) says so (`ReportedMilestone`). A *missed milestone* is one that applies, is due
before today and was not reached; the earliest is `missed_milestone`.

- **done (已销号)**: a manager signed it off (`signoff == "signed_off"`).
- **done late (逾期完成)**: done, and recorded at sign-off as completed late
  (`completed_late_days`): the day the completion report was filed was after the due date
  that applied then. Work signed off on time has none.
- **waiting (待审核)**: it reported 已完成 and waits for the lead body's review
  (`signoff == "lead_review"`, 牵头单位初审) or for the managers' decision
  (`signoff == "requested"`, 待销号审核).
- **overdue (逾期)**: not done, and `due < today` or a milestone is missed. Work due today is
  not yet overdue. Waiting work past its date is still overdue (the managers have not
  decided); the bulletin counts it apart, as 待审核销号.
- **due soon (临期)**: not done and `today <= due <= today + TRACKER_DUE_SOON_DAYS`.
- **behind pace (滞后于序时进度)**: not done; the plan's tracking start (`Plan.start_date`)
  and the due date are both known, and `start < due`; and the reported percent is more than
  `TRACKER_BEHIND_PACE_POINTS` below the straight line from 0 % on the start day to 100 % on
  the due day. In whole days, with `elapsed = min(today - start, due - start)` and
  `span = due - start`, that is `100 * elapsed > (percent + points) * span`.
  Before the start nobody is behind; after the due date the line stays at 100 %.
- **days overdue (逾期天数)**: for overdue work, whole days since the earliest of what has
  passed — the due date (when before today) and the missed milestone: `today - that day`
  (due yesterday: 1); none otherwise.
- **silent (未按时填报)**: not done, not waiting, and the next report was due before today.
  The *clock* is the latest of: the plan's tracking start, the day the body was put on the
  work (`Assignment.assigned_on`; empty for work named in the plan's own text) and the day
  of the latest report. The next report is due, by the plan's calendar
  (`Plan.report_rhythm`):
  - every N days (`days`, N = `Plan.report_period_days`): `clock + N`. So a report filed
    exactly one period ago is on time today, and late tomorrow;
  - monthly by day D (`monthly`, D = `Plan.report_day`, 1–28; "每月D日前"): each month's
    report is due on day D and counts from the day after the previous month's day D. The
    clock falls in the window of the first day D on or after it; the next report is due on
    day D of the month after that. (Clock 2026-11-20 or 11-25, D = 25: next due 12-25;
    clock 11-26: next due 2027-01-25 — a report on 11-26 is already December's.)
  - quarterly by day D (`quarterly`, "每季度末月D日前"): the same with the day D of March,
    June, September and December.
  With none of the three days known there is no clock: when the first report is due is
  not known (the plan's text set no tracking start and nobody has set one — it is not
  invented), so the work is never silent and pages say the tracking start is to be set.
  The day the next report is due is kept on the assignment (`Assignment.next_report_on`,
  computed by `next_report_due` below whenever a report, the assignment's day or the plan's
  start or calendar changes): in SQL the calendars cost dozens of date functions a row.
- **light (亮灯)**: done → done (已销号, grey); overdue → red; due soon, behind pace or
  silent → yellow; otherwise green. A task or a measure takes the worst light of its active
  assignments (red > yellow > green > done). A task nobody answers for is red once its own
  deadline has passed and has no light before. A task's light is red exactly when the task
  is overdue (`TaskQuerySet.overdue`).
- **withdrawn (已撤销)**: work the current revision of the plan no longer contains — an
  assignment of a withdrawn task or measure, a withdrawn task or measure itself — and all the
  work of an archived plan (已归档, `Plan.archived_at`). It keeps its record (and, if signed
  off, stays done) but has no light: it is never overdue, due soon, behind pace or silent.
  Lists, 我的任务, the dashboard and reminders leave it out (`AssignmentQuerySet.active()`).

- **on time (按时完成)** and **ahead of pace (快于序时进度)**, for the praise (表扬) of the
  bulletin: work signed off on or before its due date (the local day of the sign-off), and
  work neither done, overdue nor waiting for a sign-off decision whose reported percent is at
  least `TRACKER_BEHIND_PACE_POINTS` above the pace line (behind pace, mirrored). Both read
  the states already computed (`with_state`): `done_on_time()`, `ahead_of_pace()` below.

- **a share of a county (分解落实到县)**: an assignment in the role 分解落实 of a county body: the
  task or measure is broken down to each county, which answers for its own share
  (`county_share_q`, `is_county_share`). The matrix and the task roll-up's wording use it.

Pages read the states from the SQL annotations (`with_state`; `State.of_row()` gathers them
into the same `State` object the Python twin computes); the Python twin is the oracle the
tests check the SQL against, and serves single objects that were not fetched with states.

What is expected of the body next (for 我的任务) is `next_steps()` below.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    Q,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

EPOCH = dt.date(1970, 1, 1)


class Light(TextChoices):
    RED = "red", _("红灯")
    YELLOW = "yellow", _("黄灯")
    GREEN = "green", _("绿灯")
    DONE = "done", _("已销号")


# Worst first when sorted descending: a task takes the light of highest rank.
RANK = {Light.DONE: 0, Light.GREEN: 1, Light.YELLOW: 2, Light.RED: 3}
LIGHT_OF_RANK = {rank: light for light, rank in RANK.items()}


class SignOff(TextChoices):
    """Where an assignment stands with its sign-off (销号)."""

    OPEN = "open", _("未申请销号")
    LEAD_REVIEW = "lead_review", _("待牵头单位初审")
    REQUESTED = "requested", _("待销号审核")
    RETURNED = "returned", _("已退回")
    SIGNED_OFF = "signed_off", _("已销号")


WAITING = [SignOff.LEAD_REVIEW, SignOff.REQUESTED]


class Rhythm(TextChoices):
    """A plan's reporting calendar (see the module docstring: silent)."""

    DAYS = "days", _("每隔若干天")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


def rhythm_label(rhythm, period, day):
    """每月25日前, 每季度末月25日前, 每30天至少一次."""
    if rhythm == Rhythm.MONTHLY:
        return _("每月%(d)s日前") % {"d": day}
    if rhythm == Rhythm.QUARTERLY:
        return _("每季度末月%(d)s日前") % {"d": day}
    return ngettext("每 %(n)s 天至少填报一次", "每 %(n)s 天至少填报一次", period) % {"n": period}


def due_soon_days():
    return settings.TRACKER_DUE_SOON_DAYS


def behind_pace_points():
    return settings.TRACKER_BEHIND_PACE_POINTS


def day_number(day):
    """Whole days since 1970-01-01: the integer both Python and SQL compute with."""
    return (day - EPOCH).days


def month_index(day):
    """Months since year 0 (January of year 0 is 0): what the calendar rules count in."""
    return day.year * 12 + day.month - 1


def local_day(moment):
    """The local (Asia/Shanghai) date of a stored datetime."""
    return timezone.localdate(moment, timezone.get_default_timezone()) if moment else None


# --- Python: one assignment -------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """The states of one assignment on one day (see the module docstring)."""

    today: dt.date
    due: dt.date | None
    withdrawn: bool
    done: bool
    overdue: bool
    due_soon: bool
    behind_pace: bool
    silent: bool
    expected_percent: int | None  # where the pace line is today, rounded down
    next_report_due: dt.date | None  # None: no clock (no tracking start, report or assignment)
    days_overdue: int | None = None  # whole days since what has passed, for overdue work
    waiting: bool = False
    missed_milestone: dt.date | None = None
    done_late: bool = False
    reported: bool = True  # whether any report was filed (for the wording of next_steps)

    @classmethod
    def of_row(cls, row, today):
        """The State of an assignment fetched with AssignmentQuerySet.with_state(today),
        from its annotations: the same values compute() gives, read from the database."""
        return cls(
            today=today,
            due=row.due,
            withdrawn=row.is_withdrawn,
            done=row.is_done,
            overdue=row.is_overdue,
            due_soon=row.is_due_soon,
            behind_pace=row.is_behind_pace,
            silent=row.is_silent,
            expected_percent=row.expected_percent,
            next_report_due=row.next_report_on,
            days_overdue=row.days_overdue,
            waiting=row.is_waiting,
            missed_milestone=row.missed_milestone if not row.is_withdrawn else None,
            done_late=row.is_done_late,
            reported=row.last_reported_at is not None,
        )

    @property
    def light(self):
        if self.withdrawn:
            return None
        if self.done:
            return Light.DONE
        if self.overdue:
            return Light.RED
        if self.due_soon or self.behind_pace or self.silent:
            return Light.YELLOW
        return Light.GREEN

    @property
    def rank(self):
        return None if self.light is None else RANK[self.light]

    @property
    def report_days_late(self):
        """For silent work: whole days since the report was due."""
        return days_late(self.next_report_due, self.today) if self.silent else None


def next_report_due(*, clock, rhythm, period, day):
    """When the next report is due after `clock`, by the plan's calendar (module docstring)."""
    if rhythm == Rhythm.MONTHLY:
        k = month_index(clock) + (1 if clock.day > day else 0) + 1
    elif rhythm == Rhythm.QUARTERLY:
        index = month_index(clock)
        quarter_end = index + 2 - index % 3
        k = quarter_end + (3 if index == quarter_end and clock.day > day else 0) + 3
    else:
        return clock + dt.timedelta(days=period)
    return dt.date(k // 12, k % 12 + 1, day)


def compute(
    *,
    today,
    due,
    start,
    percent,
    signoff,
    period,
    assigned_on,
    last_report_on,
    withdrawn=False,
    rhythm=Rhythm.DAYS,
    report_day=None,
    milestones=(),
    completed_late_days=None,
):
    """The states of an assignment from its stored facts. `Assignment.state()` calls this.
    `milestones` are (due, reached) pairs of the milestones that apply to it."""
    done = signoff == SignOff.SIGNED_OFF
    live = not done and not withdrawn
    waiting = signoff in WAITING
    missed = min((d for d, reached in milestones if not reached and d < today), default=None)
    passed = [d for d in (due, missed) if d is not None and d < today]
    overdue = live and bool(passed)
    due_soon = (
        live and due is not None and today <= due <= today + dt.timedelta(days=due_soon_days())
    )
    expected = None
    behind = False
    if start is not None and due is not None and start < due:
        span = day_number(due) - day_number(start)
        elapsed = min(day_number(today) - day_number(start), span)
        expected = max(0, 100 * elapsed // span)
        behind = live and 100 * elapsed > (percent + behind_pace_points()) * span
    # With none of the three days known there is no clock, and no report is due yet.
    clock = max((d for d in (start, assigned_on, last_report_on) if d is not None), default=None)
    next_due = None
    if clock is not None:
        next_due = next_report_due(clock=clock, rhythm=rhythm, period=period, day=report_day)
    silent = live and not waiting and next_due is not None and next_due < today
    return State(
        today=today,
        due=due,
        withdrawn=withdrawn,
        done=done,
        overdue=overdue,
        due_soon=due_soon,
        behind_pace=behind,
        silent=silent,
        expected_percent=expected,
        next_report_due=next_due,
        days_overdue=days_late(min(passed), today) if overdue else None,
        waiting=waiting,
        missed_milestone=missed if not withdrawn else None,
        done_late=done and completed_late_days is not None,
        reported=last_report_on is not None,
    )


def days_late(due, today):
    """Whole days `today` is past `due` (due yesterday: 1). DaysLate is the same in SQL."""
    return day_number(today) - day_number(due)


def worst(lights):
    """The worst of some lights, or None when there are none."""
    ranks = [RANK[light] for light in lights if light is not None]
    return LIGHT_OF_RANK[max(ranks)] if ranks else None


def done_on_time(row):
    """按时完成: signed off on or before its due date, and not recorded as completed late
    (逾期完成: the completion report filed after the due date). `row` has its states."""
    return (
        bool(row.is_done)
        and row.due is not None
        and not row.is_done_late
        and local_day(row.signed_off_at) <= row.due
    )


def ahead_of_pace(row):
    """快于序时进度: not done, overdue or waiting for a sign-off decision, and the reported
    percent at least TRACKER_BEHIND_PACE_POINTS above the pace line. `row` has its states."""
    return (
        not row.is_done
        and not row.is_overdue
        and not row.is_waiting
        and row.expected_percent is not None
        and row.percent >= row.expected_percent + behind_pace_points()
    )


# --- SQL: the same rules as expressions over an assignment queryset ----------------------
# They read what the assignment keeps (`due`, `tracked`, `overdue_since`, `pace_start`:
# Assignment), so that they join no other table, and expect the `missed_milestone`
# annotation (with_missed_milestone); a subquery on another model uses them through
# Assignment.objects (see TaskQuerySet.with_light).


class DayNumber(Func):
    """Whole days since 1970-01-01 of a date expression (NULL stays NULL)."""

    output_field = IntegerField()
    arity = 1
    template = "(%(expressions)s - DATE '1970-01-01')"  # PostgreSQL: date - date = integer

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )


def _days(value):
    return Value(day_number(value), output_field=IntegerField())


def _int(value):
    return Value(value, output_field=IntegerField())


def withdrawn_q():
    """An assignment of a task or a measure the plan no longer contains, or of an archived
    plan (kept as Assignment.tracked)."""
    return withdrawn_q_via("")


def withdrawn_q_via(prefix):
    """withdrawn_q() for a model that reaches the assignment through `prefix`."""
    return Q(**{f"{prefix}tracked": False})


def done_q():
    return Q(signoff=SignOff.SIGNED_OFF)


def waiting_q():
    return Q(signoff__in=WAITING)


def overdue_q(today):
    """Not done, and its due date or its earliest open milestone has passed (the earlier of
    them is the kept `overdue_since`)."""
    return ~done_q() & Q(overdue_since__lt=today)


def due_soon_q(today):
    return ~done_q() & Q(due__gte=today, due__lte=today + dt.timedelta(days=due_soon_days()))


def _pace(today):
    """(elapsed, span) in days of the pace line from the plan's start to the due date."""
    start = DayNumber(F("pace_start"))
    span = DayNumber(F("due")) - start
    return Least(_days(today) - start, span), span


def behind_pace_q(today):
    elapsed, span = _pace(today)
    return (
        ~done_q()
        & Q(pace_start__lt=F("due"))
        & GreaterThan(elapsed * Value(100), (F("percent") + Value(behind_pace_points())) * span)
    )


def expected_percent(today):
    """Where the pace line is today, rounded down (see `compute`); NULL without a line.
    Both databases divide integers towards zero, Python's // floors: they differ only for
    negative values, which Greatest() turns into 0 on both sides."""
    elapsed, span = _pace(today)
    return Case(
        When(
            Q(pace_start__lt=F("due")),
            then=Greatest(Value(0), elapsed * Value(100) / span),
        ),
        default=None,
        output_field=IntegerField(),
    )


def days_overdue(today):
    """Whole days an overdue assignment is past the earliest of what has passed (its due
    date, its missed milestone: `overdue_since`); NULL when not overdue."""
    return Case(
        When(withdrawn_q(), then=None),
        When(overdue_q(today), then=_days(today) - DayNumber(F("overdue_since"))),
        default=None,
        output_field=IntegerField(),
    )


def county_share_q():
    """A county's own share of broken-down work (分解落实 by a county body)."""
    return Q(role="responsible", body__kind="county")


def silent_q(today):
    """The next report (kept as Assignment.next_report_on by the plan's calendar) was due
    before today, and neither done nor waiting for a decision."""
    return ~done_q() & ~waiting_q() & Q(next_report_on__lt=today)


def _flag(condition, *, unless=None):
    whens = [When(unless, then=Value(False))] if unless is not None else []
    return Case(
        *whens,
        When(condition, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def state_annotations(today):
    """Annotations for AssignmentQuerySet.with_state(): the flags, the light and its rank
    (NULL for withdrawn work)."""
    yellow = due_soon_q(today) | behind_pace_q(today) | silent_q(today)
    withdrawn = withdrawn_q()
    return {
        "is_withdrawn": _flag(withdrawn),
        "is_done": _flag(done_q()),
        "is_done_late": _flag(done_q() & Q(completed_late_days__isnull=False)),
        "is_waiting": _flag(waiting_q()),
        "is_overdue": _flag(overdue_q(today), unless=withdrawn),
        "is_due_soon": _flag(due_soon_q(today), unless=withdrawn),
        "is_behind_pace": _flag(behind_pace_q(today), unless=withdrawn),
        "is_silent": _flag(silent_q(today), unless=withdrawn),
        "days_overdue": days_overdue(today),
        "expected_percent": expected_percent(today),
        "light_rank": Case(
            When(withdrawn, then=None),
            When(done_q(), then=Value(RANK[Light.DONE])),
            When(overdue_q(today), then=Value(RANK[Light.RED])),
            When(yellow, then=Value(RANK[Light.YELLOW])),
            default=Value(RANK[Light.GREEN]),
            output_field=IntegerField(),
        ),
    }


def light_q(light, today):
    """The rows of one light, as light_rank's CASE assigns them, written as the cheapest
    condition that says the same: red is overdue work (withdrawn work has no light), done is
    signed off — neither needs the yellow tests the CASE evaluates for every row (a list
    filtered by its light checks each of tens of thousands of rows). Yellow and green go
    through the rank."""
    if light == Light.RED:
        # In the terms of the overdue list's index (Assignment.Meta: assignment_overdue).
        return Q(tracked=True) & overdue_q(today)
    if light == Light.DONE:
        return Q(tracked=True) & done_q()
    return Q(light_rank=RANK[Light(light)])


def light_of_rank(rank_field, *otherwise):
    """A CASE turning an annotated light rank back into the light; `otherwise` are further
    WHENs for rows without a rank; NULL when none applies."""
    whens = [
        When(Q(**{rank_field: r}), then=Value(light.value)) for r, light in LIGHT_OF_RANK.items()
    ]
    return Case(*whens, *otherwise, default=None, output_field=CharField())


# --- what the body is expected to do next ------------------------------------------------


@dataclass(frozen=True)
class Step:
    kind: str  # returned | requested | lead_review | extension | report | reminder | milestone
    label: str | Promise  # translated when shown


def next_steps(assignment, state):
    """What 我的任务 tells the body to do next, most pressing first.

    Reads only stored fields, the State and annotations: `extension_pending`
    (AssignmentQuerySet.for_my_work) and `open_reminders`, the reminders that arrived since
    the body last reported or an extension was approved, with the latest one's
    `reminder_reply_by` (with_open_reminders); absent means none.
    """
    steps = []
    if assignment.signoff == SignOff.RETURNED:
        steps.append(Step("returned", _("销号申请被退回：请按意见补充后重新填报")))
    elif assignment.signoff == SignOff.LEAD_REVIEW:
        steps.append(Step("lead_review", _("已申请销号，等待牵头单位初审")))
    elif assignment.signoff == SignOff.REQUESTED:
        steps.append(Step("requested", _("已申请销号，等待督查审核")))
    if getattr(assignment, "extension_pending", False):
        steps.append(Step("extension", _("延期申请待审批")))
    if getattr(assignment, "open_reminders", 0):
        reply_by = getattr(assignment, "reminder_reply_by", None)
        day = {"day": reply_by.isoformat()} if reply_by is not None else None
        label: str | Promise
        # A 督办函 names the day the body replies by: say that day, not "soon".
        if day and getattr(assignment, "reminder_acknowledged", False):
            label = _("督办函要求 %(day)s 前填报进展") % day
        elif day:
            label = _("收到督办函，请于 %(day)s 前签收并填报进展") % day
        else:
            label = _("收到催办，请尽快填报")
        steps.append(Step("reminder", label))
    if state.missed_milestone is not None and not state.done:
        steps.append(
            Step(
                "milestone",
                _("阶段性目标（%(day)s）未完成：请抓紧推进，完成后在填报中勾选")
                % {"day": state.missed_milestone.isoformat()},
            )
        )
    if not state.done and not state.waiting and state.next_report_due is None:
        steps.append(Step("report", _("跟踪起始未定：首次填报时间待管理员设定，可随时填报进展")))
    elif not state.done and not state.waiting:
        day = state.next_report_due.isoformat()
        if state.silent and not state.reported:
            label = ngettext(
                "首次填报已逾期 %(n)s 天（应于 %(day)s 前填报），请尽快填报进展",
                "首次填报已逾期 %(n)s 天（应于 %(day)s 前填报），请尽快填报进展",
                state.report_days_late,
            ) % {"n": state.report_days_late, "day": day}
        elif state.silent:
            label = ngettext(
                "本期填报已逾期 %(n)s 天（应于 %(day)s 前填报），请尽快填报进展",
                "本期填报已逾期 %(n)s 天（应于 %(day)s 前填报），请尽快填报进展",
                state.report_days_late,
            ) % {"n": state.report_days_late, "day": day}
        else:
            label = _("下次填报截至 %(day)s") % {"day": day}
        steps.append(Step("report", label))
    return steps


def task_light(task, lights, today):
    """A task's light from the lights of its active assignments (see the module docstring):
    none for a withdrawn task or one of an archived plan; the worst of the lights; red for a
    task nobody answers for once its deadline has passed. `TaskQuerySet.with_light()` is the
    same in SQL."""
    if task.withdrawn or task.plan.archived_at is not None:
        return None
    lights = [light for light in lights if light is not None]
    if not lights:
        return Light.RED if task.deadline and task.deadline < today else None
    return worst(lights)


# --- a task's progress from its assignments ---------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """How far a task has come, derived from its active assignments, and how.

    The units are the assignments the task was broken down into (role 分解落实, one per
    county) when there are any — each answers for its own share, so the lead and supporting
    bodies are not counted again; otherwise every assignment of the task and its measures.
    The percent is the plain mean of the units' current percents (equal weights), rounded
    half up; a unit counts as done once signed off.
    """

    units: int
    done: int
    average: int | None
    unit_word: str  # counties | bodies | assignments: what the units are called
    breakdown: bool  # the units are the breakdown (分解落实), not every assignment

    @property
    def summary(self):
        if not self.units:
            return _("尚无责任分工")
        words = {
            "counties": _("%(n)s 个县（市、区）中 %(k)s 个已销号，平均 %(p)s%%"),
            "bodies": _("%(n)s 个责任单位中 %(k)s 个已销号，平均 %(p)s%%"),
            "assignments": _("%(n)s 项责任分工中 %(k)s 项已销号，平均 %(p)s%%"),
        }
        return words[self.unit_word] % {"n": self.units, "k": self.done, "p": self.average}

    @property
    def explanation(self):
        if not self.breakdown:
            return _("按本任务及其具体措施的全部责任分工计算：各分工最新填报的完成百分比简单平均。")
        return _(
            "按分解落实到各单位的责任分工计算：各单位最新填报的完成百分比简单平均，"
            "牵头、配合单位不重复计入。"
        )


def rollup(assignments):
    """The Rollup of a task from its active assignments (objects with role, percent,
    signoff and body)."""
    assignments = list(assignments)
    units = [a for a in assignments if a.role == "responsible"] or assignments
    if not units:
        return Rollup(0, 0, None, "assignments", False)
    total = sum(a.percent for a in units)
    average = (2 * total + len(units)) // (2 * len(units))
    done = sum(1 for a in units if a.signoff == SignOff.SIGNED_OFF)
    word = "assignments"
    if len({a.body_id for a in units}) == len(units):
        word = "counties" if all(a.body.kind == "county" for a in units) else "bodies"
    return Rollup(len(units), done, average, word, breakdown=units is not assignments)
