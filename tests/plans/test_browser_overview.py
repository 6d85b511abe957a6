"""In a real browser (the system Chromium): log in, open the plan overview, read Chinese."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CategoryFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_reads_the_plan_overview(live_server, page, screenshot_dir):
    plan = PlanFactory(slug="lc", title="聊城市加快邮政快递业高质量发展实施方案")
    category = CategoryFactory(plan=plan, number=1, title="强化行业规划引领")
    task = TaskFactory(plan=plan, category=category, number=2, title="推进快递园区建设")
    AssignmentFactory(task=task, body=BodyFactory(name="市邮政管理局"), role="lead")
    MembershipFactory(user=UserFactory(username="shenxian"), body=BodyFactory(name="莘县"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/plans/lc/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", "shenxian")
    page.fill("#id_password", "password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/plans/lc/")
    assert page.locator("h1").inner_text() == "聊城市加快邮政快递业高质量发展实施方案"
    expect(page.get_by_text("第1类 强化行业规划引领")).to_be_visible()
    expect(page.get_by_text("推进快递园区建设")).to_be_visible()
    page.screenshot(path=os.path.join(screenshot_dir, "overview-phone.png"), full_page=True)
