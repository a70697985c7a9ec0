"""The safety page with the demo's figures in a real browser (Debian's chromium): the
overdue column and each area's chart, on a phone and a desktop, never wider than the screen."""

from io import StringIO

import pytest
from django.core.management import call_command

from targets.seed import demo
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 768}}


def test_it_shows_overdue_hazards_and_a_chart_per_area_on_phone_and_desktop(
    login_page, live_server, official
):
    call_command("seed_briefing", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    page = login_page(official)
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/projects/safety/?as_of={demo.DEFAULT_UNTIL.isoformat()}")
        page.wait_for_load_state("networkidle")
        charts = page.locator("[data-chart^=chart-area-]").all()
        assert len(charts) == 10
        for chart in charts:
            chart.locator("svg.main-svg").first.wait_for()
        # Bars for found and rectified, a line for the overdue hazards.
        assert "逾期未整改" in charts[0].text_content()
        # Every figure of the table is on screen: neither the page nor the table needs
        # scrolling sideways to reach the overdue column (on a phone its rows stack).
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the safety page is {width}px wide on {size_name}"
        right = page.evaluate(
            "Math.max(...[...document.querySelectorAll('table.safety td')]"
            ".map(td => td.getBoundingClientRect().right))"
        )
        assert right <= size["width"], f"the safety table reaches {right}px on {size_name}"
        overdue = page.locator("table.safety td[data-label=逾期]")
        assert overdue.count() == 10 and overdue.first.is_visible()
        screenshot(page, f"safety-overdue-{size_name}")
