"""Task tables (重点任务分工表) in a plan's text: found, aligned and read as tasks.

Two written forms of a table are found in the repaired lines of a text, before they are
joined into paragraphs (their lines are then blanked out of the prose):
- a pipe table, one row per line ("| 序号 | 重点任务 | 牵头单位 | … |"): what .md files
  hold and what `plan.read_document` writes for the tables of a .docx, .pdf, .html,
  .xlsx or .csv;
- a table flattened to one cell per line by a text extraction (the header's cells, then
  each row's cells after its number 1, 2, 3 …), where a merged cell appears only once,
  in its first row, and a cell may be broken over two lines.

A table is a task table when its header names a task column (任务, 事项, 内容, 措施 …) and a
body column (牵头, 责任, 配合 …); the header is recognised by its words, wherever it stands.
Each column gets a role from its header: number, name (任务名称, 重点任务), content (任务内容,
具体措施), lead (牵头), responsible (责任: the first-named leads), support (配合, 参与,
支撑), time (完成时限, 时间节点), note. A row whose cells do not fill the columns one for
one (a merged cell left out, a cell broken over two lines) is aligned by what each cell
looks like — a number, a time phrase, a list of bodies, or text — at the least cost:
leaving out a name column costs least (merged names are the common case), and a line that
ends with "、" most likely goes on in the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .bodies import is_collective, is_vague, looks_like_body, split_names
from .cleanup import HEADING_RE, Line
from .dates import find_deadlines

NUM = "num"
NAME = "name"
CONTENT = "content"
LEAD_COL = "lead"
RESP_COL = "resp"
SUPPORT_COL = "support"
TIME_COL = "time"
NOTE = "note"
OTHER_COL = "other"
BODY_COLUMNS = (LEAD_COL, RESP_COL, SUPPORT_COL)
TEXT_COLUMNS = (NAME, CONTENT)

_ROLE_PATTERNS = (
    (NUM, re.compile(r"^(?:序号|编号|序|No\.?|NO\.?)$")),
    (NOTE, re.compile(r"备注|说明")),
    (LEAD_COL, re.compile(r"牵头|主责")),
    (SUPPORT_COL, re.compile(r"配合|参与|协同|协助|支撑|协作|协办")),
    (RESP_COL, re.compile(r"责任单位|责任部门|责任主体|责任处室|实施主体|承办|落实单位|负责单位")),
    (TIME_COL, re.compile(r"时限|时间|节点|期限|进度")),
    (
        NAME,
        re.compile(
            r"^(?:重点|主要|工作|具体|年度)?(?:任务|工作|事项|项目)(?:名称|类别|分类)?$"
            r"|^(?:类别|领域|方面|板块|专项)$"
        ),
    ),
    (CONTENT, re.compile(r"内容|措施|举措|要求|目标|任务|事项")),
)
_NUMBER_CELL_RE = re.compile(r"^(\d{1,3})[.、．]?$")
_STOP_LINE_RE = re.compile(r"^(?:附件|附表)\s*\d*(?:[：:]|$)")
_PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def column_role(header: str) -> str:
    h = re.sub(r"\s+", "", header)
    if not h:
        return OTHER_COL
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(h):
            return role
    return OTHER_COL


def is_task_header(cells: list[str]) -> bool:
    roles = [column_role(c) for c in cells]
    has_text = any(r in TEXT_COLUMNS for r in roles)
    has_body = any(r in BODY_COLUMNS for r in roles)
    return has_text and has_body and len(cells) >= 3


@dataclass
class Cell:
    text: str
    line: int  # the first line of the text it stands on


@dataclass
class Row:
    number: int  # 1-based among the table's rows under its header
    cells: dict[int, Cell]  # column index → cell (a left-out column has none)
    first: int
    last: int


@dataclass
class Table:
    number: int  # 1-based among the plan's task tables
    headers: list[str]
    roles: list[str]
    rows: list[Row] = field(default_factory=list)
    first: int = 0  # the header's line
    last: int = 0
    flattened: bool = False

    def column(self, role: str) -> list[int]:
        return [k for k, r in enumerate(self.roles) if r == role]


def find_tables(lines: list[Line]) -> tuple[list[Table], list[Line]]:
    """Task tables in the repaired lines, and the lines with the tables' lines blanked."""
    tables: list[Table] = []
    taken: set[int] = set()  # indices into `lines`
    i = 0
    while i < len(lines):
        found = _pipe_table(lines, i) or _flat_table(lines, i)
        if found is None:
            i += 1
            continue
        table, used = found
        table.number = len(tables) + 1
        tables.append(table)
        taken.update(used)
        i = max(used) + 1
    kept = [Line(ln.number, "") if k in taken else ln for k, ln in enumerate(lines)]
    return tables, kept


