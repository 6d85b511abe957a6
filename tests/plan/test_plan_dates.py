import datetime as dt

import pytest

from plan.dates import date_of, find_deadlines, parse_deadline, sentence_deadline


@pytest.mark.parametrize(
    ("phrase", "date"),
    [
        ("到2024年年底", dt.date(2024, 12, 31)),
        ("2024年年底前", dt.date(2024, 12, 31)),
        ("2024年底前", dt.date(2024, 12, 31)),
        ("到2025年末", dt.date(2025, 12, 31)),
        ("2025年6月底前", dt.date(2025, 6, 30)),
        ("2024年2月底前", dt.date(2024, 2, 29)),
        ("2025年上半年", dt.date(2025, 6, 30)),
        ("2025年下半年", dt.date(2025, 12, 31)),
        ("2025年第三季度", dt.date(2025, 9, 30)),
        ("2025年6月15日前", dt.date(2025, 6, 15)),
        ("到2027年", dt.date(2027, 12, 31)),
        ("到二〇二四年", dt.date(2024, 12, 31)),
        ("二〇二五年底", dt.date(2025, 12, 31)),
        ("二〇二五年十二月底前", dt.date(2025, 12, 31)),
    ],
)
def test_it_reads_chinese_time_phrases_and_keeps_the_phrase(phrase, date):
    deadline = parse_deadline(f"，{phrase}，完成建设。")
    assert deadline is not None
    assert deadline.date == date
    assert deadline.phrase == phrase
    assert not deadline.ongoing


@pytest.mark.parametrize("phrase", ["长期坚持", "持续推进"])
def test_ongoing_work_has_no_date(phrase):
    deadline = parse_deadline(f"加强监管，{phrase}。")
    assert deadline.date is None and deadline.ongoing and deadline.phrase == phrase
    assert parse_deadline(f"完成时限：{phrase}").ongoing


def test_ongoing_words_inside_a_sentence_are_not_a_deadline():
    assert parse_deadline("持续推进年度检查全覆盖。") is None


def test_within_the_year_is_relative_to_the_issue_date():
    assert parse_deadline("年内建成", dt.date(2024, 3, 15)).date == dt.date(2024, 12, 31)
    (hit,) = find_deadlines("年内建成")
    assert hit.deadline.date is None and hit.deadline.phrase == "年内"
    assert "印发日期" in hit.warning
    assert parse_deadline("明年底前完成", dt.date(2024, 3, 15)).date == dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    "text",
    [
        "以近期目标年为2025年，远期目标展望至2027年，出台行业专项规划。",
        "本措施自2025年8月1日起施行，有效期至2030年7月31日。",
        "截至2024年6月底，全市共查处案件631件。",
        "2025年7月23日",
        "今年接连下了好几天雨。",
        "2024年度工作总结",
        "2025年2月30日前完成",
    ],
)
def test_horizons_starts_status_dates_and_impossible_dates_are_not_deadlines(text):
    assert sentence_deadline(text) is None


def test_a_sentence_with_two_deadlines_is_due_at_the_later():
    hit = sentence_deadline(
        "年内建成1个共配中心，2025年6月底前实现乡镇全覆盖。", dt.date(2024, 1, 1)
    )
    assert hit.deadline.date == dt.date(2025, 6, 30)
    assert hit.deadline.phrase == "2025年6月底前"


def test_a_line_that_is_only_a_date_gives_the_issue_date():
    assert date_of("2025年7月23日") == dt.date(2025, 7, 23)
    assert date_of("二〇二四年九月三日") == dt.date(2024, 9, 3)
    assert date_of("2025年7月23日召开会议") is None
