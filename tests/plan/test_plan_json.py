import ast
import json
from pathlib import Path

import plan
from plan.jsonout import SCHEMA

PLAN_DIR = Path(plan.__file__).resolve().parent


def test_to_json_is_json_safe_with_iso_dates_and_decimal_strings(reviewed):
    data = plan.to_json(reviewed)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["schema"] == SCHEMA
    assert data["start_date"] == "2024-09-01"
    park = data["tasks"][1]
    assert park["deadline"] == {
        "date": "2024-12-31",
        "phrase": "到2024年年底",
        "ongoing": False,
        "line": 105,
        "provenance": "text",
        "reason": "",
        "ref": "第105行",
    }
    assert park["targets"][0]["value"] == "1" and park["targets"][0]["unit"] == "处"
    assert park["bodies"][0]["source"] == "review" and park["bodies"][0]["reason"]
    assert "gazetteer" not in data


def test_the_documented_keys_are_the_keys(seed):
    data = plan.to_json(seed)
    doc = (PLAN_DIR.parent / "docs" / "plan-json.md").read_text(encoding="utf-8")
    keys = set(data) | set(data["tasks"][0]) | set(data["tasks"][1]["bodies"][0])
    keys |= set(data["tasks"][2]["measures"][0]) | set(data["categories"][0])
    keys |= set(data["tasks"][1]["targets"][0]) | set(data["warnings"][0])
    for key in keys:
        assert f"`{key}`" in doc, key


def test_plan_imports_neither_django_nor_tracker_and_catches_nothing_broadly():
    for path in PLAN_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = []
            for name in names:
                assert name.split(".")[0] not in ("django", "tracker"), (path.name, name)
            if isinstance(node, ast.ExceptHandler):
                caught = ast.unparse(node.type) if node.type else "everything"
                assert caught not in ("everything", "Exception", "BaseException"), path.name
