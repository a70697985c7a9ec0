"""The dashboards in a real browser (Debian's chromium): charts drawn, period switcher,
as-of date, and screenshots of every page on a phone and a desktop."""

from datetime import date

import pytest

from projects.models import KeyProject
from targets.models import Indicator
from tests.conftest import screenshot
from tests.targets.dashboards.dashboard_fixtures import briefing_with_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = date(2021, 11, 10)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def figures(db):
    return briefing_with_figures(AS_OF)


def test_it_draws_the_overview_charts(login_page, live_server, official, figures, settings):
    settings.DEMO_TODAY = date(2021, 11, 10)  # the day the figures run to
    page = login_page(official)
    page.goto(f"{live_server.url}/")
    # Today is 2021-11-10: the site opens there.
    assert page.input_value("input[name=as_of]") == "2021-11-10"
    page.wait_for_selector("#chart-headlines + script, [data-chart=chart-headlines] svg.main-svg")
    assert page.locator("[data-chart=chart-headlines] svg.main-svg").count() >= 1
    assert page.locator("[data-chart=chart-sections] svg.main-svg").count() >= 1
    # Status is written, not only coloured: the bars carry their label.
    assert "严重滞后" in page.locator("[data-chart=chart-sections]").text_content()
    assert page.locator("script[src$='plotly.min.js']").count() == 1


def test_it_changes_the_bars_with_the_period_switcher(login_page, live_server, official, figures):
    indicator = Indicator.objects.get(code="sci-projects-signed")
    page = login_page(official)
    page.goto(f"{live_server.url}/targets/indicators/{indicator.pk}/?as_of=2021-11-10")
    page.wait_for_selector("[data-chart=chart-bars] g.point")
    dekads = page.locator("[data-chart=chart-bars] .trace.bars").first.locator("g.point").count()
    page.click(".switcher a[data-period=month]")
    page.wait_for_selector(".switcher a.active[data-period=month]")
    page.wait_for_selector("[data-chart=chart-bars] g.point")
    months = page.locator("[data-chart=chart-bars] .trace.bars").first.locator("g.point").count()
    assert (dekads, months) == (9, 3)
    assert "11月" in page.locator("[data-chart=chart-bars] .xtick").all_text_contents()
    assert page.locator("[data-chart=chart-burnup] svg.main-svg").count() >= 1


def test_it_changes_statuses_with_the_as_of_date(login_page, live_server, official, figures):
    page = login_page(official)
    page.goto(f"{live_server.url}/?as_of=2021-11-10")
    before = page.locator(".sections .card").first.inner_text(), page.locator(".behind-list h2").inner_text()
    # Nothing is entered after 11-10: by year end everything with a plan falls behind.
    page.fill("input[name=as_of]", "2021-12-31")
    page.dispatch_event("input[name=as_of]", "change")
    page.wait_for_url("**as_of=2021-12-31**")
    after = page.locator(".sections .card").first.inner_text(), page.locator(".behind-list h2").inner_text()
    assert before != after
    assert page.input_value("input[name=as_of]") == "2021-12-31"


def test_it_screenshots_every_page_on_phone_and_desktop(login_page, live_server, official, figures):
    indicator = Indicator.objects.get(code="kp-investment")
    project = KeyProject.objects.filter(milestones__isnull=False).first()
    pages = {
        "overview": "/",
        "indicator": f"/targets/indicators/{indicator.pk}/",
        "goals": "/targets/goals/",
        "departments": "/targets/departments/",
        "department": "/targets/departments/econ/",
        "key-projects": "/projects/key/",
        "key-project": f"/projects/key/{project.pk}/",
        "safety": "/projects/safety/",
        "recovery": "/projects/recovery/",
    }
    page = login_page(official)
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        for name, url in pages.items():
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            for chart in page.locator("[data-chart]").all():
                chart.locator("svg.main-svg").first.wait_for()
            assert "数据截至" in page.content()
            # Nothing wider than the screen: the page itself never scrolls sideways.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name} is {width}px wide on {size_name}"
            screenshot(page, f"dashboard-{name}-{size_name}")
