import pytest

from plan.bodies import Resolver, find_clauses, split_names
from plan.gazetteer import guess_kind
from plan.model import COUNTY, FROM_CLAUSE, FROM_SENTENCE, LEAD, RESPONSIBLE, SUPPORT

COUNTIES = ["东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"]


def clause_bodies(text, gazetteer=None):
    resolver = Resolver(gazetteer)
    refs = []
    for clause in find_clauses(text):
        refs += resolver.from_clause(clause, lambda i: 7)
    return [(b.name, b.role) for b in refs]


def test_in_a_responsibility_list_the_first_named_body_leads():
    assert clause_bodies("……。（责任单位：市教委、市经济信息化委、市科委、市财政局）") == [
        ("市教委", LEAD),
        ("市经济信息化委", SUPPORT),
        ("市科委", SUPPORT),
        ("市财政局", SUPPORT),
    ]


def test_lead_and_supporting_bodies_as_the_clause_labels_them():
    text = "（牵头单位：市公安局；配合单位：市交通运输局和市应急管理局）"
    assert clause_bodies(text) == [
        ("市公安局", LEAD),
        ("市交通运输局", SUPPORT),
        ("市应急管理局", SUPPORT),
    ]
    assert clause_bodies("（牵头部门：市财政局）") == [("市财政局", LEAD)]
    assert clause_bodies("（市发展改革委牵头，市财政局、市商务局配合）") == [
        ("市发展改革委", LEAD),
        ("市财政局", SUPPORT),
        ("市商务局", SUPPORT),
    ]


def test_a_lead_list_names_co_leads_in_their_order():
    # Issue 9: "（牵头部门：市科委、市经济信息化委、市发展改革委）" names three leads.
    warnings = []
    resolver = Resolver(None, lambda line, msg: warnings.append(msg))
    (clause,) = find_clauses("（牵头部门：市科委、市经济信息化委、市发展改革委）")
    refs = resolver.from_clause(clause, lambda i: 1)
    assert [(b.name, b.role) for b in refs] == [
        ("市科委", LEAD),
        ("市经济信息化委", LEAD),
        ("市发展改革委", LEAD),
    ]
    assert warnings == []


def test_every_county_is_responsible_for_its_share(gazetteer):
    refs = clause_bodies("（责任单位：市邮政管理局、各县（市、区）人民政府）", gazetteer)
    assert refs == [("市邮政管理局", LEAD), *((c, RESPONSIBLE) for c in COUNTIES)]


def test_without_a_gazetteer_names_are_kept_as_written_and_kinds_guessed():
    refs = clause_bodies("（责任单位：市科委、市财政局、临港新片区管委会、浦东新区等相关区政府）")
    assert refs == [
        ("市科委", LEAD),
        ("市财政局", SUPPORT),
        ("临港新片区管委会", SUPPORT),
        ("浦东新区", SUPPORT),
    ]
    assert clause_bodies("（责任单位：市科委、各区政府）") == [
        ("市科委", LEAD),
        ("各区政府", RESPONSIBLE),
    ]


def test_vague_bodies_are_dropped():
    assert clause_bodies("（责任单位：市科委、各相关单位、有关部门）") == [("市科委", LEAD)]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("市科委", "department"),
        ("市发展改革委", "department"),
        ("市委金融办", "department"),
        ("闵行区政府", "county"),
        ("浦东新区", "county"),
        ("临清市", "county"),
        ("临港新片区管委会", "zone"),
        ("聊城经济技术开发区", "zone"),
        ("中国邮政集团有限公司聊城市分公司", "enterprise"),
        ("申康医院发展中心", "other"),
        ("上海海关", "other"),
    ],
)
def test_kind_is_guessed_from_the_name(name, kind):
    assert guess_kind(name) == kind


def test_names_split_on_list_marks_but_not_inside_names_or_parentheses():
    names = [n for n, _ in split_names("市工业和信息化局、市科委和市财政局及各县（市、区）")]
    assert names == ["市工业和信息化局", "市科委", "市财政局", "各县（市、区）"]


def test_a_sentence_names_departments_only_in_a_list_of_departments(gazetteer):
    resolver = Resolver(gazetteer)
    text = (
        "推动邮政快递业突发事件应急工作纳入全市应急管理体系，"
        "建立公安、交通运输、应急等多部门联动机制。"
    )
    refs = resolver.from_sentence(text, lambda i: 113)
    assert [(b.name, b.raw, b.role, b.source) for b in refs] == [
        ("市公安局", "公安", SUPPORT, FROM_SENTENCE),
        ("市交通运输局", "交通运输", SUPPORT, FROM_SENTENCE),
        ("市应急管理局", "应急", SUPPORT, FROM_SENTENCE),
    ]
    assert resolver.from_sentence("加强应急管理能力和邮政管理责任主体建设。", lambda i: 1) == []


def test_a_sentence_names_counties_as_responsible(gazetteer):
    refs = Resolver(gazetteer).from_sentence("支持冠县、莘县争创示范区。", lambda i: 107)
    assert [(b.name, b.kind, b.role) for b in refs] == [
        ("冠县", COUNTY, RESPONSIBLE),
        ("莘县", COUNTY, RESPONSIBLE),
    ]


def test_names_are_normalised_within_the_jurisdiction(gazetteer):
    resolver = Resolver(gazetteer)
    for raw, name in [
        ("公安", "市公安局"),
        ("聊城市公安局", "市公安局"),
        ("邮政管理", "市邮政管理局"),
        ("冠县人民政府", "冠县"),
        ("市发改委", "市发展改革委"),
    ]:
        (ref,) = resolver.refs(raw, LEAD, FROM_CLAUSE, 1)
        assert (ref.name, ref.raw) == (name, raw)


def test_district_owned_groups_are_not_the_districts():
    # "各区属集团" (the district-owned groups) made a phantom collective body "各区".
    text = "各部门、各街道、各区属集团要切实扛起责任，着力抓好各项任务落实。"
    names = [b.name for b in Resolver(None).from_sentence(text, lambda i: 47)]
    assert "各区" not in names
    assert [b.name for b in Resolver(None).from_sentence("各区要抓好落实。", lambda i: 1)] == [
        "各区"
    ]
