"""POST /api/v1/rollups/refresh/ and GET /api/v1/rollups/status/, and the roll-up after
an API write (the series reads what the roll-up wrote)."""

from datetime import date, datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from targets import rollups
from targets.models import Entry, PeriodValue
from tests.api_helpers import assert_error, client_for, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(departments):
    cache.clear()  # API token throttle counters: each test starts with none
    return make_world(*departments)


def month_actual(indicator, month_start):
    row = PeriodValue.objects.filter(
        indicator=indicator, period_type="month", period_start=month_start
    ).first()
    return row.actual if row else None


def bulk_entries(indicator, values):
    """Entries written behind the service's back, as an old import would have: the
    roll-up does not know them until someone refreshes it."""
    Entry.objects.bulk_create(
        Entry(indicator=indicator, date=day, value=value) for day, value in values.items()
    )


def test_it_answers_anonymous_callers_401(world):
    assert_error(APIClient().post("/api/v1/rollups/refresh/", {}, format="json"), 401, "not_authenticated")
    assert_error(APIClient().get("/api/v1/rollups/status/"), 401, "not_authenticated")


@pytest.mark.parametrize("who", ["official", "outsider"])
def test_it_refuses_a_refresh_to_officials_and_accounts_without_a_role(world, who, request):
    response = client_for(request.getfixturevalue(who)).post("/api/v1/rollups/refresh/", {}, format="json")
    assert_error(response, 403, "permission_denied")


def test_it_lets_a_manager_refresh_every_indicator(world, manager, django_capture_on_commit_callbacks):
    bulk_entries(world["invest"], {date(2021, 10, 4): 2, date(2021, 10, 5): 3})
    bulk_entries(world["hazards"], {date(2021, 11, 2): 7})
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit
        response = client_for(manager).post("/api/v1/rollups/refresh/", {}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["indicators"] == sorted(i.pk for i in (world["invest"], world["hazards"], world["level"]))
    # Celery runs inline in tests: the figures are rolled up by now.
    assert month_actual(world["invest"], date(2021, 10, 1)) == 5
    assert month_actual(world["hazards"], date(2021, 11, 1)) == 7


def test_it_lets_a_clerk_refresh_their_own_departments_indicators_only(
    world, clerk, django_capture_on_commit_callbacks
):
    bulk_entries(world["invest"], {date(2021, 10, 4): 2})
    bulk_entries(world["hazards"], {date(2021, 10, 4): 9})
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/rollups/refresh/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["indicators"] == sorted([world["invest"].pk, world["level"].pk])
    assert month_actual(world["invest"], date(2021, 10, 1)) == 2
    assert month_actual(world["hazards"], date(2021, 10, 1)) is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/rollups/refresh/", {"indicators": [world["hazards"].pk]}, format="json"
        )
    assert_error(response, 403, "permission_denied")
    assert month_actual(world["hazards"], date(2021, 10, 1)) is None


def test_it_refuses_unknown_indicators_and_bad_dates(world, manager):
    client = client_for(manager)
    response = client.post("/api/v1/rollups/refresh/", {"indicators": [999999]}, format="json")
    assert "indicators" in assert_error(response, 400, "invalid")["fields"]
    response = client.post(
        "/api/v1/rollups/refresh/", {"start": "2021-11-01", "end": "2021-10-01"}, format="json"
    )
    assert "end" in assert_error(response, 400, "invalid")["fields"]


def test_it_reports_when_the_rollup_last_ran(world, clerk):
    client = client_for(clerk)
    assert client.get("/api/v1/rollups/status/").json() == {"computed_at": None}
    rollups.refresh()
    computed_at = client.get("/api/v1/rollups/status/").json()["computed_at"]
    assert datetime.fromisoformat(computed_at) == rollups.latest_computed_at()


def test_it_rolls_up_a_figure_written_through_the_api(world, clerk, django_capture_on_commit_callbacks):
    client = client_for(clerk)
    invest = world["invest"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/entries/", {"indicator": invest.pk, "date": "2021-10-05", "value": "2.5"}, format="json"
        )
    assert response.status_code == 201
    rows = client.get(f"/api/v1/indicators/{invest.pk}/series/?period=month").json()
    october = next(row for row in rows if row["label"] == "2021年10月")
    assert october["actual"] == "2.5000" and october["cumulative_actual"] == "2.5000"
    assert october["time_progress"] == "0.3370"  # 31 of 92 days
    entry_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/entries/{entry_id}/", {"value": "4", "version": 1}, format="json")
    rows = client.get(f"/api/v1/indicators/{invest.pk}/series/?period=dekad&end=2021-10-10").json()
    assert [(row["label"], row["actual"]) for row in rows] == [("2021年10月上旬", "4.0000")]
