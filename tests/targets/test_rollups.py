"""The roll-up engine: entries → PeriodValue rows for day, 旬, month, quarter and year."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targets import periods, rollups
from targets.models import Department, Entry, Goal, Indicator, PeriodValue
from targets.seed.briefing import plan as briefing_plan
from tests.demo_data import DEMO_DAY, SeededDemo
from tests.targets.rollup_oracle import as_of_differences, differences, expected_rows, stored_rows

TODAY = date(2026, 1, 1)  # every 2021 period is in the past
D = Decimal


@pytest.fixture
def org(db):
    department = Department.objects.create(code="econ", name="经济发展局")
    goal = Goal.objects.create(plan=briefing_plan(), code="s4", name="抓好经济运行", level=Goal.Level.SECTION)
    return department, goal


def make_indicator(org, code, kind, start, end, target=None, **extra):
    department, goal = org
    return Indicator.objects.create(
        code=code,
        name=code,
        kind=kind,
        target_value=target,
        plan_start=start,
        plan_end=end,
        department=department,
        goal=goal,
        **extra,
    )


def row(indicator, period_type, start, today=TODAY):
    if period_type == "day":  # not stored: read from the entries, the plan and the 旬 rows
        (day,) = rollups.day_values([indicator.id], start, start, today=today)[indicator.id]
        return day
    return PeriodValue.objects.get(indicator=indicator, period_type=period_type, period_start=start)


def test_it_tracks_the_full_year_investment_from_october_with_its_opening_value(org):
    investment = make_indicator(
        org,
        "kp-investment",
        Indicator.Kind.AMOUNT,
        date(2021, 1, 1),
        date(2021, 12, 31),
        D("433.2"),
        tracking_start=date(2021, 10, 1),
        opening_value=D("300.5"),
    )
    Entry.objects.create(indicator=investment, date=date(2021, 10, 1), value=D("1.25"))
    Entry.objects.create(indicator=investment, date=date(2021, 10, 31), value=D("2.5"))
    Entry.objects.create(indicator=investment, date=date(2021, 11, 1), value=D("0.0001"))
    rollups.refresh(today=TODAY)

    september = row(investment, "day", date(2021, 9, 30))
    assert september.cumulative_actual is None and september.status == "none"
    october = row(investment, "month", date(2021, 10, 1))
    assert october.actual == D("3.75")
    assert october.cumulative_actual == D("304.25")
    year = row(investment, "year", date(2021, 1, 1))
    assert year.planned == D("433.2") and year.cumulative_planned == D("433.2")
    assert year.cumulative_actual == D("304.2501")
    assert year.status == "red"
    # The plan of the year is its days' plans: 433.2 ÷ 365 a day, rounded without drift.
    assert row(investment, "day", date(2021, 1, 1)).planned == D("1.1868")
    assert not PeriodValue.objects.filter(indicator=investment, period_type="day").exists()
    assert (
        len(rollups.day_values([investment.id], date(2021, 1, 1), date(2021, 12, 31))[investment.id]) == 365
    )
    assert PeriodValue.objects.filter(indicator=investment, period_type="dekad").count() == 36


def test_it_judges_a_month_in_progress_on_its_days_so_far(org):
    signed = make_indicator(
        org, "signed", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("92")
    )
    for day in range(1, 16):
        Entry.objects.create(indicator=signed, date=date(2021, 11, day), value=D("1"))
    Entry.objects.create(indicator=signed, date=date(2021, 10, 31), value=D("31"))
    rollups.refresh(today=date(2021, 11, 15))

    november = row(signed, "month", date(2021, 11, 1))
    # 46 done by 15 Nov against a plan of 46 by then: on time, although November's plan is 30.
    assert november.status == "green"
    assert november.planned == D("30")
    assert row(signed, "month", date(2021, 12, 1)).status == "none"
    assert row(signed, "day", date(2021, 11, 16), today=date(2021, 11, 15)).status == "none"


def test_it_marks_an_overdue_milestone_red_and_a_done_one_green(org):
    online = make_indicator(
        org, "platform-online", Indicator.Kind.MILESTONE, date(2021, 10, 1), date(2021, 10, 31)
    )
    late = make_indicator(org, "bridge-done", Indicator.Kind.MILESTONE, date(2021, 10, 1), date(2021, 10, 31))
    Entry.objects.create(indicator=online, date=date(2021, 10, 20), value=D("1"))
    rollups.refresh(today=TODAY)

    assert row(online, "day", date(2021, 10, 19)).cumulative_actual == 0
    assert row(online, "day", date(2021, 10, 20)).status == "green"
    assert row(online, "month", date(2021, 10, 1)).actual == 1
    assert row(late, "day", date(2021, 10, 30)).status == "none"
    assert row(late, "day", date(2021, 10, 31)).status == "red"
    assert row(late, "month", date(2021, 10, 1)).status == "red"


def test_it_keeps_a_level_at_its_last_value(org):
    households = make_indicator(
        org, "houses", Indicator.Kind.LEVEL, date(2021, 10, 1), date(2021, 12, 31), D("45")
    )
    Entry.objects.create(indicator=households, date=date(2021, 10, 5), value=D("10"))
    Entry.objects.create(indicator=households, date=date(2021, 10, 25), value=D("30"))
    rollups.refresh(today=TODAY)

    assert row(households, "day", date(2021, 10, 24)).cumulative_actual == D("10")
    assert row(households, "dekad", date(2021, 10, 21)).actual == D("30")
    assert row(households, "month", date(2021, 11, 1)).actual is None
    assert row(households, "month", date(2021, 11, 1)).cumulative_actual == D("30")


def test_it_computes_a_ratio_as_a_percentage_of_its_parts(org):
    found = make_indicator(org, "found", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31))
    fixed = make_indicator(org, "fixed", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31))
    rate = make_indicator(
        org,
        "rate",
        Indicator.Kind.RATIO,
        date(2021, 10, 1),
        date(2021, 12, 31),
        D("100"),
        numerator=fixed,
        denominator=found,
    )
    Entry.objects.create(indicator=found, date=date(2021, 10, 2), value=D("3"))
    Entry.objects.create(indicator=fixed, date=date(2021, 10, 3), value=D("2"))
    rollups.refresh(today=TODAY)

    october = row(rate, "month", date(2021, 10, 1))
    assert october.actual == D("66.6667") and october.cumulative_actual == D("66.6667")
    assert october.status == "red"
    assert row(rate, "day", date(2021, 10, 1)).cumulative_actual is None  # nothing found yet

    # A save on a part refreshes the ratio too.
    Entry.objects.create(indicator=fixed, date=date(2021, 11, 3), value=D("1"))
    rollups.refresh([fixed.id], date(2021, 11, 3), date(2021, 11, 3), today=TODAY)
    assert row(rate, "quarter", date(2021, 10, 1)).cumulative_actual == D("100")
    assert row(rate, "quarter", date(2021, 10, 1)).status == "green"


def test_it_gives_a_periods_rate_as_the_rate_to_its_end_never_above_100(org):
    found = make_indicator(org, "found", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31))
    fixed = make_indicator(org, "fixed", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31))
    rate = make_indicator(
        org,
        "rate",
        Indicator.Kind.RATIO,
        date(2021, 10, 1),
        date(2021, 12, 31),
        numerator=fixed,
        denominator=found,
    )
    # 10 found in October, 4 of them rectified then; in November 2 found and 8 rectified
    # (the 6 left from October among them): 8 ÷ 2 would read 400 %.
    Entry.objects.create(indicator=found, date=date(2021, 10, 5), value=D("10"))
    Entry.objects.create(indicator=fixed, date=date(2021, 10, 6), value=D("4"))
    Entry.objects.create(indicator=found, date=date(2021, 11, 5), value=D("2"))
    Entry.objects.create(indicator=fixed, date=date(2021, 11, 6), value=D("8"))
    rollups.refresh(today=TODAY)

    november = row(rate, "month", date(2021, 11, 1))
    assert november.actual == november.cumulative_actual == D("100")  # 12 of 12 to date
    assert row(rate, "month", date(2021, 10, 1)).actual == D("40")


def test_it_gives_identical_rows_when_run_twice(org):
    indicator = make_indicator(
        org, "a", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("10")
    )
    Entry.objects.create(indicator=indicator, date=date(2021, 10, 9), value=D("1.5"))
    assert rollups.refresh(today=TODAY) > 0
    first = list(PeriodValue.objects.values())
    assert rollups.refresh(today=TODAY) == 0
    assert list(PeriodValue.objects.values()) == first


def test_it_moves_later_cumulative_values_when_an_early_day_changes(org):
    indicator = make_indicator(
        org, "a", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("10")
    )
    entry = Entry.objects.create(indicator=indicator, date=date(2021, 10, 9), value=D("1.5"))
    rollups.refresh(today=TODAY)
    entry.value = D("4")
    entry.save()
    rollups.refresh([indicator.id], date(2021, 10, 9), date(2021, 10, 9), today=TODAY)
    assert row(indicator, "day", date(2021, 12, 31)).cumulative_actual == D("4")
    assert row(indicator, "quarter", date(2021, 10, 1)).actual == D("4")


@pytest.mark.parametrize("today, last_dekad", [(date(2021, 12, 8), "none"), (date(2022, 1, 10), "red")])
def test_a_lowered_early_figure_turns_every_later_period_behind_as_a_rebuild_would(org, today, last_dekad):
    """A clerk corrects a weekly figure of early October, in December or after the plan
    ended: the refresh reads the entries of that 旬 (and of the 旬 in progress) again and
    moves every later 旬, month, quarter and year on by the change, each judged again on
    its last report day."""
    weekly = make_indicator(
        org, "w", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("130"), cadence="weekly"
    )
    other = make_indicator(org, "d", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("92"))
    sundays = [date(2021, 10, 3) + timedelta(weeks=n) for n in range(10)]  # 3 Oct … 5 Dec
    for sunday in sundays:
        Entry.objects.create(indicator=weekly, date=sunday, value=D("10"))
        Entry.objects.create(indicator=other, date=sunday, value=D("7"))
    rollups.refresh(today=today)
    november = row(weekly, "month", date(2021, 11, 1), today)
    assert (november.cumulative_actual, november.status) == (D("90"), "green")

    Entry.objects.filter(indicator=weekly, date=sundays[1]).update(value=D("-20"))  # 10 Oct: a correction
    rollups.refresh([weekly.id], sundays[1], sundays[1], today=today)

    november = row(weekly, "month", date(2021, 11, 1), today)
    assert november.actual == D("40")  # its own figures are untouched
    assert (november.cumulative_actual, november.status) == (D("60"), "red")
    assert row(weekly, "dekad", date(2021, 11, 21), today).cumulative_actual == D("60")
    december = row(weekly, "dekad", date(2021, 12, 1), today)  # in progress: judged on 5 December
    assert (december.cumulative_actual, december.status) == (D("70"), "red")
    assert row(weekly, "dekad", date(2021, 12, 21), today).status == last_dekad  # "none" after today
    quarter = row(weekly, "quarter", date(2021, 10, 1), today)
    assert quarter.cumulative_actual == D("70") and row(weekly, "year", date(2021, 1, 1), today).actual == D(
        "70"
    )
    # The other indicator, and everything a full recomputation would write, are as they were.
    assert rollups.refresh(today=today) == 0


def test_it_drops_rows_outside_a_shortened_plan(org):
    indicator = make_indicator(
        org, "a", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("10")
    )
    rollups.refresh(today=TODAY)
    Indicator.objects.filter(pk=indicator.pk).update(plan_end=date(2021, 11, 30))
    rollups.refresh([indicator.id], today=TODAY)
    assert not PeriodValue.objects.filter(indicator=indicator, period_start__gt=date(2021, 11, 30)).exists()
    assert row(indicator, "quarter", date(2021, 10, 1)).planned == D("10")


def test_it_says_when_the_rollup_last_ran(org):
    make_indicator(org, "a", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 10, 31), D("1"))
    rollups.refresh()
    first = rollups.latest_computed_at()
    assert first is not None and first.tzinfo is not None
    rollups.refresh()
    assert rollups.latest_computed_at() >= first


# ---- The property test: random indicators and entries of every kind.

money = st.decimals(min_value=0, max_value=5000, places=4, allow_nan=False, allow_infinity=False)
CADENCES = periods.CADENCES[:-1]  # daily, weekly, 旬, monthly (once is a milestone's)


def report_day(cadence: str, day: date, plan_end: date) -> date:
    """The day a figure for the period of ``cadence`` holding ``day`` is dated on."""
    return min(periods.cadence_period(cadence, day).end, plan_end)


@st.composite
def scenarios(draw):
    start = draw(st.dates(date(2020, 12, 15), date(2024, 2, 20)))
    length = draw(st.integers(1, 130))
    end = start + timedelta(days=length - 1)
    months = sorted({f"{d.year:04d}-{d.month:02d}" for d in (start + timedelta(n) for n in range(length))})
    specs = []
    for kind in draw(st.lists(st.sampled_from(["amount", "level", "milestone"]), min_size=1, max_size=3)):
        # Every cadence: figures fall on its periods' last days (or the plan's last day).
        cadence = "once" if kind == "milestone" else draw(st.sampled_from(CADENCES))
        tracking = draw(st.one_of(st.none(), st.dates(start, end)))
        weights = draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {m: st.sampled_from(["0", "0.1", "0.25", "0.3", "0.35", "1"]) for m in months}
                ),
            )
        )
        first = tracking or start
        days = sorted(
            {report_day(cadence, d, end) for d in draw(st.lists(st.dates(first, end), max_size=12))}
        )
        values = [draw(st.sampled_from([D(0), D(1)]) if kind == "milestone" else money) for _ in days]
        specs.append(
            dict(
                kind=kind,
                cadence=cadence,
                target=draw(st.one_of(st.none(), money)),
                tracking=tracking,
                opening=draw(st.one_of(st.none(), money)) if tracking else None,
                weights=weights,
                entries=dict(zip(days, values, strict=True)),
            )
        )
    with_ratio = draw(st.booleans())
    ratio_parts = [
        {day: draw(money) for day in draw(st.lists(st.dates(start, end), unique=True, max_size=6))}
        for _ in range(2)
    ]
    today = draw(st.dates(start - timedelta(days=3), end + timedelta(days=3)))
    # A clerk's change: one to seven consecutive days from a day in the plan.
    change = draw(st.tuples(st.dates(start, end), st.lists(money, min_size=1, max_size=7)))
    return start, end, specs, (with_ratio, ratio_parts, draw(st.one_of(st.none(), money))), today, change


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios())
def test_it_matches_a_plain_python_recomputation_for_random_entries(org, scenario):
    start, end, specs, (with_ratio, ratio_parts, ratio_target), today, (first_day, new_values) = scenario
    try:
        with transaction.atomic():
            created = []
            for n, spec in enumerate(specs):
                indicator = make_indicator(
                    org,
                    f"i{n}",
                    spec["kind"],
                    start,
                    end,
                    spec["target"],
                    tracking_start=spec["tracking"],
                    opening_value=spec["opening"],
                    monthly_weights=spec["weights"],
                    cadence=spec["cadence"],
                )
                created.append(indicator)
                for day, value in spec["entries"].items():
                    Entry.objects.create(indicator=indicator, date=day, value=value)
            if with_ratio:
                parts = []
                for n, values in enumerate(ratio_parts):
                    part = make_indicator(org, f"part{n}", "amount", start, end)
                    for day, value in values.items():
                        Entry.objects.create(indicator=part, date=day, value=value)
                    parts.append(part)
                make_indicator(
                    org, "ratio", "ratio", start, end, ratio_target, numerator=parts[0], denominator=parts[1]
                )
                created.append(parts[0])

            rollups.refresh(today=today)
            assert not differences(expected_rows(today), stored_rows(today))

            # Incremental after a few changed days == full recomputation.
            touched = created[0]
            changed = [first_day + timedelta(days=n) for n in range(len(new_values))]
            changed = [
                (day, value)
                for day, value in zip(changed, new_values, strict=True)
                if touched.takes_figure_on(day)
            ]
            if changed:
                for day, value in changed:
                    value = D(1) if touched.kind == "milestone" else value
                    Entry.objects.update_or_create(indicator=touched, date=day, defaults={"value": value})
                rollups.refresh([touched.id], changed[0][0], changed[-1][0], today=today)
                incremental = stored_rows(today)
                expected = expected_rows(today)
                assert not differences(expected, incremental)
                # A dashboard's read "as of" a day (one row per indicator) agrees too.
                days = [start, changed[0][0], today, end + timedelta(days=2)]
                assert not as_of_differences(expected, days, today)
                assert rollups.refresh(today=today) == 0  # the full rebuild finds nothing to change
                assert stored_rows(today) == incremental
            raise Rollback
    except Rollback:
        pass


@st.composite
def cadence_scenarios(draw):
    """An amount and a level reported at one cadence: one figure per period (or none),
    dated on the period's last day (the plan's, for the last period cut short)."""
    cadence = draw(st.sampled_from(CADENCES))
    start = draw(st.dates(date(2020, 12, 1), date(2024, 2, 20)))
    end = start + timedelta(days=draw(st.integers(1, 140)) - 1)
    report_days = sorted({report_day(cadence, d, end) for d in periods.days_between(start, end)})
    figures = {}
    for kind in ("amount", "level"):
        days = draw(st.lists(st.sampled_from(report_days), unique=True, max_size=len(report_days)))
        figures[kind] = {day: draw(money) for day in sorted(days)}
    opening = draw(st.one_of(st.none(), money))
    return cadence, start, end, figures, opening


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=cadence_scenarios())
def test_every_periods_actual_and_cumulative_is_an_independent_sum_at_every_cadence(org, scenario):
    """Entries at any cadence → roll-up → each 旬, month, quarter and year holds, exactly,
    the figures reported for the cadence's periods that end in it (an amount's sum, a
    level's last), its cumulative the opening plus every report up to its end; a day
    between two reports reads as of the last report (nothing is spread over days)."""
    cadence, start, end, figures, opening = scenario
    try:
        with transaction.atomic():
            made = {}
            for kind, reports in figures.items():
                made[kind] = make_indicator(
                    org, kind, kind, start, end, D(100), cadence=cadence, opening_value=opening
                )
                for day, value in reports.items():
                    assert made[kind].takes_figure_on(day)
                    Entry.objects.create(indicator=made[kind], date=day, value=value)
            rollups.refresh(today=TODAY)
            for kind, indicator in made.items():
                reports = figures[kind]
                base = opening or D(0)
                for period_type in rollups.AGGREGATES:
                    for period in periods.periods_between(period_type, start, end):
                        pv = row(indicator, period_type, period.start)
                        inside = [v for d, v in reports.items() if period.start <= d <= period.end]
                        upto = [v for d, v in reports.items() if d <= period.end]
                        if kind == "amount":
                            assert pv.actual == (sum(inside, D(0)) if inside else None)
                            assert pv.cumulative_actual == base + sum(upto, D(0))
                        else:
                            assert pv.actual == (inside[-1] if inside else None)
                            assert pv.cumulative_actual == (upto[-1] if upto else base)
                for day_row in rollups.day_values([indicator.pk], start, end, today=TODAY)[indicator.pk]:
                    day = day_row.period_start
                    # A day's own figure only on a report day: none is spread over days.
                    assert day_row.actual == reports.get(day)
                    upto = [v for d, v in reports.items() if d <= day]
                    expected = base + sum(upto, D(0)) if kind == "amount" else (upto[-1] if upto else base)
                    assert day_row.cumulative_actual == expected
            raise Rollback
    except Rollback:
        pass


def test_it_rolls_up_a_new_indicator_from_its_plan_start_on_its_first_figure(org):
    indicator = make_indicator(
        org, "a", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31), D("92")
    )
    Entry.objects.create(indicator=indicator, date=date(2021, 10, 12), value=D("3.5"))
    rollups.refresh([indicator.id], date(2021, 10, 12), date(2021, 10, 12), today=TODAY)
    october = row(indicator, "month", date(2021, 10, 1))
    assert october.planned == D("31") and october.actual == D("3.5")
    assert row(indicator, "day", date(2021, 10, 1)).cumulative_planned == D("1")


def _mixed_indicators(org):
    """One indicator of every kind, a full-year one tracked from October, and a ratio."""
    found = make_indicator(org, "found", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31))
    fixed = make_indicator(org, "fixed", Indicator.Kind.AMOUNT, date(2021, 10, 1), date(2021, 12, 31))
    make_indicator(
        org,
        "rate",
        Indicator.Kind.RATIO,
        date(2021, 10, 1),
        date(2021, 12, 31),
        D("95"),
        numerator=fixed,
        denominator=found,
    )
    investment = make_indicator(
        org,
        "investment",
        Indicator.Kind.AMOUNT,
        date(2021, 1, 1),
        date(2021, 12, 31),
        D("433.2"),
        tracking_start=date(2021, 10, 1),
        opening_value=D("300.5"),
        monthly_weights={"2021-10": "0.3", "2021-11": "0.3", "2021-12": "0.4"},
    )
    houses = make_indicator(
        org, "houses", Indicator.Kind.LEVEL, date(2021, 10, 1), date(2021, 12, 31), D("45")
    )
    online = make_indicator(org, "online", Indicator.Kind.MILESTONE, date(2021, 10, 1), date(2021, 11, 30))
    for day in range(1, 29):
        when = date(2021, 10, day)
        Entry.objects.create(indicator=found, date=when, value=D(day % 4))
        Entry.objects.create(indicator=fixed, date=when, value=D(day % 3))
        Entry.objects.create(indicator=investment, date=when, value=D("1.0625"))
    Entry.objects.create(indicator=houses, date=date(2021, 10, 12), value=D("12"))
    Entry.objects.create(indicator=online, date=date(2021, 10, 20), value=D("1"))
    return found, fixed, investment


def test_a_rebuild_writes_what_a_recomputation_expects_and_a_refresh_then_changes_nothing(org):
    _mixed_indicators(org)
    today = date(2021, 11, 19)
    assert rollups.rebuild(today=today) == PeriodValue.objects.count() > 0
    assert not differences(expected_rows(today), stored_rows(today))
    assert rollups.refresh(today=today) == 0


def test_a_rebuild_replaces_stale_rows(org):
    found, _, _ = _mixed_indicators(org)
    rollups.rebuild(today=TODAY)
    PeriodValue.objects.filter(indicator=found, period_type="month").update(actual=D("999"), status="red")
    PeriodValue.objects.filter(indicator=found, period_type="dekad", period_start=date(2021, 10, 1)).delete()
    rollups.rebuild(today=TODAY)
    assert not differences(expected_rows(TODAY), stored_rows(TODAY))


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="indexes are dropped and rebuilt on PostgreSQL"
)
def test_a_rebuild_puts_back_every_index_and_constraint_as_it_was(org):

    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE tablename = 'targets_periodvalue' ORDER BY 1"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'targets_periodvalue'::regclass ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    before = definitions()
    assert len(before[0]) == 3  # primary key, one row per period, period lookups
    _mixed_indicators(org)
    rollups.rebuild(today=TODAY)
    assert definitions() == before


def test_a_clerks_week_moves_later_days_and_periods_exactly(org):
    found, fixed, investment = _mixed_indicators(org)
    today = date(2021, 11, 19)
    rollups.rebuild(today=today)
    monday = date(2021, 10, 18)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        for indicator, value in ((found, D("7.5")), (fixed, D("0")), (investment, D("2.0001"))):
            Entry.objects.update_or_create(indicator=indicator, date=day, defaults={"value": value})
    written = rollups.refresh(
        [found.id, fixed.id, investment.id], monday, monday + timedelta(days=6), today=today
    )
    assert written > 0
    assert not differences(expected_rows(today), stored_rows(today))
    assert row(investment, "day", date(2021, 12, 31)).cumulative_actual == D("300.5") + 28 * D("1.0625") + D(
        "7"
    ) * (D("2.0001") - D("1.0625"))


def test_after_an_earlier_week_changes_the_period_in_progress_is_still_judged_as_of_today(org):
    # 3.3 a day against a plan of 300 over 92 days (about 3.26 a day): on schedule today,
    # far behind if November were judged on its last day with only the figures so far.
    investment = make_indicator(
        org, "kp-investment", "amount", date(2021, 10, 1), date(2021, 12, 31), D("300")
    )
    today = date(2021, 11, 15)
    day = date(2021, 10, 1)
    while day <= today:
        Entry.objects.create(indicator=investment, date=day, value=D("3.3"))
        day += timedelta(days=1)
    rollups.rebuild(today=today)
    monday = date(2021, 10, 11)
    Entry.objects.filter(indicator=investment, date__range=(monday, monday + timedelta(days=6))).update(
        value=D("4.3")
    )
    rollups.refresh([investment.id], monday, monday + timedelta(days=6), today=today)
    assert not differences(expected_rows(today), stored_rows(today))
    november = row(investment, "month", date(2021, 11, 1))
    assert november.cumulative_actual == 46 * D("3.3") + 7
    assert november.status == "green"  # judged on 15 November, not on the 30th
    assert row(investment, "dekad", date(2021, 11, 21)).status == "none"  # still to come
    assert row(investment, "day", date(2021, 12, 31)).cumulative_actual == 46 * D("3.3") + 7


def test_the_rollup_command_rebuilds_everything_with_full(org):
    from io import StringIO

    from django.core.management import call_command

    _mixed_indicators(org)
    out = StringIO()
    call_command("rollup", "--full", stdout=out, verbosity=1)
    assert "every indicator rebuilt" in out.getvalue()
    assert not differences(expected_rows(date.today()), stored_rows(date.today()))


# ---- Between reports: a weekly, 旬 or monthly indicator is judged on its last report.

NOV_19 = date(2021, 11, 19)  # a Friday: the last Sunday is 14 November, the last month end 31 October
Q4_START, Q4_END = date(2021, 10, 1), date(2021, 12, 31)


def weekly_on_plan(org, code, *, missed=()):
    """92 over Q4, 1 a day, reported each Sunday up to 14 November with the week's days in
    the plan (3 for Friday 1 – Sunday 3 October, then 7), but for the ``missed`` Sundays."""
    indicator = make_indicator(org, code, "amount", Q4_START, Q4_END, D("92"), cadence="weekly")
    sunday = date(2021, 10, 3)
    while sunday <= date(2021, 11, 14):
        if sunday not in missed:
            days = (sunday - max(Q4_START, sunday - timedelta(days=6))).days + 1
            Entry.objects.create(indicator=indicator, date=sunday, value=D(days))
        sunday += timedelta(days=7)
    return indicator


def statuses_between(indicator, first, last, today=NOV_19):
    return {
        day.period_start: day.status
        for day in rollups.day_values([indicator.pk], first, last, today=today)[indicator.pk]
    }


def test_a_weekly_indicator_on_plan_at_its_reports_is_on_time_between_them(org):
    on_plan = weekly_on_plan(org, "signed")
    rollups.refresh(today=NOV_19)

    # 10 November (a Wednesday) ends a 旬: 38 reported to Sunday 7 November, against 38
    # planned to that Sunday. The plan shown stays the plan to the 旬's end.
    early = row(on_plan, "dekad", date(2021, 11, 1), NOV_19)
    assert (early.cumulative_actual, early.cumulative_planned) == (D("38"), D("41"))
    assert early.status == "green"
    # Today (Friday) in the 旬 and the month in progress: 45 reported to Sunday the 14th.
    assert row(on_plan, "dekad", date(2021, 11, 11), NOV_19).status == "green"
    assert row(on_plan, "month", date(2021, 11, 1), NOV_19).status == "green"
    assert row(on_plan, "quarter", date(2021, 10, 1), NOV_19).status == "green"
    assert set(statuses_between(on_plan, date(2021, 11, 8), NOV_19).values()) == {"green"}
    (friday,) = rollups.day_values([on_plan.pk], NOV_19, today=NOV_19)[on_plan.pk]
    assert (friday.cumulative_actual, friday.cumulative_planned, friday.status) == (D("45"), D("50"), "green")


def test_a_weekly_indicator_whose_report_is_missing_is_behind_until_it_comes(org):
    late = weekly_on_plan(org, "signed", missed={date(2021, 11, 14)})
    rollups.refresh(today=NOV_19)

    # 38 to date against 45 planned to Sunday the 14th, the report due and not made.
    assert set(statuses_between(late, date(2021, 11, 14), NOV_19).values()) == {"red"}
    assert row(late, "dekad", date(2021, 11, 11), NOV_19).status == "red"
    assert row(late, "month", date(2021, 11, 1), NOV_19).status == "red"
    # The week before, still on time: judged on Sunday the 7th.
    assert set(statuses_between(late, date(2021, 11, 7), date(2021, 11, 13)).values()) == {"green"}


def monthly(org, code, october):
    """92 over Q4, 1 a day, reported monthly: ``october`` on 31 October, nothing since."""
    indicator = make_indicator(org, code, "amount", Q4_START, Q4_END, D("92"), cadence="monthly")
    Entry.objects.create(indicator=indicator, date=date(2021, 10, 31), value=D(october))
    return indicator


def test_a_monthly_indicator_on_plan_at_its_report_is_on_time_all_the_next_month(org):
    on_plan = monthly(org, "invest", "31")
    rollups.refresh(today=NOV_19)

    for start in (date(2021, 11, 1), date(2021, 11, 11)):
        assert row(on_plan, "dekad", start, NOV_19).status == "green"
    november = row(on_plan, "month", date(2021, 11, 1), NOV_19)
    assert november.status == "green"
    assert row(on_plan, "quarter", date(2021, 10, 1), NOV_19).status == "green"
    assert set(statuses_between(on_plan, date(2021, 10, 31), NOV_19).values()) == {"green"}
    # Before its first report nothing was due: no status (rather than 严重滞后 for 0 of 10).
    first = row(on_plan, "dekad", date(2021, 10, 1), NOV_19)
    assert (first.cumulative_planned, first.status) == (D("10"), "none")
    assert set(statuses_between(on_plan, Q4_START, date(2021, 10, 30)).values()) == {"none"}


def test_a_monthly_indicator_behind_at_its_report_stays_behind_until_the_next(org):
    behind = monthly(org, "invest", "25")  # 25 of 31 planned to 31 October
    rollups.refresh(today=NOV_19)

    assert row(behind, "dekad", date(2021, 10, 21), NOV_19).status == "red"
    assert row(behind, "dekad", date(2021, 11, 1), NOV_19).status == "red"
    assert row(behind, "month", date(2021, 11, 1), NOV_19).status == "red"
    assert set(statuses_between(behind, date(2021, 10, 31), NOV_19).values()) == {"red"}


def test_a_plans_last_day_is_a_report_day(org):
    # A monthly plan cut short on Wednesday 15 December: its last figure is due that day.
    short = make_indicator(org, "short", "amount", Q4_START, date(2021, 12, 15), D("76"), cadence="monthly")
    for day, value in ((date(2021, 10, 31), "31"), (date(2021, 11, 30), "30")):
        Entry.objects.create(indicator=short, date=day, value=D(value))
    rollups.refresh(today=TODAY)

    assert row(short, "dekad", date(2021, 12, 1), TODAY).status == "green"  # judged on 30 November
    last = row(short, "dekad", date(2021, 12, 11), TODAY)
    assert (last.cumulative_actual, last.cumulative_planned, last.status) == (D("61"), D("76"), "red")


class TheDemoBetweenReports(SeededDemo):
    def test_its_monthly_indicators_read_on_the_demo_day_are_judged_on_their_october_report(self):
        from targets import selectors

        rollups.refresh(today=DEMO_DAY)  # the stored rows as the nightly run on the demo day leaves them
        monthly = list(Indicator.objects.filter(cadence="monthly", kind="amount"))
        codes = {indicator.code for indicator in monthly}
        assert {"rec-investment", "kp-inv-songshan-lab", "kp-inv-east-station-super-hq"} <= codes
        ids = [indicator.pk for indicator in monthly]
        october = rollups.day_values(ids, date(2021, 10, 31), today=DEMO_DAY)
        today = rollups.day_values(ids, DEMO_DAY, today=DEMO_DAY)
        for indicator in monthly:
            (at_report,), (now,) = october[indicator.pk], today[indicator.pk]
            # Nothing reported since 31 October: the status stays the report's.
            assert now.cumulative_actual == at_report.cumulative_actual, indicator.code
            assert now.status == at_report.status != "none", indicator.code
            for period_type in ("dekad", "month"):
                stored = PeriodValue.objects.get(
                    indicator=indicator,
                    period_type=period_type,
                    period_start=periods.period_start(period_type, DEMO_DAY),
                )
                assert stored.status == now.status, (indicator.code, period_type)
        # 灾后重建项目完成投资: 2.04 to date, below the 3.09 planned to 19 November, but
        # ahead of the 1.91 planned to its report: on time, not 严重滞后.
        (investment,) = today[Indicator.objects.get(code="rec-investment").pk]
        assert investment.cumulative_actual < investment.cumulative_planned
        assert investment.status == "green"
        # The overview's behind list holds the projects behind at their report, not the others.
        behind = {row.code for row in selectors.behind_schedule(DEMO_DAY, limit=100)}
        for indicator in monthly:
            lagging = today[indicator.pk][0].status in ("yellow", "red")
            assert (indicator.code in behind) == lagging, indicator.code
        assert {"kp-inv-east-station-super-hq", "kp-inv-yellow-river-lab"} <= behind
        assert not {"rec-investment", "kp-inv-songshan-lab"} & behind
