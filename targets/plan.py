"""Plan decomposition (到月、到旬、到天): an indicator's target spread over the days of its
plan period, time progress, status and catch-up rate. Pure functions on plain values
(Decimal figures, ``datetime.date`` days); no models, no database.

How a target is spread:

- **linear** (default): evenly over the calendar days of [plan_start, plan_end];
- **monthly weights** (``{"2021-10": "0.30", "2021-11": "0.35", …}``): each month of the plan
  period gets its weight's share (weights are normalised; a month without a weight gets
  nothing), spread evenly over that month's days inside the plan period;
- **旬 weights** (keys ``"2021-10-1"``, ``"2021-10-2"``, ``"2021-10-3"`` for 上/中/下旬, beside
  or instead of month weights): a month with 旬 weights splits its share among its 旬 by
  them (normalised within the month; a 旬 without a weight gets nothing), each spread
  evenly over its days. Without month weights, a month's share is its number of days;
- **milestone**: the whole plan (1 = done) falls on the due day, ``plan_end``.

Rounding: the *cumulative* plan at each day is rounded half up to 4 places (the model's
``VALUE_PLACES``), and a day's plan is the difference between two neighbouring cumulative
plans. So rounding never accumulates: the last day closes the total exactly on the target,
every period's plan is the sum of its days, and days → 旬 → month → quarter → total nest
exactly. ``targets.rollups`` computes the very same integers in SQL from ``plan_segments``.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd, lcm

from django.conf import settings

from .periods import DEKAD, days_between, dekad_index, month_end, period_end

SCALE = 10_000  # 4 decimal places: figures travel through SQL as integers of 1/10 000
PLACES = Decimal("0.0001")

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
_MONTH_KEY = re.compile(r"^\d{4}-\d{2}$")
_DEKAD_KEY = re.compile(r"^\d{4}-\d{2}-[123]$")


@dataclass(frozen=True)
class Segment:
    """A stretch of the plan period with an even spread: its days ``start``..``end``
    (``days`` of them) carry ``weight`` out of ``total_weight``; ``before`` is the weight of
    all earlier segments. Integers, so SQL and Python compute the same plan exactly.

    Cumulative plan (in 1/10 000) on the j-th day of the segment (j = 0 is the day before):
    round_half_up(target × (before × days + weight × j) ÷ (total_weight × days)).
    """

    start: date
    end: date
    before: int
    weight: int
    days: int
    total_weight: int


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def dekad_key(day: date) -> str:
    """The weight key of the 旬 holding ``day``: ``2021-10-1`` (上旬) … ``2021-10-3`` (下旬)."""
    return f"{_month_key(day)}-{dekad_index(day) + 1}"


def _dekad_spans(first: date, last: date) -> list[tuple[date, date]]:
    """The 旬 of one month's span [first, last], clipped to it."""
    spans = []
    day = first
    while day <= last:
        end = min(period_end(DEKAD, day), last)
        spans.append((day, end))
        day = end + timedelta(days=1)
    return spans


def _month_spans(start: date, end: date) -> list[tuple[date, date]]:
    spans = []
    day = start
    while day <= end:
        last = min(month_end(day), end)
        spans.append((day, last))
        day = last + timedelta(days=1)
    return spans


