"""What managers (督查) read: counts per light, progress per category, the league table of
bodies, the county × task matrix, the bulletin (通报) and the rows of the list's exports;
and what every task page adds: the task's progress and light.

Every function here works on assignments already fetched with their states
(`AssignmentQuerySet.with_state(today)`), so a page costs the same few queries however big
the plan is. The states themselves come from tracker/states.py; nothing here re-decides
what overdue, behind pace, silent or withdrawn means.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Max, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker import states
from tracker.access import sees_whole_task, visible_assignments
from tracker.models import (
    DECIDED_BY_PERSON,
    Assignment,
    Body,
    ChangeRecord,
    Decision,
    ProgressStatus,
    Report,
    ReportedValue,
    Source,
    Target,
    TaskSummary,
    label_bodies,
)
from tracker.services import documents, timeline

LIGHTS = [states.Light.RED, states.Light.YELLOW, states.Light.GREEN, states.Light.DONE]
FLAG_FIELDS = ["is_overdue", "is_due_soon", "is_behind_pace", "is_silent"]


# The flags of a StateRow, one bit each, in this order (state_rows).
STATE_BITS = ["is_overdue", "is_due_soon", "is_behind_pace", "is_silent", "is_done", "is_done_late"]


@dataclass(slots=True)
class StateRow:
    """An assignment as the dashboard counts it: its states and the few fields the counts,
    the roll-ups and the league need, read as plain values (state_rows) — not a model
    instance with its joins, so that all of a province's work is counted in one pass. The
    flags come as the bits of one integer and the due date as a day number: tens of
    thousands of rows are read without converting a value of each (a boolean, a date) one
    by one."""

    pk: int
    task_id: int
    plan_id: int
    body_id: int
    role: str
    percent: int
    signoff: str
    light_rank: int | None
    bits: int
    due_day: int | None
    body: Any = None

    @property
    def light(self):
        return None if self.light_rank is None else states.LIGHT_OF_RANK[self.light_rank]

    @property
    def due(self):
        return None if self.due_day is None else states.EPOCH + dt.timedelta(days=self.due_day)

    @property
    def is_overdue(self):
        return bool(self.bits & 1)

    @property
    def is_due_soon(self):
        return bool(self.bits & 2)

    @property
    def is_behind_pace(self):
        return bool(self.bits & 4)

    @property
    def is_silent(self):
        return bool(self.bits & 8)

    @property
    def is_done(self):
        return bool(self.bits & 16)

    @property
    def is_done_late(self):
        return bool(self.bits & 32)


STATE_ROW_FIELDS = [
    "pk",
    "task_id",
    "task__plan_id",
    "body_id",
    "role",
    "percent",
    "signoff",
    "light_rank",
    "state_bits",
    "due_day",
]


def state_rows(queryset):
    """StateRows of a queryset of assignments with their states (with_state), in one query
    of plain values, and one for their bodies."""
    bits = sum(
        (Cast(F(flag), IntegerField()) * Value(1 << i) for i, flag in enumerate(STATE_BITS)),
        start=Value(0),
    )
    values = (
        queryset.order_by()
        .annotate(state_bits=bits, due_day=states.DayNumber(F("due")))
        .values_list(*STATE_ROW_FIELDS)
    )
    rows = [StateRow(*v) for v in values]
    bodies = Body.objects.in_bulk({r.body_id for r in rows})
    for r in rows:
        r.body = bodies[r.body_id]
    return rows


# What state_totals() sums per body and light, from the flags of with_state().
TOTAL_FLAGS = {
    "overdue": "is_overdue",
    "due_soon": "is_due_soon",
    "behind_pace": "is_behind_pace",
    "silent": "is_silent",
    "done": "is_done",
    "done_late": "is_done_late",
}


def state_totals(queryset):
    """For a queryset of active assignments with their states (with_state): per body and
    light, how many assignments, how many have each flag, and the latest report — counted
    by the database in one pass (GROUP BY), a few hundred rows however many assignments.
    The dashboard's counts (light_counts) and league (league) are made of them."""
    # Grouped by the flags themselves, each computed once a row, and the light of each
    # group taken from its flags here (as State.light does): grouping by the light's rank
    # and summing the flags had the database work out every rule twice for every row.
    flags = ["is_withdrawn", *TOTAL_FLAGS.values()]
    groups = (
        queryset.order_by()
        .values("body_id", *flags)
        .annotate(n=Count("pk"), last_report=Max("last_reported_at"))
    )
    totals: dict[tuple, dict] = {}
    for g in groups:
        if g["is_withdrawn"]:
            rank = None
        elif g["is_done"]:
            rank = states.RANK[states.Light.DONE]
        elif g["is_overdue"]:
            rank = states.RANK[states.Light.RED]
        elif g["is_due_soon"] or g["is_behind_pace"] or g["is_silent"]:
            rank = states.RANK[states.Light.YELLOW]
        else:
            rank = states.RANK[states.Light.GREEN]
        t = totals.setdefault(
            (g["body_id"], rank),
            {"body_id": g["body_id"], "light_rank": rank, "n": 0, "last_report": None}
            | dict.fromkeys(TOTAL_FLAGS, 0),
        )
        t["n"] += g["n"]
        if g["last_report"] is not None and (
            t["last_report"] is None or g["last_report"] > t["last_report"]
        ):
            t["last_report"] = g["last_report"]
        for key, flag in TOTAL_FLAGS.items():
            if g[flag]:
                t[key] += g["n"]
    return list(totals.values())


def light_counts(rows):
    """{"red": n, "yellow": n, "green": n, "done": n, "overdue": n, "due_soon": n, …}."""
    counts = dict.fromkeys([*LIGHTS, "overdue", "due_soon", "behind_pace", "silent"], 0)
    for a in rows:
        counts[a.light] += 1
        for flag in FLAG_FIELDS:
            if getattr(a, flag):
                counts[flag.removeprefix("is_")] += 1
    counts["total"] = len(rows)
    return counts


