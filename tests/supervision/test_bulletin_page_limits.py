"""A bulletin of all plans names thousands of items; its page lists a few per group and a few
groups' worth per section (supervision.bulletin_outline's limit), its Word document all."""

import datetime as dt

import pytest
from django.utils import translation

from tracker.services import supervision

DAY = dt.date(2026, 11, 30)


def item(body, n):
    return {
        "assignment": n,
        "body": body,
        "body_id": hash(body) % 1000,
        "plan": "测试方案",
        "task": n,
        "task_title": f"第{n}项工作",
        "measure": None,
        "measure_text": "",
        "role": "responsible",
        "due": "2026-06-30",
        "ongoing": False,
        "days_overdue": 100 + n,
        "percent": 30,
        "expected_percent": 80,
        "status": "in_progress",
        "last_report": "2026-11-01",
        "progress_as_of": "2026-11-01",
        "signed_off": None,
        "completed_late_days": None,
        "signoff": "open",
        "report_due": "2026-12-01",
        "report_days_late": None,
    }


def figures(bodies, per_body):
    groups = [{"body": b, "items": [item(b, n) for n in range(per_body)]} for b in bodies]
    empty = {"count": 0, "groups": []}
    total = len(bodies) * per_body
    return {
        "plan": None,
        "day": DAY.isoformat(),
        "counts": {"total": total, "done": 0, "red": total, "yellow": 0, "green": 0},
        "bodies_overdue": len(bodies),
        "sections": [
            {"key": "praise", "count": 0, "groups": [{"key": "on_time", "items": []}]},
            {"key": "behind", **empty},
            {"key": "overdue", "count": total, "groups": groups},
            {"key": "silent", **empty},
            {"key": "waiting", **empty},
            {"key": "late", **empty},
        ],
    }


@pytest.fixture(autouse=True)
def _chinese():
    # The outline is written in the active language: the document's own, Chinese.
    with translation.override("zh-hans"):
        yield


def texts(blocks):
    return [b.text for b in blocks if b.level == 3]


def test_the_page_lists_a_few_groups_worth_and_the_word_document_all():
    bodies = [f"单位{i}" for i in range(10)]
    whole = supervision.bulletin_outline(figures(bodies, 5))
    assert len(texts(whole)) == 50
    page = supervision.bulletin_outline(figures(bodies, 5), limit=2)
    # 2 a group, at most 3 groups' worth (SECTION_LIMIT) in the section.
    assert len(texts(page)) == 2 * supervision.SECTION_LIMIT
    headings = [b.heading for b in page if b.level == 2]
    assert len(headings) == 10  # every body is still named with its count
    assert any("完整名单见 Word 文档" in (b.text or "") for b in page)


def test_a_short_section_is_listed_whole():
    page = supervision.bulletin_outline(figures(["莘县", "冠县"], 2), limit=2)
    assert len(texts(page)) == 4
    assert not any("其余单位" in (b.text or "") for b in page)
