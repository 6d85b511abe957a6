"""Responsible bodies: from 责任单位/牵头单位/配合单位 clauses and from the sentence itself.

Clause roles (the convention of Chinese government documents):
  牵头单位 / 牵头部门 / "X牵头" / "X、Y牵头": every body named is a LEAD (co-leads, in the
  order written: the first-named compiles the task's report where a plan says so);
  责任单位 / 责任部门 / "X、Y负责" / "X、Y指导": the first-named body leads, the others
  SUPPORT (unless a 牵头 list already named the leads);
  配合单位 / 参与单位 / 支撑单位 / 协同单位 / "Y配合" / "Y参与": SUPPORT;
  "X会同Y负责": X leads, Y supports.
  Any other "…单位：" / "…部门：" label is a label, never part of a body's name: its bodies
  are recorded as SUPPORT with a warning naming the label.
A clause may be labelled ("（牵头单位：A、B，支撑单位：C）", a paragraph "责任单位：A；完成时限：
2025年底前") or a phrase in parentheses ("（A牵头，B、C参与）", "（A、B负责。列第一位者为牵头
单位，下同）", "（A指导，B负责落实）", "（A、B，各省级人民政府按职责分工负责）").

Collectives ("各区", "各街镇", "各省级人民政府", "各县（市、区）", "各区、县级市") are ONE body,
kept as written, flagged `collective`; a gazetteer that lists the county-level units
expands 各县（市、区）-style collectives into one RESPONSIBLE body per unit. A collective leads
when it stands where a lead stands (in a 牵头 list, first in a 责任单位 list); elsewhere it
is RESPONSIBLE (each member answers for its share). Vague references ("有关部门", "相关单位",
"相关街镇", "各有关单位", "…等有关部门和单位") are never bodies: they are reported as warnings.

In a sentence, only what really names an actor counts (source FROM_SENTENCE): 各县(市、区);
a full name from the gazetteer ("冠县", "市公安局"); a department alias only inside a list
of departments ("公安、交通运输、应急等多部门"). Counties and zones are RESPONSIBLE,
departments SUPPORT. Without a gazetteer only 各县(市、区)-style phrases are read from
sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from .gazetteer import Gazetteer, guess_kind
from .model import (
    CITY_DEPARTMENT,
    COUNTY,
    ENTERPRISE,
    FROM_CLAUSE,
    FROM_SENTENCE,
    LEAD,
    OTHER,
    RESPONSIBLE,
    SUPPORT,
    ZONE,
    BodyRef,
)

# What a clause part asks of the bodies it lists.
P_LEAD = "lead"  # every body leads (co-leads)
P_RESP = "resp"  # the first-named leads, the others support
P_SUPPORT = "support"
P_UNKNOWN = "unknown"  # an unknown "…单位：" label: support, with a warning
P_TIME = "time"  # 完成时限 / 时间节点: not bodies, a deadline

_LEAD_WORDS = "牵头单位|牵头部门|牵头领导|主责单位|主责部门|牵头"
_RESP_WORDS = "主要责任单位|责任单位|责任部门|责任主体|实施单位|实施主体|承办单位|落实单位|主办单位"
_SUPPORT_WORDS = (
    "配合单位|配合部门|参与单位|参与部门|协同单位|协同部门|协助单位|协作单位|支撑单位|"
    "支持单位|协办单位|配合"
)
_TIME_WORDS = "完成时限|完成时间|时间节点|时限要求|进度安排|时间安排|完成期限|时限"
# An unknown label is short and ends like a label; it is recognised only where a label can
# stand (the start of a clause or after a separator), never inside a list of names.
_GENERIC_LABEL = r"[\u4e00-\u9fff]{1,4}(?:单位|部门)"
_LABEL_RE = re.compile(
    rf"(?P<label>{_RESP_WORDS}|{_LEAD_WORDS}|{_SUPPORT_WORDS}|{_TIME_WORDS}|{_GENERIC_LABEL})"
    r"\s*[：:]"
)
_KNOWN = (
    (re.compile(rf"^(?:{_TIME_WORDS})$"), P_TIME),
    (re.compile(rf"^(?:{_LEAD_WORDS})$"), P_LEAD),
    (re.compile(rf"^(?:{_RESP_WORDS})$"), P_RESP),
    (re.compile(rf"^(?:{_SUPPORT_WORDS})$"), P_SUPPORT),
)
LABELS = f"{_RESP_WORDS}|{_LEAD_WORDS}|{_SUPPORT_WORDS}"

# Phrase forms: a list of bodies followed by what they do.
_VERB_RE = re.compile(
    r"(?P<verb>牵头负责|牵头落实|牵头|会同|按职责分工负责|按职责分工落实|按职责负责|分工负责|分别负责|"
    r"共同负责|具体负责|负责落实|组织实施|负责|指导|落实|参与|配合|协助|协同|支持)$"
)
_VERB_ROLE = {
    "牵头负责": P_LEAD,
    "牵头落实": P_LEAD,
    "牵头": P_LEAD,
    "参与": P_SUPPORT,
    "配合": P_SUPPORT,
    "协助": P_SUPPORT,
    "协同": P_SUPPORT,
    "支持": P_SUPPORT,
}

# Collectives: 各 + a kind of unit ("各区", "各县（市、区）", "各街镇（园区）", "各区属集团",
# "各省级人民政府", "各联席会议成员单位"), optionally "…、县级市" in one breath.
_UNIT_WORDS = (
    r"县（市、区）|县（区、市）|县（市区）|县市区|县区|区县|市（区）|区、县级市|区、县|"
    r"省、自治区、直辖市|省（自治区、直辖市）|省（区、市）|省区市|"
    r"街镇|街道|乡镇|镇街|镇（街道）|街道（镇）|镇|乡|区|县|市|省"
)
COLLECTIVE_RE = re.compile(
    r"各(?:县（市、区）|县（区、市）|县（市区）|县市区|县区|区县|区|县|市（区）)(?![域间级内长镇乡村属])"
    r"(?:人民政府|政府|党委和政府|党委、政府)?"
)
_COLLECTIVE_NAME_RE = re.compile(
    rf"^各(?:有关|相关)?(?:(?:{_UNIT_WORDS})(?:（[^（）]{{1,12}}）)?"
    r"(?:级)?(?:人民政府|政府|党委和政府|党委、政府|管理办|办事处|管委会|管理委员会)?"
    r"|[\u4e00-\u9fff]{1,12}?(?:集团|成员单位|委员会|管委会|开发区|园区|街道管理办|人民政府|政府))$"
)
# "区县" units whose members a gazetteer's county list gives.
_COUNTY_COLLECTIVE_RE = re.compile(
    r"^各(?:县（市、区）|县（区、市）|县（市区）|县市区|县区|区县|区|县|市（区）|区、县级市|区、县)"
    r"(?:级)?(?:人民政府|政府|党委和政府|党委、政府)?$"
)
_VAGUE_RE = re.compile(
    r"^(?:市直|市级|省直|区级|县级|区政府|市政府)?(?:各)?(?:相关|有关|其他|其它|成员)"
    r"(?:[\u4e00-\u9fff]{0,6}?)(?:单位|部门|方面|企业|机构|地区|街镇|街道|镇|乡镇|区|县|方|人员|主体)"
    r"(?:和单位|和部门|及单位|等)?$"
    r"|^各(?:单位|部门|成员单位|方面|地|地区|级|部门和单位|单位和部门)$|^市直各部门$|^其他.*单位$"
    r"|^.*(?:有关|相关|其他|其它)(?:部门|单位|方面)(?:和单位|和部门|及单位)?$"
)
_LIST_SEP = "、，,；;"
_JOINERS = ("以及", "及", "和", "与")
_BODY_END = (
    "局",
    "委",
    "办",
    "厅",
    "部",
    "署",
    "室",
    "会",
    "院",
    "中心",
    "政府",
    "区",
    "县",
    "市",
    "省",
    "行",
    "社",
    "关",
    "队",
    "所",
    "站",
    "团",
    "联",
    "校",
    "街道",
    "镇",
    "乡",
    "处",
    "司",
    "构",
    "馆",
    "办事处",
    "管理办",
    "单位",
    "公司",
    "集团",
    "协会",
)
_MAX_NAME = 40
_NOT_NAME_RE = re.compile(r"[，。；：！？“”《》]|推进|开展|加强|完善|推动|提升")


@dataclass
class Part:
    kind: str  # P_LEAD / P_RESP / P_SUPPORT / P_UNKNOWN / P_TIME
    text: str  # the list of names (or the time phrase)
    offset: int  # offset of `text` in the paragraph
    label: str = ""  # the label or verb as written


@dataclass
class Clause:
    start: int  # offsets in the text, the parentheses included
    end: int
    parts: list[Part]

    @property
    def time_parts(self) -> list[Part]:
        return [p for p in self.parts if p.kind == P_TIME]


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
        parts = labelled_parts(stripped, offset)
        if parts and any(p.kind != P_TIME for p in parts):
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
        parts = labelled_parts(inner, open_at + 1)
        if not parts or all(p.kind == P_TIME for p in parts):
            parts = phrase_parts(inner, open_at + 1)
        if parts and any(p.kind != P_TIME for p in parts):
            clauses.append(Clause(open_at, close_at + 1, parts))
        i = close_at + 1
    return clauses


def labelled_parts(inner: str, offset: int) -> list[Part]:
    """Parts of a labelled clause ("牵头单位：A、B，支撑单位：C；完成时限：2025年底前"), or []
    when it does not start with a label."""
    labels = [
        m
        for m in _LABEL_RE.finditer(inner)
        if m.start() == 0 or inner[m.start() - 1] in "，,；;。 \u3000"
    ]
    if not labels or inner[: labels[0].start()].strip(" ，,；;"):
        return []
    parts = []
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(inner)
        body = inner[m.end() : end]
        trimmed = body.rstrip(" ，,；;。")
        label = m.group("label")
        kind = next((kind for pattern, kind in _KNOWN if pattern.match(label)), P_UNKNOWN)
        parts.append(Part(kind, trimmed, offset + m.end(), label))
    return parts


def phrase_parts(inner: str, offset: int) -> list[Part]:
    """Parts of a phrase clause ("A牵头，B参与", "A会同B负责", "A、B负责。列第一位者为牵头单位",
    "A指导，B负责落实"); [] unless every name in it looks like a body."""
    stripped = inner.strip()
    if not stripped:
        return []
    shift = offset + inner.index(stripped)
    # Only the first sentence: what follows ("列第一位者为牵头单位，下同") is a note.
    stop = len(stripped)
    for k, ch in enumerate(stripped):
        if ch in "。；;":
            stop = k
            break
    first = stripped[:stop]
    pieces: list[tuple[str, int]] = []
    depth, start = 0, 0
    for k, ch in enumerate(first):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif ch in "，," and depth == 0:
            pieces.append((first[start:k], start))
            start = k + 1
    pieces.append((first[start:], start))
    parts: list[Part] = []
    pending: list[tuple[str, int]] = []  # names with no verb yet: they join the next list
    any_verb = False
    for piece, at in pieces:
        if not piece.strip():
            continue
        m = _VERB_RE.search(piece)
        if m is None:
            pending.append((piece, at))
            continue
        names = piece[: m.start()]
        verb = m.group("verb")
        if not names.strip():
            return []
        any_verb = True
        together = [*pending, (names, at)]
        pending = []
        if "会同" in names:
            left, _, right = names.partition("会同")
            parts.append(Part(P_LEAD, left, shift + at, "会同"))
            parts.append(Part(P_SUPPORT, right, shift + at + len(left) + 2, "会同"))
            continue
        role = _VERB_ROLE.get(verb, P_RESP)
        for names_text, names_at in together:
            parts.append(Part(role, names_text, shift + names_at, verb))
    if not any_verb or pending:
        return []
    for part in parts:
        for name, _ in split_names(part.text):
            cleaned, _ = clean_name(name)
            if not cleaned and not name.strip():
                continue
            if cleaned and not (looks_like_body(cleaned) or is_vague(cleaned)):
                return []
    return parts


def looks_like_body(name: str) -> bool:
    """Does a written name look like the name of an organisation ("市科委", "生态环境部",
    "九里亭街道", "各省级人民政府")?"""
    core = re.sub(r"（[^（）]*）$", "", name).strip()
    if not 2 <= len(core) <= _MAX_NAME or _NOT_NAME_RE.search(core):
        return False
    return core.endswith(_BODY_END) or is_collective(core)


def is_collective(name: str) -> bool:
    return bool(_COLLECTIVE_NAME_RE.match(name)) and not is_vague(name)


def is_vague(name: str) -> bool:
    return bool(_VAGUE_RE.match(name))


def split_names(s: str) -> list[tuple[str, int]]:
    """Split a list of bodies on 、，；, and on 及/和/与 between two names, never inside
    parentheses ("各县（市、区）") or inside a name ("市工业和信息化局"). A collective written
    in one breath ("各区、县级市") stays one name."""
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
    pieces = _join_collectives(s, pieces)
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


_UNIT_TAIL_RE = re.compile(r"^(?:县级市|县|区|市|镇|乡|街道|县（市）|市辖区)(?:人民政府|政府)?$")


def _join_collectives(s: str, pieces: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """ "各区、县级市" is one collective (every district and county-level city), not 各区 plus
    a body called "县级市": a bare unit word after a collective belongs to it."""
    out: list[tuple[str, int]] = []
    for piece, at in pieces:
        if out and _UNIT_TAIL_RE.match(piece.strip()) and out[-1][0].strip().startswith("各"):
            _, prev_at = out[-1]
            out[-1] = (s[prev_at : at + len(piece)], prev_at)
            continue
        out.append((piece, at))
    return out


def _split_joiners(piece: str, at: int) -> list[tuple[str, int]]:
    # "A等和各有关省级人民政府": 等 closes the first list.
    idx = piece.find("等和")
    if idx > 0:
        return _split_joiners(piece[: idx + 1], at) + _split_joiners(piece[idx + 2 :], at + idx + 2)
    for joiner in _JOINERS:
        idx = piece.find(joiner)
        while idx > 0:
            left, right = piece[:idx], piece[idx + len(joiner) :]
            if left.endswith(_BODY_END) and right[:1] in ("市", "省", "区", "县", "各", "国"):
                return _split_joiners(left, at) + _split_joiners(right, at + idx + len(joiner))
            idx = piece.find(joiner, idx + 1)
    return [(piece, at)]


_NOTE_RE = re.compile(
    r"(?:按职责分工负责|按职责分工落实|按职责负责|分别负责|分工负责|共同负责|负责落实|负责|"
    r"牵头负责|牵头|配合|参与|指导|落实)$"
)


def clean_name(name: str) -> tuple[str, str]:
    """(name without "等…" tail and notes, the vague words cut off or "")."""
    name = name.strip().strip("。，,；;：: \u3000")
    name = re.sub(r"[（(](?:按职责分工负责|按职责负责|分别负责|负责|牵头)[）)]$", "", name)
    cut = ""
    if "等" in name and not name.startswith("等"):
        head, _, tail = name.partition("等")
        # "浦东新区等相关区政府", "民政部等有关部门和单位": the words after 等 are vague.
        if head and not re.search(r"[（(][^）)]*$", head):
            name, cut = head, tail or "等"
    name = _NOTE_RE.sub("", name)
    name = re.sub(r"^(?:由|请)", "", name)
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
        """BodyRefs for one written name: none for a vague one (with a warning), one per
        county for 各县(市、区) when the gazetteer knows the counties."""
        name, cut = clean_name(raw)
        if cut and cut.strip("等") and source == FROM_CLAUSE:
            self._warn(line, f"“{raw.strip()}”中的“{cut}”所指不明，未作为责任单位导入")
        if not name:
            return []
        if is_vague(name):
            if source == FROM_CLAUSE:
                self._warn(
                    line, f"“{name}”所指不明，未作为责任单位导入；如需指定请在审核文件中写明"
                )
            return []
        if len(name) > _MAX_NAME:
            self._warn(line, f"责任单位名称过长，未导入：“{name[:20]}…”")
            return []
        if is_collective(name) or COLLECTIVE_RE.fullmatch(name):
            return self.collective(name, source, line, role)
        g = self.gazetteer
        found = g.lookup(name) if g is not None else None
        if found is not None:
            return [BodyRef(found.name, raw.strip(), found.kind, role, source, line)]
        return [BodyRef(name, raw.strip(), guess_kind(name), role, source, line)]

    def collective(
        self, raw: str, source: str, line: int | None, role: str = RESPONSIBLE
    ) -> list[BodyRef]:
        """A collective body: its members when the gazetteer lists them (each RESPONSIBLE
        for its share), else one body kept as written. It leads only where a lead stands."""
        g = self.gazetteer
        if g is not None and g.counties and _COUNTY_COLLECTIVE_RE.match(raw):
            return [BodyRef(c.name, raw, COUNTY, RESPONSIBLE, source, line) for c in g.counties]
        kept = LEAD if role == LEAD else RESPONSIBLE
        return [BodyRef(raw, raw, collective_kind(raw), kept, source, line, collective=True)]

    def from_clause(self, clause: Clause, line_at: Callable[[int], int]) -> list[BodyRef]:
        refs: list[BodyRef] = []
        has_lead_list = any(p.kind == P_LEAD for p in clause.parts)
        lead_taken = False
        for part in clause.parts:
            if part.kind == P_TIME:
                continue
            if part.kind == P_UNKNOWN:
                self._warn(
                    line_at(part.offset),
                    f"“{part.label}”不是常见的责任单位标签，所列单位记为配合单位",
                )
            for raw, at in split_names(part.text):
                line = line_at(part.offset + at)
                if part.kind == P_LEAD or (
                    part.kind == P_RESP and not lead_taken and not has_lead_list
                ):
                    role = LEAD
                else:
                    role = SUPPORT
                got = self.refs(raw, role, FROM_CLAUSE, line)
                if got and part.kind == P_RESP and role == LEAD:
                    lead_taken = True
                refs.extend(got)
        return dedupe(refs)

    def from_cells(self, cells: list[tuple[str, str, int]]) -> list[BodyRef]:
        """Bodies of a task table's row: (part kind, cell text, line) for each body
        column, in the table's order (牵头 → co-leads, 责任 → first leads, 配合 → support)."""
        parts = [Part(kind, text, 0) for kind, text, _ in cells]
        lines = [line for _, _, line in cells]
        refs: list[BodyRef] = []
        has_lead_list = any(p.kind == P_LEAD for p in parts)
        lead_taken = False
        for part, line in zip(parts, lines, strict=True):
            clause = Clause(0, 0, [part])
            got = self.from_clause(clause, _constant(line))
            if part.kind == P_RESP and (has_lead_list or lead_taken):
                got = [replace(r, role=SUPPORT) if r.role == LEAD else r for r in got]
            lead_taken = lead_taken or any(r.role == LEAD for r in got)
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
                    found = g.lookup(raw)
                    if found is None or found.kind != CITY_DEPARTMENT:
                        continue
                    line = line_at(m.start("list") + at)
                    ref = BodyRef(found.name, raw, found.kind, SUPPORT, FROM_SENTENCE, line)
                    refs.append((m.start("list") + at, ref))
        refs.sort(key=lambda p: p[0])
        return dedupe([r for _, r in refs])


