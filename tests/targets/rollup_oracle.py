"""A straightforward Python recomputation of every PeriodValue row, day by day and period
by period, from the roll-up semantics written in ``targets.rollups``' docstring. The
property tests compare the SQL roll-up with it."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min

from targets import periods, plan, rollups
from targets.models import Entry, Indicator, PeriodValue

Q4 = Decimal("0.0001")
AGGREGATES = (periods.DEKAD, periods.MONTH, periods.QUARTER, periods.YEAR)


def _rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if denominator is None or denominator <= 0:
        return None
    return ((numerator or Decimal(0)) * 100 / denominator).quantize(Q4, rounding=ROUND_HALF_UP)


def _ends_a_report_period(cadence: str, day: date) -> bool:
    """Whether a figure of ``cadence`` is reported on ``day``: every day (daily), Sundays,
    the 10th, the 20th and a month's last day (旬), a month's last day (monthly)."""
    month_ends = (day + timedelta(days=1)).day == 1
    if cadence == "weekly":
        return day.isoweekday() == 7
    if cadence == "dekad":
        return day.day in (10, 20) or month_ends
    if cadence == "monthly":
        return month_ends
    return True


def judged_on(ind: Indicator, day: date) -> date:
    """The day whose cumulative plan the status on ``day`` compares with: the last report
    day on or before it (the plan's last day is one; a milestone is judged on the day)."""
    if ind.kind == Indicator.Kind.MILESTONE:
        return day
    while day < ind.plan_end and not _ends_a_report_period(ind.cadence, day):
        day -= timedelta(days=1)
    return day


def expected_rows(today: date) -> dict[tuple, tuple]:
    """{(indicator id, period type, period start): (period end, actual, cumulative actual,
    planned, cumulative planned, status)} for every indicator in the database."""
    rows: dict[tuple, tuple] = {}
    indicators = list(Indicator.objects.order_by("id"))
    for ind in indicators:
        if ind.kind == Indicator.Kind.RATIO:
            continue
        milestone = ind.kind == Indicator.Kind.MILESTONE
        has_plan = milestone or ind.target_value is not None
        daily = plan.daily_plan(
            ind.target_value, ind.plan_start, ind.plan_end, ind.monthly_weights, milestone=milestone
        )
        track = ind.tracking_start or ind.plan_start
        opening = ind.opening_value or Decimal(0)
        values = {
            e.date: e.value
            for e in Entry.objects.filter(indicator=ind, date__gte=track, date__lte=ind.plan_end)
        }
        days = list(periods.days_between(ind.plan_start, ind.plan_end))

        def cum_actual(day, ind=ind, values=values, track=track, opening=opening):
            if day < track:
                return None
            seen = [values[d] for d in sorted(values) if d <= day]
            if ind.kind == Indicator.Kind.AMOUNT:
                return opening + sum(seen, Decimal(0))
            if ind.kind == Indicator.Kind.LEVEL:
                return seen[-1] if seen else opening
            return Decimal(1) if any(v != 0 for v in seen) else Decimal(0)

        cum_plan = {}
        running = Decimal(0)
        for day in days:
            running += daily[day]
            cum_plan[day] = running

        def day_status(day, ind=ind, cum_actual=cum_actual, cum_plan=cum_plan, has_plan=has_plan):
            # Between two reports the figures rest on the last one: judged on the plan to
            # it (nothing planned before the plan starts), with the actual of the day.
            if day > today:
                return "none"
            judged = cum_plan.get(judged_on(ind, day), Decimal(0))
            return plan.status(cum_actual(day), judged if has_plan else None)

        for day in days:
            actual = cum_actual(day) if milestone else values.get(day)
            rows[(ind.id, "day", day)] = (
                day,
                actual,
                cum_actual(day),
                daily[day],
                cum_plan[day],
                day_status(day),
            )
        for period_type in AGGREGATES:
            for period in periods.periods_between(period_type, ind.plan_start, ind.plan_end):
                first, last = max(period.start, ind.plan_start), min(period.end, ind.plan_end)
                entered = [values[d] for d in sorted(values) if first <= d <= last]
                if ind.kind == Indicator.Kind.AMOUNT:
                    actual = sum(entered, Decimal(0)) if entered else None
                elif ind.kind == Indicator.Kind.LEVEL:
                    actual = cum_actual(last) if entered else None
                else:
                    actual = cum_actual(last)
                rows[(ind.id, period_type, period.start)] = (
                    period.end,
                    actual,
                    cum_actual(last),
                    sum((daily[d] for d in periods.days_between(first, last)), Decimal(0)),
                    cum_plan[last],
                    "none" if today < first else day_status(min(last, today)),
                )
    for ind in indicators:
        if ind.kind != Indicator.Kind.RATIO:
            continue
        for (pk, period_type, start), numerator in list(rows.items()):
            if pk != ind.numerator_id:
                continue
            denominator = rows.get((ind.denominator_id, period_type, start))
            end = numerator[0]
            if denominator is None or end < ind.plan_start or start > ind.plan_end:
                continue
            cum_rate = _rate(numerator[2], denominator[2])
            target = ind.target_value
            rows[(ind.id, period_type, start)] = (
                end,
                # A period's rate is the rate to its end, shown when a part has a figure in it.
                cum_rate if numerator[1] is not None or denominator[1] is not None else None,
                cum_rate,
                target or Decimal(0),
                target or Decimal(0),
                "none" if start > today else plan.status(cum_rate, target),
            )
    return {key: _normal(value) for key, value in rows.items()}


def _normal(row: tuple) -> tuple:
    return tuple(v.quantize(Q4) if isinstance(v, Decimal) else v for v in row)


def stored_rows(today: date) -> dict[tuple, tuple]:
    """The PeriodValue rows (旬 and longer) and every day of every plan as
    ``rollups.day_values`` reads it, in the same shape as ``expected_rows``."""
    rows = list(PeriodValue.objects.all())
    bounds = Indicator.objects.aggregate(first=Min("plan_start"), last=Max("plan_end"))
    if bounds["first"] is not None:
        for days in rollups.day_values(None, bounds["first"], bounds["last"], today=today).values():
            rows += days
    return {
        (pv.indicator_id, pv.period_type, pv.period_start): _normal(
            (
                pv.period_end,
                pv.actual,
                pv.cumulative_actual,
                pv.planned,
                pv.cumulative_planned,
                pv.status,
            )
        )
        for pv in rows
    }


def as_of_differences(expected: dict, days: list[date], today: date) -> list[str]:
    """Where ``rollups.day_values`` read "as of" each of ``days`` (one row per indicator: on
    that day, or on the plan's last day when it ended earlier) differs from ``expected``."""
    out = []
    plans = {ind.id: (ind.plan_start, ind.plan_end) for ind in Indicator.objects.all()}
    for day in days:
        read = rollups.day_values(None, day, today=today)
        for pk, (start, end) in plans.items():
            key = (pk, "day", min(day, end))
            want = expected.get(key) if day >= start else None
            got = read.get(pk)
            got = (
                None
                if got is None
                else _normal(
                    (
                        got[0].period_end,
                        got[0].actual,
                        got[0].cumulative_actual,
                        got[0].planned,
                        got[0].cumulative_planned,
                        got[0].status,
                    )
                )
            )
            if want != got:
                out.append(f"as of {day}: {key}: expected {want}, read {got}")
    return out


def differences(expected: dict, stored: dict, limit: int = 5) -> list[str]:
    """Human-readable differences (at most ``limit``), empty when they agree."""
    out = []
    for key in sorted(set(expected) | set(stored), key=str):
        if expected.get(key) != stored.get(key):
            out.append(f"{key}: expected {expected.get(key)}, stored {stored.get(key)}")
            if len(out) >= limit:
                break
    return out
