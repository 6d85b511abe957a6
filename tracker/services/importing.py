"""Load a parsed plan (plan.ParsedPlan) into the database.

One entry point, `import_parsed_plan()`, used by the `import_plan` command and the web import.
It runs in one transaction. The plan it updates is the same plan (PlanQuerySet.same_plan: the
same slug, else title and issuer, else the same source file); importing it again updates it
in place:

- tasks are matched by title, then by number; a task the new text drops is marked withdrawn,
  never deleted, so nothing recorded against it (reports, sign-offs) is detached;
- measures, targets and milestones likewise (matched by text, then number; by date);
- an administrator's own decisions made in the web (source "admin") are never overwritten
  by a re-import; the re-import's value is reported as a warning instead;
- assignments are never deleted: one the new text no longer names is kept, with a warning.

Every value keeps where it came from: the text's words and their place in the uploaded file
(`ref`: "第105行", "表1第3行", "第3页"), or the administrator's decision and reason.

The web import keeps the uploaded file on the server between its preview and confirmation
(ImportDraft): `draft_create`, `draft_read`, `draft_confirm`.
"""

import copy
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from plan import apply_review, load_gazetteer, parse_review, read_document
from plan import model as pm
from tracker.history import TRACKED_MODELS, record_changes, record_created
from tracker.models import (
    Assignment,
    Body,
    Category,
    ChangeRecord,
    ImportDraft,
    Measure,
    Milestone,
    Plan,
    Source,
    Target,
    Task,
)
from tracker.services.documents import office_date

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
    # What to know that is not a change: which existing plan the import was taken for.
    notes: list[str] = field(default_factory=list)
    parsed: pm.ParsedPlan | None = None


def _deadline_fields(deadline):
    """Model field values for a plan.model.Deadline (or None)."""
    if deadline is None:
        return {
            "deadline": None,
            "deadline_text": "",
            "deadline_source": "",
            "deadline_reason": "",
            "deadline_ref": "",
            "ongoing": False,
        }
    return {
        "deadline": deadline.date,
        "deadline_text": deadline.phrase[:100],
        "deadline_source": Source.REVIEW if deadline.provenance == pm.REVIEW else Source.TEXT,
        "deadline_reason": deadline.reason[:300],
        "deadline_ref": deadline.ref[:100],
        "ongoing": deadline.ongoing and deadline.date is None,
    }


