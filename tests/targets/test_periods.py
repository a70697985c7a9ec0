"""Calendar maths at every edge: 旬, month, quarter, year, the entry week, labels."""

from datetime import date, timedelta

import pytest

from targets import periods
from targets.periods import DAY, DEKAD, MONTH, QUARTER, YEAR, Period


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2021, 2, 28), date(2021, 2, 21), date(2021, 2, 28)),  # 8-day 下旬
        (date(2024, 2, 29), date(2024, 2, 21), date(2024, 2, 29)),  # 9-day 下旬 (leap year)
        (date(2021, 4, 30), date(2021, 4, 21), date(2021, 4, 30)),  # 10-day 下旬
        (date(2021, 10, 31), date(2021, 10, 21), date(2021, 10, 31)),  # 11-day 下旬
        (date(2021, 10, 10), date(2021, 10, 1), date(2021, 10, 10)),
        (date(2021, 10, 11), date(2021, 10, 11), date(2021, 10, 20)),
        (date(2021, 10, 21), date(2021, 10, 21), date(2021, 10, 31)),
    ],
)
def test_it_puts_each_day_in_its_ten_day_period(day, first, last):
    assert periods.period_of(DEKAD, day) == Period(DEKAD, first, last)


@pytest.mark.parametrize(
    ("day", "month_end", "quarter"),
    [
        (date(2021, 2, 28), date(2021, 2, 28), (date(2021, 1, 1), date(2021, 3, 31))),
        (date(2024, 2, 29), date(2024, 2, 29), (date(2024, 1, 1), date(2024, 3, 31))),
        (date(2021, 9, 30), date(2021, 9, 30), (date(2021, 7, 1), date(2021, 9, 30))),
        (date(2021, 10, 1), date(2021, 10, 31), (date(2021, 10, 1), date(2021, 12, 31))),
        (date(2021, 12, 31), date(2021, 12, 31), (date(2021, 10, 1), date(2021, 12, 31))),
        (date(2022, 1, 1), date(2022, 1, 31), (date(2022, 1, 1), date(2022, 3, 31))),
    ],
)
def test_it_finds_month_quarter_and_year_at_their_edges(day, month_end, quarter):
    assert periods.period_of(MONTH, day) == Period(MONTH, day.replace(day=1), month_end)
    assert periods.period_of(QUARTER, day) == Period(QUARTER, *quarter)
    assert periods.period_of(YEAR, day) == Period(YEAR, date(day.year, 1, 1), date(day.year, 12, 31))
    assert periods.period_of(DAY, day) == Period(DAY, day, day)