def light_counts_of(totals):
    """light_counts() from state_totals()."""
    counts = dict.fromkeys([*LIGHTS, "overdue", "due_soon", "behind_pace", "silent"], 0)
    for t in totals:
        counts[states.LIGHT_OF_RANK[t["light_rank"]]] += t["n"]
        for flag in FLAG_FIELDS:
            key = flag.removeprefix("is_")
            counts[key] += t[key] or 0
    counts["total"] = sum(t["n"] for t in totals)
    return counts


# --- progress per category ------------------------------------------------------------------


@dataclass
class CategoryProgress:
    category: Any  # a Category, or None for a plan's tasks without one
    plan: Any = None  # the plan whose tasks these are
    tasks: int = 0
    lights: dict = field(default_factory=lambda: dict.fromkeys(LIGHTS, 0))
    averages: list = field(default_factory=list)

    @property
    def average(self):
        """The plain mean of the tasks' own progress (states.rollup), rounded half up."""
        if not self.averages:
            return None
        n = len(self.averages)
        return (2 * sum(self.averages) + n) // (2 * n)


def category_progress(tasks, rows, today):
    """One CategoryProgress per category, in the plan's order: how many tasks, the tasks'
    lights, and the mean of the tasks' progress as each task page derives it."""
    by_task = defaultdict(list)
    for a in rows:
        by_task[a.task_id].append(a)
    # By plan too: the tasks without a category are each plan's own, not one row of all.
    groups: dict[tuple[int, int | None], CategoryProgress] = {}
    for task in tasks:
        group = groups.setdefault(
            (task.plan_id, task.category_id), CategoryProgress(task.category, task.plan)
        )
        group.tasks += 1
        assignments = by_task.get(task.pk, [])
        light = states.task_light(task, (a.light for a in assignments), today)
        if light is not None:
            group.lights[light] += 1
        rollup = states.rollup(assignments)
        if rollup.average is not None:
            group.averages.append(rollup.average)
    return list(groups.values())


def task_progress(user, task, assignments, today):
    """What the task page adds: the roll-up and the light of the task from its active
    assignments, which assignments the user may open, the timeline they may see, and the
    lead body's summaries (汇总报送).

    Body staff whose body does not lead the task see the other bodies' names and roles,
    not their dates, lights, sign-off or progress — so neither the roll-up nor the task's
    light, which are made of them (`whole_task` False); their own body's state they see on
    its assignments. `assignments` are all the task's assignments, with their states."""
    archived = task.plan.is_archived
    # An archived plan's work is no longer tracked (withdrawn, in the states), but its record
    # stands: the roll-up is of its work as it was archived, without a light.
    active = [a for a in assignments if not a.is_withdrawn or (archived and not a.out_of_plan)]
    visible = set(visible_assignments(user).filter(task=task).values_list("pk", flat=True))
    whole = sees_whole_task(user, task)
    summaries = []
    if whole:
        summaries = list(
            TaskSummary.objects.filter(task=task)
            .select_related("author", "body")
            .order_by("-created_at", "-pk")
        )
    return {
        "whole_task": whole,
        "rollup": states.rollup(active) if whole else None,
        "task_light": states.task_light(task, (a.light for a in active), today)
        if whole and not archived
        else None,
        "visible_ids": visible,
        "timeline": timeline.for_task(task, visible),
        "summaries": summaries,
    }


# --- the league table of bodies -------------------------------------------------------------


@dataclass
class BodyLine:
    body: Any
    assignments: int = 0
    overdue: int = 0
    behind_pace: int = 0
    silent: int = 0
    due_soon: int = 0
    done: int = 0
    done_late: int = 0
    last_report: dt.datetime | None = None  # the latest report, if any
    rank: int = 0

    @property
    def sort_key(self):
        # Worst first: most overdue, then behind pace, then silent, then due soon; of equals,
        # the one that reported longest ago (or never) first.
        last = self.last_report.timestamp() if self.last_report else float("-inf")
        return (
            -self.overdue,
            -self.behind_pace,
            -self.silent,
            -self.due_soon,
            -self.done_late,
            last,
        )


def league(totals):
    """Every body with active work, ranked worst first (the basis of a 通报): by overdue,
    behind pace, silent, due soon, then completed late (逾期完成). Bodies that are equally bad
    share a rank. From state_totals()."""
    bodies = Body.objects.in_bulk({t["body_id"] for t in totals})
    label_bodies(bodies.values())
    lines: dict[int, BodyLine] = {}
    for t in totals:
        line = lines.get(t["body_id"])
        if line is None:
            line = lines[t["body_id"]] = BodyLine(bodies[t["body_id"]])
        line.assignments += t["n"]
        for key in ("overdue", "behind_pace", "silent", "due_soon", "done", "done_late"):
            setattr(line, key, getattr(line, key) + (t[key] or 0))
        latest = t["last_report"]
        if latest and (not line.last_report or latest > line.last_report):
            line.last_report = latest
    ranked = sorted(lines.values(), key=lambda line: (line.sort_key, line.body.name))
    previous = None
    for position, line in enumerate(ranked, start=1):
        key = line.sort_key[:5]
        line.rank = position if key != previous else ranked[position - 2].rank
        previous = key
    return ranked


# --- the county × task matrix ----------------------------------------------------------------


@dataclass
class MatrixRow:
    task: object
    measure: object  # None when the task itself is broken down
    cells: list  # one assignment (or None) per column
    light: object = None  # the worst light of the row's cells


@dataclass
class Matrix:
    plan: object
    counties: list
    rows: list
    red_per_county: list


