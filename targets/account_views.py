"""Locked-out logins (managers): who may not log in now, and unlocking them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from targets import audit, logins, roles

manager_only = roles.capability_required(roles.REVIEW, _lazy("只有管理员可以解锁登录。"))


@require_GET
@manager_only
def lockouts(request: HttpRequest) -> HttpResponse:
    """User names and addresses with failed logins within the cool-off, locked ones
    first, each with an unlock button."""
    return render(
        request,
        "targets/lockouts.html",
        {
            "items": logins.recent_failures(),
            "limit": logins.settings.AXES_FAILURE_LIMIT,
            "minutes": logins.cooloff_minutes(),
        },
    )


@require_POST
@manager_only
def unlock_login(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    value = request.POST.get("value", "").strip()[:150]
    if kind not in (logins.USERNAME, logins.ADDRESS) or not value:
        messages.error(request, _("请选择要解锁的用户名或地址。"))
        return redirect("login_lockouts")
    removed = logins.unlock(kind=kind, value=value)
    audit.record("login_unlock", request=request, target=f"{kind}:{value}", attempts=removed)
    messages.success(request, _("已解锁：%(value)s，可以立即重新登录。") % {"value": value})
    return redirect("login_lockouts")
