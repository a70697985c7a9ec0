"""Real Celery workers on Redis for the tests that need one (the `redis_broker` and
`redis_worker` fixtures in tests/conftest.py), this process's Celery app switched from
inline tasks to a broker, and the indicator the roll-up tests send through them.

Workers run on PostgreSQL only: a worker is another process and must share the test
database; pytest-django's SQLite test database lives in this process's memory. CI runs
the suite on PostgreSQL with REQUIRE_REDIS=1, where these tests must run.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from celery import current_app
from django.db import connection

from targets.models import Department, Goal, Indicator
from targets.seed.briefing import plan as briefing_plan

BASE_DIR = Path(__file__).resolve().parents[1]
REDIS_URL = f"redis://127.0.0.1:6379/{os.getenv('TEST_REDIS_DB', '14')}"
START_S = 120  # a worker's start on a busy machine
T = TypeVar("T")


def investment_indicator(department: Department) -> Indicator:
    """省市重点项目完成投资: 92 亿元 over Q4 2021's 92 days, 1 a day."""
    goal = Goal.objects.create(plan=briefing_plan(), code="s4", name="抓好经济运行", level=Goal.Level.SECTION)
    return Indicator.objects.create(
        code="kp-investment",
        name="省市重点项目完成投资",
        unit="亿元",
        kind=Indicator.Kind.AMOUNT,
        target_value=Decimal("92"),
        plan_start=date(2021, 10, 1),
        plan_end=date(2021, 12, 31),
        max_value=Decimal("100"),
        decimals=2,
        department=department,
        goal=goal,
    )


def _forget_broker_connections() -> None:
    # Close the broker connections and drop them from kombu's registry: a later test
    # that sends to the same broker must not be handed the closed pool. Routing and the
    # producer pool are cached on the app too.
    kombu.pools.reset()
    current_app._pool = None
    current_app.__dict__.pop("amqp", None)


@contextmanager
def celery_app_sending_to(broker_url: str, **conf) -> Iterator[None]:
    """This process's Celery app sending tasks to `broker_url` (with `conf` on top)
    instead of running them inline; as it was on exit."""
    saved = {key: current_app.conf[key] for key in ("broker_url", "task_always_eager", *conf)}
    current_app.conf.update(broker_url=broker_url, task_always_eager=False, **conf)
    _forget_broker_connections()
    try:
        yield
    finally:
        _forget_broker_connections()
        current_app.conf.update(saved)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'])}{password}@{host}/{db['NAME']}"


def _require_postgresql_and_redis() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a shared database: run on PostgreSQL (DATABASE_URL)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.getenv("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is unreachable at {REDIS_URL} and REQUIRE_REDIS=1")
        pytest.skip(f"Redis is unreachable at {REDIS_URL}")


@dataclass
class Worker:
    """A `celery -A zhengdong worker` process, the leader of its own process group."""

    process: subprocess.Popen
    log: Path
    ready_at: float = 0.0  # time.monotonic() when it said it was ready

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group, as the out-of-memory killer or a power cut would."""
        self._signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM to the group (a warm shutdown), SIGKILL if it is not gone in 20 s."""
        if not self.running():
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:  # gone already, with everything it started
            pass


@dataclass
class Broker:
    """Redis under a key prefix of this test's own (queues and the index of
    unacknowledged tasks alike, so no other worker on this Redis restores or takes its
    tasks), and the workers started on it."""

    folder: Path
    prefix: str = field(default_factory=lambda: f"zd-test-{uuid.uuid4().hex[:10]}:")
    workers: list[Worker] = field(default_factory=list)

    @property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(REDIS_URL)

    def start_worker(
        self, name: str = "worker", *, pool: str = "solo", queues: str = "", **env: str
    ) -> Worker:
        """A worker named `name` on the default queue (or `queues`, comma-separated),
        with `env` on top of this test's environment; returns once it is ready."""
        log = self.folder / f"{name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "zhengdong", "worker", f"--pool={pool}", "-n", f"{name}@%h",
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        if queues:
            command += ["--queues", queues]
        environment = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_REDIS_PREFIX": self.prefix,
            "DJANGO_SETTINGS_MODULE": "zhengdong.settings",
            **env,
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log)
        self.workers.append(worker)
        wait_for(lambda: " ready." in worker.output(), START_S, f"worker {name} did not start", worker=worker)
        worker.ready_at = time.monotonic()
        return worker

    @contextmanager
    def serving(self) -> Iterator["Broker"]:
        """This process's Celery app sending to this broker; on exit every worker
        stopped, the app as it was and the prefix's keys deleted."""
        _require_postgresql_and_redis()
        options = {**current_app.conf.broker_transport_options, "global_keyprefix": self.prefix}
        try:
            with celery_app_sending_to(REDIS_URL, broker_transport_options=options):
                yield self
        finally:
            for worker in self.workers:
                worker.stop()
            client = self.redis
            for key in client.scan_iter(f"{self.prefix}*"):
                client.delete(key)


def wait_for(condition: Callable[[], T], seconds: float, what: str, *, worker: Worker | None = None) -> T:
    """`condition()` once it is true, polled every 0.2 s; fails after `seconds`, or as
    soon as `worker` has exited, with the end of its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (worker is None or worker.running()):
        if value := condition():
            return value
        time.sleep(0.2)
    if worker is None:
        pytest.fail(f"{what}: not within {seconds} s")
    state = (
        f"not within {seconds} s" if worker.running() else f"the worker exited ({worker.process.returncode})"
    )
    pytest.fail(f"{what}: {state}; {worker.log.name}:\n{worker.output()[-3000:]}")