def matrices(rows):
    """One Matrix per plan: a row for each task or measure broken down to the counties (the
    counties' shares, states.county_share_q), a column per county, each cell the county's
    assignment."""
    by_plan = defaultdict(list)
    for a in rows:
        if a.is_county_share:
            by_plan[a.task.plan_id].append(a)
    result = []
    # Plans by the reading of their titles (Plan.pinyin), as every list of plans.
    for assignments in sorted(by_plan.values(), key=lambda v: (v[0].task.plan.pinyin, v[0].pk)):
        counties = sorted({a.body_id: a.body for a in assignments}.values(), key=_body_order)
        column = {body.pk: i for i, body in enumerate(counties)}
        lines: dict[tuple[int, int], MatrixRow] = {}
        for a in assignments:
            key = (a.task.number, a.measure.number if a.measure_id else 0)
            line = lines.get(key)
            if line is None:
                line = lines[key] = MatrixRow(a.task, a.measure, [None] * len(counties))
            line.cells[column[a.body_id]] = a
        ordered = [lines[key] for key in sorted(lines)]
        for line in ordered:
            line.light = states.worst(a.light for a in line.cells if a is not None)
        red = [sum(1 for line in ordered if _is_red(line.cells[i])) for i in range(len(counties))]
        result.append(Matrix(assignments[0].task.plan, counties, ordered, red))
    return result


def _body_order(body):
    # Assignment.BODY_ORDER, for bodies already in memory.
    return (body.jurisdiction, body.kind, body.position, body.pinyin)


def _is_red(cell):
    return cell is not None and cell.light == states.Light.RED


# --- the bulletin (通报) ---------------------------------------------------------------------
# Its figures are computed once, here (bulletin_figures), and kept as JSON: the page, the Word
# document and an issued bulletin's snapshot (Bulletin.figures) all come from them, and all
# three read them through bulletin_outline, so they say the same.

BULLETIN_VERSION = 1
NUMERALS = "零一二三四五六七八九"


def chinese_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1–99, as the numbers of sections are)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens] + "十")
    return head + (NUMERALS[ones] if ones else "")


def _iso(day):
    return day.isoformat() if day else None


# What a bulletin reads of each assignment (bulletin_rows): BulletinRow's fields, in order.
BULLETIN_VALUES = (
    "pk",
    "body_id",
    "task__plan__title",
    "task__plan__pinyin",
    "task__number",
    "task__title",
    "measure_id",
    "measure__number",
    "measure__text",
    "role",
    "due",
    "due_date",
    "measure__deadline",
    "measure__ongoing",
    "task__ongoing",
    "days_overdue",
    "percent",
    "expected_percent",
    "status",
    "last_reported_at",
    "progress_as_of",
    "signed_off_at",
    "completed_late_days",
    "signoff",
    "light",
    "is_withdrawn",
    "is_done",
    "is_done_late",
    "is_waiting",
    "is_overdue",
    "is_due_soon",
    "is_behind_pace",
    "is_silent",
    "missed_milestone",
    "next_report_on",
)


@dataclass(slots=True)
class BulletinRow:
    """An assignment as a bulletin reads it, with its states for the bulletin's day: plain
    values (bulletin_rows), not a model instance with its joined task, plan, category,
    measure and body — a bulletin of all plans reads all of a province's ~30,000
    assignments, and as model instances they took ~200 MB of a worker's memory."""

    pk: int
    body_id: int
    plan_title: str
    plan_pinyin: str
    task_number: int
    task_title: str
    measure_id: int | None
    measure_number: int | None
    measure_text: str | None
    role: str
    due: dt.date | None
    due_date: dt.date | None
    measure_deadline: dt.date | None
    measure_ongoing: bool | None
    task_ongoing: bool
    days_overdue: int | None
    percent: int
    expected_percent: int | None
    status: str
    last_reported_at: dt.datetime | None
    progress_as_of: dt.date | None
    signed_off_at: dt.datetime | None
    completed_late_days: int | None
    signoff: str
    light: str | None
    is_withdrawn: bool
    is_done: bool
    is_done_late: bool
    is_waiting: bool
    is_overdue: bool
    is_due_soon: bool
    is_behind_pace: bool
    is_silent: bool
    missed_milestone: dt.date | None
    next_report_on: dt.date | None
    body: Any = None
    # Set by bulletin_rows when an approved extension set the due date (_extensions).
    extensions: int = 0
    extended_from: dt.date | None = None

    @property
    def is_ongoing(self):
        """Assignment.is_ongoing, from the values."""
        if self.due_date:
            return False
        if self.measure_id is not None and (self.measure_deadline or self.measure_ongoing):
            return self.measure_ongoing
        return self.task_ongoing


def bulletin_rows(queryset):
    """BulletinRows of a queryset of assignments with their states (with_state(day)): one
    query of plain values, and one for their bodies (a few dozen, shared by the rows)."""
    values = queryset.values_list(*BULLETIN_VALUES).iterator(chunk_size=2000)
    rows = [BulletinRow(*v) for v in values]
    bodies = Body.objects.in_bulk({r.body_id for r in rows})
    extended = _extensions({r.pk for r in rows if r.due_date is not None})
    for r in rows:
        r.body = bodies[r.body_id]
        if r.pk in extended:
            r.extensions, r.extended_from = extended[r.pk]
    return rows


def _extensions(own_dates):
    """{assignment pk: (approved extensions, the due date before the first)} for those of
    `own_dates` (pks of assignments with a date of their own) whose date an approved
    extension set last -- not an administrator after it -- so a bulletin says the date was
    extended and from when. Two queries over the few dates people moved (the change records
    of due dates, the approvals), read whole rather than by a list of ids: a bulletin of all
    plans covers some 30,000 assignments."""
    if not own_dates:
        return {}
    latest_via = dict(
        ChangeRecord.objects.filter(field="due_date", assignment__isnull=False)
        .order_by("created_at", "pk")
        .values_list("assignment_id", "via")
    )
    ids = {pk for pk, via in latest_via.items() if via == ChangeRecord.Via.EXTENSION}
    ids &= own_dates
    if not ids:
        return {}
    extended: dict[int, tuple[int, dt.date | None]] = {}
    approvals = (
        Decision.objects.filter(kind=Decision.Kind.APPROVED, assignment__in=ids)
        .order_by("created_at", "pk")
        .values_list("assignment_id", "extension__old_due")
    )
    for pk, old_due in approvals:
        times, first = extended.get(pk, (0, old_due))
        extended[pk] = (times + 1, first)
    return extended


