"""The API token page and the interactive API docs, in a real browser."""

from urllib.parse import urlparse

import pytest
from rest_framework.authtoken.models import Token

from tests.api_helpers import make_world
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_clerk_make_a_token_in_the_browser(login_page, live_server, clerk, departments):
    page = login_page(clerk)
    page.click("text=API 令牌")
    page.click("button:has-text('生成令牌')")
    key = page.locator("#new-token").inner_text()
    assert key == Token.objects.get(user=clerk).key
    screenshot(page, "api-token-created")
    # The key works for a script.
    auth = {"Authorization": f"Token {key}"}
    response = page.request.get(f"{live_server.url}/api/v1/indicators/", headers=auth)
    assert response.status == 200
    page.click("button:has-text('撤销令牌')")
    assert page.locator("text=令牌已撤销").is_visible()
    assert not Token.objects.filter(user=clerk).exists()


def test_it_shows_the_api_docs_from_local_assets_only(login_page, live_server, official, departments):
    make_world(*departments)
    hosts = set()
    page = login_page(official)
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock-summary-path", timeout=20000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/indicators/{id}/series/" in [p.replace("\u200b", "") for p in paths]
    screenshot(page, "api-docs")
    assert hosts == {urlparse(live_server.url).netloc}, hosts
