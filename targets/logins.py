"""Login throttling (django-axes): the page a locked-out login gets, and the managers'
list of locked-out user names and addresses with their unlock.

axes counts failed logins per user name and per address (``AXES_LOCKOUT_PARAMETERS``)
in ``AccessAttempt`` rows, one per (user name, address, browser); a user name or an
address is locked once its failures within the cool-off reach ``AXES_FAILURE_LIMIT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

USERNAME = "username"
ADDRESS = "ip"


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "登录失败次数过多（%(limit)d 次），该账号或本机地址已被暂时锁定。"
        "请 %(minutes)d 分钟后再试，或请管理员解锁。"
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": cooloff_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying the login is locked, with HTTP 429 (Too Many
    Requests). Used for the product's login and the admin's."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    context = {
        "form": form,
        "locked_message": lockout_message(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


@dataclass
class Lockout:
    """A user name or an address with failed logins within the cool-off."""

    kind: str  # USERNAME or ADDRESS
    value: str
    failures: int
    last: datetime
    locked: bool

    @property
    def until(self) -> datetime:
        return self.last + settings.AXES_COOLOFF_TIME


def recent_failures() -> list[Lockout]:
    """User names, then addresses, with failed logins within the cool-off; the locked
    ones first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    for kind, column in ((USERNAME, "username"), (ADDRESS, "ip_address")):
        rows = (
            recent.exclude(**{f"{column}__isnull": True})
            .values(column)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .order_by("-last")
        )
        for row in rows:
            if not row[column]:
                continue
            failures = row["failures"] or 0
            found.append(
                Lockout(kind, row[column], failures, row["last"], failures >= settings.AXES_FAILURE_LIMIT)
            )
    return sorted(found, key=lambda item: (not item.locked, item.kind != USERNAME, -item.last.timestamp()))


def unlock(*, kind: str, value: str) -> int:
    """Forget the failed logins of a user name or an address (they may log in again at
    once); returns how many attempt rows were removed."""
    if kind == USERNAME:
        return reset(username=value)
    if kind == ADDRESS:
        return reset(ip=value)
    raise ValueError(kind)
