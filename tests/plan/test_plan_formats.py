"""Every format `plan.read_document` reads gives the same plan: the samples in
formatsamples.py are one plan written as text, Markdown, .docx, an HTML page, a PDF printed
from that page by the system Chromium, .xlsx (its task table alone) and .csv."""

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import formatsamples as fs
import pytest

import plan
from plan.errors import PlanDecodeError
from plan.formats import detect_kind, number_text, render

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


def summary(parsed):
    return [
        (
            t.title,
            [(b.name, b.role) for b in t.bodies],
            t.deadline.date.isoformat() if t.deadline and t.deadline.date else None,
            [m.date.isoformat() for m in t.milestones],
        )
        for t in parsed.tasks
    ]


@pytest.fixture(scope="session")
def pdf_bytes(tmp_path_factory):
    """The HTML sample printed to PDF by Chromium, as a person would print the page."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is needed in CI to print the PDF sample (/usr/bin/chromium)")
        pytest.skip("Chromium is not installed here: the PDF sample cannot be printed")
    return fs.as_pdf(CHROMIUM, tmp_path_factory.mktemp("pdf"))


SAMPLES = {
    "text": lambda: fs.as_text().encode("utf-8"),
    "text-gb18030": lambda: fs.as_text().encode("gb18030"),
    "markdown": lambda: fs.as_markdown().encode("utf-8"),
    "docx": fs.as_docx,
    "html": lambda: fs.as_html().encode("utf-8"),
    "xlsx": fs.as_xlsx,
    "csv": fs.as_csv,
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_format_gives_the_same_tasks_bodies_and_deadlines(kind):
    text, parsed = plan.read_document(SAMPLES[kind](), f"分工.{kind}")
    assert summary(parsed) == fs.EXPECTED, text


def test_a_pdf_printed_from_the_page_gives_the_same_plan(pdf_bytes):
    text, parsed = plan.read_document(pdf_bytes, "plan.pdf")
    assert summary(parsed) == fs.EXPECTED, text
    assert parsed.source_kind == "pdf"
    assert parsed.title == fs.TITLE and parsed.issue_date == dt.date(2024, 3, 1)
    # The browser's running header and footer and the site's menu are not the plan's.
    assert "file://" not in text and "首页" not in " ".join(t.text for t in parsed.tasks)
    assert parsed.tasks[0].span.ref.startswith("第1页")
    assert re.fullmatch(r"第\d页表\d第\d行", parsed.tasks[1].stated_at[-1].ref)


def test_quotation_marks_a_word_processor_draws_last_are_read_in_their_places():
    # LibreOffice's PDF of a .docx draws a line's “ ” (set in a Latin font) after its
    # Chinese characters; PDFium gave them in that order: 推进 城中村 改造…到 “ ” “ ” 2025.
    data = (Path(__file__).parent / "samples" / "quotes-drawn-last.pdf").read_bytes()
    text, parsed = plan.read_document(data, "quotes.pdf")
    assert [t.title for t in parsed.tasks] == [
        "推进“城中村”改造和“一网通办”服务",
        "开展“放管服”改革，提升‘快递进村’覆盖率",
    ]
    assert "到2025年年底前完\n成“十四五”规划目标。" in text
    assert parsed.tasks[0].deadline.date == dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("docx", "docx"),
        ("xlsx", "xlsx"),
        ("html", "html"),
        ("csv", "text"),  # a csv is text; render() reads it as a table by its header
        ("text", "text"),
    ],
)
def test_the_kind_comes_from_the_content_not_the_name(kind, expected):
    data = SAMPLES[kind]()
    assert detect_kind(data) == expected
    _, parsed = plan.read_document(data, "misnamed.pdf")
    assert len(parsed.tasks) == 3


def test_the_prose_and_the_table_of_one_plan_are_merged_with_both_places():
    text, parsed = plan.read_document(fs.as_text().encode("utf-8"), "plan.txt")
    task = parsed.tasks[2]
    assert len(task.stated_at) == 2
    prose_place, row_place = task.stated_at
    assert text.splitlines()[prose_place.first - 1].startswith("（三）建设人才公寓")
    assert row_place.ref.startswith("表1第4行（第")
    assert [(m.phrase, m.date) for m in task.milestones] == [
        ("2024年6月底前", dt.date(2024, 6, 30)),
        ("2025年底前", dt.date(2025, 12, 31)),
    ]
    assert any("相关街镇" in w.message for w in parsed.warnings)


def test_word_numbering_is_written_out_and_refs_name_paragraphs_and_rows():
    text, parsed = plan.read_document(fs.as_docx(), "plan.docx")
    lines = text.splitlines()
    assert "一、工作目标" in lines and "二、重点任务" in lines
    assert any(line.startswith("（三）建设人才公寓。") for line in lines)
    assert parsed.tasks[0].span.ref.endswith("段")
    assert parsed.tasks[2].stated_at[-1].ref == "表1第4行"
    assert parsed.tasks[2].bodies[0].ref == "表1第4行"  # the merged cell, read in its row


def test_the_web_pages_menus_and_footer_are_left_out():
    text, parsed = plan.read_document(fs.as_html().encode("utf-8"), "plan.html")
    assert "网站地图" not in text and "政务公开" not in text
    assert parsed.title == fs.TITLE and parsed.issuer == fs.ISSUER


def test_a_spreadsheet_names_its_sheet_and_row():
    _, parsed = plan.read_document(fs.as_xlsx(), "分工.xlsx")
    assert parsed.tasks[0].span.ref == "工作表“分工”第3行"
    assert parsed.title == f"{fs.TITLE}重点任务分工表"


def test_a_task_table_alone_is_a_plan():
    table = "\n".join(line for line in fs.as_markdown().splitlines() if line.startswith("|"))
    parsed = plan.parse(table, source_name="分工表.md")
    assert summary(parsed) == fs.EXPECTED
    assert parsed.title == "分工表"


def test_a_flattened_table_with_merged_names_and_a_cell_broken_over_two_lines():
    text = "\n\n".join(
        [
            "附件",
            "序号",
            "任务名称",
            "任务内容",
            "牵头部门",
            "配合部门",
            "时间节点",
            "1",
            "加强统筹",
            "建立联席会议制度。",
            "区政府办公室",
            "各成员单位",
            "2024年3月",
            "2",
            "制定考核办法，纳入年度考核。",  # 任务名称 merged with the row above: left out
            "区委组织部（区公务员局）",
            "区财政局、",
            "区人社局",
            "2024年",
            "3",
            "推进建设",
            "完成站点改造。",
            "区建管委、区水务局",
            "各街镇",
            "长期坚持",
        ]
    )
    parsed = plan.parse(text)
    assert [(t.title, t.category) for t in parsed.tasks] == [
        ("建立联席会议制度", 1),
        ("制定考核办法", 1),
        ("完成站点改造", 2),
    ]
    assert [c.title for c in parsed.categories] == ["加强统筹", "推进建设"]
    assert [(b.name, b.role) for b in parsed.tasks[1].bodies] == [
        ("区委组织部（区公务员局）", "lead"),
        ("区财政局", "support"),
        ("区人社局", "support"),
    ]
    assert parsed.tasks[1].deadline.date == dt.date(2024, 12, 31)
    assert parsed.tasks[2].deadline.ongoing
    assert [b.role for b in parsed.tasks[2].bodies] == ["lead", "lead", "responsible"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "另存为"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "图片"),
        (b"PK\x03\x04broken", "损坏"),
        (b"%PDF-1.4\nnot really a pdf", "PDF"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_chinese_message(data, words):
    with pytest.raises(PlanDecodeError) as info:
        plan.read_document(data, "x")
    assert words in str(info.value)


def test_word_number_formats():
    assert [number_text(n, "chineseCounting") for n in (1, 10, 11, 20, 23)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
    assert number_text(3, "decimalEnclosedCircle") == "③"
    assert number_text(4, "upperRoman") == "IV"


def test_a_text_file_keeps_its_own_line_numbers_as_refs():
    rendered = render("一、任务\n（一）甲。（责任单位：区科委）\n".encode())
    assert rendered.kind == "text" and rendered.refs[:2] == ["第1行", "第2行"]
