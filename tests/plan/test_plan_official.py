"""Official plan documents: numbered headings, responsibility clauses, 主要目标.
The samples under tests/plan/samples/ are written for these tests."""

import datetime as dt
from decimal import Decimal

import pytest
from planhelp import SAMPLES, all_spans

import plan
from plan.model import LEAD, RESPONSIBLE, SUPPORT

COUNTIES = ["东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"]


@pytest.fixture(scope="module")
def village(gazetteer):
    path = SAMPLES / "liaocheng-village-express-2024.txt"
    return plan.parse(path.read_text(encoding="utf-8"), gazetteer=gazetteer, source_name=path.name)


def test_it_reads_title_issuer_and_issue_date_from_the_notice(village):
    assert village.title == "聊城市推进快递进村三年行动方案"
    assert village.issuer == "聊城市人民政府办公室"
    assert village.issue_date == dt.date(2024, 3, 15)
    assert village.slug.startswith("plan-")


def test_a_plans_identity_comes_from_its_text_not_its_file_name(village, gazetteer):
    text = (SAMPLES / "liaocheng-village-express-2024.txt").read_text(encoding="utf-8")
    for name in ["plan.txt", "实施方案.txt", ""]:
        assert plan.parse(text, gazetteer=gazetteer, source_name=name).slug == village.slug
    other = text.replace("推进快递进村三年行动方案", "推进快递进厂三年行动方案")
    assert plan.parse(other, gazetteer=gazetteer, source_name="plan.txt").slug != village.slug


def test_main_targets_are_plan_level_targets(village):
    assert [(t.value, t.unit, t.comparator, t.scope) for t in village.targets] == [
        (Decimal(100), "%", ">=", "plan"),
        (Decimal(8), "个", ">=", "plan"),
        (Decimal(50), "个", ">=", "plan"),
    ]
    assert all(t.due.date == dt.date(2025, 12, 31) for t in village.targets)
    assert village.targets[0].description == "全市建制村快递服务通达率达到100%"  # joined line


def test_bold_and_indented_headings_give_categories_and_tasks(village):
    # "4.优化车辆通行" names no bodies; its sub-items （1）（2） each do: they are the finest
    # numbered units that carry bodies, so they are the tasks and item 4 their category.
    assert [c.title for c in village.categories] == [
        "完善农村寄递网络",
        "强化要素保障",
        "优化车辆通行",
    ]
    assert [(t.number, t.category, t.title) for t in village.tasks] == [
        (1, 1, "建设县级共配中心"),
        (2, 1, "推进村级站点建设"),
        (3, 2, "加大资金支持"),
        (4, 3, "为快递车辆发放城区通行证"),
        (5, 3, "规范快递车辆停靠"),
    ]


def test_a_clause_broken_across_a_blank_line_still_names_every_body(village):
    task = village.tasks[0]
    assert [(b.name, b.role) for b in task.bodies] == [
        ("市邮政管理局", LEAD),
        ("市交通运输局", SUPPORT),
        *((c, RESPONSIBLE) for c in COUNTIES),
    ]
    assert task.span.first == 23 and task.span.last == 25


def test_lead_and_support_clauses_and_a_word_broken_across_lines(village):
    assert [(b.name, b.role) for b in village.tasks[1].bodies] == [
        ("市供销社", LEAD),
        ("市邮政管理局", SUPPORT),
        ("市商务局", SUPPORT),
    ]
    assert [(b.name, b.role) for b in village.tasks[2].bodies] == [("市财政局", LEAD)]


def test_measure_deadlines_and_a_county_target_within_the_year(village):
    (measure,) = village.tasks[0].measures
    assert measure.deadline.date == dt.date(2025, 6, 30)
    assert measure.deadline.phrase == "2025年6月底前"
    (target,) = measure.targets
    assert (target.value, target.scope, target.due.date) == (
        Decimal(1),
        "each_county",
        dt.date(2024, 12, 31),
    )
    assert target.due.phrase == "年内"
    assert village.tasks[1].measures[1].deadline.date == dt.date(2025, 6, 30)
    assert village.tasks[1].measures[1].deadline.phrase == "2025年上半年"


def test_deadlines_the_item_states_reach_the_task_with_its_stages(village):
    # Issue 9: "于…10月底前…于…年底前" inside one item reached only its measures.
    first = village.tasks[0]
    assert (first.deadline.date, first.deadline.phrase) == (dt.date(2025, 6, 30), "2025年6月底前")
    assert [(m.date, m.phrase, m.what) for m in first.milestones] == [
        (dt.date(2024, 12, 31), "年内", "各县（市、区）建成1个县级寄递共配中心"),
        (dt.date(2025, 6, 30), "2025年6月底前", "实现乡镇全覆盖"),
    ]
    assert village.tasks[1].deadline.date == dt.date(2025, 6, 30)
    assert village.tasks[1].milestones == []
    assert village.tasks[2].deadline is None


