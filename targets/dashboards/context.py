"""What every dashboard page shows around its figures, built in one place: the plan and
the as-of date the reader asked for (``targets.current``: ``?plan=``, ``?as_of=``, else
the plan of the product's today, the date capped into its period), the plan's bounds for
the date picker, the plan picker and when the roll-up was computed. The key-project,
recovery and safety pages use it too. The export buttons come with the table a page can
export (``exports.table_response``, ``exports.ManagerExportMixin``)."""

from collections.abc import Iterable
from datetime import date, datetime

from targets import current, selectors
from targets.models import Plan


def page_scope(request) -> current.Scope:
    """The page's plan and as-of date (read once per request)."""
    return current.request_scope(request)


def page_as_of(request) -> date:
    """The page's as-of date: ``?as_of=`` if given, else the product's today, capped into
    the page's plan."""
    return page_scope(request).as_of


def page_plan(request) -> Plan | None:
    """The page's plan: ``?plan=`` if given, else the plan of the as-of date (None when
    there is no plan at all)."""
    return page_scope(request).plan


def latest_computed_at(rows: Iterable) -> datetime | None:
    """The latest ``computed_at`` among rows that carry one (``selectors.Row``)."""
    return max((row.computed_at for row in rows if row.computed_at), default=None)


def page_context(
    request, as_of: date, *, rows_computed_at: datetime | None = None, plan: Plan | None | bool = False
) -> dict:
    """The context of the as-of bar (``targets/_asof.html``): the plan, its picker (when
    more than one plan may be shown), the as-of date within the plan's period, the query
    string that keeps both in links, and when the roll-up was computed. ``rows_computed_at``
    is the latest ``computed_at`` among the rows the page shows, used when the roll-up
    never ran. ``plan``: the plan the page shows when it is not the request's (an
    indicator's page shows its own plan)."""
    if plan is False:
        plan = page_scope(request).plan
    choices = current.choices(plan)
    return {
        "as_of": as_of,
        "plan": plan,
        "plan_choices": choices if len(choices) > 1 else [],
        "scope_query": current.Scope(plan, as_of).query,
        "computed_at": selectors.computed_at(rows_computed_at),
        "period_start": plan.start if plan else None,
        "period_end": plan.end if plan else None,
    }
