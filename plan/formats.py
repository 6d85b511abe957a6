"""Uploaded files of every common kind → one plan text, with the place of each line.

`read_document(data, name)` decides what the file is by its content (never its name),
writes it as text — paragraphs one per line, each table row as one pipe row
"| 序号 | 重点任务 | 牵头单位 | … |" — and parses that text with `plan.parse()`. It returns
the text (what the tracker keeps as the plan's source: every line number in the
ParsedPlan counts in it) and the ParsedPlan, whose `ref` fields say where each line is in
the uploaded file:

- text (.txt/.md, UTF-8 or GB18030): as it is; a line's ref is "第12行".
- .docx (python-docx): paragraphs in order with Word's automatic numbering (一、 （一） 1.)
  written out, tables row by row with a merged cell's text in every row it spans;
  "第5段" / "表1第3行".
- .pdf with a text layer: the text line by line, paragraphs told by indentation and
  short lines, each ruled table row by row; page numbers and the headers and footers
  repeated on every page (or printed by a browser) left out; "第3页" / "第3页表1第2行".
- .html saved from a web site (trafilatura): the main text, menus, navigation and footers
  left out, merged cells (rowspan/colspan) written into every cell they cover;
  "第5段" / "表1第3行".
- .xlsx (openpyxl): each sheet row by row, merged cells filled; "工作表“分工”第4行".
- .csv (UTF-8 or GB18030, comma or tab, recognised by its header's words): "第4行".
Table rows are counted from the table's first row, its header.

Why these libraries: python-docx and openpyxl are the maintained readers of the Office
formats; pdfplumber (over pypdf) because it finds ruled tables and gives each character's
position, so a table's cells are read as cells and the text around it in reading order,
where pypdf gives only a page's text. pdfplumber's pdfminer reads a page in about 0.1 s,
too slow for a 100-page plan, so pages that draw no lines (no ruled table) are read by
pypdfium2 (Google's PDFium, pdfplumber's own dependency), about ten times faster;
trafilatura because extracting a web page's main
content without its navigation is what it is built and benchmarked for, and it keeps
tables as tables.

Every failure is a PlanDecodeError (a PlanError) with a Chinese message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .cleanup import fix_radicals
from .decode import decode
from .errors import PlanDecodeError

if TYPE_CHECKING:
    from .gazetteer import Gazetteer
    from .model import ParsedPlan

TEXT = "text"
DOCX = "docx"
PDF = "pdf"
HTML = "html"
XLSX = "xlsx"
CSV = "csv"
KINDS = (TEXT, DOCX, PDF, HTML, XLSX, CSV)
MAX_BYTES = 50 * 1024 * 1024

_HTML_START_RE = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_HEADER_WORDS_RE = re.compile(r"序号|任务|牵头|配合|责任|时限|时间|内容|措施")


@dataclass
class Rendered:
    """A document written as plan text: `lines[i]` is line i+1, `refs[i]` where it is."""

    kind: str
    lines: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)

    def add(self, text: str, ref: str) -> None:
        for piece in text.split("\n"):
            self.lines.append(piece)
            self.refs.append(ref)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
            self.refs.append("")

    def row(self, cells: list[str], ref: str) -> None:
        self.lines.append("| " + " | ".join(_cell_text(c) for c in cells) + " |")
        self.refs.append(ref)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"

    def ref_map(self) -> dict[int, str]:
        # Lines are counted in `text`, which drops the leading blank lines.
        lead = 0
        while lead < len(self.lines) and self.lines[lead] == "":
            lead += 1
        return {k - lead + 1: r for k, r in enumerate(self.refs) if r and k >= lead}


def _cell_text(text: str) -> str:
    """One table cell on one line: its own lines joined, "|" kept out of the way."""
    parts = [p.strip() for p in re.split(r"[\r\n]+", text or "") if p.strip()]
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii():
            out += " "
        out += p
    return out.replace("|", "｜")


# ---------------------------------------------------------------------------------------
# The entry point


def detect_kind(data: bytes) -> str:
    """What an uploaded file is, from its content: "pdf", "docx", "xlsx", "html", "csv" or
    "text". Raises PlanDecodeError for kinds that cannot be read (old .doc/.xls, images,
    archives)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise PlanDecodeError("文件已损坏：无法作为 .docx/.xlsx 打开") from exc
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        raise PlanDecodeError("这是一个压缩包，不是 .docx 或 .xlsx 文件；请上传方案文件本身")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise PlanDecodeError(
            "这是旧版 Word/Excel 文件（.doc/.xls）：请另存为 .docx/.xlsx 后再上传"
        )
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise PlanDecodeError("这是一张图片，不是方案文本：请上传文字版的方案")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if _HTML_START_RE.match(body[:4096]):
        return HTML
    return TEXT


