"""Who may do what. Three roles, decided here once:

- administrators: Django staff (`is_staff`); they import plans and manage users;
- managers (督查): members of the MANAGERS group, and administrators; they see everything;
- body staff: users with a Membership; they see and report on their own body's work.
"""

from django.utils.translation import gettext_lazy as _

MANAGERS_GROUP = "督查人员"

ROLE_LABELS = {
    "admin": _("管理员"),
    "manager": _("督查人员"),
    "staff": _("责任单位工作人员"),
    "none": _("未分配单位"),
}


def is_admin(user):
    """Plan administrators are Django staff."""
    return user.is_authenticated and user.is_active and user.is_staff


def is_manager(user):
    """Managers see and review everything; administrators are managers too."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_admin(user):
        return True
    cached = getattr(user, "_is_manager", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGERS_GROUP).exists()
        user._is_manager = cached
    return cached


def body_of(user):
    """The body a user works for, or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_body"):
        # A missing Membership raises RelatedObjectDoesNotExist, an AttributeError.
        membership = getattr(user, "membership", None)
        user._body = membership.body if membership else None
    return user._body


def role_of(user):
    if is_admin(user):
        return "admin"
    if is_manager(user):
        return "manager"
    if body_of(user) is not None:
        return "staff"
    return "none"
