"""Plan text → ParsedPlan.

1. Clean-up (plan.cleanup) repairs extraction damage and keeps the line map.
2. The plan is found on the page: the text is cut into articles at Markdown headings (a
   short unpunctuated kicker line just above a heading belongs to its article), and the
   article that looks most like a plan wins (a 《…方案》 title, "明确4类14项", numbered
   headings, 责任单位 clauses). Nothing outside it is read.
3. Two shapes of plan are read:
   - an official document with numbered headings 一、 / （一） / 1. / （1）. The task level
     is the level whose items carry 责任单位 clauses (else the level of most leaf items);
     the level above, unless it is only a container such as "三、重点任务", gives the
     categories; a 主要目标 section gives plan-level targets. A task's measures are its
     sub-items, or its paragraphs when each has its own clause, or else its sentences.
   - a summary in prose (a newspaper article): the categories are the paragraphs that
     start with the names the text lists ("从A、B、C、D四个方面") or, failing that, with a
     short title sentence ("强化行业规划引领。"). Inside a category, a sentence that starts
     with a short verb–object phrase opens a task ("推进快递园区建设，…"); the sentences
     after it are its measures until the next such title. After a title that stands
     alone ("提升农村服务网络。"), a title-shaped sentence on the same topic
     ("加强农村寄递物流体系建设，…") is a measure of it, not a new task.
4. Deadlines, bodies and targets are read from the sentence that states them: a task's
   own sentence (its title sentence) gives the task's; a measure's sentence the measure's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from . import dates
from .bodies import P_LEAD, P_RESP, P_SUPPORT, Resolver, find_clauses, merge
from .cleanup import HEADING_RE, Block, clean_lines, concat, ends_sentence, is_kicker, join
from .errors import PlanParseError
from .gazetteer import Gazetteer
from .model import (
    BodyRef,
    Category,
    Deadline,
    Measure,
    Milestone,
    ParsedPlan,
    Span,
    Target,
    Task,
    Warning,
)
from .tables import (
    CONTENT,
    LEAD_COL,
    NAME,
    RESP_COL,
    SUPPORT_COL,
    TIME_COL,
    Cell,
    Table,
    find_tables,
)
from .targets import find_targets
from .text import clauses, core, same_topic, sentences, title_shaped

_CN_NUM = r"\d{1,3}|[一二三四五六七八九十两]{1,3}"
_PLAN_WORDS = r"方案|措施|意见|计划|规划|要点|清单|办法|细则|纲要"
_PLAN_TITLE_RE = re.compile(rf"《([^《》]{{4,80}}?(?:{_PLAN_WORDS})(?:（[^《》]{{1,30}}）)?)》")
_DECLARED_RE = re.compile(
    rf"(?P<c>{_CN_NUM})(?:大|个)?(?:类|方面|大类)(?P<t>{_CN_NUM})(?:项|条|个)(?:重点)?(?:任|工作|措施|举措)?"
)
_DECLARED_TASKS_RE = re.compile(
    rf"(?:提出|明确|部署|包括|共|列出)(?P<t>{_CN_NUM})(?:项|条)(?:重点任务|任务|重点工作|具体措施|措施|举措|政策措施)"
)
_ENUM_RE = re.compile(
    rf"(?:从|围绕|包括|涵盖|聚焦|在)(?P<list>[^。；！？]{{4,200}}?)等?(?P<n>{_CN_NUM})(?:个|大)?方面"
)
_ISSUER_RE = re.compile(
    r"(?P<who>[\u4e00-\u9fff]{2,20}?(?:办公室|办公厅|人民政府|政府|委员会))"
    r"(?:近期|近日|日前|正式|联合)?(?:印发|发布|出台)"
)
_NOTICE_ISSUER_RE = re.compile(
    r"^(?P<who>[\u4e00-\u9fff]{2,30}?(?:办公室|办公厅|人民政府|政府|委员会))关于(?:印发|转发)"
)
_CITING_RE = re.compile(r"(?:根据|按照|依据|依照|贯彻落实|贯彻)[^。；]*$")
_ORG_LINE_RE = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:办公厅|办公室|人民政府|委员会|局|委)$")
_TRAILER_RE = re.compile(
    rf"^(?:本(?:{_PLAN_WORDS}|实施方案|行动方案|通知|规定)|此件|（此件|附件|【|- \[|抄送|印发)"
)
_CONTAINER_RE = re.compile(
    r"^(?:重点任务|主要任务|工作任务|重点工作|主要措施|具体措施|任务措施|重点举措|主要内容|政策措施)$"
)
_TARGET_SECTION_RE = re.compile(r"^(?:主要|发展|工作|总体|预期|行动|具体)?目标(?:任务)?$")
_EXCLUDED_RE = re.compile(
    r"^(?:指导思想|基本原则|总体要求|保障措施|组织实施|工作要求|组织保障|实施步骤|工作步骤|"
    r"总体思路|工作原则|适用范围|其他事项|附则|工作机制|实施保障)$"
)
_LEAD_IN_RE = re.compile(
    r"^(?:重点是要|重点是|主要是|重点包括|主要包括|具体包括|包括|其中，|同时，|此外，|另外，)"
)
_ORDINAL_RE = re.compile(r"(?:^|[，。；])(?P<o>[一二三四五六七八九十]是)")
_RANK = {"l0": 0, "l1": 1, "l2": 2, "l3": 3, "l4": 4, "l5": 5}
_TIME_CLAUSE_RE = re.compile(r"[（(](?:完成时限|完成时间|时间节点|时限)[：:][^（）()]*[）)]")
_CLOSING_WORDS = (
    r"保障措施|组织实施|组织保障|工作要求|实施保障|工作保障|保障机制|附则|其他事项|附件说明|"
    r"组织领导|监督考核|督查考核|工作机制"
)
_CLOSING_RE = re.compile(rf"^(?P<title>{_CLOSING_WORDS})(?:[。：:]|$)")


@dataclass
class _Ctx:
    gazetteer: Gazetteer | None
    warnings: list[Warning] = field(default_factory=list)
    issue_date: dt.date | None = None

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.gazetteer, self.warn)

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(Warning(line, message))

    def deadline(
        self, text: str, line_at: Callable[[int], int]
    ) -> tuple[Deadline | None, list[dates.DateHit]]:
        hits = dates.find_deadlines(text, self.issue_date)
        for h in hits:
            if h.warning:
                self.warn(line_at(h.start), h.warning)
        best = dates.latest(hits)
        if best is None:
            return None, hits
        d = best.deadline
        return Deadline(d.date, d.phrase, d.ongoing, line_at(best.start)), hits

    def facts(
        self, block: Block, start: int, end: int, scope: str
    ) -> tuple[Deadline | None, list[BodyRef], list[Target]]:
        """(deadline, bodies, targets) stated in block.text[start:end]."""
        text = block.text[start:end]

        def line_at(i: int) -> int:
            return block.line_at(start + i)

        deadline, hits = self.deadline(text, line_at)
        bodies: list[BodyRef] = []
        for clause in find_clauses(text):
            bodies.extend(self.resolver.from_clause(clause, line_at))
        bodies = merge(bodies, self.resolver.from_sentence(text, line_at))
        targets = find_targets(text, scope, hits, line_at)
        return deadline, bodies, targets


# ---------------------------------------------------------------------------------------
# The entry point


def parse(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    source_name: str = "",
    refs: Mapping[int, str] | None = None,
    source_kind: str = "text",
) -> ParsedPlan:
    """Parse a plan text into a ParsedPlan.

    `refs` maps a line of `text` to where it stands in the uploaded document ("第3页",
    "表1第5行"); without it a line is "第N行" of the text. `plan.read_document()` passes it
    for .docx, .pdf, .html, .xlsx and .csv files.

    Raises PlanParseError (a PlanError) when the text is empty, is not a plan, or has no
    structure that can be read; it raises no other exception.
    """
    if not isinstance(text, str):
        raise PlanParseError("输入的不是文本")
    if not text.strip():
        raise PlanParseError("文本为空，没有可导入的内容")
    lines = clean_lines(text)
    tables, lines = find_tables(lines)
    titles = _enumerated_titles(join(lines))
    blocks = join(lines, titles)
    if not blocks and not tables:
        raise PlanParseError("文本为空，没有可导入的内容")
    article, (first, last) = _choose_article(blocks, tables)
    tables = [t for t in tables if first <= t.first <= last]
    place = _text_place(article) if article else ""
    if gazetteer is not None and place and place != gazetteer.jurisdiction:
        # A gazetteer of another city would turn this plan's bodies into that city's.
        mismatch = f"方案属于{place}，所选地名文件属于{gazetteer.jurisdiction}，已忽略该地名文件"
        gazetteer = None
    else:
        mismatch = ""
    ctx = _Ctx(gazetteer)
    if mismatch:
        ctx.warn(article[0].first if article else None, mismatch)
    plan = _read_meta(article, ctx, gazetteer, source_name, (first, last))
    prose_tasks: list[Task] = []
    if article:
        levels = Counter(b.heading_level for b in article if b.heading_level)
        if any(n >= 2 for n in levels.values()):
            _read_official(article, plan, ctx)
        elif not tables:
            _read_prose(
                article,
                plan,
                ctx,
                [t for t in titles if any(b.text.startswith(t) for b in article)],
            )
        prose_tasks = plan.tasks
    if tables:
        _merge_tables(plan, prose_tasks, tables, ctx)
    if not plan.tasks:
        raise PlanParseError(
            "没有识别出任何任务：文本中既无编号的任务，也无可识别的任务段落或任务表",
            plan.span.first,
        )
    for number, task in enumerate(plan.tasks, start=1):
        task.number = number
        if not task.stated_at:
            task.stated_at = [task.span]
    _check_counts(plan, article, ctx)
    plan.warnings = ctx.warnings + gap_warnings(plan)
    plan.slug = _derive_slug(plan.jurisdiction, plan.title)
    plan.gazetteer = gazetteer
    plan.source_kind = source_kind
    fill_refs(plan, refs or {})
    return plan


def _derive_slug(jurisdiction: str, title: str) -> str:
    """A stable identity from what the text says (its place and title), never from the file
    name: the same plan uploaded as "plan.txt" or "方案.txt" is the same plan, and two
    different plans uploaded under one generic name are not. The review file may set a
    readable slug instead."""
    digest = hashlib.sha1(f"{jurisdiction}|{title}".encode()).hexdigest()[:12]
    return f"plan-{digest}"


# ---------------------------------------------------------------------------------------
# Finding the plan on the page


def _enumerated_titles(blocks: list[Block]) -> list[str]:
    """Category names listed in the text: "从A、B、C、D四个方面" → [A, B, C, D]."""
    for block in blocks:
        for m in _ENUM_RE.finditer(block.text):
            listed = m.group("list")
            names = [n.strip() for n in re.split(r"[、，,]", listed) if n.strip()]
            if names and names[-1] and ("和" in names[-1] or "及" in names[-1]) and len(names) >= 2:
                last = re.split(r"以及|和|及", names[-1])
                if all(title_shaped(x) for x in last):
                    names = names[:-1] + last
            expected = dates.cn_number(m.group("n"))
            if expected is not None and len(names) != expected:
                continue
            if len(names) >= 2 and all(2 <= len(core(n)) <= 16 for n in names):
                return names
    return []


def _articles(blocks: list[Block]) -> list[list[Block]]:
    starts: list[int] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.md and not HEADING_RE.match(b.text):
            start = i
            prev = blocks[i - 1] if i else None
            if (
                prev is not None
                and not prev.md
                and is_kicker(prev.text)
                and (not starts or starts[-1] < i - 1)
            ):
                start = i - 1
            starts.append(start)
            while i < len(blocks) and blocks[i].md and not HEADING_RE.match(blocks[i].text):
                i += 1
        else:
            i += 1
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts, len(blocks)]
    return [blocks[s:e] for s, e in itertools.pairwise(bounds) if e > s]


def _score(article: list[Block]) -> int:
    text = "".join(b.text for b in article)
    score = 0
    if _PLAN_TITLE_RE.search(text):
        score += 2
    if any(b.md and re.search(_PLAN_WORDS, b.text) for b in article):
        score += 2
    if _DECLARED_RE.search(text) or _DECLARED_TASKS_RE.search(text):
        score += 3
    score += min(5, sum(len(find_clauses(b.text)) for b in article))
    score += min(5, sum(1 for b in article if HEADING_RE.match(b.text)))
    return score


def _choose_article(
    blocks: list[Block], tables: list[Table]
) -> tuple[list[Block], tuple[int, int]]:
    """The article that is the plan, and the lines it covers up to the next article (a task
    table in that range belongs to it)."""
    articles = _articles(blocks) if blocks else []
    if not articles:
        return [], (1, 10**9)
    scored = []
    for k, a in enumerate(articles):
        first = a[0].first
        last = articles[k + 1][0].first - 1 if k + 1 < len(articles) else 10**9
        with_table = any(first <= t.first <= last for t in tables)
        scored.append((_score(a) + (8 if with_table else 0), -k, a, (first, last)))
    best_score, _, best, bounds = max(scored, key=lambda t: (t[0], t[1]))
    if best_score < 2:
        raise PlanParseError(
            "这不像一份实施方案：没有方案名称（《…方案》）、任务数量、编号的任务、责任单位或任务表",
            blocks[0].first if blocks else None,
        )
    return best, bounds


# ---------------------------------------------------------------------------------------
# Plan-level facts


def _cited(text: str, at: int) -> bool:
    """Whether `at` is inside another document's title (《…》) or in a clause that cites
    one ("根据…印发…"): an issuer found there issued that document, not this plan."""
    before = text[:at]
    if before.count("《") > before.count("》"):
        return True
    return bool(_CITING_RE.search(before[-200:]))


def _read_meta(
    article: list[Block],
    ctx: _Ctx,
    gazetteer: Gazetteer | None,
    source_name: str = "",
    bounds: tuple[int, int] = (1, 1),
) -> ParsedPlan:
    text = "".join(b.text for b in article)
    title = ""
    for m in _PLAN_TITLE_RE.finditer(text):
        if len(m.group(1)) >= 6 and not m.group(1).startswith(("实施方案", "方案")):
            title = m.group(1)
            break
    if not title:
        heading = next((b for b in article if b.md or b.bold), None)
        if heading is not None:
            title = heading.text
        elif article:
            title = article[0].text[:60]
        else:
            # A task table alone: its file's name is all there is.
            title = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", source_name) or "任务表"
    declared_c: int | None = None
    declared_t: int | None = None
    for block in article:
        found = _DECLARED_RE.search(block.text)
        if found:
            declared_c = dates.cn_number(found.group("c"))
            declared_t = dates.cn_number(found.group("t"))
            break
    if declared_t is None:
        for block in article:
            found = _DECLARED_TASKS_RE.search(block.text)
            if found:
                declared_t = dates.cn_number(found.group("t"))
                break
    if declared_c is None:
        for block in article:
            found = _ENUM_RE.search(block.text)
            if found:
                declared_c = dates.cn_number(found.group("n"))
                break
    issuer, issue_date = "", None
    for k, block in enumerate(article):
        d = dates.date_of(block.text)
        if d is not None:
            issue_date = d
            if k and _ORG_LINE_RE.match(article[k - 1].text):
                issuer = article[k - 1].text
            break
    if not issuer:
        by = next((m for m in _ISSUER_RE.finditer(text) if not _cited(text, m.start())), None)
        if by:
            issuer = re.sub(r"^(?:近期|近日|日前|经|由)", "", by.group("who"))
    if not issuer:
        # The notice that issues or forwards the plan: "X关于印发/转发《…》的通知".
        for block in article[:5]:
            notice = _NOTICE_ISSUER_RE.match(block.text)
            if notice:
                issuer = notice.group("who")
                break
    jurisdiction = gazetteer.jurisdiction if gazetteer else _place(title) or _place(issuer)
    ctx.issue_date = issue_date
    if issue_date is None:
        ctx.warn(
            article[0].first if article else None,
            "原文未写明印发日期；“年内”等相对时限无法换算为日期",
        )
    return ParsedPlan(
        title=title.strip()[:200],
        jurisdiction=jurisdiction,
        issuer=issuer[:100],
        issue_date=issue_date,
        start_date=None,
        start_date_source="",
        declared_categories=declared_c,
        declared_tasks=declared_t,
        span=Span(article[0].first, article[-1].last) if article else Span(*bounds),
    )


def _text_place(article: list[Block]) -> str:
    """The place the plan's own title or issuing line names ("聊城市"), or ""."""
    for block in article[:6]:
        text = re.sub(r"^[#\s]+|[《》]", "", block.text)
        text = re.sub(r"^(?:我市发布|关于印发|关于)", "", text)
        m = re.search(r"《([^》]{2,60})》", block.text)
        for candidate in ([m.group(1)] if m else []) + [text]:
            place = _place(candidate)
            if place and not place.endswith(("县", "区")):
                return place
    return ""


