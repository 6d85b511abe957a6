"""Real official documents from /work/shared/plans (not in the repository; skipped when the
folder is absent). Each test states the document's real structure, read by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from planhelp import SHARED_PLANS, all_spans

import plan
from plan.model import LEAD, RESPONSIBLE, SUPPORT


def load(name):
    path = SHARED_PLANS / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (the shared plans live outside the repository)")
    text = path.read_text(encoding="utf-8")
    return plan.parse(text, source_name=name), len(text.splitlines())


def roles(bodies):
    return [(b.name, b.role) for b in bodies]


def lead_and_support(bodies):
    lead, *rest = bodies
    return [(lead.name, LEAD), *((b.name, SUPPORT) for b in rest)]


class TestBasicResearchMeasures:
    """上海市支持企业加强基础研究 增强高质量发展新动能的若干措施: nine measures 一、…九、, no
    categories, a 责任单位 clause at the end of each."""

    @pytest.fixture(scope="class")
    @classmethod
    def parsed(cls):
        return load("shanghai-basic-research-measures-2025.txt")[0]

    def test_header(self, parsed):
        assert parsed.title == "上海市支持企业加强基础研究 增强高质量发展新动能的若干措施"
        assert parsed.jurisdiction == "上海市"
        assert parsed.issuer == "上海市人民政府办公厅"
        assert parsed.issue_date == dt.date(2025, 7, 23)

    def test_nine_tasks_without_categories(self, parsed):
        assert parsed.categories == []
        assert len(parsed.tasks) == 9
        assert parsed.tasks[0].title == "支持企业参与基础研究决策咨询"
        assert parsed.tasks[8].title == "加强统计监测和鼓励引导"
        assert all(t.category is None for t in parsed.tasks)
        assert [t.span.first for t in parsed.tasks] == [25, 27, 29, 31, 33, 35, 37, 39, 41]

    def test_the_clause_of_each_task(self, parsed):
        t = parsed.tasks
        assert roles(t[0].bodies) == [("市科委", LEAD)]
        assert roles(t[2].bodies) == lead_and_support(t[2].bodies)
        assert [b.name for b in t[2].bodies] == ["市教委", "市经济信息化委", "市科委", "市财政局"]
        assert roles(t[3].bodies) == [
            ("市科委", LEAD),
            ("市财政局", SUPPORT),
            ("各区政府", RESPONSIBLE),
        ]
        assert [b.name for b in t[5].bodies] == [
            "市科委",
            "市财政局",
            "临港新片区管委会",
            "浦东新区",
        ]
        assert [b.kind for b in t[5].bodies] == ["department", "department", "zone", "county"]
        assert roles(t[6].bodies)[0] == ("市税务局", LEAD)
        assert roles(t[8].bodies) == [("市统计局", LEAD), ("市科委", SUPPORT)]

    def test_the_closing_validity_sentence_is_neither_a_measure_nor_a_deadline(self, parsed):
        assert "本措施自" not in parsed.tasks[-1].text
        assert all(t.deadline is None for t in parsed.tasks)

    def test_subsidy_thresholds_are_not_targets(self, parsed):
        assert not any(m.targets for t in parsed.tasks for m in t.measures)


class TestMedicalDevicesActionPlan:
    """上海市促进高端医疗器械产业全链条发展行动方案: 一、主要目标 (plan targets), 二、重点发展产品
    (products, not tasks), 三、重点任务 with seven categories （一）…（七） and tasks 1.…20."""

    @pytest.fixture(scope="class")
    @classmethod
    def parsed(cls):
        return load("shanghai-medical-devices-action-plan-2025.txt")[0]

    def test_plan_targets_by_2027(self, parsed):
        assert [(t.value, t.unit, t.scope) for t in parsed.targets] == [
            (Decimal(500), "件", "plan"),
            (Decimal(100), "件", "plan"),
            (Decimal(2), "家", "plan"),
            (Decimal(3), "个", "plan"),
        ]
        assert {t.due.date for t in parsed.targets} == {dt.date(2027, 12, 31)}
        assert {t.due.phrase for t in parsed.targets} == {"到2027年"}

    def test_seven_categories_and_twenty_tasks(self, parsed):
        assert [c.title for c in parsed.categories] == [
            "提升创新策源能级",
            "强化临床赋能产业",
            "优化审评审批服务",
            "加速创新产品应用推广",
            "培育壮大高能级企业",
            "构建一流产业创新生态",
            "推动产业国际化发展",
        ]
        assert len(parsed.tasks) == 20
        per_category = [sum(1 for t in parsed.tasks if t.category == c) for c in range(1, 8)]
        assert per_category == [3, 2, 3, 3, 3, 4, 2]
        assert parsed.tasks[0].title == "加强基础研究和前沿技术攻关"
        assert parsed.tasks[19].title == "深化国际交流合作"

    def test_the_products_section_is_not_tasks(self, parsed):
        titles = [t.title for t in parsed.tasks]
        assert "高端医学影像产品" not in titles

    def test_the_clause_of_each_task(self, parsed):
        t = parsed.tasks
        assert roles(t[0].bodies) == [("市科委", LEAD)]
        assert roles(t[3].bodies) == [("市卫生健康委", LEAD), ("申康医院发展中心", SUPPORT)]
        assert roles(t[10].bodies)[0] == ("市医保局", LEAD)
        assert [b.name for b in t[14].bodies] == [
            "市科委",
            "市发展改革委",
            "市经济信息化委",
            "市规划资源局",
            "浦东新区政府",
            "闵行区政府",
            "嘉定区政府",
        ]
        assert roles(t[18].bodies)[0] == ("上海海关", LEAD)
        for task in t:
            assert roles(task.bodies) == lead_and_support(task.bodies)

    def test_measures_and_their_targets(self, parsed):
        clinical = parsed.tasks[3]
        assert len(clinical.measures) == 3
        assert [(x.value, x.unit, x.comparator) for m in clinical.measures for x in m.targets] == [
            (Decimal(3), "周", "<="),
            (Decimal(25), "周", "<="),
        ]

    def test_spans(self, parsed):
        spans, _ = all_spans(parsed)
        assert all(1 <= s.first <= s.last <= 106 for s in spans)
        assert parsed.tasks[0].span.first == 51 and parsed.tasks[-1].span.last == 101


class TestTechServicesOpinions:
    """关于进一步深化改革创新 加快科技服务业高质量发展的若干意见: three parts 一、…三、 in bold,
    sixteen items （一）…（十六）, most with several paragraphs that each close with their own
    责任单位 clause. Each such paragraph is a unit of work with its own bodies, so it is a
    task (the gold lists' convention: "each body parenthetical starts a new entry"), and
    its item is its category; an item with one paragraph is one task."""

    @pytest.fixture(scope="class")
    @classmethod
    def parsed(cls):
        return load("shanghai-tech-services-opinions-2025.txt")[0]

    def test_header(self, parsed):
        assert parsed.issue_date == dt.date(2025, 5, 17)
        assert parsed.issuer == "上海市人民政府办公厅"

    def test_every_paragraph_with_its_own_clause_is_a_task(self, parsed):
        assert len(parsed.tasks) == 39
        assert [c.title for c in parsed.categories[:3]] == [
            "推动科技创新资源开放",
            "创新概念验证建设运营模式",
            "深化科技社团和科技期刊改革",
        ]
        first_three = parsed.tasks[:3]
        assert [t.category for t in first_three] == [1, 1, 1]
        assert [t.title for t in first_three] == [
            "优化运营管理和开放共享考核制度",
            "加强校企合作",
            "探索试点“科学数据银行”模式",
        ]
        assert [roles(t.bodies) for t in first_three] == [
            [("市科委", LEAD), ("市发展改革委", SUPPORT)],
            [("市教委", LEAD), ("市经济信息化委", SUPPORT), ("市科委", SUPPORT)],
            [
                ("市科委", LEAD),
                ("市数据局", SUPPORT),
                ("市教委", SUPPORT),
                ("市经济信息化委", SUPPORT),
            ],
        ]
        assert [t.span.first for t in first_three] == [21, 23, 25]
        assert roles(parsed.tasks[-2].bodies) == [("市科委", LEAD), ("各区政府", RESPONSIBLE)]

    def test_lead_in_clauses_do_not_make_the_title(self, parsed):
        titles = [t.title for t in parsed.tasks]
        assert "推进高校院所与行业企业联合招生、联合培养" in titles  # "面向…，推进…"
        assert not any(t.startswith(("面向", "聚焦", "依托", "围绕")) for t in titles)

    def test_an_item_with_a_single_paragraph_is_one_task(self, parsed):
        task = next(t for t in parsed.tasks if t.title == "优化财政科研经费和科技创新券支持方式")
        assert roles(task.bodies) == [("市科委", LEAD), ("市财政局", SUPPORT)]
        assert len(task.measures) == 2

    def test_the_signature_at_the_end_is_not_part_of_the_last_task(self, parsed):
        assert "办公厅" not in parsed.tasks[-1].text
        assert parsed.tasks[-1].span.last == 131