def _bulletin_item(a, day):
    state = states.State.of_row(a, day)
    return {
        "assignment": a.pk,
        "body": a.body.name,
        "body_id": a.body_id,
        "plan": a.plan_title,
        "task": a.task_number,
        "task_title": a.task_title,
        "measure": a.measure_number if a.measure_id else None,
        "measure_text": a.measure_text if a.measure_id else "",
        "role": a.role,
        "due": _iso(a.due),
        # An approved extension set `due`: how many, and the date before the first.
        "extensions": a.extensions,
        "extended_from": _iso(a.extended_from),
        "ongoing": a.is_ongoing,
        "days_overdue": a.days_overdue,
        "percent": a.percent,
        "expected_percent": a.expected_percent,
        "status": a.status,
        "last_report": _iso(states.local_day(a.last_reported_at)),
        "progress_as_of": _iso(a.progress_as_of),
        "signed_off": _iso(states.local_day(a.signed_off_at)),
        "completed_late_days": a.completed_late_days,
        "signoff": a.signoff,
        "report_due": _iso(state.next_report_due),
        "report_days_late": states.days_late(state.next_report_due, day) if a.is_silent else None,
    }


def _plan_order(a):
    return (a.plan_pinyin, a.plan_title, a.task_number, a.measure_number or 0, a.pk)


def _by_body(rows, day, *, worst=lambda items: (), item_order=_plan_order):
    """Groups of one body each, the body with most items first (then by `worst` of its
    items, then in the bodies' customary order), each body's items in `item_order`."""
    by_body = defaultdict(list)
    for a in rows:
        by_body[a.body_id].append(a)
    groups = sorted(
        by_body.values(),
        key=lambda items: (-len(items), *worst(items), _body_order(items[0].body)),
    )
    return [
        {
            "body": items[0].body.name,
            "body_id": items[0].body_id,
            "items": [_bulletin_item(a, day) for a in sorted(items, key=item_order)],
        }
        for items in groups
    ]


def bulletin_figures(rows, day, plan=None):
    """The figures of a 通报 as of `day`, from `rows`: the active assignments it covers with
    their states for that day, as BulletinRows (bulletin_rows of with_state(day)).

    Plain JSON — numbers, names and ISO dates — so that an issued bulletin keeps them exactly
    as they were (Bulletin.figures). `counts` are the dashboard's counts per light
    (light_counts); the sections, in the order the bulletin has them, are:

    - praise (表扬): signed off on time, and ahead of pace (states.done_on_time,
      states.ahead_of_pace), each body's in the bodies' customary order;
    - behind (滞后): behind pace, neither overdue nor waiting for a sign-off decision;
    - overdue (逾期): overdue and not waiting, the body with most items first (then the most
      days in all), each body's longest overdue first;
    - silent (未按时填报): no report within the reporting period, the longest late first;
    - waiting (待审核销号): reported complete, waiting for the lead body's review (牵头单位初审)
      or the managers' decision (states: waiting);
    - late (逾期完成): signed off, recorded as completed after its due date
      (Assignment.completed_late_days), the latest first.

    Each section has its `count` and its `groups` (praise: on_time and ahead; the others:
    one per body); `bodies` are the ids of every body a section names (who may read the
    issued bulletin)."""
    waiting = [a for a in rows if a.is_waiting]
    overdue = [a for a in rows if a.is_overdue and not a.is_waiting]
    behind = [a for a in rows if a.is_behind_pace and not a.is_overdue and not a.is_waiting]
    silent = [a for a in rows if a.is_silent]
    late = sorted(
        (a for a in rows if a.is_done_late),
        key=lambda a: (-(a.completed_late_days or 0), _body_order(a.body), *_plan_order(a)),
    )
    on_time = sorted(
        (a for a in rows if states.done_on_time(a)),
        key=lambda a: (_body_order(a.body), *_plan_order(a)),
    )
    ahead = sorted(
        (a for a in rows if states.ahead_of_pace(a)),
        key=lambda a: (_body_order(a.body), *_plan_order(a)),
    )
    sections = [
        {
            "key": "praise",
            "count": len(on_time) + len(ahead),
            "groups": [
                {"key": "on_time", "items": [_bulletin_item(a, day) for a in on_time]},
                {"key": "ahead", "items": [_bulletin_item(a, day) for a in ahead]},
            ],
        },
        {"key": "behind", "count": len(behind), "groups": _by_body(behind, day)},
        {
            "key": "overdue",
            "count": len(overdue),
            "groups": _by_body(
                overdue,
                day,
                worst=lambda items: (-sum(a.days_overdue or 0 for a in items),),
                item_order=lambda a: (-(a.days_overdue or 0), *_plan_order(a)),
            ),
        },
        {
            "key": "silent",
            "count": len(silent),
            "groups": _by_body(
                silent,
                day,
                item_order=lambda a: (states.State.of_row(a, day).next_report_due, *_plan_order(a)),
            ),
        },
        {"key": "waiting", "count": len(waiting), "groups": _by_body(waiting, day)},
        {
            "key": "late",
            "count": len(late),
            "groups": [{"key": "late", "items": [_bulletin_item(a, day) for a in late]}],
        },
    ]
    named = sorted({item["body_id"] for s in sections for g in s["groups"] for item in g["items"]})
    return {
        "version": BULLETIN_VERSION,
        "day": day.isoformat(),
        "plan": {"slug": plan.slug, "title": plan.title} if plan is not None else None,
        "counts": light_counts(rows),
        "bodies_overdue": len({a.body_id for a in overdue}),
        "sections": sections,
        "bodies": named,
    }


def bulletin_title(plan_title):
    """关于《…》落实情况的通报, or for all plans 关于实施方案落实情况的通报."""
    if plan_title:
        return _("关于《%(t)s》落实情况的通报") % {"t": plan_title}
    return _("关于实施方案落实情况的通报")