def _place(text: str) -> str:
    m = re.match(r"^([\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|盟|县|区))", text or "")
    return m.group(1) if m and not m.group(1).startswith(("关于", "我市", "全市", "本市")) else ""


def _check_counts(plan: ParsedPlan, article: list[Block], ctx: _Ctx) -> None:
    line = next((b.first for b in article if _DECLARED_RE.search(b.text)), plan.span.first)
    if plan.declared_tasks is not None and plan.declared_tasks != len(plan.tasks):
        ctx.warn(
            line,
            f"原文称有{plan.declared_tasks}项任务，实际识别出{len(plan.tasks)}项；"
            "请在审核文件中合并或拆分，使其与原文一致",
        )
    if plan.declared_categories is not None and plan.declared_categories != len(plan.categories):
        ctx.warn(
            line,
            f"原文称有{plan.declared_categories}类任务，实际识别出{len(plan.categories)}类",
        )


GAP_PREFIXES = ("【缺少责任单位】", "【缺少牵头单位】", "【缺少时限】")


def gap_warnings(plan: ParsedPlan) -> list[Warning]:
    """One warning per kind of gap the text leaves: tasks without any body, without a lead
    at task level, without a deadline."""
    out: list[Warning] = []
    no_lead = [t.number for t in plan.tasks if t.lead is None]
    no_body = [t.number for t in plan.tasks if not t.all_bodies()]
    on_measures = [n for n in no_lead if n not in no_body]
    undated = [t.number for t in plan.tasks if t.deadline is None]
    if no_body:
        out.append(
            Warning(
                None,
                f"{GAP_PREFIXES[0]}{len(no_body)}项任务未写明任何责任单位：第{_nums(no_body)}项",
            )
        )
    if on_measures:
        out.append(
            Warning(
                None,
                f"{GAP_PREFIXES[1]}{len(on_measures)}项任务在任务一级没有牵头单位"
                f"（或只在措施上写明责任单位）：第{_nums(on_measures)}项",
            )
        )
    if undated:
        out.append(
            Warning(
                None, f"{GAP_PREFIXES[2]}{len(undated)}项任务未写明完成时限：第{_nums(undated)}项"
            )
        )
    return out


