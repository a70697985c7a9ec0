"""A Celery worker killed whole (SIGKILL to its process group, as the out-of-memory killer
or a power cut would; the solo pool runs the task in the main process) with a roll-up in
hand: Redis
keeps the task unacknowledged, and once the visibility timeout has passed a second worker
runs it. Production uses 300 s; this test sets 8 s to stay short, and measures how long
after the kill the figure is rolled up.

PostgreSQL and Redis only (the `redis_broker` fixture, tests/worker_helpers.py): the
workers are other processes.
"""

import time
from datetime import date
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection

from targets.models import PeriodValue, RollupStamp
from targets.services import EntryInput, record_entries
from tests.worker_helpers import START_S, investment_indicator, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_S = 8
RESTORE_INTERVAL_S = 1
TIMEOUTS = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_S),
    "CELERY_RESTORE_INTERVAL": str(RESTORE_INTERVAL_S),
}


def test_a_task_of_a_worker_killed_whole_runs_on_another_worker_within_minutes(
    redis_broker, clerk, departments
):
    indicator = investment_indicator(departments[0])
    record_entries(user=clerk, rows=[EntryInput(indicator=indicator, date=date(2021, 10, 12), value="3.5")])

    # Hold the roll-up in the middle of its work: it waits on this row lock before it commits.
    db = connection.settings_dict
    holder = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
    )  # fmt: skip
    cursor = holder.cursor()
    cursor.execute("SELECT 1 FROM targets_rollupstamp WHERE indicator_id = %s FOR UPDATE", [indicator.pk])

    def waiting_roll_ups() -> int:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query ILIKE '%%targets_rollupstamp%%'"
        )
        return cursor.fetchone()[0]

    client, unacked = redis_broker.redis, f"{redis_broker.prefix}unacked"
    try:
        first = redis_broker.start_worker("first", **TIMEOUTS)
        wait_for(waiting_roll_ups, START_S, "the first worker did not start the roll-up", worker=first)
        running = time.monotonic()  # the task was delivered before this
        assert client.hlen(unacked) == 1  # delivered, not acknowledged

        first.kill()  # the worker, whole
        killed = time.monotonic()
        holder.close()  # the dead worker's transaction goes with its connection
        assert PeriodValue.objects.filter(indicator=indicator).count() == 0
        assert client.hlen(unacked) == 1  # still held for the dead worker

        second = redis_broker.start_worker("second", **TIMEOUTS)
        month = wait_for(
            lambda: PeriodValue.objects.filter(
                indicator=indicator, period_type="month", period_start=date(2021, 10, 1)
            ).first(),
            VISIBILITY_S + START_S,
            "no roll-up after the kill",
            worker=second,
        )
        done = time.monotonic()
    finally:
        holder.close()
    started_s = second.ready_at - killed
    print(
        f"\nrecovery: rolled up {done - killed:.1f} s after the kill; visibility timeout {VISIBILITY_S} s,"
        f" the second worker ready {started_s:.1f} s after the kill"
    )
    assert month.actual == Decimal("3.5")
    assert "targets.tasks.refresh_rollups" in second.output()
    stamp = RollupStamp.objects.get(indicator=indicator)
    assert stamp.rolled_up == stamp.saved == 1
    # Handed out again by the visibility timeout (not before it), then at the next sweep
    # of a running worker.
    assert done >= running + VISIBILITY_S - 1
    assert done - killed <= max(VISIBILITY_S, started_s) + 2 * RESTORE_INTERVAL_S + 5
