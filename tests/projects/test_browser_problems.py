"""A problem through its flow in a real browser (Debian's chromium): a clerk raises it
from the project page and requests 销号, the manager closes it, the overview's counts move.
The list and the problem page are screenshotted on a phone and a desktop."""

import pytest

from projects.models import KeyProject, Problem
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


def logged_in(browser, live_server, user):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def count(page, name):
    return page.locator(f"#problem-card [data-count={name}]").text_content()


def test_it_walks_a_problem_from_raised_to_closed_and_the_overview_follows(
    browser, live_server, clerk, manager
):
    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=clerk.profile.department)
    clerk_page = logged_in(browser, live_server, clerk)
    clerk_page.goto(f"{live_server.url}/")
    assert count(clerk_page, "open") == "0"

    clerk_page.goto(f"{live_server.url}/projects/key/{project.pk}/")
    clerk_page.click("#problem-card >> text=提出问题")
    clerk_page.fill("#id_title", "征地拆迁未完成")
    clerk_page.select_option("#id_severity", "major")
    clerk_page.fill("#id_due_date", "2021-11-30")
    clerk_page.click("form.form-stack button[type=submit]")
    assert clerk_page.locator("#problem-status").text_content() == "待整改"
    problem = Problem.objects.get()
    assert problem.key_project == project and problem.department == project.department

    clerk_page.goto(f"{live_server.url}/")
    assert count(clerk_page, "open") == "1"
    clerk_page.goto(f"{live_server.url}/problems/{problem.pk}/")
    clerk_page.click("button[value=start]")
    assert clerk_page.locator("#problem-status").text_content() == "整改中"
    clerk_page.click("button[value=request_close]")  # no comment: refused, shown
    assert "申请销号时请说明整改情况" in clerk_page.locator("[role=alert]").text_content()
    clerk_page.fill("#id_comment", "已完成征地，附协议")
    clerk_page.check("#id_without_evidence")  # the proof itself: test_browser_evidence.py
    clerk_page.click("button[value=request_close]")
    assert clerk_page.locator("#problem-status").text_content() == "申请销号"
    assert clerk_page.locator("button[value=close]").count() == 0

    manager_page = logged_in(browser, live_server, manager)
    manager_page.goto(f"{live_server.url}/problems/?status=close_requested")
    manager_page.click("table.problems >> text=征地拆迁未完成")
    manager_page.fill("#id_comment", "同意销号")
    for size_name, size in SIZES.items():
        manager_page.set_viewport_size(size)
        width = manager_page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the problem page is {width}px wide on {size_name}"
        screenshot(manager_page, f"problem-detail-{size_name}")
    manager_page.click("button[value=close]")
    assert manager_page.locator("#problem-status").text_content() == "已销号"
    assert manager_page.locator("table >> text=已完成征地，附协议").count() == 1

    manager_page.goto(f"{live_server.url}/")
    assert count(manager_page, "open") == "0"
    assert count(manager_page, "closed") == "1"
    for size_name, size in SIZES.items():
        manager_page.set_viewport_size(size)
        manager_page.goto(f"{live_server.url}/problems/")
        width = manager_page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the problem list is {width}px wide on {size_name}"
        screenshot(manager_page, f"problem-list-{size_name}")
