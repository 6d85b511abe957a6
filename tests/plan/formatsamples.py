"""One small plan, written for these tests, in every format `plan.read_document` reads:
text (a task table flattened one cell per line), Markdown (a pipe table), .docx (Word's
automatic numbering, a merged cell), an HTML page (navigation, footer, rowspan), a PDF
printed from that page by Chromium, .xlsx (merged cells) and .csv. Imported by the tests as
`formatsamples`. None of this is a copy of a real plan."""

from __future__ import annotations

import csv
import html
import io
import subprocess
from pathlib import Path

TITLE = "某区推进示范街区建设行动方案"
ISSUER = "某区人民政府办公室"
DATE = "2024年3月1日"
HEADERS = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
# (task, its sentence in the prose, leads, supporting bodies, 完成时限)
TASKS = [
    ("推进园区建设", "建成示范园区2个。", "区发展改革委、区经委", "区财政局", "2024年底前"),
    ("完善服务网络", "建设社区服务站点30个。", "区商务委", "各街道", "2025年6月"),
    (
        "建设人才公寓",
        "分两批建设人才公寓，满足引进人才居住需求。",
        "区商务委",
        "区住房保障局、相关街镇",
        "2024年6月底前、2025年底前",
    ),
]
# What every format must give: (title, [(body, role)], deadline, milestone dates).
EXPECTED = [
    (
        "推进园区建设",
        [("区发展改革委", "lead"), ("区经委", "lead"), ("区财政局", "support")],
        "2024-12-31",
        [],
    ),
    ("完善服务网络", [("区商务委", "lead"), ("各街道", "responsible")], "2025-06-30", []),
    (
        "建设人才公寓",
        [("区商务委", "lead"), ("区住房保障局", "support")],
        "2025-12-31",
        ["2024-06-30", "2025-12-31"],
    ),
]

NOTICE = [
    f"关于印发《{TITLE}》的通知",
    "各街道办事处，区政府各委、办、局：",
    f"现将《{TITLE}》印发给你们，请认真贯彻执行。",
    ISSUER,
    DATE,
    TITLE,
    "为推进示范街区建设，制定本方案。",
]
CLOSING = ["三、保障措施", "各单位要加强组织领导，确保各项任务落到实处。"]


def prose(numbered: bool = True) -> list[tuple[str, str]]:
    """The plan's paragraphs as (numbering, text): the numbering written out or not."""
    out = [("", line) for line in NOTICE]
    out.append(("一、" if numbered else "", "工作目标"))
    out.append(("", "到2025年底，建成示范街区3个。"))
    out.append(("二、" if numbered else "", "重点任务"))
    cn = "一二三四五六七八九十"
    for k, (task, sentence, *_rest) in enumerate(TASKS):
        out.append((f"（{cn[k]}）" if numbered else "", f"{task}。{sentence}"))
    out.append(("", CLOSING[0]))
    out.append(("", CLOSING[1]))
    out.append(("", "附件：重点任务分工表"))
    return out


def rows() -> list[list[str]]:
    return [
        [str(k), task, leads, support, due]
        for k, (task, _s, leads, support, due) in enumerate(TASKS, start=1)
    ]


def as_text() -> str:
    """Plain text, the table flattened to one cell per line with blank lines between."""
    lines = [n + t for n, t in prose()]
    lines.append("重点任务分工表")
    lines += HEADERS
    for row in rows():
        lines += row
    return "\n\n".join(lines) + "\n"


def as_markdown() -> str:
    lines = [f"# {NOTICE[0]}", *(n + t for n, t in prose()[1:])]
    table = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    table += ["| " + " | ".join(r) + " |" for r in rows()]
    return "\n\n".join(lines) + "\n\n" + "\n".join(table) + "\n"


def as_html() -> str:
    """A page as saved from a government web site: menus, a footer, a table with rowspan."""
    body = [f"<h1>{html.escape(NOTICE[0])}</h1>"]
    for numbering, text in prose()[1:]:
        body.append(f"<p>{html.escape(numbering + text)}</p>")
    table = ['<table border="1" cellspacing="0">']
    table.append("<tr>" + "".join(f"<th>{h}</th>" for h in HEADERS) + "</tr>")
    for k, row in enumerate(rows()):
        cells = []
        for j, cell in enumerate(row):
            if j == 2 and k == 1:
                cells.append(f'<td rowspan="2">{html.escape(cell)}</td>')
            elif j == 2 and k == 2:
                continue  # covered by the cell above
            else:
                cells.append(f"<td>{html.escape(cell)}</td>")
        table.append("<tr>" + "".join(cells) + "</tr>")
    table.append("</table>")
    menu = "".join(
        f'<li><a href="/{k}">{w}</a></li>'
        for k, w in enumerate(["首页", "政务公开", "政策文件", "互动交流", "办事服务"])
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(NOTICE[0])}_某区人民政府</title>
<style>body {{ font-family: sans-serif; }} td, th {{ padding: 4px; }}</style></head>
<body>
<div class="header"><ul class="nav">{menu}</ul>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 政策文件</div></div>
<div class="article">
{"".join(body)}
{"".join(table)}
</div>
<div class="footer"><p>主办：某区人民政府办公室　地址：某路1号</p>
<p>网站标识码：0000000000　ICP备00000000号</p>
<p><a href="/sitemap">网站地图</a> | <a href="/contact">联系我们</a></p></div>
</body></html>
"""


def as_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows())
    return out.getvalue().encode("utf-8")


def as_xlsx() -> bytes:
    """The task table alone, as offices keep it: a title row merged across, the lead of
    tasks 2 and 3 in one merged cell."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "分工"
    sheet.append([f"{TITLE}重点任务分工表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(HEADERS)
    for k, row in enumerate(rows()):
        values: list[object] = [int(row[0]), *row[1:]]
        if k == 2:
            values[2] = None
        sheet.append(values)
    sheet.merge_cells(start_row=4, start_column=3, end_row=5, end_column=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_docx() -> bytes:
    """Headings numbered by Word itself (一、 and （一） are not in the text), the task
    table with the lead of tasks 2 and 3 in one merged cell."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）")]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for k, (fmt, text) in enumerate(levels)
    )
    numbering.append(
        parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{lvl_xml}</w:abstractNum>')
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )

    def numbered(paragraph, level: int) -> None:
        ppr = paragraph._p.get_or_add_pPr()
        ppr.append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
            )
        )

    for _, text in prose(numbered=False):
        paragraph = document.add_paragraph(text)
        if text in ("工作目标", "重点任务"):
            numbered(paragraph, 0)
        elif any(text.startswith(task + "。") for task, *_ in TASKS):
            numbered(paragraph, 1)
    table = document.add_table(rows=1 + len(TASKS), cols=len(HEADERS))
    for j, header in enumerate(HEADERS):
        table.cell(0, j).text = header
    for k, row in enumerate(rows(), start=1):
        for j, cell in enumerate(row):
            if not (j == 2 and k == 3):
                table.cell(k, j).text = cell
    merged = table.cell(2, 2).merge(table.cell(3, 2))
    merged.text = TASKS[1][2]  # one vertically merged cell, as Word writes it
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_pdf(chromium: str, folder: Path) -> bytes:
    """The HTML page printed to PDF by Chromium, as a person would print it."""
    page = folder / "plan.html"
    page.write_text(as_html(), encoding="utf-8")
    out = folder / "plan.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.read_bytes()
