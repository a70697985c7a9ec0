"""Under the Content-Security-Policy, in a real browser: every main page loads without a
single CSP violation in the console, the Plotly charts are still drawn, the API docs
still work, static files stay cacheable; and the locked-out login page as a user sees it."""

from datetime import date

import pytest

from targets.models import Indicator
from tests.conftest import screenshot
from tests.targets.dashboards.dashboard_fixtures import briefing_with_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = date(2021, 11, 10)


def watch_console(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda message: seen.append(f"{message.type}: {page.url} {message.text}"))
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


def test_it_shows_every_main_page_without_a_csp_violation(login_page, live_server, manager):
    briefing_with_figures(AS_OF)
    indicator = Indicator.objects.get(code="sci-projects-signed")
    page = login_page(manager)
    seen = watch_console(page)
    urls = [
        f"/?as_of={AS_OF}",
        f"/targets/indicators/{indicator.pk}/?as_of={AS_OF}",
        "/targets/goals/",
        "/targets/departments/",
        "/projects/key/",
        "/projects/safety/",
        "/projects/recovery/",
        "/entry/",
        "/approvals/",
        "/approvals/timeliness/",
        "/reports/",
        "/reports/week/2021-11-08/",
        "/accounts/token/",
        "/accounts/lockouts/",
        "/admin/",
    ]
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status < 400, url
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/?as_of={AS_OF}")
    page.wait_for_selector("[data-chart=chart-headlines] svg.main-svg")
    assert page.locator("[data-chart=chart-sections] svg.main-svg").count() >= 1
    screenshot(page, "csp-overview-charts")
    page.goto(f"{live_server.url}/targets/indicators/{indicator.pk}/?as_of={AS_OF}")
    page.wait_for_selector("[data-chart=chart-bars] g.point")
    assert page.locator("[data-chart=chart-burnup] svg.main-svg").count() >= 1
    screenshot(page, "csp-indicator-charts")
    # The language switcher still submits on change (its inline handler moved to site.js).
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    # The API docs render their operations.
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15_000)
    violations = [line for line in seen if "Content Security Policy" in line or "pageerror" in line]
    assert violations == []
    static = page.request.get(f"{live_server.url}/static/css/site.css")
    assert static.status == 200
    assert "no-store" not in static.headers.get("cache-control", "")


def test_it_shows_the_locked_out_login_page(page, live_server, clerk):
    seen = watch_console(page)
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "clerk")
        page.fill("#id_password", "wrong-password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-clerk")

    def login_post(response):
        return response.url.endswith("/accounts/login/") and response.request.method == "POST"

    with page.expect_response(login_post) as info:
        page.click("button[type=submit]")
    assert info.value.status == 429
    page.wait_for_load_state()
    assert "该账号或本机地址已被暂时锁定" in page.locator("p.locked").inner_text()
    assert "/accounts/login/" in page.url
    screenshot(page, "login-locked-out")
    assert [line for line in seen if "Content Security Policy" in line] == []