def bulletin_opening(plan_title, day):
    """The opening paragraph a manager starts from."""
    subject = _("《%(t)s》") % {"t": plan_title} if plan_title else _("各实施方案")
    return _("为推动%(subject)s各项任务落实落地，现将截至%(day)s的落实情况通报如下。") % {
        "subject": subject,
        "day": documents.office_date(day),
    }


def bulletin_requirements():
    """下一步要求 as a manager starts from: three points, each a line."""
    return "\n".join(
        [
            _(
                "（一）加快推进逾期事项。逾期单位要认真分析原因，明确整改措施和完成时限，"
                "尽快完成并报送佐证材料。"
            ),
            _(
                "（二）按时报送工作进展。各责任单位要按照填报周期如实报送进展情况，"
                "进度滞后的要制定赶进度措施。"
            ),
            _(
                "（三）及时申请和审核销号。已完成的事项要及时申请销号，"
                "牵头单位和督查人员要及时审核。"
            ),
        ]
    )


ROLE_NOTES = {"lead": gettext_lazy("（牵头）"), "support": gettext_lazy("（配合）")}


_STRAIGHT_QUOTED = re.compile(r'"([^"]*)"')


def _inner(text):
    """Quotation marks inside quotation marks become single ones, as Chinese writes them:
    “推进‘快递进厂’”. Texts read from web pages and newspapers often have straight quotes
    ("快递进厂", as the Liaocheng seed does): a pair of them is taken the same way."""
    text = _STRAIGHT_QUOTED.sub(r"‘\1’", text)
    return text.replace("“", "‘").replace("”", "’")


def _item_ref(item, all_plans):
    """任务1“推进快递园区建设”措施2.1“…”（牵头）: the work an item is about."""
    text = ""
    if all_plans:
        text += _("《%(t)s》") % {"t": item["plan"]}
    text += _("任务%(n)s“%(t)s”") % {"n": item["task"], "t": _inner(item["task_title"])}
    if item["measure"] is not None:
        words = item["measure_text"].rstrip("。；;.")
        if len(words) > 30:
            words = words[:29] + "…"
        text += _("措施%(n)s.%(m)s“%(t)s”") % {
            "n": item["task"],
            "m": item["measure"],
            "t": _inner(words),
        }
    note = ROLE_NOTES.get(item["role"])
    return text + (str(note) if note else "")


def _due_words(item):
    if item["due"]:
        words = _("完成时限%(d)s") % {"d": documents.office_date(item["due"])}
        return words + _extension_words(item)
    return _("长期坚持") if item["ongoing"] else _("无明确时限")


def _extension_words(item):
    """（经批准延期，原定2026年11月30日）after a date an approved extension set: a bulletin
    shows the managers' decision as such, not as the plan's deadline. Figures kept before
    bulletins said so have no `extensions`: nothing is added to them."""
    times = item.get("extensions") or 0
    if not times:
        return ""
    original = item.get("extended_from")
    # Chinese says a count the same for one and many: "once" needs its own words, not a plural.
    if original is None:
        if times == 1:
            return _("（经批准延期，原无明确时限）")
        return _("（经批准延期%(n)s次，原无明确时限）") % {"n": times}
    if times == 1:
        return _("（经批准延期，原定%(d)s）") % {"d": documents.office_date(original)}
    return _("（经批准延期%(n)s次，原定%(d)s）") % {
        "n": times,
        "d": documents.office_date(original),
    }


def _last_report_words(item):
    if item["last_report"]:
        return _("最近填报%(d)s") % {"d": documents.office_date(item["last_report"])}
    return _("尚未填报进展")


def _item_sentence(key, item, all_plans, *, with_body):
    ref = _item_ref(item, all_plans)
    if with_body:
        ref = _("%(body)s：%(ref)s") % {"body": item["body"], "ref": ref}
    if key == "on_time":
        rest = _("%(due)s，%(day)s销号") % {
            "due": _due_words(item),
            "day": documents.office_date(item["signed_off"]),
        }
    elif key == "ahead":
        rest = _("进度%(p)s%%，序时进度%(e)s%%，%(due)s") % {
            "p": item["percent"],
            "e": item["expected_percent"],
            "due": _due_words(item),
        }
    elif key == "late":
        rest = ngettext(
            "%(due)s，逾期%(n)s天完成，%(day)s销号",
            "%(due)s，逾期%(n)s天完成，%(day)s销号",
            item["completed_late_days"] or 0,
        ) % {
            "due": _due_words(item),
            "n": item["completed_late_days"],
            "day": documents.office_date(item["signed_off"]),
        }
    elif key == "behind":
        rest = _("进度%(p)s%%，低于序时进度%(e)s%%（相差%(gap)s个百分点），%(due)s") % {
            "p": item["percent"],
            "e": item["expected_percent"],
            "gap": item["expected_percent"] - item["percent"],
            "due": _due_words(item),
        }
    elif key == "overdue":
        rest = ngettext(
            "%(due)s，已逾期%(n)s天，当前进度%(p)s%%，%(last)s",
            "%(due)s，已逾期%(n)s天，当前进度%(p)s%%，%(last)s",
            item["days_overdue"] or 0,
        ) % {
            "due": _due_words(item),
            "n": item["days_overdue"],
            "p": item["percent"],
            "last": _last_report_words(item),
        }
    elif key == "silent":
        rest = ngettext(
            "应于%(d)s前填报，已超过%(n)s天，%(last)s",
            "应于%(d)s前填报，已超过%(n)s天，%(last)s",
            item["report_days_late"] or 0,
        ) % {
            "d": documents.office_date(item["report_due"]),
            "n": item["report_days_late"],
            "last": _last_report_words(item),
        }
    else:  # waiting
        rest = _("%(d)s报告已完成，%(due)s，待审核销号") % {
            "d": documents.office_date(item["progress_as_of"] or item["last_report"]),
            "due": _due_words(item),
        }
        if item["days_overdue"]:
            rest += ngettext(
                "（已过完成时限%(n)s天）", "（已过完成时限%(n)s天）", item["days_overdue"]
            ) % {"n": item["days_overdue"]}
    return f"{ref}，{rest}。"


