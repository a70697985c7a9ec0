from . import roles as role_rules


def roles(request):
    """Expose the user's roles to every template (menus show only what one may use)."""
    user = request.user
    return {
        "is_manager": role_rules.is_manager(user),
        "is_clerk": role_rules.is_clerk(user),
        "user_department": role_rules.user_department(user),
    }
