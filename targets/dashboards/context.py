"""What every dashboard page shows around its figures, built in one place: the as-of date
the reader asked for (clipped into the tracked period), the tracked period's bounds for the
date picker, when the roll-up was computed ("数据截至 …") and the export formats this reader
may download. The key-project, recovery and safety pages use it too."""

from datetime import date, datetime

from django.utils import timezone

from targets import selectors
from targets.reporting import exports


def as_of(request) -> date:
    """The page's as-of date: ``?as_of=`` if given, else the default of
    ``selectors.resolve_as_of`` (today, clipped into the tracked period)."""
    return selectors.resolve_as_of(request.GET.get("as_of"), timezone.localdate())


def page_context(
    request, as_of: date, *, rows_computed_at: datetime | None = None, exports_table: bool = False
) -> dict:
    """The context of the as-of form (``targets/_asof.html``) and of the export buttons.

    ``rows_computed_at`` is the latest ``computed_at`` among the rows the page shows (used
    when the roll-up never ran); ``exports_table`` is true on a page whose table a manager
    may download (``?_export=xlsx|csv``)."""
    start, end = selectors.tracked_period()
    return {
        "as_of": as_of,
        "computed_at": selectors.computed_at(rows_computed_at),
        "period_start": start,
        "period_end": end,
        "export_formats": exports.FORMATS if exports_table and exports.can_export(request.user) else (),
    }
