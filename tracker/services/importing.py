"""Load a parsed plan (plan.ParsedPlan) into the database.

One entry point, `import_parsed_plan()`, used by the `import_plan` command and the web import.
It runs in one transaction. Importing the same plan again updates it in place:

- tasks are matched by title, then by number; a task the new text drops is marked withdrawn,
  never deleted, so nothing recorded against it (reports, sign-offs) is detached;
- measures and targets likewise (matched by text, then number);
- an administrator's own decisions made in the web (source "admin") are never overwritten
  by a re-import; the re-import's value is reported as a warning instead;
- assignments are never deleted: one the new text no longer names is kept, with a warning.
"""

import copy
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from plan import apply_review, decode, load_gazetteer, parse, parse_review
from plan import model as pm
from tracker.history import TRACKED_MODELS, record_changes, record_created
from tracker.models import (
    Assignment,
    Body,
    Category,
    ChangeRecord,
    Measure,
    Plan,
    Source,
    Target,
    Task,
)

VIA = ChangeRecord.Via.IMPORT

# Numbers are moved out of the way while tasks are renumbered, so the unique
# (plan, number) constraint never sees two rows with one number.
PARKING_OFFSET = 10000


@dataclass
class ImportResult:
    plan: Plan
    created: bool
    counts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _deadline_fields(deadline):
    """Model field values for a plan.model.Deadline (or None)."""
    if deadline is None:
        return {
            "deadline": None,
            "deadline_text": "",
            "deadline_source": "",
            "deadline_reason": "",
            "ongoing": False,
        }
    return {
        "deadline": deadline.date,
        "deadline_text": deadline.phrase[:100],
        "deadline_source": Source.REVIEW if deadline.provenance == pm.REVIEW else Source.TEXT,
        "deadline_reason": deadline.reason[:300],
        "ongoing": deadline.ongoing and deadline.date is None,
    }


def _source(provenance):
    return Source.REVIEW if provenance == pm.REVIEW else Source.TEXT


def _origin(ref_source):
    return {
        pm.FROM_CLAUSE: Assignment.Origin.CLAUSE,
        pm.FROM_SENTENCE: Assignment.Origin.NAMED,
        pm.FROM_REVIEW: Assignment.Origin.REVIEW,
    }[ref_source]


