"""What managers (督查) read: counts per light, progress per category, the league table of
bodies, the county × task matrix, the bulletin (通报) and the rows of the list's exports;
and what every task page adds: the task's progress and light.

Every function here works on assignments already fetched with their states
(`AssignmentQuerySet.with_state(today)`), so a page costs the same few queries however big
the plan is. The states themselves come from tracker/states.py; nothing here re-decides
what overdue, behind pace, silent or withdrawn means.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tracker import states
from tracker.access import visible_assignments
from tracker.models import DECIDED_BY_PERSON, ChangeRecord, ReportedValue, Source, Target
from tracker.services import timeline

LIGHTS = [states.Light.RED, states.Light.YELLOW, states.Light.GREEN, states.Light.DONE]
FLAG_FIELDS = ["is_overdue", "is_due_soon", "is_behind_pace", "is_silent"]


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


# --- progress per category ------------------------------------------------------------------


@dataclass
class CategoryProgress:
    category: Any  # a Category, or None for tasks without one
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
    groups: dict[int | None, CategoryProgress] = {}
    for task in tasks:
        group = groups.setdefault(task.category_id, CategoryProgress(task.category))
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
    assignments, which assignments the user may open, and the timeline they may see.
    `assignments` are all the task's assignments, with their states (with_state)."""
    active = [a for a in assignments if not a.is_withdrawn]
    visible = set(visible_assignments(user).filter(task=task).values_list("pk", flat=True))
    return {
        "rollup": states.rollup(active),
        "task_light": states.task_light(task, (a.light for a in active), today),
        "visible_ids": visible,
        "timeline": timeline.for_task(task, visible),
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
    last_report: dt.datetime | None = None  # the latest report, if any
    rank: int = 0

    @property
    def sort_key(self):
        # Worst first: most overdue, then behind pace, then silent, then due soon; of equals,
        # the one that reported longest ago (or never) first.
        last = self.last_report.timestamp() if self.last_report else float("-inf")
        return (-self.overdue, -self.behind_pace, -self.silent, -self.due_soon, last)


def league(rows):
    """Every body with active work, ranked worst first (the basis of a 通报). Bodies that are
    equally bad share a rank."""
    lines: dict[int, BodyLine] = {}
    for a in rows:
        line = lines.get(a.body_id)
        if line is None:
            line = lines[a.body_id] = BodyLine(a.body)
        line.assignments += 1
        line.overdue += a.is_overdue
        line.behind_pace += a.is_behind_pace
        line.silent += a.is_silent
        line.due_soon += a.is_due_soon
        line.done += a.is_done
        if a.last_reported_at and (not line.last_report or a.last_reported_at > line.last_report):
            line.last_report = a.last_reported_at
    ranked = sorted(lines.values(), key=lambda line: (line.sort_key, line.body.name))
    previous = None
    for position, line in enumerate(ranked, start=1):
        key = line.sort_key[:4]
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
    for assignments in sorted(by_plan.values(), key=lambda v: v[0].task.plan.title):
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
    return (body.jurisdiction, body.kind, body.position, body.name)


def _is_red(cell):
    return cell is not None and cell.light == states.Light.RED


# --- the bulletin (通报) ---------------------------------------------------------------------


@dataclass
class BulletinBody:
    body: object
    items: list
    rank: int = 0


def bulletin(overdue_rows):
    """Bodies ranked by how many items they have overdue on the day the rows' states were
    computed for (most first; equal counts share a rank, the one overdue longer in total
    listed first), each with its items, the longest overdue first."""
    by_body = defaultdict(list)
    for a in overdue_rows:
        by_body[a.body_id].append(a)
    ranked = sorted(
        by_body.values(),
        key=lambda items: (-len(items), -sum(a.days_overdue for a in items), items[0].body.name),
    )
    result: list[BulletinBody] = []
    previous = None
    for position, items in enumerate(ranked, start=1):
        items.sort(key=lambda a: (a.due, a.task.number, a.measure.number if a.measure_id else 0))
        rank = position if len(items) != previous else result[-1].rank
        result.append(BulletinBody(items[0].body, items, rank))
        previous = len(items)
    return result


# --- the list's export -----------------------------------------------------------------------

EXPORT_HEADERS = [
    "实施方案",
    "类别",
    "任务",
    "具体措施",
    "责任单位",
    "角色",
    "亮灯",
    "状态标记",
    "完成时限",
    "逾期天数",
    "进展状态",
    "完成百分比",
    "最近填报",
    "销号状态",
    # Where the date and the body come from: the text (its words and place) or a person.
    "时限来源",
    "责任单位来源",
]


def task_label(a):
    return _("任务%(n)s：%(t)s") % {"n": a.task.number, "t": a.task.title}


def measure_label(a):
    if not a.measure_id:
        return ""
    return _("措施 %(n)s.%(m)s：%(t)s") % {
        "n": a.task.number,
        "m": a.measure.number,
        "t": a.measure.text,
    }


def flag_labels(a):
    labels = [
        (a.is_overdue, _("逾期")),
        (a.is_due_soon, _("临期")),
        (a.is_behind_pace, _("滞后于序时进度")),
        (a.is_silent, _("未按时填报")),
    ]
    return "、".join(label for on, label in labels if on)


def export_row(a):
    """One row of the list's export, in EXPORT_HEADERS order: real dates and numbers."""
    return [
        a.task.plan.title,
        str(a.task.category) if a.task.category_id else "",
        task_label(a),
        measure_label(a),
        a.body.name,
        a.get_role_display(),
        str(states.Light(a.light).label),
        flag_labels(a),
        a.due or ("长期坚持" if a.is_ongoing else "无明确时限"),
        a.days_overdue,
        a.get_status_display(),
        a.percent,
        states.local_day(a.last_reported_at),
        a.get_signoff_display(),
        due_provenance_text(a),
        provenance_text(a.origin, ref=a.origin_place, reason=a.origin_reason),
    ]


def provenance_text(source, *, phrase="", ref="", reason="", label=None):
    """Where a value came from, in words, as the pages say it (_provenance.html):
    原文“到2024年年底”（第105行）, or 管理员确定（依据：…）."""
    if source in DECIDED_BY_PERSON or source == "person":
        text = _("%(label)s（依据：%(reason)s）") % {
            "label": label or _("管理员确定"),
            "reason": reason or _("未写明"),
        }
        if phrase:
            text += _("；原文：“%(phrase)s”") % {"phrase": phrase}
        return text
    if not source:
        return ""
    text = _("原文")
    if phrase:
        text += f"“{phrase}”"
    if ref:
        text += f"（{ref}）"
    return text


def due_provenance_text(a):
    """Where an assignment's due date comes from, in words (_due_provenance.html)."""
    item = a.deadline_from
    if item is not None:
        if not (item.deadline_source or item.deadline_text):
            return ""
        return provenance_text(
            item.deadline_source or Source.TEXT,
            phrase=item.deadline_text,
            ref=item.deadline_ref,
            reason=item.deadline_reason,
        )
    if not a.own_due_by_person:
        return provenance_text(Source.TEXT, phrase=a.due_text, ref=a.origin_place)
    label = _("延期获批") if getattr(a, "due_via", None) == ChangeRecord.Via.EXTENSION else None
    return provenance_text("person", reason=getattr(a, "due_reason", "") or "", label=label)


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
    the ones the user may see) the value of its latest report that gives one — corrected
    reports left out — and `reported_met`, how many of them reach the target. One query."""
    targets = list(targets)
    values = (
        ReportedValue.objects.filter(
            target__in=[t.pk for t in targets],
            report__assignment__in=assignments,
            report__corrected_by__isnull=True,
        )
        .select_related("report__assignment__body")
        .order_by("report__as_of", "report__pk")
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
