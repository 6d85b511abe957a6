"""Whatever the input, parse() gives a ParsedPlan that holds together or raises a documented
PlanError subclass; nothing else escapes. (Hypothesis, kept fast: ~150 examples each.)"""

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planhelp import GAZETTEER, REVIEW, SEED, all_spans

import plan
from plan import PlanParseError, ReviewError

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")
GAZ = plan.load_gazetteer(GAZETTEER)
REVIEW_DATA = plan.load_review(REVIEW)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that make plan-like text: headings, clauses, dates, bodies, punctuation.
ALPHABET = st.sampled_from(
    list('一二三四五六七八九十、（）()1234567890.．。，,；;：:《》"“”#* \n\u3000')
    + list("年月日底前末内到至责任单位牵头配合市县区局委办各方案措施重点任务类项加强推进完善")
    + ["\n\n", "责任单位：", "牵头单位：", "各县（市、区）", "市公安局", "到2024年年底", "长期坚持"]
    + ["一、", "（一）", "1.", "（1）", "**", "# ", "明确4类14项", "《某市实施方案》"]
)
plan_like = st.lists(ALPHABET, max_size=200).map("".join)


def check(parsed, n_lines):
    assert parsed.tasks
    assert [t.number for t in parsed.tasks] == list(range(1, len(parsed.tasks) + 1))
    spans, lines = all_spans(parsed)
    for span in spans:
        assert 1 <= span.first <= span.last <= n_lines
    for line in lines:
        assert 1 <= line <= n_lines
    for task in parsed.tasks:
        assert sum(b.role == "lead" for b in task.bodies) <= 1
        assert len({b.name for b in task.bodies}) == len(task.bodies)
        for m in task.measures:
            assert sum(b.role == "lead" for b in m.bodies) <= 1
    plan.to_json(parsed)


def parse_or_error(text, gazetteer=None):
    try:
        parsed = plan.parse(text, gazetteer=gazetteer)
    except PlanParseError as error:
        assert error.message
        return None
    check(parsed, max(1, len(text.split("\n"))))
    return parsed


@FAST
@given(st.text(max_size=300))
def test_random_text(text):
    parse_or_error(text)


@FAST
@given(plan_like)
def test_random_plan_like_text(text):
    parse_or_error(text, GAZ)


@FAST
@given(st.integers(min_value=0, max_value=len(SEED_TEXT)))
def test_truncated_seed(cut):
    parse_or_error(SEED_TEXT[:cut], GAZ)


@FAST
@given(st.integers(min_value=0, max_value=len(SEED_TEXT)), st.integers(min_value=0, max_value=400))
def test_seed_with_a_piece_cut_out(start, length):
    parse_or_error(SEED_TEXT[:start] + SEED_TEXT[start + length :], GAZ)


@FAST
@given(st.randoms(use_true_random=False))
def test_shuffled_lines(rnd: random.Random):
    lines = SEED_LINES[:]
    rnd.shuffle(lines)
    parse_or_error("\n".join(lines), GAZ)


OTHER_ARTICLES = [(1, 31), (33, 51), (53, 91), (115, 132)]


def test_the_other_articles_of_the_page_are_not_this_plan():
    for first, last in OTHER_ARTICLES:
        text = "\n".join(SEED_LINES[first - 1 : last])
        parsed = parse_or_error(text, GAZ)
        if parsed is not None:
            assert "邮政快递" not in parsed.title


@FAST
@given(st.lists(st.sampled_from(OTHER_ARTICLES), min_size=1, max_size=4))
def test_combinations_of_the_other_articles(articles):
    text = "\n".join("\n".join(SEED_LINES[a - 1 : b]) for a, b in articles)
    parse_or_error(text, GAZ)


@FAST
@given(st.integers(min_value=0, max_value=len(SEED_TEXT)), st.text(max_size=20))
def test_review_on_an_edited_seed_applies_or_raises_a_review_error(at, insert):
    try:
        parsed = plan.parse(SEED_TEXT[:at] + insert + SEED_TEXT[at:], gazetteer=GAZ)
    except PlanParseError:
        return
    try:
        reviewed = plan.apply_review(parsed, REVIEW_DATA)
    except ReviewError:
        return
    assert len(reviewed.tasks) == 14


@FAST
@given(st.text(max_size=200))
def test_random_review_text(text):
    with contextlib.suppress(ReviewError):
        plan.parse_review(text)


@FAST
@given(st.binary(max_size=200))
def test_random_bytes_decode_or_raise(data):
    try:
        text = plan.decode(data)
    except plan.PlanDecodeError:
        return
    parse_or_error(text)
