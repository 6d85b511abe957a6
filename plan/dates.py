"""Chinese time phrases → deadlines, the phrase kept beside the date.

    到2024年年底 / 2024年年底前 / 2024年底前 / 到2025年末 / 二〇二五年底   → 12-31 of that year
    2025年6月底前 / 到2025年6月                                          → last day of the month
    2025年6月15日前                                                       → that day
    2025年上半年 → 06-30, 下半年 → 12-31, 2025年第三季度 → 09-30
    到2027年 / 2027年前                                                   → 2027-12-31
    年内 / 今年年底前 / 本年度内 → 12-31 of the plan's issue year (no date, and a warning,
                                    when the issue date is unknown); 明年 → the year after
    三年内 / 5年内 / 两年内 → the issue date N years on ("5年内重点引进100名…" is five
                                    years, not 年内); no date and a warning without issue date
    到“十四五”末 / “十四五”期间 / 十四五时期 → the last day of that five-year plan
                                    (十四五: 2025-12-31, 十五五: 2030-12-31)
    长期坚持 / 持续推进 / 长期推进 / 常态化推进, standing as a clause of their own or after
    完成时限： → ongoing (date None, ongoing=True)

A bare date ("2025年7月23日") is not a deadline, nor is a year that is a plan's horizon
("以近期目标年为2025年", "远期目标展望至2027年"), a starting date ("自2025年8月1日起施行")
or a status date ("截至2024年6月"), nor the end of a period ("2019年1月1日至12月31日",
"2019年1月1日至2020年12月31日": a policy's validity, not work to finish). Dates that do not
exist (2025年2月30日) are ignored. After a 完成时限/时间节点 label, or in such a column of a
task table (`labelled=True`), a bare year or month is a deadline ("2019年" → 2019-12-31).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .model import Deadline

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})

_YEAR = r"(?P<y>\d{4}|[〇○零一二三四五六七八九]{4})"
_MONTH = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?P<d>3[01]|[12]\d|0?[1-9]|三十[一]?|二?十[一二三四五六七八九]?|[一二三四五六七八九])"
_PRE = r"(?P<pre>到|至|在|于|截至|截止到|截止)?"
_POST = r"(?P<post>前|之前|以前)?"

_PATTERNS = [
    ("day", re.compile(rf"{_PRE}{_YEAR}年{_MONTH}月{_DAY}[日号]{_POST}")),
    (
        "month",
        re.compile(rf"{_PRE}{_YEAR}年{_MONTH}月(?P<me>底|末|份)?(?P<post>前|之前|以前)?"),
    ),
    (
        "part",
        re.compile(
            rf"{_PRE}{_YEAR}年(?P<part>上半年|下半年|[一二三四1-4]季度|第[一二三四1-4]季度)"
            r"(?P<me>末|底)?(?P<post>前|之前|以前)?"
        ),
    ),
    ("yearend", re.compile(rf"{_PRE}{_YEAR}年(?:年底|年末|底|末)(?P<post>前|之前|以前)?")),
    ("year", re.compile(rf"{_PRE}{_YEAR}年(?P<post>前|之前|以前|内)?")),
    (
        "years",
        re.compile(
            r"(?P<pre>在|于)?(?P<n>\d{1,2}|[一二三四五六七八九十两]{1,3})(?:个)?(?:年|周年)(?:内|之内|以内)"
        ),
    ),
    (
        "fyp",
        re.compile(
            r"(?P<pre>到|至|在|于)?[“\"]?(?P<fyp>[一二三四五六七八九十]{2,3})五[”\"]?"
            r"(?:规划)?(?P<when>末|期末|期间|时期|内)(?P<post>前|之前)?"
        ),
    ),
    (
        "relative",
        re.compile(
            r"(?P<rel>今年|本年度?|当年|明年)(?:(?:年底|年末|底|末)(?:前|之前)?|内)"
            r"|(?<![\d一二三四五六七八九十两〇零几多个])(?P<inyear>年内)"
        ),
    ),
]
_QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_ONGOING_RE = re.compile(r"(长期坚持|持续推进|长期推进|常态化推进|长期开展|持续开展|长期)")
_TIME_LABEL_RE = re.compile(r"(?:完成时限|完成时间|时间节点|时限要求|时限)[：:]\s*")
_NOT_DEADLINE_BEFORE = ("展望", "目标年为", "目标年", "基期", "基准年", "有效期", "自", "从", "截")
_NOT_DEADLINE_AFTER = ("起", "以来", "开始", "的", "度", "版", "年度")


@dataclass
class DateHit:
    deadline: Deadline
    start: int
    end: int
    warning: str = ""  # Chinese, when the phrase needs a date the text does not give


def cn_number(s: str) -> int | None:
    """Arabic or Chinese numeral → int: "12", "十二", "二十一", "二〇二四" (digit by digit)."""
    if not s:
        return None
    if s.isdigit() and s.isascii():
        return int(s)
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = _CN_DIGITS.get(head) if head else 1
        ones = _CN_DIGITS.get(tail) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    value = 0
    for ch in s:
        if ch not in _CN_DIGITS:
            return None
        value = value * 10 + _CN_DIGITS[ch]
    return value


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _valid_year(year: int | None) -> bool:
    return year is not None and 1949 <= year <= 2199


def _years_on(start: dt.date, years: int) -> dt.date:
    """`start` moved on by whole years (29 February → 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _hit_date(
    kind: str, m: re.Match[str], issue_date: dt.date | None
) -> tuple[dt.date | None, str]:
    """(date, warning) for a match; date None and a warning when it cannot be known."""
    if kind == "years":
        n = cn_number(m.group("n"))
        if n is None or not 1 <= n <= 30:
            return None, ""
        if issue_date is None:
            return None, f"“{m.group(0)}”相对于印发日期，但原文未写明印发日期，未能换算为日期"
        return _years_on(issue_date, n), ""
    if kind == "fyp":
        n = cn_number(m.group("fyp"))
        if n is None or not 6 <= n <= 30:
            return None, ""
        # The sixth five-year plan ended in 1985; every later one five years on.
        return dt.date(1985 + 5 * (n - 6), 12, 31), ""
    if kind == "relative":
        rel = m.group("rel") or ""
        if issue_date is None:
            return None, f"“{m.group(0)}”相对于印发日期，但原文未写明印发日期，未能换算为日期"
        year = issue_date.year + (1 if rel == "明年" else 0)
        return dt.date(year, 12, 31), ""
    found_year = cn_number(m.group("y"))
    if found_year is None or not _valid_year(found_year):
        return None, ""
    year = found_year
    assert year is not None
    if kind in ("yearend", "year"):
        return dt.date(year, 12, 31), ""
    if kind == "part":
        part = m.group("part")
        if part == "上半年":
            return dt.date(year, 6, 30), ""
        if part == "下半年":
            return dt.date(year, 12, 31), ""
        return _month_end(year, _QUARTER_END[part.strip("第季度")]), ""
    month = cn_number(m.group("m"))
    if month is None or not 1 <= month <= 12:
        return None, ""
    if kind == "month":
        return _month_end(year, month), ""
    day = cn_number(m.group("d"))
    if day is None or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None, ""
    return dt.date(year, month, day), ""


_PERIOD_START_RE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?$")


def _is_deadline(kind: str, m: re.Match[str], text: str, labelled: bool = False) -> bool:
    """Is this date phrase a deadline in its sentence (not a horizon, start or status)?"""
    before = text[max(0, m.start() - 4) : m.start()]
    after = text[m.end() : m.end() + 2]
    pre = m.groupdict().get("pre") or ""
    post = m.groupdict().get("post") or ""
    if pre.startswith("截") or any(before.endswith(w) for w in _NOT_DEADLINE_BEFORE):
        return False
    if any(after.startswith(w) for w in _NOT_DEADLINE_AFTER):
        return False
    if pre == "至" and _PERIOD_START_RE.search(text[max(0, m.start() - 12) : m.start()]):
        # "2019年1月1日至2020年12月31日": the end of a validity period.
        return False
    if kind == "fyp":
        return True
    if kind == "years":
        # "实施三年行动" is a programme's length and "近三年内" the past; "三年内" / "在5年内"
        # is a deadline.
        return not text[max(0, m.start() - 2) : m.start()].endswith(("近", "过去", "前"))
    if kind == "relative":
        return True
    if labelled or any(m.start() == t.end() for t in _TIME_LABEL_RE.finditer(text)):
        return True
    if kind in ("day", "month", "year"):
        # A bare date or year ("2025年7月23日", "2025年") is not a deadline; "到…" or "…前"
        # makes it one, and so does "月底".
        me = m.groupdict().get("me") or ""
        return bool(pre in ("到", "至", "于") or post or me in ("底", "末"))
    return True


def find_deadlines(
    text: str, issue_date: dt.date | None = None, *, labelled: bool = False
) -> list[DateHit]:
    """Every deadline phrase in `text`, left to right, without overlaps. `labelled`: the
    text is a 完成时限 cell or clause, where a bare year or month is a deadline."""
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            # The year pattern also matches inside the longer ones; those ran first.
            if not _is_deadline(kind, m, text, labelled):
                taken.append((m.start(), m.end()))
                continue
            date, warning = _hit_date(kind, m, issue_date)
            taken.append((m.start(), m.end()))
            if date is None and not warning:
                continue
            hits.append(DateHit(Deadline(date, m.group(0)), m.start(), m.end(), warning))
    for m in _ONGOING_RE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        if (labelled and not hits) or _stands_alone(text, m.start(), m.end()):
            hits.append(DateHit(Deadline(None, m.group(0), ongoing=True), m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


def _stands_alone(text: str, start: int, end: int) -> bool:
    """An ongoing phrase counts only as a clause of its own or after a 时限 label."""
    if any(m.end() == start for m in _TIME_LABEL_RE.finditer(text[:start])):
        return True
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    open_ok = not before or before[-1] in "，,。；;：:（("
    close_ok = not after or after[0] in "，,。；;）)"
    return open_ok and close_ok


def latest(hits: list[DateHit]) -> DateHit | None:
    """The deadline a sentence states, from its hits: the latest dated one (a sentence
    due in stages is due at its last stage); an ongoing or undatable one only if none is
    dated."""
    dated = [h for h in hits if h.deadline.date is not None]
    if dated:
        return max(dated, key=lambda h: (h.deadline.date, h.start))
    return hits[-1] if hits else None


def sentence_deadline(text: str, issue_date: dt.date | None = None) -> DateHit | None:
    """The deadline a sentence states (see `latest`), or None."""
    return latest(find_deadlines(text, issue_date))


def parse_deadline(phrase: str, issue_date: dt.date | None = None) -> Deadline | None:
    """A single phrase → Deadline (None when it is not a time phrase)."""
    hit = sentence_deadline(phrase, issue_date)
    return hit.deadline if hit else None


_DATE_LINE_RE = re.compile(
    r"^(?P<y>\d{4}|[〇○零一二三四五六七八九]{4})年"
    r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月"
    r"(?P<d>3[01]|[12]\d|0?[1-9]|三十[一]?|二?十[一二三四五六七八九]?|[一二三四五六七八九])日$"
)
_ISO_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")


def date_of(text: str) -> dt.date | None:
    """The date of a line that is only a date ("2025年7月23日", "二〇二四年九月三日")."""
    m = _DATE_LINE_RE.match(text.strip())
    if not m:
        return None
    year, month, day = cn_number(m.group("y")), cn_number(m.group("m")), cn_number(m.group("d"))
    return _safe_date(year, month, day)


def iso_date(text: str) -> dt.date | None:
    m = _ISO_RE.search(text)
    if not m:
        return None
    return _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))


def _safe_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if not _valid_year(year) or month is None or day is None:
        return None
    assert year is not None
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, day)
