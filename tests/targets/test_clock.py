"""One clock (``targets.clock``): the real date in Shanghai, or the demo's fixed
``DEMO_TODAY``. Every default as-of date, the entry week, the overdue list, report
periods and file names follow it; the latest entry never moves it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from targets import clock, rollups
from targets.models import PeriodValue
from targets.reporting import reports
from targets.seed.briefing import plan as briefing_plan
from targets.services import EntryInput, record_entries
from tests.targets.dashboards.dashboard_fixtures import make_indicator, make_tree
from tests.targets.entry.entry_helpers import make_indicator as make_entry_indicator

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_DAY = date(2021, 11, 19)  # a Friday
WEEKEND = date(2021, 11, 21)  # the Sunday after it


@pytest.fixture
def demo_day(settings):
    settings.DEMO_TODAY = DEMO_DAY
    return DEMO_DAY


def test_it_reads_the_real_date_in_shanghai_without_a_demo_date(settings):
    settings.DEMO_TODAY = None
    # 31 December, 23:59 in Shanghai is 15:59 UTC; a minute past 16:00 UTC is New Year.
    with time_machine.travel(datetime(2021, 12, 31, 15, 59, tzinfo=UTC), tick=False):
        assert clock.today() == date(2021, 12, 31)
    with time_machine.travel(datetime(2021, 12, 31, 16, 1, tzinfo=UTC), tick=False):
        assert clock.today() == date(2022, 1, 1)
        assert clock.now() == datetime(2022, 1, 1, 0, 1, tzinfo=SHANGHAI)
    with time_machine.travel(datetime(2024, 2, 28, 16, 0, tzinfo=UTC), tick=False):
        assert clock.today() == date(2024, 2, 29)


def test_it_keeps_the_demo_date_at_the_real_time_of_day(settings):
    settings.DEMO_TODAY = "2024-02-29"  # as the environment gives it
    with time_machine.travel(datetime(2026, 11, 29, 2, 15, tzinfo=UTC), tick=False):
        assert clock.today() == date(2024, 2, 29)
        assert clock.now() == datetime(2024, 2, 29, 10, 15, tzinfo=SHANGHAI)


def test_it_warns_a_deploy_check_when_the_date_is_fixed(settings):
    settings.DEMO_TODAY = None
    assert clock.check_no_fixed_date_in_production() == []
    settings.DEMO_TODAY = DEMO_DAY
    assert [message.id for message in clock.check_no_fixed_date_in_production()] == ["targets.W001"]


# ---- The overview: a weekend entry does not move everyone's as-of date


@pytest.fixture
def investment_with_a_weekend_entry(clerk, demo_day, django_capture_on_commit_callbacks):
    """The headline investment indicator (92 over Q4: 1 a day), entered on plan up to the
    demo day, then one small figure on the Sunday after it."""
    tree = make_tree()
    indicator = make_indicator(
        "kp-investment", name="重点项目投资", goal=tree["line"], department=tree["econ"], decimals=1
    )
    days = [date(2021, 10, 1) + timedelta(days=n) for n in range((DEMO_DAY - date(2021, 10, 1)).days + 1)]
    rows = [EntryInput(indicator=indicator, date=day, value="1") for day in days]
    rows.append(EntryInput(indicator=indicator, date=WEEKEND, value="0.1"))
    with django_capture_on_commit_callbacks(execute=True):
        record_entries(user=clerk, rows=rows, confirm_outliers=True)
    return indicator


def test_it_opens_the_overview_on_today_not_on_the_latest_entry(
    client, official, investment_with_a_weekend_entry
):
    client.force_login(official)
    response = client.get("/")
    assert response.context["as_of"] == DEMO_DAY
    html = response.content.decode()
    assert 'name="as_of" value="2021-11-19"' in html
    assert "数据截至" in html and "计算于 2021-11-19" in html
    # On plan on the 19th (50 of 50): the headline stays green. On the 21st it would be
    # 50.1 of 52, behind.
    assert response.context["body"].count("status-green") >= 1
    pk = investment_with_a_weekend_entry.pk
    [headline_day] = rollups.day_values([pk], DEMO_DAY, DEMO_DAY)[pk]
    assert headline_day.cumulative_actual == Decimal(50)
    assert headline_day.status == PeriodValue.Status.GREEN
    weekend = client.get("/", {"as_of": WEEKEND.isoformat()})
    assert weekend.context["as_of"] == WEEKEND  # the reader can still look ahead


def test_it_caps_the_default_as_of_date_to_the_plans_period(client, official, settings):
    briefing_plan()  # the plan of Q4 2021: the as-of date stays inside its period
    client.force_login(official)
    settings.DEMO_TODAY = date(2022, 3, 1)
    assert client.get("/").context["as_of"] == date(2021, 12, 31)
    settings.DEMO_TODAY = date(2021, 9, 1)
    assert client.get("/").context["as_of"] == date(2021, 10, 1)
    settings.DEMO_TODAY = date(2021, 12, 31)
    assert client.get("/").context["as_of"] == date(2021, 12, 31)


# ---- Entry and approvals


@pytest.fixture
def entry_indicators(departments):
    econ, safety = departments
    return (
        make_entry_indicator(econ, "invest", name="固定资产投资"),
        make_entry_indicator(safety, "hazards", name="排查隐患", unit="处", decimals=0, max_value=None),
    )


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (DEMO_DAY, "2021-11-15"),
        (date(2021, 12, 31), "2021-12-27"),  # the plan's last day, a Friday
        (date(2021, 10, 1), "2021-09-27"),  # the plan's first day: its week began in September
        (date(2022, 1, 3), "2021-12-27"),  # after the plan: its last week stays in view
    ],
)
def test_it_opens_the_entry_page_on_the_week_of_today(
    client, clerk, entry_indicators, settings, today, monday
):
    settings.DEMO_TODAY = today
    client.force_login(clerk)
    assert client.get(reverse("entry_current"))["Location"] == reverse("entry_week", args=[monday])


def test_it_opens_the_entry_page_on_the_week_of_29_february(client, clerk, entry_indicators, settings):
    invest = entry_indicators[0]
    invest.plan_start, invest.plan_end = date(2024, 1, 1), date(2024, 3, 31)
    invest.save()
    client.force_login(clerk)
    with time_machine.travel(datetime(2024, 2, 29, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert client.get(reverse("entry_current"))["Location"] == reverse("entry_week", args=["2024-02-26"])
    settings.DEMO_TODAY = date(2024, 2, 29)
    assert client.get(reverse("entry_current"))["Location"] == reverse("entry_week", args=["2024-02-26"])


def test_it_lists_no_week_after_today_as_overdue(client, manager, entry_indicators, demo_day):
    client.force_login(manager)
    response = client.get(reverse("approvals"))
    mondays = {monday for _dept, monday in response.context["overdue"]}
    # Friday 19 November: the week of 8 November was due on Monday 15th at noon; the week
    # of the 15th is not due yet.
    assert max(mondays) == date(2021, 11, 8)
    assert date(2021, 11, 15) not in mondays
    html = response.content.decode()
    assert "2021-11-08 当周" in html and "2021-11-22 当周" not in html


def test_it_lists_overdue_weeks_up_to_new_year(client, manager, entry_indicators, settings):
    settings.DEMO_TODAY = date(2021, 12, 31)
    client.force_login(manager)
    mondays = {monday for _dept, monday in client.get(reverse("approvals")).context["overdue"]}
    assert max(mondays) == date(2021, 12, 20)


# ---- Reports and files


def test_it_reads_a_running_period_as_of_today_in_reports(demo_day):
    quarter = reports.report_period("quarter", date(2021, 10, 1))
    assert reports.report_as_of(quarter) == DEMO_DAY
    past_week = reports.report_period(reports.WEEK, date(2021, 11, 8))
    assert reports.report_as_of(past_week) == date(2021, 11, 14)


def test_it_names_export_files_after_the_pages_as_of_date(client, manager, entry_indicators, demo_day):
    client.force_login(manager)
    response = client.get(reverse("goal_tree"), {"_export": "csv"})
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert unquote(response["Content-Disposition"].split("UTF-8''")[1]).endswith("_2021-11-19.csv")
    response = client.get(reverse("goal_tree"), {"_export": "csv", "as_of": "2021-11-10"})
    assert unquote(response["Content-Disposition"].split("UTF-8''")[1]).endswith("_2021-11-10.csv")