def _summary(figures):
    counts = figures["counts"]
    sections = {s["key"]: s for s in figures["sections"]}
    plan = figures["plan"]
    scope = _("《%(t)s》") % {"t": plan["title"]} if plan else _("各实施方案")
    text = _(
        "截至%(day)s，%(scope)s共有责任分工%(total)s项。其中，已销号%(done)s项，"
        "红灯（逾期）%(red)s项，黄灯（临期、滞后于序时进度或未按时填报）%(yellow)s项，"
        "绿灯%(green)s项；逾期未完成%(overdue)s项，涉及%(bodies)s个责任单位；"
        "滞后于序时进度%(behind)s项；未按时填报%(silent)s项；已报完成待审核销号%(waiting)s项。"
    ) % {
        "day": documents.office_date(figures["day"]),
        "scope": scope,
        "total": counts["total"],
        "done": counts["done"],
        "red": counts["red"],
        "yellow": counts["yellow"],
        "green": counts["green"],
        "overdue": sections["overdue"]["count"],
        "bodies": figures["bodies_overdue"],
        "behind": sections["behind"]["count"],
        "silent": sections["silent"]["count"],
        "waiting": sections["waiting"]["count"],
    }
    late = sections.get("late", {}).get("count", 0)
    if late:
        text += ngettext("已销号事项中逾期完成%(n)s项。", "已销号事项中逾期完成%(n)s项。", late) % {
            "n": late
        }
    return text


def _section_words(day):
    """Per section: its heading, the sentence before its list, and what it says when empty."""
    points = states.behind_pace_points()
    when = {"d": documents.office_date(day)}
    return {
        "praise": (
            _("表扬"),
            _("以下事项按时完成销号或进度快于序时进度，予以表扬。"),
            _("截至%(d)s，暂无按时完成销号或进度快于序时进度的事项。") % when,
        ),
        "behind": (
            _("滞后于序时进度"),
            # The dashboard counts every item behind pace; here those overdue or waiting
            # for sign-off are in their own sections, and the sentence says so.
            _(
                "以下事项完成进度低于序时进度%(n)s个百分点以上，请抓紧推进"
                "（已逾期或已报完成待审核销号的事项分别列入相应部分）。"
            )
            % {"n": points},
            _("截至%(d)s，没有进度滞后的事项。") % when,
        ),
        "overdue": (
            _("逾期未完成"),
            _("按逾期项数由多到少排列，同一单位按逾期天数由多到少排列。"),
            _("截至%(d)s，没有逾期未完成的事项。") % when,
        ),
        "silent": (
            _("未按时填报"),
            _("以下事项未在填报周期内报送进展。"),
            _("截至%(d)s，各项工作均按时填报了进展。") % when,
        ),
        "late": (
            _("逾期完成"),
            _("以下事项完成晚于完成时限，已销号。"),
            _("截至%(d)s，没有逾期完成的事项。") % when,
        ),
        "waiting": (
            _("待审核销号"),
            _("以下事项已报告完成，待审核销号。"),
            _("截至%(d)s，没有待审核销号的事项。") % when,
        ),
    }


GROUP_TITLES = {
    "on_time": gettext_lazy("按时完成并销号"),
    "ahead": gettext_lazy("进度快于序时进度"),
    "late": gettext_lazy("逾期完成并销号"),
}
LEADING_NUMBER = re.compile(
    r"^(?:(?P<h1>[一二三四五六七八九十]+、)|(?P<h2>（[一二三四五六七八九十]+）)|(?P<h3>\d+[.．]))"
)


def requirement_blocks(text):
    """下一步要求 as a manager wrote it: a paragraph per line; a line that starts with 一、
    （一） or 1. takes that level's face for its number and its first sentence (公文 style:
    "（一）加快推进逾期事项。" in 楷体, the rest in 仿宋)."""
    blocks = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        match = LEADING_NUMBER.match(line)
        if not match:
            blocks.append(documents.Block(0, text=line))
            continue
        level = 1 if match["h1"] else 2 if match["h2"] else 3
        number, rest = match.group(0), line[match.end() :]
        if level == 3:
            blocks.append(documents.Block(3, number=number, text=rest))
            continue
        head, stop, tail = rest.partition("。")
        heading = head + stop if stop else rest
        blocks.append(documents.Block(level, number=number, heading=heading, text=tail))
    return blocks


# On a page, a section of a bulletin lists at most this many times a group's limit of items.
SECTION_LIMIT = 3