# ---------------------------------------------------------------------------------------
# Pipe tables


def _pipe_cells(text: str) -> list[str]:
    inner = text.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in inner.split("|")]


def _pipe_table(lines: list[Line], start: int) -> tuple[Table, list[int]] | None:
    if not _PIPE_ROW_RE.match(lines[start].text):
        return None
    headers = _pipe_cells(lines[start].text)
    if not is_task_header(headers):
        return None
    table = Table(0, headers, [column_role(h) for h in headers], first=lines[start].number)
    used = [start]
    k = start + 1
    while k < len(lines) and (_PIPE_ROW_RE.match(lines[k].text) or not lines[k].text):
        text = lines[k].text
        if not text:
            # A blank line inside a pipe table ends it unless another row follows at once.
            if k + 1 < len(lines) and _PIPE_ROW_RE.match(lines[k + 1].text):
                used.append(k)
                k += 1
                continue
            break
        used.append(k)
        k += 1
        if _PIPE_RULE_RE.match(text):
            continue
        cells = _pipe_cells(text)
        if not any(cells):
            continue
        line = lines[k - 1].number
        typed = [Cell(c, line) for c in cells]
        if len(cells) == len(headers):
            row_cells = {j: c for j, c in enumerate(typed) if c.text}
        else:
            row_cells = align(table.roles, [c for c in typed if c.text])
        table.rows.append(Row(len(table.rows) + 1, row_cells, line, line))
    if not table.rows:
        return None
    table.last = table.rows[-1].last
    return table, used


# ---------------------------------------------------------------------------------------
# Tables flattened to one cell per line


def _is_header_cell(text: str) -> bool:
    return 0 < len(text) <= 14 and not re.search(r"[，。；！？、]", text)


def _flat_table(lines: list[Line], start: int) -> tuple[Table, list[int]] | None:
    if not _is_header_cell(lines[start].text) or column_role(lines[start].text) == OTHER_COL:
        return None
    # The header: consecutive short cells (blank lines between them allowed).
    header_idx: list[int] = []
    k = start
    while k < len(lines) and len(header_idx) < 12:
        text = lines[k].text
        if not text:
            k += 1
            continue
        if _NUMBER_CELL_RE.match(text) or not _is_header_cell(text):
            break
        header_idx.append(k)
        k += 1
    headers = [lines[j].text for j in header_idx]
    if not is_task_header(headers) or k >= len(lines):
        return None
    m = _NUMBER_CELL_RE.match(lines[k].text)
    if m is None or int(m.group(1)) != 1:
        return None
    roles = [column_role(h) for h in headers]
    table = Table(0, headers, roles, first=lines[start].number, flattened=True)
    used = list(range(start, k))
    expected = 1
    time_last = bool(roles) and roles[-1] == TIME_COL
    max_cells = len(headers) + 3
    while k < len(lines):
        m = _NUMBER_CELL_RE.match(lines[k].text)
        if m is None or int(m.group(1)) != expected:
            break
        first = lines[k].number
        used.append(k)
        k += 1
        cells: list[Cell] = []
        while k < len(lines):
            text = lines[k].text
            if not text:
                k += 1
                continue
            nxt = _NUMBER_CELL_RE.match(text)
            if nxt and int(nxt.group(1)) == expected + 1:
                break
            if _STOP_LINE_RE.match(text) or HEADING_RE.match(text) or len(cells) >= max_cells:
                break
            cells.append(Cell(text, lines[k].number))
            used.append(k)
            k += 1
            if time_last and cell_kind(text) == TIME_COL and len(cells) >= 2:
                # The time column ends the row: what follows is the next row or the end.
                following = _next_text(lines, k)
                if following is None or not _NUMBER_CELL_RE.match(following):
                    break
        if not cells:
            break
        row = Row(expected, align(roles, cells), first, cells[-1].line)
        table.rows.append(row)
        expected += 1
    if not table.rows:
        return None
    table.last = table.rows[-1].last
    # Blank lines inside the table go with it; the ones after it stay.
    while used and not lines[used[-1]].text:
        used.pop()
    return table, used


def _next_text(lines: list[Line], k: int) -> str | None:
    while k < len(lines):
        if lines[k].text:
            return lines[k].text
        k += 1
    return None


