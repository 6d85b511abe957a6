"""Documents offices circulate, written the way offices write them: dates as 2026年11月30日
(`office_date`), and Word documents (.docx, python-docx) laid out after GB/T 9704-2012
《党政机关公文格式》 (`gongwen_docx`):

- A4, margins top 37 mm, bottom 35 mm, left (binding) 28 mm, right 26 mm: a type area of
  156 × 225 mm;
- 22 lines of 28 characters a page (§5.2.3 "一般每面排22行，每行排28个字"): the section's
  document grid says so as Word and WPS write it (`w:docGrid w:type="linesAndChars"` with
  its line pitch and character spacing: 页面设置 › 文档网格 shows 每页22行、每行28字), and the
  body keeps to those pitches by its own line spacing and character spacing (see _styles);
- the issuing office's name in red 小标宋 (发文机关标志), the 文号 under it, a red rule; the title
  in 方正小标宋简体 二号 (22 pt) centred; the body in 仿宋_GB2312 三号 (16 pt); headings 一、 in
  黑体, （一） in 楷体_GB2312, 1. in the body face; the issuing office and the date (落款), and the
  imprint line (版记: 印发机关 and 印发日期) between rules;
- page numbers "— 1 —" in 宋体 四号 at the bottom, outside: odd pages on the right, even pages
  on the left, one character in (a PAGE field in separate odd and even footers).

Fonts are named, not embedded: Word and WPS on an office computer have 仿宋_GB2312, 楷体_GB2312,
黑体 and 方正小标宋简体 (the names 公文 templates use) and show the document exactly; a computer
without one of them substitutes a similar face (LibreOffice: its CJK serif or sans), which
keeps the layout but not the exact letterforms. Embedding would make each file several
megabytes and the fonts' licences do not allow it.
"""

import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor, Twips

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
# Latin letters and digits in the body: the usual companion of 仿宋 in 公文 templates.
LATIN_FONT = "Times New Roman"

PAGE_MM = (210, 297)
MARGIN_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
ISSUER_PT = 36  # 小初: the 发文机关标志 of a long office name still fits the width
PAGE_NUMBER_PT = 14  # 四号
IMPRINT_PT = 14  # 四号, the 版记
RED = RGBColor(0xE6, 0x00, 0x12)
CONDENSE_TWENTIETHS = -5  # the body's character spacing: -0.25 pt (see _styles)


def office_date(day):
    """A date as offices write it: 2026年11月30日 (a date, or an ISO string as figures keep
    dates); "" for none."""
    if not day:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.year}年{day.month}月{day.day}日"


# A date written the ISO way inside a text (2026-11-30), not inside a longer number.
ISO_IN_TEXT = re.compile(r"(?<![0-9])([12][0-9]{3})-([01]?[0-9])-([0-3]?[0-9])(?![0-9])")


def office_dates_in(text):
    """`text` with the ISO dates in it written as offices write them: "申请延至 2026-11-30"
    becomes "申请延至 2026年11月30日". For the reasons an export or a document quotes (change
    records written before they said dates so, a reason a person typed that way); what is
    not a real date stays as it is."""

    def office(match):
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return match.group(0)
        return office_date(day)

    return ISO_IN_TEXT.sub(office, text) if text else text


def twips(mm):
    return round(mm / 25.4 * 1440)


def grid():
    """(linePitch in twips, charSpace in 1/4096 pt) for LINES_PER_PAGE lines of
    CHARS_PER_LINE characters of BODY_PT in the type area: the largest pitches that still
    fit, as Word computes them from 每页行数 and 每行字数."""
    width = twips(PAGE_MM[0]) - twips(MARGIN_MM["left"]) - twips(MARGIN_MM["right"])
    height = twips(PAGE_MM[1]) - twips(MARGIN_MM["top"]) - twips(MARGIN_MM["bottom"])
    line_pitch = height // LINES_PER_PAGE
    char_pitch_pt = width / CHARS_PER_LINE / 20
    char_space = math.floor((char_pitch_pt - BODY_PT) * 4096)
    return line_pitch, char_space


def display_chars(text):
    """How many characters wide a text is: a CJK character one, a Latin letter or digit half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_indents(signature, date_text):
    """落款 (GB/T 9704 §7.3.5.2, a document without a seal): how many characters in from the
    right the issuing office and the date under it stand. The office two characters in, the
    date starting two characters right of where the office starts; when that would bring the
    date nearer than two characters to the edge, the date two in and the office further
    left by as much."""
    sign, day = display_chars(signature), display_chars(date_text)
    date_in = 2 + sign - 2 - day
    if date_in >= 2:
        return 2.0, date_in
    return 2.0 + (2 - date_in), 2.0


@dataclass(frozen=True)
class Block:
    """One paragraph of a document's body. `level` 0 is a plain paragraph; 1, 2 and 3 are
    the heading levels of 公文 (一、 （一） 1.): `number` and `heading` are set in the
    level's face, `text` runs on in the body face."""

    level: int
    number: str = ""
    heading: str = ""
    text: str = ""

    @property
    def plain(self):
        return f"{self.number}{self.heading}{self.text}"


