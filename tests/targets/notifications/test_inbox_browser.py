"""The inbox and the header's unread count in a real browser (Debian's chromium), on a
phone (390 px) and a desktop: a returned week arrives, the clerk opens it from the
header, the count goes down. Screenshots under artifacts/."""

from datetime import date

import pytest

from targets import services
from targets.notifications import services as notifications
from targets.notifications.models import Delivery, Kind, WebhookTarget
from targets.services import EntryInput
from tests.api_helpers import make_world
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
MONDAY = date(2021, 10, 4)


def logged_in(browser, live_server, user, size):
    page = browser.new_context(locale="zh-CN", viewport=SIZES[size]).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.fixture
def inbox(departments, clerk, manager):
    world = make_world(*departments)
    services.record_entries(user=clerk, rows=[EntryInput(world["invest"], MONDAY, "1.5")])
    week = services.submit_week(user=clerk, department=world["econ"], week_start=MONDAY)
    notifications.notify(
        kind=Kind.WEEK_OVERDUE,
        recipients=[clerk],
        title="【逾期】经济发展局 有2周数据逾期未报",
        body="逾期未报的周：\n- 2021年10月11日—10月17日\n- 2021年10月18日—10月24日\n请尽快填报并提交。",
        link="/entry/2021-10-11/?dept=econ",
    )
    services.return_week(user=manager, submission=week, comment="周二数据缺失，请核实后补报")
    return world


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_the_unread_count_and_the_inbox(browser, live_server, clerk, inbox, size):
    page = logged_in(browser, live_server, clerk, size)
    badge = page.locator(".inbox-link .badge")
    assert badge.text_content() == "2"
    box = badge.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["width"]  # on screen, even on a phone
    screenshot(page, f"notifications-header-{size}")

    page.click(".inbox-link")
    assert page.locator("h1").text_content() == "通知"
    notes = page.locator("li.note")
    assert notes.count() == 2
    assert "周二数据缺失，请核实后补报" in notes.first.text_content()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    screenshot(page, f"notifications-inbox-{size}")

    notes.first.locator("button", has_text="查看").click()
    page.wait_for_load_state()
    assert "/entry/2021-10-04/" in page.url
    assert page.locator(".inbox-link .badge").text_content() == "1"


def test_it_shows_a_manager_the_failed_deliveries(browser, live_server, clerk, manager, inbox):
    robot = WebhookTarget.objects.create(
        name="经发局企业微信群", kind="wecom", url="http://127.0.0.1:9/cgi-bin/webhook/send", role="clerks"
    )
    note = clerk.notifications.first()
    Delivery.objects.create(
        notification=note, channel="wecom", target=robot, status="failed", attempts=6, last_error="HTTP 500"
    )
    page = logged_in(browser, live_server, manager, "desktop")
    page.goto(f"{live_server.url}/notifications/")
    section = page.locator(".failed-deliveries")
    assert "经发局企业微信群" in section.text_content() and "HTTP 500" in section.text_content()
    screenshot(page, "notifications-failed-desktop")
    phone = logged_in(browser, live_server, manager, "phone")
    phone.goto(f"{live_server.url}/notifications/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "notifications-failed-phone")
