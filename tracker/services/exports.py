"""Spreadsheet exports that open right in Chinese Excel and WPS.

- `.xlsx` (openpyxl): Chinese headers, real dates, a frozen and filtered header row, column
  widths that fit Chinese text (a CJK character is two columns wide).
- `.csv`: UTF-8 with a BOM, so Excel and WPS on Chinese Windows do not read it as GBK.

A cell that begins with = + - @ (or a tab / carriage return) is neutralised with a leading
apostrophe, so a spreadsheet never runs text somebody typed as a formula.
"""

import csv
import datetime as dt
import io
import unicodedata
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def safe_cell(value):
    """The value as a cell: numbers and dates stay typed; text that could run as a formula
    gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def display_width(text):
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def xlsx_bytes(headers, rows, *, title="导出"):
    workbook = Workbook()
    sheet = workbook.create_sheet(title[:31], 0)
    workbook.remove(workbook.worksheets[1])  # the empty sheet every new workbook has
    sheet.append(list(headers))
    widths = [display_width(h) for h in headers]
    for row in rows:
        cells = [safe_cell(v) for v in row]
        sheet.append(cells)
        for i, value in enumerate(cells):
            shown = value.isoformat() if isinstance(value, dt.date) else value
            widths[i] = max(widths[i], min(display_width(shown), 60))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF2F6")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, dt.date) else safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
