"""In Chromium: the report form states the upload limits, and its script refuses a choice of
files over them before anything is uploaded; a choice within them goes through."""

import os

import pytest
from playwright.sync_api import expect

from tests.builders import PDF, log_in, progress_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf(name, size):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF + b"%" * (size - len(PDF))}


def test_the_form_refuses_files_over_the_limits_before_uploading(
    live_server, page, staff_a, staff_b, settings, screenshot_dir
):
    settings.TRACKER_UPLOAD_REPORT_MAX_BYTES = 3 * 1024 * 1024
    own = progress_world(staff_a.membership.body, staff_b.membership.body)["own"]
    log_in(page, live_server.url, "staff_b")
    page.goto(f"{live_server.url}/assignments/{own.pk}/report/")
    help_text = page.locator(".field", has=page.locator("#id_files")).inner_text()
    assert "每次最多 10 个" in help_text and "合计不超过 3.0" in help_text
    submit = page.get_by_role("button", name="提交填报")
    warning = page.locator(".upload-warning")

    page.set_input_files("#id_files", files=[pdf(f"第{n}份.pdf", 1000) for n in range(11)])
    assert warning.is_visible() and "您选择了 11 个" in warning.inner_text()
    assert submit.is_disabled()

    page.set_input_files("#id_files", files=[pdf(f"大{n}.pdf", 1300 * 1024) for n in range(3)])
    assert "超过了每次填报 3.0" in warning.inner_text()
    assert submit.is_disabled()
    page.screenshot(path=os.path.join(screenshot_dir, "quota-1-over.png"), full_page=True)

    page.set_input_files("#id_files", files=[pdf("验收.pdf", 2000)])
    assert warning.is_hidden() and submit.is_enabled()
    page.fill("#id_text", "完成园区选址。")
    page.get_by_label("推进中").check()
    page.fill("#id_percent", "40")
    submit.click()
    page.wait_for_url(f"{live_server.url}/assignments/{own.pk}/*")
    expect(page.get_by_text("已填报。")).to_be_visible()
    page.screenshot(path=os.path.join(screenshot_dir, "quota-2-within.png"), full_page=True)
