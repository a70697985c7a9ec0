"""``/healthz``: is this instance fit to serve? For the load balancer, the process monitor
and the person on call. No login, nothing secret (no host names, no error text): the
database, the broker, and how old the roll-up is, as JSON; 503 when the database or the
broker cannot be reached (a late roll-up alone is reported, not failed: pages still work
and say "数据更新中")."""

import time

from celery import current_app
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from targets import freshness, rollups
from targets.notifications.models import Delivery

BROKER_TIMEOUT_S = 2


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        result = check() or {}
    except Exception as error:  # noqa: BLE001 (any failure is "down"; its text may hold hosts)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1), **result}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> dict:
    if current_app.conf.task_always_eager or not settings.CELERY_BROKER_URL:
        return {"mode": "inline"}  # no broker: tasks run in the web process
    options = {
        **current_app.conf.broker_transport_options,
        "socket_connect_timeout": BROKER_TIMEOUT_S,
        "socket_timeout": BROKER_TIMEOUT_S,
    }
    with Connection(
        current_app.conf.broker_url, connect_timeout=BROKER_TIMEOUT_S, transport_options=options
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_S)
        client = getattr(broker.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()  # Redis: connected is not enough, it must answer
    return {}


def _rollup() -> dict:
    refreshed = rollups.latest_computed_at()
    pending = freshness.pending()
    return {
        "computed_at": refreshed.isoformat() if refreshed else None,
        "age_s": round((timezone.now() - refreshed).total_seconds()) if refreshed else None,
        "pending_entries": pending.entries,
        "pending_indicators": pending.indicators,
    }


def _notifications() -> dict:
    """Deliveries (e-mail, group robots) failed for good (managers retry them on
    /notifications/) and still pending."""
    counts = dict(
        Delivery.objects.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.PENDING])
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    status = Delivery.Status
    return {"failed": counts.get(status.FAILED, 0), "pending": counts.get(status.PENDING, 0)}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    database = _timed(_database)
    broker = _timed(_broker)
    body = {"database": database, "broker": broker}
    if database["ok"]:
        try:
            body["rollup"] = _rollup()
        except DatabaseError as error:
            body["rollup"] = {"error": type(error).__name__}
        try:
            body["notifications"] = _notifications()
        except DatabaseError as error:
            body["notifications"] = {"error": type(error).__name__}
    ok = database["ok"] and broker["ok"]
    body["status"] = "ok" if ok else "error"
    return JsonResponse(body, status=200 if ok else 503)
