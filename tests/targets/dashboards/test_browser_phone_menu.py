"""The top menu on common phone widths: whole words, at most two rows, no sideways scroll.
(At 390 px the clerk's menu used to wrap one character per line, a column 600 px tall.)"""

import pytest

from tests.conftest import screenshot
from tests.targets.dashboards.dashboard_fixtures import briefing_with_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTHS = (360, 375, 390, 414)
PAGES = ("/", "/entry/", "/projects/key/")


def _menu_rows(page) -> int:
    """How many lines the menu's links take (links on one line share their top)."""
    script = "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
    tops = page.eval_on_selector_all(".mainnav a", script)
    return len(set(tops))


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_it_keeps_the_phone_menu_to_two_rows_of_whole_words(login_page, live_server, clerk, manager, width):
    briefing_with_figures()
    for user in (clerk, manager):
        page = login_page(user)
        page.set_viewport_size({"width": width, "height": 800})
        for path in PAGES:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state()
            assert _menu_rows(page) <= 2, (user.username, path, width)
            # No link is broken inside a word: each is one line high.
            heights = page.eval_on_selector_all(".mainnav a", "as => as.map(a => a.getClientRects().length)")
            assert set(heights) == {1}, (user.username, path, width)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (user.username, path, width, scroll)
        if width == 390:
            screenshot(page, f"menu-phone-{user.username}-{width}")
        page.context.clear_cookies()
