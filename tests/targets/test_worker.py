"""The roll-up through a real Celery worker on Redis: a clerk's figure saved through the
service reaches the worker process over the broker, and the worker writes the roll-up.

Runs on PostgreSQL only: the worker is another process and must share the test database;
pytest-django's SQLite test database lives in this process's memory. CI runs the suite on
PostgreSQL with REQUIRE_REDIS=1, where this test must run.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from celery import current_app
from django.db import connection

from targets.models import Goal, Indicator, PeriodValue
from targets.seed.briefing import plan as briefing_plan
from targets.services import EntryInput, record_entries

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = f"redis://127.0.0.1:6379/{os.getenv('TEST_REDIS_DB', '14')}"
WAIT_S = 90


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def celery_worker_process(tmp_path):
    """A `celery -A zhengdong worker` subprocess on its own queue, and this process's
    Celery app switched from inline tasks to that broker and queue."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a shared database: run on PostgreSQL (DATABASE_URL)")
    if not _redis_reachable():
        if os.getenv("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is unreachable at {REDIS_URL} and REQUIRE_REDIS=1")
        pytest.skip(f"Redis is unreachable at {REDIS_URL}")

    queue = f"rollups-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "zhengdong.settings",
    }
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zhengdong", "worker", "--pool=solo",
             "--queues", queue, "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    conf = current_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    current_app.__dict__.pop("amqp", None)  # routing is cached: rebuild it for the new queue
    current_app._pool = None
    try:
        yield worker, log
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        # Close the broker connections and drop them from kombu's registry: a later test
        # that starts a worker on the same broker must not be handed the closed pool.
        kombu.pools.reset()
        current_app._pool = None
        conf.update(saved)
        current_app.__dict__.pop("amqp", None)
        redis.Redis.from_url(REDIS_URL).delete(queue)


def test_it_rolls_up_a_saved_figure_in_the_worker_process(celery_worker_process, clerk, departments):
    worker, log = celery_worker_process
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
    # The service saves in one committed transaction and queues the roll-up on commit.
    record_entries(user=clerk, rows=[EntryInput(indicator=indicator, date=date(2021, 10, 12), value="3.5")])

    deadline = time.monotonic() + WAIT_S
    month = None
    while time.monotonic() < deadline and worker.poll() is None:
        month = PeriodValue.objects.filter(
            indicator=indicator, period_type="month", period_start=date(2021, 10, 1)
        ).first()
        if month is not None:
            break
        time.sleep(0.5)
    assert month is not None, f"no roll-up after {WAIT_S} s; worker log:\n{log.read_text()[-3000:]}"
    assert month.actual == Decimal("3.5")
    assert month.cumulative_actual == Decimal("3.5")
    assert month.planned == Decimal("31")  # 92 over 92 days: 1 a day
    assert "targets.tasks.refresh_rollups" in log.read_text()
