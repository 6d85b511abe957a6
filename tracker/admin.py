"""The admin, in Chinese, for plan administrators (Django staff).

It never changes the plan silently, and never changes the history at all:

- `RecordsChanges`: a ModelAdmin mixin for plans, tasks, measures, assignments and targets.
  Every save, inline save and delete writes ChangeRecords through tracker.history (who, when,
  old → new), in the admin's own transaction.
- Reports, evidence, reported values, extension requests, decisions, change records,
  reminders and their receipts, the lead bodies' reviews and summaries, and access records
  are shown read-only: nobody, not even a superuser, may add, change or delete them here.
- Drafts of reports are not here at all: they are seen inside their body only.
- Users: the 管理员 group may add and change users and put them in groups, but only a
  superuser may make a superuser or hand out single permissions (either could give any power).
- Login lockouts (django-axes' 访问尝试): an administrator unlocks an account or an address by
  deleting its attempt; every failure stays in 登录失败记录.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker import history
from tracker.models import (
    AccessRecord,
    Assignment,
    Body,
    Bulletin,
    Category,
    ChangeRecord,
    Decision,
    Evidence,
    ExtensionRequest,
    ImportDraft,
    LeadReview,
    Measure,
    Membership,
    Milestone,
    Plan,
    Reminder,
    ReminderReceipt,
    Report,
    ReportedMilestone,
    ReportedValue,
    Target,
    Task,
    TaskSummary,
)

admin.site.site_header = _("实施方案督查督办 · 后台管理")
admin.site.site_title = _("督查督办后台")
admin.site.index_title = _("管理")


VIA = ChangeRecord.Via.ADMIN

# Kept by tracker/services/reporting.py from reports and decisions; never edited by hand.
CURRENT_STATE_FIELDS = [
    "status",
    "percent",
    "progress_as_of",
    "last_reported_at",
    "signoff",
    "signed_off_at",
    "completed_late_days",
]


def _stamp_new_assignment(obj):
    """An assignment an administrator adds counts its reporting period from today."""
    if isinstance(obj, Assignment) and obj.pk is None and obj.assigned_on is None:
        obj.assigned_on = timezone.localdate()


class RecordsChanges(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        old = type(obj)._default_manager.get(pk=obj.pk) if change else None
        _stamp_new_assignment(obj)
        super().save_model(request, obj, form, change)
        if change:
            history.record_changes(user=request.user, old=old, new=obj, via=VIA)
        else:
            history.record_created(user=request.user, obj=obj, via=VIA)

    def delete_model(self, request, obj):
        history.record_deleted(user=request.user, obj=obj, via=VIA)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            history.record_deleted(user=request.user, obj=obj, via=VIA)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        model = formset.model
        if not issubclass(model, history.TRACKED_MODELS):
            return super().save_formset(request, form, formset, change)
        olds = model._default_manager.in_bulk(
            [f.instance.pk for f in formset.initial_forms if f.instance.pk]
        )
        for f in formset.extra_forms:
            _stamp_new_assignment(f.instance)
        for f in formset.deleted_forms:
            if f.instance.pk in olds:
                history.record_deleted(user=request.user, obj=olds[f.instance.pk], via=VIA)
        result = super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            history.record_created(user=request.user, obj=obj, via=VIA)
        for obj, _fields in formset.changed_objects:
            history.record_changes(user=request.user, old=olds[obj.pk], new=obj, via=VIA)
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
    fields = readonly_fields = ("original_name", "kind", "size", "sha256", "created_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyHistory):
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


@admin.register(ImportDraft)
class ImportDraftAdmin(ReadOnlyHistory):
    """Who uploaded which plan file to the web import, when, and what became of it. The file
    itself is not shown here (it may be 20 MB); the plan keeps the text it was read as."""

    list_display = ["source_name", "uploaded_by", "created_at", "confirmed_at", "plan"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["uploaded_by", "plan"]
    search_fields = ["source_name", "source_sha256"]
    fields = [
        "source_name",
        "source_sha256",
        "review_text",
        "gazetteer",
        "uploaded_by",
        "created_at",
        "confirmed_at",
        "plan",
    ]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyHistory):
    list_display = ["day", "kind", "level", "doc_number", "assignment", "sent_by", "mail_failed"]
    list_filter = ["kind", "level", "mail_failed", "assignment__body"]
    search_fields = ["message", "assignment__body__name", "assignment__task__title"]
    list_select_related = [
        "assignment__task",
        "assignment__measure",
        "assignment__body",
        "sent_by",
    ]
    date_hierarchy = "day"


@admin.register(ReminderReceipt)
class ReminderReceiptAdmin(ReadOnlyHistory):
    list_display = ["reminder", "acknowledged_by", "created_at"]
    list_select_related = ["reminder", "acknowledged_by"]


@admin.register(LeadReview)
class LeadReviewAdmin(ReadOnlyHistory):
    list_display = ["assignment", "body", "passed", "reviewer", "created_at"]
    list_filter = ["passed", "body"]
    list_select_related = [
        "assignment__task",
        "assignment__measure",
        "assignment__body",
        "body",
        "reviewer",
    ]


@admin.register(TaskSummary)
class TaskSummaryAdmin(ReadOnlyHistory):
    list_display = ["task", "body", "as_of", "author", "created_at"]
    list_select_related = ["task", "body", "author"]


@admin.register(ReportedMilestone)
class ReportedMilestoneAdmin(ReadOnlyHistory):
    list_display = ["milestone", "report", "created_at"]
    list_select_related = ["milestone", "report"]


@admin.register(Milestone)
class MilestoneAdmin(RecordsChanges):
    list_display = ["due", "text", "task", "measure", "assignment", "source", "created_by"]
    list_filter = ["task__plan", "source"]
    list_select_related = ["task", "measure__task", "assignment__body", "assignment__task"]
    raw_id_fields = ["task", "measure", "assignment"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        # A bulk delete skips Milestone.delete(): the kept open milestones follow here.
        tasks = list(queryset.values_list("task", flat=True).distinct())
        super().delete_queryset(request, queryset)
        Assignment.objects.filter(task__in=tasks).keep_open_milestone()


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["number", "title", "first_line", "last_line"]


class PlanTargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["number", "task", "description", "value", "unit", "scope", "due_date", "source"]
    raw_id_fields = ["task", "measure"]


@admin.register(Plan)
class PlanAdmin(RecordsChanges):
    list_display = ["title", "jurisdiction", "issuer", "issue_date", "start_date", "archived_at"]
    list_filter = ["jurisdiction", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug", "issuer"]
    # Archiving has its own page and record (the plan overview); the source is the import's.
    readonly_fields = [
        "source_sha256",
        "source_kind",
        "imported_at",
        "archived_at",
        "archived_by",
        "archive_reason",
    ]
    inlines = [CategoryInline, PlanTargetInline]

    def has_delete_permission(self, request, obj=None):
        # A plan is never deleted: archive it on its overview page (归档), which keeps
        # every record and can be undone.
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]
    search_fields = ["title", "summary"]


class MeasureInline(admin.StackedInline):
    model = Measure
    extra = 0
    fields = [
        "number",
        "text",
        ("deadline", "deadline_text", "deadline_source", "ongoing"),
        "deadline_reason",
        ("first_line", "last_line"),
        "withdrawn",
    ]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["body", "measure", "role", "origin", "origin_reason", "due_date", "signed_off_at"]
    readonly_fields = ["signed_off_at"]
    autocomplete_fields = ["body"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only this task's measures.
        if db_field.name == "measure" and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Measure.objects.filter(
                task_id=request.resolver_match.kwargs["object_id"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TaskTargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["number", "plan", "measure", "description", "value", "unit", "scope", "due_date"]
    raw_id_fields = ["measure"]


@admin.register(Task)
class TaskAdmin(RecordsChanges):
    list_display = ["number", "title", "category", "deadline", "deadline_source", "withdrawn"]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "category", "deadline_source", "withdrawn", "ongoing"]
    search_fields = ["title", "source_text", "measures__text"]
    list_select_related = ["category"]
    inlines = [MeasureInline, AssignmentInline, TaskTargetInline]


@admin.register(Measure)
class MeasureAdmin(RecordsChanges):
    list_display = ["__str__", "task", "deadline", "deadline_source"]
    list_filter = ["task__plan", "deadline_source"]
    search_fields = ["text"]
    list_select_related = ["task"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "position",
        "requires_approval",
        "jurisdiction",
        "leader",
        "contact_name",
        "contact_phone",
    ]
    list_filter = ["kind", "requires_approval", "jurisdiction"]
    search_fields = ["name"]


@admin.register(Assignment)
class AssignmentAdmin(RecordsChanges):
    list_display = ["body", "task", "measure", "role", "origin", "due_date", "signed_off_at"]
    list_filter = ["role", "origin", "body__kind", "task__plan", "body"]
    search_fields = ["body__name", "task__title", "measure__text"]
    list_select_related = ["body", "task", "measure__task"]
    autocomplete_fields = ["body"]
    raw_id_fields = ["task", "measure"]
    readonly_fields = CURRENT_STATE_FIELDS


@admin.register(Target)
class TargetAdmin(RecordsChanges):
    list_display = ["description", "value", "unit", "scope", "due_date", "task", "source"]
    list_filter = ["plan", "scope", "source"]
    search_fields = ["description"]
    list_select_related = ["task"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "body", "role"]
    list_filter = ["role", "body__kind", "body"]
    search_fields = ["user__username", "user__first_name", "body__name"]
    autocomplete_fields = ["body"]
    list_select_related = ["user", "body"]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyHistory):
    list_display = ["created_at", "user_name", "kind", "subject", "rows", "client_address"]
    list_filter = ["kind"]
    search_fields = ["user_name", "subject", "filters", "client_address"]
    date_hierarchy = "created_at"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class GuardedUserAdmin(UserAdmin):
    """Django's user admin, except that only a superuser may change the superuser flag or a
    user's single permissions: an administrator manages users without being able to make
    themselves (or anyone) more than an administrator."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyHistory):
    """Issued bulletins, read-only: they never change (tracker/services/bulletins.py)."""

    list_display = ["doc_number", "title", "plan", "as_of", "issued_on", "issued_by_name"]
    list_filter = ["year", "plan"]
    search_fields = ["doc_number", "title"]
    list_select_related = ["plan"]
