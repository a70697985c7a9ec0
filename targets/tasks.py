"""Celery tasks: thin wrappers that take ids and call the roll-up."""

from datetime import date

from celery import shared_task
from django.db import transaction

from . import rollups


@shared_task(acks_late=True)
def refresh_rollups(
    indicator_ids: list[int] | None = None, start: str | None = None, end: str | None = None
) -> int:
    return rollups.refresh(
        indicator_ids,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
    )


def schedule_refresh(indicator_ids, start: date | None = None, end: date | None = None) -> None:
    """Queue a roll-up refresh once the current transaction commits (inline without a broker)."""
    ids = sorted(set(indicator_ids))
    args = (ids, start.isoformat() if start else None, end.isoformat() if end else None)
    transaction.on_commit(lambda: refresh_rollups.delay(*args))
