"""The timeliness page in a real browser (Debian's chromium), on a desktop and a phone:
the ranking reads rank and unit first, nothing runs off the screen; a manager downloads
the ranking's workbook. Screenshots go to artifacts/."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import screenshot
from tests.targets.entry.entry_helpers import indicators_fixture  # noqa: F401
from tests.targets.entry.timeliness_helpers import NOW, calendar_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


def test_a_manager_reads_and_downloads_the_ranking_on_a_desktop_and_a_phone(
    settings, browser, live_server, manager, calendar
):
    settings.DEMO_TODAY = NOW.date()  # the product's clock on Tuesday 2 November 2021
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-" + manager.username)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}{reverse('timeliness')}")
        screenshot(page, f"timeliness-ranking-{name}")
        first = page.locator("table.ranking tbody tr").first
        assert "城市建设局" in first.inner_text() and "100.0%" in first.inner_text()
        assert page.locator("table.ranking .tie").count() == 2
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        if name == "phone":
            rank, unit = (page.locator("table.ranking tbody tr").nth(1).locator("td").nth(i) for i in (0, 1))
            assert abs(rank.bounding_box()["y"] - unit.bounding_box()["y"]) < 4  # one line

    with page.expect_download() as info:
        page.locator("#ranking .export-xlsx").click()
    download = info.value
    assert download.suggested_filename == "报送及时率排名_2021-11-02.xlsx"
    with open(download.path(), "rb") as received:
        sheet = load_workbook(io.BytesIO(received.read())).active
    assert sheet["C2"].value == "城市建设局" and sheet["B3"].value == "并列"