def _set(obj, values):
    """Assign values; return True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _match(rows, items, row_key, item_key):
    """Pair parsed items with existing rows: the same title or text first, then the same
    number. Returns {id(item): row}; unpaired rows are what the new text dropped."""
    free = {row.pk: row for row in rows}
    by_key = {row_key(row): row for row in rows}
    pairs = {}
    for item in items:
        row = by_key.get(item_key(item))
        if row is not None and row.pk in free:
            pairs[id(item)] = free.pop(row.pk)
    by_number = {row.number: row for row in free.values()}
    for item in items:
        row = by_number.get(item.number)
        if id(item) not in pairs and row is not None and row.pk in free:
            pairs[id(item)] = free.pop(row.pk)
    return pairs


class _Importer:
    def __init__(self, parsed, plan, *, created, source_text, source_name, source_sha256, user):
        self.parsed = parsed
        self.plan_obj = plan  # the plan's row, locked, new when `created`
        self.created = created
        self.reimport = not created
        self.user = user
        self.source_text = source_text
        self.source_name = source_name
        self.source_sha256 = source_sha256
        self.warnings = []
        self.counts = {
            "tasks_created": 0,
            "tasks_updated": 0,
            "tasks_withdrawn": 0,
            "measures": 0,
            "assignments": 0,
            "targets": 0,
            "bodies_created": 0,
        }
        self.bodies = {}
        # Filled as run() goes: the plan's categories by number, and the targets the new
        # text still has (numbered on from the highest number the plan had).
        self.category_of = {}
        self.target_number = 0
        self.seen_targets = set()
        gazetteer = getattr(parsed, "gazetteer", None)
        self.gazetteer_position = (
            {b.name: i for i, b in enumerate(gazetteer.bodies, start=1)} if gazetteer else {}
        )

    def _save(self, row, values, *, skip=()):
        """Apply values and save; on a re-import, record what changed (who, old → new).

        Always saves: tasks and measures were parked under temporary numbers in the
        database, and the row in memory holds the number they must get back."""
        old = copy.copy(row) if row.pk else None
        changed = _set(row, values)
        # Only the fields the import owns: a report filed meanwhile keeps its current state.
        row.save(update_fields=list(values) if old is not None else None)
        if old is None:
            if self.reimport and isinstance(row, TRACKED_MODELS):
                record_created(user=self.user, obj=row, via=VIA)
        elif changed and self.reimport:
            fields = [f.name for f in row._meta.concrete_fields if f.name not in skip]
            record_changes(user=self.user, old=old, new=row, via=VIA, fields=fields)
        return row

    # -- plan and categories -------------------------------------------------------------

    def plan(self):
        p, plan = self.parsed, self.plan_obj
        values = {
            "title": p.title[:200],
            "jurisdiction": p.jurisdiction,
            "issuer": p.issuer[:100],
            "issue_date": p.issue_date,
            "source_name": self.source_name[:200],
            "source_text": self.source_text,
            "source_sha256": self.source_sha256,
            "source_first_line": p.span.first,
            "source_last_line": p.span.last,
            "declared_categories": p.declared_categories,
            "declared_tasks": p.declared_tasks,
            "imported_at": timezone.now(),
        }
        if plan.start_date_source != Source.ADMIN:
            values["start_date"] = p.start_date
            values["start_date_source"] = {
                pm.REVIEW: Source.REVIEW,
                pm.TEXT: Source.TEXT,
            }.get(p.start_date_source, "")
            values["start_date_reason"] = getattr(p, "start_date_reason", "")[:300]
        self._save(plan, values, skip=("imported_at", "source_text", "source_sha256"))

    def categories(self):
        by_number = {c.number: c for c in self.plan_obj.categories.all()}
        for pc in self.parsed.categories:
            cat = by_number.get(pc.number) or Category(plan=self.plan_obj, number=pc.number)
            if (
                _set(
                    cat,
                    {
                        "title": pc.title[:200],
                        "summary": pc.summary,
                        "first_line": pc.span.first,
                        "last_line": pc.span.last,
                    },
                )
                or cat.pk is None
            ):
                cat.save()
            self.category_of[pc.number] = cat

    # -- bodies --------------------------------------------------------------------------

    def body(self, ref):
        key = ref.name
        if key not in self.bodies:
            # The gazetteer's order is the city's customary one (东昌府区, 茌平区, 临清市 …).
            position = self.gazetteer_position.get(ref.name, 0)
            body, created = Body.objects.get_or_create(
                jurisdiction=self.parsed.jurisdiction,
                name=ref.name[:100],
                defaults={"kind": ref.kind, "position": position},
            )
            if created:
                self.counts["bodies_created"] += 1
            else:
                values = {"position": position or body.position}
                if body.kind == Body.Kind.OTHER:
                    values["kind"] = ref.kind
                if _set(body, values):
                    body.save(update_fields=list(values))
            self.bodies[key] = body
        return self.bodies[key]

    # -- tasks ---------------------------------------------------------------------------

    def tasks(self):
        existing = list(self.plan_obj.tasks.all())
        matched = _match(existing, self.parsed.tasks, lambda t: t.title, lambda pt: pt.title)
        # Park every existing number, then hand out the new ones.
        self.plan_obj.tasks.update(number=F("number") + PARKING_OFFSET)
        kept = set()
        for pt in self.parsed.tasks:
            row = matched.get(id(pt))
            created = row is None
            if created:
                row = Task(plan=self.plan_obj)
            values = {
                "number": pt.number,
                "category": self.category_of.get(pt.category) if pt.category else None,
                "title": pt.title[:200],
                "title_source": _source(getattr(pt, "title_provenance", pt.provenance)),
                "source_text": pt.text,
                "first_line": pt.span.first,
                "last_line": pt.span.last,
                "source": _source(pt.provenance),
                "source_reason": pt.reason[:500],
                "withdrawn": False,
            }
            values.update(self._deadline_unless_admin(row, pt.deadline, f"任务{pt.number}"))
            self._save(row, values)
            kept.add(row.pk)
            self.counts["tasks_created" if created else "tasks_updated"] += 1
            self.measures(row, pt)
            self.assignments(row, None, pt.bodies)
        # Tasks the text no longer has: withdrawn, numbered after the active ones.
        next_number = len(self.parsed.tasks) + 1
        for t in sorted(existing, key=lambda t: t.number):
            if t.pk in kept:
                continue
            new_number = next_number
            next_number += 1
            if not t.withdrawn:
                self.counts["tasks_withdrawn"] += 1
                self.warnings.append(f"原任务“{t.title}”不在新文本中，已标记为撤销（记录保留）。")
            self._save(t, {"number": new_number, "withdrawn": True})

    def _deadline_unless_admin(self, row, deadline, label):
        values = _deadline_fields(deadline)
        if row.pk and row.deadline_source == Source.ADMIN:
            if values["deadline"] != row.deadline:
                self.warnings.append(
                    f"{label}的时限由管理员设定为 {row.deadline or '长期'}，未被导入覆盖"
                    f"（导入值：{values['deadline'] or '无'}）。"
                )
            return {}
        return values

    def measures(self, task, pt):
        existing = list(task.measures.all())
        matched = _match(existing, pt.measures, lambda m: m.text, lambda pm: pm.text)
        used = {row.pk for row in matched.values()}
        task.measures.update(number=F("number") + PARKING_OFFSET)
        for item in pt.measures:
            row = matched.get(id(item)) or Measure(task=task)
            values = {
                "number": item.number,
                "text": item.text,
                "first_line": item.span.first,
                "last_line": item.span.last,
                "withdrawn": False,
            }
            values.update(
                self._deadline_unless_admin(row, item.deadline, f"任务{pt.number}措施{item.number}")
            )
            self._save(row, values)
            self.counts["measures"] += 1
            self.assignments(task, row, item.bodies)
            self.targets_for(task, row, item.targets)
        next_number = len(pt.measures) + 1
        for m in sorted(existing, key=lambda m: m.number):
            if m.pk in used:
                continue
            self._save(m, {"number": next_number, "withdrawn": True})
            next_number += 1
        self.targets_for(task, None, pt.targets)

    # -- assignments ---------------------------------------------------------------------

    def assignments(self, task, measure, refs):
        existing = {
            a.body_id: a
            for a in Assignment.objects.filter(task=task, measure=measure).select_related("body")
        }
        named = set()
        # The lead first, so demoting an old lead never collides with the new one.
        for ref in sorted(refs, key=lambda r: r.role != pm.LEAD):
            body = self.body(ref)
            if body.pk in named:
                continue
            named.add(body.pk)
            row = existing.get(body.pk) or Assignment(task=task, measure=measure, body=body)
            if row.pk and row.origin == Assignment.Origin.ADMIN:
                continue  # an administrator's decision stands
            role = ref.role
            if role == pm.LEAD:
                role = self._make_room_for_lead(task, measure, body, row)
            values = {
                "role": role,
                "origin": _origin(ref.source),
                "origin_line": ref.line,
                "origin_reason": ref.reason[:500],
            }
            if row.pk is None and self.reimport:
                # A body added by a later revision reports from today, not from the start.
                values["assigned_on"] = timezone.localdate()
            if ref.due is not None and not self._due_decided_by_a_person(row, ref.due.date):
                values["due_date"] = ref.due.date
                values["due_text"] = ref.due.phrase[:100]
            self._save(row, values)
            self.counts["assignments"] += 1
        for body_id, row in existing.items():
            if body_id not in named and row.origin != Assignment.Origin.ADMIN:
                where = f"任务{task.number}" + (f"措施{measure.number}" if measure else "")
                self.warnings.append(
                    f"{where}：新文本不再提及“{row.body.name}”，该责任分工保留未删除。"
                )

    def _due_decided_by_a_person(self, row, imported):
        """True when an approved extension or an administrator moved this body's due date:
        a re-import keeps that date and says so."""
        if row.pk is None:
            return False
        decided = (
            ChangeRecord.objects.filter(assignment=row, field="due_date")
            .exclude(via=ChangeRecord.Via.IMPORT)
            .exists()
        )
        if decided and row.due_date != imported:
            self.warnings.append(
                f"任务{row.task.number}：{row.body.name}的时限已经延期或由管理员调整为 "
                f"{row.due_date or '无'}，未被导入覆盖（导入值：{imported or '无'}）。"
            )
        return decided

    def _make_room_for_lead(self, task, measure, body, row):
        """Demote a previous lead from the text or review; an administrator's lead stays."""
        other = (
            Assignment.objects.filter(task=task, measure=measure, role=Assignment.Role.LEAD)
            .exclude(body=body)
            .first()
        )
        if other is None:
            return Assignment.Role.LEAD
        if other.origin == Assignment.Origin.ADMIN:
            self.warnings.append(
                f"任务{task.number}：管理员已指定“{other.body.name}”牵头，"
                f"“{body.name}”作为配合单位导入。"
            )
            return Assignment.Role.SUPPORT
        self._save(other, {"role": Assignment.Role.SUPPORT})
        return Assignment.Role.LEAD

    # -- targets -------------------------------------------------------------------------

    def targets_for(self, task, measure, targets):
        for pt in targets:
            self._target(task, measure, pt)

    def _target(self, task, measure, pt):
        lookup = {
            "plan": self.plan_obj,
            "task": task,
            "measure": measure,
            "description": pt.description[:300],
        }
        row = Target.objects.filter(**lookup).first() or Target(
            **lookup, number=self._next_target_number()
        )
        self._save(
            row,
            {
                "value": pt.value,
                "unit": pt.unit[:20],
                "comparator": pt.comparator,
                "scope": pt.scope if pt.scope in Target.Scope.values else Target.Scope.OTHER,
                "due_date": pt.due.date if pt.due else None,
                "due_text": pt.due.phrase[:100] if pt.due else "",
                "line": pt.line,
                "source": _source(pt.provenance),
                "source_reason": pt.reason[:300],
                "withdrawn": False,
            },
        )
        self.seen_targets.add(row.pk)
        self.counts["targets"] += 1

    def _next_target_number(self):
        self.target_number += 1
        return self.target_number

    def run(self):
        plan = self.plan_obj
        self.plan()
        last = plan.targets.order_by("-number").values_list("number", flat=True).first()
        self.target_number = last or 0
        self.categories()
        self.tasks()
        for pt in self.parsed.targets:
            self._target(None, None, pt)
        for stale in plan.targets.exclude(pk__in=self.seen_targets).filter(withdrawn=False):
            self._save(stale, {"withdrawn": True})
        return ImportResult(
            plan=plan, created=self.created, counts=self.counts, warnings=self.warnings
        )


def import_parsed_plan(parsed, *, source_text, source_name="", user=None):
    """Create or update the plan `parsed` describes (parsed from `source_text`), in one
    transaction."""
    sha256 = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        # The review file's slug, else the one the parser derives from place and title.
        plan, created = Plan.objects.select_for_update().get_or_create(
            slug=parsed.slug,
            defaults={"title": parsed.title[:200], "jurisdiction": parsed.jurisdiction},
        )
        return _Importer(
            parsed,
            plan,
            created=created,
            source_text=source_text,
            source_name=source_name,
            source_sha256=sha256,
            user=user,
        ).run()


def read_plan_source(data, *, source_name="", review=None, gazetteer_path=None):
    """Decode and parse a plan text (bytes), apply its review file (bytes) if any.

    Returns (text, parsed). Raises plan.PlanError (with the line) for anything wrong."""
    text = decode(data)
    gazetteer = load_gazetteer(gazetteer_path) if gazetteer_path else None
    parsed = parse(text, gazetteer=gazetteer, source_name=source_name)
    if review is not None:
        parsed = apply_review(parsed, parse_review(decode(review)))
    return text, parsed
