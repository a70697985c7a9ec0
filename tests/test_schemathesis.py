"""Schemathesis against the live API: every operation of /api/v1/schema/, with generated
valid and invalid requests (token of a manager, who may call everything), must answer
without a 5xx and within its documented statuses, content types and response schemas."""

import time
from datetime import date

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from projects.models import KeyProject, Problem, RecoveryProject, SafetyCampaign
from targets import rollups
from targets.notifications.models import Notification
from targets.services import EntryInput, record_entries
from tests.api_helpers import make_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 6  # per operation and mode: enough to reach every branch, quick enough for CI


def run(operation, base_url, headers, mode, **overrides):
    @given(case=operation.as_strategy(generation_mode=mode, **overrides))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    started = time.monotonic()
    check()
    print(f"{operation.label} {mode.value}: {time.monotonic() - started:.1f}s")


@pytest.mark.django_db(transaction=True)
def test_it_answers_every_operation_within_its_schema(live_server, settings, departments, manager):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min"}}
    cache.clear()
    world = make_world(*departments)
    entry = record_entries(user=manager, rows=[EntryInput(world["invest"], date(2021, 10, 4), "1.5")])[0]
    rollups.refresh()
    key = KeyProject.objects.create(code="kp", name="重点项目", department=world["econ"])
    RecoveryProject.objects.create(code="rp", name="灾后重建", department=world["econ"])
    campaign = SafetyCampaign.objects.create(
        code="gas", name="燃气", kind="rectification", department=world["safety"]
    )
    problem = Problem.objects.create(
        key_project=key, title="征地未完成", department=world["econ"], raised_on=date(2021, 10, 4)
    )
    notification = Notification.objects.create(recipient=manager, kind="week_changed", title="周报被修改")
    real_ids = {
        "/api/v1/indicators/{id}/": world["invest"].pk,
        "/api/v1/indicators/{id}/series/": world["invest"].pk,
        "/api/v1/entries/{id}/": entry.pk,
        "/api/v1/projects/{id}/": f"key-{key.pk}",
        "/api/v1/campaigns/{id}/": campaign.pk,
        "/api/v1/problems/{id}/": problem.pk,
        "/api/v1/problems/{id}/start/": problem.pk,
        "/api/v1/problems/{id}/request-close/": problem.pk,
        "/api/v1/problems/{id}/close/": problem.pk,
        "/api/v1/problems/{id}/return/": problem.pk,
        "/api/v1/notifications/{id}/read/": notification.pk,
    }

    headers = {"Authorization": f"Token {Token.objects.create(user=manager).key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json", headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 22
    for operation in operations:
        run(operation, live_server.url, headers, GenerationMode.POSITIVE)
        try:
            run(operation, live_server.url, headers, GenerationMode.NEGATIVE)
        except Unsatisfiable:  # no invalid request exists (no parameters, no body)
            assert not operation.body and not operation.query, operation.label
        if operation.path in real_ids:  # the same, on an object that exists
            run(
                operation,
                live_server.url,
                headers,
                GenerationMode.POSITIVE,
                path_parameters={"id": real_ids[operation.path]},
            )