def _nums(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


# ---------------------------------------------------------------------------------------
# Official documents: numbered headings


@dataclass
class _Item:
    level: str
    head: Block
    title: str
    title_end: int  # offset in head.text where the item's own text starts
    paras: list[Block] = field(default_factory=list)
    children: list[_Item] = field(default_factory=list)
    parent: _Item | None = None
    head_clause: bool = False  # the heading itself names bodies: "（一）…（牵头单位：…）"
    closing: bool = False  # an unnumbered closing section (保障措施, 组织实施, …)

    @property
    def rank(self) -> int:
        return _RANK[self.level]

    def blocks(self) -> list[Block]:
        # The heading's own words, then its paragraphs (the first is the rest of the
        # heading's line): each piece of text once.
        out = [self.head.sub(0, self.title_end).strip(), *self.paras]
        for child in self.children:
            out.extend(child.blocks())
        return out

    def own_has_clause(self) -> bool:
        return self.head_clause or any(find_clauses(p.text) for p in self.paras)

    def subtree_has_clause(self) -> bool:
        return self.own_has_clause() or any(c.subtree_has_clause() for c in self.children)

    def walk(self) -> Iterator[_Item]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def span(self) -> Span:
        blocks = self.blocks()
        return Span(blocks[0].first, max(b.last for b in blocks))


def _make_item(block: Block) -> _Item:
    m = HEADING_RE.match(block.text)
    assert m is not None
    level = next(lv for lv in _RANK if m.group(lv))
    start = m.end()
    rest = block.text[start:]
    stop = None
    for k, ch in enumerate(rest[:60]):
        if ch in "。！？；" or (ch in "：:" and k <= 12 and "，" not in rest[:k]):
            stop = k
            break
    if stop is None:
        if len(rest) <= 60 or not ends_sentence(rest):
            stop = len(rest) if len(rest) <= 60 else min(len(rest), 40)
        else:
            stop = min(len(rest), 40)
    head_clause = False
    own_start = start + stop
    # A clause in the heading itself ("（一）加强组织领导（牵头单位：…）") names the task's
    # own bodies: the title ends where it starts, and it belongs to the title part.
    for clause in find_clauses(block.text):
        if start <= clause.start <= start + stop:
            stop = clause.start - start
            own_start = clause.end
            head_clause = True
            break
    title = rest[:stop].strip()
    while own_start < len(block.text) and block.text[own_start] in "。：:！？； ":
        own_start += 1
    item = _Item(level, block, title, own_start, head_clause=head_clause)
    remainder = block.sub(own_start).strip()
    if remainder.text:
        item.paras.append(remainder)
    return item


def _closing_item(block: Block) -> _Item | None:
    """An unnumbered closing section ("保障措施", "组织实施。各区要…"), or None."""
    m = _CLOSING_RE.match(block.text)
    if m is None:
        return None
    item = _Item("l1", block, m.group("title"), m.end(), closing=True)
    remainder = block.sub(m.end()).strip()
    if remainder.text:
        item.paras.append(remainder)
    return item


def _read_official(article: list[Block], plan: ParsedPlan, ctx: _Ctx) -> None:
    first = next(k for k, b in enumerate(article) if HEADING_RE.match(b.text))
    body = article[first:]
    # The trailer (本方案自…施行, signature, date, attachments) ends the structure when no
    # heading follows it.
    last_heading = max(k for k, b in enumerate(body) if HEADING_RE.match(b.text))
    for k in range(last_heading + 1, len(body)):
        t = body[k].text
        if _TRAILER_RE.match(t) or dates.date_of(t) or _ORG_LINE_RE.match(t):
            body = body[:k]
            break
    roots: list[_Item] = []
    stack: list[_Item] = []
    for block in body:
        if HEADING_RE.match(block.text):
            item = _make_item(block)
            while stack and stack[-1].rank >= item.rank:
                stack.pop()
            if stack:
                item.parent = stack[-1]
                stack[-1].children.append(item)
            else:
                roots.append(item)
            stack.append(item)
            continue
        closing = _closing_item(block) if stack else None
        if closing is not None:
            # Its text is never the last task's: it is a section of its own.
            roots.append(closing)
            stack = [closing]
        elif stack:
            stack[-1].paras.append(block)
    items = [it for root in roots for it in root.walk()]
    for it in items:
        if _TARGET_SECTION_RE.match(it.title):
            _read_plan_targets(it, plan, ctx)
    if any(it.own_has_clause() for it in items):
        task_items = [t for root in roots for t in _carrier_tasks(root, top=True)]
    else:
        level = _task_level(items)
        task_items = [
            it
            for it in items
            if it.level == level
            and not _in_section(it, _TARGET_SECTION_RE)
            and not _in_section(it, _EXCLUDED_RE)
            and not _in_closing(it)
        ]
    categories: dict[int, Category] = {}

    def category_of(node: _Item | None) -> int | None:
        if node is None or _CONTAINER_RE.match(node.title) or node.closing:
            return None
        key = id(node)
        if key not in categories:
            summary = " ".join(p.text for p in node.paras if not HEADING_RE.match(p.text))
            categories[key] = Category(len(categories) + 1, node.title, summary, node.span)
        return categories[key].number

    for it in task_items:
        is_last = it is task_items[-1]
        segments, tail = _segments(it) if not it.children and not it.head_clause else ([], [])
        if segments and tail:
            if is_last:
                line = tail[0][0].line_at(tail[0][1])
                ctx.warn(
                    line, f"第{line}行起的文字在最后一项任务的责任单位之后，视为结尾，未计入任务"
                )
            else:
                segments[-1].extend(tail)
        if len(segments) >= 2:
            # Each body clause closes a unit of work of its own inside the item: the units
            # are the tasks, the item their category.
            number = category_of(it)
            for segment in segments:
                plan.tasks.append(_segment_task(segment, number, ctx))
            continue
        plan.tasks.append(_official_task(it, category_of(it.parent), ctx, is_last))
        if not it.subtree_has_clause() and any(t.own_has_clause() for t in task_items):
            ctx.warn(it.head.first, f"任务“{it.title}”没有责任单位条款")
    plan.categories = list(categories.values())


def _carrier_tasks(item: _Item, top: bool = False) -> list[_Item]:
    """The tasks under `item` in a plan whose items name their bodies: the highest items
    that carry a body clause of their own (their sub-items are their measures), and the
    items beside them that carry none (a task the text left without bodies). A section
    whose items name no bodies (指导思想, 实施步骤, a closing section) gives no tasks."""
    if item.own_has_clause():
        return [item]
    if not item.subtree_has_clause():
        return []
    out: list[_Item] = []
    carriers = [c for c in item.children if c.own_has_clause()]
    for child in item.children:
        if child.subtree_has_clause():
            out.extend(_carrier_tasks(child))
        elif carriers and not child.children and not child.closing:
            out.append(child)
    return out


def _in_section(item: _Item, pattern: re.Pattern[str]) -> bool:
    node: _Item | None = item
    while node is not None:
        if pattern.match(node.title):
            return True
        node = node.parent
    return False


def _in_closing(item: _Item) -> bool:
    node: _Item | None = item
    while node is not None:
        if node.closing:
            return True
        node = node.parent
    return False


def _task_level(items: list[_Item]) -> str | None:
    leaves = Counter(
        it.level
        for it in items
        if not it.children
        and not _in_section(it, _TARGET_SECTION_RE)
        and not _in_section(it, _EXCLUDED_RE)
        and not _in_closing(it)
    )
    if not leaves:
        return None
    return max(leaves, key=lambda lv: (leaves[lv], -_RANK[lv]))


_Piece = tuple[Block, int, int]  # a block and a [start, end) range of its text


def _segments(item: _Item) -> tuple[list[list[_Piece]], list[_Piece]]:
    """The item's own text cut after each body clause: each piece of work the text closes
    with its own 责任单位 clause ("…。（生态环境部牵头，…参与）"), in order; and the text
    after the last clause (the caller gives it to the last piece, or drops it as closing
    text after the plan's last task)."""
    segments: list[list[_Piece]] = []
    current: list[_Piece] = []
    for block in item.paras:
        pos = 0
        for clause in find_clauses(block.text):
            end = clause.end
            while end < len(block.text) and block.text[end] in "。；; ":
                end += 1
            current.append((block, pos, end))
            segments.append(current)
            current, pos = [], end
        if block.text[pos:].strip("。；; \n"):
            current.append((block, pos, len(block.text)))
    if not segments:
        return ([current] if current else []), []
    return segments, current


def _piece_block(pieces: list[_Piece]) -> Block:
    parts: list[Block] = []
    for block, start, end in pieces:
        if parts:
            parts.append(Block("\n", [block.line_at(start)]))
        parts.append(block.sub(start, end).strip())
    return concat(parts)


def _segment_task(pieces: list[_Piece], category: int | None, ctx: _Ctx) -> Task:
    whole = _piece_block(pieces)
    bodies: list[BodyRef] = []
    for clause in find_clauses(whole.text):
        bodies = merge(bodies, ctx.resolver.from_clause(clause, whole.line_at))
    stripped = _without_clauses(whole)
    task = Task(
        number=0,
        title=_tidy_title(title_of(stripped.text)),
        text=whole.text,
        span=whole.span(),
        category=category,
        bodies=bodies,
    )
    for s, e in sentences(stripped.text):
        task.measures.append(
            _measure_from(stripped, s, e, len(task.measures) + 1, ctx, strip_clauses=False)
        )
    task.measures = [m for m in task.measures if m.text]
    task.deadline, task.milestones = _stated_deadline([whole], ctx)
    return task


def _official_task(item: _Item, category: int | None, ctx: _Ctx, is_last: bool) -> Task:
    paras = list(item.paras)
    if is_last and not item.children and not item.head_clause:
        # Text after the last task's own clause is the plan's closing text, not the task's.
        with_clause = [k for k, p in enumerate(paras) if find_clauses(p.text)]
        if with_clause:
            k = with_clause[-1]
            end = find_clauses(paras[k].text)[-1].end
            while end < len(paras[k].text) and paras[k].text[end] in "。；; ":
                end += 1
            tail_line = None
            if paras[k].text[end:].strip():
                tail_line = paras[k].line_at(end)
            elif k < len(paras) - 1:
                tail_line = paras[k + 1].first
            if tail_line is not None:
                paras = [*paras[:k], paras[k].sub(0, end)]
                ctx.warn(
                    tail_line,
                    f"第{tail_line}行起的文字在最后一项任务的责任单位之后，视为结尾，未计入任务",
                )
    blocks = [item.head.sub(0, item.title_end).strip(), *paras]
    for child in item.children:
        blocks.extend(child.blocks())
    whole = concat(_with_breaks(blocks))
    _, t_bodies, t_targets = ctx.facts(item.head, 0, item.title_end, "task")
    task = Task(
        number=0,
        title=_tidy_title(item.title),
        text=whole.text,
        span=Span(blocks[0].first, max(b.last for b in blocks)),
        category=category,
        bodies=t_bodies,
        targets=t_targets,
    )
    measures: list[Measure] = []
    if item.children:
        for p in paras:
            for clause in find_clauses(p.text):
                task.bodies = merge(task.bodies, ctx.resolver.from_clause(clause, p.line_at))
        for child in item.children:
            child_block = concat(_with_breaks(child.blocks()))
            marker = HEADING_RE.match(child_block.text)
            if marker:
                child_block = child_block.sub(marker.end())
            measures.append(
                _measure_from(child_block, 0, len(child_block.text), len(measures) + 1, ctx)
            )
    else:
        with_clause = [bool(find_clauses(p.text)) for p in paras]
        if len(paras) >= 2 and all(with_clause) and item.head_clause:
            for p in paras:
                measures.append(_measure_from(p, 0, len(p.text), len(measures) + 1, ctx))
        else:
            for p in paras:
                for clause in find_clauses(p.text):
                    task.bodies = merge(task.bodies, ctx.resolver.from_clause(clause, p.line_at))
                stripped = _without_clauses(p)
                for s, e in sentences(stripped.text):
                    measures.append(
                        _measure_from(stripped, s, e, len(measures) + 1, ctx, strip_clauses=False)
                    )
    task.measures = [m for m in measures if m.text]
    for k, m in enumerate(task.measures, start=1):
        m.number = k
    task.deadline, task.milestones = _stated_deadline(blocks, ctx)
    return task


def _stated_deadline(
    blocks: list[Block], ctx: _Ctx, labelled: bool = False
) -> tuple[Deadline | None, list[Milestone]]:
    """The deadline the task's own text states, and its stages: every deadline phrase
    in the task's text (its heading, paragraphs and sub-items) counts, the latest date is
    the due date (a task due in stages is due at its last stage), and when two or more
    dates are stated each is a Milestone. Only an ongoing phrase (长期坚持) when no date."""
    found: list[tuple[dates.DateHit, Block]] = []
    for block in blocks:
        for hit in dates.find_deadlines(block.text, ctx.issue_date, labelled=labelled):
            if hit.warning:
                ctx.warn(block.line_at(hit.start), hit.warning)
            found.append((hit, block))
    best = dates.latest([h for h, _ in found])
    if best is None:
        return None, []
    block = next(b for h, b in found if h is best)
    d = best.deadline
    deadline = Deadline(d.date, d.phrase, d.ongoing, block.line_at(best.start))
    dated = [(h, b) for h, b in found if h.deadline.date is not None]
    milestones: list[Milestone] = []
    if len({h.deadline.date for h, _ in dated}) >= 2:
        seen: set[dt.date] = set()
        for h, b in dated:
            assert h.deadline.date is not None
            if h.deadline.date in seen:
                continue  # a 完成时限 line restating a stage is not another stage
            seen.add(h.deadline.date)
            milestones.append(
                Milestone(
                    h.deadline.date,
                    h.deadline.phrase,
                    _stage_words(b.text, h.start, h.end),
                    b.line_at(h.start),
                )
            )
    return deadline, milestones


def _stage_words(text: str, start: int, end: int) -> str:
    """The words a stage's date applies to: its clause without the date phrase."""
    left = max(text.rfind(ch, 0, start) for ch in "，。；：,;\n") + 1
    rights = [p for p in (text.find(ch, end) for ch in "，。；,;\n") if p >= 0]
    right = min(rights) if rights else len(text)
    words = (text[left:start] + text[end:right]).strip(" ，,")
    # "2024年6月底前、2025年底前" (a 完成时限 cell): the other stage's date is not words.
    words = "、".join(p for p in words.split("、") if not _only_a_date(p)).strip(" ，,、")
    if not words and right < len(text):
        # "2024年底前，完成试点": the words are in the next clause.
        nxt = [p for p in (text.find(ch, right + 1) for ch in "，。；,;\n") if p >= 0]
        words = text[right + 1 : min(nxt) if nxt else len(text)].strip()
    return words[:100]


def _only_a_date(piece: str) -> bool:
    """True when `piece` is nothing but a deadline phrase ("2025年底前")."""
    piece = piece.strip(" ，,")
    hits = dates.find_deadlines(piece, None)
    return bool(hits) and hits[0].start == 0 and hits[0].end == len(piece)


def _with_breaks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for k, b in enumerate(blocks):
        if k:
            out.append(Block("\n", [b.first]))
        out.append(b)
    return out


def _without_clauses(block: Block) -> Block:
    """The block without its 责任单位 and 时限 clauses."""
    cuts = [(c.start, c.end) for c in find_clauses(block.text)]
    cuts += [m.span() for m in _TIME_CLAUSE_RE.finditer(block.text)]
    if not cuts:
        return block
    pieces, pos = [], 0
    for s, e in sorted(cuts):
        if s >= pos:
            pieces.append(block.sub(pos, s))
            pos = e
    pieces.append(block.sub(pos))
    return concat(pieces).strip()


def _measure_from(
    block: Block, start: int, end: int, number: int, ctx: _Ctx, strip_clauses: bool = True
) -> Measure:
    deadline, bodies, targets = ctx.facts(block, start, end, "task")
    if strip_clauses:
        piece = _without_clauses(block.sub(start, end))
        text = piece.text
    else:
        text = block.text[start:end].strip()
    return Measure(
        number=number,
        text=text.strip(),
        span=block.span(start, end),
        deadline=deadline,
        bodies=bodies,
        targets=targets,
    )


def _read_plan_targets(item: _Item, plan: ParsedPlan, ctx: _Ctx) -> None:
    for k, block in enumerate(item.blocks()):
        if k == 0:
            continue  # the section's heading ("一、主要目标") states no target
        for s, e in sentences(block.text):
            _, _, targets = ctx.facts(block, s, e, "plan")
            for t in targets:
                if t.scope == "task":
                    t.scope = "plan"
            plan.targets.extend(targets)


def _tidy_title(title: str) -> str:
    t = re.sub(r"[，,；;]?\s*(?:完成时限|完成时间|时间节点|时限要求|时限)[：:].*$", "", title)
    t = t.strip().strip("。，,；;：: ")
    if t.endswith("等") and len(t) > 3:
        t = t[:-1]
    return t[:200]


# ---------------------------------------------------------------------------------------
# Task tables (附件 重点任务分工表) and their merging with the prose


def _table_tasks(table: Table, ctx: _Ctx) -> list[tuple[Task, str]]:
    """(task, category name or "") for each row of a task table."""
    names = table.column(NAME)
    contents = table.column(CONTENT)
    name_col = names[0] if names else None
    text_col = contents[0] if contents else name_col
    if text_col is None:
        return []
    # A name column whose cells are left out or repeated (a merged cell) groups the rows:
    # it is their category, and each row's own text is its task.
    grouped = False
    if name_col is not None and name_col != text_col:
        seen = [r.cells.get(name_col) for r in table.rows]
        texts = [c.text for c in seen if c is not None]
        grouped = len(texts) < len(seen) or len(set(texts)) < len(texts)
    out: list[tuple[Task, str]] = []
    category = ""
    for row in table.rows:
        main = row.cells.get(text_col)
        name = row.cells.get(name_col) if name_col is not None else None
        if grouped and name is not None:
            category = name.text
        if main is None and name is not None and not grouped:
            main = name
        if main is None:
            ctx.warn(row.first, f"任务表第{row.number}行没有任务内容，未导入")
            continue
        block = _cell_block(main)
        if name is not None and not grouped and name is not main:
            title = name.text
            full = concat([_cell_block(name), Block("\n", [name.line]), block])
        else:
            title = title_of(block.text)
            full = block
        task = Task(
            number=0,
            title=_tidy_title(title),
            text=full.text,
            span=Span(row.first, row.last, f"表{table.number}第{row.number + 1}行"),
            category=None,
        )
        cells: list[tuple[str, str, int]] = []
        for col, cell in sorted(row.cells.items()):
            kind = {LEAD_COL: P_LEAD, RESP_COL: P_RESP, SUPPORT_COL: P_SUPPORT}.get(
                table.roles[col]
            )
            if kind is not None:
                cells.append((kind, cell.text, cell.line))
        task.bodies = ctx.resolver.from_cells(cells)
        times = [row.cells[c] for c in table.column(TIME_COL) if c in row.cells]
        if times:
            task.deadline, task.milestones = _stated_deadline(
                [_cell_block(c) for c in times], ctx, labelled=True
            )
        if task.deadline is None:
            task.deadline, task.milestones = _stated_deadline([block], ctx)
        parts = sentences(block.text)
        if len(parts) >= 2 or (name is not None and not grouped):
            for s, e in parts:
                task.measures.append(_measure_from(block, s, e, len(task.measures) + 1, ctx))
        else:
            _, _, task.targets = ctx.facts(block, 0, len(block.text), "task")
        out.append((task, category))
    return out


def _cell_block(cell: Cell) -> Block:
    return Block(cell.text, [cell.line] * len(cell.text))


def _merge_tables(plan: ParsedPlan, prose: list[Task], tables: list[Table], ctx: _Ctx) -> None:
    """Put the plan's task tables together with its prose.

    A prose task that a table row restates (their titles agree) takes the row's bodies
    and, when the row gives one, its deadline; it keeps both places as `stated_at`. When
    the prose states tasks without bodies and its items do not match the rows one for one
    (the table divides the work differently), the rows are the tasks: prose items that
    name no bodies are not tasks of their own then (a warning says so). Rows that match
    no prose task are tasks of their own, with the table's names as their categories."""
    rows: list[tuple[Task, str]] = []
    for table in tables:
        rows.extend(_table_tasks(table, ctx))
    if not rows:
        return
    pairs = _match_titles([t.title for t in prose], [t.title for t, _ in rows])
    prose_has_bodies = any(t.all_bodies() for t in prose)
    merge_into_prose = bool(prose) and (prose_has_bodies or len(pairs) * 2 >= len(rows))
    used_rows: set[int] = set()
    tasks: list[Task] = []
    if merge_into_prose:
        for k, task in enumerate(prose):
            r = pairs.get(k)
            if r is not None:
                row_task = rows[r][0]
                used_rows.add(r)
                if row_task.bodies:
                    task.bodies = row_task.bodies
                if row_task.deadline is not None:
                    task.deadline, task.milestones = row_task.deadline, row_task.milestones
                task.stated_at = [task.span, row_task.span]
            tasks.append(task)
    else:
        kept = [t for t in prose if t.all_bodies()]
        dropped = len(prose) - len(kept)
        if dropped:
            ctx.warn(
                rows[0][0].span.first,
                f"任务取自第{tables[0].first}行起的任务表；正文中{dropped}个条目未写明责任单位，"
                "不单独列为任务",
            )
        tasks.extend(kept)
    cats: dict[str, int] = {c.title: c.number for c in plan.categories}
    for r, (task, category) in enumerate(rows):
        if r in used_rows:
            continue
        if category:
            if category not in cats:
                number = len(plan.categories) + 1
                plan.categories.append(Category(number, category, "", task.span))
                cats[category] = number
            task.category = cats[category]
        tasks.append(task)
    plan.tasks = tasks
    # Categories of prose items that are no longer tasks go; the rest are renumbered.
    used = {t.category for t in tasks}
    kept_categories = [c for c in plan.categories if c.number in used]
    renumber = {c.number: k for k, c in enumerate(kept_categories, start=1)}
    for c in kept_categories:
        c.number = renumber[c.number]
    for t in tasks:
        t.category = renumber.get(t.category) if t.category is not None else None
    plan.categories = kept_categories


def _norm_title(title: str) -> str:
    return re.sub(r"[\s“”\"‘’「」，,。；;：:、（）()【】\-—·等]", "", title)


def _title_similarity(a: str, b: str) -> float:
    a, b = _norm_title(a), _norm_title(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a in b or b in a:
        return 0.5 + 0.5 * min(len(a), len(b)) / max(len(a), len(b))
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


def _match_titles(left: list[str], right: list[str]) -> dict[int, int]:
    """One-to-one pairs (left index → right index) of titles that say the same thing."""
    scored = sorted(
        ((_title_similarity(a, b), i, j) for i, a in enumerate(left) for j, b in enumerate(right)),
        reverse=True,
    )
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for score, i, j in scored:
        if score < 0.75:
            break
        if i in pairs or j in taken:
            continue
        pairs[i] = j
        taken.add(j)
    return pairs


# ---------------------------------------------------------------------------------------
# Titles


_LEAD_IN_CLAUSE_RE = re.compile(
    r"^(?:以[^，。；]{1,40}?为(?:重点|核心|引领|抓手|主线|基础|导向|目标|主体|责任主体|契机|载体|"
    r"突破口|切入点|牵引|依托|支撑)"
    r"|坚持[^，。；]{1,30}?原则|按照[^，。；]{1,40}?(?:原则|要求|部署|规定|标准)"
    r"|依据[^，。；]{1,60}?(?:要求|规定)|根据[^，。；]{1,40}?(?:要求|规定|实际|需要)"
    r"|多措并举|因地制宜|统筹兼顾|立足[^，。；]{1,20}|在[^，。；]{1,30}?(?:中|上|方面|基础上)"
    r"|(?:面向|聚焦|依托|围绕|针对|对标|瞄准|借助)[^，。；]{1,40})$"
)


def title_of(text: str) -> str:
    """A task's title from its text: the first clause, after lead-in clauses that only set
    the scene ("以规模养殖场为重点，", "按照“谁购买谁交回”原则，", "多措并举，"), without a
    long explanation in brackets."""
    body = text.strip()
    pieces = [body[s:e].strip() for s, e in clauses(body)]
    pieces = [p for p in pieces if p]
    if not pieces:
        return body[:40]
    k = 0
    while k < len(pieces) - 1 and _LEAD_IN_CLAUSE_RE.match(pieces[k]):
        k += 1
    title = pieces[k]
    m = re.search(r"（[^（）]{13,}）$", title)
    if m and m.start() >= 4:
        title = title[: m.start()]
    return title


# ---------------------------------------------------------------------------------------
# Where each line is in the uploaded document


def fill_refs(plan: ParsedPlan, refs: Mapping[int, str]) -> None:
    """Give every line and span of the plan its `ref`: where it is in the document the
    administrator uploaded ("第12行", "第3页", "表1第5行"). A ref already set (a table row's
    "表1第5行") is kept, with the document's own place added when that says more."""

    def at(line: int | None) -> str:
        if line is None:
            return ""
        return refs.get(line) or f"第{line}行"

    def span_ref(span: Span) -> str:
        if refs:
            first, last = at(span.first), at(span.last)
            where = first if first == last else f"{first}至{last}"
        else:
            where = (
                f"第{span.first}行" if span.first == span.last else f"第{span.first}–{span.last}行"
            )
        if span.ref and not refs and span.ref not in where:
            return f"{span.ref}（{where}）"
        return where

    done: set[int] = set()

    def fix_span(span: Span) -> None:
        # One Span object may stand in several places (a task's span, its category's).
        if id(span) not in done:
            done.add(id(span))
            span.ref = span_ref(span)

    fix_span(plan.span)
    for c in plan.categories:
        fix_span(c.span)
    for task in plan.tasks:
        for span in [task.span, *task.stated_at]:
            fix_span(span)
        _fill_line_refs(task, at)
        for m in task.measures:
            fix_span(m.span)
            _fill_line_refs(m, at)
    for t in plan.targets:
        t.ref = at(t.line)
    for w in plan.warnings:
        w.ref = at(w.line)


def _fill_line_refs(item: Task | Measure, at: Callable[[int | None], str]) -> None:
    if item.deadline is not None:
        item.deadline.ref = at(item.deadline.line)
    for b in item.bodies:
        b.ref = at(b.line)
        if b.due is not None:
            b.due.ref = at(b.due.line)
    for t in item.targets:
        t.ref = at(t.line)
        if t.due is not None:
            t.due.ref = at(t.due.line)
    for ms in item.milestones:
        ms.ref = at(ms.line)


# ---------------------------------------------------------------------------------------
# Summaries in prose (a newspaper article)


def _read_prose(article: list[Block], plan: ParsedPlan, ctx: _Ctx, titles: list[str]) -> None:
    cat_blocks: list[tuple[Block, str, int]] = []  # (block, title, offset after the title)
    if titles:
        pos = 0
        for title in titles:
            for k in range(pos, len(article)):
                b = article[k]
                if b.text.startswith(title) and not b.md:
                    cut = len(title)
                    while cut < len(b.text) and b.text[cut] in "。，,：:；; ":
                        cut += 1
                    cat_blocks.append((b, title, cut))
                    pos = k + 1
                    break
    if not cat_blocks:
        for b in article:
            if b.md or b.bold or len(b.text) < 30:
                continue
            first = sentences(b.text)
            if not first:
                continue
            s, e = first[0]
            lead = b.text[s:e].rstrip("。！？；")
            if b.text[e - 1 : e] == "。" and "，" not in lead and title_shaped(lead, 12):
                cat_blocks.append((b, lead, e))
    if not cat_blocks:
        raise PlanParseError(
            "没有识别出任务结构：既无编号的标题（一、（一）1.），也无以类别名称开头的段落",
            plan.span.first,
        )
    for number, (block, title, cut) in enumerate(cat_blocks, start=1):
        plan.categories.append(
            Category(number, _tidy_title(title), block.text[cut:].strip(), block.span())
        )
        for task in _prose_tasks(block, cut, number, ctx):
            task.number = len(plan.tasks) + 1
            plan.tasks.append(task)


@dataclass
class _Draft:
    title: str
    start: int  # offset of the task's own sentence (after a lead-in)
    title_end: int  # end of the title sentence
    end: int
    standalone: bool
    measures: list[tuple[int, int]] = field(default_factory=list)


def _prose_tasks(block: Block, cut: int, category: int, ctx: _Ctx) -> list[Task]:
    text = block.text
    drafts: list[_Draft] = []
    ordinals = [m for m in _ORDINAL_RE.finditer(text, cut)]
    spans = sentences(text, cut)
    if len(ordinals) >= 2:
        spans = _ordinal_spans(text, cut, ordinals)
    for s, e in spans:
        lead = _LEAD_IN_RE.match(text[s:e])
        if lead is None and len(ordinals) >= 2:
            lead = re.match(r"^[，。；]?[一二三四五六七八九十]是", text[s:e])
        ts = s + (lead.end() if lead else 0)
        parts = clauses(text, ts, e)
        if not parts:
            continue
        c0s, c0e = parts[0]
        c0 = text[c0s:c0e]
        standalone = len(parts) == 1
        shaped = title_shaped(c0)
        if drafts and not (len(ordinals) >= 2):
            cur = drafts[-1]
            new = shaped and not (cur.standalone and same_topic(c0, cur.title))
        else:
            new = True
        if not new:
            drafts[-1].measures.append((ts, e))
            drafts[-1].end = e
            continue
        title = c0
        if not standalone and len(parts) >= 3 and len(core(c0)) <= 7:
            c1 = text[parts[1][0] : parts[1][1]]
            if title_shaped(c1, 10):
                title = text[c0s : parts[1][1]]
        if not shaped and not lead:
            ctx.warn(block.line_at(ts), f"任务标题取自句首：“{c0[:20]}”")
            title = c0[:30]
        drafts.append(_Draft(title, ts, e, e, standalone))
    tasks: list[Task] = []
    for d in drafts:
        deadline, bodies, targets = ctx.facts(block, d.start, d.title_end, "task")
        task = Task(
            number=0,
            title=_tidy_title(d.title),
            text=text[d.start : d.end].strip(),
            span=block.span(d.start, d.end),
            category=category,
            deadline=deadline,
            bodies=bodies,
            targets=targets,
        )
        for k, (s, e) in enumerate(d.measures, start=1):
            task.measures.append(_measure_from(block, s, e, k, ctx))
        tasks.append(task)
    return tasks


def _ordinal_spans(text: str, cut: int, ordinals: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Segments between 一是 / 二是 / … markers."""
    # The words before 一是 only introduce the list.
    bounds = [*(m.start("o") for m in ordinals), len(text)]
    return list(itertools.pairwise(bounds))
