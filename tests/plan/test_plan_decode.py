import codecs

import pytest

import plan
from plan import PlanDecodeError, PlanParseError

TEXT = "一、推进快递园区建设。到2024年年底，各县（市、区）至少建成1处快递园区。\n"


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT.encode("gb18030")],
    ids=["utf-8", "utf-8 with BOM", "gb18030"],
)
def test_it_accepts_utf8_with_or_without_bom_and_gb18030(data):
    assert plan.decode(data) == TEXT


@pytest.mark.parametrize(
    "data",
    [
        b"\x81\x20\xff\xfe\x80garbage",
        TEXT.encode("utf-16"),
        b"\x00\x01\x02binary\x00",
        codecs.BOM_UTF8 + b"\xff\xff",
        bytes(range(128, 256)),
    ],
)
def test_it_refuses_other_bytes_with_a_chinese_message(data):
    with pytest.raises(PlanDecodeError) as info:
        plan.decode(data)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


@pytest.mark.parametrize("text", ["", "   \n\n  ", "今天天气很好。\n\n我们去公园散步。"])
def test_empty_or_non_plan_text_is_a_parse_error_in_chinese(text):
    with pytest.raises(PlanParseError) as info:
        plan.parse(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)


def test_an_error_names_its_line():
    error = plan.PlanError("没有识别出任何任务", line=12)
    assert str(error) == "第12行：没有识别出任何任务"
    assert error.line == 12
    assert issubclass(PlanDecodeError, plan.PlanError)
    assert issubclass(PlanParseError, plan.PlanError)
    assert issubclass(plan.ReviewError, plan.PlanError)