@pytest.mark.parametrize("year", [2021, 2024])
def test_it_counts_36_ten_day_periods_covering_every_day_of_a_year(year):
    dekads = list(periods.periods_between(DEKAD, date(year, 1, 1), date(year, 12, 31)))
    assert len(dekads) == 36
    assert [periods.dekad_of_year(d.start) for d in dekads] == list(range(1, 37))
    assert sum(d.days for d in dekads) == (366 if year == 2024 else 365)
    for before, after in zip(dekads, dekads[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)


def test_it_gives_chinese_and_english_labels():
    assert periods.label_zh(DEKAD, date(2021, 10, 25)) == "2021年10月下旬"
    assert periods.label_zh(DEKAD, date(2021, 10, 1)) == "2021年10月上旬"
    assert periods.label_zh(DEKAD, date(2021, 10, 15)) == "2021年10月中旬"
    assert periods.label_zh(QUARTER, date(2021, 11, 5)) == "2021年第四季度"
    assert periods.label_zh(MONTH, date(2021, 11, 5)) == "2021年11月"
    assert periods.label_zh(DAY, date(2021, 11, 5)) == "2021年11月5日"
    assert periods.label_zh(YEAR, date(2021, 11, 5)) == "2021年"
    assert periods.label_en(QUARTER, date(2021, 11, 5)) == "Q4 2021"
    assert periods.label_en(DEKAD, date(2021, 10, 25)) == "Oct 2021 (late)"


@pytest.mark.parametrize(
    ("monday", "crossing"),
    [
        (date(2021, 10, 18), DEKAD),  # 18–24 Oct: 中旬 → 下旬
        (date(2021, 11, 29), MONTH),  # 29 Nov – 5 Dec
        (date(2021, 9, 27), QUARTER),  # 27 Sep – 3 Oct: Q3 → Q4
        (date(2021, 12, 27), YEAR),  # 27 Dec 2021 – 2 Jan 2022
    ],
)
def test_it_splits_an_entry_week_that_crosses_a_period_boundary(monday, crossing):
    days = periods.week_days(monday)
    assert days[0].weekday() == 0 and days[-1].weekday() == 6 and len(days) == 7
    assert all(periods.week_start(day) == monday for day in days)
    spanned = {periods.period_of(crossing, day) for day in days}
    assert len(spanned) == 2
    assert sum(len([d for d in days if d in period]) for period in spanned) == 7


def test_it_refuses_a_week_that_does_not_start_on_monday():
    with pytest.raises(ValueError, match="not a Monday"):
        periods.week_days(date(2021, 10, 19))


def test_it_lists_calendar_rows_with_each_days_periods():
    rows = list(periods.calendar_rows(date(2021, 12, 31), date(2022, 1, 1)))
    assert rows[0] == (
        date(2021, 12, 31),
        date(2021, 12, 31).toordinal(),
        date(2021, 12, 21),
        date(2021, 12, 31),
        date(2021, 12, 1),
        date(2021, 12, 31),
        date(2021, 10, 1),
        date(2021, 12, 31),
        date(2021, 1, 1),
        date(2021, 12, 31),
        # The last Sunday, 旬 end and month end on or before it (a Friday ending both).
        date(2021, 12, 26).toordinal(),
        date(2021, 12, 31).toordinal(),
        date(2021, 12, 31).toordinal(),
    )
    assert rows[1][2:4] == (date(2022, 1, 1), date(2022, 1, 10))
    assert rows[1][-3:] == tuple(
        day.toordinal() for day in (date(2021, 12, 26), date(2021, 12, 31), date(2021, 12, 31))
    )


def test_it_clips_a_day_into_a_span():
    assert periods.clip(date(2021, 9, 1), date(2021, 10, 1), date(2021, 12, 31)) == date(2021, 10, 1)
    assert periods.clip(date(2022, 1, 1), date(2021, 10, 1), date(2021, 12, 31)) == date(2021, 12, 31)


# ---- Cadence: a period's last day, and the periods ending in an entry week.

CADENCES = periods.CADENCES


def every_day(first: date, last: date) -> list[date]:
    return list(periods.days_between(first, last))


@pytest.mark.parametrize(
    ("cadence", "day", "first", "last"),
    [
        ("daily", date(2024, 2, 29), date(2024, 2, 29), date(2024, 2, 29)),
        ("once", date(2021, 12, 31), date(2021, 12, 31), date(2021, 12, 31)),
        # A week crossing a month, a year, and a leap day.
        ("weekly", date(2021, 10, 31), date(2021, 10, 25), date(2021, 10, 31)),
        ("weekly", date(2021, 11, 1), date(2021, 11, 1), date(2021, 11, 7)),
        ("weekly", date(2021, 12, 31), date(2021, 12, 27), date(2022, 1, 2)),
        ("weekly", date(2022, 1, 1), date(2021, 12, 27), date(2022, 1, 2)),
        ("weekly", date(2024, 2, 29), date(2024, 2, 26), date(2024, 3, 3)),
        ("dekad", date(2021, 2, 28), date(2021, 2, 21), date(2021, 2, 28)),
        ("dekad", date(2024, 2, 29), date(2024, 2, 21), date(2024, 2, 29)),
        ("dekad", date(2021, 4, 30), date(2021, 4, 21), date(2021, 4, 30)),
        ("dekad", date(2021, 10, 31), date(2021, 10, 21), date(2021, 10, 31)),
        ("dekad", date(2021, 12, 31), date(2021, 12, 21), date(2021, 12, 31)),
        ("monthly", date(2021, 2, 1), date(2021, 2, 1), date(2021, 2, 28)),
        ("monthly", date(2024, 2, 15), date(2024, 2, 1), date(2024, 2, 29)),
        ("monthly", date(2021, 4, 30), date(2021, 4, 1), date(2021, 4, 30)),
        ("monthly", date(2021, 12, 31), date(2021, 12, 1), date(2021, 12, 31)),
    ],
)
def test_it_finds_the_period_a_report_covers_at_every_edge(cadence, day, first, last):
    period = periods.cadence_period(cadence, day)
    assert (period.start, period.end) == (first, last)
    assert periods.is_period_end(cadence, last)
    assert periods.is_period_end(cadence, day) == (day == last)


@pytest.mark.parametrize("year", [2021, 2024])
@pytest.mark.parametrize("cadence", CADENCES)
def test_its_periods_tile_every_day_of_a_year_and_each_has_one_report_day(year, cadence):
    days = every_day(date(year, 1, 1), date(year, 12, 31))
    ends = [day for day in days if periods.is_period_end(cadence, day)]
    expected = {"daily": len(days), "once": len(days), "dekad": 36, "monthly": 12}
    if cadence == "weekly":
        assert all(day.weekday() == 6 for day in ends)
        assert len(ends) == 52  # 2021 and 2024 both have 52 Sundays
    else:
        assert len(ends) == expected[cadence]
    for day in days:
        period = periods.cadence_period(cadence, day)
        assert day in period and periods.is_period_end(cadence, period.end)
        assert all(periods.cadence_period(cadence, d) == period for d in (period.start, period.end))


def test_it_knows_no_other_cadence():
    with pytest.raises(ValueError):
        periods.cadence_period("hourly", date(2021, 10, 1))


@pytest.mark.parametrize("cadence", CADENCES)
def test_every_period_ends_in_exactly_one_entry_week(cadence):
    """Over 2020–2024 (leap days, 31 Decembers on every weekday), the weeks' reports are
    every period exactly once, each in the week holding its last day."""
    first_monday = periods.week_start(date(2020, 1, 1))
    mondays = [first_monday + timedelta(days=7 * n) for n in range(53 * 5 + 1)]
    reported = [p for monday in mondays for p in periods.periods_ending_in_week(cadence, monday)]
    assert len(reported) == len(set(reported))
    for monday in mondays:
        for period in periods.periods_ending_in_week(cadence, monday):
            assert monday <= period.end <= monday + timedelta(days=6)
    covered = {p.end for p in reported}
    days = every_day(mondays[0], mondays[-1] + timedelta(days=6))
    assert covered == {d for d in days if periods.is_period_end(cadence, d)}


@pytest.mark.parametrize(
    ("cadence", "monday", "ends"),
    [
        ("daily", date(2021, 11, 15), [date(2021, 11, 15) + timedelta(days=n) for n in range(7)]),
        ("weekly", date(2021, 12, 27), [date(2022, 1, 2)]),  # across the year: dated Sunday
        ("dekad", date(2021, 11, 15), [date(2021, 11, 20)]),
        ("dekad", date(2021, 11, 22), []),  # 21–30 November ends the week after
        ("dekad", date(2021, 11, 29), [date(2021, 11, 30)]),
        ("monthly", date(2021, 11, 15), []),
        ("monthly", date(2021, 12, 27), [date(2021, 12, 31)]),  # the year's last day, a Friday
        ("monthly", date(2021, 2, 22), [date(2021, 2, 28)]),  # 28 February, a Sunday
        ("monthly", date(2024, 2, 26), [date(2024, 2, 29)]),  # 29 February, a Thursday
        ("monthly", date(2021, 4, 26), [date(2021, 4, 30)]),  # a 30-day month
        ("dekad", date(2024, 2, 26), [date(2024, 2, 29)]),  # a 9-day 下旬
    ],
)
def test_it_lists_the_periods_ending_in_a_week(cadence, monday, ends):
    assert [p.end for p in periods.periods_ending_in_week(cadence, monday)] == ends


@pytest.mark.parametrize(
    ("cadence", "day", "through"),
    [
        ("daily", date(2021, 11, 19), None),
        ("weekly", date(2021, 11, 19), date(2021, 11, 14)),  # a Friday: as of last Sunday
        ("weekly", date(2021, 10, 31), None),  # October ends on a Sunday: exact
        ("weekly", date(2021, 11, 30), date(2021, 11, 28)),
        ("dekad", date(2021, 11, 19), date(2021, 11, 10)),
        ("dekad", date(2021, 11, 30), None),
        ("monthly", date(2021, 11, 20), date(2021, 10, 31)),
        ("monthly", date(2024, 3, 10), date(2024, 2, 29)),
        ("monthly", date(2022, 1, 10), date(2021, 12, 31)),
        ("monthly", date(2021, 12, 31), None),
    ],
)
def test_it_says_which_report_a_finer_view_rests_on(cadence, day, through):
    assert periods.reported_through(cadence, day) == through
