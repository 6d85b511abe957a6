"""The review chain in a real browser, one journey through every role (issue 11):

- the administrator sets the plan's calendar (每月25日前) and a milestone for 冠县's share;
- 冠县's clerk drafts a report that reaches the milestone, with a PDF, and submits it; the
  head returns it with a reason, the clerk revises it, the head approves it and it is filed;
- the head reports overdue work complete and asks for more time (the clerk may not: the page
  says the head must);
- the lead body (市邮政管理局) reviews the completion and passes it on;
- the manager grants the extension for another date, signs off the late work (逾期完成) and
  sends a 督办函 with its 文号 and reply day; the clerk acknowledges it (签收), and the manager
  sees who did and when."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.builders import PDF, log_in
from tests.factories import (
    AssignmentFactory,
    BodyFactory,
    CountyFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
    make_admin,
    make_manager,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
ASSIGNMENT_PAGE = re.compile(r"/assignments/\d+/(#r\d+)?$")


def test_the_review_chain_through_every_role(live_server, page, screenshot_dir):
    today = timezone.localdate()
    plan = PlanFactory(slug="lc", title="聊城市加快邮政快递业高质量发展实施方案")
    post = BodyFactory(name="市邮政管理局")
    guan = CountyFactory(name="冠县", position=7, requires_approval=True)
    park = TaskFactory(
        plan=plan, number=1, title="推进快递园区建设", deadline=today + dt.timedelta(days=60)
    )
    rural = TaskFactory(
        plan=plan, number=2, title="提升农村服务网络", deadline=today - dt.timedelta(days=10)
    )
    cold = TaskFactory(
        plan=plan, number=3, title="大力发展冷链寄递", deadline=today - dt.timedelta(days=40)
    )
    for task in (park, rural, cold):
        AssignmentFactory(task=task, body=post, role="lead")
        AssignmentFactory(task=task, body=guan)
    MembershipFactory(user=UserFactory(username="youzheng", first_name="李工作人员"), body=post)
    MembershipFactory(user=UserFactory(username="guanxian", first_name="赵经办"), body=guan)
    MembershipFactory(
        user=UserFactory(username="guanxian_fzr", first_name="孙负责人"), body=guan, role="head"
    )
    make_manager("dubanshi")
    make_admin("admin")
    base = live_server.url
    page.set_viewport_size(DESKTOP)

    def shot(name):
        page.screenshot(path=os.path.join(screenshot_dir, f"chain-{name}.png"), full_page=True)
        page.set_viewport_size({"width": DESKTOP["width"], "height": DESKTOP["height"] + 1})
        page.set_viewport_size(DESKTOP)

    def as_user(username):
        page.goto(f"{base}/")
        if page.get_by_role("button", name="退出").count():
            page.get_by_role("button", name="退出").click()
        log_in(page, base, username)

    # --- the administrator: a monthly calendar and a milestone -----------------------------
    as_user("admin")
    page.goto(f"{base}/plans/lc/")
    form = page.locator("#report-rule-form")
    form.get_by_label("每月", exact=True).check()
    form.locator("[name=report_day]").fill("25")
    form.locator("[name=reason]").fill("市政府办公室通知：每月25日前报送")
    form.get_by_role("button", name="保存填报节奏").click()
    expect(page.get_by_text("已设定填报节奏")).to_be_visible()
    expect(page.get_by_text("填报要求：每月25日前")).to_be_visible()
    shot("1-calendar")
    page.goto(f"{base}/plans/lc/tasks/1/")
    # The deadline form's lone checkbox sits at the left under its label, not stretched
    # across the column with the box drawn in its middle (.field is a flex column).
    ongoing = page.locator("#deadline-form [name=ongoing]").bounding_box()
    label = page.locator("#deadline-form label[for=id_deadline_ongoing]").bounding_box()
    assert ongoing and label and ongoing["width"] < 40 and abs(ongoing["x"] - label["x"]) < 4
    milestone_day = today + dt.timedelta(days=20)
    form = page.locator("#milestone-form")
    form.locator("[name=scope]").select_option(label="冠县：任务1（分解落实）")
    form.locator("[name=due]").fill(milestone_day.isoformat())
    form.locator("[name=text]").fill("完成园区选址")
    form.locator("[name=reason]").fill("专题会议纪要")
    form.get_by_role("button", name="保存阶段性目标").click()
    expect(page.get_by_text("已设定阶段性目标")).to_be_visible()
    shot("2-milestone")

    # --- 冠县's clerk drafts; the head returns it, then approves ------------------------------
    as_user("guanxian")
    page.wait_for_url(f"{base}/work/")
    expect(page.get_by_text("本单位填报须经单位负责人审核")).to_be_visible()
    card = page.locator("article.work", has_text="推进快递园区建设")
    # The calendar is the administrator's decision: shown with its 管理员确定 badge (the
    # reason, which repeats the words, opens on a tap).
    rule = card.locator("dd").filter(has_text="每月25日前")
    expect(rule).to_be_visible()
    expect(rule.get_by_text("管理员确定")).to_be_visible()
    card.get_by_role("link", name="填报进展").click()
    page.get_by_label("推进中").check()
    page.fill("#id_percent", "50")
    page.fill("#id_text", "园区选址完成，正在办理用地手续。")
    page.get_by_label(re.compile("完成园区选址")).check()
    page.set_input_files(
        "#id_files", files=[{"name": "选址批复.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shot("3-draft-form")
    page.get_by_role("button", name="提交单位负责人审核").click()
    expect(page.get_by_text("已提交单位负责人审核")).to_be_visible()

    as_user("guanxian_fzr")
    page.wait_for_url(f"{base}/work/")
    page.locator("#drafts").get_by_role("link", name="审核").click()
    page.get_by_label("退回修改").check()
    page.fill("#id_reason", "请写明用地手续的办理进度。")
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.get_by_text("已退回经办人修改")).to_be_visible()

    as_user("guanxian")
    page.locator("#drafts").get_by_role("link", name="打开草稿").click()
    expect(page.get_by_text("请写明用地手续的办理进度。")).to_be_visible()
    page.fill("#id_text", "园区选址完成，用地手续已报县自然资源局，预计下月批复。")
    page.get_by_role("button", name="提交单位负责人审核").click()

    as_user("guanxian_fzr")
    page.locator("#drafts").get_by_role("link", name="审核").click()
    shot("4-head-review")
    page.get_by_label("同意报送").check()
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(ASSIGNMENT_PAGE)
    expect(page.get_by_text("经单位负责人 孙负责人 审核报送")).to_be_visible()
    expect(page.locator("li.tl-milestone").get_by_text(re.compile("已完成"))).to_be_visible()
    shot("5-filed")

    # The head reports the overdue rural work complete (a head files directly).
    page.goto(f"{base}/work/")
    page.locator("article.work", has_text="提升农村服务网络").get_by_role(
        "link", name="填报进展"
    ).click()
    page.get_by_label("已完成").check()
    page.fill("#id_text", "全县村级寄递物流综合服务站已全部建成。")
    page.get_by_role("button", name="提交填报").click()
    expect(page.get_by_text("等待牵头单位初审").first).to_be_visible()

    # More time on the park: not the clerk's to ask in a body whose reports need the head's
    # approval -- the page says so --, the head asks.
    as_user("guanxian")
    page.locator("article.work", has_text="推进快递园区建设").get_by_role(
        "link", name="详情与记录"
    ).click()
    expect(page.get_by_text("延期申请也须由单位负责人提出")).to_be_visible()
    expect(page.get_by_role("link", name="申请延期")).to_have_count(0)
    as_user("guanxian_fzr")
    page.locator("article.work", has_text="推进快递园区建设").get_by_role(
        "link", name="详情与记录"
    ).click()
    page.get_by_role("link", name="申请延期").click()
    page.fill("#id_new_due", (today + dt.timedelta(days=120)).isoformat())
    page.fill("#id_reason", "用地批复晚于预期。")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("延期申请已提交")).to_be_visible()

    # --- the lead body reviews the completion ------------------------------------------------
    as_user("youzheng")
    page.wait_for_url(f"{base}/work/")
    page.locator("#lead-review-queue").get_by_role("link", name="初审").click()
    page.get_by_label("同意，报督查审核").check()
    page.fill("#id_reason", "已核实服务站台账，同意销号。")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已提出初审意见")).to_be_visible()

    # --- the manager: another date, 逾期完成, a 督办函 ------------------------------------------
    as_user("dubanshi")
    page.get_by_role("link", name="待办", exact=True).click()
    shot("6-queue")
    page.locator("article", has_text="延期申请").get_by_role("link", name="审批").click()
    page.get_by_label("同意延期", exact=True).check()
    granted = today + dt.timedelta(days=90)
    page.fill("#id_granted_due", granted.isoformat())
    page.fill("#id_reason", "三个月足以完成用地批复。")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text(f"督查决定延至 {granted.isoformat()}")).to_be_visible()

    page.get_by_role("link", name="待办", exact=True).first.click()
    page.locator("article", has_text="销号申请").get_by_role("link", name="审核").click()
    expect(page.get_by_text("逾期完成：完成报告晚于时限 10 天")).to_be_visible()
    expect(page.get_by_text("已核实服务站台账，同意销号。")).to_be_visible()
    page.get_by_label("同意销号").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("逾期 10 天完成").first).to_be_visible()
    page.goto(f"{base}/dashboard/")
    league = page.locator("table.league tr", has_text="冠县")
    expect(league.locator("td[data-label=逾期完成]")).to_have_text("1")

    cold_share = f"{base}/list/?q=冷链+冠县"
    page.goto(cold_share)
    page.locator("table.list tbody tr").first.get_by_role("link", name="催办").click()
    expect(page.get_by_text(re.compile("建议级别：督办函|建议级别：催办"))).to_be_visible()
    page.get_by_label("督办函", exact=True).check()
    page.fill("#id_doc_number", "聊督办函〔2026〕5号")
    page.fill("#id_reply_by", (today + dt.timedelta(days=5)).isoformat())
    page.fill("#id_message", "请于5日内书面报告冷链寄递工作进展。")
    shot("7-letter")
    page.get_by_role("button", name="发送催办").click()

    # --- 冠县 acknowledges it -------------------------------------------------------------------
    as_user("guanxian")
    card = page.locator("article.work", has_text="大力发展冷链寄递")
    expect(card.get_by_text("请于5日内书面报告冷链寄递工作进展。")).to_be_visible()
    card.get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收").first).to_be_visible()
    shot("8-acknowledged")

    as_user("dubanshi")
    page.goto(cold_share)
    page.locator("table.list tbody tr").first.locator("td[data-col=task] > a").click()
    expect(page.get_by_text(re.compile("赵经办 已于 .* 签收"))).to_be_visible()
    expect(page.get_by_text("聊督办函〔2026〕5号")).to_be_visible()
    shot("9-record")
