"""A clerk fills the week in a real browser, a manager approves, the week locks."""

from decimal import Decimal

import pytest

from targets.models import Entry, Submission
from tests.conftest import screenshot

from .entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cell(indicator, offset):
    day = WEEK.replace(day=WEEK.day + offset)
    return f"#c_{indicator.pk}_{day:%Y%m%d}"


def test_it_walks_a_week_from_clerk_to_manager_and_locks_it(
    page, live_server, login_page, clerk, manager, indicators
):
    invest, signed, _ = indicators
    week_url = f"{live_server.url}/entry/{WEEK.isoformat()}/"

    login_page(clerk)
    page.goto(week_url)
    page.fill(cell(invest, 0), "2.5")
    page.keyboard.press("Enter")  # Enter moves down the column, like a spreadsheet
    assert page.evaluate("document.activeElement.id") == cell(signed, 0)[1:]
    page.keyboard.type("3")
    screenshot(page, "entry-week-filled-desktop")
    page.click("#save")
    page.wait_for_load_state()
    assert "已保存 2 个数值" in page.inner_text(".messages")

    # A bad cell: nothing saved, the cell says why.
    page.fill(cell(signed, 1), "abc")
    page.click("#save")
    page.wait_for_load_state()
    assert "不是数字" in page.inner_text(f"#e_{signed.pk}_{WEEK.replace(day=12):%Y%m%d}")
    screenshot(page, "entry-week-error-desktop")
    page.goto(week_url)

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    screenshot(page, "entry-week-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    page.click("#submit-week")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".week-status")
    assert Submission.objects.get().status == "submitted"

    page.context.clear_cookies()
    login_page(manager)
    page.goto(f"{live_server.url}/approvals/")
    assert "经济发展局" in page.inner_text("table.approvals")
    screenshot(page, "approvals-desktop")
    page.fill("table.approvals input[name=comment]", "数据齐全")
    page.click("table.approvals button.primary")
    page.wait_for_load_state()
    assert "已审核通过" in page.inner_text(".messages")

    page.context.clear_cookies()
    login_page(clerk)
    page.goto(week_url)
    assert "已审核锁定" in page.inner_text(".week-status")
    assert page.locator("input.cell-input").count() == 0
    assert page.locator("#submit-week").count() == 0
    screenshot(page, "entry-week-locked-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    screenshot(page, "entry-week-locked-phone")
    assert {(e.indicator_id, e.value) for e in Entry.objects.all()} == {
        (invest.pk, Decimal("2.5")),
        (signed.pk, Decimal("3")),
    }
