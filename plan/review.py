"""The administrator's review file: decisions the plan text does not make, each with its
reason. The format is documented in docs/plan-json.md ("Review file").

`load_review(path)` reads the file at a path (for the import command); `parse_review(text)`
reads review TOML that was uploaded (for the web) and never opens a file, whatever the text
says. Both check the file's shape (valid TOML, known keys, a `reason` for every decision,
values of a sane size: nesting, digits, dates between 1949 and 2100); `apply_review()`
checks every reference against the parsed plan (task numbers as the text numbered them,
confirmed by `expect`, measure numbers, body names) and returns a new ParsedPlan. All
three raise only ReviewError, with a Chinese message naming the entry and the key.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .bodies import COLLECTIVE_RE, dedupe
from .dates import parse_deadline
from .errors import ReviewError
from .gazetteer import KINDS, Gazetteer, guess_kind
from .model import (
    COUNTY,
    FROM_REVIEW,
    LEAD,
    RESPONSIBLE,
    REVIEW,
    SUPPORT,
    BodyRef,
    Deadline,
    Measure,
    ParsedPlan,
    Span,
    Target,
    Task,
    Warning,
)
from .parser import GAP_PREFIXES, gap_warnings

MAX_REASON = 300
_TABLES = {
    "plan": {"slug", "title", "tasks_after_review", "reason"},
    "start": {"date", "reason"},
    "body": {"name", "kind", "reason"},
    "merge": {"tasks", "expect", "title", "reason"},
    "split": {"task", "expect", "parts", "reason"},
    "task": {
        "number",
        "part",
        "expect",
        "title",
        "lead",
        "support",
        "responsible",
        "deadline",
        "deadline_phrase",
        "override",
        "reason",
    },
    "measure": {
        "task",
        "part",
        "number",
        "expect",
        "lead",
        "support",
        "responsible",
        "deadline",
        "deadline_phrase",
        "override",
        "reason",
    },
    "target": {
        "task",
        "part",
        "expect",
        "description",
        "value",
        "unit",
        "comparator",
        "scope",
        "due",
        "reason",
    },
}
_ARRAYS = ("body", "merge", "split", "task", "measure", "target")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass
class Review:
    """A checked review file. `entries[table]` is the list of that table's entries."""

    plan: dict[str, Any] = field(default_factory=dict)
    start: dict[str, Any] = field(default_factory=dict)
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    source: str = ""


def _where(table: str, index: int | None = None) -> str:
    return f"审核文件 [[{table}]] 第{index}条" if index is not None else f"审核文件 [{table}]"


MAX_REVIEW_CHARS = 500_000
MAX_NESTING = 8  # [[split.parts]] inside [[split]] is the deepest the format needs
MAX_DIGITS = 18
MAX_TEXT = 200  # titles, names, phrases
MAX_LIST = 200
FIRST_DATE = dt.date(1949, 10, 1)
LAST_DATE = dt.date(2100, 12, 31)
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_.\-\"']+)\s*=")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_LONG_NUMBER_RE = re.compile(rf"\d[\d_]{{{MAX_DIGITS},}}")
_HEADER_RE = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_.\-\"' ]+\]\]?\s*$")