def bulletin_outline(figures, *, opening="", requirements="", limit=None):
    """The body of a 通报 as paragraphs (documents.Block), numbered 一、（一）1. as official
    documents are, in the active language: the opening, 总体情况, the sections of the
    figures, 下一步要求. The page shows it and the Word document is made of it. With a
    `limit`, each group lists at most that many items and then says how many more there are
    (the pages: a bulletin of all plans names thousands; its Word document names them all);
    a section then lists at most SECTION_LIMIT times that many in all — the worst groups
    first, the groups after them by their heading and count only."""
    all_plans = figures["plan"] is None
    words = _section_words(figures["day"])
    blocks = [
        documents.Block(0, text=line.strip()) for line in opening.splitlines() if line.strip()
    ]
    number = 1
    blocks.append(documents.Block(1, number=f"{chinese_number(number)}、", heading=_("总体情况")))
    blocks.append(documents.Block(0, text=_summary(figures)))
    for section in figures["sections"]:
        if section["key"] == "late" and not section["count"]:
            continue  # 逾期完成 is named only when there is some
        number += 1
        heading, intro, empty = words[section["key"]]
        blocks.append(documents.Block(1, number=f"{chinese_number(number)}、", heading=heading))
        if not section["count"]:
            blocks.append(documents.Block(0, text=empty))
            continue
        blocks.append(documents.Block(0, text=intro))
        groups = [g for g in section["groups"] if g["items"]]
        budget = None if limit is None else limit * SECTION_LIMIT
        hidden = False
        for g, group in enumerate(groups, start=1):
            if "key" in group:
                title = str(GROUP_TITLES[group["key"]])
                with_body, key = True, group["key"]
            else:
                title = group["body"]
                with_body, key = False, section["key"]
            n = len(group["items"])
            blocks.append(
                documents.Block(
                    2,
                    number=f"（{chinese_number(g)}）",
                    heading=ngettext("%(t)s（%(n)s项）", "%(t)s（%(n)s项）", n)
                    % {"t": title, "n": n},
                )
            )
            items = group["items"]
            if budget is not None:
                items = items[: min(limit, budget)]
                budget -= len(items)
            for i, item in enumerate(items, start=1):
                sentence = _item_sentence(key, item, all_plans, with_body=with_body)
                blocks.append(documents.Block(3, number=f"{i}.", text=sentence))
            if not items:
                hidden = True
            elif len(items) < n:
                more = n - len(items)
                blocks.append(
                    documents.Block(
                        0,
                        text=ngettext(
                            "……另有%(n)s项，页面从略，完整名单见 Word 文档。",
                            "……另有%(n)s项，页面从略，完整名单见 Word 文档。",
                            more,
                        )
                        % {"n": more},
                    )
                )
        if hidden:
            blocks.append(
                documents.Block(0, text=_("……其余单位页面只列出项数，完整名单见 Word 文档。"))
            )
    number += 1
    blocks.append(documents.Block(1, number=f"{chinese_number(number)}、", heading=_("下一步要求")))
    blocks.extend(requirement_blocks(requirements))
    return blocks


# --- the list's export -----------------------------------------------------------------------

# (header, width in spreadsheet columns: a Chinese character takes two).
EXPORT_COLUMNS = [
    ("实施方案", 28),
    ("类别", 22),
    ("任务", 36),
    ("具体措施", 40),
    ("责任单位", 18),
    ("角色", 10),
    ("亮灯", 8),
    ("状态标记", 22),
    ("完成时限", 17),
    ("逾期天数", 10),
    ("进展状态", 10),
    ("完成百分比", 12),
    ("最近填报", 17),
    ("销号状态", 12),
    # Where the date and the body come from: the text (its words and place) or a person.
    ("时限来源", 34),
    ("责任单位来源", 30),
    ("最新进展", 60),
    ("责任人", 18),
    ("联系人", 12),
    ("联系电话", 20),
]
EXPORT_HEADERS = [header for header, _width in EXPORT_COLUMNS]
NARRATIVE_MAX = 500
EXPORT_CHUNK = 500  # rows fetched at a time


# What an export row is made of, fetched as plain values (export_rows), not model instances.
EXPORT_VALUES = (
    "task__plan__title",
    "task__category_id",
    "task__category__number",
    "task__category__title",
    "task__number",
    "task__title",
    "task__deadline",
    "task__ongoing",
    "task__deadline_source",
    "task__deadline_text",
    "task__deadline_ref",
    "task__deadline_reason",
    "measure_id",
    "measure__number",
    "measure__text",
    "measure__deadline",
    "measure__ongoing",
    "measure__deadline_source",
    "measure__deadline_text",
    "measure__deadline_ref",
    "measure__deadline_reason",
    "body__name",
    "body__leader",
    "body__contact_name",
    "body__contact_phone",
    "role",
    "origin",
    "origin_ref",
    "origin_line",
    "origin_reason",
    "due",
    "due_date",
    "due_text",
    "due_via",
    "due_reason",
    "light",
    "is_overdue",
    "is_due_soon",
    "is_behind_pace",
    "is_silent",
    "days_overdue",
    "status",
    "percent",
    "last_reported_at",
    "signoff",
    "latest_text",
)


def narrative(text):
    """The latest report's words for an export: at most NARRATIVE_MAX characters, the last
    one "…" when cut."""
    text = (text or "").strip()
    return text if len(text) <= NARRATIVE_MAX else text[: NARRATIVE_MAX - 1] + "…"


def _labels(choices):
    """The labels of a choice field's choices by value, as get_FOO_display() gives them."""
    return {choice.value: str(choice.label) for choice in choices}


