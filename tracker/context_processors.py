from django.utils.translation import gettext as _

from tracker.access import ROLE_LABELS, body_of, is_body_head, is_manager, is_plan_admin, role_of


def roles(request):
    """The signed-in user's role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "user_role": role,
        # Within a body, its head (单位负责人) is named as such.
        "user_role_label": _("单位负责人")
        if role == "staff" and is_body_head(user)
        else ROLE_LABELS[role],
        "user_body": body_of(user),
        "user_is_manager": is_manager(user),
        "user_is_admin": is_plan_admin(user),
    }
