"""Logging in: the login page with 记住我, and the page a locked-out login gets.

Login throttling is django-axes (settings: AXES_*): it counts failed logins per account and
per client address (tracker.middleware.client_address) and, past the limit, refuses the login
before the password is checked and answers with `locked_out` below.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import ngettext

from tracker.forms.accounts import LoginForm


def duration_in_words(seconds):
    """8 小时, 30 分钟: a duration from the settings as the login pages say it."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)s 小时", "%(n)s 小时", hours) % {"n": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(n)s 分钟", "%(n)s 分钟", minutes) % {"n": minutes}


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if not form.cleaned_data.get("remember"):
            # Ends with the browser; the server still ends it after the idle time.
            self.request.session.set_expiry(0)
        return response

    def get_context_data(self, **kwargs):
        idle = duration_in_words(settings.TRACKER_SESSION_IDLE_SECONDS)
        return {**super().get_context_data(**kwargs), "idle": idle}


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): a page in the site's language
    saying what happened, for how long, and who can unlock it -- with 429 Too Many Requests
    and Retry-After."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    page = render(
        request,
        "registration/locked_out.html",
        {"username": username[:150], "cooloff": duration_in_words(seconds)},
        status=429,
    )
    page["Retry-After"] = str(seconds)
    return page
