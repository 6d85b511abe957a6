"""Countable targets (量化指标) in a sentence.

A clause (between ，；。) is a target when it has a number with a unit ("1处", "500件",
"3周", "10%") and a target word: a comparator (至少, 不少于, 超过, 达到, 压缩至, …以内) or a
verb of building (建成, 新增, 培育, 建设, …). Clauses about money given out (补助, 补贴,
奖励, 按照…比例) are rules, not targets, and are skipped.

One Target per clause. Its value is the number the clause ends with ("…龙头企业2家"), else
the first one after a comparator ("至少建成1处入驻3家快递企业的快递园区" → 1 处); the other
numbers stay in the description ("入驻3家快递企业" is kept there, not made a second
Target). A sentence that gives money out (补助, 补贴, 奖励, 资助, 贴息) has no targets:
its numbers are the rule's thresholds. Comparators: 至少/不少于/不低于/超过/超/达到/以上/
突破 and building verbs → ">="
(a strict "超500件" is recorded as ">= 500": the text is kept in the description);
不超过/压缩至/控制在/以内/低于/以下 → "<="; otherwise "=". The scope is "each_county" when
the subject is 各县(市、区), else the caller's ("plan" in 主要目标, "task" elsewhere). The
due date is the deadline phrase before the clause in the same sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .bodies import COLLECTIVE_RE
from .dates import DateHit
from .model import Target

_UNITS = (
    "个工作日|个百分点|工作日|万人次|人次|万人|万件|亿件|万元|亿元|万吨|万平方米|平方米|平方公里|"
    "公里|千米|万个|万家|万户|个|家|处|件|项|条|所|座|台|辆|人|名|户|元|%|％|米|亩|吨|次|场|批|套|"
    "种|周|天|小时|倍"
)
_QTY_RE = re.compile(rf"(?P<num>\d+(?:\.\d+)?)(?P<unit>{_UNITS})")


def _words(s: str) -> tuple[str, ...]:
    return tuple(s.split())


_AT_LEAST = _words("至少 不少于 不低于 超过 超 达到 达 突破 提高到 提高至 提升至")
_AT_MOST = _words("不超过 压缩至 压缩到 控制在 低于 缩短至 缩短到 降至 降低到")
_GROWTH = _words("建成 建设 新增 培育 打造 创建 引进 新建 覆盖 实现 完成 增加")
_POLICY = _words("补助 补贴 奖励 资助 给予 贴息 出资 按照 收费 扣除 ∶ 比例")
_MONEY_GIVEN = _words("补助 补贴 奖励 资助 贴息")  # anywhere in the sentence: a rule
_CLAUSE_SPLIT_RE = re.compile(r"[，,；;。！？]")


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE_SPLIT_RE.finditer(sentence):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    return [(s, e) for s, e in spans if e > s]


def find_targets(
    sentence: str,
    scope: str,
    deadlines: list[DateHit],
    line_at: Callable[[int], int],
) -> list[Target]:
    """Targets in one sentence; `deadlines` are the sentence's deadline hits."""
    targets: list[Target] = []
    if any(w in sentence for w in _MONEY_GIVEN):
        return targets
    for start, end in _clauses(sentence):
        clause = sentence[start:end]
        quantities = list(_QTY_RE.finditer(clause))
        if not quantities or any(w in clause for w in _POLICY):
            continue
        has_word = any(w in clause for w in (*_AT_LEAST, *_AT_MOST, *_GROWTH, "以上", "以内"))
        if not has_word:
            continue
        chosen = _choose(clause, quantities)
        try:
            value = Decimal(chosen.group("num"))
        except InvalidOperation:
            continue
        before = clause[: chosen.start()]
        after = clause[chosen.end() : chosen.end() + 2]
        comparator = _comparator(before, after)
        subject = COLLECTIVE_RE.match(clause)
        description = clause[subject.end() :] if subject else clause
        description = re.sub(r"^(?:要|应|力争|确保|努力)", "", description).strip()
        each_county = bool(subject) or bool(COLLECTIVE_RE.search(sentence[:start]))
        due = None
        earlier = [h for h in deadlines if h.start < start + chosen.start() and h.deadline.date]
        if earlier:
            due = earlier[-1].deadline
        targets.append(
            Target(
                description=description[:300],
                value=value,
                unit=chosen.group("unit").replace("％", "%"),
                scope="each_county" if each_county else scope,
                comparator=comparator,
                due=due,
                line=line_at(start + chosen.start()),
            )
        )
    return targets


def _choose(clause: str, quantities: list[re.Match[str]]) -> re.Match[str]:
    last = quantities[-1]
    tail = clause[last.end() :]
    if not tail.strip() or tail.strip() in ("以上", "以内", "左右", "以下"):
        return last
    for q in quantities:
        before = clause[max(0, q.start() - 4) : q.start()]
        if any(before.endswith(w) for w in (*_AT_LEAST, *_AT_MOST)):
            return q
    return quantities[0]


def _comparator(before: str, after: str) -> str:
    if after.startswith(("以内", "以下")) or any(before.endswith(w) for w in _AT_MOST):
        return "<="
    if after.startswith("以上") or any(before.endswith(w) for w in _AT_LEAST):
        return ">="
    near = before[-8:]
    if any(w in near for w in _AT_MOST):
        return "<="
    if any(w in before for w in (*_AT_LEAST, *_GROWTH)):
        return ">="
    return "="