def render(data: bytes) -> Rendered:
    """The document as plan text with each line's place (see the module's docstring)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise PlanDecodeError("上传的内容不是文件数据")
    raw = bytes(data)
    if len(raw) > MAX_BYTES:
        raise PlanDecodeError(f"文件过大（超过{MAX_BYTES // 1024 // 1024}MB）")
    kind = detect_kind(raw)
    if kind == PDF:
        return _render_pdf(raw)
    if kind == DOCX:
        return _render_docx(raw)
    if kind == XLSX:
        return _render_xlsx(raw)
    text = decode(raw)
    if kind == HTML:
        return _render_html(text)
    if _looks_like_csv(text):
        return _render_csv(text)
    out = Rendered(TEXT)
    for k, line in enumerate(text.split("\n"), start=1):
        out.lines.append(line.rstrip("\r"))
        out.refs.append(f"第{k}行")
    return out


def read_document(
    data: bytes, name: str = "", *, gazetteer: Gazetteer | None = None
) -> tuple[str, ParsedPlan]:
    """Read an uploaded plan of any supported kind: (its text, its ParsedPlan).

    The text is what the tracker keeps as the plan's source; line numbers in the
    ParsedPlan count in it, and each `ref` says where the line is in the uploaded file.
    `name` (the file's name) is used only as a last resort for the title of a bare task
    table. Raises PlanDecodeError or PlanParseError (PlanErrors) with a Chinese message."""
    from .parser import parse

    rendered = render(data)
    text = rendered.text
    refs = {} if rendered.kind == TEXT else rendered.ref_map()
    parsed = parse(
        text, gazetteer=gazetteer, source_name=name, refs=refs, source_kind=rendered.kind
    )
    return text, parsed


# ---------------------------------------------------------------------------------------
# .csv


def _looks_like_csv(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    for sep in (",", "\t", "，"):
        if first.count(sep) >= 2 and len(_HEADER_WORDS_RE.findall(first)) >= 2:
            return True
    return False


def _render_csv(text: str) -> Rendered:
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = max((",", "\t", "，"), key=first.count)
    if sep == "，":
        text = text.replace("，", ",")
        sep = ","
    out = Rendered(CSV)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        for k, row in enumerate(reader, start=1):
            cells = [c.strip() for c in row]
            if any(cells):
                out.row(cells, f"第{k}行")
            else:
                out.blank()
    except csv.Error as exc:
        raise PlanDecodeError(f"CSV 文件格式有误：{exc}") from exc
    return out


# ---------------------------------------------------------------------------------------
# .xlsx


def _xlsx_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _render_xlsx(data: bytes) -> Rendered:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise PlanDecodeError(f"无法打开 .xlsx 文件：{exc}") from exc
    out = Rendered(XLSX)
    for sheet in book.worksheets:
        grid: list[list[str]] = [
            [_xlsx_value(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        spans: list[tuple[int, int, int, int]] = []
        for merged in sheet.merged_cells.ranges:
            r1, c1, r2, c2 = merged.min_row, merged.min_col, merged.max_row, merged.max_col
            spans.append((r1, c1, r2, c2))
            value = grid[r1 - 1][c1 - 1] if r1 - 1 < len(grid) else ""
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                        grid[r - 1][c - 1] = value
        for k, cells in enumerate(grid, start=1):
            ref = f"工作表“{sheet.title}”第{k}行"
            filled = [c for c in cells if c]
            if not filled:
                out.blank()
            elif len(set(filled)) == 1 and (
                len(filled) == 1 or any(r1 == r2 == k and c2 > c1 for r1, c1, r2, c2 in spans)
            ):
                # A title row (one cell, or one cell merged across the sheet).
                out.blank()
                out.add(filled[0], ref)
                out.blank()
            else:
                while cells and not cells[-1]:
                    cells.pop()
                out.row(cells, ref)
        out.blank()
    return out


# ---------------------------------------------------------------------------------------
# .docx


_CN_DIGITS = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _chinese(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _roman(n: int) -> str:
    pairs: list[tuple[int, str]] = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD")]
    pairs += [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX")]
    pairs += [(5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in pairs:
        while n >= value:
            out += letters
            n -= value
    return out


def number_text(n: int, fmt: str) -> str:
    """A list number in Word's format `fmt` (w:numFmt)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified"):
        return _chinese(n)
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Word's automatic paragraph numbering, written out as the reader sees it."""

    def __init__(self, numbering_xml: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract → ilvl → …
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstract, starts)
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_xml is None:
            return
        for abstract in numbering_xml.iter(f"{_W}abstractNum"):
            aid = abstract.get(f"{_W}abstractNumId")
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in abstract.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = _val(lvl.find(f"{_W}numFmt")) or "decimal"
                text = _val(lvl.find(f"{_W}lvlText")) or ""
                start = int(_val(lvl.find(f"{_W}start")) or "1")
                levels[ilvl] = (fmt, text, start)
            self.levels[aid] = levels
        for num in numbering_xml.iter(f"{_W}num"):
            nid = num.get(f"{_W}numId")
            aid = _val(num.find(f"{_W}abstractNumId"))
            starts: dict[int, int] = {}
            for override in num.iter(f"{_W}lvlOverride"):
                given = _val(override.find(f"{_W}startOverride"))
                if given is not None:
                    starts[int(override.get(f"{_W}ilvl", "0"))] = int(given)
            self.nums[nid] = (aid or "", starts)

    def label(self, num_id: str, ilvl: int) -> str:
        if num_id not in self.nums or num_id == "0":
            return ""
        aid, starts = self.nums[num_id]
        levels = self.levels.get(aid, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        _, text, start = levels[ilvl]
        start = starts.get(ilvl, start)
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def level_number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lvl_fmt, _, lvl_start = levels.get(k, ("decimal", "", 1))
            return number_text(counters.get(k, starts.get(k, lvl_start)), lvl_fmt)

        return re.sub(r"%(\d)", level_number, text)


def _val(element: Any) -> str | None:
    return None if element is None else element.get(f"{_W}val")


def _paragraph_numbering(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph's automatic numbering, its own or its style's."""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        style_ppr = style.element.pPr
        num_pr = style_ppr.numPr if style_ppr is not None else None
        style = style.base_style
    if num_pr is None or num_pr.numId is None:
        return None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(ilvl)


def _render_docx(data: bytes) -> Rendered:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise PlanDecodeError(f"无法打开 .docx 文件：{exc}") from exc
    try:
        numbering_xml = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_xml = None
    numbering = _Numbering(numbering_xml)
    out = Rendered(DOCX)
    paragraph_no = table_no = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            found = _paragraph_numbering(paragraph)
            label = numbering.label(*found) if found else ""
            if not text:
                out.blank()
                continue
            paragraph_no += 1
            out.blank()
            out.add(label + text, f"第{paragraph_no}段")
        elif tag == "tbl":
            table_no += 1
            out.blank()
            rows = [[cell.text for cell in row.cells] for row in DocxTable(child, document).rows]
            _add_table(out, rows, lambda r, t=table_no: f"表{t}第{r}行")
            out.blank()
    return out


def _add_table(out: Rendered, rows: list[list[str]], ref: Any) -> None:
    """Table rows as pipe rows; a row that is one cell across the table is a plain line."""
    for r, cells in enumerate(rows, start=1):
        texts = [_cell_text(c) for c in cells]
        filled = [t for t in texts if t]
        if not filled:
            continue
        if len(texts) > 1 and len(set(filled)) == 1 and len(filled) in (1, len(texts)):
            out.blank()
            out.add(filled[0], ref(r))
            out.blank()
            continue
        out.row(texts, ref(r))


# ---------------------------------------------------------------------------------------
# .html


def _expand_spans(html_text: str) -> str:
    """Write a merged cell's text into every cell it covers (rowspan/colspan), as Word and
    the spreadsheet readers do, so that no row of a task table loses its lead body."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html_text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise PlanDecodeError(f"无法读取网页：{exc}") from exc
    for table in root.iter("table"):
        rows = [tr for tr in table.iter("tr") if _closest_table(tr) is table]
        pending: dict[int, tuple[int, Any]] = {}  # column → (rows left, cell)
        for tr in rows:
            cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
            col = 0
            out_cells: list[Any] = []
            queue = list(cells)
            while queue or any(k >= col for k in pending):
                if col in pending:
                    left, cell = pending[col]
                    copy = lxml.html.fragment_fromstring(
                        lxml.html.tostring(cell, encoding="unicode")
                    )
                    copy.attrib.pop("rowspan", None)
                    copy.attrib.pop("colspan", None)
                    out_cells.append(copy)
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col] = (left - 1, cell)
                    col += 1
                    continue
                if not queue:
                    col += 1
                    continue
                cell = queue.pop(0)
                rowspan = _span(cell.get("rowspan"))
                colspan = _span(cell.get("colspan"))
                cell.attrib.pop("rowspan", None)
                cell.attrib.pop("colspan", None)
                for k in range(colspan):
                    piece = (
                        cell
                        if k == 0
                        else lxml.html.fragment_fromstring(
                            lxml.html.tostring(cell, encoding="unicode")
                        )
                    )
                    out_cells.append(piece)
                    if rowspan > 1:
                        pending[col] = (rowspan - 1, cell)
                    col += 1
            for c in list(tr):
                if isinstance(c.tag, str) and c.tag in ("td", "th"):
                    tr.remove(c)
            for c in out_cells:
                tr.append(c)
    return str(lxml.html.tostring(root, encoding="unicode"))


def _closest_table(element: Any) -> Any:
    node = element.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 100))
    except ValueError:
        return 1


