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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import dates
from .bodies import Resolver, find_clauses, merge
from .cleanup import HEADING_RE, Block, clean_lines, concat, ends_sentence, is_kicker, join
from .errors import PlanParseError
from .gazetteer import Gazetteer
from .model import (
    BodyRef,
    Category,
    Deadline,
    Measure,
    ParsedPlan,
    Span,
    Target,
    Task,
    Warning,
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


def parse(text: str, *, gazetteer: Gazetteer | None = None, source_name: str = "") -> ParsedPlan:
    """Parse a plan text into a ParsedPlan.

    Raises PlanParseError (a PlanError) when the text is empty, is not a plan, or has no
    structure that can be read; it raises no other exception.
    """
    if not isinstance(text, str):
        raise PlanParseError("输入的不是文本")
    if not text.strip():
        raise PlanParseError("文本为空，没有可导入的内容")
    lines = clean_lines(text)
    titles = _enumerated_titles(join(lines))
    blocks = join(lines, titles)
    article = _choose_article(blocks)
    place = _text_place(article)
    if gazetteer is not None and place and place != gazetteer.jurisdiction:
        # A gazetteer of another city would turn this plan's bodies into that city's.
        mismatch = f"方案属于{place}，所选地名文件属于{gazetteer.jurisdiction}，已忽略该地名文件"
        gazetteer = None
    else:
        mismatch = ""
    ctx = _Ctx(gazetteer)
    if mismatch:
        ctx.warn(article[0].first, mismatch)
    plan = _read_meta(article, ctx, gazetteer)
    levels = Counter(b.heading_level for b in article if b.heading_level)
    if any(n >= 2 for n in levels.values()):
        _read_official(article, plan, ctx)
    else:
        _read_prose(
            article, plan, ctx, [t for t in titles if any(b.text.startswith(t) for b in article)]
        )
    if not plan.tasks:
        raise PlanParseError(
            "没有识别出任何任务：文本中既无编号的任务，也无可识别的任务段落", plan.span.first
        )
    _check_counts(plan, article, ctx)
    plan.warnings = ctx.warnings + gap_warnings(plan)
    plan.slug = _derive_slug(plan.jurisdiction, plan.title)
    plan.gazetteer = gazetteer
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


def _choose_article(blocks: list[Block]) -> list[Block]:
    articles = _articles(blocks)
    if not articles:
        raise PlanParseError("文本为空，没有可导入的内容")
    scored = [(_score(a), -k, a) for k, a in enumerate(articles)]
    best_score, _, best = max(scored, key=lambda t: (t[0], t[1]))
    if best_score < 2:
        raise PlanParseError(
            "这不像一份实施方案：没有方案名称（《…方案》）、任务数量、编号的任务或责任单位",
            blocks[0].first if blocks else None,
        )
    return best


# ---------------------------------------------------------------------------------------
# Plan-level facts


def _read_meta(article: list[Block], ctx: _Ctx, gazetteer: Gazetteer | None) -> ParsedPlan:
    text = "".join(b.text for b in article)
    title = ""
    for found in _PLAN_TITLE_RE.finditer(text):
        if len(found.group(1)) >= 6 and not found.group(1).startswith(("实施方案", "方案")):
            title = found.group(1)
            break
    if not title:
        heading = next((b for b in article if b.md or b.bold), None)
        title = heading.text if heading else article[0].text[:60]
    declared_c = declared_t = None
    for block in article:
        m = _DECLARED_RE.search(block.text)
        if m:
            declared_c, declared_t = dates.cn_number(m.group("c")), dates.cn_number(m.group("t"))
            break
    if declared_t is None:
        for block in article:
            m = _DECLARED_TASKS_RE.search(block.text)
            if m:
                declared_t = dates.cn_number(m.group("t"))
                break
    if declared_c is None:
        for block in article:
            m = _ENUM_RE.search(block.text)
            if m:
                declared_c = dates.cn_number(m.group("n"))
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
        m = _ISSUER_RE.search(text)
        if m:
            issuer = re.sub(r"^(?:近期|近日|日前|经|由)", "", m.group("who"))
    jurisdiction = gazetteer.jurisdiction if gazetteer else _place(title) or _place(issuer)
    ctx.issue_date = issue_date
    if issue_date is None:
        ctx.warn(article[0].first, "原文未写明印发日期；“年内”等相对时限无法换算为日期")
    return ParsedPlan(
        title=title.strip()[:200],
        jurisdiction=jurisdiction,
        issuer=issuer[:100],
        issue_date=issue_date,
        start_date=None,
        start_date_source="",
        declared_categories=declared_c,
        declared_tasks=declared_t,
        span=Span(article[0].first, article[-1].last),
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
            "请在复核文件中合并或拆分，使其与原文一致",
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

    @property
    def rank(self) -> int:
        return _RANK[self.level]

    def blocks(self) -> list[Block]:
        out = [self.head, *self.paras]
        for child in self.children:
            out.extend(child.blocks())
        return out

    def own_has_clause(self) -> bool:
        return any(find_clauses(p.text) for p in self.paras)

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
    title = rest[:stop].strip()
    own_start = start + stop
    while own_start < len(block.text) and block.text[own_start] in "。：:！？； ":
        own_start += 1
    item = _Item(level, block, title, own_start)
    remainder = block.sub(own_start).strip()
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
        elif stack:
            stack[-1].paras.append(block)
    items = [it for root in roots for it in root.walk()]
    for it in items:
        if _TARGET_SECTION_RE.match(it.title):
            _read_plan_targets(it, plan, ctx)
    task_level = _task_level(items)
    any_clause = any(it.own_has_clause() for it in items)
    categories: dict[int, Category] = {}
    for it in items:
        if it.level != task_level or _in_section(it, _TARGET_SECTION_RE):
            continue
        top = it
        while top.parent is not None:
            top = top.parent
        if any_clause and not top.subtree_has_clause():
            continue
        if not any_clause and _in_section(it, _EXCLUDED_RE):
            continue
        category = None
        parent = it.parent
        if parent is not None and not _CONTAINER_RE.match(parent.title):
            key = id(parent)
            if key not in categories:
                summary = " ".join(p.text for p in parent.paras if not HEADING_RE.match(p.text))
                categories[key] = Category(len(categories) + 1, parent.title, summary, parent.span)
            category = categories[key].number
        plan.tasks.append(_official_task(it, len(plan.tasks) + 1, category, ctx))
        if any_clause and not it.subtree_has_clause():
            ctx.warn(it.head.first, f"任务“{it.title}”没有责任单位条款")
    plan.categories = list(categories.values())


def _in_section(item: _Item, pattern: re.Pattern[str]) -> bool:
    node: _Item | None = item
    while node is not None:
        if pattern.match(node.title):
            return True
        node = node.parent
    return False


def _task_level(items: list[_Item]) -> str | None:
    with_clause = Counter(it.level for it in items if it.own_has_clause())
    if with_clause:
        return max(with_clause, key=lambda lv: (with_clause[lv], -_RANK[lv]))
    leaves = Counter(
        it.level
        for it in items
        if not it.children
        and not _in_section(it, _TARGET_SECTION_RE)
        and not _in_section(it, _EXCLUDED_RE)
    )
    if not leaves:
        return None
    return max(leaves, key=lambda lv: (leaves[lv], -_RANK[lv]))


def _official_task(item: _Item, number: int, category: int | None, ctx: _Ctx) -> Task:
    whole = concat(_with_breaks(item.blocks()))
    deadline, t_bodies, t_targets = ctx.facts(item.head, 0, item.title_end, "task")
    task = Task(
        number=number,
        title=_tidy_title(item.title),
        text=whole.text,
        span=item.span,
        category=category,
        deadline=deadline,
        bodies=t_bodies,
        targets=t_targets,
    )
    measures: list[Measure] = []
    if item.children:
        for child in item.children:
            child_block = concat(_with_breaks(child.blocks()))
            marker = HEADING_RE.match(child_block.text)
            if marker:
                child_block = child_block.sub(marker.end())
            measures.append(
                _measure_from(child_block, 0, len(child_block.text), len(measures) + 1, ctx)
            )
    else:
        paras = item.paras
        with_clause = [bool(find_clauses(p.text)) for p in paras]
        if len(paras) >= 2 and all(with_clause):
            for p in paras:
                measures.append(_measure_from(p, 0, len(p.text), len(measures) + 1, ctx))
        else:
            for p in paras:
                for clause in find_clauses(p.text):
                    task.bodies = merge(task.bodies, ctx.resolver.from_clause(clause, p.line_at))
                for m in _TIME_CLAUSE_RE.finditer(p.text):
                    d, _ = ctx.deadline(m.group(0), _shifted(p, m.start()))
                    if d is not None and task.deadline is None:
                        task.deadline = d
                stripped = _without_clauses(p)
                for s, e in sentences(stripped.text):
                    measures.append(
                        _measure_from(stripped, s, e, len(measures) + 1, ctx, strip_clauses=False)
                    )
    task.measures = [m for m in measures if m.text]
    for k, measure in enumerate(task.measures, start=1):
        measure.number = k
    return task


def _shifted(block: Block, offset: int) -> Callable[[int], int]:
    """line_at for a piece of `block` that starts at `offset`."""
    return lambda i: block.line_at(offset + i)


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
    for block in item.blocks():
        start = item.title_end if block is item.head else 0
        for s, e in sentences(block.text, start):
            _, _, targets = ctx.facts(block, s, e, "plan")
            for t in targets:
                if t.scope == "task":
                    t.scope = "plan"
            plan.targets.extend(targets)


def _tidy_title(title: str) -> str:
    t = title.strip().strip("。，,；;：: ")
    if t.endswith("等") and len(t) > 3:
        t = t[:-1]
    return t[:200]


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
