from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker.views import accounts, importing, operations, plans, reporting, supervision

urlpatterns = [
    # Plans and tasks, and an administrator's plan edits (tracker/views/plans.py).
    path("", plans.home, name="home"),
    path("plans/", plans.plan_list, name="plan_list"),
    path("favicon.ico", plans.favicon, name="favicon"),
    path("plans/<slug:slug>/", plans.plan_overview, name="plan_overview"),
    path("plans/<slug:slug>/archive/", plans.plan_archive, name="plan_archive"),
    path("plans/<slug:slug>/restore/", plans.plan_restore, name="plan_restore"),
    path("plans/<slug:slug>/reporting/", plans.plan_report_rule, name="plan_report_rule"),
    path("plans/<slug:slug>/tasks/<int:number>/", plans.task_detail, name="task_detail"),
    path(
        "plans/<slug:slug>/tasks/<int:number>/deadline/",
        plans.task_deadline,
        name="task_deadline",
    ),
    path(
        "plans/<slug:slug>/tasks/<int:number>/assign/",
        plans.task_assign,
        name="task_assign",
    ),
    # The bodies' 责任人 and contacts: managers read, administrators keep them (plans.py).
    path("bodies/", plans.body_list, name="body_list"),
    path("bodies/<int:pk>/edit/", plans.body_edit, name="body_edit"),
    path(
        "plans/<slug:slug>/tasks/<int:number>/milestones/",
        plans.task_milestone,
        name="task_milestone",
    ),
    path(
        "plans/<slug:slug>/tasks/<int:number>/summary/",
        reporting.task_summary,
        name="task_summary",
    ),
    # Loading a plan from its text (tracker/views/importing.py).
    path("import/", importing.import_start, name="import_start"),
    path("import/<uuid:key>/", importing.import_preview, name="import_preview"),
    path("import/<uuid:key>/confirm/", importing.import_confirm, name="import_confirm"),
    # The reporting chain: reports, sign-off, extensions, the to-do list (reporting.py).
    path("work/", reporting.my_work, name="my_work"),
    path("assignments/<int:pk>/", reporting.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/report/", reporting.report_create, name="report_create"),
    path("assignments/<int:pk>/extension/", reporting.extension_create, name="extension_create"),
    path("assignments/<int:pk>/signoff/", reporting.signoff_review, name="signoff_review"),
    path("assignments/<int:pk>/lead-review/", reporting.lead_review, name="lead_review"),
    path("reports/<int:pk>/correct/", reporting.report_correct, name="report_correct"),
    path("drafts/<int:pk>/", reporting.draft_edit, name="draft_edit"),
    path("drafts/<int:pk>/review/", reporting.draft_review, name="draft_review"),
    path("drafts/<int:pk>/withdraw/", reporting.draft_withdraw, name="draft_withdraw"),
    path("drafts/<int:pk>/discard/", reporting.draft_discard, name="draft_discard"),
    path("draft-files/<int:pk>/", reporting.draft_file_download, name="draft_file_download"),
    path(
        "reminders/<int:pk>/acknowledge/",
        reporting.reminder_acknowledge,
        name="reminder_acknowledge",
    ),
    path("extensions/<int:pk>/decide/", reporting.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", reporting.evidence_download, name="evidence_download"),
    path("review/", reporting.todo, name="todo"),
    # Supervision: dashboard, matrix, list and exports, bulletin, reminders (supervision.py).
    path("dashboard/", supervision.dashboard, name="dashboard"),
    path("dashboard/matrix/", supervision.matrix, name="matrix"),
    path("dashboard/bulletin/", supervision.bulletin, name="bulletin"),
    path("bulletins/", supervision.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", supervision.bulletin_compose, name="bulletin_compose"),
    path("bulletins/<int:pk>/", supervision.bulletin_detail, name="bulletin_detail"),
    path(
        "bulletins/<int:pk>/document.docx",
        supervision.bulletin_document,
        name="bulletin_document",
    ),
    path("list/", supervision.assignment_list, name="assignment_list"),
    path("list/export.xlsx", supervision.list_export, {"fmt": "xlsx"}, name="list_export_xlsx"),
    path("list/export.csv", supervision.list_export, {"fmt": "csv"}, name="list_export_csv"),
    path("assignments/<int:pk>/remind/", supervision.remind, name="remind"),
    # Operations: who read what (administrators), and the health check (no login, no data).
    path("audit/", operations.access_records, name="access_records"),
    path("healthz", operations.healthz, name="healthz"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
