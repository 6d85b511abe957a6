"""Load a plan from its text.

    python manage.py import_plan SOURCE [--review FILE] [--gazetteer FILE]
                                        [--dry-run] [--format text|json] [--fixture OUT]

SOURCE is a plan file of any kind the parser reads (.txt/.md in UTF-8 or GB18030, .docx,
.pdf with a text layer, a saved web page, an .xlsx/.csv task table), told by its content.
The same plan imported again (same slug, else title and issuer, else the same file) is
updated in place.

Prints the import report (items with their line numbers, declared vs found counts, every
warning), or with `--format json` the parsed plan as JSON (docs/plan-json.md). Without
`--dry-run` it loads the database in one transaction; `--fixture` writes a Django fixture
with natural keys (with `--dry-run` the database is left as it was). A text that cannot be
read or parsed, or a review file that does not fit it, stops the command with the reason
and the line, and nothing is written.

Without `--gazetteer`, the one `*.gazetteer.toml` beside SOURCE is used, if there is one.
"""

import hashlib
import json
from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from plan import PlanError, decode, to_json
from plan.report import report_lines
from tracker.models import Assignment, Body, Measure, Milestone, Task
from tracker.services.importing import import_parsed_plan, read_plan_source


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = "从方案文本导入实施方案（可附审核文件），输出导入报告。"

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="方案文件：.txt/.md、.docx、.pdf、网页 .html、.xlsx/.csv（按内容识别）"
        )
        parser.add_argument("--review", help="审核文件（TOML）：管理员对原文未载明之处的决定及依据")
        parser.add_argument("--gazetteer", help="地名与单位简称文件（TOML）")
        parser.add_argument("--dry-run", action="store_true", help="只解析和报告，不写数据库")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--fixture", help="把导入结果写成 Django 夹具文件")

    def handle(self, *args, source, review, gazetteer, dry_run, format, fixture, **options):
        source_path = Path(source)
        try:
            data = source_path.read_bytes()
            text, parsed = read_plan_source(
                data,
                source_name=source_path.name,
                review_text=decode(Path(review).read_bytes()) if review else None,
                gazetteer_path=Path(gazetteer) if gazetteer else _gazetteer_beside(source_path),
            )
        except OSError as error:
            raise CommandError(f"无法读取文件：{error.filename}（{error.strerror}）") from error
        except PlanError as error:
            raise CommandError(str(error)) from error

        if format == "json":
            self.stdout.write(json.dumps(to_json(parsed), ensure_ascii=False, indent=2))
        else:
            for line in report_lines(parsed):
                self.stdout.write(line)

        if dry_run and not fixture:
            return
        try:
            with transaction.atomic():
                result = import_parsed_plan(
                    parsed,
                    source_text=text,
                    source_name=source_path.name,
                    source_sha256=hashlib.sha256(data).hexdigest(),
                    reviewed=bool(review),
                )
                if fixture:
                    Path(fixture).write_text(fixture_json(result.plan), encoding="utf-8")
                if dry_run:
                    raise DryRun
        except DryRun:
            self.stderr.write(f"已写出夹具 {fixture}（试运行，数据库未改动）")
            return
        out = self.stderr if format == "json" else self.stdout
        verb = "已创建" if result.created else "已更新"
        out.write(self.style.SUCCESS(f"{verb}方案“{result.plan.title}”（{result.plan.slug}）"))
        for key, value in result.counts.items():
            out.write(f"  {key}: {value}")
        for note in result.notes:
            out.write(f"  {note}")
        for warning in result.warnings:
            out.write(self.style.WARNING(f"  注意：{warning}"))
        if fixture:
            out.write(f"已写出夹具 {fixture}")


def _gazetteer_beside(source_path):
    found = sorted(source_path.parent.glob("*.gazetteer.toml"))
    return found[0] if len(found) == 1 else None


def fixture_json(plan):
    """The plan and everything under it as a Django fixture with natural keys, in a stable
    order and without the import time, so regenerating it from the same seeds gives the same
    bytes."""
    assignments = (
        Assignment.objects.filter(task__plan=plan)
        .select_related("task__plan", "measure__task__plan", "body")
        # NULL (task-level) first on every database.
        .order_by(
            "task__number",
            F("measure__number").asc(nulls_first=True),
            "role",
            "position",
            "body__kind",
            "body__position",
            "body__name",
        )
    )
    bodies = (
        Body.objects.filter(assignments__task__plan=plan)
        .distinct()
        .order_by("kind", "position", "name")
    )
    objects = [
        plan,
        *plan.categories.order_by("number").select_related("plan"),
        *bodies,
        *Task.objects.filter(plan=plan).select_related("plan", "category__plan").order_by("number"),
        *Measure.objects.filter(task__plan=plan)
        .select_related("task__plan")
        .order_by("task__number", "number"),
        *assignments,
        *plan.targets.select_related("plan", "task__plan", "measure__task__plan").order_by(
            "number"
        ),
        *Milestone.objects.filter(task__plan=plan)
        .select_related("task__plan", "measure__task__plan")
        .order_by("task__number", F("measure__number").asc(nulls_first=True), "due", "pk"),
    ]
    data = json.loads(
        serializers.serialize(
            "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
    )
    for row in data:
        if row["model"] == "tracker.plan":
            row["fields"]["imported_at"] = None
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
