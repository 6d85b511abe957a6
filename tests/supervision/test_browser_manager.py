"""In a real browser, in Chinese: the manager lands on the dashboard, looks at the county ×
task matrix, filters the list to 莘县's overdue work (the table refreshes without a reload),
exports it as .xlsx and finds the same rows in it, and chases one item; 莘县's clerk then
sees the reminder on 我的任务. Screenshots of the dashboard and the matrix, on a desktop and
on a phone."""

import datetime as dt
import os
import re

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.builders import log_in
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CategoryFactory,
    CountyFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
    make_manager,
)
from tracker.models import Plan, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
COUNTIES = ["东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"]


def liaocheng_like():
    """A plan in the shape of the Liaocheng one: categories, tasks broken down to the eight
    counties, a lead department each, a measure with its own deadline; states spread out."""
    today = timezone.localdate()
    plan = PlanFactory(
        slug="lc",
        title="聊城市加快邮政快递业高质量发展实施方案",
        start_date=today - dt.timedelta(days=400),
    )
    planning = CategoryFactory(plan=plan, number=1, title="强化行业规划引领")
    industry = CategoryFactory(plan=plan, number=2, title="深化产业融合创新")
    post = BodyFactory(name="市邮政管理局")
    counties = [
        CountyFactory(name=name, position=position)
        for position, name in enumerate(COUNTIES, start=1)
    ]
    specs = [
        (planning, "推进快递园区建设", -150),
        (planning, "提升农村服务网络", -20),
        (planning, "完善城市末端配送", 20),
        (industry, "注重培育新动能，推进“快递进厂”", 300),
        (industry, "大力发展冷链寄递", 600),
    ]
    recent = timezone.now() - dt.timedelta(days=5)
    for number, (category, title, due_in) in enumerate(specs, start=1):
        task = TaskFactory(
            plan=plan,
            category=category,
            number=number,
            title=title,
            deadline=today + dt.timedelta(days=due_in),
        )
        AssignmentFactory(task=task, body=post, role="lead", last_reported_at=recent, percent=50)
        for k, county in enumerate(counties):
            percent = (number * 17 + k * 23) % 101
            AssignmentFactory(
                task=task,
                body=county,
                percent=percent,
                status="in_progress" if percent else "not_started",
                last_reported_at=recent if (k + number) % 3 else None,
                **({"signed_off": True} if (k * number) % 7 == 3 else {}),
            )
    task = plan.tasks.get(number=4)
    measure = MeasureFactory(
        task=task,
        number=1,
        text="支持快递企业与制造企业深度合作，打造快递服务制造业示范项目。",
        deadline=today - dt.timedelta(days=10),
        deadline_source="text",
    )
    for county in counties[3:6]:
        AssignmentFactory(task=task, measure=measure, body=county, percent=30)
    return plan


