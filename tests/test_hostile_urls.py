"""Every URL pattern of the URL conf (pages, reports, API, admin), walked as a manager with
hostile path and query values: impossible and far-away dates, huge numbers, words. No
answer may be a server error; a bad date gets a 400/404 that says what is wrong."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from targets import services
from targets.models import Submission
from targets.services import EntryInput

from .targets.entry.entry_helpers import indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

# Path values, all used for every parameter of a pattern at once.
PATH_VALUES = [
    "1",
    "0",
    "999999999999999999",
    "99999999999999999999999999",
    "9999-12-27",
    "9999-12-31",
    "0001-01-01",
    "2021-02-30",
    "2021-10-11",
    "x",
    "-1",
]
QUERIES = [
    "as_of=2021-02-30",
    "as_of=0001-01-01",
    "as_of=9999-12-31",
    "as_of=x",
    "quarter=9999-12-31",
    "quarter=0001-01-01",
    "quarter=2021-02-30",
    "period=x",
    "period=year",
    "period=day&as_of=9999-12-31",
    "page=999999999999999999999",
    "page=-1",
    "page=x",
    "start=0001-01-01&end=9999-12-31",
    "start=9999-12-31",
    "end=0001-01-01",
    "indicator=99999999999999999999999",
    "dept=nope",
    "partial=1",
    "plan=nope",
    "plan=" + "x" * 300,
    "plan=%00",
    "plan=2021q4&as_of=9999-12-31",
]
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def fill(route: str, value: str) -> str:
    """A concrete path for ``route`` with every parameter set to ``value``; the report
    kind, a choice of three, becomes ``week``."""
    route = route.replace("(?P<kind>week|month|quarter)", "week")
    route = GROUP.sub(value, route)
    route = CONVERTER.sub(value, route)
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + route


@pytest.fixture
def manager_client(manager, indicators):
    invest = indicators[0]
    services.record_entries(user=manager, rows=[EntryInput(invest, date(2021, 10, 12), "1.5")])
    assert Submission.objects.filter(department=invest.department).exists()
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client


def test_it_answers_every_url_with_hostile_values_without_a_server_error(manager_client):
    failures = []
    routes = sorted(set(walk(get_resolver().url_patterns)))
    assert len(routes) > 150  # admin included
    for route in routes:
        # Every hostile path value alone, then every hostile query on paths that exist.
        urls = {fill(route, value) for value in PATH_VALUES}
        if not route.startswith("admin/"):
            path = fill(route, "2021-10-11" if "day" in route else "1")
            if not path.endswith(".pdf"):
                urls.update(f"{path}?{query}" for query in QUERIES)
        for url in sorted(urls):
            response = manager_client.get(url)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {url}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    [
        "/?as_of=2021-02-30",
        "/targets/goals/?as_of=2021-02-30",
        "/targets/departments/?as_of=2021-02-30",
        "/targets/departments/econ/?as_of=2021-02-30",
        "/projects/key/?as_of=2021-02-30",
        "/projects/safety/?as_of=2021-02-30",
        "/projects/recovery/?as_of=2021-02-30",
        "/approvals/timeliness/?quarter=2021-02-30",
        "/approvals/?quarter=9999-12-31",
    ],
)
def test_it_says_a_query_date_is_impossible(manager_client, url):
    response = manager_client.get(url)
    assert response.status_code == 400
    assert "日期" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/?plan=nope",
        "/targets/goals/?plan=nope",
        "/targets/departments/?plan=" + "x" * 300,
        "/projects/safety/?plan=nope",
        "/reports/?plan=nope",
    ],
)
def test_it_says_a_plan_does_not_exist(manager_client, url):
    response = manager_client.get(url)
    assert response.status_code == 404
    assert "工作计划" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/entry/9999-12-27/",
        "/entry/0001-01-01/",
        "/entry/0001-01-01/template.xlsx",
        "/reports/week/9999-12-31/",
        "/reports/month/0001-01-01.pdf",
    ],
)
def test_it_says_a_path_date_is_out_of_range(manager_client, url):
    response = manager_client.get(url)
    assert response.status_code == 404
    assert "2000" in response.content.decode() and "2100" in response.content.decode()


def test_it_answers_deeply_nested_json_with_the_api_error(manager_client, indicators):
    body = "[" * 100_000 + "]" * 100_000
    response = manager_client.post("/api/v1/entries/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "parse_error"
    assert Decimal("1.5") == indicators[0].entries.get().value  # nothing else saved
