"""The problem counts page in a real browser on a phone and a desktop: each unit's counts
readable without sideways scrolling; screenshots go to artifacts/."""

import pytest
from django.urls import reverse

from tests.conftest import screenshot
from tests.projects.test_problem_counts import problems  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


def test_a_manager_reads_the_counts_per_unit_on_a_phone_and_a_desktop(
    settings,
    browser,
    live_server,
    manager,
    problems,  # noqa: F811
):
    settings.DEMO_TODAY = "2021-11-20"
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-" + manager.username)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}{reverse('problems:counts')}")
        screenshot(page, f"problem-counts-{name}")
        rows = page.locator("table.problem-counts tbody tr")
        assert rows.count() == 3 and "合计" in rows.nth(2).inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        assert page.locator(".export-xlsx").count() == 1
