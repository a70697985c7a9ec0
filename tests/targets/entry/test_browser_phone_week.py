"""A clerk enters and submits a week on a phone: at 360, 375, 390 and 414 px, the
briefing's safety clerk (36 weekly figures, once 252 daily cells) fills every cell, saves
and submits, with no sideways scroll and the top menu on at most two rows."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from targets.models import Entry, Submission
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTHS = (360, 375, 390, 414)
WEEK = date(2021, 11, 15)
SUNDAY = date(2021, 11, 21)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def menu_rows(page) -> int:
    """Lines the visible menu links take (links on one line share their top); 0 when
    the menu is folded away."""
    script = (
        "links => links.filter(a => a.offsetParent !== null)"
        ".map(a => Math.round(a.getBoundingClientRect().top))"
    )
    return len(set(page.eval_on_selector_all(".mainnav a", script)))


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_a_clerk_enters_and_submits_a_week_on_a_phone(login_page, live_server, clerk2, width):
    call_command("seed_briefing", stdout=StringIO())
    page = login_page(clerk2)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/entry/{WEEK.isoformat()}/")
    page.wait_for_load_state()
    assert menu_rows(page) <= 2, width
    assert no_sideways_scroll(page), (width, page.evaluate("document.documentElement.scrollWidth"))
    inputs = page.locator("input.cell-input")
    count = inputs.count()
    assert 0 < count <= 40, count
    assert "本周需填报 36 个数值" in page.inner_text("#cell-count")
    # Each figure's line names its period; the backlog of overdue hazards is a stock.
    labels = page.eval_on_selector_all("td.cell", "tds => tds.map(td => td.dataset.label)")
    assert len(labels) == count and all(label.startswith("本周（11/15–11/21）") for label in labels)
    assert sum("截至本期末" in label for label in labels) == 9  # one per campaign
    for n in range(count):
        field = inputs.nth(n)
        field.scroll_into_view_if_needed()
        field.fill(str(n % 5))
    if width == 390:
        screenshot(page, "entry-week-phone-390-filled")
    page.click("#save")
    page.wait_for_load_state()
    assert f"已保存 {count} 个数值" in page.inner_text(".messages")
    assert Entry.objects.filter(date=SUNDAY).count() == count
    assert not Entry.objects.exclude(date=SUNDAY).exists()
    assert no_sideways_scroll(page)
    page.click("#submit-week")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".week-status")
    assert Submission.objects.get(week_start=WEEK).status == "submitted"
    assert no_sideways_scroll(page) and menu_rows(page) <= 2
    if width == 390:
        screenshot(page, "entry-week-phone-390-submitted")


def test_the_week_page_on_a_desk(login_page, live_server, clerk):
    """The econ clerk's week on a desk: weekly and monthly figures under their days."""
    call_command("seed_briefing", stdout=StringIO())
    page = login_page(clerk)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/entry/2021-10-25/")  # ends on Sunday 31 October
    page.wait_for_load_state()
    assert no_sideways_scroll(page)
    text = page.inner_text(".week-grid")
    assert "2021年10月" in text and "本周（10/25–10/31）" in text
    screenshot(page, "entry-week-desktop-month-end")