def load_review(path: str | os.PathLike[str]) -> Review:
    """Read the review file at `path` (for the import command).

    A `str` is accepted for now only for the callers that still pass the uploaded TOML
    text itself: it is read as TOML, never opened as a path, and a DeprecationWarning
    asks for `parse_review(text)` instead; pass a `pathlib.Path` to read a file.

    Raises ReviewError for a missing file, bad TOML, an unknown key, a missing `reason`,
    or a value of absurd size."""
    if isinstance(path, str):
        warnings.warn(
            "load_review(str) reads the string as review TOML, never as a file path: "
            "call parse_review(text) for uploaded text, or load_review(Path(...)) for a file",
            DeprecationWarning,
            stacklevel=2,
        )
        return parse_review(path)
    if not isinstance(path, os.PathLike):
        raise ReviewError("审核文件应为文件路径（pathlib.Path）")
    file = Path(path)
    try:
        raw = file.read_bytes()
    except (OSError, ValueError) as exc:
        raise ReviewError(f"无法读取审核文件 {file}：{exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewError(f"审核文件 {file} 不是 UTF-8 文本") from exc
    return parse_review(text, source=str(file))


def parse_review(text: str, *, source: str = "") -> Review:
    """Read review TOML that was uploaded or pasted (for the web import). The text is only
    ever parsed: it is never taken for a file name.

    Raises ReviewError for bad TOML, an unknown key, a missing `reason`, nesting deeper
    than the format needs, a number of more than 18 digits, or a date outside 1949–2100,
    naming the entry and key."""
    if not isinstance(text, str):
        raise ReviewError("审核文件应为 TOML 文本")
    if len(text) > MAX_REVIEW_CHARS:
        raise ReviewError(f"审核文件过大（超过{MAX_REVIEW_CHARS}字符）")
    _check_lexical(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc) from exc
    except RecursionError as exc:
        # _check_lexical stops what it can see; this is what it could not.
        raise ReviewError("审核文件嵌套过深，无法读取") from exc
    except ValueError as exc:
        raise ReviewError(f"审核文件含有无法读取的数值（{exc}）") from exc
    _check_values(data, "")
    return _check_shape(data, source)


_TOML_PLACE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_error(exc: tomllib.TOMLDecodeError) -> ReviewError:
    """tomllib's English message in the administrator's words: where the file stops being
    TOML and what to look at there (tomllib says only what it expected)."""
    m = _TOML_PLACE_RE.search(str(exc))
    if m:
        line, column = int(m.group(1)), int(m.group(2))
        return ReviewError(
            f"审核文件不是有效的 TOML：第{column}个字符附近写法有误"
            "（每行应为“名称 = 值”，文字值加英文双引号，表头写作 [名称] 或 [[名称]]）",
            line,
        )
    return ReviewError(
        "审核文件不是有效的 TOML：文件在末尾处没有写完（缺少等号、值、右引号或右方括号）"
    )


def _check_lexical(text: str) -> None:
    """Refuse nesting and numbers of absurd size before the TOML parser sees them (it would
    exhaust the stack or refuse the integer without saying where)."""
    depth = 0
    key = ""
    for number, line in enumerate(text.splitlines(), start=1):
        m = _KEY_RE.match(line)
        if m:
            key = m.group(1).strip("\"'")
        bare = _STRING_RE.sub('""', line).split("#", 1)[0]
        header = bool(_HEADER_RE.match(bare)) and not m
        if not header:
            for ch in bare:
                if ch in "[{":
                    depth += 1
                    if depth > MAX_NESTING:
                        raise ReviewError(
                            f"审核文件：{key or '该值'} 嵌套过深（超过{MAX_NESTING}层）",
                            number,
                        )
                elif ch in "]}":
                    depth = max(0, depth - 1)
        if _LONG_NUMBER_RE.search(bare) and not header:
            raise ReviewError(f"审核文件：{key or '该值'} 的数字过长（超过{MAX_DIGITS}位）", number)


def _check_values(value: Any, where: str, depth: int = 0) -> None:
    """Every value of the parsed file, walked without recursion into absurd depth: numbers
    finite and of sane size, dates between 1949 and 2100, strings and lists not huge."""
    stack: list[tuple[Any, str, int]] = [(value, where, depth)]
    while stack:
        item, path, level = stack.pop()
        name = path or "审核文件"
        if level > MAX_NESTING:
            raise ReviewError(f"审核文件：{name} 嵌套过深（超过{MAX_NESTING}层）")
        if isinstance(item, dict):
            for key, sub in item.items():
                stack.append((sub, f"{path}.{key}" if path else str(key), level + 1))
        elif isinstance(item, list):
            if len(item) > MAX_LIST:
                raise ReviewError(f"审核文件：{name} 的条目过多（超过{MAX_LIST}条）")
            for k, sub in enumerate(item, start=1):
                stack.append((sub, f"{path}[{k}]", level + 1))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if abs(item) >= 10**MAX_DIGITS:
                raise ReviewError(f"审核文件：{name} 的数字过大")
        elif isinstance(item, float):
            if not math.isfinite(item) or abs(item) >= 10**MAX_DIGITS:
                raise ReviewError(f"审核文件：{name} 应为有限的数字")
        elif isinstance(item, dt.date):
            day = item.date() if isinstance(item, dt.datetime) else item
            if not FIRST_DATE <= day <= LAST_DATE:
                raise ReviewError(
                    f"审核文件：{name} 的日期 {day.isoformat()} 不在合理范围内"
                    f"（{FIRST_DATE.year}年至{LAST_DATE.year}年）"
                )
        elif isinstance(item, dt.time):
            raise ReviewError(f"审核文件：{name} 应为日期，不能只写时间")
        elif isinstance(item, str) and len(item) > MAX_REVIEW_CHARS // 10:
            raise ReviewError(f"审核文件：{name} 的文字过长")


def _check_shape(data: dict[str, Any], source: str) -> Review:
    unknown = set(data) - set(_TABLES)
    if unknown:
        raise ReviewError(f"审核文件有未知的表或键：{'、'.join(sorted(unknown))}")
    review = Review(source=source)
    for table in ("plan", "start"):
        value = data.get(table, {})
        if not isinstance(value, dict):
            raise ReviewError(f"{_where(table)} 应为表（[{table}]）")
        if value:
            _check_entry(table, value, None)
        setattr(review, table, value)
    for table in _ARRAYS:
        value = data.get(table, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ReviewError(f"{_where(table)} 应为表数组（[[{table}]]）")
        for k, entry in enumerate(value, start=1):
            _check_entry(table, entry, k)
        review.entries[table] = value
    return review


def _check_entry(table: str, entry: dict[str, Any], index: int | None) -> None:
    where = _where(table, index)
    unknown = set(entry) - _TABLES[table]
    if unknown:
        raise ReviewError(f"{where}：未知的键 {'、'.join(sorted(unknown))}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ReviewError(f"{where}：缺少 reason（每项决定都要写明理由）")
    if len(reason) > MAX_REASON:
        raise ReviewError(f"{where}：reason 超过{MAX_REASON}字")
    for key in ("lead", "title", "expect", "deadline_phrase", "name", "slug", "description"):
        if key in entry and key != "expect" and not isinstance(entry[key], str):
            raise ReviewError(f"{where}：{key} 应为字符串")
        if isinstance(entry.get(key), str) and len(entry[key]) > MAX_TEXT:
            raise ReviewError(f"{where}：{key} 超过{MAX_TEXT}字")
    for key in ("support", "responsible"):
        if key in entry and (
            not isinstance(entry[key], list) or not all(isinstance(x, str) for x in entry[key])
        ):
            raise ReviewError(f"{where}：{key} 应为字符串列表")
    if table == "plan":
        slug = entry.get("slug")
        if slug is not None and (not isinstance(slug, str) or not _SLUG_RE.match(slug)):
            raise ReviewError(f"{where}：slug 只能由小写字母、数字和连字符组成（≤80字符）")
    if table == "start" and not isinstance(entry.get("date"), dt.date):
        raise ReviewError(f"{where}：date 应为日期，如 2024-09-01")
    if table == "start" and isinstance(entry["date"], dt.datetime):
        entry["date"] = entry["date"].date()
    if table in ("task", "measure", "split", "target") and "expect" not in entry:
        raise ReviewError(f"{where}：缺少 expect（任务标题的开头，用于核对所指任务）")
    if table == "merge":
        tasks, expect = entry.get("tasks"), entry.get("expect")
        if (
            not isinstance(tasks, list)
            or len(tasks) < 2
            or not all(isinstance(t, int) and not isinstance(t, bool) for t in tasks)
        ):
            raise ReviewError(f"{where}：tasks 应为至少两个任务序号")
        if not isinstance(expect, list) or len(expect) != len(tasks):
            raise ReviewError(f"{where}：expect 应为与 tasks 一一对应的标题列表")
    if table == "split":
        parts = entry.get("parts")
        if (
            not isinstance(parts, list)
            or len(parts) < 2
            or not all(isinstance(p, dict) for p in parts)
        ):
            raise ReviewError(f"{where}：parts 应至少有两部分（[[split.parts]]）")
        for p in parts:
            if not isinstance(p.get("title"), str) or not p["title"].strip():
                raise ReviewError(f"{where}：每一部分都要有 title")
            extra = set(p) - {"title", "measures"}
            if extra:
                raise ReviewError(f"{where}：parts 中未知的键 {'、'.join(sorted(extra))}")
    if table == "body" and entry.get("kind", "other") not in KINDS:
        raise ReviewError(f"{where}：kind 应为 {'、'.join(KINDS)} 之一")


# ---------------------------------------------------------------------------------------


class _Applier:
    def __init__(self, parsed: ParsedPlan, review: Review, gazetteer: Gazetteer | None):
        # The gazetteer is shared, not copied.
        self.plan = copy.deepcopy(parsed, {id(parsed.gazetteer): parsed.gazetteer})
        self.plan.gazetteer = gazetteer
        self.review = review
        self.g = gazetteer
        self.original = {t.number: t for t in self.plan.tasks}
        # text number → the task it became; (number, part) for split tasks
        self.where: dict[int | tuple[int, int], Task] = {}
        for number, task in self.original.items():
            self.where[number] = task
        self.merged_into: dict[int, int] = {}
        self.split_numbers: set[int] = set()
        self.declared: dict[str, str] = {}
        known = {b.name for t in self.plan.tasks for b in t.all_bodies()}
        self.known_in_text = known

    # -- references ------------------------------------------------------------------

    def task_ref(self, where: str, number: Any, expect: Any, part: Any = None) -> Task:
        if not isinstance(number, int) or isinstance(number, bool):
            raise ReviewError(f"{where}：任务序号应为整数")
        if number not in self.original:
            raise ReviewError(f"{where}：原文没有第{number}项任务（共{len(self.original)}项）")
        original = self.original[number]
        if not isinstance(expect, str) or not expect.strip():
            raise ReviewError(f"{where}：expect 应为任务标题的开头")
        if not _matches(original, expect):
            raise ReviewError(
                f"{where}：第{number}项任务是“{original.title}”，与 expect “{expect}” 不符；"
                "原文可能已改动，请核对序号"
            )
        if number in self.merged_into:
            raise ReviewError(
                f"{where}：第{number}项任务已并入第{self.merged_into[number]}项，请引用第"
                f"{self.merged_into[number]}项"
            )
        if number in self.split_numbers:
            if not isinstance(part, int) or (number, part) not in self.where:
                raise ReviewError(f"{where}：第{number}项任务已拆分，请用 part 指明第几部分")
            return self.where[(number, part)]
        if part is not None:
            raise ReviewError(f"{where}：第{number}项任务没有拆分，不能用 part")
        return self.where[number]

    def body(self, where: str, raw: str, role: str, reason: str) -> list[BodyRef]:
        name = raw.strip()
        if COLLECTIVE_RE.fullmatch(name):
            if self.g is not None and self.g.counties:
                return [
                    BodyRef(c.name, name, COUNTY, RESPONSIBLE, FROM_REVIEW, None, reason)
                    for c in self.g.counties
                ]
            return [BodyRef(name, name, COUNTY, RESPONSIBLE, FROM_REVIEW, None, reason)]
        if name in self.declared:
            return [BodyRef(name, raw, self.declared[name], role, FROM_REVIEW, None, reason)]
        found = self.g.lookup(name) if self.g is not None else None
        if found is not None:
            return [BodyRef(found.name, raw, found.kind, role, FROM_REVIEW, None, reason)]
        if name in self.known_in_text:
            return [BodyRef(name, raw, guess_kind(name), role, FROM_REVIEW, None, reason)]
        raise ReviewError(
            f"{where}：责任单位“{name}”不在地名录中，原文也未提及；请在 [[body]] 中声明"
        )

    # -- steps -----------------------------------------------------------------------

    def run(self) -> ParsedPlan:
        r = self.review
        self.apply_plan(r.plan)
        if r.start:
            self.plan.start_date = r.start["date"]
            self.plan.start_date_source = REVIEW
            self.plan.start_date_reason = r.start["reason"].strip()
        for k, entry in enumerate(r.entries.get("body", []), start=1):
            name = entry["name"].strip()
            if not name:
                raise ReviewError(f"{_where('body', k)}：name 不能为空")
            self.declared[name] = entry.get("kind") or guess_kind(name)
        for k, entry in enumerate(r.entries.get("merge", []), start=1):
            self.merge(entry, _where("merge", k))
        for k, entry in enumerate(r.entries.get("split", []), start=1):
            self.split(entry, _where("split", k))
        for k, entry in enumerate(r.entries.get("task", []), start=1):
            where = _where("task", k)
            if "number" not in entry:
                raise ReviewError(f"{where}：缺少 number（原文的任务序号）")
            task = self.task_ref(where, entry["number"], entry["expect"], entry.get("part"))
            self.decide_task(task, entry, where)
        for k, entry in enumerate(r.entries.get("measure", []), start=1):
            self.decide_measure(entry, _where("measure", k))
        for k, entry in enumerate(r.entries.get("target", []), start=1):
            self.add_target(entry, _where("target", k))
        for n, task in enumerate(self.plan.tasks, start=1):
            task.number = n
        expected = r.plan.get("tasks_after_review")
        if expected is not None and expected != len(self.plan.tasks):
            raise ReviewError(
                f"复核后应有{expected}项任务（[plan] tasks_after_review），"
                f"实际为{len(self.plan.tasks)}项"
            )
        kept = [w for w in self.plan.warnings if not _settled(w.message, self.plan)]
        self.plan.warnings = kept + gap_warnings(self.plan) + _stages_after_deadline(self.plan)
        return self.plan

    def apply_plan(self, entry: dict[str, Any]) -> None:
        if not entry:
            return
        title = entry.get("title")
        if title is not None and title.strip() != self.plan.title:
            raise ReviewError(
                f"审核文件 [plan]：title “{title}” 与原文方案名称“{self.plan.title}”不符，"
                "这份审核文件可能不属于此方案"
            )
        if entry.get("slug"):
            self.plan.slug = entry["slug"]
        expected = entry.get("tasks_after_review")
        if expected is not None and (not isinstance(expected, int) or expected < 1):
            raise ReviewError("审核文件 [plan]：tasks_after_review 应为正整数")

    def merge(self, entry: dict[str, Any], where: str) -> None:
        numbers: list[int] = entry["tasks"]
        if len(set(numbers)) != len(numbers):
            raise ReviewError(f"{where}：tasks 中有重复的序号")
        tasks = [self.task_ref(where, n, e) for n, e in zip(numbers, entry["expect"], strict=True)]
        if len({t.category for t in tasks}) > 1:
            raise ReviewError(
                f"{where}：不能合并不同类别的任务（第{'、'.join(map(str, numbers))}项）"
            )
        reason = entry["reason"].strip()
        keep, absorbed = tasks[0], tasks[1:]
        for other in absorbed:
            keep.measures.extend(_as_measures(other))
            keep.text = f"{keep.text}\n{other.text}"
            keep.span = Span(
                min(keep.span.first, other.span.first), max(keep.span.last, other.span.last)
            )
            self.plan.tasks.remove(other)
        for k, m in enumerate(keep.measures, start=1):
            m.number = k
        if entry.get("title"):
            keep.title = entry["title"].strip()
            keep.title_provenance = REVIEW
        _mark(keep, f"合并第{'、'.join(map(str, numbers))}项：{reason}")
        for n in numbers[1:]:
            self.merged_into[n] = numbers[0]

    def split(self, entry: dict[str, Any], where: str) -> None:
        task = self.task_ref(where, entry["task"], entry["expect"])
        number = entry["task"]
        parts = entry["parts"]
        reason = entry["reason"].strip()
        assigned: dict[int, int] = {}
        for p, part in enumerate(parts, start=1):
            for m in part.get("measures", []):
                if not isinstance(m, int) or not 1 <= m <= len(task.measures):
                    raise ReviewError(f"{where}：第{number}项任务没有第{m}条措施")
                if m in assigned:
                    raise ReviewError(f"{where}：第{m}条措施同时分在第{assigned[m]}和第{p}部分")
                assigned[m] = p
        missing = [k for k in range(1, len(task.measures) + 1) if k not in assigned]
        if missing and any(part.get("measures") for part in parts):
            raise ReviewError(f"{where}：第{'、'.join(map(str, missing))}条措施没有分到任何部分")
        index = self.plan.tasks.index(task)
        new_tasks: list[Task] = []
        for p, part in enumerate(parts, start=1):
            measures = [copy.deepcopy(task.measures[m - 1]) for m in part.get("measures", [])]
            for k, m in enumerate(measures, start=1):
                m.number = k
            first = p == 1
            spans = [m.span for m in measures] or [task.span]
            piece = Task(
                number=0,
                title=part["title"].strip(),
                text=task.text,
                span=Span(min(s.first for s in spans), max(s.last for s in spans))
                if not first
                else task.span,
                category=task.category,
                deadline=copy.deepcopy(task.deadline) if first else None,
                measures=measures,
                bodies=copy.deepcopy(task.bodies) if first else [],
                targets=copy.deepcopy(task.targets) if first else [],
                title_provenance=REVIEW,
            )
            _mark(piece, f"由第{number}项拆分（第{p}部分）：{reason}")
            new_tasks.append(piece)
            self.where[(number, p)] = piece
        self.plan.tasks[index : index + 1] = new_tasks
        self.split_numbers.add(number)

    def decide_task(self, task: Task, entry: dict[str, Any], where: str) -> None:
        reason = entry["reason"].strip()
        if entry.get("title"):
            task.title = entry["title"].strip()
            task.title_provenance = REVIEW
            _note(task, f"名称：{reason}")
        task.bodies = self.decide_bodies(task.bodies, entry, where, reason)
        if "deadline" in entry:
            task.deadline = self.decide_deadline(task.deadline, entry, where, reason)

    def decide_measure(self, entry: dict[str, Any], where: str) -> None:
        task = self.task_ref(where, entry.get("task"), entry["expect"], entry.get("part"))
        number = entry.get("number")
        if not isinstance(number, int) or not 1 <= number <= len(task.measures):
            raise ReviewError(
                f"{where}：任务“{task.title}”没有第{number}条措施（共{len(task.measures)}条）"
            )
        measure = task.measures[number - 1]
        reason = entry["reason"].strip()
        measure.bodies = self.decide_bodies(measure.bodies, entry, where, reason)
        if "deadline" in entry:
            measure.deadline = self.decide_deadline(measure.deadline, entry, where, reason)

    def decide_bodies(
        self, bodies: list[BodyRef], entry: dict[str, Any], where: str, reason: str
    ) -> list[BodyRef]:
        result = list(bodies)
        lead = entry.get("lead")
        if lead:
            new = self.body(where, lead, LEAD, reason)
            if len(new) != 1:
                raise ReviewError(f"{where}：牵头单位只能是一个单位，不能是“{lead}”")
            current = next((b for b in result if b.role == LEAD), None)
            if current is not None and current.name != new[0].name and not entry.get("override"):
                raise ReviewError(
                    f"{where}：原文已写明牵头单位“{current.name}”；如确需改为“{new[0].name}”，"
                    "请加 override = true"
                )
            demoted = [
                BodyRef(b.name, b.raw, b.kind, SUPPORT, b.source, b.line, b.reason, b.due)
                if b.role == LEAD
                else b
                for b in result
                if b.name != new[0].name
            ]
            result = [new[0], *demoted]
        for key, role in (("support", SUPPORT), ("responsible", RESPONSIBLE)):
            for raw in entry.get(key, []):
                for ref in self.body(where, raw, role, reason):
                    if all(b.name != ref.name for b in result):
                        result.append(ref)
        return dedupe(result)

    def decide_deadline(
        self, current: Deadline | None, entry: dict[str, Any], where: str, reason: str
    ) -> Deadline:
        value = entry["deadline"]
        phrase = entry.get("deadline_phrase", "")
        if current is not None and current.provenance != REVIEW and not entry.get("override"):
            raise ReviewError(
                f"{where}：原文已写明时限“{current.phrase}”；如确需更改，请加 override = true"
            )
        if value == "ongoing":
            return Deadline(None, phrase or "", True, None, REVIEW, reason)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return Deadline(value, phrase, False, None, REVIEW, reason)
        if isinstance(value, str):
            parsed = parse_deadline(value)
            if parsed is not None and (parsed.date is not None or parsed.ongoing):
                return Deadline(parsed.date, phrase or value, parsed.ongoing, None, REVIEW, reason)
        raise ReviewError(f'{where}：deadline 应为日期（如 2025-12-31）、"ongoing" 或时限说法')

    def add_target(self, entry: dict[str, Any], where: str) -> None:
        task = self.task_ref(where, entry.get("task"), entry["expect"], entry.get("part"))
        description = entry.get("description")
        if not isinstance(description, str) or not description.strip():
            raise ReviewError(f"{where}：缺少 description")
        value = entry.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ReviewError(f"{where}：value 应为数字")
        comparator = entry.get("comparator", ">=")
        if comparator not in (">=", "<=", "="):
            raise ReviewError(f"{where}：comparator 应为 >=、<= 或 =")
        scope = entry.get("scope", "task")
        if scope not in ("plan", "task", "each_county", "other"):
            raise ReviewError(f"{where}：scope 应为 plan、task、each_county 或 other")
        reason = entry["reason"].strip()
        due = entry.get("due")
        deadline = (
            Deadline(due, "", False, None, REVIEW, reason) if isinstance(due, dt.date) else None
        )
        task.targets.append(
            Target(
                description=description.strip(),
                value=Decimal(str(value)) if value is not None else None,
                unit=str(entry.get("unit", "")),
                scope=scope,
                comparator=comparator,
                due=deadline,
                provenance=REVIEW,
                reason=reason,
            )
        )


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _stages_after_deadline(plan: ParsedPlan) -> list[Warning]:
    """A deadline the review file sets (override = true) earlier than a stage the text
    states for the same task or measure: the text's stages come before its deadline, so
    one of the two is likely a slip. Warned, with the stage's place, not refused: the
    administrator may mean it (the text's stages are kept as written either way)."""
    found = []
    for task in plan.tasks:
        items = [(f"任务{task.number}", task.deadline, task.milestones)]
        for m in task.measures:
            own = m.deadline if m.deadline is not None else task.deadline
            items.append((f"任务{task.number}措施{m.number}", own, m.milestones))
        for label, deadline, stages in items:
            if deadline is None or deadline.date is None or deadline.provenance != REVIEW:
                continue
            late = [s for s in stages if s.date > deadline.date]
            if not late:
                continue
            stage = max(late, key=lambda s: s.date)
            found.append(
                Warning(
                    stage.line,
                    f"{label}：审核文件确定的完成时限{_chinese_date(deadline.date)}早于原文的"
                    f"阶段性目标“{stage.phrase}{stage.what}”（{_chinese_date(stage.date)}），"
                    "请核对审核文件的 deadline。",
                    stage.ref,
                )
            )
    return found


def _matches(task: Task, expect: str) -> bool:
    e = expect.strip()
    return task.title.startswith(e) or task.text.lstrip().startswith(e)


def _mark(task: Task, reason: str) -> None:
    """The task itself is the review's making (a merge or a split)."""
    task.provenance = REVIEW
    _note(task, reason)


def _note(task: Task, reason: str) -> None:
    reason = reason[:MAX_REASON]
    task.reason = f"{task.reason}；{reason}"[:500] if task.reason else reason


def _as_measures(task: Task) -> list[Measure]:
    """A task merged into another becomes measures: its own sentence, then its measures."""
    own = task.text
    if task.measures:
        at = task.text.find(task.measures[0].text)
        if at > 0:
            own = task.text[:at]
    first = task.measures[0].span.first if task.measures else task.span.last
    head = Measure(
        number=0,
        text=own.strip(),
        span=Span(task.span.first, max(task.span.first, first)),
        deadline=task.deadline,
        bodies=task.bodies,
        targets=task.targets,
    )
    return [head, *task.measures]


def _settled(message: str, plan: ParsedPlan) -> bool:
    """Import warnings the review answers (the gap summary is made again afterwards)."""
    if message.startswith("原文称有") and "项任务" in message:
        return plan.declared_tasks == len(plan.tasks)
    return message.startswith(GAP_PREFIXES)


def apply_review(
    parsed: ParsedPlan, review: Review, *, gazetteer: Gazetteer | None = None
) -> ParsedPlan:
    """Apply the administrator's decisions to a parsed plan and return a new ParsedPlan
    (the input is not changed). Everything taken from the review is marked REVIEW /
    FROM_REVIEW with its reason.

    Raises ReviewError when an entry refers to a task, measure or body that does not exist,
    when an `expect` check fails, or when a decision contradicts the text without
    `override = true`; it raises no other exception."""
    if not isinstance(review, Review):
        raise ReviewError("apply_review 需要 load_review() 的结果")
    return _Applier(parsed, review, gazetteer or parsed.gazetteer).run()
