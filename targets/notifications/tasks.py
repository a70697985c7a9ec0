"""Celery tasks of the notifications: send one delivery (with retries), and the daily
deadline check (Celery beat)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import channels, due
from .models import Delivery

logger = logging.getLogger(__name__)

# A failed send is tried again after 2, 4, 8, 16, 32 s (with jitter), then kept as failed:
# six attempts in about a minute, well inside the short queue's visibility timeout.
MAX_RETRIES = 5
BACKOFF_S = 2
BACKOFF_MAX_S = 120


def backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``."""
    return min(BACKOFF_MAX_S, BACKOFF_S * 2**retries)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def deliver(self, delivery_id: int) -> str:
    """Send one pending delivery through its channel. A failure is counted on the row
    (attempts, last error) and retried with backoff; after ``MAX_RETRIES`` retries the
    row is ``failed``: the managers see it on /notifications/ and /healthz counts it.
    Idempotent: a delivery already sent or failed is left alone. Returns its status."""
    delivery = (
        Delivery.objects.select_related("notification__recipient", "target").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return delivery.status if delivery else "missing"
    try:
        channels.send(delivery)
    except channels.DeliveryError as error:
        delivery.attempts += 1
        delivery.last_error = str(error)[:500]
        if self.request.retries >= MAX_RETRIES:
            delivery.status = Delivery.Status.FAILED
            delivery.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            logger.error("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, error)
            return delivery.status
        delivery.save(update_fields=["attempts", "last_error", "updated_at"])
        if self.request.is_eager:
            # Inline (no broker: development, tests): Celery would propagate the Retry
            # instead of running it, so the next attempt runs here, without the wait.
            return deliver.apply(args=(delivery_id,), retries=self.request.retries + 1).result
        raise self.retry(countdown=backoff(self.request.retries)) from None
    delivery.attempts += 1
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["attempts", "status", "sent_at", "updated_at"])
    return delivery.status


@shared_task(acks_late=True)
def send_due_notices() -> int:
    """Daily (Celery beat, 08:30 Asia/Shanghai): deadlines approaching and overdue (weeks,
    and whatever other apps registered), one notice per recipient group. Safe to re-run
    the same day: a group's notice already sent today is not sent again. Returns the
    number of notifications written."""
    return due.run()
