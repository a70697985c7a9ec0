"""The product's one clock: what "today" and "now" are, for every page, report, export,
reminder and roll-up.

In production that is the real date in the site's time zone (Asia/Shanghai). The demo
fixes the date with the ``DEMO_TODAY`` setting (``make run`` sets ``DEMO_TODAY=2021-11-19``,
the last day of the demo figures): the clock then reads that day, at the real time of day,
so the demo's dashboards, entry week, overdue lists and file names all agree with its data.

Nothing else decides what today is: the latest entry never moves it (one clerk's weekend
entry must not change everyone's as-of date). Tests freeze it with time-machine or by
setting ``DEMO_TODAY``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core import checks
from django.utils import timezone


def fixed_today() -> date | None:
    """The demo's fixed date (setting ``DEMO_TODAY``), or None when the clock is real."""
    value = getattr(settings, "DEMO_TODAY", None)
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def today() -> date:
    """Today in the site's time zone (Asia/Shanghai), or the demo's fixed date."""
    return fixed_today() or timezone.localdate()


def now() -> datetime:
    """Now (an aware datetime in the site's time zone): the real moment, moved to the
    demo's fixed date when there is one (same time of day)."""
    real = timezone.localtime()
    fixed = fixed_today()
    if fixed is None:
        return real
    return real.replace(year=fixed.year, month=fixed.month, day=fixed.day)


@checks.register(checks.Tags.compatibility, deploy=True)
def check_no_fixed_date_in_production(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check --deploy``: a fixed date in production would freeze every
    as-of date, overdue list and reminder."""
    if fixed_today() is None:
        return []
    return [
        checks.Warning(
            f"DEMO_TODAY={fixed_today().isoformat()} fixes the product's date (demo only).",
            hint="Unset DEMO_TODAY in production: the clock is then the real date.",
            id="targets.W001",
        )
    ]
