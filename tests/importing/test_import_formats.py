"""One plan written as text, .docx, a web page, a PDF printed from that page by Chromium and an
.xlsx task table (tests/plan/formatsamples.py) imports through the tracker's importer to the
same tasks, bodies and deadlines; each keeps where it came from in the uploaded file."""

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.plan import formatsamples as fs
from tracker.models import Assignment, Body, Milestone, Plan
from tracker.services.importing import gazetteer_path, import_parsed_plan, read_plan_source

pytestmark = pytest.mark.django_db

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
SAMPLES = {
    "txt": lambda: fs.as_text().encode("utf-8"),
    "docx": fs.as_docx,
    "html": lambda: fs.as_html().encode("utf-8"),
    "xlsx": fs.as_xlsx,
}


@pytest.fixture(scope="module")
def pdf_bytes(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is needed in CI to print the PDF sample (/usr/bin/chromium)")
        pytest.skip("Chromium is not installed here: the PDF sample cannot be printed")
    return fs.as_pdf(CHROMIUM, tmp_path_factory.mktemp("pdf"))


def sample(kind, request):
    if kind == "pdf":
        return request.getfixturevalue("pdf_bytes")
    return SAMPLES[kind]()


def imported(data, name):
    text, parsed = read_plan_source(data, source_name=name)
    result = import_parsed_plan(
        parsed,
        source_text=text,
        source_name=name,
        source_sha256=hashlib.sha256(data).hexdigest(),
    )
    return result.plan


def summary(plan):
    """What formatsamples.EXPECTED says of each task, read from the database: its title, its
    own bodies with their roles in the text's order, its deadline and its stages."""
    out = []
    for task in plan.tasks.active().order_by("number"):
        bodies = task.assignments.filter(measure__isnull=True).order_by(*Assignment.ROLE_ORDER)
        by_position = sorted(bodies, key=lambda a: a.position)
        out.append(
            (
                task.title,
                [(a.body.name, a.role) for a in by_position],
                task.deadline.isoformat() if task.deadline else None,
                [m.due.isoformat() for m in task.milestones.filter(withdrawn=False)],
            )
        )
    return out


@pytest.mark.parametrize("kind", ["txt", "docx", "html", "pdf", "xlsx"])
def test_every_format_imports_to_the_same_tasks_bodies_and_deadlines(kind, request):
    plan = imported(sample(kind, request), f"分工.{kind}")
    assert summary(plan) == fs.EXPECTED
    assert plan.source_kind == {"txt": "text"}.get(kind, kind)
    # Co-leads, first-named first; a collective is one body, kept as the text names it.
    first = plan.tasks.get(number=1)
    assert [a.body.name for a in first.assignments.leads()] == ["区发展改革委", "区经委"]
    assert first.first_lead().body.name == "区发展改革委"
    assert Body.objects.get(name="各街道").collective
    # Every deadline and body says where in the uploaded file the text states it.
    for task in plan.tasks.all():
        assert task.source_ref and task.deadline_ref and task.deadline_source == "text"
        for a in task.assignments.all():
            assert a.origin_ref and a.origin in ("clause", "named")


@pytest.mark.parametrize(
    ("kind", "task_ref", "row_ref"),
    [
        ("docx", "第11段；表1第2行", "表1第2行"),
        ("html", "第10段；表1第2行", "表1第2行"),
        ("xlsx", "工作表“分工”第3行", "工作表“分工”第3行"),
    ],
)
def test_references_point_back_into_the_uploaded_file(kind, task_ref, row_ref):
    plan = imported(SAMPLES[kind](), f"分工.{kind}")
    task = plan.tasks.get(number=1)
    assert task.source_ref == task_ref
    assert task.deadline_ref == row_ref and task.deadline_text == "2024年底前"
    assert {a.origin_ref for a in task.assignments.all()} == {row_ref}
    stages = list(plan.tasks.get(number=3).milestones.all())
    assert [(m.phrase, m.ref, m.source) for m in stages] == [
        ("2024年6月底前", stages[0].ref, "text"),
        ("2025年底前", stages[1].ref, "text"),
    ]
    assert all(m.ref.startswith(row_ref[:3]) for m in stages)


def test_a_pdf_points_to_its_page(pdf_bytes):
    plan = imported(pdf_bytes, "plan.pdf")
    task = plan.tasks.get(number=1)
    assert task.source_ref.startswith("第1页")
    assert task.deadline_ref.startswith("第") and "表" in task.deadline_ref


def test_the_same_file_again_updates_the_one_plan():
    data = fs.as_docx()
    first = imported(data, "方案.docx")
    again = imported(data, "另一个名字.docx")
    assert again == first and Plan.objects.count() == 1
    assert Assignment.objects.filter(task__plan=first).count() == 7
    assert Milestone.objects.filter(task__plan=first, withdrawn=False).count() == 2


def test_the_same_file_read_with_a_gazetteer_is_still_the_same_plan():
    """The gazetteer changes the plan's jurisdiction (so its derived slug); the file's
    sha256 still says it is the same plan."""
    data = fs.as_docx()
    first = imported(data, "方案.docx")
    text, parsed = read_plan_source(
        data, source_name="方案.docx", gazetteer_path=gazetteer_path("liaocheng.gazetteer.toml")
    )
    assert (first.jurisdiction, parsed.jurisdiction) == ("某区", "聊城市")
    result = import_parsed_plan(
        parsed, source_text=text, source_sha256=hashlib.sha256(data).hexdigest()
    )
    assert result.plan == first and Plan.objects.count() == 1