# ---------------------------------------------------------------------------------------
# Aligning a row's cells with the columns


def cell_kind(text: str) -> str:
    """What a cell looks like: NUM, TIME_COL, "bodies" or "text"."""
    t = text.strip()
    if _NUMBER_CELL_RE.match(t):
        return NUM
    if len(t) <= 30 and find_deadlines(t, None, labelled=True) and not re.search(r"[。；]", t):
        rest = re.sub(
            r"\d{4}年|\d{1,2}月|[底末前内中上下半年季度第一二三四长期持续推进常态化、，\s]", "", t
        )
        if len(rest) <= 4:
            return TIME_COL
    if len(t) <= 160 and not re.search(r"[。；]$", t):
        names = [n for n, _ in split_names(t.rstrip("、，"))]
        if names and all(looks_like_body(n) or is_collective(n) or is_vague(n) for n in names):
            return "bodies"
    return "text"


_INF = 1e9
_TIME_WORDS_RE = re.compile(
    r"\d{4}年|\d{1,2}月|[底末前内中上下半年季度第一二三四长期持续推进常态化、，\s]"
)


def _fit(role: str, kind: str) -> float:
    """The cost of putting a cell of `kind` in a column of `role`."""
    if role == NUM:
        return 0.0 if kind == NUM else _INF
    if role in TEXT_COLUMNS:
        return {"text": 0.0, "bodies": 2.0, TIME_COL: 3.0, NUM: 3.0}[kind]
    if role in BODY_COLUMNS:
        return {"bodies": 0.0, "text": 3.0, TIME_COL: _INF, NUM: _INF}[kind]
    if role == TIME_COL:
        return {TIME_COL: 0.0, "text": 3.0, "bodies": _INF, NUM: _INF}[kind]
    return 0.5  # note / other columns take anything


_SKIP = {NAME: 0.5, NOTE: 0.2, OTHER_COL: 0.5, NUM: 0.0}


def align(roles: list[str], cells: list[Cell]) -> dict[int, Cell]:
    """Cells → columns at the least cost (see the module's docstring)."""
    n, m = len(cells), len(roles)
    kinds = [cell_kind(c.text) for c in cells]
    # State (i, j, o): cells[:i] placed, columns[:j] decided; o = 1 when the last cell went
    # to column j-1, so that the next cell may go on in it.
    best: dict[tuple[int, int, int], float] = {(0, 0, 0): 0.0}
    back: dict[tuple[int, int, int], tuple[tuple[int, int, int], str]] = {}

    def relax(
        state: tuple[int, int, int], cost: float, prev: tuple[int, int, int], how: str
    ) -> None:
        if cost < best.get(state, _INF):
            best[state] = cost
            back[state] = (prev, how)

    for i in range(n + 1):
        for j in range(m + 1):
            for o in (0, 1):
                here = best.get((i, j, o), _INF)
                if here >= _INF:
                    continue
                if j < m:  # leave column j out
                    relax((i, j + 1, 0), here + _SKIP.get(roles[j], 1.0), (i, j, o), "skip")
                if i < n and j < m:  # cell i in column j
                    relax((i + 1, j + 1, 1), here + _fit(roles[j], kinds[i]), (i, j, o), "put")
                if i < n and o == 1:  # cell i goes on in column j-1
                    role = roles[j - 1]
                    if role in BODY_COLUMNS or role in TEXT_COLUMNS or role == NOTE:
                        joins = cells[i - 1].text.rstrip().endswith(("、", "，", ","))
                        step = 0.3 if joins else (0.9 if role == SUPPORT_COL else 1.0)
                        relax((i + 1, j, 1), here + step + _fit(role, kinds[i]), (i, j, o), "join")
    end = min(((n, m, o) for o in (0, 1)), key=lambda s: best.get(s, _INF))
    placed: dict[int, list[Cell]] = {}
    state = end
    while state in back:
        prev, how = back[state]
        i, j, _ = state
        if how == "put" or how == "join":
            placed.setdefault(j - 1, []).insert(0, cells[i - 1])
        state = prev
    out: dict[int, Cell] = {}
    for col, parts in placed.items():
        text = _join_texts([p.text for p in parts], roles[col])
        out[col] = Cell(text, parts[0].line)
    return out


def _join_texts(texts: list[str], role: str) -> str:
    out = ""
    for t in texts:
        if not out:
            out = t
        elif role in BODY_COLUMNS and not out.endswith(("、", "，", ",", "；")):
            out = f"{out}、{t}"
        else:
            out += t
    return out
