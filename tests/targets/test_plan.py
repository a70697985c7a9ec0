"""Plan decomposition: days → 旬 → month → quarter → total add up exactly to the target."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets import periods, plan

D = Decimal
Q4 = (date(2021, 10, 1), date(2021, 12, 31))


def nests_exactly(daily: dict, target: Decimal, start: date, end: date) -> None:
    assert sum(daily.values()) == target
    for parent, child in ((periods.MONTH, periods.DEKAD), (periods.QUARTER, periods.MONTH)):
        for big in periods.periods_between(parent, start, end):
            small = [p for p in periods.periods_between(child, big.start, big.end)]
            assert plan.period_plan(daily, big.start, big.end) == sum(
                plan.period_plan(daily, p.start, p.end) for p in small
            )
    assert all(value == value.quantize(D("0.0001")) and value >= 0 for value in daily.values())


def test_it_spreads_a_target_evenly_over_the_days_and_closes_on_it_exactly():
    daily = plan.daily_plan(D("433.2"), date(2021, 1, 1), date(2021, 12, 31))
    assert len(daily) == 365
    assert daily[date(2021, 1, 1)] == D("1.1868")
    assert sum(daily.values()) == D("433.2")
    # Q4 is 92 of 365 days: 433.2 × 92 ÷ 365 = 109.19013…
    assert plan.period_plan(daily, date(2021, 10, 1), date(2021, 12, 31)) == D("109.1901")
    nests_exactly(daily, D("433.2"), date(2021, 1, 1), date(2021, 12, 31))


def test_it_follows_monthly_weights_spread_evenly_within_each_month():
    weights = {"2021-10": "0.30", "2021-11": "0.35", "2021-12": "0.35"}
    daily = plan.daily_plan(D("15"), *Q4, weights)
    assert plan.period_plan(daily, date(2021, 10, 1), date(2021, 10, 31)) == D("4.5")
    assert plan.period_plan(daily, date(2021, 11, 1), date(2021, 11, 30)) == D("5.25")
    assert plan.period_plan(daily, date(2021, 12, 1), date(2021, 12, 31)) == D("5.25")
    assert daily[date(2021, 11, 1)] == D("0.175")
    nests_exactly(daily, D("15"), *Q4)


def test_it_puts_a_milestone_plan_on_its_due_day():
    daily = plan.daily_plan(None, *Q4, milestone=True)
    assert daily[date(2021, 12, 31)] == 1
    assert sum(daily.values()) == 1
    assert plan.cumulative_plan(None, *Q4, date(2021, 12, 30), milestone=True) == 0


def test_it_plans_nothing_without_a_target():
    assert set(plan.daily_plan(None, *Q4).values()) == {D("0")}


@settings(max_examples=60, deadline=None)
@given(
    target=st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False),
    start=st.dates(date(2020, 1, 1), date(2024, 12, 31)),
    length=st.integers(1, 500),
    weighted=st.booleans(),
    weights=st.lists(st.sampled_from(["0", "0.1", "0.3", "0.35", "1", "2.5"]), min_size=17, max_size=17),
)
def test_it_nests_days_into_every_period_exactly(target, start, length, weighted, weights):
    end = date.fromordinal(start.toordinal() + length - 1)
    months = [p.start for p in periods.periods_between(periods.MONTH, start, end)]
    monthly = (
        {f"{m.year:04d}-{m.month:02d}": w for m, w in zip(months, weights, strict=False)}
        if weighted
        else None
    )
    daily = plan.daily_plan(target, start, end, monthly)
    nests_exactly(daily, target, start, end)
    middle = date.fromordinal(start.toordinal() + length // 2)
    so_far = sum(value for day, value in daily.items() if day <= middle)
    assert plan.cumulative_plan(target, start, end, middle, monthly) == so_far


def test_it_measures_time_progress_clipped_to_the_plan():
    assert plan.time_progress(*Q4, date(2021, 9, 1)) == 0
    assert plan.time_progress(*Q4, date(2021, 10, 1)) == D("0.0109")
    assert plan.time_progress(*Q4, date(2021, 11, 15)) == D("0.5")
    assert plan.time_progress(*Q4, date(2022, 3, 1)) == 1


@pytest.mark.parametrize(
    ("actual", "planned", "expected"),
    [
        (D("10"), D("10"), "green"),
        (D("12"), D("10"), "green"),
        (D("9"), D("10"), "yellow"),
        (D("8.9999"), D("10"), "red"),
        (None, D("10"), "none"),
        (D("0"), D("0"), "none"),
        (D("1"), D("0"), "green"),
    ],
)
def test_it_grades_progress_against_the_plan(actual, planned, expected):
    assert plan.status(actual, planned) == expected


def test_it_follows_the_thresholds_in_settings(settings):  # noqa: F811 (pytest-django fixture)
    settings.STATUS_YELLOW_AT = 0.8
    assert plan.status(D("8.5"), D("10")) == "yellow"


def test_it_marks_a_milestone_red_once_overdue():
    due = date(2021, 10, 31)
    assert plan.milestone_status(None, due, date(2021, 10, 30)) == "none"
    assert plan.milestone_status(None, due, date(2021, 10, 31)) == "red"
    assert plan.milestone_status(date(2021, 10, 20), due, date(2021, 11, 5)) == "green"


def test_it_tells_the_daily_rate_needed_to_catch_up():
    assert plan.catch_up_rate(D("433.2"), D("400"), 10) == D("3.32")
    assert plan.catch_up_rate(D("10"), D("12"), 10) == 0
    assert plan.catch_up_rate(D("10"), D("5"), 0) is None
    assert plan.catch_up_rate(None, D("5"), 3) is None
