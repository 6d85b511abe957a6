"""Parse time per format: `python -m plan.bench` (`make bench`; writes docs/benchmarks.md).

Times `plan.parse()` on the seed newspaper page, and `plan.read_document()` on a generated
plan of 200 tasks (ten categories of twenty, each task a paragraph ending in its 责任单位
clause, and the same tasks again in an appended 重点任务分工表) written as text, Markdown,
.docx, an HTML page, .xlsx, .csv — and as a PDF of about 100 pages printed from the HTML
page by the system Chromium, when it is installed. Targets: well under 50 ms for the seed,
under 1 s for the 200-task text, under 5 s for the 100-page PDF. Speed is measured here,
never asserted in tests: a loaded machine must not fail a build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

from . import load_gazetteer, parse, read_document

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
GAZETTEER = ROOT / "seeds" / "liaocheng.gazetteer.toml"
REPORT = ROOT / "docs" / "benchmarks.md"
TARGETS_MS = {"seed": 50.0, "text": 1000.0, "pdf": 5000.0}
CATEGORIES, PER_CATEGORY = 10, 20
HEADERS = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
CN = "一二三四五六七八九十"
DEPARTMENTS = ["区发展改革委", "区经委", "区财政局", "区商务委", "区建管委", "区科委", "区教育局"]


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    return ("" if n < 20 else CN[n // 10 - 1]) + "十" + (CN[n % 10 - 1] if n % 10 else "")


def generated_plan(sentences: int = 2) -> tuple[list[str], list[list[str]]]:
    """(paragraphs, task-table rows) of a generated plan of 200 tasks."""
    paragraphs = [
        "关于印发《某区基准测试行动方案》的通知",
        "区政府各委、办、局：",
        "现将《某区基准测试行动方案》印发给你们，请认真贯彻执行。",
        "某区人民政府办公室",
        "2024年3月1日",
        "某区基准测试行动方案",
        "一、重点任务",
    ]
    rows: list[list[str]] = []
    number = 0
    for c in range(1, CATEGORIES + 1):
        paragraphs.append(f"（{_cn(c)}）第{c}类重点工作")
        for k in range(1, PER_CATEGORY + 1):
            number += 1
            lead = DEPARTMENTS[number % len(DEPARTMENTS)]
            support = DEPARTMENTS[(number + 3) % len(DEPARTMENTS)]
            title = f"推进第{number}项示范工程建设"
            body = "".join(
                f"围绕第{number}项工程加强统筹协调，完善工作机制，落实第{s + 1}批建设任务。"
                for s in range(sentences)
            )
            due = f"{2024 + number % 3}年底前"
            paragraphs.append(
                f"{k}.{title}。{body}{due}完成。（牵头单位：{lead}；配合单位：{support}）"
            )
            rows.append([str(number), title, lead, support, due])
    paragraphs += ["二、保障措施", "各单位要加强组织领导，确保各项任务落到实处。"]
    paragraphs.append("附件：重点任务分工表")
    return paragraphs, rows


def as_text(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    lines = [*paragraphs, *HEADERS]
    for row in rows:
        lines += row
    return "\n\n".join(lines).encode("utf-8")


def as_markdown(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    table = ["| " + " | ".join(r) + " |" for r in [HEADERS, *rows]]
    return ("\n\n".join(paragraphs) + "\n\n" + "\n".join(table) + "\n").encode("utf-8")


def as_html(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in [HEADERS, *rows]
    )
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>某区基准测试行动方案</title></head><body>"
        '<ul class="nav"><li><a href="/">首页</a></li></ul>'
        f'<div class="article">{body}<table border="1">{cells}</table></div>'
        '<div class="footer">网站标识码：0000000000</div></body></html>'
    )
    return page.encode("utf-8")


def as_docx(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    table = document.add_table(rows=len(rows) + 1, cols=len(HEADERS))
    for r, row in enumerate([HEADERS, *rows]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_xlsx(_paragraphs: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADERS, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(_paragraphs: list[str], rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in [HEADERS, *rows]).encode("utf-8")


def as_pdf(paragraphs: list[str], rows: list[list[str]]) -> bytes | None:
    """The HTML page printed by Chromium (None when Chromium is not installed)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "plan.html"
        page.write_bytes(as_html(paragraphs, rows))
        out = Path(folder) / "plan.pdf"
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={Path(folder) / 'profile'}",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return out.read_bytes()


