"""Calendar maths: day, ten-day period (旬), month, quarter, year and the Monday–Sunday
entry week; and an indicator's reporting cadence. Pure functions on ``datetime.date``;
no models, no database.

旬: 上旬 is days 1–10, 中旬 days 11–20, 下旬 day 21 to the end of the month (8, 9, 10 or
11 days). A year has 36 of them.

Cadence: an indicator is reported daily, weekly (Monday–Sunday), per 旬, monthly, or once
(a milestone, on the day it is done). A figure reported for a period is dated on the
period's last day, so the day-grouped roll-up stays exact: a weekly figure counts whole in
the 旬 and month of its Sunday. A period "ends in" an entry week when its last day falls
on that week's Monday..Sunday.
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

DAY = "day"
DEKAD = "dekad"
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
PERIOD_TYPES = (DAY, DEKAD, MONTH, QUARTER, YEAR)
WEEK = "week"  # a cadence's period only; roll-ups have no week rows

# Cadences (``Indicator.Cadence`` stores these values).
DAILY = "daily"
WEEKLY = "weekly"
DEKADAL = "dekad"
MONTHLY = "monthly"
ONCE = "once"
CADENCES = (DAILY, WEEKLY, DEKADAL, MONTHLY, ONCE)
# The period type one report covers. ONCE (a milestone) is reported on its done day.
CADENCE_PERIOD = {DAILY: DAY, WEEKLY: WEEK, DEKADAL: DEKAD, MONTHLY: MONTH, ONCE: DAY}

DEKAD_NAMES_ZH = ("上旬", "中旬", "下旬")
DEKAD_NAMES_EN = ("early", "mid", "late")
QUARTER_NAMES_ZH = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period: its type and its first and last day (inclusive)."""

    type: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """In the reader's language: Chinese unless they chose English."""
        from django.utils.translation import get_language

        return label(self.type, self.start, get_language() or "zh-hans")

    @property
    def label_en(self) -> str:
        return label_en(self.type, self.start)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def dekad_index(day: date) -> int:
    """0 for 上旬 (1–10), 1 for 中旬 (11–20), 2 for 下旬 (21–end)."""
    return min((day.day - 1) // 10, 2)


def dekad_of_year(day: date) -> int:
    """1..36: the 旬's number within its year."""
    return (day.month - 1) * 3 + dekad_index(day) + 1


def quarter_of(day: date) -> int:
    """1..4."""
    return (day.month - 1) // 3 + 1


def period_start(period_type: str, day: date) -> date:
    if period_type == DAY:
        return day
    if period_type == DEKAD:
        return day.replace(day=dekad_index(day) * 10 + 1)
    if period_type == MONTH:
        return day.replace(day=1)
    if period_type == QUARTER:
        return date(day.year, (quarter_of(day) - 1) * 3 + 1, 1)
    if period_type == YEAR:
        return date(day.year, 1, 1)
    raise ValueError(f"unknown period type {period_type!r}")


def period_end(period_type: str, day: date) -> date:
    if period_type == DAY:
        return day
    if period_type == DEKAD:
        index = dekad_index(day)
        return month_end(day) if index == 2 else day.replace(day=index * 10 + 10)
    if period_type == MONTH:
        return month_end(day)
    if period_type == QUARTER:
        return month_end(date(day.year, quarter_of(day) * 3, 1))
    if period_type == YEAR:
        return date(day.year, 12, 31)
    raise ValueError(f"unknown period type {period_type!r}")


def period_of(period_type: str, day: date) -> Period:
    """The period of the given type that contains ``day``."""
    if period_type == WEEK:
        return Period(WEEK, week_start(day), week_start(day) + timedelta(days=6))
    return Period(period_type, period_start(period_type, day), period_end(period_type, day))


def periods_between(period_type: str, start: date, end: date) -> Iterator[Period]:
    """Every period of the type that overlaps [start, end], in order (whole periods)."""
    day = period_start(period_type, start)
    while day <= end:
        period = period_of(period_type, day)
        yield period
        day = period.end + timedelta(days=1)


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def week_start(day: date) -> date:
    """The Monday of the entry week (Monday–Sunday) that contains ``day``."""
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    """The seven days of the entry week that starts on ``monday``."""
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    return [monday + timedelta(days=offset) for offset in range(7)]


def label_zh(period_type: str, day: date) -> str:
    """Chinese label: 2021年10月1日, 2021年10月上旬, 2021年10月, 2021年第四季度, 2021年."""
    start = period_start(period_type, day)
    if period_type == DAY:
        return f"{start.year}年{start.month}月{start.day}日"
    if period_type == DEKAD:
        return f"{start.year}年{start.month}月{DEKAD_NAMES_ZH[dekad_index(start)]}"
    if period_type == MONTH:
        return f"{start.year}年{start.month}月"
    if period_type == QUARTER:
        return f"{start.year}年{QUARTER_NAMES_ZH[quarter_of(start) - 1]}"
    if period_type == YEAR:
        return f"{start.year}年"
    raise ValueError(f"unknown period type {period_type!r}")


def label_en(period_type: str, day: date) -> str:
    """English label: 2021-10-01, Oct 2021 (early), Oct 2021, Q4 2021, 2021."""
    start = period_start(period_type, day)
    if period_type == DAY:
        return start.isoformat()
    if period_type == DEKAD:
        return f"{start:%b %Y} ({DEKAD_NAMES_EN[dekad_index(start)]})"
    if period_type == MONTH:
        return f"{start:%b %Y}"
    if period_type == QUARTER:
        return f"Q{quarter_of(start)} {start.year}"
    if period_type == YEAR:
        return str(start.year)
    raise ValueError(f"unknown period type {period_type!r}")


def label(period_type: str, day: date, language: str = "zh-hans") -> str:
    return label_en(period_type, day) if language.startswith("en") else label_zh(period_type, day)


def clip(day: date, start: date, end: date) -> date:
    """``day`` moved into [start, end]."""
    return max(start, min(day, end))


CALENDAR_COLUMNS = (
    "day",
    "n",
    "dekad_start",
    "dekad_end",
    "month_start",
    "month_end",
    "quarter_start",
    "quarter_end",
    "year_start",
    "year_end",
    "last_sunday_n",
    "last_dekad_end_n",
    "last_month_end_n",
)


def calendar_rows(first: date, last: date) -> Iterator[tuple]:
    """Rows of the roll-up calendar table for every day of [first, last], in the order of
    ``CALENDAR_COLUMNS``: (day, ordinal, 旬 start, 旬 end, month start, month end, quarter
    start, quarter end, year start, year end, and the ordinals of the last Sunday, 旬 end
    and month end on or before the day: the report day a weekly, 旬 or monthly figure read
    on that day rests on)."""
    for day in days_between(first, last):
        yield (
            day,
            day.toordinal(),
            *(
                bound
                for kind in (DEKAD, MONTH, QUARTER, YEAR)
                for bound in (
                    period_start(kind, day),
                    period_end(kind, day),
                )
            ),
            *(last_period_end(cadence, day).toordinal() for cadence in (WEEKLY, DEKADAL, MONTHLY)),
        )


# ---- Cadence: which days a figure may be dated on, which reports a week holds.


def cadence_period(cadence: str, day: date) -> Period:
    """The period one report of ``cadence`` covers that contains ``day``: the day itself
    (daily; once: the done day), its Monday–Sunday week, its 旬 or its month."""
    try:
        return period_of(CADENCE_PERIOD[cadence], day)
    except KeyError:
        raise ValueError(f"unknown cadence {cadence!r}") from None


def is_period_end(cadence: str, day: date) -> bool:
    """Whether a figure of ``cadence`` may be dated on ``day``: the last day of its period
    (every day for daily and once; Sundays for weekly; the 10th, the 20th and the month's
    last day for 旬; the month's last day for monthly)."""
    return cadence_period(cadence, day).end == day


def periods_ending_in_week(cadence: str, monday: date) -> list[Period]:
    """The periods of ``cadence`` whose last day falls in the entry week starting on
    ``monday`` (Monday..Sunday), in order: seven days (daily, once), one week (dated on
    Sunday), none or one 旬 (旬 ends are 8 to 11 days apart), none or one month."""
    return [cadence_period(cadence, day) for day in week_days(monday) if is_period_end(cadence, day)]


def last_period_end(cadence: str, day: date) -> date:
    """The last day on or before ``day`` that ends a period of ``cadence``: the day of the
    latest figure a view ending on ``day`` can rest on."""
    period = cadence_period(cadence, day)
    return day if period.end == day else period.start - timedelta(days=1)


def reported_through(cadence: str, last_day: date) -> date | None:
    """For a view (a day, 旬, month …) whose last day is ``last_day``: ``None`` when the
    cadence reports exactly up to that day (the view's figure is exact), else the last
    period end before it (the view's figure is "as of the last report", that day)."""
    through = last_period_end(cadence, last_day)
    return None if through == last_day else through
