"""GET, POST /api/v1/entries/ and GET, PATCH /api/v1/entries/{id}/: writes go through
the same service as the weekly form, with the same refusals."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from targets.models import AuditEvent, Entry, Submission
from targets.services import EntryInput, record_entries
from tests.api_helpers import assert_error, client_for, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(departments):
    cache.clear()  # API token throttle counters: each test starts with none
    return make_world(*departments)


OCT_4 = date(2021, 10, 4)  # a Monday


def seed(user, indicator, day, value, note=""):
    return record_entries(user=user, rows=[EntryInput(indicator, day, str(value), note)])[0]


def snapshot():
    """Everything a refused write must leave alone."""
    return (
        sorted(Entry.objects.values_list("indicator_id", "date", "value", "note", "version")),
        Entry.history.count(),
    )


@pytest.fixture
def entries(world, manager):
    return {
        "invest": seed(manager, world["invest"], OCT_4, "1.5", "首笔"),
        "invest2": seed(manager, world["invest"], date(2021, 10, 12), "2"),
        "hazards": seed(manager, world["hazards"], OCT_4, "7"),
    }


# ---- Reading


def test_it_answers_anonymous_callers_401(entries):
    assert_error(APIClient().get("/api/v1/entries/"), 401, "not_authenticated")
    assert_error(APIClient().get(f"/api/v1/entries/{entries['invest'].pk}/"), 401, "not_authenticated")


def test_it_refuses_an_account_without_a_role(entries, outsider):
    assert_error(client_for(outsider).get("/api/v1/entries/"), 403, "permission_denied")


def test_it_shows_a_clerk_only_their_own_departments_entries(entries, clerk):
    body = client_for(clerk).get("/api/v1/entries/").json()
    assert body["count"] == 2
    assert {row["indicator"] for row in body["results"]} == {entries["invest"].indicator_id}
    # Asking for another department gives nothing, not its figures.
    assert client_for(clerk).get("/api/v1/entries/?department=safety").json()["count"] == 0


@pytest.mark.parametrize("who", ["official", "manager"])
def test_it_shows_officials_and_managers_every_entry(entries, who, request):
    body = client_for(request.getfixturevalue(who)).get("/api/v1/entries/").json()
    assert body["count"] == 3


def test_it_gives_the_contract_fields_with_the_value_as_a_string(entries, official):
    entry = entries["invest"]
    row = client_for(official).get(f"/api/v1/entries/{entry.pk}/").json()
    assert row == {
        "id": entry.pk,
        "indicator": entry.indicator_id,
        "date": "2021-10-04",
        "value": "1.5000",
        "note": "首笔",
        "version": 1,
    }


def test_it_filters_entries_by_indicator_dates_and_department(entries, official, world):
    client = client_for(official)
    ids = lambda url: sorted(row["id"] for row in client.get(url).json()["results"])  # noqa: E731
    assert ids(f"/api/v1/entries/?indicator={world['invest'].pk}") == sorted(
        [entries["invest"].pk, entries["invest2"].pk]
    )
    assert ids("/api/v1/entries/?start=2021-10-05") == [entries["invest2"].pk]
    assert ids("/api/v1/entries/?end=2021-10-04") == sorted([entries["invest"].pk, entries["hazards"].pk])
    assert ids("/api/v1/entries/?department=safety") == [entries["hazards"].pk]
    error = assert_error(client.get("/api/v1/entries/?start=yesterday"), 400, "invalid")
    assert "start" in error["fields"]


def test_it_refuses_a_clerk_another_departments_entry_by_id(entries, clerk):
    assert_error(client_for(clerk).get(f"/api/v1/entries/{entries['hazards'].pk}/"), 403, "permission_denied")


def test_it_answers_404_for_an_unknown_entry(entries, official):
    assert_error(client_for(official).get("/api/v1/entries/999999/"), 404, "not_found")


# ---- Creating


def test_it_creates_a_clerks_figure_through_the_service(world, clerk):
    response = client_for(clerk).post(
        "/api/v1/entries/",
        {"indicator": world["invest"].pk, "date": "2021-10-05", "value": "2.25", "note": "开工"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    entry = Entry.objects.get(indicator=world["invest"], date=date(2021, 10, 5))
    assert body == {
        "id": entry.pk,
        "indicator": world["invest"].pk,
        "date": "2021-10-05",
        "value": "2.2500",
        "note": "开工",
        "version": 1,
    }
    assert entry.value == Decimal("2.25") and entry.created_by == clerk
    assert entry.history.first().history_change_reason == "API"
    assert AuditEvent.objects.filter(action="entries", detail__source="api").exists()
    # The week now has a draft submission, as with the web form.
    assert Submission.objects.filter(department=world["econ"], week_start=OCT_4).exists()


def test_it_accepts_a_json_number_as_the_value(world, clerk):
    response = client_for(clerk).post(
        "/api/v1/entries/", {"indicator": world["invest"].pk, "date": "2021-10-05", "value": 3}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["value"] == "3.0000"


def test_it_refuses_another_departments_indicator_with_403_and_saves_nothing(entries, clerk, world):
    before = snapshot()
    response = client_for(clerk).post(
        "/api/v1/entries/",
        {"indicator": world["hazards"].pk, "date": "2021-10-05", "value": "3"},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    assert snapshot() == before


def test_it_refuses_officials_writes_with_403(world, official):
    response = client_for(official).post(
        "/api/v1/entries/",
        {"indicator": world["invest"].pk, "date": "2021-10-05", "value": "3"},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": "1.234"}, "value"),  # the indicator keeps 2 decimals
        ({"value": "-1"}, "value"),
        ({"value": ""}, "value"),
        ({"date": "2021-09-30"}, "date"),  # before the plan starts
        ({"date": "2021-10-32"}, "date"),
        ({"indicator": 999999}, "indicator"),
    ],
)
def test_it_refuses_a_bad_value_or_date_with_per_field_errors(entries, clerk, world, payload, field):
    before = snapshot()
    data = {"indicator": world["invest"].pk, "date": "2021-10-05", "value": "3", **payload}
    error = assert_error(client_for(clerk).post("/api/v1/entries/", data, format="json"), 400, "invalid")
    assert field in error["fields"], error
    assert all(isinstance(m, str) and m for m in error["fields"][field])
    assert snapshot() == before


def test_it_refuses_a_second_figure_for_the_same_day_with_409_and_the_existing_id(entries, clerk, world):
    before = snapshot()
    response = client_for(clerk).post(
        "/api/v1/entries/",
        {"indicator": world["invest"].pk, "date": "2021-10-04", "value": "9"},
        format="json",
    )
    error = assert_error(response, 409, "conflict")
    assert error["entry"]["id"] == entries["invest"].pk
    assert error["entry"]["version"] == 1 and error["entry"]["value"] == "1.5000"
    assert snapshot() == before


def test_it_refuses_a_figure_in_an_approved_week_with_409_locked(entries, clerk, world):
    Submission.objects.filter(department=world["econ"], week_start=OCT_4).update(
        status=Submission.Status.APPROVED
    )
    before = snapshot()
    client = client_for(clerk)
    response = client.post(
        "/api/v1/entries/",
        {"indicator": world["invest"].pk, "date": "2021-10-06", "value": "1"},
        format="json",
    )
    assert_error(response, 409, "locked")
    response = client.patch(
        f"/api/v1/entries/{entries['invest'].pk}/", {"value": "2", "version": 1}, format="json"
    )
    assert_error(response, 409, "locked")
    assert snapshot() == before


def test_it_asks_for_confirmation_of_an_outlier_and_saves_it_when_confirmed(world, clerk, manager):
    for day in (4, 5, 6):
        seed(manager, world["invest"], date(2021, 10, day), "1")
    before = snapshot()
    client = client_for(clerk)
    data = {"indicator": world["invest"].pk, "date": "2021-10-07", "value": "50"}
    error = assert_error(client.post("/api/v1/entries/", data, format="json"), 409, "confirm")
    assert "value" in error["fields"]
    assert snapshot() == before
    response = client.post("/api/v1/entries/", {**data, "confirm": True}, format="json")
    assert response.status_code == 201
    assert response.json()["value"] == "50.0000"


# ---- Changing


def test_it_changes_a_figure_that_carries_the_version_it_read(entries, clerk):
    entry = entries["invest"]
    response = client_for(clerk).patch(
        f"/api/v1/entries/{entry.pk}/", {"value": "1.75", "version": 1, "reason": "更正"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "1.7500" and response.json()["version"] == 2
    assert response.json()["note"] == "首笔"  # not sent: kept
    entry.refresh_from_db()
    assert entry.value == Decimal("1.75") and entry.version == 2
    assert entry.history.first().history_change_reason == "更正"


def test_it_refuses_a_stale_version_with_409_and_the_current_entry(entries, clerk):
    entry = entries["invest"]
    client = client_for(clerk)
    assert (
        client.patch(f"/api/v1/entries/{entry.pk}/", {"value": "2", "version": 1}, format="json").status_code
        == 200
    )
    before = snapshot()
    response = client.patch(f"/api/v1/entries/{entry.pk}/", {"value": "3", "version": 1}, format="json")
    error = assert_error(response, 409, "conflict")
    assert error["entry"] == {**error["entry"], "id": entry.pk, "version": 2, "value": "2.0000"}
    assert snapshot() == before


def test_it_requires_the_version_on_a_change(entries, clerk):
    before = snapshot()
    response = client_for(clerk).patch(
        f"/api/v1/entries/{entries['invest'].pk}/", {"value": "2"}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "version" in error["fields"]
    assert snapshot() == before


def test_it_refuses_a_bad_value_on_a_change_with_a_field_error(entries, clerk):
    before = snapshot()
    response = client_for(clerk).patch(
        f"/api/v1/entries/{entries['invest'].pk}/", {"value": "十二", "version": 1}, format="json"
    )
    assert "value" in assert_error(response, 400, "invalid")["fields"]
    assert snapshot() == before


def test_it_refuses_a_change_to_another_departments_entry(entries, clerk):
    before = snapshot()
    response = client_for(clerk).patch(
        f"/api/v1/entries/{entries['hazards'].pk}/", {"value": "1", "version": 1}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert snapshot() == before


def test_it_offers_no_put_or_delete(entries, manager):
    client = client_for(manager)
    url = f"/api/v1/entries/{entries['invest'].pk}/"
    assert_error(client.delete(url), 405, "method_not_allowed")
    assert_error(client.put(url, {"value": "1", "version": 1}, format="json"), 405, "method_not_allowed")
    assert Entry.objects.filter(pk=entries["invest"].pk).exists()


# ---- Browser sessions


def test_it_requires_the_csrf_token_from_a_browser_session(world, clerk):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk)
    data = {"indicator": world["invest"].pk, "date": "2021-10-05", "value": "1"}
    assert_error(client.post("/api/v1/entries/", data, format="json"), 403, "permission_denied")
    assert not Entry.objects.exists()
    client.get("/accounts/token/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/entries/", data, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201
