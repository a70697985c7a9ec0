"""An indicator's periods as they stood on the as-of date the page is read at: later periods
have no figures yet, the one in progress has its figures so far."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from targets import rollups, selectors
from targets.models import Department, Entry, Goal, Indicator, PeriodValue
from targets.seed.briefing import plan as briefing_plan

D = Decimal
Q4 = (date(2021, 10, 1), date(2021, 12, 31))
AS_OF = date(2021, 11, 10)
pytestmark = pytest.mark.django_db


def make(code, kind, target="92", **extra):
    department = Department.objects.get_or_create(code="econ", defaults={"name": "经济发展局"})[0]
    goal = Goal.objects.get_or_create(
        plan=briefing_plan(), code="s4", defaults={"name": "抓好经济运行", "level": Goal.Level.SECTION}
    )[0]
    return Indicator.objects.create(
        code=code,
        name=code,
        kind=kind,
        target_value=D(target) if target is not None else None,
        plan_start=Q4[0],
        plan_end=Q4[1],
        department=department,
        goal=goal,
        **extra,
    )


def enter(indicator, first, last, value):
    day = first
    while day <= last:
        Entry.objects.create(indicator=indicator, date=day, value=value(day) if callable(value) else value)
        day += timedelta(days=1)


@pytest.fixture
def indicators():
    """Figures entered up to 19 November; the roll-up runs years later, so it judges every
    period of the quarter on its last day."""
    amount = make("signed", "amount")
    enter(amount, Q4[0], date(2021, 11, 19), D("2"))
    level = make("rate-level", "level", target="50")
    enter(level, Q4[0], date(2021, 11, 19), lambda day: D(day.day))  # the day of the month
    found, fixed = make("found", "amount", target=None), make("fixed", "amount", target=None)
    enter(found, Q4[0], date(2021, 11, 19), D("4"))
    enter(fixed, Q4[0], date(2021, 11, 19), D("3"))
    ratio = make("fix-rate", "ratio", target="90", numerator=fixed, denominator=found)
    rollups.refresh(today=date(2026, 1, 1))
    return amount, level, ratio


def shown(indicator, period_type, as_of=AS_OF):
    rows = selectors.series(indicator, period_type)
    days = selectors.series(indicator, "day")
    return {row["period_start"]: row for row in selectors.as_of_figures(indicator, rows, days, as_of)}


def day_row(indicator, day):
    return rollups.day_values([indicator.id], day, day)[indicator.id][0]


def test_later_periods_have_no_figures_yet_but_keep_their_plan(indicators):
    amount, _, _ = indicators
    later = shown(amount, "dekad")[date(2021, 11, 11)]
    stored = PeriodValue.objects.get(indicator=amount, period_type="dekad", period_start=date(2021, 11, 11))
    assert stored.actual == 18 and stored.status == "green"  # what the roll-up holds (11–19 Nov)
    assert later["actual"] is None and later["cumulative_actual"] is None and later["status"] is None
    assert later["planned"] == stored.planned == 10


def test_a_period_ended_by_the_as_of_date_is_the_rollup_row(indicators):
    amount, _, _ = indicators
    stored = PeriodValue.objects.get(indicator=amount, period_type="dekad", period_start=date(2021, 11, 1))
    row = shown(amount, "dekad")[date(2021, 11, 1)]
    assert (row["actual"], row["cumulative_actual"], row["status"]) == (
        stored.actual,
        stored.cumulative_actual,
        stored.status,
    )


def test_the_period_in_progress_shows_its_days_so_far(indicators):
    amount, level, ratio = indicators
    november = shown(amount, "month")[date(2021, 11, 1)]
    assert november["actual"] == 20  # 10 days × 2, not the 38 of the month's 19 days
    assert november["cumulative_actual"] == day_row(amount, AS_OF).cumulative_actual == 82
    assert november["cumulative_planned"] == day_row(amount, AS_OF).cumulative_planned
    assert november["status"] == day_row(amount, AS_OF).status
    assert november["planned"] == 30  # the whole month's plan

    assert shown(level, "month")[date(2021, 11, 1)]["actual"] == 10  # the value of 10 November
    rate = shown(ratio, "month")[date(2021, 11, 1)]
    assert rate["actual"] is None  # a rate over part of a period needs its parts' periods
    assert rate["cumulative_actual"] == day_row(ratio, AS_OF).cumulative_actual == 75


def test_the_indicator_page_and_its_export_show_the_same(client, indicators, django_user_model):
    from django.contrib.auth.models import Group

    amount, _, _ = indicators
    manager = django_user_model.objects.create_user("m", password="x")
    manager.groups.add(Group.objects.get_or_create(name="managers")[0])
    client.force_login(manager)
    url = f"/targets/indicators/{amount.pk}/"
    response = client.get(url, {"period": "month", "as_of": AS_OF.isoformat()})
    table = list(response.context["table"].rows)
    assert [row.get_cell("actual") for row in table] == ["62", "20", "—"]
    assert [row.get_cell("cumulative_actual") for row in table][2] == "—"
    assert table[2].get_cell("status") == "—"
    bars = response.context["figures"]["bars"]["data"]
    assert [value for value in bars[1]["y"]] == [62.0, 20.0, None]
    csv = client.get(url, {"period": "month", "as_of": AS_OF.isoformat(), "_export": "csv"})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    # December: its plan, but no actual, cumulative actual or status yet.
    assert lines[3].split(",")[1:] == ["31", "", "92", "", ""]
