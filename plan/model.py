"""The structured plan that `plan.parse()` returns: plain dataclasses, no Django.

Every item keeps the 1-based line numbers of the text it came from, so a reader can always
go back to the sentence, and beside each line a `ref`: where that is in the document the
administrator uploaded ("第12行" in a text file, "第3页" in a PDF, "表1第5行" in a task
table, "工作表“分工”第4行" in a spreadsheet). `provenance` says who decided a value:
"text" (read from the plan text) or "review" (an administrator's decision in the
review file, with its `reason`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .gazetteer import Gazetteer

# Body kinds, matching tracker.models.Body.Kind values.
CITY_DEPARTMENT = "department"
COUNTY = "county"
ZONE = "zone"
ENTERPRISE = "enterprise"
OTHER = "other"

# Assignment roles, matching tracker.models.Assignment.Role values.
LEAD = "lead"
SUPPORT = "support"
RESPONSIBLE = "responsible"  # 分解: each county answers for its own share

# Where a body came from, matching tracker.models.Assignment.Source values.
FROM_CLAUSE = "clause"  # 责任单位/牵头单位/配合单位 … clause
FROM_SENTENCE = "named"  # named in the sentence itself (公安、交通运输、应急)
FROM_REVIEW = "review"  # the administrator's decision

# Provenance of a task/measure/deadline/target/title.
TEXT = "text"
REVIEW = "review"


@dataclass
class Span:
    """1-based inclusive line numbers in the original text."""

    first: int
    last: int
    ref: str = ""  # "第12–14行", "第3页", "表1第5行": the same place in the uploaded document


@dataclass
class Deadline:
    date: dt.date | None  # None when ongoing (长期坚持) or unknown
    phrase: str  # the text's own words, e.g. "到2024年年底"; "" when none
    ongoing: bool = False
    line: int | None = None
    provenance: str = TEXT
    reason: str = ""  # the administrator's reason when provenance == REVIEW
    ref: str = ""  # where `line` is in the uploaded document


@dataclass
class Milestone:
    """One stage of a staged deadline ("2024年底前完成…，2025年底前全面…"): the task's
    deadline is its last stage; every stage is kept here in the text's order."""

    date: dt.date
    phrase: str  # "2024年底前"
    what: str  # the words the stage applies to: "完成试点"
    line: int | None = None
    ref: str = ""


@dataclass
class BodyRef:
    name: str  # normalised within the jurisdiction: "市公安局", "莘县"
    raw: str  # as written: "公安"
    kind: str  # CITY_DEPARTMENT / COUNTY / ZONE / ENTERPRISE / OTHER
    role: str  # LEAD / SUPPORT / RESPONSIBLE
    source: str  # FROM_CLAUSE / FROM_SENTENCE / FROM_REVIEW
    line: int | None = None
    reason: str = ""
    due: Deadline | None = None  # a due date of this body's own, rarely stated
    # One body standing for a class of bodies ("各区", "各省级人民政府", "各县（市、区）"),
    # kept as written because no gazetteer lists its members.
    collective: bool = False
    ref: str = ""


@dataclass
class Target:
    description: str  # "至少建成1处入驻3家快递企业的快递园区"
    value: Decimal | None  # 1
    unit: str  # "处"
    scope: str  # "plan", "task", "each_county", …
    comparator: str = ">="  # ">=", "<=", "="
    due: Deadline | None = None
    line: int | None = None
    provenance: str = TEXT
    reason: str = ""
    ref: str = ""


@dataclass
class Measure:
    number: int  # 1-based order inside its task
    text: str  # cleaned sentence(s)
    span: Span
    deadline: Deadline | None = None
    bodies: list[BodyRef] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class Task:
    number: int  # 1..N across the whole plan
    title: str
    text: str  # cleaned source text of the task
    span: Span
    category: int | None  # number of its Category, None when the plan has none
    deadline: Deadline | None = None
    measures: list[Measure] = field(default_factory=list)
    bodies: list[BodyRef] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    provenance: str = TEXT
    reason: str = ""
    title_provenance: str = TEXT  # REVIEW when the review file renamed the task
    milestones: list[Milestone] = field(default_factory=list)  # staged deadlines, in order
    # Every place the text states this task: its item in the prose and its row in a task
    # table (附件 重点任务分工表) when the plan has both; `span` is the first of them.
    stated_at: list[Span] = field(default_factory=list)

    def all_bodies(self) -> list[BodyRef]:
        """The task's own bodies, then those named only on its measures (one per name).
        Roles are as stated where each was found; a measure's lead is not the task's."""
        seen = {b.name for b in self.bodies}
        out = list(self.bodies)
        for measure in self.measures:
            for body in measure.bodies:
                if body.name not in seen:
                    seen.add(body.name)
                    out.append(body)
        return out

    @property
    def leads(self) -> list[BodyRef]:
        """The task's lead bodies (牵头), first-named first: a plan may name co-leads."""
        return [b for b in self.bodies if b.role == LEAD]

    @property
    def lead(self) -> BodyRef | None:
        """The first-named lead body, or None."""
        return next((b for b in self.bodies if b.role == LEAD), None)


@dataclass
class Category:
    number: int
    title: str
    summary: str
    span: Span


@dataclass
class Warning:
    line: int | None
    message: str  # Chinese, for the import report
    ref: str = ""


@dataclass
class ParsedPlan:
    title: str
    jurisdiction: str  # "聊城市"
    issuer: str  # "" when the text does not say
    issue_date: dt.date | None
    start_date: dt.date | None  # date tracking starts (usually from the review)
    start_date_source: str  # TEXT / REVIEW / "" when unknown
    declared_categories: int | None
    declared_tasks: int | None
    span: Span  # the article / document inside the source text
    categories: list[Category] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # plan-level (主要目标)
    warnings: list[Warning] = field(default_factory=list)
    slug: str = ""  # natural key; from the review file, else derived
    start_date_reason: str = ""  # the administrator's reason when start_date_source == REVIEW
    # What the uploaded file was: "text", "docx", "pdf", "html", "xlsx" or "csv".
    source_kind: str = "text"
    # The gazetteer the text was parsed with: apply_review() checks body names against it.
    gazetteer: Gazetteer | None = field(default=None, repr=False, compare=False)
