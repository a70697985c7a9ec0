"""The API token page, token authentication and throttling, the schema and the docs page."""

import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from targets.models import AuditEvent
from tests.api_helpers import assert_error, client_for, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(departments):
    cache.clear()  # API token throttle counters: each test starts with none
    return make_world(*departments)


def test_it_lets_a_user_create_use_and_revoke_their_token(client, clerk, world):
    client.force_login(clerk)
    page = client.get("/accounts/token/")
    assert page.status_code == 200
    assert "您还没有令牌" in page.content.decode()

    created = client.post("/accounts/token/", {"action": "create"})
    key = Token.objects.get(user=clerk).key
    assert key in created.content.decode()  # shown once, right after creation
    assert key not in client.get("/accounts/token/").content.decode()
    assert AuditEvent.objects.filter(action="token_create", user=clerk).exists()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/indicators/").status_code == 200

    client.post("/accounts/token/", {"action": "revoke"})
    assert not Token.objects.filter(user=clerk).exists()
    assert AuditEvent.objects.filter(action="token_revoke", user=clerk).exists()
    assert_error(api.get("/api/v1/indicators/"), 401, "authentication_failed")


def test_it_replaces_the_old_token_when_a_new_one_is_made(client, clerk, world):
    client.force_login(clerk)
    client.post("/accounts/token/", {"action": "create"})
    old = Token.objects.get(user=clerk).key
    client.post("/accounts/token/", {"action": "create"})
    new = Token.objects.get(user=clerk).key
    assert new != old
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert_error(api.get("/api/v1/indicators/"), 401, "authentication_failed")


def test_it_sends_anonymous_visitors_of_the_token_page_to_the_login(client):
    response = client.get("/accounts/token/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_links_the_token_page_in_the_navigation(client, official, world):
    client.force_login(official)
    assert 'href="/accounts/token/"' in client.get("/").content.decode()


def test_it_makes_tokens_with_drf_create_token(official, world):
    call_command("drf_create_token", "official", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert client_for(official).get("/api/v1/indicators/").status_code == 200
    assert Token.objects.filter(user=official).count() == 1


def test_it_throttles_token_requests_but_not_browser_sessions(settings, official, world):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/min"}}
    api = client_for(official)
    assert [api.get("/api/v1/indicators/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/indicators/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    browser = APIClient()
    browser.force_login(official)
    assert [browser.get("/api/v1/indicators/").status_code for _ in range(5)] == [200] * 5


def test_it_serves_the_schema_to_signed_in_callers_only(official, world):
    anonymous = APIClient().get("/api/v1/schema/?format=json")
    assert anonymous.status_code == 401
    assert json.loads(anonymous.content)["error"]["code"] == "not_authenticated"
    response = client_for(official).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert {"/api/v1/indicators/", "/api/v1/entries/{id}/", "/api/v1/rollups/refresh/"} <= set(
        schema["paths"]
    )
    # The one error shape is documented, for every operation.
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)


def test_it_serves_the_docs_page_with_local_assets_only(client, official, world):
    assert client.get("/api/v1/docs/").status_code == 302  # to the login
    client.force_login(official)
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") or a.startswith("/api/") for a in assets), assets
    assert "http://" not in html and "https://" not in html
