"""Issue 9's measured failures, each on a small text written for the test (none is taken
from a shared plan): phrase forms, collectives, relative and staged deadlines, glued
headings, closing sections, heading clauses."""

import datetime as dt

import pytest

import plan
from plan.bodies import Resolver, find_clauses
from plan.dates import find_deadlines
from plan.model import LEAD, RESPONSIBLE, SUPPORT


def bodies(text, gazetteer=None):
    warnings = []
    resolver = Resolver(gazetteer, lambda line, message: warnings.append(message))
    refs = []
    for clause in find_clauses(text):
        refs += resolver.from_clause(clause, lambda i: 1)
    return [(b.name, b.role) for b in refs], warnings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "推进。（市科委牵头，市财政局、市教委参与）",
            [("市科委", LEAD), ("市财政局", SUPPORT), ("市教委", SUPPORT)],
        ),
        ("推进。（市科委会同市财政局负责）", [("市科委", LEAD), ("市财政局", SUPPORT)]),
        ("推进。（市科委负责，市发展改革委指导）", [("市科委", LEAD), ("市发展改革委", SUPPORT)]),
        (
            "推进。（市科委指导，各区政府负责落实。以下同）",
            [("市科委", LEAD), ("各区政府", RESPONSIBLE)],
        ),
        (
            "推进。（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）",
            [("人力资源社会保障部", LEAD), ("财政部", SUPPORT)],
        ),
        (
            "推进。（教育部、财政部等和各有关省级人民政府负责）",
            [("教育部", LEAD), ("财政部", SUPPORT), ("各有关省级人民政府", RESPONSIBLE)],
        ),
        (
            "推进。（各有关部门和单位，各省级人民政府按职责分工负责）",
            [("各省级人民政府", LEAD)],
        ),
        (
            "推进。（牵头单位：经开区、某街道，支撑单位：区规划资源局）",
            [("经开区", LEAD), ("某街道", LEAD), ("区规划资源局", SUPPORT)],
        ),
        (
            "推进。（责任单位：区建管委、各区、县级市）",
            [("区建管委", LEAD), ("各区、县级市", RESPONSIBLE)],
        ),
        ("推进。（牵头单位：区房管局、相关街镇）", [("区房管局", LEAD)]),
        (
            "推进。（责任单位：区委组织部（区公务员局）、区人社局）",
            [("区委组织部（区公务员局）", LEAD), ("区人社局", SUPPORT)],
        ),
    ],
)
def test_phrase_forms_labels_collectives_and_vague_references(text, expected):
    assert bodies(text)[0] == expected


def test_an_explanation_in_brackets_is_not_a_body_clause():
    assert (
        find_clauses("实施“装、树、联”（企业安装监测设备、树立显示屏、与部门联网），强化公开。")
        == []
    )


def test_vague_references_and_unknown_labels_are_warnings():
    found, warnings = bodies("推进。（牵头单位：区房管局，协作方：区科委；相关街镇）")
    assert ("区房管局", LEAD) in found and all(n != "相关街镇" for n, _ in found)
    _, warnings = bodies("推进。（牵头单位：区房管局、相关街镇）")
    assert any("相关街镇" in w for w in warnings)
    found, warnings = bodies("推进。（牵头单位：区房管局；指导部门：区建管委）")
    assert found == [("区房管局", LEAD), ("区建管委", SUPPORT)]
    assert any("指导部门" in w for w in warnings)


def test_a_collective_is_expanded_only_by_a_gazetteer_that_lists_its_members(gazetteer):
    found, _ = bodies("推进。（责任单位：市邮政管理局、各县（市、区））", gazetteer)
    assert found[0] == ("市邮政管理局", LEAD) and len(found) == 9
    assert {role for _, role in found[1:]} == {RESPONSIBLE}
    found, _ = bodies("推进。（责任单位：市邮政管理局、各县（市、区））")
    assert found == [("市邮政管理局", LEAD), ("各县（市、区）", RESPONSIBLE)]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("5年内重点引进100名高层次人才", dt.date(2029, 3, 1)),
        ("三年内建成", dt.date(2027, 3, 1)),
        ("年内建成", dt.date(2024, 12, 31)),
        ("到“十四五”末基本建成", dt.date(2025, 12, 31)),
        ("十四五期间全面推进", dt.date(2025, 12, 31)),
    ],
)
def test_relative_periods_count_from_the_issue_date(text, date):
    (hit,) = find_deadlines(text, dt.date(2024, 3, 1))
    assert hit.deadline.date == date


