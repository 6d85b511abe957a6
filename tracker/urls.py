from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker import views, views_decisions, views_import, views_manage, views_work

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<slug:slug>/", views.plan_overview, name="plan_overview"),
    path("plans/<slug:slug>/tasks/<int:number>/", views.task_detail, name="task_detail"),
    path(
        "plans/<slug:slug>/tasks/<int:number>/deadline/",
        views_decisions.task_deadline,
        name="task_deadline",
    ),
    path(
        "plans/<slug:slug>/tasks/<int:number>/assign/",
        views_decisions.task_assign,
        name="task_assign",
    ),
    path("import/", views_import.import_start, name="import_start"),
    # Progress reporting and review (tracker/views_work.py).
    path("work/", views_work.my_work, name="my_work"),
    path("assignments/<int:pk>/", views_work.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/report/", views_work.report_create, name="report_create"),
    path("assignments/<int:pk>/extension/", views_work.extension_create, name="extension_create"),
    path("assignments/<int:pk>/signoff/", views_work.signoff_review, name="signoff_review"),
    path("reports/<int:pk>/correct/", views_work.report_correct, name="report_correct"),
    path("extensions/<int:pk>/decide/", views_work.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", views_work.evidence_download, name="evidence_download"),
    path("review/", views_work.review_queue, name="review_queue"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    # Supervision: dashboard, matrix, list and exports, bulletin, reminders (views_manage.py).
    path("dashboard/", views_manage.dashboard, name="dashboard"),
    path("dashboard/matrix/", views_manage.matrix, name="matrix"),
    path("dashboard/bulletin/", views_manage.bulletin, name="bulletin"),
    path("list/", views_manage.assignment_list, name="assignment_list"),
    path("list/export.xlsx", views_manage.list_export, {"fmt": "xlsx"}, name="list_export_xlsx"),
    path("list/export.csv", views_manage.list_export, {"fmt": "csv"}, name="list_export_csv"),
    path("assignments/<int:pk>/remind/", views_manage.remind, name="remind"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
