from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker import views, views_import

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<slug:slug>/", views.plan_overview, name="plan_overview"),
    path("plans/<slug:slug>/tasks/<int:number>/", views.task_detail, name="task_detail"),
    path("import/", views_import.import_start, name="import_start"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
