"""The change history (变更记录) of a plan's structure: who changed which field of a plan, task,
measure, assignment or target, when, by which way (the admin, an import, a plan edit on the
task page, an approved extension) and from what to what. The admin, the importer, plan edits
and extension decisions all record through these functions, inside their own transaction.
"""

import functools

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from tracker.models import Assignment, ChangeRecord, Measure, Milestone, Plan, Target, Task
from tracker.text import plain_number

TRACKED_MODELS = (Plan, Task, Measure, Assignment, Target, Milestone)


def _context(obj):
    """The plan, task, measure and assignment a change belongs to."""
    if isinstance(obj, Plan):
        return {"plan": obj}
    if isinstance(obj, Task):
        return {"plan_id": obj.plan_id, "task": obj}
    if isinstance(obj, Measure):
        return {"plan_id": obj.task.plan_id, "task_id": obj.task_id, "measure": obj}
    if isinstance(obj, Assignment):
        return {
            "plan_id": obj.task.plan_id,
            "task_id": obj.task_id,
            "measure_id": obj.measure_id,
            "assignment": obj,
        }
    if isinstance(obj, Target):
        return {"plan_id": obj.plan_id, "task_id": obj.task_id, "measure_id": obj.measure_id}
    if isinstance(obj, Milestone):
        return {
            "plan_id": obj.task.plan_id,
            "task_id": obj.task_id,
            "measure_id": obj.measure_id,
            "assignment_id": obj.assignment_id,
        }
    raise TypeError(f"changes to {type(obj).__name__} are not recorded")


def _shown(obj, field):
    """A field's value as a person reads it: a name, a choice's label, an ISO date."""
    if field.is_relation:
        related = getattr(obj, field.name)
        return "" if related is None else str(related)
    value = field.value_from_object(obj)
    if value is None and isinstance(obj, Assignment) and field.name == "due_date":
        # No date of its own: it had the measure's or the task's, and the record says so.
        inherited = obj.inherited_due
        if inherited is not None:
            return _("%(day)s（沿用%(whose)s时限）") % {
                "day": inherited.isoformat(),
                "whose": _("措施") if obj.measure and obj.measure.deadline else _("任务"),
            }
    if value is None:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("是") if value else _("否")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "normalize"):
        return plain_number(value)
    return str(value)


def in_records_language(write):
    """Write a record's words (what changed, the field's name, the values' labels) in the
    records' language, settings.LANGUAGE_CODE: not in the language of the session that
    made the change -- everyone reads the same record."""

    @functools.wraps(write)
    def written(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return write(*args, **kwargs)

    return written


def _user_fields(user):
    if user is None:
        return {"user": None, "user_name": ""}
    return {"user": user, "user_name": user.get_full_name() or user.get_username()}


@in_records_language
def record_changes(*, user, old, new, via, reason="", fields=None):
    """One ChangeRecord for each field whose value differs between `old` (the row as it was)
    and `new`."""
    records = []
    for field in new._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        if not field.editable:
            # Derived (kept state, sort keys, computed columns): nobody changes it; the
            # change that moved it is the one recorded.
            continue
        before, after = _shown(old, field), _shown(new, field)
        if before == after:
            continue
        records.append(
            ChangeRecord(
                **_user_fields(user),
                **_context(new),
                via=via,
                action=ChangeRecord.Action.CHANGED,
                model=new._meta.model_name,
                subject=str(new)[:300],
                field=field.name,
                field_label=str(field.verbose_name)[:100],
                old=before,
                new=after,
                reason=reason[:500],
            )
        )
    for record in records:
        record.save()
    return records


@in_records_language
def record_created(*, user, obj, via, reason=""):
    return ChangeRecord.objects.create(
        **_user_fields(user),
        **_context(obj),
        via=via,
        action=ChangeRecord.Action.CREATED,
        model=obj._meta.model_name,
        subject=str(obj)[:300],
        reason=reason[:500],
    )


@in_records_language
def record_deleted(*, user, obj, via, reason=""):
    """Before `obj` is deleted: the record keeps its description, not a link to it."""
    context = {key: value for key, value in _context(obj).items() if value is not obj}
    return ChangeRecord.objects.create(
        **_user_fields(user),
        **context,
        via=via,
        action=ChangeRecord.Action.DELETED,
        model=obj._meta.model_name,
        subject=str(obj)[:300],
        old=str(obj),
        reason=reason[:500],
    )
