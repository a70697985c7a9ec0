"""Response headers that protect signed-in users: a Content-Security-Policy without inline
script or style on every page, ``Cache-Control: private, no-store`` on signed-in pages and
API answers, and an over-large API request answered in the API's JSON error shape."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from targets import services
from targets.services import EntryInput

from .targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


@pytest.fixture
def pages(indicators, manager):
    invest = indicators[0]
    services.record_entries(user=manager, rows=[EntryInput(invest, date(2021, 10, 12), "1.5")])
    return [
        "/",
        "/targets/goals/",
        "/targets/departments/",
        "/targets/departments/econ/",
        f"/targets/indicators/{invest.pk}/",
        "/projects/key/",
        "/projects/safety/",
        "/projects/recovery/",
        f"/entry/{WEEK.isoformat()}/?dept=econ",
        f"/entry/{WEEK.isoformat()}/import/?dept=econ",
        "/approvals/",
        "/approvals/timeliness/",
        "/reports/",
        "/reports/week/2021-10-11/",
        "/accounts/token/",
        "/accounts/lockouts/",
        "/api/v1/docs/",
    ]


def test_it_sends_a_csp_and_no_page_has_inline_script_or_style(client, manager, pages):
    client.force_login(manager)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy
        html = response.content.decode()
        assert not INLINE_HANDLER.search(html), (url, INLINE_HANDLER.search(html).group(0))
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
        assert not STYLE_ATTRIBUTE.search(html), (url, STYLE_ATTRIBUTE.search(html).group(0))
    client.logout()
    login = client.get(reverse("login"))
    assert "default-src 'self'" in login["Content-Security-Policy"]
    assert not INLINE_HANDLER.search(login.content.decode())


def test_it_loads_the_api_docs_start_up_script_from_the_site(client, manager):
    client.force_login(manager)
    html = client.get("/api/v1/docs/").content.decode()
    src = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(src)
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_it_keeps_signed_in_pages_and_api_answers_out_of_caches(client, official):
    anonymous_api = client.get("/api/v1/indicators/")
    assert anonymous_api.status_code == 401
    assert "no-store" in anonymous_api["Cache-Control"] and "private" in anonymous_api["Cache-Control"]
    client.force_login(official)
    for url in ("/", "/targets/departments/", "/api/v1/indicators/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"], url


def test_it_answers_an_over_large_api_body_with_the_json_error(client, clerk, settings, indicators):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client.force_login(clerk)
    entry = {"indicator": indicators[0].pk, "date": "2021-10-12", "value": "1", "note": "x" * 200_000}
    big = json.dumps(entry)
    response = client.post("/api/v1/entries/", big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "too_large"
    assert "请求体过大" in response.json()["error"]["message"]
    form = client.post("/api/v1/entries/", {"note": "x" * 200_000})
    assert form.status_code == 413
    assert form.json()["error"]["code"] == "too_large"
    assert not indicators[0].entries.exists()
