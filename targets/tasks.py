"""Celery tasks: thin wrappers that take ids and call the roll-up.

Roll-up tasks are idempotent (they recompute from entries), so they are acknowledged
late (a worker lost mid-task hands the task to another) and retried with backoff on
database errors (a deadlock or a dropped connection): the next run catches up anyway.
A task that never runs (broker down when the entry was saved, a worker killed whole) is
made up for by ``targets.freshness``: the next refresh of the indicator widens to its
missed days, and ``catch_up_rollups`` (Celery beat, every few minutes) refreshes the
indicators whose saves have waited too long.

Queues (``CELERY_TASK_ROUTES``): everything short runs on the default queue, whose Redis
visibility timeout is short (a task of a worker killed whole runs again within minutes);
the nightly job over every indicator runs on ``rebuild``, served by a worker with a long
timeout (README, production mode).
"""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.db import DatabaseError, transaction

from . import clock, freshness

logger = logging.getLogger(__name__)

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,  # seconds: 2, 4, 8… with jitter
    # A retry waits in the worker, unacknowledged: keep it well inside the short queue's
    # visibility timeout (300 s), or Redis would hand the task to a second worker meanwhile.
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}
# Saves whose roll-up has not run for this long lost their task: the catch-up takes them.
CATCH_UP_AFTER = timedelta(seconds=60)


@shared_task(**RETRY)
def refresh_rollups(
    indicator_ids: list[int] | None = None, start: str | None = None, end: str | None = None
) -> int:
    """Recompute the roll-ups of the indicators (all when None) from ``start`` (ISO date;
    plan start when None). Returns the number of rows written."""
    return freshness.refresh(
        indicator_ids,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
    )


@shared_task(**RETRY)
def rebuild_all_rollups() -> int:
    """The nightly recomputation (Celery beat, 02:00 Asia/Shanghai): every indicator over
    its whole plan period, compared with the stored rows, writing only what changed (it
    moves each row's status on to the new day and repairs anything a lost refresh left
    behind). Readers are not kept waiting, unlike ``rollups.rebuild()``. Routed to the
    ``rebuild`` queue (``CELERY_TASK_ROUTES``): it may run longer than the short queue's
    visibility timeout."""
    return freshness.refresh()


@shared_task(**RETRY)
def catch_up_rollups() -> int:
    """Every few minutes (Celery beat): refresh the indicators with saves their roll-up has
    not seen for over a minute (their task was never queued or died with its worker).
    Usually finds nothing and costs one small query. Returns the number of rows written."""
    ids = freshness.overdue(CATCH_UP_AFTER)
    if not ids:
        return 0
    logger.warning("catching up the roll-up of %d indicator(s) whose task was lost: %s", len(ids), ids)
    return freshness.refresh(ids)


def schedule_refresh(indicator_ids, start: date | None = None, end: date | None = None) -> None:
    """Queue a roll-up refresh once the current transaction commits (inline without a
    broker). If the queue is unreachable the entries stay saved and the error is logged:
    the nightly rebuild catches up."""
    ids = sorted(set(indicator_ids))
    args = (ids, start.isoformat() if start else None, end.isoformat() if end else None)
    transaction.on_commit(lambda: refresh_rollups.delay(*args), robust=True)


@shared_task(acks_late=True)
def build_weekly_report(today: str | None = None) -> int:
    """Monday 09:00 (Asia/Shanghai, Celery beat): build the PDF of the week that just ended
    (Monday–Sunday), keep it in the report archive and e-mail it to the managers.
    Idempotent: a rerun replaces that week's archived copy. Returns the report's id."""
    from datetime import timedelta

    from targets.reporting import reports

    from .periods import week_start

    day = date.fromisoformat(today) if today else clock.today()
    monday = week_start(day) - timedelta(days=7)
    report = reports.archive_report(reports.WEEK, monday)
    reports.email_report(report)
    return report.pk
