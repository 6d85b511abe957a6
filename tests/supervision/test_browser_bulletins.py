"""In a real browser, in Chinese: the manager opens the bulletin (通报), prints it to PDF
(headless Chromium's own printing, as a manager's 另存为 PDF does), composes it, edits
下一步要求, previews, issues it and downloads its Word document; the staff of a body it names
find it under 通报, the staff of a body it does not name find nothing and get 404; the
manager exports the list as .xlsx with its title row and contacts. Screenshots of each
step under $TMPDIR/tracker-screenshots, and the PDF beside them."""

import io
import os
import re
import unicodedata

import pdfplumber
import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.builders import log_in
from tests.factories import CountyFactory, MembershipFactory, UserFactory, make_manager
from tests.supervision_world import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_manager_prints_composes_and_issues_a_bulletin_and_the_bodies_read_it(
    live_server, page, screenshot_dir, tmp_path
):
    shen_clerk = MembershipFactory(
        user=UserFactory(username="shenxian", first_name="张工作人员"),
        body=CountyFactory(name="莘县"),
    ).user
    w = world(shen=shen_clerk.membership.body)
    shen = w["shen"]
    shen.leader, shen.contact_name, shen.contact_phone = "王某某 副县长", "李某", "0635-0000001"
    shen.save()
    MembershipFactory(user=UserFactory(username="gaotang"), body=CountyFactory(name="高唐县"))
    make_manager("dubanshi")
    base = live_server.url

    def shot(name):
        page.screenshot(path=os.path.join(screenshot_dir, name), full_page=True)

    # The bulletin as it would be issued today, and printed to PDF by Chromium.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "dubanshi")
    page.wait_for_url(f"{base}/dashboard/")
    page.get_by_role("link", name="生成通报").click()
    expect(page.locator(".gw-title")).to_have_text(
        "关于《聊城市加快邮政快递业高质量发展实施方案》落实情况的通报"
    )
    sections = ["一、总体情况", "二、表扬", "三、滞后于序时进度", "四、逾期未完成"]
    sections += ["五、未按时填报", "六、待审核销号", "七、下一步要求"]
    expect(page.locator(".gw-h1")).to_have_text(sections)
    shot("bulletin-1-page.png")
    pdf = page.pdf(prefer_css_page_size=True)
    with open(os.path.join(screenshot_dir, "bulletin-2-printed.pdf"), "wb") as f:
        f.write(pdf)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    with pdfplumber.open(io.BytesIO(pdf)) as printed:
        first = printed.pages[0]
        assert (round(first.width), round(first.height)) == (595, 842)  # A4 in points
        # NFKC: the PDF's font maps some characters to radicals (⼈ for 人; ⺠ for 民 stays).
        text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in printed.pages))
    assert "政府督查室" in text and "一、总体情况" in text and "七、下一步要求" in text
    assert "— 1 —" in text  # the page number, outside at the bottom
    assert "督查看板" not in text  # the page around the document is not printed

    # Compose: edit 下一步要求, preview, issue.
    page.get_by_role("link", name="起草并印发…").click()
    expect(page.locator("h1")).to_have_text("起草通报")
    page.fill("#id_requirements", "（一）限期整改。逾期单位于12月15日前报送整改情况。")
    page.get_by_role("button", name="预览").click()
    expect(page.locator(".gongwen")).to_contain_text(
        "（一）限期整改。逾期单位于12月15日前报送整改情况。"
    )
    expect(page.locator(".gw-number")).to_have_text(re.compile(r"聊督通〔\d{4}〕　号"))
    shot("bulletin-3-compose.png")
    page.get_by_role("button", name="印发通报").click()
    expect(page.get_by_text("请核对通报内容后勾选确认，再印发。")).to_be_visible()
    page.check("#id_confirm")
    page.get_by_role("button", name="印发通报").click()
    expect(page.get_by_text(re.compile(r"已印发聊督通〔\d{4}〕1号"))).to_be_visible()
    expect(page.locator(".gw-number")).to_have_text(re.compile(r"聊督通〔\d{4}〕1号"))
    shot("bulletin-4-issued.png")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 Word 文档").click()
    download = download_info.value
    assert download.suggested_filename.endswith("落实情况的通报.docx")
    path = tmp_path / "bulletin.docx"
    download.save_as(path)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert any(re.fullmatch(r"聊督通〔\d{4}〕1号", t) for t in texts)
    assert "（一）限期整改。逾期单位于12月15日前报送整改情况。" in texts

    # The list's export, with its title row and the body's contacts.
    page.goto(f"{base}/list/?county={shen.pk}")
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    xlsx = tmp_path / "list.xlsx"
    download_info.value.save_as(xlsx)
    sheet = load_workbook(xlsx).active
    assert sheet["A1"].value.startswith("逾期与进度清单（筛选条件：县（市、区）：莘县；截至")
    header = [c.value for c in sheet[2]]
    row = dict(zip(header, [c.value for c in sheet[3]], strict=True))
    assert (row["责任人"], row["联系人"], row["联系电话"]) == (
        "王某某 副县长",
        "李某",
        "0635-0000001",
    )

    # 莘县 is named (overdue): its clerk finds the bulletin under 通报.
    page.get_by_role("button", name="退出").click()
    page.set_viewport_size(PHONE)
    log_in(page, base, "shenxian")
    page.wait_for_url(f"{base}/work/")
    page.locator(".topbar").get_by_role("link", name="通报").click()
    rows = page.locator("table.bulletins tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=re.compile(r"聊督通")).click()
    expect(page.locator(".gongwen")).to_contain_text("莘县")
    shot("bulletin-5-body-reads-it-phone.png")
    detail = page.url

    # 高唐县 has no part in the plan: nothing under 通报, and the bulletin does not exist for it.
    page.get_by_role("button", name="退出").click()
    log_in(page, base, "gaotang")
    page.goto(f"{base}/bulletins/")
    expect(page.get_by_text("还没有点名本单位的通报。")).to_be_visible()
    assert page.goto(detail).status == 404
    shot("bulletin-6-other-body-404-phone.png")