def _constant(line: int) -> Callable[[int], int]:
    def line_at(_offset: int) -> int:
        return line

    return line_at


def collective_kind(name: str) -> str:
    """The kind of the members of a collective: "各区" → county, "各区属集团" → enterprise."""
    if re.search(r"(集团|企业|公司)", name):
        return ENTERPRISE
    if re.search(r"(开发区|园区|管委会)$", name):
        return ZONE
    if re.search(r"^各(?:有关|相关)?(?:县|区|市|镇|乡|街|省)", name):
        return COUNTY
    return OTHER


def _department_list_re(g: Gazetteer) -> re.Pattern[str]:
    cached = g.cache.get("department_list")
    if isinstance(cached, re.Pattern):
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
    """One BodyRef per name, the first one kept (several leads may stand: co-leads); a later
    LEAD replaces an earlier non-lead of the same name only when no lead is there yet."""
    seen: dict[str, int] = {}
    out: list[BodyRef] = []
    for ref in refs:
        if ref.name in seen:
            kept = out[seen[ref.name]]
            if ref.role == LEAD and kept.role != LEAD and not any(r.role == LEAD for r in out):
                out[seen[ref.name]] = ref
            continue
        seen[ref.name] = len(out)
        out.append(ref)
    return out


def merge(first: list[BodyRef], second: list[BodyRef]) -> list[BodyRef]:
    """Bodies of `first`, then those of `second` not already there. Leads named in
    `second` become SUPPORT when `first` already names a lead (one clause decides the
    leads: a second clause's "lead" is the lead of its own part of the work)."""
    if any(r.role == LEAD for r in first):
        second = [replace(r, role=SUPPORT) if r.role == LEAD else r for r in second]
    return dedupe([*first, *second])
