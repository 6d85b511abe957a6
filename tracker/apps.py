from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    # The one for "tracker" in INSTALLED_APPS (this module holds AxesConfig, too).
    default = True
    name = "tracker"
    verbose_name = _("实施方案督查")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tracker.middleware import stamp_login

        # Connected here, not when the middleware is first built, so a login before the
        # first request (a test's force_login) starts the idle clock too.
        user_logged_in.connect(stamp_login, dispatch_uid="tracker.stamp_login")


class AxesConfig(AxesAppConfig):
    """django-axes, under a Chinese name in the admin (its strings: tracker/locale/zh_Hans)."""

    default = False
    verbose_name = _("登录保护")
