"""Evidence in a real browser (Debian's chromium): a clerk raises a problem with a photo,
a manager starts the work, the clerk requests 销号 with a photo of the result, the manager
closes it, the overview's counts move; the photo is refused (403) to another unit's
clerk. The problem page with its thumbnails is screenshotted."""

import time

import pytest

from projects.models import KeyProject, Problem
from targets.evidence.models import Evidence
from tests.conftest import screenshot
from tests.targets.evidence import samples

from .test_browser_problems import count, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name, **kwargs):
    return {"name": name, "mimeType": "image/jpeg", "buffer": samples.jpeg_with_gps(**kwargs)}


def thumbnails_drawn(page) -> list[int]:
    """The drawn width of every thumbnail, once all are loaded (or after 10 s). Polled from
    here: a string predicate of ``wait_for_function`` is evaluated in the page, which the
    page's CSP (no unsafe-eval) refuses."""
    images = page.locator(".evidence-grid img")
    deadline = time.monotonic() + 10
    while True:
        drawn = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
        if all(drawn) or time.monotonic() > deadline:
            return drawn
        page.wait_for_timeout(100)


def test_it_takes_a_problem_with_photos_to_closed_and_keeps_them_from_another_unit(
    browser, live_server, media, clerk, clerk2, manager
):
    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=clerk.profile.department)
    clerk_page = logged_in(browser, live_server, clerk)
    clerk_page.goto(f"{live_server.url}/")
    assert count(clerk_page, "open") == "0"

    clerk_page.goto(f"{live_server.url}/problems/new/?key_project={project.pk}")
    clerk_page.fill("#id_title", "施工围挡破损")
    clerk_page.fill("#id_due_date", "2021-11-30")
    clerk_page.set_input_files("#id_photos", [photo("围挡.jpg")])
    clerk_page.click("form.form-stack button[type=submit]")
    assert clerk_page.locator("#problem-status").text_content() == "待整改"
    problem = Problem.objects.get()
    assert thumbnails_drawn(clerk_page) == [240]  # drawn, upright: 240 × 320

    manager_page = logged_in(browser, live_server, manager)
    manager_page.goto(f"{live_server.url}/problems/{problem.pk}/")
    manager_page.click("button[value=start]")
    assert manager_page.locator("#problem-status").text_content() == "整改中"

    clerk_page.goto(f"{live_server.url}/problems/{problem.pk}/")
    clerk_page.fill("#id_comment", "围挡已更换")
    clerk_page.click("button[value=request_close]")  # no proof: refused, shown
    assert "申请销号须附整改证明" in clerk_page.locator("[role=alert]").text_content()
    clerk_page.fill("#id_comment", "围挡已更换")
    clerk_page.set_input_files("#id_files", [photo("整改后.jpg", size=(900, 500), orientation=1)])
    clerk_page.click("button[value=request_close]")
    assert clerk_page.locator("#problem-status").text_content() == "申请销号"
    assert thumbnails_drawn(clerk_page) == [240, 320]
    assert clerk_page.locator(".evidence-grid").text_content().count("销号证明") == 1

    manager_page.goto(f"{live_server.url}/problems/{problem.pk}/")
    for size_name, size in {"phone": (390, 844), "desktop": (1366, 768)}.items():
        manager_page.set_viewport_size({"width": size[0], "height": size[1]})
        width = manager_page.evaluate("document.documentElement.scrollWidth")
        assert width <= size[0], f"the problem page is {width}px wide on {size_name}"
        screenshot(manager_page, f"problem-evidence-{size_name}")
    manager_page.click("button[value=close]")
    assert manager_page.locator("#problem-status").text_content() == "已销号"
    manager_page.goto(f"{live_server.url}/")
    assert (count(manager_page, "open"), count(manager_page, "closed")) == ("0", "1")

    first = Evidence.objects.order_by("pk").first()
    other_page = logged_in(browser, live_server, clerk2)
    for path in (f"/evidence/{first.pk}/", f"/evidence/{first.pk}/thumb/"):
        assert other_page.request.get(live_server.url + path).status == 403
        assert clerk_page.request.get(live_server.url + path).status == 200
    other_page.goto(f"{live_server.url}/problems/{problem.pk}/")
    assert other_page.locator(".evidence-grid img").count() == 0
    assert "证明材料仅责任单位" in other_page.locator("#evidence").text_content()
    for page in (clerk_page, manager_page, other_page):
        page.context.close()
