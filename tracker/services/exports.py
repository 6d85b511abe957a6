"""Spreadsheet exports that open right in Chinese Excel and WPS.

- `.xlsx` (openpyxl, write-only: rows are written as they come from an iterator, never held
  as a list; `write_xlsx` and `write_csv` write into a file, which the view streams): a
  title row above the header (what is exported, the filters in words, the as-of date),
  Chinese headers, real dates shown as offices write them (2026年11月30日), a
  frozen and filtered header row repeated on every printed page, and column widths chosen
  for Chinese text.
- `.csv`: UTF-8 with a BOM, so Excel and WPS on Chinese Windows do not read it as GBK; one
  header row and nothing above it, so programs read it as a table.

Text that begins with = + - @ (or a tab / carriage return) could run as a formula. In the
xlsx it is a text cell marked quotePrefix — Excel's own way of saying "this is text even
though it looks like a formula", which shows no apostrophe; in the csv, which has no cell
types, it gets a leading apostrophe.
"""

import csv
import datetime as dt
import io
import unicodedata
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tracker.services.documents import office_date

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
OFFICE_DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def formula_like(text):
    """Whether a spreadsheet could take this text for a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def safe_cell(value):
    """The value as a csv cell: numbers stay numbers, dates read as offices write them, text
    that could run as a formula gets a leading apostrophe."""
    if type(value) is str:  # most cells: checked first, it is the one test they need
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.date):
        return office_date(value)
    text = str(value)
    if formula_like(text):
        return "'" + text
    return text


def display_width(text):
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


class Counted:
    """An iterable that counts what passed through it (`n`), for the access record of an
    export written straight from a query."""

    def __init__(self, iterable):
        self.iterable = iterable
        self.n = 0

    def __iter__(self):
        for item in self.iterable:
            self.n += 1
            yield item


def _columns(columns):
    """(header, width) pairs from headers alone or from (header, width) pairs."""
    return [c if isinstance(c, tuple) else (c, display_width(c) + 4) for c in columns]


def _xlsx_value(sheet, value):
    """What ws.append() gets for a value: the value itself where openpyxl stores it as it
    is (text, numbers, nothing), a styled cell only where the cell needs a style of its own
    (a date's format, a formula-like text's quotePrefix). openpyxl writes plain values
    through one reused cell; a cell of our own costs a new cell and a failed conversion
    inside append() — at 10,000 rows × 20 columns that was most of the workbook's time."""
    if type(value) is str:
        if not value.startswith(FORMULA_STARTS):
            return value
        # A text cell (openpyxl would otherwise store "=…" as a formula), shown as typed.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = OFFICE_DATE_FORMAT
        return cell
    if isinstance(value, int | float | Decimal):
        return value
    return _xlsx_value(sheet, f"{value}")  # a plain str, also of a str subclass or lazy text


def xlsx_bytes(columns, rows, *, sheet="导出", title=""):
    """The .xlsx of `rows` (any iterable of lists, in the order of `columns`: headers, or
    (header, width) pairs). With a `title`, it fills a merged row above the header."""
    buffer = io.BytesIO()
    write_xlsx(buffer, columns, rows, sheet=sheet, title=title)
    return buffer.getvalue()


def write_xlsx(into, columns, rows, *, sheet="导出", title=""):
    """xlsx_bytes() into a binary file: openpyxl's write-only workbook keeps the rows in a
    temporary file of its own as they come, so memory does not grow with their number."""
    columns = _columns(columns)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet[:31])
    last = get_column_letter(len(columns))
    for i, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_row = 2 if title else 1
    # A write-only sheet writes its views and columns with its first row: set them first.
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    if title:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True, size=14)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.row_dimensions[1].height = 40
        ws.append([cell])
        ws.merged_cells.add(f"A1:{last}1")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF2F6")
    headers = []
    for header, _width in columns:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
        headers.append(cell)
    ws.append(headers)
    count = 0
    for row in rows:
        ws.append([_xlsx_value(ws, v) for v in row])
        count += 1
    if count:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    workbook.save(into)


def csv_bytes(headers, rows):
    """The .csv of `rows` (any iterable): a BOM, one header row, the rows."""
    buffer = io.BytesIO()
    write_csv(buffer, headers, rows)
    return buffer.getvalue()


def write_csv(into, headers, rows):
    """csv_bytes() into a binary file, row by row."""
    text = io.TextIOWrapper(into, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow([h[0] if isinstance(h, tuple) else h for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    text.flush()
    text.detach()  # the caller's file stays open
