"""`manage.py import_plan` on the Liaocheng seed: the report, JSON, dry runs, errors and the
committed fixture."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tracker.models import Assignment, Plan, Task

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_b4e0627ec94ce713.txt"
REVIEW = ROOT / "seeds" / "liaocheng-express-2024.review.toml"
FIXTURE = ROOT / "fixtures" / "liaocheng-express-2024.json"
CATEGORIES = ["强化行业规划引领", "深化产业融合创新", "做好市场主体培育", "提升行业治理效能"]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_plan", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_reports_without_writing():
    out, _ = run(SEED, "--dry-run")
    assert "原文称 4，识别 4" in out and "原文称 14" in out
    for name in CATEGORIES:
        assert name in out
    assert "推进快递园区建设" in out and "到2024年年底" in out
    assert Plan.objects.count() == 0


def test_json_output_is_the_parsed_plan():
    out, _ = run(SEED, "--dry-run", "--format", "json")
    data = json.loads(out)
    assert [c["title"] for c in data["categories"]] == CATEGORIES
    assert data["declared_tasks"] == 14


def test_from_the_text_alone_the_park_task_has_its_date_counties_and_target():
    run(SEED)
    plan = Plan.objects.get()
    assert [c.title for c in plan.categories.all()] == CATEGORIES
    park = plan.tasks.get(title__contains="快递园区")
    assert str(park.deadline) == "2024-12-31" and park.deadline_text == "到2024年年底"
    counties = park.assignments.filter(role="responsible", measure=None)
    counties = counties | Assignment.objects.filter(task=park, role="responsible")
    assert counties.values("body").distinct().count() == 8
    assert park.targets.exists()
    # Every task's lines lie inside the article, not elsewhere on the page.
    for task in plan.tasks.all():
        assert 93 <= task.first_line <= task.last_line <= 113
    emergency = plan.tasks.get(title__contains="应急")
    bodies = set(Assignment.objects.filter(task=emergency).values_list("body__name", flat=True))
    assert {"市公安局", "市交通运输局", "市应急管理局"} <= bodies
    assert set(
        Assignment.objects.filter(
            task__plan=plan, origin="named", body__name__in=["冠县", "莘县"]
        ).values_list("body__name", flat=True)
    ) == {"冠县", "莘县"}


def test_with_the_review_every_one_of_14_tasks_has_a_lead():
    run(SEED, "--review", REVIEW)
    plan = Plan.objects.get()
    tasks = plan.tasks.active()
    assert tasks.count() == 14 == plan.declared_tasks
    for task in tasks:
        assert task.assignments.filter(role="lead", measure=None).count() == 1, task
    assert Assignment.objects.filter(origin="review").exclude(origin_reason="").exists()
    assert not Assignment.objects.filter(origin="review", origin_reason="").exists()


def test_importing_twice_keeps_every_row():
    run(SEED, "--review", REVIEW)
    ids = sorted(Task.objects.values_list("pk", flat=True))
    assignments = Assignment.objects.count()
    run(SEED, "--review", REVIEW)
    assert sorted(Task.objects.values_list("pk", flat=True)) == ids
    assert Assignment.objects.count() == assignments


def test_the_committed_fixture_is_what_the_command_generates(tmp_path):
    out = tmp_path / "fixture.json"
    run(SEED, "--review", REVIEW, "--dry-run", "--fixture", out)
    assert Plan.objects.count() == 0
    assert out.read_bytes() == FIXTURE.read_bytes(), "run `make fixtures` and commit the result"


def test_the_fixture_loads_into_an_empty_database():
    call_command("loaddata", str(FIXTURE), verbosity=0)
    assert Plan.objects.get().tasks.count() == 14


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空"),
        (b"\xff\xfe\x00\xd8garbage\x00\x81", "编码"),
        ("今天天气很好，我们去公园散步。\n".encode(), "方案"),
    ],
    ids=["empty", "not-text", "not-a-plan"],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_written(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value)
    assert Plan.objects.count() == 0


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="无法读取文件"):
        run("/nonexistent/plan.txt")


def test_gb18030_text_is_accepted(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    out, _ = run(path, "--dry-run", "--gazetteer", ROOT / "seeds" / "liaocheng.gazetteer.toml")
    assert "强化行业规划引领" in out


def test_a_review_that_refers_to_nothing_is_an_error_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.review.toml"
    bad.write_text(REVIEW.read_text(encoding="utf-8") + "\n[[tasks]]\nnumber = 99\n", "utf-8")
    with pytest.raises(CommandError):
        run(SEED, "--review", bad)
    assert Plan.objects.count() == 0