def _render_html(html_text: str) -> Rendered:
    import lxml.etree
    import trafilatura

    expanded = _expand_spans(html_text)
    xml = trafilatura.extract(
        expanded,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        include_formatting=False,
        deduplicate=False,
    )
    out = Rendered(HTML)
    title = _html_title(html_text)
    if title:
        out.add(title, "标题")
    if not xml:
        if not title:
            raise PlanDecodeError("网页中没有找到正文")
        return out
    try:
        root = lxml.etree.fromstring(xml.encode("utf-8"))
    except lxml.etree.XMLSyntaxError as exc:
        raise PlanDecodeError(f"无法读取网页正文：{exc}") from exc
    main = root.find("main")
    paragraph_no = table_no = 0
    for element in _html_blocks(main if main is not None else root):
        if element.tag == "table":
            table_no += 1
            rows = [
                ["".join(cell.itertext()) for cell in row.iter("cell")]
                for row in element.iter("row")
            ]
            out.blank()
            _add_table(out, rows, lambda r, t=table_no: f"表{t}第{r}行")
            out.blank()
            continue
        text = "".join(element.itertext()).strip()
        if not text or (paragraph_no == 0 and text == title):
            continue
        paragraph_no += 1
        out.blank()
        out.add(re.sub(r"[ \t]*\n[ \t]*", "", text), f"第{paragraph_no}段")
    return out