def _reader(data: bytes) -> Callable[[], object]:
    def read() -> object:
        return read_document(data)

    return read


def _time(fn: Callable[[], object], repeat: int, number: int) -> tuple[float, float]:
    fn()  # warm up (regular expressions compile once, libraries load)
    rounds = timeit.repeat(fn, repeat=repeat, number=number)
    per_call = [r / number * 1000 for r in rounds]
    return statistics.median(per_call), min(per_call)


def measure(repeat: int = 5) -> dict[str, tuple[float, float, str]]:
    """{case: (median ms, best ms, size)}."""
    results: dict[str, tuple[float, float, str]] = {}
    text = SEED.read_text(encoding="utf-8")
    gazetteer = load_gazetteer(GAZETTEER)
    median, best = _time(lambda: parse(text, gazetteer=gazetteer), repeat * 10, 5)
    results["seed page (text), with gazetteer"] = (median, best, f"{SEED.stat().st_size} B")
    short = generated_plan(sentences=2)
    writers: dict[str, Callable[[list[str], list[list[str]]], bytes]] = {
        "text": as_text,
        "markdown": as_markdown,
        "docx": as_docx,
        "html": as_html,
        "xlsx": as_xlsx,
        "csv": as_csv,
    }
    for kind, write in writers.items():
        data = write(*short)
        tasks = len(read_document(data, f"plan.{kind}")[1].tasks)
        median, best = _time(_reader(data), repeat, 1)
        results[f"200 tasks, {kind}"] = (median, best, f"{len(data) // 1024} KiB, {tasks} tasks")
    # Enough text per task to print about a hundred pages.
    long = generated_plan(sentences=23)
    pdf = as_pdf(*long)
    if pdf is not None:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(pdf)) as document:
            pages = len(document.pages)
        tasks = len(read_document(pdf)[1].tasks)
        median, best = _time(lambda: read_document(pdf), max(1, repeat // 2), 1)
        results["200 tasks, pdf"] = (median, best, f"{pages} pages, {tasks} tasks")
    return results


def target_of(case: str) -> float | None:
    if case.startswith("seed"):
        return TARGETS_MS["seed"]
    if case.endswith(", text"):
        return TARGETS_MS["text"]
    if case.endswith(", pdf"):
        return TARGETS_MS["pdf"]
    return None


def report(results: dict[str, tuple[float, float, str]], repeat: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        "`make bench` (`python -m plan.bench`) times `plan.parse()` on the seed newspaper page",
        "and `plan.read_document()` on a generated plan of 200 tasks in every format it reads",
        "(the PDF is printed from the HTML page by Chromium, with enough text for about 100",
        "pages), and rewrites this file. Targets: under 50 ms for the seed page, under 1 s",
        "for the 200-task text, under 5 s for the 100-page PDF. Not asserted in tests.",
        "",
        f"Last run: {dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{platform.machine()}; median and best of {repeat} runs (the seed: of {repeat * 10}).",
        "",
        "| case | size | median (ms) | best (ms) | target (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for name, (median, best, size) in results.items():
        target = target_of(name)
        shown = f"{target:.0f}" if target is not None else "—"
        lines.append(f"| {name} | {size} | {median:.1f} | {best:.1f} | {shown} |")
    if not any(name.endswith(", pdf") for name in results):
        lines += ["", "Chromium is not installed here: the PDF case was not run."]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parse time per format (docs/benchmarks.md)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    results = measure(args.repeat)
    text = report(results, args.repeat)
    print(text)
    if not args.no_write:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(text, encoding="utf-8")
        print(f"written to {REPORT.relative_to(ROOT)}")
    slow = [
        name
        for name, (median, _, _) in results.items()
        if (target := target_of(name)) is not None and median > target
    ]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
