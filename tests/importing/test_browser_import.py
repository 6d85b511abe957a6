"""In a real browser (the system Chromium), as the administrator: upload a .docx plan and its
review at /import/, preview, confirm, see the plan; upload it again, see "this plan exists —
update it?", confirm, nothing duplicated. The clerk of a lead body reads where each date and
body came from on 我的任务 and in the downloaded .xlsx; the administrator archives the plan and
it leaves 我的任务. A ~3 MB plan previews and confirms; a 5 MB paste is refused on the form
with the text still in it. Screenshots in $TMPDIR/tracker-screenshots/."""

import io
import os

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from plan.bench import generated_plan
from tests.builders import log_in
from tests.factories import MembershipFactory, UserFactory, make_admin
from tests.plan import formatsamples
from tracker.models import Assignment, Body, ImportDraft, Plan, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REVIEW = """
[plan]
slug = "demo-streets"
reason = "方案在系统中的标识"

[start]
date = 2024-03-01
reason = "原文未载明跟踪起始日期，暂定自印发之日起算"

[[task]]
number = 2
expect = "完善服务网络"
support = ["区财政局"]
reason = "原文未载明资金保障单位，暂定区财政局配合"
"""
# Task 2's deadline as the .docx's task table states it.
SERVICE_DUE = "原文“2025年6月”（表1第3行）"


def files(name, data, review=None):
    """What set_input_files takes for the plan file and the review file."""
    out = {
        "#id_source_file": {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    }
    if review is not None:
        out["#id_review_file"] = {
            "name": "review.toml",
            "mimeType": "application/toml",
            "buffer": review.encode("utf-8"),
        }
    return out


def three_megabyte_plan():
    """A plan of 200 tasks with a long appendix of background text: about 3 MB."""
    paragraphs, rows = generated_plan(sentences=2)
    table = ["| " + " | ".join(row) + " |" for row in rows]
    filler = "本区近年来持续推进示范工程建设，取得积极成效，群众满意度不断提升，各项工作稳步推进。"
    appendix = ["附件2：有关情况说明", *([filler * 5] * 4400)]
    return "\n".join([*paragraphs, *table, *appendix]).encode("utf-8")


def test_import_again_archive_and_a_big_plan_in_a_real_browser(
    live_server, page, screenshot_dir, tmp_path
):
    make_admin("admin")
    base = live_server.url

    def shot(name):
        page.screenshot(path=os.path.join(screenshot_dir, name), full_page=True)

    def upload(name, data, review=None):
        page.goto(f"{base}/import/")
        for selector, value in files(name, data, review).items():
            page.set_input_files(selector, value)
        page.select_option("#id_gazetteer", "")  # not a Liaocheng plan
        page.get_by_role("button", name="解析并预览").click()
        page.wait_for_url(f"{base}/import/*-*/")

    # The .docx and its review: the preview says where every value came from.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "admin")
    upload("示范街区行动方案.docx", formatsamples.as_docx(), REVIEW)
    expect(page.get_by_text("新方案")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("某区")
    expect(page.get_by_text(SERVICE_DUE).first).to_be_visible()
    decided = page.locator("details.prov", has_text="管理员确定").first
    decided.locator("summary").click()  # a tap opens the reason
    expect(decided.get_by_text("依据：原文未载明")).to_be_visible()
    shot("import-1-preview-docx.png")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{base}/plans/demo-streets/")
    expect(page.get_by_text("已创建方案")).to_be_visible()
    expect(page.locator("h1")).to_have_text(formatsamples.TITLE)
    shot("import-2-plan-overview.png")
    assert Plan.objects.count() == 1 and Task.objects.count() == 3

    # The same plan again: recognised, offered as an update, updated in place.
    upload("示范街区行动方案（再次上传）.docx", formatsamples.as_docx(), REVIEW)
    expect(page.get_by_role("heading", name="此方案已存在，要更新它吗？")).to_be_visible()
    shot("import-3-preview-same-plan.png")
    page.get_by_role("button", name="确认更新方案").click()
    page.wait_for_url(f"{base}/plans/demo-streets/")
    expect(page.get_by_text("已更新方案")).to_be_visible()
    assert Plan.objects.count() == 1 and Task.objects.count() == 3
    assert Assignment.objects.count() == 8
    assert ImportDraft.objects.filter(confirmed_at__isnull=False).count() == 2

    # The clerk of 区商务委 (co-lead of tasks 2 and 3) reads the provenance on 我的任务 …
    MembershipFactory(user=UserFactory(username="shangwu"), body=Body.objects.get(name="区商务委"))
    page.get_by_role("button", name="退出").click()
    page.set_viewport_size(PHONE)
    log_in(page, base, "shangwu")
    page.wait_for_url(f"{base}/work/")
    card = page.locator("article.work", has_text="完善服务网络")
    expect(card.get_by_text(SERVICE_DUE)).to_be_visible()
    expect(card.get_by_text("原文（表1第3行）")).to_be_visible()
    shot("import-4-my-work-phone.png")
    # … and in the .xlsx they download from the list.
    page.set_viewport_size(DESKTOP)
    page.locator(".topbar").get_by_role("link", name="进度清单").click()
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    # Row 1 is the export's title; the header is row 2.
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    due, body = rows[0].index("时限来源"), rows[0].index("责任单位来源")
    service = next(r for r in rows if str(r[2]).startswith("任务2："))
    assert [service[due], service[body]] == [SERVICE_DUE, "原文（表1第3行）"]
    page.get_by_role("button", name="退出").click()

    # The administrator archives it: it leaves the clerk's 我的任务.
    log_in(page, base, "admin")
    page.goto(f"{base}/plans/demo-streets/")
    page.get_by_text("归档此方案").click()
    page.fill("#id_archive_reason", "示范街区建设已全部完成，经区政府办公室同意归档")
    page.get_by_role("button", name="归档", exact=True).click()
    expect(page.get_by_text("已归档方案")).to_be_visible()
    shot("import-5-archived.png")
    page.get_by_role("button", name="退出").click()
    page.set_viewport_size(PHONE)
    log_in(page, base, "shangwu")
    page.wait_for_url(f"{base}/work/")
    expect(page.get_by_text("本单位目前没有承担的任务。")).to_be_visible()
    expect(page.get_by_text("完善服务网络")).to_have_count(0)
    page.get_by_role("button", name="退出").click()

    # A ~3 MB plan previews and confirms.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "admin")
    big = three_megabyte_plan()
    assert 2.8e6 < len(big) < 3.5e6
    upload("基准测试行动方案.txt", big)
    expect(page.get_by_text("原文称 —，识别 200")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{base}/plans/*/", timeout=60_000)
    expect(page.get_by_text("已创建方案“某区基准测试行动方案”：200 项任务。")).to_be_visible()
    assert Plan.objects.get(title="某区基准测试行动方案").source_text.count("\n") > 4000

    # A 5 MB paste: refused on the form, the text still there to save as a file.
    page.goto(f"{base}/import/")
    pasted = "方案正文。" * (5 * 1024 * 1024 // 15 + 1)
    page.locator("#id_source_text").evaluate("(el, text) => { el.value = text; }", pasted)
    page.get_by_role("button", name="解析并预览").click()
    expect(page.get_by_text("超过粘贴上限")).to_be_visible()
    assert page.locator("#id_source_text").evaluate("el => el.value.length") == len(pasted)
    shot("import-6-paste-too-long.png")
