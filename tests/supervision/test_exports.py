import datetime as dt
import io

from openpyxl import load_workbook

from tracker.services.exports import Counted, csv_bytes, display_width, safe_cell, xlsx_bytes


def test_text_that_could_run_as_a_formula_gets_an_apostrophe_in_csv():
    for text in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", '=HYPERLINK("http://x")']:
        assert safe_cell(text) == "'" + text
    assert safe_cell("莘县") == "莘县"
    assert safe_cell(-2) == -2


def test_csv_dates_read_as_offices_write_them():
    assert safe_cell(dt.date(2024, 12, 31)) == "2024年12月31日"
    assert safe_cell(dt.date(2026, 1, 5)) == "2026年1月5日"


def test_xlsx_has_a_title_chinese_headers_real_dates_a_frozen_header_and_wide_columns():
    data = xlsx_bytes(
        [("责任单位", 18), "完成时限"],
        iter([["莘县", dt.date(2024, 12, 31)], ["=cmd", None]]),
        title="逾期与进度清单（截至2026年11月30日）",
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "逾期与进度清单（截至2026年11月30日）"
    assert "A1:B1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == ["责任单位", "完成时限"]
    assert sheet["B3"].value == dt.datetime(2024, 12, 31) and sheet["B3"].is_date
    assert sheet["B3"].number_format == 'yyyy"年"m"月"d"日"'
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:B4"
    # Stored as Excel stores a width typed in: the characters shown, plus Excel's padding.
    assert 18 < sheet.column_dimensions["A"].width < 19
    assert sheet.print_title_rows.replace("$", "") == "2:2"
    assert sheet["A2"].font.b and sheet["A2"].fill.fgColor.rgb.endswith("EEF2F6")
    assert sheet.column_dimensions["B"].width >= display_width("完成时限")


def test_formula_like_text_is_a_plain_string_without_a_visible_apostrophe_in_xlsx():
    data = xlsx_bytes(["进展"], [['=HYPERLINK("http://x")'], ["-5%"], ["@x"]])
    sheet = load_workbook(io.BytesIO(data)).active
    for row, text in ((2, '=HYPERLINK("http://x")'), (3, "-5%"), (4, "@x")):
        cell = sheet.cell(row=row, column=1)
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_csv_starts_with_a_bom_keeps_one_header_row_and_is_utf8():
    data = csv_bytes([("责任单位", 18)], iter([["莘县"], ["@x"]]))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["责任单位", "莘县", "'@x"]


def test_counted_counts_what_passes_through():
    rows = Counted(iter([[1], [2], [3]]))
    assert list(rows) == [[1], [2], [3]] and rows.n == 3