class ExportWords:
    """The words of the list's export in the active language, translated once per export:
    at province scale (10,000 rows) translating each label again for each row (some twenty
    gettext calls a row, get_FOO_display() included) and making model instances of each row
    took most of an export's time."""

    def __init__(self):
        self.task = _("任务%(n)s：%(t)s")
        self.measure = _("措施 %(n)s.%(m)s：%(t)s")
        self.flags = (_("逾期"), _("临期"), _("滞后于序时进度"), _("未按时填报"))
        self.ongoing, self.no_due = _("长期坚持"), _("无明确时限")
        self.roles = _labels(Assignment.Role)
        self.statuses = _labels(ProgressStatus)
        self.signoffs = _labels(states.SignOff)
        self.lights = _labels(states.Light)
        self.decided = _("%(label)s（依据：%(reason)s）")
        self.by_admin, self.unstated = _("管理员确定"), _("未写明")
        self.decided_phrase = _("；原文：“%(phrase)s”")
        self.text = _("原文")
        self.extended = _("延期获批")

    def provenance(self, source, *, phrase="", ref="", reason="", label=None):
        """Where a value came from, in words, as the pages say it (_provenance.html):
        原文“到2024年年底”（第105行）, or 管理员确定（依据：…）."""
        if source in DECIDED_BY_PERSON or source == "person":
            text = self.decided % {
                "label": label or self.by_admin,
                # Dates in a reason as offices write them (2026年11月30日), as the cells are.
                "reason": documents.office_dates_in(reason) or self.unstated,
            }
            if phrase:
                text += self.decided_phrase % {"phrase": phrase}
            return text
        if not source:
            return ""
        text = self.text
        if phrase:
            text += f"“{phrase}”"
        if ref:
            text += f"（{ref}）"
        return text

    def due_provenance(self, v):
        """Where an assignment's due date comes from, in words (_due_provenance.html), from
        its EXPORT_VALUES: its measure's or its task's deadline (Assignment.deadline_from),
        else a date of its own that the text states or a person set
        (Assignment.own_due_by_person)."""
        from_measure = v["measure_id"] is not None and bool(
            v["measure__deadline"] or (v["measure__ongoing"] and not v["task__deadline"])
        )
        item = "measure__" if from_measure else "task__"
        if not v["due_date"]:
            source, phrase = v[item + "deadline_source"], v[item + "deadline_text"]
            if not (source or phrase):
                return ""
            return self.provenance(
                source or Source.TEXT,
                phrase=phrase,
                ref=v[item + "deadline_ref"],
                reason=v[item + "deadline_reason"],
            )
        via = v["due_via"]
        if v["due_text"] and via in (None, "import"):
            return self.provenance(Source.TEXT, phrase=v["due_text"], ref=_origin_place(v))
        label = self.extended if via == ChangeRecord.Via.EXTENSION else None
        # What the text said stays beside the person's date (Assignment.text_due_words).
        phrase = v["due_text"] or v[item + "deadline_text"]
        return self.provenance("person", reason=v["due_reason"] or "", label=label, phrase=phrase)

    def row(self, v):
        """One row of the export, in EXPORT_COLUMNS order, from an assignment's
        EXPORT_VALUES: real dates and numbers."""
        measure = ""
        if v["measure_id"] is not None:
            measure = self.measure % {
                "n": v["task__number"],
                "m": v["measure__number"],
                "t": v["measure__text"],
            }
        flags = (v["is_overdue"], v["is_due_soon"], v["is_behind_pace"], v["is_silent"])
        return [
            v["task__plan__title"],
            # As Category.__str__ says it.
            f"{v['task__category__number']}. {v['task__category__title']}"
            if v["task__category_id"]
            else "",
            self.task % {"n": v["task__number"], "t": v["task__title"]},
            measure,
            v["body__name"],
            self.roles.get(v["role"], v["role"]),
            self.lights[v["light"]],
            "、".join(label for on, label in zip(flags, self.flags, strict=True) if on),
            v["due"] or (self.ongoing if _is_ongoing(v) else self.no_due),
            v["days_overdue"],
            self.statuses.get(v["status"], v["status"]),
            v["percent"],
            states.local_day(v["last_reported_at"]),
            self.signoffs.get(v["signoff"], v["signoff"]),
            self.due_provenance(v),
            self.provenance(v["origin"], ref=_origin_place(v), reason=v["origin_reason"]),
            narrative(v["latest_text"]),
            v["body__leader"],
            v["body__contact_name"],
            v["body__contact_phone"],
        ]


def _origin_place(v):
    """Assignment.origin_place from EXPORT_VALUES."""
    if v["origin_ref"]:
        return v["origin_ref"]
    return f"第{v['origin_line']}行" if v["origin_line"] else ""


def _is_ongoing(v):
    """Assignment.is_ongoing from EXPORT_VALUES."""
    if v["due_date"]:
        return False
    if v["measure_id"] is not None and (v["measure__deadline"] or v["measure__ongoing"]):
        return v["measure__ongoing"]
    return v["task__ongoing"]


def export_rows(queryset):
    """The rows of the list's export, in EXPORT_COLUMNS order, as the query yields them, for
    assignments from AssignmentQuerySet.for_overdue_list(today).for_export(): plain values
    fetched EXPORT_CHUNK at a time, so memory does not grow with the number of rows."""
    words = ExportWords()
    for v in queryset.values(*EXPORT_VALUES).iterator(chunk_size=EXPORT_CHUNK):
        yield words.row(v)


def export_title(what, *, filters, day):
    """The title row of an export: what it is, the filters in words and the as-of date,
    e.g. 逾期与进度清单（筛选条件：亮灯：红灯；截至2026年11月30日）."""
    conditions = filters or _("全部")
    return _("%(what)s（筛选条件：%(filters)s；截至%(day)s）") % {
        "what": what,
        "filters": conditions,
        "day": documents.office_date(day),
    }


# --- targets against reported values (the task page) ----------------------------------------


@dataclass
class ReportedLine:
    body: object
    value: Decimal
    as_of: object
    meets: bool | None


def meets(target, value):
    """Whether a reported value reaches the target; None when the target has no value."""
    if target.value is None:
        return None
    if target.comparator == Target.Comparator.AT_MOST:
        return value <= target.value
    if target.comparator == Target.Comparator.EQUAL:
        return value == target.value
    return value >= target.value


def attach_reported_values(targets, assignments):
    """Give each target `reported`: for every assignment in `assignments` (a queryset of
    the ones the user may see) the value of its latest report in force that gives one, in
    the order of ReportQuerySet.current() — corrected reports left out — and
    `reported_met`, how many of them reach the target. One query, none without targets."""
    targets = list(targets)
    if not targets:
        return targets
    values = (
        ReportedValue.objects.filter(
            target__in=[t.pk for t in targets],
            report__assignment__in=assignments,
            report__corrected_by__isnull=True,
        )
        .select_related("report__assignment__body")
        .order_by(*(f"report__{key.removeprefix('-')}" for key in Report.LATEST_FIRST))
    )
    latest = {}
    for v in values:
        latest[(v.target_id, v.report.assignment_id)] = v
    by_target = defaultdict(list)
    for (target_id, _assignment), v in latest.items():
        by_target[target_id].append(v)
    for t in targets:
        lines = [
            ReportedLine(v.report.assignment.body, v.value, v.report.as_of, meets(t, v.value))
            for v in by_target.get(t.pk, [])
        ]
        lines.sort(key=lambda line: _body_order(line.body))
        t.reported = lines
        t.reported_met = sum(1 for line in lines if line.meets)
    return targets
