"""The plan a page, report, export or API call reads, and its as-of date: one rule for all.

The plan is the one asked for with ``?plan=<code>`` (the picker of the as-of bar), else
the plan covering the asked as-of date (``?as_of=``), else the plan covering the product's
today (``targets.clock``; ``Plan.objects.for_day``). The as-of date is the one asked for,
else the product's today, capped into the plan's period. Drafts are shown only to those
who write plans, and only when asked for by code. With no plan at all, there is nothing
to track: pages show an empty state, the as-of date is today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _

from . import clock, params, periods, roles
from .models import Plan

PARAM = "plan"
# A plan's code is a slug (``Plan.code``): anything else names no plan. Checked before the
# database sees it (PostgreSQL refuses a NUL in a text, which would be a 500).
CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")


@dataclass(frozen=True)
class Scope:
    """What a page reads: its plan (None when there is none) and its as-of date."""

    plan: Plan | None
    as_of: date

    @property
    def plan_id(self) -> int | None:
        return self.plan.pk if self.plan else None

    @property
    def query(self) -> str:
        """The query string that keeps this scope in a link (``as_of=…&plan=…``)."""
        text = f"as_of={self.as_of.isoformat()}"
        return f"{text}&{PARAM}={self.plan.code}" if self.plan else text


def asked_plan(code: str | None, user=None) -> Plan | None:
    """The plan with that code (None when no code is given): Http404 with a message when
    there is none, or when it is a draft and ``user`` may not write plans."""
    code = (code or "").strip()
    if not code:
        return None
    found = Plan.objects.filter(code=code).first() if CODE.fullmatch(code) else None
    if found is None or (found.status == Plan.Status.DRAFT and not (user and roles.can(user, roles.PLAN))):
        shown = code[:40].replace("\x00", "")
        raise Http404(_("工作计划“%(code)s”不存在或尚未发布。") % {"code": shown})
    return found


def current_plan(code: str | None = None, as_of: date | None = None, user=None) -> Plan | None:
    """The plan asked for by code, else the default plan of ``as_of`` (else of the
    product's today)."""
    return asked_plan(code, user) or Plan.objects.for_day(as_of or clock.today())


def resolve_as_of(asked: date | None, plan: Plan | None, today: date | None = None) -> date:
    """The as-of date ("数据截至"): the one asked for, else the product's today, capped
    into the plan's period. The latest entry never moves it."""
    day = asked or today or clock.today()
    return periods.clip(day, plan.start, plan.end) if plan else day


def scope(code: str | None, asked: date | None, user=None) -> Scope:
    """The plan and as-of date of a request's ``?plan=`` and ``?as_of=`` values."""
    plan = current_plan(code, asked, user)
    return Scope(plan=plan, as_of=resolve_as_of(asked, plan))


def request_scope(request) -> Scope:
    """The page's plan and as-of date (``?plan=``, ``?as_of=``; a bad date is a 400, an
    unknown plan a 404), read once per request."""
    found = getattr(request, "_zd_scope", None)
    if found is None:
        found = scope(request.GET.get(PARAM), params.query_day(request, "as_of"), request.user)
        request._zd_scope = found
    return found


def choices(current: Plan | None) -> list[Plan]:
    """The plans the picker offers: every published or closed plan (and the shown one,
    should it be a draft a manager previews), latest first."""
    found = list(Plan.objects.visible().order_by("-start", "end", "code"))
    if current is not None and current not in found:
        found.insert(0, current)
    return found
