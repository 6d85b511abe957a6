"""The login form: Django's own, with 记住我."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Unless 记住我 is ticked, the session ends when the browser closes
    (tracker.views.accounts.LoginView); either way it ends after the idle time."""

    remember = forms.BooleanField(label=_("记住我"), required=False)
