"""The admin, in Chinese, for plan administrators (Django staff)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.admin_history import CURRENT_STATE_FIELDS, RecordsChanges
from tracker.models import Assignment, Body, Category, Measure, Membership, Plan, Target, Task

admin.site.site_header = _("实施方案督查督办 · 后台管理")
admin.site.site_title = _("督查督办后台")
admin.site.index_title = _("管理")


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
class PlanAdmin(RecordsChanges, admin.ModelAdmin):
    list_display = ["title", "jurisdiction", "issuer", "issue_date", "start_date", "declared_tasks"]
    list_filter = ["jurisdiction"]
    search_fields = ["title", "slug", "issuer"]
    readonly_fields = ["source_sha256", "imported_at"]
    inlines = [CategoryInline, PlanTargetInline]


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
class TaskAdmin(RecordsChanges, admin.ModelAdmin):
    list_display = ["number", "title", "category", "deadline", "deadline_source", "withdrawn"]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "category", "deadline_source", "withdrawn", "ongoing"]
    search_fields = ["title", "source_text", "measures__text"]
    list_select_related = ["category"]
    inlines = [MeasureInline, AssignmentInline, TaskTargetInline]


@admin.register(Measure)
class MeasureAdmin(RecordsChanges, admin.ModelAdmin):
    list_display = ["__str__", "task", "deadline", "deadline_source"]
    list_filter = ["task__plan", "deadline_source"]
    search_fields = ["text"]
    list_select_related = ["task"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "jurisdiction"]
    list_filter = ["kind", "jurisdiction"]
    search_fields = ["name"]


@admin.register(Assignment)
class AssignmentAdmin(RecordsChanges, admin.ModelAdmin):
    list_display = ["body", "task", "measure", "role", "origin", "due_date", "signed_off_at"]
    list_filter = ["role", "origin", "body__kind", "task__plan", "body"]
    search_fields = ["body__name", "task__title", "measure__text"]
    list_select_related = ["body", "task", "measure__task"]
    autocomplete_fields = ["body"]
    raw_id_fields = ["task", "measure"]
    readonly_fields = CURRENT_STATE_FIELDS


@admin.register(Target)
class TargetAdmin(RecordsChanges, admin.ModelAdmin):
    list_display = ["description", "value", "unit", "scope", "due_date", "task", "source"]
    list_filter = ["plan", "scope", "source"]
    search_fields = ["description"]
    list_select_related = ["task"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "body"]
    list_filter = ["body__kind", "body"]
    search_fields = ["user__username", "user__first_name", "body__name"]
    autocomplete_fields = ["body"]
    list_select_related = ["user", "body"]