def test_a_validity_period_is_not_a_deadline():
    assert find_deadlines("2019年1月1日至2020年12月31日，放宽申领条件。") == []


NOTICE = "关于印发《某区测试实施方案》的通知\n\n某区人民政府办公室\n\n2024年3月1日\n\n"


def test_staged_deadlines_reach_the_task_as_milestones_and_a_line_of_its_own_names_bodies():
    text = NOTICE + (
        "一、重点任务\n\n"
        "（一）建设数据平台。于2024年10月底前完成平台建设，于2024年底前接入全部部门。\n\n"
        "责任单位：区数据局、区经委；完成时限：2024年底前\n\n"
        "（二）完善服务。持续优化服务流程。\n\n"
        "责任单位：区政务办\n\n"
    )
    parsed = plan.parse(text)
    first = parsed.tasks[0]
    assert [(b.name, b.role) for b in first.bodies] == [("区数据局", LEAD), ("区经委", SUPPORT)]
    assert first.deadline.date == dt.date(2024, 12, 31)
    assert [(m.date, m.what) for m in first.milestones] == [
        (dt.date(2024, 10, 31), "完成平台建设"),
        (dt.date(2024, 12, 31), "接入全部部门"),
    ]
    assert parsed.tasks[1].lead.name == "区政务办"


def test_a_heading_glued_to_digits_is_its_item_and_closing_sections_are_not_tasks():
    text = NOTICE + (
        "一、重点任务\n\n"
        "1.引进领军人才。引进领军人才5名。（责任单位：区人才办）\n\n"
        "2.121人才梯队项目。培养青年骨干。（责任单位：区人社局）\n\n"
        "保障措施\n\n"
        "各单位要加强组织领导，区政府办公室定期督查。\n\n"
    )
    parsed = plan.parse(text)
    assert [t.title for t in parsed.tasks] == ["引进领军人才", "121人才梯队项目"]
    assert "加强组织领导" not in parsed.tasks[-1].text
    assert [b.name for b in parsed.tasks[-1].bodies] == ["区人社局"]


def test_a_closing_section_with_a_clause_of_its_own_is_its_own_task_never_the_last_ones():
    text = NOTICE + (
        "一、重点任务\n\n"
        "（一）引进领军人才。引进领军人才5名。（责任单位：区人才办）\n\n"
        "二、保障措施\n\n"
        "各单位要加强组织领导，定期报告进展。\n\n"
        "（责任单位：区政府办公室、各街道）\n\n"
    )
    parsed = plan.parse(text)
    assert [t.title for t in parsed.tasks] == ["引进领军人才", "保障措施"]
    assert [b.name for b in parsed.tasks[0].bodies] == ["区人才办"]
    assert [(b.name, b.role) for b in parsed.tasks[1].bodies] == [
        ("区政府办公室", LEAD),
        ("各街道", RESPONSIBLE),
    ]


def test_a_heading_with_its_own_clause_keeps_the_task_level_lead():
    text = NOTICE + (
        "一、重点任务\n\n"
        "（一）加强组织领导（牵头单位：区政府办公室）\n\n"
        "1.建立联席会议制度。（责任单位：区发展改革委）\n\n"
        "2.建立督办制度。（责任单位：区督查室）\n\n"
        "（二）强化资金保障。（牵头单位：区财政局）\n\n"
    )
    parsed = plan.parse(text)
    assert [t.title for t in parsed.tasks] == ["加强组织领导", "强化资金保障"]
    first = parsed.tasks[0]
    assert [(b.name, b.role) for b in first.bodies] == [("区政府办公室", LEAD)]
    assert [m.bodies[0].name for m in first.measures] == ["区发展改革委", "区督查室"]


def test_the_text_after_the_last_tasks_clause_is_not_the_task():
    text = NOTICE + (
        "（一）甲任务。做好甲。（区科委负责）\n"
        "（二）乙任务。做好乙。（区经委负责）\n"
        "各地要结合实际抓好落实，重要情况及时报告。\n"
    )
    parsed = plan.parse(text)
    assert "及时报告" not in parsed.tasks[-1].text
    assert any("视为结尾" in w.message for w in parsed.warnings)


def test_a_tasks_text_holds_each_sentence_once():
    text = NOTICE + "（一）甲任务。做好甲。（区科委负责）\n\n（二）乙任务。做好乙。（区经委负责）\n"
    parsed = plan.parse(text)
    assert parsed.tasks[0].text.count("做好甲") == 1
