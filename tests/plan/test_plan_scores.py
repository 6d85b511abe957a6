"""Score the parser on the real plans with gold lists in ../shared/plans/, with the shared
scorer (../shared/tools/score_plan.py), and fail when a plan scores below the number
recorded in docs/parser-scores.md. Skipped plainly when ../shared/ is not beside the
repository (the plans are public documents kept outside it)."""

import contextlib
import importlib.util
import io
import json
import re

import pytest
from planhelp import ROOT, SHARED_PLANS

import plan

SCORER = SHARED_PLANS.parent / "tools" / "score_plan.py"
RECORD = ROOT / "docs" / "parser-scores.md"


def recorded() -> dict[str, tuple[int, int]]:
    """{plan name: (right, gold)} from the table in docs/parser-scores.md."""
    out = {}
    for m in re.finditer(r"^\| (\w+) \| (\d+)/(\d+) \|", RECORD.read_text(encoding="utf-8"), re.M):
        out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out


def gold_plans() -> list[str]:
    if not SHARED_PLANS.is_dir():
        return []
    return sorted(p.name.removesuffix(".gold.json") for p in SHARED_PLANS.glob("*.gold.json"))


@pytest.fixture(scope="module")
def scorer():
    if not SCORER.is_file():
        pytest.skip(f"{SCORER} is not here (the shared tools live outside the repository)")
    spec = importlib.util.spec_from_file_location("score_plan", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_shared(name: str) -> plan.ParsedPlan:
    text = (SHARED_PLANS / f"{name}.txt").read_text(encoding="utf-8")
    first, sep, rest = text.partition("\n")
    if first.startswith("# source:"):
        text = sep + rest  # blanked, so that line numbers stay those of the file
    return plan.parse(text, source_name=f"{name}.txt")


def test_every_gold_plan_has_a_recorded_score():
    if not gold_plans():
        pytest.skip(f"{SHARED_PLANS} is not here (the shared plans live outside the repository)")
    assert set(gold_plans()) <= set(recorded()), "record the new plan in docs/parser-scores.md"


@pytest.mark.parametrize("name", gold_plans() or ["(no shared plans)"])
def test_a_plans_score_does_not_drop(name, scorer, tmp_path):
    if not SHARED_PLANS.is_dir():
        pytest.skip(f"{SHARED_PLANS} is not here (the shared plans live outside the repository)")
    parsed = tmp_path / f"{name}.json"
    parsed.write_text(json.dumps(plan.to_json(parse_shared(name)), ensure_ascii=False), "utf-8")
    gold = SHARED_PLANS / f"{name}.gold.json"
    with contextlib.redirect_stdout(io.StringIO()) as report:
        right, total = scorer.run(str(gold), str(parsed), name)
    expected_right, expected_total = recorded()[name]
    assert total == expected_total, f"{name}: the gold list changed; update docs/parser-scores.md"
    assert right >= expected_right, (
        f"{name}: {right}/{total} < {expected_right}\n{report.getvalue()}"
    )
