"""A view finer than an indicator's cadence says it rests on the last report rather than
inventing precision: a weekly indicator's 旬 and day figures are "截至最近一次填报（日期）";
a view ending on a report day is exact and carries no such note."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets import selectors
from targets.models import Indicator, PeriodValue
from tests.targets.dashboards.dashboard_fixtures import even, make_indicator, make_tree, roll_up

pytestmark = pytest.mark.django_db
SUNDAYS = [date(2021, 10, 3), date(2021, 10, 10), date(2021, 10, 17), date(2021, 10, 24), date(2021, 10, 31)]


@pytest.fixture
def weekly(db):
    tree = make_tree()
    indicator = make_indicator(
        "weekly-investment", goal=tree["line"], department=tree["econ"], unit="亿元", cadence="weekly"
    )
    roll_up(indicator, {day: Decimal("7") for day in SUNDAYS})
    return indicator


def test_it_marks_a_weekly_indicators_dekads_and_days_as_of_the_last_report(client, manager, weekly):
    assert selectors.reported_through(weekly, date(2021, 10, 20)) == date(2021, 10, 17)
    assert selectors.reported_through(weekly, date(2021, 10, 31)) is None  # a Sunday: exact
    assert selectors.reported_through(weekly, date(2021, 12, 31)) is None  # the plan's last day
    client.force_login(manager)
    url = reverse("indicator_detail", args=[weekly.pk])
    response = client.get(url, {"period": "dekad", "as_of": "2021-11-02"})
    rows = {row["period_start"]: row for row in response.context["table"].data}
    assert rows[date(2021, 10, 1)]["reported_through"] is None  # 10 October is a Sunday
    assert rows[date(2021, 10, 11)]["reported_through"] == date(2021, 10, 17)
    assert rows[date(2021, 10, 21)]["reported_through"] is None  # 31 October is a Sunday
    html = response.content.decode()
    assert "截至最近一次填报（2021-10-17）" in html
    # The headline as of Tuesday 2 November rests on Sunday 31 October, and says so.
    assert response.context["reported_through"] == date(2021, 10, 31)
    assert "填报频次 每周" in html
    # The month is exact (October ends on a Sunday) and the figures are the reports' sums.
    month = client.get(url, {"period": "month", "as_of": "2021-11-02"}).context["table"].data
    october = next(row for row in month if row["period_start"] == date(2021, 10, 1))
    assert october["reported_through"] is None and october["actual"] == Decimal("35")
    # The table's file carries the note as text.
    book = client.get(url, {"period": "dekad", "as_of": "2021-11-02", "_export": "xlsx"})
    data = b"".join(book.streaming_content) if book.streaming else book.content
    ws = load_workbook(BytesIO(data)).active
    texts = [cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "截至最近一次填报（2021-10-17）" in texts


def test_a_monthly_figure_not_yet_due_reads_not_yet_due_not_no_plan(client, manager, settings):
    """Before its first report day a monthly indicator has nothing to be judged on (the
    roll-up judges on the last report day): its light says 未到期, and counts so, not
    无计划; from its first report on it is judged."""
    settings.DEMO_TODAY = date(2021, 12, 31)
    tree = make_tree()
    monthly = make_indicator(
        "monthly-investment", goal=tree["line"], department=tree["econ"], unit="亿元", cadence="monthly"
    )
    unplanned = make_indicator(
        "monthly-no-target", goal=tree["line"], department=tree["econ"], target=None, cadence="monthly"
    )
    roll_up(monthly, {date(2021, 10, 31): Decimal("5")})
    before, after = date(2021, 10, 20), date(2021, 11, 5)
    row = selectors.rows(Indicator.objects.filter(pk=monthly.pk), before)[0]
    assert (row.status, row.status_label) == ("none", "未到期")
    # Without a target, nothing is ever due: still 无计划.
    assert selectors.rows(Indicator.objects.filter(pk=unplanned.pk), before)[0].status_label == "无计划"
    counts, _at = selectors.status_counts_by("department_id", before, plan=monthly.plan)
    assert counts[tree["econ"].pk]["pending"] >= 1
    client.force_login(manager)
    page = client.get(reverse("department_detail", args=[tree["econ"].code]), {"as_of": before.isoformat()})
    html = page.content.decode()
    row_html = html[html.index(f"/targets/indicators/{monthly.pk}/") :]
    assert "未到期" in row_html[: row_html.index("</tr>")]
    # After 31 October it is judged on its October report: 5 of the plan to that day.
    row = selectors.rows(Indicator.objects.filter(pk=monthly.pk), after)[0]
    assert row.status != "none" and row.status_label != "未到期"


def _status_card(html: str) -> str:
    card = html[html.index("状态</span>") :]
    return card[: card.index("</div>")]


def test_a_monthly_indicator_read_mid_month_says_the_plan_its_status_was_judged_on(
    client, official, settings
):
    """Read on 15 November, a monthly indicator on plan at its October report is 同步 with
    well under 100 % of the plan to 15 November: the page names the report day and the
    plan to it (the October row's cumulative plan, weights and all) beside the status."""
    settings.DEMO_TODAY = date(2021, 12, 31)
    tree = make_tree()
    weights = {"2021-10": "0.30", "2021-11": "0.35", "2021-12": "0.35"}
    monthly = make_indicator(
        "monthly-investment",
        goal=tree["line"],
        department=tree["econ"],
        unit="亿元",
        cadence="monthly",
        monthly_weights=weights,
    )
    roll_up(monthly, {})  # the plan's rows, before any figure
    october_plan = PeriodValue.objects.get(
        indicator=monthly, period_type="month", period_start=date(2021, 10, 1)
    ).cumulative_planned
    roll_up(monthly, {date(2021, 10, 31): october_plan})  # on plan at its October report
    client.force_login(official)
    response = client.get(reverse("indicator_detail", args=[monthly.pk]), {"as_of": "2021-11-15"})
    row = response.context["row"]
    assert row.status == "green" and row.plan_percent < 90
    card = _status_card(response.content.decode())
    assert "同步/超前" in card and f"完成/计划 {row.plan_percent:.1f}%" in card
    shown = selectors.figure_text(october_plan, monthly.decimals, plan=True)
    assert f"按最近填报日（2021-10-31）的累计计划 {shown}亿元 判断" in card
    # On a report day the status rests on the plan to that very day: no such line.
    response = client.get(reverse("indicator_detail", args=[monthly.pk]), {"as_of": "2021-11-30"})
    assert "按最近填报日" not in response.content.decode()


def test_a_daily_indicator_is_judged_on_the_day_and_says_nothing_more(client, official, settings):
    settings.DEMO_TODAY = date(2021, 12, 31)
    tree = make_tree()
    daily = make_indicator("daily-investment", goal=tree["line"], department=tree["econ"], unit="亿元")
    roll_up(daily, even(date(2021, 10, 1), date(2021, 11, 15), "0.9"))
    client.force_login(official)
    response = client.get(reverse("indicator_detail", args=[daily.pk]), {"as_of": "2021-11-15"})
    card = _status_card(response.content.decode())
    assert response.context["row"].status == "yellow" and "滞后" in card
    assert "按最近填报日" not in card