def test_sub_items_with_their_own_clauses_are_tasks(village):
    first, second = village.tasks[3:5]
    assert [(b.name, b.role) for b in first.bodies] == [("市公安局", LEAD)]
    assert [(b.name, b.role, b.kind) for b in second.bodies] == [
        ("市公安局", LEAD, "department"),
        ("市城市管理局", SUPPORT, "department"),  # not in the gazetteer: kept as written
    ]
    assert second.deadline.ongoing and second.deadline.date is None


def test_safeguard_sections_without_clauses_and_the_closing_line_are_not_tasks(village):
    text = " ".join(t.text for t in village.tasks)
    assert "加强组织领导" not in text and "本方案自印发之日起施行" not in text
    spans, _ = all_spans(village)
    assert all(1 <= s.first <= s.last <= 42 for s in spans)


def test_a_plan_without_categories(village):
    path = SAMPLES / "district-tech-measures.txt"
    parsed = plan.parse(path.read_text(encoding="utf-8"))
    assert parsed.categories == []
    assert [(t.title, t.category) for t in parsed.tasks] == [
        ("支持企业研发投入", None),
        ("加快孵化载体建设", None),
        ("优化人才服务", None),
    ]
    assert [(b.name, b.role) for b in parsed.tasks[2].bodies] == [
        ("区人才办", LEAD),
        ("区住房保障局", SUPPORT),
    ]
    # A subsidy threshold is a rule, not a target.
    assert parsed.tasks[0].measures[0].targets == []
    (target,) = parsed.tasks[1].measures[0].targets
    assert (target.value, target.unit, target.comparator) == (Decimal(5), "家", ">=")
    assert target.due.date == dt.date(2026, 12, 31) and target.due.phrase == "到2026年"
    assert parsed.issue_date == dt.date(2024, 12, 20)
    assert parsed.issuer == "某区人民政府办公室"
    assert "本措施自" not in parsed.tasks[-1].text


def test_another_newspaper_summary_is_read_the_same_way():
    path = SAMPLES / "logistics-news.txt"
    parsed = plan.parse(path.read_text(encoding="utf-8"))
    assert parsed.title == "某市促进物流业降本增效实施方案"
    assert [c.title for c in parsed.categories] == [
        "完善物流基础设施",
        "培育物流市场主体",
        "优化物流发展环境",
    ]
    assert [t.title for t in parsed.tasks] == [
        "推进物流园区建设",
        "加快冷链设施建设",
        "支持龙头企业做大做强",
        "引导中小企业专业化发展",
        "降低物流成本",
        "强化物流用地保障",
    ]
    assert [m.text for m in parsed.tasks[1].measures] == ["支持企业建设冷库，完善冷链网络。"]
    assert parsed.tasks[0].deadline.date == dt.date(2025, 12, 31)
    assert parsed.tasks[0].targets[0].scope == "each_county"
    assert any("7项" in w.message and "6项" in w.message for w in parsed.warnings)
    assert "秋粮" not in " ".join(t.text for t in parsed.tasks)
    assert parsed.span.last == 11


def test_a_gazetteer_of_another_city_is_ignored_with_a_warning(gazetteer):
    text = (
        "上海市某某行动方案\n\n一、重点任务\n\n"
        "（一）推进某项工作。到2025年底完成。责任单位：市科委\n\n"
        "（二）推进另一项工作。责任单位：市教委、市科委\n"
    )
    parsed = plan.parse(text, gazetteer=gazetteer)
    assert parsed.jurisdiction == "上海市"
    assert any("已忽略该地名文件" in w.message for w in parsed.warnings)
    assert all(b.name != "市公安局" for t in parsed.tasks for b in t.bodies)


def test_the_issuer_is_not_taken_from_a_document_the_plan_cites():
    # "根据《中共中央办公厅国务院办公厅印发<…>的通知》" made the plan's issuer the offices that
    # issued the cited document; the notice forwarding the plan names its own.
    text = (
        "# 某市某区人民政府办公室关于转发区消防支队《某区消防救援发展三年行动计划》的通知\n\n"
        "区政府各委、办、局：\n\n"
        "某区消防救援发展三年行动计划\n\n"
        "一、指导思想\n\n"
        "为维护全区消防安全形势稳定，根据《中共中央办公厅国务院办公厅印发<组建国家综合性"
        "消防救援队伍框架方案>的通知》，制定本计划。\n\n"
        "二、工作任务\n\n"
        "1．建立工作机制。建立区消防工作汇报协调机制。（责任单位：区消防支队）\n"
    )
    parsed = plan.parse(text, source_name="plan.txt")
    assert parsed.issuer == "某市某区人民政府办公室"
