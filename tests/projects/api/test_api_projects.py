"""GET /api/v1/projects/ (key and recovery projects), /api/v1/projects/{id}/ and
/api/v1/campaigns/."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from projects.models import KeyProject, Milestone, Problem, RecoveryField, RecoveryProject, SafetyCampaign
from tests.api_helpers import assert_error, client_for, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(departments):
    cache.clear()  # API token throttle counters: each test starts with none
    return make_world(*departments)


@pytest.fixture
def projects(world):
    econ, safety = world["econ"], world["safety"]
    key = KeyProject.objects.create(
        code="kp-lab",
        name="中原科技城实验室",
        level=KeyProject.Level.PROVINCE,
        batch=KeyProject.Batch.START,
        total_investment=Decimal("12.5"),
        department=econ,
    )
    key.indicators.add(world["invest"])
    Milestone.objects.create(
        project=key, kind=Milestone.Kind.START, name="开工", planned_date=date(2021, 10, 15)
    )
    Problem.objects.create(key_project=key, title="征地未完成", department=econ, raised_on=date(2021, 10, 8))
    field = RecoveryField.objects.create(code="roads", name="道路")
    recovery = RecoveryProject.objects.create(
        code="rp-roads",
        name="道路修复",
        field=field,
        planned_count=25,
        investment=Decimal("3"),
        due_date=date(2021, 10, 31),
        department=econ,
    )
    campaign = SafetyCampaign.objects.create(
        code="gas", name="燃气安全专项整治", kind=SafetyCampaign.Kind.RECTIFICATION, department=safety
    )
    campaign.indicators.add(world["hazards"])
    return {"key": key, "recovery": recovery, "campaign": campaign}


def test_it_answers_anonymous_callers_401(projects):
    for url in ("/api/v1/projects/", f"/api/v1/projects/key-{projects['key'].pk}/", "/api/v1/campaigns/"):
        assert_error(APIClient().get(url), 401, "not_authenticated")


def test_it_refuses_an_account_without_a_role(projects, outsider):
    assert_error(client_for(outsider).get("/api/v1/projects/"), 403, "permission_denied")
    assert_error(client_for(outsider).get("/api/v1/campaigns/"), 403, "permission_denied")


def test_it_lists_both_kinds_of_project_key_projects_first(projects, clerk2):
    body = client_for(clerk2).get("/api/v1/projects/").json()
    assert body["count"] == 2
    key, recovery = body["results"]
    assert key["id"] == f"key-{projects['key'].pk}" and key["kind"] == "key"
    assert key["total_investment"] == "12.5000" and key["level"] == "province"
    assert key["department"] == "econ" and key["indicators"] == [projects["key"].indicators.get().pk]
    assert key["planned_count"] is None and key["field"] is None
    assert recovery["id"] == f"recovery-{projects['recovery'].pk}" and recovery["kind"] == "recovery"
    assert (
        recovery["planned_count"] == 25
        and recovery["field"] == "roads"
        and recovery["due_date"] == "2021-10-31"
    )
    assert recovery["total_investment"] is None and recovery["level"] is None
    assert set(key) == set(recovery)


@pytest.mark.parametrize("kind", ["key", "recovery"])
def test_it_filters_projects_by_kind(projects, official, kind):
    body = client_for(official).get(f"/api/v1/projects/?kind={kind}").json()
    assert [row["kind"] for row in body["results"]] == [kind]


def test_it_refuses_an_unknown_kind(projects, official):
    assert (
        "kind"
        in assert_error(client_for(official).get("/api/v1/projects/?kind=all"), 400, "invalid")["fields"]
    )


def test_it_shows_a_project_with_its_milestones_and_problems(projects, official):
    body = client_for(official).get(f"/api/v1/projects/key-{projects['key'].pk}/").json()
    assert body["name"] == "中原科技城实验室"
    assert [m["name"] for m in body["milestones"]] == ["开工"]
    assert [p["title"] for p in body["problems"]] == ["征地未完成"]
    assert body["problems"][0]["department"] == "econ"
    recovery = client_for(official).get(f"/api/v1/projects/recovery-{projects['recovery'].pk}/").json()
    assert recovery["milestones"] == [] and recovery["investment"] == "3.0000"


@pytest.mark.parametrize("bad", ["{key}", "key-999999", "recovery-999999", "project-1", "key-0"])
def test_it_answers_404_for_an_unknown_project_id(projects, official, bad):
    url = f"/api/v1/projects/{bad.format(key=projects['key'].pk)}/"
    assert_error(client_for(official).get(url), 404, "not_found")


def test_it_lists_the_safety_campaigns(projects, manager):
    body = client_for(manager).get("/api/v1/campaigns/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["kind"] == "rectification" and row["department"] == "safety"
    assert row["indicators"] == [projects["campaign"].indicators.get().pk]
    detail = client_for(manager).get(f"/api/v1/campaigns/{row['id']}/").json()
    assert detail == row
