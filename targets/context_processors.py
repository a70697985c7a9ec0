from django.utils.functional import SimpleLazyObject

from . import current
from . import roles as role_rules


def roles(request):
    """Expose the user's roles to every template (menus show only what one may use)."""
    user = request.user
    return {
        "is_manager": role_rules.is_manager(user),
        "is_clerk": role_rules.is_clerk(user),
        "user_department": role_rules.user_department(user),
    }


def plan(request):
    """``footer_plan``: the plan a page's footer cites when the page names none (the default
    plan of the product's today), read only when a template asks for it."""

    return {"footer_plan": SimpleLazyObject(current.current_plan)}
