"""GET /api/v1/indicators/ and /api/v1/indicators/{id}/series/."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from targets import rollups
from targets.models import Indicator, PeriodValue
from tests.api_helpers import assert_error, client_for, make_indicator, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(departments):
    cache.clear()  # API token throttle counters: each test starts with none
    return make_world(*departments)


FIELDS = {
    "id",
    "code",
    "name",
    "name_en",
    "unit",
    "kind",
    "target_value",
    "target_op",
    "plan_start",
    "plan_end",
    "department",
    "goal",
}


def test_it_answers_anonymous_callers_401_in_the_error_shape(world):
    response = APIClient().get("/api/v1/indicators/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_it_refuses_a_wrong_token_with_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_error(client.get("/api/v1/indicators/"), 401, "authentication_failed")


def test_it_refuses_an_account_without_a_role(world, outsider):
    assert_error(client_for(outsider).get("/api/v1/indicators/"), 403, "permission_denied")


@pytest.mark.parametrize("who", ["official", "clerk", "manager"])
def test_it_lists_every_indicator_to_every_role(world, who, request):
    user = request.getfixturevalue(who)
    body = client_for(user).get("/api/v1/indicators/").json()
    assert body["count"] == 3
    assert {"count", "next", "previous", "results"} <= set(body)
    invest = next(row for row in body["results"] if row["code"] == "invest")
    assert set(invest) == FIELDS
    assert invest["department"] == "econ"
    assert invest["goal"] == "invest-line"
    assert invest["target_value"] == "15.0000"
    assert invest["target_op"] == "approx"
    assert invest["plan_start"] == "2021-10-01"


def test_it_filters_by_department_goal_and_kind(world, official):
    client = client_for(official)
    codes = lambda url: sorted(row["code"] for row in client.get(url).json()["results"])  # noqa: E731
    assert codes("/api/v1/indicators/?department=safety") == ["hazards"]
    assert codes("/api/v1/indicators/?goal=invest-line") == ["building", "invest"]
    assert codes("/api/v1/indicators/?kind=level") == ["building"]
    assert codes("/api/v1/indicators/?department=econ&kind=amount") == ["invest"]
    assert codes("/api/v1/indicators/?department=nowhere") == []


def test_it_refuses_an_unknown_kind_with_a_field_error(world, official):
    error = assert_error(client_for(official).get("/api/v1/indicators/?kind=volume"), 400, "invalid")
    assert "kind" in error["fields"]


def test_it_pages_with_page_size_up_to_500(world, official):
    Indicator.objects.bulk_create(
        Indicator(
            code=f"bulk-{n}",
            name=f"批量{n}",
            kind="amount",
            plan_start=date(2021, 10, 1),
            plan_end=date(2021, 12, 31),
            department=world["econ"],
            goal=world["goal"],
            plan_id=world["goal"].plan_id,
        )
        for n in range(500)
    )
    client = client_for(official)
    first = client.get("/api/v1/indicators/?page_size=2").json()
    assert first["count"] == 503 and len(first["results"]) == 2 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert {r["id"] for r in second["results"]}.isdisjoint(r["id"] for r in first["results"])
    big = client.get("/api/v1/indicators/?page_size=5000").json()
    assert len(big["results"]) == 500
    assert_error(client.get("/api/v1/indicators/?page=99"), 404, "not_found")


def _period_value(indicator, period_type, start, end, **values):
    defaults = {
        "actual": None,
        "cumulative_actual": None,
        "planned": Decimal("0"),
        "cumulative_planned": Decimal("0"),
        "status": "none",
        "computed_at": timezone.now(),
    }
    return PeriodValue.objects.create(
        indicator=indicator,
        period_type=period_type,
        period_start=start,
        period_end=end,
        **{**defaults, **values},
    )


def test_it_serves_the_series_from_the_rollup_rows(world, clerk2):
    invest = world["invest"]
    _period_value(
        invest,
        "dekad",
        date(2021, 10, 1),
        date(2021, 10, 10),
        actual=Decimal("1.5"),
        cumulative_actual=Decimal("1.5"),
        planned=Decimal("1.6304"),
        cumulative_planned=Decimal("1.6304"),
        status="yellow",
    )
    _period_value(invest, "dekad", date(2021, 10, 11), date(2021, 10, 20), planned=Decimal("1.6304"))
    _period_value(invest, "month", date(2021, 10, 1), date(2021, 10, 31), actual=Decimal("9"))
    # A clerk of another department reads the series too: dashboards are shared.
    response = client_for(clerk2).get(f"/api/v1/indicators/{invest.pk}/series/?period=dekad")
    assert response.status_code == 200
    rows = response.json()
    assert [row["label"] for row in rows] == ["2021年10月上旬", "2021年10月中旬"]
    first = rows[0]
    assert first["period_start"] == "2021-10-01" and first["period_end"] == "2021-10-10"
    assert first["actual"] == "1.5000" and first["cumulative_actual"] == "1.5000"
    assert first["planned"] == "1.6304" and first["cumulative_planned"] == "1.6304"
    assert first["status"] == "yellow"
    # 10 of the plan's 92 days have gone by at the end of 上旬.
    assert first["time_progress"] == "0.1087"
    assert rows[1]["actual"] is None
    assert first["computed_at"]


def test_it_limits_the_series_to_periods_overlapping_start_and_end(world, official):
    invest = world["invest"]
    rollups.refresh([invest.id])  # days are not stored: every day of the rolled-up plan is read
    url = f"/api/v1/indicators/{invest.pk}/series/?period=day&start=2021-10-03&end=2021-10-05"
    rows = client_for(official).get(url).json()
    assert [row["period_start"] for row in rows] == ["2021-10-03", "2021-10-04", "2021-10-05"]
    assert [row["label"] for row in rows] == ["2021年10月3日", "2021年10月4日", "2021年10月5日"]


def test_it_gives_the_time_progress_of_today_for_the_current_period(world, official):
    today = timezone.localdate()
    indicator = make_indicator(
        "current",
        world["econ"],
        world["goal"],
        plan_start=today - timedelta(days=9),
        plan_end=today + timedelta(days=10),
    )
    _period_value(indicator, "year", date(today.year, 1, 1), date(today.year, 12, 31))
    rows = client_for(official).get(f"/api/v1/indicators/{indicator.pk}/series/?period=year").json()
    assert rows[0]["time_progress"] == "0.5000"  # 10 of 20 days, not the year's end


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=week", "period"),
        ("period=day&start=2021-13-01", "start"),
        ("start=2021-10-05&end=2021-10-01", "end"),
    ],
)
def test_it_refuses_bad_series_queries_with_field_errors(world, official, query, field):
    url = f"/api/v1/indicators/{world['invest'].pk}/series/?{query}"
    error = assert_error(client_for(official).get(url), 400, "invalid")
    assert field in error["fields"]


def test_it_answers_404_for_the_series_of_an_unknown_indicator(world, official):
    assert_error(client_for(official).get("/api/v1/indicators/999999/series/"), 404, "not_found")


def test_it_gives_a_null_plan_for_an_indicator_without_a_target(world, official):
    """The pages show — for its plan; the API says null rather than a plan of 0. A
    milestone has no target value but keeps its plan: done by its due day."""
    bare = make_indicator("no-target", world["econ"], world["goal"], target_value=None)
    milestone = make_indicator(
        "platform-online", world["econ"], world["goal"], kind=Indicator.Kind.MILESTONE, target_value=None
    )
    hazards = world["hazards"]
    rollups.refresh([bare.pk, milestone.pk, hazards.pk], today=date(2021, 12, 31))
    client = client_for(official)

    def series(indicator, period):
        url = f"/api/v1/indicators/{indicator.pk}/series/?period={period}&start=2021-10-01&end=2021-10-31"
        return client.get(url).json()

    for period in ("day", "dekad", "month", "quarter"):
        rows = series(bare, period)
        assert rows, period
        assert {(row["planned"], row["cumulative_planned"]) for row in rows} == {(None, None)}, period
    [october] = series(hazards, "month")
    assert october["planned"] == october["cumulative_planned"] == "33.6957"  # 100 × 31/92
    [quarter] = series(milestone, "quarter")
    assert quarter["cumulative_planned"] == "1.0000"
    # The schema says so: a client generated from it must accept the null.
    points = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]["SeriesPoint"]
    assert points["properties"]["planned"]["nullable"] is True
    assert points["properties"]["cumulative_planned"]["nullable"] is True