def _html_blocks(root: Any) -> Iterator[Any]:
    """The block elements of trafilatura's XML, in order (a table whole)."""
    for element in root:
        if element.tag == "table":
            yield element
        elif element.tag in ("list", "quote", "div"):
            yield from _html_blocks(element)
        elif element.tag in ("p", "head", "item", "code", "lb"):
            yield element


def _html_title(html_text: str) -> str:
    """The page's heading: its first <h1>, else its <title> without the site's name."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html_text)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for tag in ("h1", "title"):
        for element in root.iter(tag):
            text = re.sub(r"\s+", " ", element.text_content()).strip()
            if tag == "title":
                text = re.split(r"[_|｜\-—]{1,2}(?=[^_|｜\-—]*$)", text)[0].strip()
            if text:
                return text
    return ""


# ---------------------------------------------------------------------------------------
# .pdf


_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+"
    r"|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
# What a browser prints above and below a page: the date and time, the page's address and
# "1/3".
_BROWSER_FURNITURE_RE = re.compile(
    r"^(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}[,，]?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M)?\b.*"
    r"|(?:https?|file)://\S+(?:\s+\d+\s*/\s*\d+)?)$",
    re.IGNORECASE,
)


@dataclass
class _PdfLine:
    page: int
    top: float
    text: str
    table: int = 0  # the table's number on its page, 0 for text
    cells: list[str] = field(default_factory=list)
    row: int = 0
    starts: bool = False  # indented: it starts a paragraph
    ends: bool = False  # short of the right margin: it ends a paragraph


def _render_pdf(data: bytes) -> Rendered:
    import pdfplumber
    import pypdfium2
    import pypdfium2.raw as pdfium_c
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    # pdfminer logs every font it finds odd ("Could not get FontBBox…"); the reader is
    # told what matters through PlanDecodeError instead.
    quiet = logging.getLogger("pdfminer")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    items: list[_PdfLine] = []
    plumber: Any = None
    try:
        document = pypdfium2.PdfDocument(data)
        for index in range(len(document)):
            page = document[index]
            # PDFium (Chrome's PDF engine) reads a page's text fast; pdfplumber, which
            # finds ruled tables, is kept for the pages that draw lines (a table's rules).
            draws = any(
                True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)
            )
            if draws:
                if plumber is None:
                    plumber = pdfplumber.open(io.BytesIO(data))
                items.extend(_pdf_page(plumber.pages[index], index + 1))
            else:
                items.extend(_pdfium_page(page, index + 1))
            page.close()
        document.close()
    except (
        pypdfium2.PdfiumError,
        PdfminerException,
        PDFSyntaxError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:
        raise PlanDecodeError(f"无法读取 PDF 文件：{exc}") from exc
    finally:
        if plumber is not None:
            plumber.close()
        quiet.setLevel(level)
    if not any(item.text.strip() or item.cells for item in items):
        raise PlanDecodeError("PDF 没有文字层（可能是扫描件）：请上传文字版 PDF 或 Word 文件")
    items = _without_page_furniture(items)
    out = Rendered(PDF)
    table_no = 0
    last_table: tuple[int, int] | None = None
    for item in items:
        if item.cells:
            key = (item.page, item.table)
            if key != last_table:
                table_no += 1
                out.blank()
                last_table = key
            ref = f"第{item.page}页表{table_no}第{item.row}行"
            _add_table(out, [item.cells], lambda _r, ref=ref: ref)
            continue
        if last_table is not None:
            out.blank()
            last_table = None
        if item.starts:
            out.blank()
        out.add(item.text, f"第{item.page}页")
        if item.ends:
            out.blank()
    return out


def _pdfium_page(page: Any, number: int) -> list[_PdfLine]:
    """A page without drawn lines (so without ruled tables): its text lines, read by
    PDFium, each marked as starting or ending a paragraph by where it stands."""
    textpage = page.get_textpage()
    text = str(textpage.get_text_range())
    height = float(page.get_height())
    spans: list[tuple[str, float, float, float]] = []  # text, top, x0, x1
    pos = 0
    for raw_line in text.split("\r\n"):
        start, end = pos, pos + len(raw_line)
        pos = end + 2  # the "\r\n" PDFium puts between lines counts as two characters
        stripped = raw_line.strip()
        if not stripped:
            continue
        first = start + (len(raw_line) - len(raw_line.lstrip()))
        last = start + len(raw_line.rstrip()) - 1
        left, _, _, top = textpage.get_charbox(first)
        _, _, right, _ = textpage.get_charbox(last)
        reordered = _in_reading_order(textpage, raw_line, start)
        if reordered is not None:
            stripped, left, right = reordered
        spans.append((stripped, height - float(top), float(left), float(right)))
    textpage.close()
    return _lines_with_paragraphs(number, spans)


def _in_reading_order(textpage: Any, line: str, start: int) -> tuple[str, float, float] | None:
    """A PDFium line whose characters it gave out of their places on the page, in their
    places, with its left and right edges; None when they are in order (nearly always).
    PDFium gives a line's characters in the order the file draws them, and a word processor
    may draw the quotation marks of a line, set in another font, after its Chinese
    characters: “城中村” came out as 城中“”村. Spaces PDFium made up stay only between two
    Latin letters or digits."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_double(), ctypes.c_double()
    chars = []  # (x of the glyph's origin, character, made up by PDFium, its index)
    for k, ch in enumerate(line):
        index = start + k
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
        made_up = bool(pdfium_c.FPDFText_IsGenerated(textpage.raw, index))
        chars.append((x.value, ch, made_up, index))
    drawn = [c for c in chars if not c[2]]
    if all(a[0] <= b[0] + 0.5 for a, b in itertools.pairwise(drawn)):
        return None
    chars.sort(key=lambda c: c[0])  # stable: a made-up space stays before its word

    def latin(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    out: list[str] = []
    for k, (_x, ch, made_up, _index) in enumerate(chars):
        if made_up and ch.isspace():
            after = next((c[1] for c in chars[k + 1 :] if not c[2]), "")
            if not (out and latin(out[-1]) and latin(after)):
                continue
        out.append(ch)
    ink = [c[3] for c in chars if not c[1].isspace()]
    left = textpage.get_charbox(ink[0])[0]
    right = textpage.get_charbox(ink[-1])[2]
    return "".join(out).strip(), float(left), float(right)


def _lines_with_paragraphs(
    number: int, spans: list[tuple[str, float, float, float]]
) -> list[_PdfLine]:
    """Lines (text, top, x0, x1) of a page → _PdfLines: a PDF has no paragraphs, only
    lines; an indented line starts one, a line that stops short of the right margin ends
    one."""
    if not spans:
        return []
    left = min(x0 for _, _, x0, _ in spans)
    right = max(x1 for _, _, _, x1 in spans)
    widths = sorted((x1 - x0) / max(1, len(t)) for t, _, x0, x1 in spans)
    em = widths[len(widths) // 2]
    return [
        _PdfLine(
            number,
            top,
            fix_radicals(text),
            starts=x0 > left + 1.5 * em,
            ends=x1 < right - 2 * em,
        )
        for text, top, x0, x1 in spans
    ]


def _pdf_page(page: Any, number: int) -> list[_PdfLine]:
    """A page's text lines outside tables and its tables' rows, top to bottom."""
    tables = page.find_tables() if (page.rects or page.lines) else []
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = text_page.extract_text_lines(layout=False, strip=True, return_chars=False)
    out = _lines_with_paragraphs(
        number,
        [(str(x["text"]), float(x["top"]), float(x["x0"]), float(x["x1"])) for x in lines],
    )
    for t_no, table in enumerate(tables, start=1):
        rows = table.extract()
        previous: list[str] = []
        for r_no, (row, row_obj) in enumerate(zip(rows, table.rows, strict=False), start=1):
            cells: list[str] = []
            for k, cell in enumerate(row):
                if cell is None:
                    # A cell merged with the one above (or to the left) covers this one.
                    if k < len(previous) and previous[k]:
                        cell = previous[k]
                    elif cells:
                        cell = cells[-1]
                    else:
                        cell = ""
                cells.append(_cell_text(fix_radicals(cell)))
            previous = cells
            out.append(_PdfLine(number, float(row_obj.bbox[1]), "", t_no, cells, r_no))
    out.sort(key=lambda item: (item.top, 0 if not item.cells else 1))
    return out


def _edges(lines: list[_PdfLine]) -> list[_PdfLine]:
    return [*lines[:2], *lines[-2:]]


def _without_page_furniture(items: list[_PdfLine]) -> list[_PdfLine]:
    """Without page numbers and the running headers and footers a printer repeats on
    every page (compared with their digits masked: "2024/3/1 第1页" on each page)."""
    pages = max((item.page for item in items), default=0)

    def masked(text: str) -> str:
        return re.sub(r"\d+", "#", text.strip())

    edges: Counter[str] = Counter()
    by_page: dict[int, list[_PdfLine]] = {}
    for item in items:
        if not item.cells:
            by_page.setdefault(item.page, []).append(item)
    for lines in by_page.values():
        for item in {id(x): x for x in [*lines[:2], *lines[-2:]]}.values():
            edges[masked(item.text)] += 1
    repeated = {text for text, n in edges.items() if pages >= 2 and n >= max(2, pages // 2 + 1)}
    kept = []
    for item in items:
        if not item.cells:
            text = item.text.strip()
            if _PAGE_NUMBER_RE.match(text) or masked(text) in repeated:
                continue
            if _BROWSER_FURNITURE_RE.match(text) and item in _edges(by_page.get(item.page, [])):
                continue
        kept.append(item)
    return kept
