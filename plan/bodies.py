"""Responsible bodies: from 责任单位/牵头单位/配合单位 clauses and from the sentence itself.

Clause roles (the convention of Chinese government documents):
  责任单位 / 责任部门: the first-named body leads (LEAD), the others SUPPORT;
  牵头单位 / 牵头部门 / "X牵头": LEAD (a second co-lead is recorded as SUPPORT with a
  warning, since a task has one lead); 配合单位 / 参与单位 / "Y配合": SUPPORT;
  各县(市、区) / 各区政府 and the like: RESPONSIBLE — expanded to one body per county-level
  unit when a gazetteer is given. Vague bodies ("各有关部门", "相关单位") are dropped.

In a sentence, only what really names an actor counts (source FROM_SENTENCE): 各县(市、区);
a full name from the gazetteer ("冠县", "市公安局"); a department alias only inside a list
of departments ("公安、交通运输、应急等多部门"). Counties and zones are RESPONSIBLE,
departments SUPPORT. Without a gazetteer only 各县(市、区)-style phrases are read from
sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .gazetteer import Gazetteer, guess_kind
from .model import (
    CITY_DEPARTMENT,
    COUNTY,
    FROM_CLAUSE,
    FROM_SENTENCE,
    LEAD,
    RESPONSIBLE,
    SUPPORT,
    ZONE,
    BodyRef,
)

LABELS = (
    "主要责任单位|责任单位|责任部门|责任主体|主责单位|牵头单位|牵头部门|"
    "配合单位|配合部门|参与单位|参与部门|协同单位|协助单位|协作单位"
)
_LABEL_RE = re.compile(rf"(?P<label>{LABELS})\s*[：:]")
_LEAD_LABELS = ("牵头单位", "牵头部门")
_SUPPORT_LABELS: tuple[str, ...] = (
    "配合单位",
    "配合部门",
    "参与单位",
    "参与部门",
    "协同单位",
    "协助单位",
)
_SUPPORT_LABELS += ("协作单位",)
_SHORT_FORM_RE = re.compile(
    r"^(?P<lead>[^，,；;（）()]{2,60}?)(?:牵头|负责)(?:[，,；;、]\s*(?P<support>.{2,200}?)"
    r"(?:配合|参与|按职责分工负责|按职责负责|分工负责))?$"
)
COLLECTIVE_RE = re.compile(
    r"各(?:县（市、区）|县（区、市）|县（市区）|县市区|县区|区县|区|县|市（区）)(?![域间级内长镇乡村])"
    r"(?:人民政府|政府|党委和政府|党委、政府)?"
)
_VAGUE_RE = re.compile(
    r"^(?:市直|市级|省直|区级|县级)?(?:各)?(?:相关|有关|其他|成员|各)(?:单位|部门|方面|企业|机构|地区)?"
    r"(?:单位|部门)?$|^其他.*单位$|^各(?:单位|部门|成员单位|有关单位)$|^市政府$|^市直各部门$"
)
_LIST_SEP = "、，,；;"
_JOINERS = ("以及", "及", "和", "与", "会同")
_BODY_END = ("局", "委", "办", "厅", "部", "室", "会", "院", "中心", "政府", "区", "县", "市")
_MAX_NAME = 40


@dataclass
class Clause:
    start: int  # offsets in the text, the parentheses included
    end: int
    parts: list[tuple[str, str, int]]  # (label, list text, offset of the list text)


def _matching_close(text: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at `open_at`, or -1."""
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return i
    return -1


def find_clauses(text: str) -> list[Clause]:
    """Responsibility clauses in a paragraph: "（责任单位：…）", "（牵头单位：…；配合单位：…）",
    "（市科委牵头，市财政局配合）", or a paragraph that is only "责任单位：…"."""
    clauses: list[Clause] = []
    stripped = text.strip()
    if stripped and _LABEL_RE.match(stripped):
        offset = text.index(stripped)
        parts = _labelled_parts(stripped, offset)
        if parts:
            return [Clause(offset, offset + len(stripped), parts)]
    i = 0
    while True:
        open_at = min((p for p in (text.find("（", i), text.find("(", i)) if p >= 0), default=-1)
        if open_at < 0:
            break
        close_at = _matching_close(text, open_at)
        if close_at < 0:
            break
        inner = text[open_at + 1 : close_at]
        parts = _labelled_parts(inner, open_at + 1)
        if not parts and _at_end(text, close_at):
            parts = _short_form_parts(inner, open_at + 1)
        if parts:
            clauses.append(Clause(open_at, close_at + 1, parts))
        i = close_at + 1
    return clauses


