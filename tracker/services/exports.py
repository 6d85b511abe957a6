"""Spreadsheet exports that open right in Chinese Excel and WPS.

- `.xlsx` (XlsxWriter in constant-memory mode: rows are written as they come from an
  iterator, never held as a list; `write_xlsx` and `write_csv` write into a file, which the
  view streams): a
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

import xlsxwriter

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


def xlsx_bytes(columns, rows, *, sheet="导出", title=""):
    """The .xlsx of `rows` (any iterable of lists, in the order of `columns`: headers, or
    (header, width) pairs). With a `title`, it fills a merged row above the header."""
    buffer = io.BytesIO()
    write_xlsx(buffer, columns, rows, sheet=sheet, title=title)
    return buffer.getvalue()


def write_xlsx(into, columns, rows, *, sheet="导出", title=""):
    """xlsx_bytes() into a binary file.

    XlsxWriter, not openpyxl: at 10,000 rows × 20 columns openpyxl's writer (one cell object
    and one lxml element per value) took ~3 s of a ~4 s export, XlsxWriter writes the same
    workbook in about half that. In constant-memory mode it writes each row to a temporary
    file when the next one starts, so memory does not grow with the number of rows."""
    columns = _columns(columns)
    workbook = xlsxwriter.Workbook(into, {"constant_memory": True})
    ws = workbook.add_worksheet(sheet[:31])
    last = len(columns) - 1
    for i, (_header, width) in enumerate(columns):
        ws.set_column(i, i, width)
    header_row = 1 if title else 0  # rows and columns count from 0 here
    ws.freeze_panes(header_row + 1, 0)
    ws.repeat_rows(header_row)
    if title:
        ws.set_row(0, 40)
        title_format = workbook.add_format(
            {"bold": True, "font_size": 14, "valign": "vcenter", "text_wrap": True}
        )
        ws.merge_range(0, 0, 0, last, title, title_format)
    header_format = workbook.add_format(
        {"bold": True, "pattern": 1, "bg_color": "#EEF2F6", "valign": "vcenter"}
    )
    for i, (header, _width) in enumerate(columns):
        ws.write_string(header_row, i, header, header_format)
    date_format = workbook.add_format({"num_format": OFFICE_DATE_FORMAT})
    # A text cell Excel shows as typed, however it begins (no apostrophe to see).
    text_format = workbook.add_format({"quote_prefix": True})
    r = header_row
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if type(value) is not str:
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = "是" if value else "否"
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date_format)
                    continue
                elif isinstance(value, int | float | Decimal):
                    ws.write_number(r, c, value)
                    continue
                else:
                    value = f"{value}"  # a plain str, also of a str subclass or lazy text
            # write_string: text is never taken for a formula or a number.
            if not value:
                continue  # an empty cell, as openpyxl reads it: nothing
            if value.startswith(FORMULA_STARTS):
                ws.write_string(r, c, value, text_format)
            else:
                ws.write_string(r, c, value)
    if r > header_row:
        ws.autofilter(header_row, 0, r, last)
    workbook.close()


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
