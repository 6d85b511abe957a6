"""On a phone, in Chinese: 莘县's clerk reports, corrects an older report (where the work
stands does not change), reports completion with a PDF; the lead body (市邮政管理局) passes
it on with its opinion; the manager sees the evidence on the sign-off page, downloads it,
signs it off from the queue, and the light turns 已销号."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.builders import PDF, log_in
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CategoryFactory,
    CountyFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
    UserFactory,
    make_manager,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ASSIGNMENT_PAGE = re.compile(r"/assignments/\d+/(#r\d+)?$")


def test_a_county_clerk_reports_on_a_phone_and_the_manager_signs_it_off(
    live_server, page, screenshot_dir
):
    plan = PlanFactory(slug="lc", title="聊城市加快邮政快递业高质量发展实施方案")
    category = CategoryFactory(plan=plan, number=1, title="强化行业规划引领")
    task = TaskFactory(plan=plan, category=category, number=2, title="推进快递园区建设")
    measure = MeasureFactory(
        task=task, number=1, text="各县（市、区）至少建成1处入驻3家以上快递企业的快递园区。"
    )
    post = BodyFactory(name="市邮政管理局")
    AssignmentFactory(task=task, body=post, role="lead")
    MembershipFactory(user=UserFactory(username="youzheng", first_name="李工作人员"), body=post)
    shen = CountyFactory(name="莘县")
    AssignmentFactory(task=task, measure=measure, body=shen)
    TargetFactory(task=task, plan=plan, number=1, description="建成快递园区", unit="处")
    MembershipFactory(user=UserFactory(username="shenxian", first_name="张工作人员"), body=shen)
    make_manager("dubanshi")

    def shot(name):
        page.screenshot(path=os.path.join(screenshot_dir, name), full_page=True)
        # A full-page screenshot resizes the page for a moment; put the phone back, or later
        # clicks land where the element used to be.
        page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"] + 1})
        page.set_viewport_size(PHONE)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "shenxian")
    page.wait_for_url(f"{live_server.url}/work/")
    assert page.locator("h1").inner_text() == "我的任务"
    expect(page.get_by_text("任务2：推进快递园区建设")).to_be_visible()
    shot("report-1-my-work.png")

    # Two reports on the same day: 30 %, then 40 % with a target value.
    for percent, text, value in (("30", "完成园区选址。", ""), ("40", "园区主体开工。", "0")):
        page.goto(f"{live_server.url}/work/")
        page.get_by_role("link", name="填报进展").click()
        page.get_by_label("推进中").check()
        page.fill("#id_percent", percent)
        page.fill("#id_text", text)
        if value:
            page.get_by_label("建成快递园区（处）").fill(value)
        page.get_by_role("button", name="提交填报").click()
        page.wait_for_url(ASSIGNMENT_PAGE)
    # Correct the older one: the record changes, where the work stands does not.
    page.locator("li.tl-report", has_text="完成园区选址").get_by_role(
        "link", name="更正这条填报"
    ).click()
    page.fill("#id_percent", "35")
    page.fill("#id_text", "更正：完成园区选址并签订用地协议。")
    page.get_by_role("button", name="提交更正").click()
    page.wait_for_url(ASSIGNMENT_PAGE)
    expect(page.locator("dl.facts")).to_contain_text("推进中 · 40%")
    expect(page.locator("td.latest-value")).to_contain_text("0 处")
    expect(page.get_by_text("更正了 #").first).to_be_visible()
    shot("report-1b-corrected.png")

    page.get_by_role("link", name="填报进展").click()
    assert page.locator("h1").inner_text() == "进展填报"
    page.get_by_label("已完成").check()
    # Choosing 已完成 fills in 100 % (tracker/static/tracker/report.js).
    assert page.input_value("#id_percent") == "100"
    page.fill("#id_text", "莘县快递物流园已建成，入驻中通、圆通、韵达3家企业。")
    page.get_by_label("建成快递园区（处）").fill("1")
    page.set_input_files(
        "#id_files",
        files=[{"name": "莘县快递园区验收报告.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shot("report-2-form.png")
    page.get_by_role("button", name="提交填报").click()
    page.wait_for_url(ASSIGNMENT_PAGE)
    expect(page.get_by_text("已填报，并已申请销号，等待牵头单位初审")).to_be_visible()
    history = page.locator("ol.timeline")
    expect(history.get_by_text("莘县快递物流园已建成")).to_be_visible()
    expect(history.get_by_role("link", name="莘县快递园区验收报告.pdf")).to_be_visible()
    expect(page.get_by_text("待牵头单位初审").first).to_be_visible()
    shot("report-3-history.png")
    # Another report now would withdraw the request unless it says 已完成: the form warns
    # while another status is chosen (report.js), not while 已完成 is.
    page.get_by_role("link", name="填报进展").click()
    warning = page.locator("#signoff-at-stake")
    expect(warning).to_be_hidden()
    page.get_by_label("推进中").check()
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("提交后这份销号申请即被撤回")
    page.get_by_label("已完成").check()
    expect(warning).to_be_hidden()

    # The lead body reviews it first and passes it on with its opinion.
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server.url, "youzheng")
    page.wait_for_url(f"{live_server.url}/work/")
    page.locator("#lead-review-queue").get_by_role("link", name="初审").click()
    assert page.locator("h1").inner_text() == "牵头单位初审"
    page.get_by_label("同意，报督查审核").check()
    page.fill("#id_reason", "已现场核实，园区已投入使用，同意销号。")
    shot("report-3b-lead-review.png")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(ASSIGNMENT_PAGE)
    expect(page.get_by_text("待销号审核").first).to_be_visible()

    page.get_by_role("button", name="退出").click()
    log_in(page, live_server.url, "dubanshi")
    page.get_by_role("link", name="待办", exact=True).click()
    # expect() waits for the page the click opens; is_visible() would read the old one.
    expect(page.get_by_text("1 项待审核")).to_be_visible()
    expect(page.get_by_text("莘县").first).to_be_visible()
    shot("report-4-queue.png")

    page.get_by_role("link", name="审核", exact=True).click()
    # The sign-off page: the evidence, the target against its goal, the history, lateness
    # and the lead body's opinion.
    evidence = page.locator("ul.evidence").get_by_role("link", name="莘县快递园区验收报告.pdf")
    expect(evidence).to_be_visible()
    expect(page.get_by_text("已现场核实，园区已投入使用")).to_be_visible()
    expect(page.locator("td.latest-value")).to_contain_text("1 处")
    # The task was due 2024-12-31 (tests/factories.py): completed late, and it says by how much.
    expect(page.get_by_text("逾期完成：完成报告晚于时限")).to_be_visible()
    expect(page.locator("ol.report-history li")).to_have_count(4)
    shot("report-4b-signoff-page.png")
    with page.expect_download() as download_info:
        evidence.click()
    assert download_info.value.suggested_filename == "莘县快递园区验收报告.pdf"
    with open(download_info.value.path(), "rb") as f:
        assert f.read() == PDF
    page.get_by_label("同意销号").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(ASSIGNMENT_PAGE)
    expect(page.get_by_text("已销号。")).to_be_visible()
    assert page.locator(".work-head .light.done").inner_text() == "已销号"
    shot("report-5-signed-off.png")

    page.get_by_role("button", name="退出").click()
    log_in(page, live_server.url, "shenxian")
    page.wait_for_url(f"{live_server.url}/work/")
    assert page.locator("article.work .light").first.inner_text() == "已销号"
    shot("report-6-my-work-done.png")