def test_the_manager_filters_exports_and_chases_and_the_county_sees_it(
    live_server, page, screenshot_dir, tmp_path
):
    liaocheng_like()
    shen = CountyFactory(name="莘县")
    MembershipFactory(
        user=UserFactory(username="shenxian", first_name="张工作人员", email="zhang@sx.gov.cn"),
        body=shen,
    )
    make_manager("dubanshi")
    base = live_server.url

    def shot(name, size):
        page.screenshot(path=os.path.join(screenshot_dir, name), full_page=True)
        page.set_viewport_size({"width": size["width"], "height": size["height"] + 1})
        page.set_viewport_size(size)

    # The manager lands on the dashboard.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "dubanshi")
    page.wait_for_url(f"{base}/dashboard/")
    assert page.locator("h1").inner_text() == "督查看板"
    expect(page.locator(".tile-red .n")).not_to_have_text("0")
    expect(page.get_by_role("heading", name="责任单位排名")).to_be_visible()
    shot("manager-1-dashboard-desktop.png", DESKTOP)

    page.get_by_role("link", name="县（市、区）× 任务矩阵").click()
    assert page.locator("h1").inner_text() == "县（市、区）× 任务矩阵"
    # The counties in the city's customary order (their positions), not by code point.
    assert page.locator("table.matrix thead th").all_inner_texts()[1:] == COUNTIES
    expect(page.locator("table.matrix td.cell-red").first).to_be_visible()
    shot("manager-2-matrix-desktop.png", DESKTOP)
    page.set_viewport_size(PHONE)
    shot("manager-3-matrix-phone.png", PHONE)
    page.goto(f"{base}/dashboard/")
    shot("manager-4-dashboard-phone.png", PHONE)

    # The bulletin: sections 一、二、, bodies （一）（二）…, items 1. 2. — never a repeated "2.".
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="生成通报").click()
    headings = page.locator(".gw-h1").all_inner_texts()
    assert headings[0] == "一、总体情况" and any(h.endswith("、逾期未完成") for h in headings)
    numbers = [h[0] for h in headings]
    assert numbers == [str(x) for x in "一二三四五六七八九十"[: len(headings)]]
    groups = page.locator(".gw-h2").all_inner_texts()
    assert groups[0].startswith("（一）") and groups[1].startswith("（二）")
    first_items = page.locator(".gw-level3").all_inner_texts()
    assert first_items[0].startswith("1.")
    shot("manager-4b-bulletin.png", DESKTOP)

    # The list: 莘县's overdue work, refreshed in place.
    page.set_viewport_size(DESKTOP)
    page.locator(".topbar").get_by_role("link", name="进度清单").click()
    assert page.locator("h1").inner_text() == "逾期与进度清单"
    page.evaluate("window.notReloaded = true")
    page.select_option("#id_county", label="莘县")
    page.select_option("#id_flag", label="逾期")
    expect(page).to_have_url(f"{base}/list/?county={shen.pk}&flag=overdue")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(3)  # tasks 1 and 2, and measure 4.1
    expect(page.locator("td[data-col=body] .body-name")).to_have_text(["莘县"] * 3)
    assert page.evaluate("window.notReloaded") is True  # no full page load
    # The task column keeps its room: a due date's provenance wraps under the date and the
    # headings wrap — in English too, where the nowrap cells once squeezed the task to a
    # few characters a line.
    assert rows.first.locator("td[data-col=due]").bounding_box()["width"] <= 200
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()
    task_width = rows.first.locator("td[data-col=task]").bounding_box()["width"]
    assert task_width >= 130, task_width
    page.context.clear_cookies(name="django_language")
    page.reload()
    shot("manager-5-list-filtered.png", DESKTOP)

    # Choosing a plan reloads the page, so that its categories and tasks are offered.
    page.locator(".more-filters summary").click()
    expect(page.locator("#id_category option")).to_have_count(1)  # 请先选择实施方案
    chosen = page.locator("#id_plan option").nth(1).get_attribute("value")
    page.select_option("#id_plan", index=1)
    expect(page).to_have_url(re.compile(rf"[?&]plan={chosen}(&|$)"))
    assert f"county={shen.pk}" in page.url
    plan = Plan.objects.get(slug=chosen)
    categories = plan.categories.count()
    assert categories > 1
    expect(page.locator("#id_category option")).to_have_count(categories + 1)  # and 全部
    expect(page.locator("#id_task option")).to_have_count(
        Task.objects.active().filter(plan=plan).count() + 1
    )
    # Back: the form says what the address says, not the plan chosen before the reload.
    page.go_back()
    expect(page).to_have_url(f"{base}/list/?county={shen.pk}&flag=overdue")
    expect(page.locator("#id_plan")).to_have_value("")
    expect(page.locator("#id_county")).to_have_value(str(shen.pk))
    page.goto(f"{base}/list/?county={shen.pk}&flag=overdue")

    # The export holds the same rows, in the same order.
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "list.xlsx"
    download.save_as(path)
    sheet = load_workbook(path).active
    exported = [
        [c.value for c in row] for row in sheet.iter_rows(min_row=3)
    ]  # under the title and the header
    shown = []
    for i in range(rows.count()):
        row = rows.nth(i)
        shown.append(
            [
                row.locator("td[data-col=task] > a").inner_text(),
                row.locator("td[data-col=body] .body-name").inner_text(),
                row.locator("td[data-col=due] .due").inner_text(),
                int(row.locator("td[data-col=overdue]").inner_text()),
                int(row.locator("td[data-col=percent] .pct").inner_text()),
                row.locator("td[data-col=light] .light").inner_text(),
            ]
        )
    assert shown == [[r[2], r[4], r[8].date().isoformat(), r[9], r[11], r[6]] for r in exported]

    # Chase the first one.
    first_task = shown[0][0]
    rows.first.get_by_role("link", name="催办").click()
    assert page.locator("h1").inner_text() == "催办：莘县"
    expect(page.get_by_text("zhang@sx.gov.cn")).to_be_visible()
    page.fill("#id_message", "请于本周五前报送园区建设进展，并上传验收材料。")
    page.get_by_role("button", name="发送催办").click()
    page.wait_for_url(f"{base}/list/?county={shen.pk}&flag=overdue")
    expect(page.get_by_text("已催办莘县，邮件已发送给 1 人。")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["zhang@sx.gov.cn"]]

    # 莘县's clerk sees it on 我的任务.
    page.get_by_role("button", name="退出").click()
    page.set_viewport_size(PHONE)
    log_in(page, base, "shenxian")
    page.wait_for_url(f"{base}/work/")
    chased = page.locator("article.work", has_text="请于本周五前报送园区建设进展")
    expect(chased).to_have_count(1)
    expect(chased.get_by_text("收到催办，请尽快填报")).to_be_visible()
    assert first_task in chased.inner_text()
    shot("manager-6-clerk-sees-the-reminder.png", PHONE)