def plan_segments(
    start: date, end: date, weights: dict | None = None, *, milestone: bool = False
) -> list[Segment]:
    """The even stretches of a plan over [start, end] (see the module docstring)."""
    days = (end - start).days + 1
    if days <= 0:
        raise ValueError(f"plan ends ({end}) before it starts ({start})")
    if milestone:
        segments = []
        if days > 1:
            segments.append(Segment(start, end - timedelta(days=1), 0, 0, days - 1, 1))
        segments.append(Segment(end, end, 0, 1, 1, 1))
        return segments
    linear = [Segment(start, end, 0, 1, days, 1)]
    if not weights:
        return linear
    spans = _month_spans(start, end)
    if any(_MONTH_KEY.match(str(key)) for key in weights):
        shares = [Fraction(str(weights.get(_month_key(first), 0))) for first, _ in spans]
    elif any(_DEKAD_KEY.match(str(key)) for key in weights):
        shares = [Fraction((last - first).days + 1) for first, last in spans]
    else:
        return linear
    if sum(shares) <= 0 or any(share < 0 for share in shares):
        return linear
    pieces = []  # (first day, last day, share of the target)
    for (first, last), share in zip(spans, shares, strict=True):
        dekads = _dekad_spans(first, last)
        split = [Fraction(str(weights.get(dekad_key(day), 0))) for day, _ in dekads]
        if any(dekad_key(day) in weights for day, _ in dekads) and sum(split) > 0 and min(split) >= 0:
            pieces += [(d1, d2, share * w / sum(split)) for (d1, d2), w in zip(dekads, split, strict=True)]
        else:
            pieces.append((first, last, share))
    scale = lcm(*(share.denominator for _f, _l, share in pieces))
    ints = [int(share * scale) for _f, _l, share in pieces]
    common = gcd(*ints)
    ints = [weight // common for weight in ints]
    total = sum(ints)
    segments, before = [], 0
    for (first, last, _share), weight in zip(pieces, ints, strict=True):
        segments.append(Segment(first, last, before, weight, (last - first).days + 1, total))
        before += weight
    return segments


def _div_half_up(numerator: int, denominator: int) -> int:
    """Round numerator ÷ denominator half up, for numerator ≥ 0 and denominator > 0 — the
    same integer maths the roll-up SQL does: (2n + d) div 2d."""
    return (2 * numerator + denominator) // (2 * denominator)


def segment_cumulative(target_units: int, segment: Segment, j: int) -> int:
    """Cumulative plan in 1/10 000 at the j-th day of ``segment`` (j = 0: the day before)."""
    return _div_half_up(
        target_units * (segment.before * segment.days + segment.weight * j),
        segment.total_weight * segment.days,
    )


def to_units(value: Decimal) -> int:
    """A figure in 1/10 000 (exact integer)."""
    return int((Decimal(value) * SCALE).to_integral_value(rounding=ROUND_HALF_UP))


def from_units(units: int) -> Decimal:
    return (Decimal(units) / SCALE).quantize(PLACES)


def cumulative_plan_units(
    target: Decimal, start: date, end: date, weights: dict | None = None, *, milestone: bool = False
) -> dict[date, int]:
    """Cumulative plan in 1/10 000 on every day of [start, end]."""
    units = SCALE if milestone else to_units(target)
    result = {}
    for segment in plan_segments(start, end, weights, milestone=milestone):
        for j, day in enumerate(days_between(segment.start, segment.end), start=1):
            result[day] = segment_cumulative(units, segment, j)
    return result


def daily_plan(
    target: Decimal | None,
    start: date,
    end: date,
    weights: dict | None = None,
    *,
    milestone: bool = False,
) -> dict[date, Decimal]:
    """Each day's plan over [start, end] (Decimal, 4 places); the days add up exactly to
    ``target`` (1 for a milestone, due on ``end``). No target: every day plans 0."""
    if target is None and not milestone:
        return {day: Decimal("0.0000") for day in days_between(start, end)}
    cumulative = cumulative_plan_units(target, start, end, weights, milestone=milestone)
    result, previous = {}, 0
    for day, units in cumulative.items():
        result[day] = from_units(units - previous)
        previous = units
    return result


def cumulative_plan(
    target: Decimal | None,
    start: date,
    end: date,
    as_of: date,
    weights: dict | None = None,
    *,
    milestone: bool = False,
) -> Decimal:
    """Plan from ``start`` up to and including ``as_of`` (clipped into the plan period;
    0 before it starts)."""
    if (target is None and not milestone) or as_of < start:
        return Decimal("0.0000")
    cumulative = cumulative_plan_units(target, start, end, weights, milestone=milestone)
    return from_units(cumulative[min(as_of, end)])


def period_plan(daily: dict[date, Decimal], first: date, last: date) -> Decimal:
    """The plan of any period [first, last]: the sum of its days inside the plan."""
    return sum((value for day, value in daily.items() if first <= day <= last), Decimal("0.0000"))


def time_progress(start: date, end: date, as_of: date) -> Decimal:
    """Share of the plan period elapsed by the end of ``as_of`` (clipped into the
    period): elapsed days ÷ days in the plan, 0–1, 4 places. Before the plan starts: 0."""
    total = (end - start).days + 1
    if as_of < start:
        return Decimal("0.0000")
    elapsed = (min(as_of, end) - start).days + 1
    return (Decimal(elapsed) / Decimal(total)).quantize(PLACES, rounding=ROUND_HALF_UP)


def thresholds() -> tuple[Decimal, Decimal]:
    """(green, yellow) thresholds on cumulative actual ÷ cumulative plan, from settings."""
    return Decimal(str(settings.STATUS_GREEN_AT)), Decimal(str(settings.STATUS_YELLOW_AT))


def status(cum_actual: Decimal | None, cum_plan: Decimal | None) -> str:
    """时间进度同步: "green" (同步/超前) when cumulative actual ≥ STATUS_GREEN_AT × cumulative
    plan, "yellow" (滞后) when ≥ STATUS_YELLOW_AT ×, else "red" (严重滞后). "none" when
    nothing can be compared: no actual known, or no plan yet (with a plan of 0, anything
    achieved counts as ahead). A milestone's plan is 1 from its due day on, so an overdue
    milestone not done (0 of 1) is red, and one done early is green."""
    if cum_actual is None or cum_plan is None:
        return NONE
    if cum_plan <= 0:
        return GREEN if cum_actual > 0 else NONE
    green, yellow = thresholds()
    if cum_actual >= green * cum_plan:
        return GREEN
    if cum_actual >= yellow * cum_plan:
        return YELLOW
    return RED


def milestone_status(done_on: date | None, due: date, as_of: date) -> str:
    """A milestone: green once done, red once overdue (``as_of`` after the due day, or the
    due day itself at its end) and not done, otherwise none yet."""
    if done_on is not None and done_on <= as_of:
        return GREEN
    return RED if as_of >= due else NONE


def catch_up_rate(target: Decimal | None, cum_actual: Decimal | None, days_left: int) -> Decimal | None:
    """What must be done per remaining day to reach the target: (target − cumulative
    actual) ÷ days left, in the indicator's unit per day, 4 places; 0 once the target is
    reached; None without a target or with no day left."""
    if target is None or days_left <= 0:
        return None
    remaining = Decimal(target) - (cum_actual or Decimal("0"))
    if remaining <= 0:
        return Decimal("0.0000")
    return (remaining / days_left).quantize(PLACES, rounding=ROUND_HALF_UP)
