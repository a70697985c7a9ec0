"""The plan picker in a real browser: with two published plans the overview opens on the
plan of today, the picker switches to the other one, and the as-of bar fits a phone."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from targets import rollups
from targets.models import Entry, Indicator, Plan
from targets.seed.briefing import PLAN_CODE
from tests.conftest import screenshot
from tests.plan_helpers import copy_plan
from tests.targets.dashboards.dashboard_fixtures import briefing_with_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q1_DAY = date(2022, 1, 14)
Q1_TITLE = "郑东新区2022年第一季度目标任务"


@pytest.fixture
def two_plans(settings):
    briefing_with_figures(date(2021, 11, 19))
    q1 = copy_plan(
        Plan.objects.get(code=PLAN_CODE),
        code="2022q1",
        title=Q1_TITLE,
        title_en="Zhengdong New District targets, Q1 2022",
        start=date(2022, 1, 1),
        end=date(2022, 3, 31),
    )
    investment = Indicator.objects.get(plan=q1, code="kp-investment")
    Entry.objects.bulk_create(
        Entry(indicator=investment, date=date(2022, 1, 1) + timedelta(days=n), value=Decimal(2))
        for n in range(14)
    )
    rollups.refresh(today=Q1_DAY)
    settings.DEMO_TODAY = Q1_DAY
    return q1


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone-390")])
def test_the_picker_switches_the_overview_between_plans(
    login_page, live_server, official, two_plans, width, name
):
    page = login_page(official)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == Q1_TITLE
    picker = page.locator("select[name=plan]")
    assert picker.is_visible()
    assert picker.input_value() == "2022q1"
    assert page.locator("input[name=as_of]").input_value() == Q1_DAY.isoformat()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"plan-picker-q1-{name}")
    with page.expect_navigation():
        picker.select_option(PLAN_CODE)
    assert page.locator("h1").inner_text() == "郑东新区2021年第四季度目标任务"
    assert f"plan={PLAN_CODE}" in page.url
    # Today is after the Q4 plan: its pages open on its last day.
    assert page.locator("input[name=as_of]").input_value() == "2021-12-31"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"plan-picker-q4-{name}")
    # A link on the page keeps the chosen plan.
    page.locator("section.sections a.card").first.click()
    page.wait_for_load_state()
    assert f"plan={PLAN_CODE}" in page.url and "/targets/goals/" in page.url
    assert page.locator("select[name=plan]").input_value() == PLAN_CODE
