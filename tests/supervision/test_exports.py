import datetime as dt
import io

from openpyxl import load_workbook

from tracker.services.exports import csv_bytes, display_width, safe_cell, xlsx_bytes


def test_text_that_could_run_as_a_formula_is_neutralised():
    for text in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", '=HYPERLINK("http://x")']:
        assert safe_cell(text) == "'" + text
    assert safe_cell("莘县") == "莘县"
    assert safe_cell(-2) == -2 and safe_cell(dt.date(2024, 12, 31)) == dt.date(2024, 12, 31)


def test_xlsx_has_chinese_headers_real_dates_a_frozen_header_and_wide_columns():
    data = xlsx_bytes(["责任单位", "完成时限"], [["莘县", dt.date(2024, 12, 31)], ["=cmd", None]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["责任单位", "完成时限"]
    assert sheet["B2"].value == dt.datetime(2024, 12, 31) and sheet["B2"].is_date
    assert sheet["A3"].value == "'=cmd"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= display_width("责任单位")


def test_csv_starts_with_a_bom_and_is_utf8():
    data = csv_bytes(["责任单位"], [["莘县"], ["@x"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["责任单位", "莘县", "'@x"]
