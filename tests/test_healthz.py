"""/healthz: database, broker and the roll-up's age as JSON, without a login; 503 when the
database or the broker is down; nothing secret in the answer."""

from unittest import mock

import pytest
from celery import current_app
from django.db import OperationalError

from targets import freshness

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    """This process's Celery app pointed at a broker URL (inline tasks off) for one test."""
    conf = current_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}

    def use(url):
        settings.CELERY_BROKER_URL = url
        conf.update(broker_url=url, task_always_eager=False)

    yield use
    conf.update(saved)


def test_it_answers_without_a_login_with_the_database_and_the_roll_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "ms": body["broker"]["ms"], "mode": "inline"}
    assert body["rollup"] == {
        "computed_at": None,
        "age_s": None,
        "pending_entries": 0,
        "pending_indicators": 0,
    }


def test_it_reports_the_roll_up_age_and_what_is_pending(client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr("targets.rollups.latest_computed_at", lambda: timezone.now() - timedelta(minutes=5))
    monkeypatch.setattr(freshness, "pending", lambda: freshness.Pending(entries=3, indicators=2))
    rollup = client.get("/healthz").json()["rollup"]
    assert 299 <= rollup["age_s"] <= 301
    assert (rollup["pending_entries"], rollup["pending_indicators"]) == (3, 2)


def test_it_is_unavailable_when_the_broker_is_down(client, broker):
    broker("redis://:secret-password@127.0.0.1:9/0")  # a closed port
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert "secret" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_it_is_unavailable_when_the_database_is_down(client):
    with mock.patch(
        "zhengdong.health.connection.cursor", side_effect=OperationalError("host db.internal down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert "rollup" not in body and "db.internal" not in response.content.decode()
