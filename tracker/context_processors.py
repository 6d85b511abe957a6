from tracker.access import ROLE_LABELS, body_of, is_manager, is_plan_admin, role_of


def roles(request):
    """The signed-in user's role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "user_role": role,
        "user_role_label": ROLE_LABELS[role],
        "user_body": body_of(user),
        "user_is_manager": is_manager(user),
        "user_is_admin": is_plan_admin(user),
    }