def _at_end(text: str, close_at: int) -> bool:
    """The parenthesis ends the sentence or the paragraph."""
    rest = text[close_at + 1 :].lstrip()
    return not rest or rest[0] in "。；;\n"


def _labelled_parts(inner: str, offset: int) -> list[tuple[str, str, int]]:
    labels = list(_LABEL_RE.finditer(inner))
    if not labels or inner[: labels[0].start()].strip(" ，,；;"):
        return []
    parts = []
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(inner)
        body = inner[m.end() : end]
        trimmed = body.rstrip(" ，,；;。")
        parts.append((m.group("label"), trimmed, offset + m.end()))
    return parts


def _short_form_parts(inner: str, offset: int) -> list[tuple[str, str, int]]:
    m = _SHORT_FORM_RE.match(inner.strip())
    if not m:
        return []
    lead = m.group("lead")
    if not any(lead.rstrip("等").endswith(e) for e in _BODY_END):
        return []
    shift = offset + inner.index(inner.strip())
    parts = [("牵头单位", lead, shift + m.start("lead"))]
    if m.group("support"):
        parts.append(("配合单位", m.group("support"), shift + m.start("support")))
    return parts


def split_names(s: str) -> list[tuple[str, int]]:
    """Split a list of bodies on 、，；, and on 及/和/与 between two names, never inside
    parentheses ("各县（市、区）") or inside a name ("市工业和信息化局")."""
    pieces: list[tuple[str, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(s):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif ch in _LIST_SEP and depth == 0:
            pieces.append((s[start:i], start))
            start = i + 1
    pieces.append((s[start:], start))
    result: list[tuple[str, int]] = []
    for piece, at in pieces:
        result.extend(_split_joiners(piece, at))
    out = []
    for name, at in result:
        lead_ws = len(name) - len(name.lstrip())
        name = name.strip()
        if name:
            out.append((name, at + lead_ws))
    return out


def _split_joiners(piece: str, at: int) -> list[tuple[str, int]]:
    for joiner in _JOINERS:
        idx = piece.find(joiner)
        while idx > 0:
            left, right = piece[:idx], piece[idx + len(joiner) :]
            if left.endswith(_BODY_END) and right[:1] in ("市", "省", "区", "县", "各", "国"):
                return _split_joiners(left, at) + _split_joiners(right, at + idx + len(joiner))
            idx = piece.find(joiner, idx + 1)
    return [(piece, at)]


def _clean_name(name: str) -> tuple[str, bool]:
    """(name without "等…" tail and notes, whether something vague was cut off)."""
    name = name.strip().strip("。，,；;：:")
    name = re.sub(r"[（(](?:按职责分工负责|按职责负责|分别负责|负责)[）)]$", "", name)
    cut = False
    if "等" in name:
        head = name.split("等", 1)[0]
        if head:
            name, cut = head, True
    name = re.sub(r"(按职责分工负责|按职责负责|分别负责|负责)$", "", name)
    return name.strip(), cut


@dataclass
class Resolver:
    """Turns written names into BodyRefs, within a jurisdiction when a gazetteer is given."""

    gazetteer: Gazetteer | None = None
    warn: Callable[[int | None, str], None] | None = None

    def _warn(self, line: int | None, message: str) -> None:
        if self.warn is not None:
            self.warn(line, message)

    def refs(self, raw: str, role: str, source: str, line: int | None) -> list[BodyRef]:
        """BodyRefs for one written name: none for a vague one, one per county for
        各县(市、区) when the gazetteer knows the counties."""
        name, _ = _clean_name(raw)
        if not name or _VAGUE_RE.match(name):
            return []
        if COLLECTIVE_RE.fullmatch(name) or name in ("各县（市、区）政府",):
            return self.collective(name, source, line)
        if len(name) > _MAX_NAME:
            self._warn(line, f"责任单位名称过长，未导入：“{name[:20]}…”")
            return []
        g = self.gazetteer
        found = g.lookup(name) if g is not None else None
        if found is not None:
            return [BodyRef(found.name, raw.strip(), found.kind, role, source, line)]
        return [BodyRef(name, raw.strip(), guess_kind(name), role, source, line)]

    def collective(self, raw: str, source: str, line: int | None) -> list[BodyRef]:
        g = self.gazetteer
        if g is not None and g.counties:
            return [BodyRef(c.name, raw, COUNTY, RESPONSIBLE, source, line) for c in g.counties]
        return [BodyRef(raw, raw, COUNTY, RESPONSIBLE, source, line)]

    def from_clause(self, clause: Clause, line_at: Callable[[int], int]) -> list[BodyRef]:
        refs: list[BodyRef] = []
        lead_taken = False
        for label, listed, offset in clause.parts:
            for k, (raw, at) in enumerate(split_names(listed)):
                line = line_at(offset + at)
                if label in _SUPPORT_LABELS:
                    role = SUPPORT
                elif label in _LEAD_LABELS:
                    role = LEAD
                else:  # 责任单位: the first-named body leads
                    role = LEAD if k == 0 else SUPPORT
                if role == LEAD and lead_taken:
                    self._warn(line, f"“{raw}”也写作牵头单位；一项任务只记一个牵头单位，记为配合")
                    role = SUPPORT
                got = self.refs(raw, role, FROM_CLAUSE, line)
                if any(r.role == LEAD for r in got):
                    lead_taken = True
                refs.extend(got)
        return dedupe(refs)

    def from_sentence(self, text: str, line_at: Callable[[int], int]) -> list[BodyRef]:
        refs: list[tuple[int, BodyRef]] = []
        taken: list[tuple[int, int]] = []

        def free(s: int, e: int) -> bool:
            return not any(s < te and ts < e for ts, te in taken)

        for m in COLLECTIVE_RE.finditer(text):
            taken.append(m.span())
            for ref in self.collective(m.group(0), FROM_SENTENCE, line_at(m.start())):
                refs.append((m.start(), ref))
        g = self.gazetteer
        if g is not None:
            for written, body in g.names_in_sentences():
                start = text.find(written)
                while start >= 0:
                    end = start + len(written)
                    if free(start, end) and written != g.jurisdiction:
                        taken.append((start, end))
                        role = RESPONSIBLE if body.kind in (COUNTY, ZONE) else SUPPORT
                        line = line_at(start)
                        refs.append(
                            (
                                start,
                                BodyRef(body.name, written, body.kind, role, FROM_SENTENCE, line),
                            )
                        )
                    start = text.find(written, end)
            for m in _department_list_re(g).finditer(text):
                if not free(m.start(), m.end()):
                    continue
                taken.append(m.span())
                for raw, at in split_names(m.group("list")):
                    named = g.lookup(raw)
                    if named is None or named.kind != CITY_DEPARTMENT:
                        continue
                    line = line_at(m.start("list") + at)
                    ref = BodyRef(named.name, raw, named.kind, SUPPORT, FROM_SENTENCE, line)
                    refs.append((m.start("list") + at, ref))
        refs.sort(key=lambda p: p[0])
        return dedupe([r for _, r in refs])


def _department_list_re(g: Gazetteer) -> re.Pattern[str]:
    cached: re.Pattern[str] | None = g.cache.get("department_list")
    if cached is not None:
        return cached
    names: set[str] = set()
    for body in g.bodies:
        if body.kind != CITY_DEPARTMENT:
            continue
        names.update(body.aliases)
        names.add(body.name)
        if body.name.startswith("市"):
            names.add(body.name[1:])
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(
        rf"(?P<list>(?:{alt})(?:[、和及与](?:{alt}))*)等?(?:多|相关|有关|各|个)?(?:个)?部门"
    )
    g.cache["department_list"] = pattern
    return pattern


def dedupe(refs: list[BodyRef]) -> list[BodyRef]:
    """One BodyRef per name, the first one kept; a later LEAD wins over an earlier
    non-lead only when no lead is there yet."""
    seen: dict[str, int] = {}
    out: list[BodyRef] = []
    has_lead = False
    for ref in refs:
        if ref.name in seen:
            kept = out[seen[ref.name]]
            if ref.role == LEAD and kept.role != LEAD and not has_lead:
                out[seen[ref.name]] = ref
                has_lead = True
            continue
        if ref.role == LEAD:
            if has_lead:
                ref = BodyRef(
                    ref.name, ref.raw, ref.kind, SUPPORT, ref.source, ref.line, ref.reason
                )
            has_lead = True
        seen[ref.name] = len(out)
        out.append(ref)
    return out


def merge(first: list[BodyRef], second: list[BodyRef]) -> list[BodyRef]:
    """Bodies of `first`, then those of `second` not already there."""
    return dedupe([*first, *second])