def _places(spans):
    """Every place the text states an item, as people read it: "第11段；表1第2行"."""
    refs = []
    for span in spans:
        if span.ref and span.ref not in refs:
            refs.append(span.ref)
    return "；".join(refs)[:200]


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
    def __init__(
        self,
        parsed,
        plan,
        *,
        created,
        source_text,
        source_name,
        source_sha256,
        user,
        reviewed=None,
        preview=False,
    ):
        self.parsed = parsed
        # Whether a review file came with this import (None: the caller does not say), so
        # that what a review file decided before and this import no longer has is said as
        # the review's, not the text's; and whether this is the update preview, whose
        # warnings say what confirming WILL do.
        self.reviewed = reviewed
        self.preview = preview
        # Bodies a review file named (not the text) that this import no longer names:
        # {name: [where, …]}, one warning per body (a review may have named one in dozens).
        self.review_bodies_dropped = {}
        self.plan_obj = plan  # the plan's row, locked, new when `created`
        self.created = created
        self.reimport = not created
        self.user = user
        self.source_text = source_text
        self.source_name = source_name
        self.source_sha256 = source_sha256
        self.warnings = []
        self.notes = []
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
            "source_kind": p.source_kind,
            "imported_at": timezone.now(),
        }
        if plan.start_date_source != Source.ADMIN:
            if (
                plan.start_date_source == Source.REVIEW
                and p.start_date_source != pm.REVIEW
                and p.start_date != plan.start_date
            ):
                self.warnings.append(
                    f"跟踪起始原由审核文件确定为{_day(plan.start_date)}，本次导入后为"
                    f"{_day(p.start_date) or '未定'}：{self._review_gone()}。"
                )
            values["start_date"] = p.start_date
            values["start_date_source"] = {
                pm.REVIEW: Source.REVIEW,
                pm.TEXT: Source.TEXT,
            }.get(p.start_date_source, "")
            values["start_date_reason"] = getattr(p, "start_date_reason", "")[:300]
        self._save(plan, values, skip=("imported_at", "source_text", "source_sha256"))
        if self.reimport and p.slug and p.slug != plan.slug:
            self.notes.append(
                f"已按名称或来源文件认定为已有方案“{plan.title}”，就地更新；"
                f"其标识仍为 {plan.slug}（本次导入所得标识 {p.slug} 未采用，以免已有链接失效）。"
            )

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
            # A collective ("各街道") is one body, as the text names it (Body.collective).
            collective = getattr(ref, "collective", False)
            body, created = Body.objects.get_or_create(
                jurisdiction=self.parsed.jurisdiction,
                name=ref.name[:100],
                defaults={"kind": ref.kind, "position": position, "collective": collective},
            )
            if created:
                self.counts["bodies_created"] += 1
            else:
                values = {"position": position or body.position}
                if body.kind == Body.Kind.OTHER:
                    values["kind"] = ref.kind
                if collective:
                    values["collective"] = True
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
                "source_ref": _places(pt.stated_at or [pt.span]),
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
            self.milestones(row, None, pt.milestones)
        # Tasks the text no longer has: withdrawn, numbered after the active ones.
        next_number = len(self.parsed.tasks) + 1
        for t in sorted(existing, key=lambda t: t.number):
            if t.pk in kept:
                continue
            new_number = next_number
            next_number += 1
            if not t.withdrawn:
                self.counts["tasks_withdrawn"] += 1
                done = "将" if self.preview else "已"
                self.warnings.append(
                    f"原任务“{t.title}”不在新文本中，{done}标记为撤销（记录保留）。"
                )
            self._save(t, {"number": new_number, "withdrawn": True})

    def _deadline_unless_admin(self, row, deadline, label):
        values = _deadline_fields(deadline)
        if (
            row.pk
            and row.deadline_source == Source.REVIEW
            and values["deadline_source"] != Source.REVIEW
            and (values["deadline"], values["ongoing"]) != (row.deadline, row.ongoing)
        ):
            self.warnings.append(
                f"{label}的时限原由审核文件确定为{_day(row.deadline) or '长期'}，本次导入后为"
                f"{_day(values['deadline']) or ('长期' if values['ongoing'] else '无明确时限')}："
                f"{self._review_gone()}。"
            )
        if row.pk and row.deadline_source == Source.ADMIN:
            if values["deadline"] != row.deadline:
                self.warnings.append(
                    f"{label}的时限由管理员设定为{_day(row.deadline) or '长期'}，不被导入覆盖"
                    f"（导入值：{_day(values['deadline']) or '无'}）。"
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
                "source_ref": item.span.ref[:100],
                "withdrawn": False,
            }
            values.update(
                self._deadline_unless_admin(row, item.deadline, f"任务{pt.number}措施{item.number}")
            )
            self._save(row, values)
            self.counts["measures"] += 1
            self.assignments(task, row, item.bodies)
            self.milestones(task, row, item.milestones)
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
        where = f"任务{task.number}" + (f"措施{measure.number}" if measure else "")
        # An administrator's lead stands: leads the text names beside it come in as support.
        admin_leads = [
            a.body.name
            for a in existing.values()
            if a.origin == Assignment.Origin.ADMIN and a.role == Assignment.Role.LEAD
        ]
        named = set()
        for position, ref in _in_text_order(refs):
            body = self.body(ref)
            named.add(body.pk)
            row = existing.get(body.pk) or Assignment(task=task, measure=measure, body=body)
            if row.pk and row.origin == Assignment.Origin.ADMIN:
                continue  # an administrator's decision stands
            role = ref.role
            if role == pm.LEAD and admin_leads:
                self.warnings.append(
                    f"{where}：管理员已指定“{'、'.join(admin_leads)}”牵头，"
                    f"“{body.name}”作为配合单位导入。"
                )
                role = Assignment.Role.SUPPORT
            values = {
                "role": role,
                "position": position,
                "origin": _origin(ref.source),
                "origin_line": ref.line,
                "origin_ref": ref.ref[:100],
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
        text_names_a_lead = any(ref.role == pm.LEAD for ref in refs)
        for body_id, row in existing.items():
            if body_id in named or row.origin == Assignment.Origin.ADMIN:
                continue
            by_review = row.origin == Assignment.Origin.REVIEW
            if row.role == Assignment.Role.LEAD and text_names_a_lead:
                # The new text names other leads: this one stays on, as support. Who named
                # each lead -- the text or the review file -- is said as such.
                self._save(row, {"role": Assignment.Role.SUPPORT})
                leads = [r for r in refs if r.role == pm.LEAD]
                names = "、".join(dict.fromkeys(self.body(r).name for r in leads))
                by_review_now = all(r.source == pm.FROM_REVIEW for r in leads)
                change = "将改为" if self.preview else "改为"
                if not (by_review or by_review_now):
                    said = f"新文本不再以“{row.body.name}”为牵头单位，{change}配合单位"
                else:
                    lead_by = "审核文件改由" if by_review_now else "原文写明由"
                    old = "原由审核文件指定牵头的" if by_review else "原牵头单位"
                    said = f"{lead_by}“{names}”牵头，{old}“{row.body.name}”{change}配合单位"
                self.warnings.append(f"{where}：{said}（记录保留）。")
                continue
            if by_review:
                self.review_bodies_dropped.setdefault(row.body.name, []).append(where)
                continue
            self.warnings.append(
                f"{where}：新文本不再提及“{row.body.name}”，该责任分工保留未删除。"
            )

    def _review_gone(self):
        """Why a review file's decision is not in this import, as far as it is known."""
        if self.reviewed is False:
            return "本次未随附审核文件"
        if self.reviewed:
            return "本次审核文件不再作此决定"
        return "本次没有附审核文件，或审核文件不再作此决定"

    def _review_bodies_warnings(self):
        """One warning per body a review file named that this import no longer names: it
        was the review (a person), not the text, that named it."""
        for name, wheres in self.review_bodies_dropped.items():
            n = len(wheres)
            places = "、".join(wheres[:5]) + (f"等{n}项" if n > 5 else "")
            rows = "该责任分工" if n == 1 else "这些责任分工"
            again = "请在审核文件中重新指定" if self.reviewed else "请随附审核文件重新导入"
            self.warnings.append(
                f"{places}的“{name}”由审核文件指定（原文未列），{self._review_gone()}："
                f"{rows}保留未删除；如仍由其负责，{again}。"
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
                f"任务{row.task.number}：{row.body.name}的时限已经延期或由管理员调整为"
                f"{_day(row.due_date) or '无'}，保持不变，不采用导入值"
                f"（导入值：{_day(imported) or '无'}）。"
            )
        return decided

    # -- milestones ----------------------------------------------------------------------

    def milestones(self, task, measure, stages):
        """The stages of a staged deadline, as the text states them; matched by date, so a
        re-import updates them in place. A stage the new text drops is marked withdrawn. A
        milestone a person set (on the task page) is theirs: never matched, never withdrawn."""
        existing = {
            m.due: m
            for m in Milestone.objects.filter(
                task=task, measure=measure, assignment__isnull=True, source=Source.TEXT
            )
        }
        kept = set()
        for stage in stages:
            row = existing.get(stage.date) or Milestone(task=task, measure=measure, due=stage.date)
            values = {
                "text": (stage.what or stage.phrase or str(stage.date))[:300],
                "phrase": stage.phrase[:100],
                "line": stage.line,
                "ref": stage.ref[:100],
                "source": Source.TEXT,
                "withdrawn": False,
            }
            if _set(row, values) or row.pk is None:
                row.full_clean()
                row.save()
            kept.add(row.pk)
        for row in existing.values():
            if row.pk not in kept and not row.withdrawn:
                row.withdrawn = True
                row.save(update_fields=["withdrawn"])
        self._stages_after_admin_deadline(task, measure, stages)

    def _stages_after_admin_deadline(self, task, measure, stages):
        """A deadline an administrator set on the task page stays through a re-import
        (_deadline_unless_admin); a stage the new text states after it is said, as the
        review file's is (plan.review): the review cannot know the administrator's date."""
        item = measure if measure is not None and measure.deadline else task
        if item.deadline_source != Source.ADMIN or item.deadline is None:
            return
        late = [s for s in stages if s.date > item.deadline]
        if late:
            stage = max(late, key=lambda s: s.date)
            where = f"任务{task.number}" + (f"措施{measure.number}" if measure else "")
            self.warnings.append(
                f"{where}：管理员设定的完成时限{office_date(item.deadline)}早于新文本的阶段性目标"
                f"“{stage.phrase}{stage.what}”（{office_date(stage.date)}），请核对。"
            )

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
                "ref": pt.ref[:100],
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
        self._review_bodies_warnings()
        for pt in self.parsed.targets:
            self._target(None, None, pt)
        for stale in plan.targets.exclude(pk__in=self.seen_targets).filter(withdrawn=False):
            self._save(stale, {"withdrawn": True})
        return ImportResult(
            plan=plan,
            created=self.created,
            counts=self.counts,
            warnings=self.warnings,
            notes=self.notes,
            parsed=self.parsed,
        )


def _day(day):
    """A date in a warning, as offices write it (2026年11月30日); "" for none."""
    return office_date(day) if day else ""


def _in_text_order(refs):
    """(position, ref) for each body once, in the order the text names them; a body named
    twice keeps its first place, and its lead role if either names it as a lead."""
    chosen = {}
    for position, ref in enumerate(refs):
        if ref.name not in chosen:
            chosen[ref.name] = (position, ref)
        elif ref.role == pm.LEAD and chosen[ref.name][1].role != pm.LEAD:
            chosen[ref.name] = (chosen[ref.name][0], ref)
    return sorted(chosen.values(), key=lambda pair: pair[0])


def import_parsed_plan(
    parsed,
    *,
    source_text,
    source_name="",
    source_sha256="",
    user=None,
    reviewed=None,
    preview=False,
):
    """Create or update the plan `parsed` describes (parsed from `source_text`, read from a
    file whose sha256 is `source_sha256`), in one transaction. `reviewed`: whether a review
    file was applied (its warnings then say what the review decided before and this import
    no longer has as the review's); `preview`: the update preview's run, rolled back, whose
    warnings say what confirming will do."""
    sha256 = source_sha256 or hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().same_plan(
            slug=parsed.slug,
            title=parsed.title,
            issuer=parsed.issuer,
            jurisdiction=parsed.jurisdiction,
            sha256=sha256,
        )
        created = plan is None
        if created:
            # The review file's slug, else the one the parser derives from place and title.
            plan = Plan.objects.create(
                slug=parsed.slug, title=parsed.title[:200], jurisdiction=parsed.jurisdiction
            )
        return _Importer(
            parsed,
            plan,
            created=created,
            source_text=source_text,
            source_name=source_name,
            source_sha256=sha256,
            user=user,
            reviewed=reviewed,
            preview=preview,
        ).run()


# Where a value sits in the file or in its list: it moves with every line added above it and
# says nothing a person decided. The preview leaves these out of what an update changes.
PLACE_FIELDS = {
    "first_line",
    "last_line",
    "source_first_line",
    "source_last_line",
    "source_ref",
    "deadline_ref",
    "origin_line",
    "origin_ref",
    "source_name",
    "source_kind",
    # The order of a body among those the text names (a review's lead put first moves it).
    "position",
}


@dataclass
class Preview:
    """What confirming an update would do: the import's warnings (decisions it keeps or
    drops, rows the text no longer has) and every change it records, as people read them."""

    warnings: list[str]
    changes: list[str]


def preview_changes(draft, text, parsed):
    """Preview of an update: the import run in a transaction that is rolled back, so the
    preview lists exactly what the confirmation will do -- from the change records it writes,
    and its warnings."""
    with transaction.atomic():
        last = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        result = import_parsed_plan(
            parsed,
            source_text=text,
            source_name=draft.source_name,
            source_sha256=draft.source_sha256,
            user=draft.uploaded_by,
            reviewed=bool(draft.review_text),
            preview=True,
        )
        records = list(
            ChangeRecord.objects.filter(pk__gt=last).exclude(field__in=PLACE_FIELDS).order_by("pk")
        )
        transaction.set_rollback(True)
    return Preview(warnings=result.warnings, changes=[_change_words(r) for r in records])


def _change_words(record):
    """One change as people read it: 任务1 …：完成时限 2024-12-31 → （空）."""
    if record.action == ChangeRecord.Action.CREATED:
        return f"新增：{record.subject}"
    if record.action == ChangeRecord.Action.DELETED:
        return f"删除：{record.subject}"
    before, after = record.old or "（空）", record.new or "（空）"
    return f"{record.subject}：{record.field_label} {before} → {after}"


def existing_plan(parsed, sha256):
    """The plan an import of `parsed` (from a file with this sha256) would update, or None."""
    return Plan.objects.same_plan(
        slug=parsed.slug,
        title=parsed.title,
        issuer=parsed.issuer,
        jurisdiction=parsed.jurisdiction,
        sha256=sha256,
    )


def gazetteer_path(name):
    """The gazetteer file named `name` in TRACKER_SEEDS_DIR, or None for no name. Only a
    file from that folder: never a path a browser made up (ValidationError)."""
    if not name:
        return None
    folder = settings.TRACKER_SEEDS_DIR
    path = folder / name
    if path.parent != folder or not name.endswith(".gazetteer.toml") or not path.is_file():
        raise ValidationError(_("未知的地名文件。"))
    return path


def read_plan_source(data, *, source_name="", review_text=None, gazetteer_path=None):
    """Read a plan file of any kind (plan.read_document: text, .docx, .pdf, a web page,
    .xlsx, .csv — told by its content) and apply its review text, if any.

    Returns (text, parsed): `text` is the document written as plan text, the plan's source
    that the line numbers count in. Raises plan.PlanError (ReviewError for the review) with
    a Chinese message."""
    gazetteer = load_gazetteer(gazetteer_path) if gazetteer_path else None
    text, parsed = read_document(data, source_name, gazetteer=gazetteer)
    if review_text:
        parsed = apply_review(parsed, parse_review(review_text))
    return text, parsed


# --- the web import's drafts ------------------------------------------------------------


def sha256_of(data):
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def draft_create(*, user, source, source_name, review_text="", gazetteer=""):
    """Keep an uploaded plan on the server until its preview is confirmed; drafts that
    expired unconfirmed are removed on the way (they are not history: nothing was
    imported from them)."""
    ImportDraft.objects.expired().delete()
    draft = ImportDraft(
        source=source,
        source_name=source_name[:200],
        source_sha256=sha256_of(source),
        review_text=review_text,
        gazetteer=gazetteer,
        uploaded_by=user,
    )
    draft.full_clean()
    draft.save()
    return draft


def draft_read(draft):
    """(text, parsed) of a draft, read exactly as the preview reads it. plan.PlanError, or
    ValidationError when its gazetteer file has gone meanwhile."""
    return read_plan_source(
        bytes(draft.source),
        source_name=draft.source_name,
        review_text=draft.review_text or None,
        gazetteer_path=gazetteer_path(draft.gazetteer),
    )


class DraftAlreadyConfirmed(Exception):
    """The draft was confirmed before (by another click or tab): nothing imported again."""

    def __init__(self, plan):
        super().__init__(plan)
        self.plan = plan


class DraftExpired(Exception):
    """The draft was not confirmed in time: upload the plan again."""


def draft_confirm(*, draft, user):
    """Import the draft's plan — the same plan again is updated in place — and mark the
    draft confirmed, once: a second confirmation raises DraftAlreadyConfirmed.

    The file is parsed before the transaction (it may take seconds); the import and the
    draft's confirmation are one transaction, with the draft's row locked."""
    text, parsed = draft_read(draft)
    with transaction.atomic():
        locked = ImportDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.confirmed_at is not None:
            raise DraftAlreadyConfirmed(locked.plan)
        if locked.is_expired():
            raise DraftExpired
        result = import_parsed_plan(
            parsed,
            source_text=text,
            source_name=locked.source_name,
            source_sha256=locked.source_sha256,
            user=user,
            reviewed=bool(locked.review_text),
        )
        locked.confirmed_at = timezone.now()
        locked.plan = result.plan
        locked.save(update_fields=["confirmed_at", "plan"])
    return result
