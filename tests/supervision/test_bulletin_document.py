"""The 通报 as a Word document laid out after GB/T 9704 (党政机关公文格式), read back with
python-docx and from its XML: A4 and the standard's margins, the grid of 22 lines of 28
characters, the faces named for the title, the body and each heading level, the 一、（一）1.
numbering, the 文号, the 落款 and 印发日期 in Chinese, page numbers outside at the bottom, and
the same counts as the dashboard for the same day."""

import io
import math
import re

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.supervision_world import frozen, world
from tracker.models import Bulletin
from tracker.services import bulletins

pytestmark = pytest.mark.django_db

SECTIONS = [
    "一、总体情况",
    "二、表扬",
    "三、滞后于序时进度",
    "四、逾期未完成",
    "五、未按时填报",
    "六、待审核销号",
    "七、下一步要求",
]


@pytest.fixture
def w(db):
    with frozen():
        yield world()


def issue(client, **extra):
    data = {
        "plan": "lc",
        "date": "2026-11-27",
        "title": "关于《聊城市加快邮政快递业高质量发展实施方案》落实情况的通报",
        "recipients": "各县（市、区）人民政府，市政府有关部门：",
        "opening": "现将落实情况通报如下。",
        "requirements": "（一）加快推进。逾期单位要尽快完成。\n1.按时填报。",
        "confirm": "on",
        "action": "issue",
        **extra,
    }
    with frozen():
        response = client.post(reverse("bulletin_compose"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Bulletin.objects.latest("created_at")


@pytest.fixture
def docx(client_as, manager, w):
    issued = issue(client_as(manager))
    with issued.document.open("rb") as f:
        return Document(io.BytesIO(f.read()))


def east_asian(run):
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def paragraph(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def test_the_page_is_a4_with_the_standard_margins(docx):
    section = docx.sections[0]
    for measured, mm in [
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ]:
        assert abs(measured - Mm(mm)) < Mm(0.05), (measured.mm, mm)


def test_the_grid_holds_22_lines_of_28_characters_of_16_points(docx):
    section = docx.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch, space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    # Word: a line is linePitch twips; a character the default size plus charSpace/4096 pt.
    char_pitch = 20 * (16 + space / 4096)
    assert math.floor(height / pitch) == 22
    assert math.floor(width / char_pitch) == 28
    normal = docx.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    # The body keeps those pitches by itself, in any program: lines of exactly the pitch,
    # characters condensed just enough for 28 a line.
    assert normal.paragraph_format.line_spacing.twips == pitch  # 28.95 pt
    condensed = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")))  # 1/20 pt
    assert math.floor(width / (20 * 16 + condensed)) == 28


def test_the_title_is_xiaobiaosong_22_points_centred(docx):
    title = paragraph(docx, "关于《聊城市加快邮政快递业高质量发展实施方案》落实情况的通报")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = title.runs
    assert east_asian(run) == "方正小标宋简体" and run.font.name == "方正小标宋简体"
    assert run.font.size == Pt(22)


def test_the_head_names_the_office_in_red_and_the_number_over_a_red_rule(docx):
    office = paragraph(docx, "聊城市人民政府督查室")
    assert office.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(office.runs[0].font.color.rgb) == "E60012"
    assert east_asian(office.runs[0]) == "方正小标宋简体"
    number = paragraph(docx, "聊督通〔2026〕1号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "E60012"


def test_headings_are_numbered_and_set_in_their_faces(docx):
    texts = [p.text for p in docx.paragraphs]
    headings = [t for t in texts if re.match(r"^[一二三四五六七八九十]+、", t)]
    assert headings == SECTIONS
    for text in headings:
        run = paragraph(docx, text).runs[0]
        assert east_asian(run) == "黑体" and run.font.size == Pt(16)
    seconds = [p for p in docx.paragraphs if p.text.startswith("（")]
    assert [p.text[:3] for p in seconds][:2] == ["（一）", "（一）"]  # each section counts anew
    assert all(east_asian(p.runs[0]) == "楷体_GB2312" for p in seconds)
    # 下一步要求: the number and the first sentence in 楷体, the rest in the body face.
    point = paragraph(docx, "（一）加快推进。逾期单位要尽快完成。")
    assert [(r.text, east_asian(r)) for r in point.runs] == [
        ("（一）加快推进。", "楷体_GB2312"),
        ("逾期单位要尽快完成。", "仿宋_GB2312"),
    ]
    items = [p for p in docx.paragraphs if re.match(r"^\d+\.", p.text)]
    assert items and all(east_asian(r) == "仿宋_GB2312" for p in items for r in p.runs)
    assert items[0].text.startswith("1.")


def test_the_body_is_fangsong_16_points_indented_two_characters(docx):
    summary = next(p for p in docx.paragraphs if p.text.startswith("截至2026年11月27日"))
    assert all(east_asian(r) == "仿宋_GB2312" and r.font.size == Pt(16) for r in summary.runs)
    assert summary.paragraph_format.first_line_indent == Pt(32)
    assert summary._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert summary.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_the_signature_date_and_imprint_are_written_in_chinese(docx):
    texts = [p.text for p in docx.paragraphs]
    where = texts.index("2026年11月27日")
    assert texts[where - 1] == "聊城市人民政府督查室"
    for p in (docx.paragraphs[where - 1], docx.paragraphs[where]):
        assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # The date's first character two to the right of the office's (GB/T 9704 §7.3.5.2).
    office_in = docx.paragraphs[where - 1].paragraph_format.right_indent.pt / 16
    date_in = docx.paragraphs[where].paragraph_format.right_indent.pt / 16
    assert (office_in, date_in) == (2, 3)
    assert texts[-1] == "聊城市人民政府督查室\t2026年11月27日印发"
    borders = docx.paragraphs[-1]._p.pPr.find(qn("w:pBdr"))
    assert borders.find(qn("w:top")) is not None and borders.find(qn("w:bottom")) is not None


def test_the_signature_and_date_stay_on_one_page_with_the_last_paragraph(docx):
    # Rendered, the demo's bulletin put 聊城市人民政府督查室 at the foot of page 13 and its date
    # alone at the top of page 14.
    texts = [p.text for p in docx.paragraphs]
    where = texts.index("2026年11月27日")
    last_body, blank, office = docx.paragraphs[where - 3 : where]
    assert last_body.text and not blank.text and office.text == "聊城市人民政府督查室"
    assert all(p.paragraph_format.keep_with_next for p in (last_body, blank, office))
    assert not docx.paragraphs[where].paragraph_format.keep_with_next


def test_page_numbers_sit_outside_at_the_bottom(docx):
    assert docx.settings.odd_and_even_pages_header_footer
    section = docx.sections[0]
    for footer, alignment in [
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ]:
        (number,) = footer.paragraphs
        assert number.alignment == alignment
        assert number.text == "— 1 —"
        assert " PAGE " in [t.text for t in number._p.iter(qn("w:instrText"))]
        assert east_asian(number.runs[0]) == "宋体" and number.runs[0].font.size == Pt(14)


def test_the_counts_are_the_dashboards_for_the_same_day(client_as, manager, docx):
    with frozen():
        counts = client_as(manager).get(reverse("dashboard") + "?plan=lc").context["counts"]
    summary = next(p.text for p in docx.paragraphs if p.text.startswith("截至2026年11月27日"))
    for words in [
        f"共有责任分工{counts['total']}项",
        f"已销号{counts['done']}项",
        f"红灯（逾期）{counts['red']}项",
        f"黄灯（临期、滞后于序时进度或未按时填报）{counts['yellow']}项",
        f"绿灯{counts['green']}项",
    ]:
        assert words in summary
    # The overdue section lists every red item of the dashboard, the longest overdue first.
    texts = [p.text for p in docx.paragraphs]
    overdue = texts[texts.index("四、逾期未完成") : texts.index("五、未按时填报")]
    assert sum(1 for t in overdue if re.match(r"^\d+\.", t)) == counts["red"]
    assert "（一）莘县（1项）" in overdue and any("已逾期150天" in t for t in overdue)


def test_the_document_says_what_the_page_says(client_as, manager, docx):
    with frozen():
        page = client_as(manager).get(reverse("bulletin") + "?plan=lc&date=2026-11-27")
    shown = [b.plain for b in page.context["doc"]["blocks"]]
    body = [p.text for p in docx.paragraphs]
    sections = body[body.index(SECTIONS[0]) : body.index(SECTIONS[-1])]
    assert sections == shown[shown.index(SECTIONS[0]) : shown.index(SECTIONS[-1])]


def test_a_draft_has_no_number_and_says_it_is_a_draft(client_as, manager, w):
    with frozen():
        response = client_as(manager).post(
            reverse("bulletin_compose"),
            {"plan": "lc", "date": "2026-11-27", "title": "关于落实情况的通报", "action": "docx"},
        )
    assert response["Content-Type"] == bulletins.documents.DOCX_TYPE
    assert "attachment" in response["Content-Disposition"]
    draft = Document(io.BytesIO(response.content))
    texts = [p.text for p in draft.paragraphs]
    assert "聊督通〔2026〕　号" in texts and "关于落实情况的通报" in texts
    assert "草稿" in draft.sections[0].header.paragraphs[0].text
    assert not Bulletin.objects.exists()


def test_the_office_and_the_prefix_come_from_the_settings(client_as, manager, w, settings):
    settings.TRACKER_BULLETIN_PREFIX = "莘督通"
    settings.TRACKER_BULLETIN_ISSUER = "莘县人民政府督查室"
    issued = issue(client_as(manager))
    assert (issued.doc_number, issued.issuer) == ("莘督通〔2026〕1号", "莘县人民政府督查室")
    with issued.document.open("rb") as f:
        texts = [p.text for p in Document(io.BytesIO(f.read())).paragraphs]
    assert "莘督通〔2026〕1号" in texts and "莘县人民政府督查室\t2026年11月27日印发" in texts
