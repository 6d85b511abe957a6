"""The seed newspaper page, parsed from its text alone (with the gazetteer, no review)."""

import datetime as dt
from decimal import Decimal

import pytest
from planhelp import ARTICLE, all_spans, task_titled

import plan
from plan.model import COUNTY, FROM_SENTENCE, RESPONSIBLE, SUPPORT

COUNTIES = ["东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"]
CATEGORIES = ["强化行业规划引领", "深化产业融合创新", "做好市场主体培育", "提升行业治理效能"]


def test_it_finds_the_plan_and_its_declared_counts(seed):
    assert seed.title == "聊城市加快邮政快递业高质量发展实施方案"
    assert seed.jurisdiction == "聊城市"
    assert seed.issuer == "市政府办公室"
    assert seed.issue_date is None
    assert (seed.declared_categories, seed.declared_tasks) == (4, 14)
    assert (seed.span.first, seed.span.last) == (93, 113)


def test_it_reads_the_four_categories_with_their_summaries(seed):
    assert [c.title for c in seed.categories] == CATEGORIES
    assert seed.categories[0].summary.startswith("重点是坚持规划先导，聚焦服务网络")
    assert seed.categories[2].summary.endswith("破解融资难用工难等。")
    assert "给予政策支持" in seed.categories[2].summary  # joined across the blank line
    assert [(c.span.first, c.span.last) for c in seed.categories] == [
        (103, 105),
        (107, 107),
        (109, 111),
        (113, 113),
    ]


def test_it_reports_the_found_count_and_warns_that_it_differs(seed):
    assert len(seed.tasks) == 15
    assert [t.number for t in seed.tasks] == list(range(1, 16))
    assert any("14项" in w.message and "15项" in w.message for w in seed.warnings)


def test_it_reads_the_tasks_of_each_category(seed):
    by_category = {}
    for task in seed.tasks:
        by_category.setdefault(task.category, []).append(task.title)
    assert by_category == {
        1: ["坚持规划先导", "推进快递园区建设", "提升农村服务网络", "完善城市末端配送"],
        2: [
            "赋能农业提质扩面",
            '注重培育新动能，推进"快递进厂"',
            '实施"快递出海"工程',
            "大力发展冷链寄递",
        ],
        3: ["支持建设区域性分拨中心", "保障末端服务车辆通行", "破解融资难用工难"],
        4: ["提升行业监管能力", "坚持行业绿色发展", "增强应急管理能力", "加强人才队伍建设"],
    }


def test_the_sentences_after_a_standalone_title_are_its_measures(seed):
    task = task_titled(seed, "提升农村服务网络")
    assert [m.text[:8] for m in task.measures] == [
        "促进农村客运、货",
        '巩固"快递进村"',
        "加强农村寄递物流",
    ]


def test_the_park_task_is_due_at_the_end_of_2024_for_every_county_with_its_target(seed):
    task = task_titled(seed, "推进快递园区建设")
    assert task.deadline.date == dt.date(2024, 12, 31)
    assert task.deadline.phrase == "到2024年年底"
    assert task.deadline.line == 105
    counties = [b for b in task.bodies if b.role == RESPONSIBLE]
    assert [b.name for b in counties] == COUNTIES
    assert all(b.kind == COUNTY and b.source == FROM_SENTENCE for b in counties)
    (target,) = task.targets
    assert target.description == "至少建成1处入驻3家快递企业的快递园区"
    assert (target.value, target.unit, target.scope, target.comparator) == (
        Decimal(1),
        "处",
        "each_county",
        ">=",
    )
    assert target.due.date == dt.date(2024, 12, 31) and target.due.phrase == "到2024年年底"


def test_the_sector_plans_target_years_are_not_a_deadline(seed):
    task = task_titled(seed, "坚持规划先导")
    assert task.deadline is None
    assert all(m.deadline is None for m in task.measures)


def test_the_county_responsibility_measure_is_due_at_the_end_of_2024(seed):
    task = task_titled(seed, "提升行业监管能力")
    (measure,) = [m for m in task.measures if "县级邮政管理责任主体" in m.text]
    assert measure.deadline.date == dt.date(2024, 12, 31)
    assert measure.deadline.phrase == "2024年年底前"
    assert [b.name for b in measure.bodies] == COUNTIES
    assert task.deadline is None


