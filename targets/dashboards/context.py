"""What every dashboard page shows around its figures, built in one place: the as-of date
the reader asked for (clipped into the tracked period), the tracked period's bounds for the
date picker and when the roll-up was computed. The key-project, recovery and
safety pages use it too. The export buttons come with the table a page can export
(``exports.table_response``, ``exports.ManagerExportMixin``)."""

from collections.abc import Iterable
from datetime import date, datetime

from targets import params, selectors


def page_as_of(request) -> date:
    """The page's as-of date: ``?as_of=`` if given, else the default of
    ``selectors.resolve_as_of`` (the product's today, clipped into the tracked period)."""
    return selectors.resolve_as_of(params.query_day(request, "as_of"))


def latest_computed_at(rows: Iterable) -> datetime | None:
    """The latest ``computed_at`` among rows that carry one (``selectors.Row``)."""
    return max((row.computed_at for row in rows if row.computed_at), default=None)


def page_context(request, as_of: date, *, rows_computed_at: datetime | None = None) -> dict:
    """The context of the as-of form (``targets/_asof.html``): the as-of date, the tracked
    period and when the roll-up was computed. ``rows_computed_at`` is the latest
    ``computed_at`` among the rows the page shows, used when the roll-up never ran."""
    start, end = selectors.tracked_period()
    return {
        "as_of": as_of,
        "computed_at": selectors.computed_at(rows_computed_at),
        "period_start": start,
        "period_end": end,
    }
