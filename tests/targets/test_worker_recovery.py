"""A Celery worker killed whole (SIGKILL to its process group, as the out-of-memory killer
or a power cut would; the solo pool runs the task in the main process) with a roll-up in
hand: Redis
keeps the task unacknowledged, and once the visibility timeout has passed a second worker
runs it. Production uses 300 s; this test sets 8 s to stay short, and measures how long
after the kill the figure is rolled up.

PostgreSQL and Redis only, like test_worker.py: the workers are other processes.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from decimal import Decimal

import psycopg2
import pytest
import redis
from celery import current_app
from django.db import connection

from targets.models import Goal, Indicator, PeriodValue, RollupStamp
from targets.seed.briefing import plan as briefing_plan
from targets.services import EntryInput, record_entries
from tests.targets.test_worker import BASE_DIR, REDIS_URL, _database_url, _redis_reachable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_S = 8
RESTORE_INTERVAL_S = 1
START_S = 120  # a worker's start on a busy machine


@pytest.fixture
def isolated_broker():
    """This process's Celery app sending to Redis under a key prefix of its own (queues
    and the unacknowledged-task index alike, so no other worker on this Redis restores or
    takes our tasks), and the environment that points workers at the same."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker processes need a shared database: run on PostgreSQL (DATABASE_URL)")
    if not _redis_reachable():
        if os.getenv("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is unreachable at {REDIS_URL} and REQUIRE_REDIS=1")
        pytest.skip(f"Redis is unreachable at {REDIS_URL}")
    prefix = f"zd-recovery-{uuid.uuid4().hex[:10]}:"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_REDIS_PREFIX": prefix,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_S),
        "CELERY_RESTORE_INTERVAL": str(RESTORE_INTERVAL_S),
        "DJANGO_SETTINGS_MODULE": "zhengdong.settings",
    }
    conf = current_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={**conf.broker_transport_options, "global_keyprefix": prefix},
    )
    current_app.__dict__.pop("amqp", None)
    current_app._pool = None
    client = redis.Redis.from_url(REDIS_URL)
    try:
        yield env, prefix, client
    finally:
        if current_app._pool is not None:
            current_app._pool.force_close_all()
            current_app._pool = None
        conf.update(saved)
        current_app.__dict__.pop("amqp", None)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def start_worker(env, name: str, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zhengdong", "worker", "--pool=solo", "-n", f"{name}@%h",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop(worker) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {seconds} s")


def test_a_task_of_a_worker_killed_whole_runs_on_another_worker_within_minutes(
    isolated_broker, clerk, departments, tmp_path
):
    env, prefix, client = isolated_broker
    goal = Goal.objects.create(plan=briefing_plan(), code="s4", name="抓好经济运行", level=Goal.Level.SECTION)
    indicator = Indicator.objects.create(
        code="kp-investment",
        name="省市重点项目完成投资",
        unit="亿元",
        kind=Indicator.Kind.AMOUNT,
        target_value=Decimal("92"),
        plan_start=date(2021, 10, 1),
        plan_end=date(2021, 12, 31),
        max_value=Decimal("100"),
        decimals=2,
        department=departments[0],
        goal=goal,
    )
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

    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(env, "first", first_log.open("wb"))
    second = None
    try:
        wait_for(waiting_roll_ups, START_S, "the first worker did not start the roll-up")
        running = time.monotonic()  # the task was delivered before this
        assert client.hlen(f"{prefix}unacked") == 1  # delivered, not acknowledged

        os.killpg(first.pid, signal.SIGKILL)  # the worker, whole
        first.wait()
        killed = time.monotonic()
        holder.close()  # the dead worker's transaction goes with its connection
        assert PeriodValue.objects.filter(indicator=indicator).count() == 0
        assert client.hlen(f"{prefix}unacked") == 1  # still held for the dead worker

        second = start_worker(env, "second", second_log.open("wb"))
        ready = []

        def rolled_up():
            if not ready and " ready." in second_log.read_text():
                ready.append(time.monotonic())
            return PeriodValue.objects.filter(
                indicator=indicator, period_type="month", period_start=date(2021, 10, 1)
            ).first()

        month = wait_for(
            rolled_up,
            VISIBILITY_S + START_S,
            f"no roll-up after the kill; second worker:\n{second_log.read_text()[-3000:]}",
        )
        done = time.monotonic()
    finally:
        holder.close()
        if second is not None:
            stop(second)
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    started_s = (ready[0] if ready else done) - killed
    print(
        f"\nrecovery: rolled up {done - killed:.1f} s after the kill; visibility timeout {VISIBILITY_S} s,"
        f" the second worker ready {started_s:.1f} s after the kill"
    )
    assert month.actual == Decimal("3.5")
    assert "targets.tasks.refresh_rollups" in second_log.read_text()
    stamp = RollupStamp.objects.get(indicator=indicator)
    assert stamp.rolled_up == stamp.saved == 1
    # Handed out again by the visibility timeout (not before it), then at the next sweep
    # of a running worker.
    assert done >= running + VISIBILITY_S - 1
    assert done - killed <= max(VISIBILITY_S, started_s) + 2 * RESTORE_INTERVAL_S + 5