def test_guanxian_and_shenxian_are_on_the_demonstration_zone_measure(seed):
    task = task_titled(seed, "赋能农业提质扩面")
    (measure,) = [m for m in task.measures if "示范区" in m.text]
    assert [(b.name, b.role, b.source) for b in measure.bodies] == [
        ("冠县", RESPONSIBLE, FROM_SENTENCE),
        ("莘县", RESPONSIBLE, FROM_SENTENCE),
    ]


def test_police_transport_and_emergency_are_on_the_emergency_task(seed):
    task = task_titled(seed, "增强应急管理能力")
    assert [(b.name, b.raw, b.role, b.source) for b in task.bodies] == [
        ("市公安局", "公安", SUPPORT, FROM_SENTENCE),
        ("市交通运输局", "交通运输", SUPPORT, FROM_SENTENCE),
        ("市应急管理局", "应急", SUPPORT, FROM_SENTENCE),
    ]


def test_undated_tasks_stay_undated_and_no_lead_is_invented(seed):
    dated = [t.title for t in seed.tasks if t.deadline is not None]
    assert dated == ["推进快递园区建设"]
    assert all(t.lead is None for t in seed.tasks)
    assert any("未写明完成时限" in w.message for w in seed.warnings)


def test_every_span_lies_inside_the_article(seed):
    spans, lines = all_spans(seed)
    for span in spans:
        assert span.first in ARTICLE and span.last in ARTICLE and span.first <= span.last
    assert all(line in ARTICLE for line in lines)


def test_nothing_leaks_in_from_the_other_articles(seed):
    text = " ".join(t.text for t in seed.tasks) + " ".join(c.summary for c in seed.categories)
    for other in ("药品", "市市场监管局", "民族团结", "村舞", "发电量"):
        assert other not in text
    bodies = {b.name for t in seed.tasks for b in t.all_bodies()}
    assert "市市场监管局" not in bodies


def test_without_a_gazetteer_the_counties_stay_one_collective_body(seed_text):
    parsed = plan.parse(seed_text)
    task = task_titled(parsed, "推进快递园区建设")
    assert [(b.name, b.role) for b in task.bodies] == [("各县（市、区）", RESPONSIBLE)]
    assert parsed.jurisdiction == "聊城市"


# The parser is not tuned to this page: edit the text, the output follows.


def test_a_later_year_in_the_park_sentence_moves_the_deadline(seed_text, gazetteer):
    edited = seed_text.replace("到2024年年底,各县", "到2026年年底,各县")
    assert edited != seed_text
    task = task_titled(plan.parse(edited, gazetteer=gazetteer), "推进快递园区建设")
    assert task.deadline.date == dt.date(2026, 12, 31)
    assert task.targets[0].due.date == dt.date(2026, 12, 31)


def test_another_county_in_the_demonstration_zone_sentence_is_read(seed_text, gazetteer):
    edited = seed_text.replace("支持冠县、莘县", "支持阳谷县、莘县")
    assert edited != seed_text
    task = task_titled(plan.parse(edited, gazetteer=gazetteer), "赋能农业提质扩面")
    (measure,) = [m for m in task.measures if "示范区" in m.text]
    assert [b.name for b in measure.bodies] == ["阳谷县", "莘县"]


def test_without_the_list_of_category_names_the_title_sentences_still_give_them(
    seed_text, gazetteer
):
    edited = seed_text.replace(
        "从强化行业规划引领、深化产 业融合创新、做好市场主体培育、提升 行业治理效能四个方面", ""
    )
    assert edited != seed_text
    parsed = plan.parse(edited, gazetteer=gazetteer)
    assert [c.title for c in parsed.categories] == CATEGORIES
    assert len(parsed.tasks) == 15


@pytest.mark.parametrize("count", ["3类12项", "4类15项"])
def test_the_declared_counts_come_from_the_text(seed_text, gazetteer, count):
    edited = seed_text.replace("明确4类14项重点任务", f"明确{count}重点任务")
    parsed = plan.parse(edited, gazetteer=gazetteer)
    assert f"{parsed.declared_categories}类{parsed.declared_tasks}项" == count
    mismatch = [w for w in parsed.warnings if w.message.startswith("原文称有")]
    assert bool(mismatch) == (parsed.declared_tasks != 15)