HEADING_FONTS = {1: H1_FONT, 2: H2_FONT, 3: BODY_FONT}


def gongwen_docx(
    *,
    issuer,
    doc_number,
    title,
    recipients,
    blocks,
    signature,
    day,
    draft_note="",
):
    """The .docx of an official document (see the module docstring): the header with
    `issuer` and `doc_number`, `title`, the main recipients, the body `blocks`, the
    signature and `day` (成文日期), and the imprint line (印发机关 = `signature`, 印发日期 =
    `day`). `draft_note` puts a line in every page's header (a draft is not a document)."""
    document = Document()
    _page_setup(document)
    _styles(document)
    section = document.sections[0]
    _page_numbers(document, section)
    if draft_note:
        for header in (section.header, section.even_page_header):
            paragraph = header.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, draft_note, font=BODY_FONT, size=10.5, color=RED)

    # 版头: the issuing office in red, the 文号 under it, the red rule under that.
    flag = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    flag.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fixed(flag, single=True)
    # Its top 35 mm below the top of the type area (§7.2.4), less the line's own leading.
    flag.paragraph_format.space_before = Twips(twips(35) - ISSUER_PT * 20 // 5)
    flag.paragraph_format.space_after = Pt(0)
    _run(flag, issuer, font=TITLE_FONT, size=ISSUER_PT, color=RED, latin=TITLE_FONT)
    document.add_paragraph()
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, doc_number)
    _red_rule(number)
    document.add_paragraph()

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title, font=TITLE_FONT, size=TITLE_PT, latin=TITLE_FONT)
    document.add_paragraph()
    if recipients:
        _run(document.add_paragraph(), recipients)

    paragraph = None
    for block in blocks:
        paragraph = document.add_paragraph()
        _indent_first_line(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if block.number or block.heading:
            font = HEADING_FONTS[block.level] if block.level else BODY_FONT
            _run(paragraph, block.number + block.heading, font=font)
        if block.text:
            _run(paragraph, block.text)

    # The last paragraph of the body, the blank line, the office and the date stay on one
    # page: a page holding only the date, or only the 落款, is what §7.3.5 forbids (the
    # standard would rather tighten the spacing).
    if paragraph is not None:
        paragraph.paragraph_format.keep_with_next = True
    document.add_paragraph().paragraph_format.keep_with_next = True
    date_text = office_date(day)
    sign_in, date_in = signature_indents(signature, date_text)
    for text, chars_in in ((signature, sign_in), (date_text, date_in)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(BODY_PT * chars_in)
        paragraph.paragraph_format.keep_with_next = text == signature
        _run(paragraph, text)

    # 版记: 印发机关 one character in from the left, 印发日期 one in from the right, between
    # two rules (§7.4.3).
    document.add_paragraph()
    imprint = document.add_paragraph()
    width = twips(PAGE_MM[0] - MARGIN_MM["left"] - MARGIN_MM["right"])
    imprint.paragraph_format.left_indent = Pt(IMPRINT_PT)
    imprint.paragraph_format.right_indent = Pt(IMPRINT_PT)
    imprint.paragraph_format.tab_stops.add_tab_stop(
        Twips(width - 2 * IMPRINT_PT * 20), WD_TAB_ALIGNMENT.RIGHT
    )
    _run(imprint, f"{signature}\t{date_text}印发", size=IMPRINT_PT)
    _rules(imprint, top=True, bottom=True)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the parts ----------------------------------------------------------------------------


def _page_setup(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Twips(twips(PAGE_MM[0]))
    section.page_height = Twips(twips(PAGE_MM[1]))
    section.top_margin = Twips(twips(MARGIN_MM["top"]))
    section.bottom_margin = Twips(twips(MARGIN_MM["bottom"]))
    section.left_margin = Twips(twips(MARGIN_MM["left"]))
    section.right_margin = Twips(twips(MARGIN_MM["right"]))
    # The page number's dash sits 7 mm below the type area (§7.5): the footer's baseline
    # about a line of 四号 lower.
    section.footer_distance = Twips(twips(MARGIN_MM["bottom"] - 7) - PAGE_NUMBER_PT * 20)
    section.header_distance = Twips(twips(15))
    line_pitch, char_space = grid()
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    doc_grid = OxmlElement("w:docGrid")
    doc_grid.set(qn("w:type"), "linesAndChars")
    doc_grid.set(qn("w:linePitch"), str(line_pitch))
    doc_grid.set(qn("w:charSpace"), str(char_space))
    sect_pr.append(doc_grid)


def _styles(document):
    """Normal: 仿宋_GB2312 三号 on the grid's line pitch; the document's default size is the
    same, since the grid's character pitch counts from it."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = r_pr.get_or_add_rFonts()
    # Theme fonts would win over the named ones.
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    r_pr.sz_val = Pt(BODY_PT)
    lang = r_pr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.font.name = LATIN_FONT
    normal_r_pr = normal.element.get_or_add_rPr()
    _east_asian(normal_r_pr, BODY_FONT)
    # The text keeps the grid's pitches by itself rather than by snapping to it: lines of
    # exactly the line pitch (_fixed), characters condensed by 0.25 pt (a 16 pt character
    # is 0.2 pt wider than a 28-a-line cell). Word and WPS then set 22 lines of 28 as the
    # grid would, and so does LibreOffice, which on a character grid puts each 16 pt
    # character across two cells and breaks lines early (seen in LibreOffice 7.4).
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
    normal_r_pr.insert_element_before(spacing, *R_PR_AFTER_SPACING)
    _fixed(normal)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    _insert_in_order(normal.element.get_or_add_pPr(), snap)


# The children of w:rPr that come after w:spacing (ECMA-376 CT_RPr's sequence).
R_PR_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def _insert_in_order(p_pr, element):
    """Put a child of w:pPr where ECMA-376 wants it (Word refuses a document otherwise)."""
    tag = "w:" + element.tag.split("}")[1]
    p_pr.insert_element_before(element, *P_PR_ORDER[P_PR_ORDER.index(tag) + 1 :])


# The children of w:pPr in the order ECMA-376 (CT_PPr) gives them.
P_PR_ORDER = (
    *("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr"),
    *("w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs"),
    *("w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct"),
    *("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd"),
    *("w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents"),
    *("w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment"),
    *("w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr"),
    "w:pPrChange",
)


def _fixed(paragraph_or_style, *, single=False):
    """Exactly the grid's line pitch (28.95 pt for 22 lines), so a page holds 22 lines in
    any program; `single` for the large 发文机关标志."""
    fmt = paragraph_or_style.paragraph_format
    if single:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        return
    fmt.line_spacing = Twips(grid()[0])
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY


def _east_asian(r_pr, font):
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)
    # Characters both scripts use (“ ” … —) are set in the Chinese face, as in Chinese text.
    fonts.set(qn("w:hint"), "eastAsia")


def _run(paragraph, text, *, font=BODY_FONT, size=BODY_PT, color=None, latin=None):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = latin or (LATIN_FONT if font in (BODY_FONT, H2_FONT) else font)
    _east_asian(run._element.get_or_add_rPr(), font)
    if color is not None:
        run.font.color.rgb = color
    return run


def _indent_first_line(paragraph):
    """Two characters, in characters (firstLineChars), as Word's 首行缩进 2 字符 writes it."""
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), "200")


def _border(p_pr, side, *, size, color, space=1):
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        _insert_in_order(p_pr, borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))  # eighths of a point
    line.set(qn("w:space"), str(space))  # points
    line.set(qn("w:color"), color)
    borders.append(line)


def _red_rule(paragraph):
    """The red rule under the 文号, the width of the type area, 4 mm below it (§7.2.7)."""
    _border(paragraph._p.get_or_add_pPr(), "bottom", size=12, color="E60012", space=11)


def _rules(paragraph, *, top, bottom):
    """The 版记's rules: 0.35 mm (about 1 pt) above and below (§7.4.1)."""
    p_pr = paragraph._p.get_or_add_pPr()
    if top:
        _border(p_pr, "top", size=8, color="000000", space=4)
    if bottom:
        _border(p_pr, "bottom", size=8, color="000000", space=4)


def _page_number(paragraph):
    """ "— 1 —": a PAGE field between two dashes (一字线), in 宋体 四号."""

    def run(text=""):
        return _run(paragraph, text, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_PT, latin=LATIN_FONT)

    def field_char(kind):
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run()._element.append(char)

    run("— ")
    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run()._element.append(instr)
    field_char("separate")
    run("1")  # shown until the program updates the field
    field_char("end")
    run(" —")


def _page_numbers(document, section):
    """Odd pages: right, one character in; even pages: left, one character in (§7.5). Word
    and WPS use the even footer only when the document asks for odd and even footers."""
    document.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
    _page_number(even)
