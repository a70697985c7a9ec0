"""The key-project list and one project's page with the demo's figures in a real browser
(Debian's chromium), on a desktop (1280) and a phone (390): the figures are on screen and
the page never needs scrolling sideways."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import KeyProject
from targets.seed import demo
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def test_it_shows_the_key_projects_figures_on_desktop_and_phone(login_page, live_server, official):
    call_command("seed_briefing", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    as_of = f"?as_of={demo.DEFAULT_UNTIL.isoformat()}"
    project = KeyProject.objects.get(code="yellow-river-research-centre")
    page = login_page(official)
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/projects/key/{as_of}")
        page.wait_for_load_state("networkidle")
        assert page.locator(".reconciliation .difference").is_visible()
        row = page.locator("table.key-projects tr", has_text="黄河研究中心")
        assert row.locator("td", has_text="0.57").first.is_visible()
        assert row.locator("td", has_text="严重滞后").first.is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the key-project list is {width}px wide on {size_name}"
        screenshot(page, f"key-projects-{size_name}")

        page.goto(f"{live_server.url}/projects/key/{project.pk}/{as_of}")
        page.wait_for_load_state("networkidle")
        page.locator("[data-chart=chart-timeline] svg.main-svg").first.wait_for()
        figures = page.locator(".project-figures")
        assert "0.57亿元" in figures.text_content() and "28.5%" in figures.text_content()
        assert page.locator("table.permits", has_text="施工许可").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the project page is {width}px wide on {size_name}"
        screenshot(page, f"key-project-detail-{size_name}")
