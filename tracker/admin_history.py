"""The admin never changes the plan silently, and never changes the history at all.

- `RecordsChanges`: a ModelAdmin mixin for plans, tasks, measures, assignments and targets.
  Every save, inline save and delete writes ChangeRecords through tracker.services (who, when,
  old → new), in the admin's own transaction.
- Reports, evidence, reported values, extension requests, decisions and change records are
  shown read-only: nobody, not even a superuser, may add, change or delete them here.
"""

from django.contrib import admin
from django.utils import timezone

from tracker import services
from tracker.models import (
    Assignment,
    ChangeRecord,
    Decision,
    Evidence,
    ExtensionRequest,
    ProgressUpdate,
    Reminder,
    ReportedValue,
)

VIA = ChangeRecord.Via.ADMIN


def _stamp_new_assignment(obj):
    """An assignment an administrator adds counts its reporting period from today."""
    if isinstance(obj, Assignment) and obj.pk is None and obj.assigned_on is None:
        obj.assigned_on = timezone.localdate()


class RecordsChanges:
    def save_model(self, request, obj, form, change):
        old = type(obj)._default_manager.get(pk=obj.pk) if change else None
        _stamp_new_assignment(obj)
        super().save_model(request, obj, form, change)
        if change:
            services.record_changes(user=request.user, old=old, new=obj, via=VIA)
        else:
            services.record_created(user=request.user, obj=obj, via=VIA)

    def delete_model(self, request, obj):
        services.record_deleted(user=request.user, obj=obj, via=VIA)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.record_deleted(user=request.user, obj=obj, via=VIA)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        model = formset.model
        if not issubclass(model, services.TRACKED_MODELS):
            return super().save_formset(request, form, formset, change)
        olds = model._default_manager.in_bulk(
            [f.instance.pk for f in formset.initial_forms if f.instance.pk]
        )
        for f in formset.extra_forms:
            _stamp_new_assignment(f.instance)
        for f in formset.deleted_forms:
            if f.instance.pk in olds:
                services.record_deleted(user=request.user, obj=olds[f.instance.pk], via=VIA)
        result = super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            services.record_created(user=request.user, obj=obj, via=VIA)
        for obj, _fields in formset.changed_objects:
            services.record_changes(user=request.user, old=olds[obj.pk], new=obj, via=VIA)
        return result


class ReadOnlyHistory(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "kind", "size", "sha256", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyHistory):
    list_display = ["pk", "assignment", "status", "percent", "as_of", "author", "created_at"]
    list_filter = ["status", "assignment__body", "assignment__task__plan"]
    search_fields = ["text", "assignment__body__name", "assignment__task__title"]
    list_select_related = ["assignment__task", "assignment__measure", "assignment__body", "author"]
    date_hierarchy = "created_at"
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyHistory):
    list_display = ["original_name", "kind", "size", "report", "created_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "sha256"]


@admin.register(ReportedValue)
class ReportedValueAdmin(ReadOnlyHistory):
    list_display = ["target", "value", "report", "created_at"]
    list_select_related = ["target", "report"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyHistory):
    list_display = ["assignment", "old_due", "new_due", "requested_by", "created_at"]
    list_select_related = [
        "assignment__task",
        "assignment__measure",
        "assignment__body",
        "requested_by",
    ]
    search_fields = ["reason", "assignment__body__name"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyHistory):
    list_display = ["assignment", "kind", "decided_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = [
        "assignment__task",
        "assignment__measure",
        "assignment__body",
        "decided_by",
    ]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyHistory):
    list_display = [
        "created_at",
        "user_name",
        "via",
        "model",
        "subject",
        "field_label",
        "old",
        "new",
    ]
    list_filter = ["via", "model", "action"]
    search_fields = ["subject", "old", "new", "user_name"]
    date_hierarchy = "created_at"


# Kept by tracker/services.py from reports and decisions; never edited by hand.
CURRENT_STATE_FIELDS = [
    "status",
    "percent",
    "progress_as_of",
    "last_reported_at",
    "signoff",
    "signed_off_at",
]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyHistory):
    list_display = ["day", "kind", "assignment", "sent_by", "mail_failed"]
    list_filter = ["kind", "mail_failed", "assignment__body"]
    search_fields = ["message", "assignment__body__name", "assignment__task__title"]
    list_select_related = [
        "assignment__task",
        "assignment__measure",
        "assignment__body",
        "sent_by",
    ]
    date_hierarchy = "day"
