"""Repair the damage text extraction does, and remember where every character came from.

PDF and web extraction leave spaces inside words ("出 台"), mix ASCII and full-width
punctuation, break a sentence across a blank line ("重点是坚持" / "规划先导,…") and wrap
Markdown around headings. `clean()` returns `Block`s (paragraphs) whose text is repaired
and whose `lines` list gives, for every character, the 1-based line of the ORIGINAL text
it came from, so any slice of a block can name its source lines (`Block.span()`).

Rules, in order:
1. Each line: Markdown heading marks (`#`), bold marks (`**`), leading/trailing spaces
   (ASCII, full-width, no-break) are removed and remembered; a `---` rule is a blank line.
   Radical code points that some PDF fonts give for ordinary characters ("⾏⽅⼈⺠⻚" for
   "行方人民页") become those characters.
2. Spaces between words: when the text is damaged (many spaces between two Chinese
   characters), every space run is removed unless both neighbours are ASCII (so "AI 大模型"
   becomes "AI大模型" but "DRG DIP" stays). An undamaged official text keeps its spaces.
3. ASCII punctuation next to Chinese becomes full-width (`,` → `，`, `(` → `（`, …), one
   character for one, so regular expressions need only one form. A heading number glued to
   a title that starts with digits ("11.121人才梯队项目。") gets a space after its dot when
   it is the next number at its level (item 10 came before it), so it reads as item 11.
4. Lines join into paragraphs. Consecutive lines join unless the next one starts a heading
   or an indented paragraph after a finished sentence. Paragraphs separated by blank lines
   join when the first ends mid-sentence, unless the first is a heading or a short
   unpunctuated line (a kicker such as "明确4类14项重点任务"), or the second starts a
   heading, one of the `titles` the caller knows (category names listed in the text) or
   a short title sentence ("深化产业融合创新。重点是…").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Span
from .text import title_shaped

SPACES = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
TERMINAL = "。！？；：!?;…"
CLOSERS = "）)】]」』"
QUOTES = "\"'“”‘’「」『』"

_HEADING = (
    r"(?P<l0>第[一二三四五六七八九十百零〇]+[章节部分篇])"
    r"|(?P<l1>[一二三四五六七八九十百]+[、．.](?![一二三四五六七八九十]))"
    r"|(?P<l2>[（(][一二三四五六七八九十百]+[）)])"
    r"|(?P<l4>[（(]\d{1,3}[）)])"
    r"|(?P<l3>\d{1,3}[.．、](?![\d.．]))"
    r"|(?P<l5>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
)
HEADING_RE = re.compile(rf"^(?:{_HEADING})\s*")
HEADING_LEVELS = ("l0", "l1", "l2", "l3", "l4", "l5")

_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+")
_RULE_RE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_CJK_GAP_RE = re.compile(r"[\u4e00-\u9fff][ \u3000][\u4e00-\u9fff]")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def is_wide(ch: str) -> bool:
    """A Chinese character, Chinese punctuation or a full-width form."""
    o = ord(ch)
    return (
        0x3400 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0x3000 <= o <= 0x303F
        or 0xFF00 <= o <= 0xFFEF
        or 0x2010 <= o <= 0x206F
        or 0x2460 <= o <= 0x24FF
        or 0x25A0 <= o <= 0x25FF
    )


@dataclass
class Line:
    number: int  # 1-based line of the original text
    text: str  # repaired text
    md: int = 0  # Markdown heading level (number of #), 0 for none
    bold: bool = False  # the line started with ** (a bold heading)
    indented: bool = False  # the original line started with spaces


@dataclass
class Block:
    """A paragraph of repaired text; `lines[i]` is the original line of `text[i]`."""

    text: str
    lines: list[int]
    md: int = 0
    bold: bool = False

    @property
    def first(self) -> int:
        return self.lines[0] if self.lines else 0

    @property
    def last(self) -> int:
        return self.lines[-1] if self.lines else 0

    def line_at(self, i: int) -> int:
        if not self.lines:
            return 0
        return self.lines[min(max(i, 0), len(self.lines) - 1)]

    def span(self, start: int = 0, end: int | None = None) -> Span:
        end = len(self.text) if end is None else end
        if end <= start:
            line = self.line_at(start)
            return Span(line, line)
        return Span(self.line_at(start), self.line_at(end - 1))

    def sub(self, start: int, end: int | None = None) -> Block:
        end = len(self.text) if end is None else end
        return Block(self.text[start:end], self.lines[start:end], self.md, self.bold)

    def strip(self, chars: str = SPACES) -> Block:
        text = self.text
        start, end = 0, len(text)
        while start < end and text[start] in chars:
            start += 1
        while end > start and text[end - 1] in chars:
            end -= 1
        return self.sub(start, end)

    def __add__(self, other: Block) -> Block:
        return Block(self.text + other.text, self.lines + other.lines, self.md, self.bold)

    @property
    def heading_level(self) -> str | None:
        m = HEADING_RE.match(self.text)
        if not m:
            return None
        return next(level for level in HEADING_LEVELS if m.group(level))


def concat(blocks: Iterable[Block]) -> Block:
    text: list[str] = []
    lines: list[int] = []
    md, bold = 0, False
    for i, b in enumerate(blocks):
        if i == 0:
            md, bold = b.md, b.bold
        text.append(b.text)
        lines.extend(b.lines)
    return Block("".join(text), lines, md, bold)


def split_lines(text: str) -> list[str]:
    """Lines as an editor counts them (\\n, \\r\\n, or a lone \\r when there is no \\n)."""
    if "\n" not in text and "\r" in text:
        return text.split("\r")
    return [line.rstrip("\r") for line in text.split("\n")]


# Equivalent unified ideographs of the CJK radicals supplement (Unicode's
# EquivalentUnifiedIdeograph.txt) that PDF text layers give in place of the characters;
# Kangxi radicals (U+2F00–U+2FD5) have an NFKC form and need no table.
_RADICALS = str.maketrans(
    "⺟⺠⺣⺰⻅⻆⻈⻉⻋⻌⻐⻓⻔⻙⻚⻛⻜⻠⻢⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "母民灬纟见角讠贝车辶钅长门韦页风飞饣马鱼鸟卤麦黄黾齐齿龙龟",
)
_KANGXI_RE = re.compile("[\u2f00-\u2fd5]")


def fix_radicals(text: str) -> str:
    text = text.translate(_RADICALS)
    return _KANGXI_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def is_damaged(text: str) -> bool:
    """True when spaces between Chinese characters look like extraction damage."""
    gaps = len(_CJK_GAP_RE.findall(text))
    cjk = len(_CJK_RE.findall(text))
    return gaps >= 3 and gaps * 200 >= cjk


def _fix_spaces(text: str, damaged: bool) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch not in SPACES:
            out.append(ch)
            i += 1
            continue
        j = i
        while j < n and text[j] in SPACES:
            j += 1
        prev = out[-1] if out else ""
        nxt = text[j] if j < n else ""
        if prev and nxt and (not damaged or (ord(prev) < 128 and ord(nxt) < 128)):
            out.append(" ")
        i = j
    return "".join(out)


_ALWAYS = {"(": "（", ")": "）", ";": "；"}
_NEAR_WIDE = {":": "：", "!": "！", "?": "？", ",": "，"}


def _fix_punct(text: str) -> str:
    chars = list(text)
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch in _ALWAYS:
            chars[i] = _ALWAYS[ch]
        elif ch in _NEAR_WIDE:
            prev = chars[i - 1] if i else ""
            nxt = chars[i + 1] if i + 1 < n else ""
            if ch == "," and prev.isdigit() and nxt.isdigit():
                continue
            if (prev and is_wide(prev)) or (nxt and is_wide(nxt)) or ch == ",":
                chars[i] = _NEAR_WIDE[ch]
    return "".join(chars)


_GLUED_RE = re.compile(r"^(\d{1,3})[.．](?=\d)(?!\d{4}年)")
_L3_RE = re.compile(r"^(\d{1,3})[.．、](?![\d.．])")
_UPPER_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇]+[章节部分篇]|[一二三四五六七八九十百]+[、．.]|[（(][一二三四五六七八九十百]+[）)])"
)


def _unglue_headings(lines: list[Line]) -> None:
    """ "11.121人才梯队项目" after item 10 is item 11 titled "121人才梯队项目": a space after
    the dot lets HEADING_RE see it. Only the next number in sequence is taken, so "3.5亿元"
    or "1.2019年…" are never headings."""
    last = 0
    for line in lines:
        text = line.text
        if _UPPER_RE.match(text):
            last = 0
            continue
        m = _L3_RE.match(text)
        if m:
            last = int(m.group(1))
            continue
        g = _GLUED_RE.match(text)
        if g and int(g.group(1)) == last + 1:
            line.text = text[: g.end()] + " " + text[g.end() :]
            last += 1


def clean_lines(text: str) -> list[Line]:
    """Repair each line of `text` on its own (rules 1–3); blank lines are kept, empty."""
    raw_lines = split_lines(fix_radicals(text))
    damaged = is_damaged(text)
    result: list[Line] = []
    for number, raw in enumerate(raw_lines, start=1):
        if _RULE_RE.match(raw):
            result.append(Line(number, ""))
            continue
        md = 0
        m = _MD_HEADING_RE.match(raw)
        body = raw
        if m:
            md = len(m.group(1))
            body = raw[m.end() :]
        stripped = body.strip(SPACES)
        bold = stripped.startswith("**")
        stripped = stripped.replace("**", "").strip(SPACES)
        indented = bool(raw) and raw[0] in SPACES and not m
        fixed = _fix_punct(_fix_spaces(stripped, damaged))
        result.append(Line(number, fixed, md, bold, indented))
    _unglue_headings(result)
    return result


def paragraph_per_line(lines: list[Line]) -> bool:
    """Is the text written one paragraph per line (as text taken from a web page or a
    database field is), rather than hard-wrapped?"""
    lengths = sorted(len(line.text) for line in lines if line.text)
    return bool(lengths) and lengths[len(lengths) // 2] >= 50


def ends_sentence(text: str) -> bool:
    """True when `text` ends a sentence (or a parenthesis, such as a 责任单位 clause)."""
    t = text.rstrip(SPACES)
    if not t:
        return True
    last = t[-1]
    if last in TERMINAL or last in CLOSERS:
        return True
    if last in QUOTES and len(t) > 1:
        return t[-2] in TERMINAL
    return False


def is_kicker(text: str) -> bool:
    """A short line without any punctuation: a newspaper kicker, byline or heading."""
    return len(text) <= 20 and not any(ch in "，。；：！？、,.;:" for ch in text)


def _starts_heading(line_or_block: Line | Block, titles: tuple[str, ...]) -> bool:
    text = line_or_block.text
    if line_or_block.md or line_or_block.bold or HEADING_RE.match(text):
        return True
    for title in titles:
        if text.startswith(title):
            rest = text[len(title) : len(title) + 1]
            if rest == "" or rest in "。，：；":
                return True
    return False


def _is_heading_only(block: Block) -> bool:
    """A heading line that stands alone ("（一）提升创新策源能级", "# 标题", "**一、…**")."""
    if block.md or block.bold:
        return True
    m = HEADING_RE.match(block.text)
    if not m:
        return False
    title = block.text[m.end() :]
    return len(title) <= 40 and not any(ch in "。！？；，、（" for ch in title)


def _leads_with_title(text: str) -> bool:
    """A paragraph opening with a short title sentence ("深化产业融合创新。重点是…")."""
    stop = text.find("。", 0, 14)
    return 4 <= stop < len(text) - 1 and title_shaped(text[:stop], 12)


def _mid_word(before: str, after: str) -> bool:
    """A short line cut in the middle of a parenthesis or a list ("市商" / "务局）")."""
    return before.count("（") > before.count("）") or before.endswith(("、", "（"))


def join(lines: list[Line], titles: Iterable[str] = ()) -> list[Block]:
    """Join repaired lines into paragraph blocks (rule 4)."""
    known = tuple(t for t in titles if t)
    per_line = paragraph_per_line(lines)
    blocks: list[Block] = []
    current: Block | None = None
    gap = False  # a blank line since `current` last grew
    for line in lines:
        if not line.text:
            gap = True
            continue
        piece = Block(line.text, [line.number] * len(line.text), line.md, line.bold)
        if current is None:
            current, gap = piece, False
            continue
        starts_new = _starts_heading(line, known) or _is_heading_only(current)
        if not starts_new:
            if gap:
                starts_new = (
                    ends_sentence(current.text)
                    or is_kicker(current.text)
                    or _leads_with_title(line.text)
                )
            else:
                # A hard-wrapped paragraph continues on the next line; a new paragraph
                # starts indented after a finished sentence, and a short unpunctuated
                # line (a signature, a kicker) stands alone.
                starts_new = ((line.indented or per_line) and ends_sentence(current.text)) or (
                    is_kicker(current.text) and not _mid_word(current.text, line.text)
                )
        if starts_new:
            blocks.append(current)
            current = piece
        else:
            if (
                current.text[-1:].isascii()
                and current.text[-1:].isalnum()
                and line.text[0].isascii()
            ):
                current = current + Block(" ", [current.last])
            current = current + piece
        gap = False
    if current is not None:
        blocks.append(current)
    return blocks


def clean(text: str, titles: Iterable[str] = ()) -> list[Block]:
    """Repaired paragraphs of `text`, each mapping its characters to original lines."""
    return join(clean_lines(text), titles)
