"""``make load``: the site in production mode under 50 users for 60 s, started and
stopped here, on this machine only (127.0.0.1).

A throw-away PostgreSQL database (briefing, demo figures, demo users and one clerk per
department and week), gunicorn with 2 workers and DEBUG off, a Celery worker on Redis
(under a key prefix of its own), then locust headless: officials browsing dashboards,
clerks saving weeks through the form (``targets/bench/locustfile.py``). Prints ``LOAD`` lines:
requests, errors, requests per second, p50 and p95 in ms, overall and per page.

Environment: ``DATABASE_URL`` (a PostgreSQL server on 127.0.0.1; only its host, port and
user are used, the database is created and dropped here), ``LOAD_REDIS_URL`` (default
``redis://127.0.0.1:6379/13``), ``LOAD_USERS`` (50), ``LOAD_SECONDS`` (60).
"""

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCAL = ("127.0.0.1", "localhost")

PLAN_SCRIPT = """
import json, sys
from decimal import Decimal
from statistics import median
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth.models import Group, User
from targets import roles
from targets.entry import imports
from targets.models import Department, Entry, Indicator, UserProfile

weeks = ["2021-11-22", "2021-11-29", "2021-12-06", "2021-12-13", "2021-12-20", "2021-12-27"]
password = make_password(settings.DEMO_PASSWORD)
clerks = Group.objects.get(name=roles.CLERKS)
slots = []
for department in Department.objects.order_by("code"):
    values = {}
    for indicator in imports.entry_indicators(department):
        if indicator.kind == Indicator.Kind.MILESTONE:
            continue
        figures = list(Entry.objects.filter(indicator=indicator).values_list("value", flat=True))
        typical = median(figures) if figures else (indicator.max_value or Decimal(10)) / 10
        values[str(indicator.pk)] = [
            str(typical), indicator.decimals, str(indicator.min_value or 0),
            str(indicator.max_value) if indicator.max_value is not None else None,
        ]
    if not values:
        continue
    for monday in weeks:
        name = f"load-{department.code}-{monday}"
        user, _ = User.objects.get_or_create(username=name, defaults={"password": password})
        user.groups.add(clerks)
        UserProfile.objects.get_or_create(user=user, defaults={"department": department})
        slots.append({"user": name, "department": department.code, "monday": monday, "values": values})
slots.sort(key=lambda slot: (slot["monday"], slot["department"]))  # departments first, then weeks


def session(user):
    # A signed-in session, as if the user had logged in earlier in the day.
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


backend = next(
    (path for path in settings.AUTHENTICATION_BACKENDS if path.endswith("ModelBackend")),
    settings.AUTHENTICATION_BACKENDS[-1],
)
for slot in slots:
    slot["session"] = session(User.objects.get(username=slot["user"]))
official = User.objects.get(username="official")
json.dump({
    "official_sessions": [session(official) for _ in range(60)],
    "indicators": list(
        Indicator.objects.exclude(kind__in=Indicator.COMPUTED_KINDS).values_list("pk", flat=True)
    ),
    "departments": list(Department.objects.values_list("code", flat=True)),
    "slots": slots,
}, sys.stdout)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local(url: str, what: str) -> None:
    host = urlparse(url).hostname
    if host not in LOCAL:
        raise SystemExit(f"{what} must be on this machine (127.0.0.1), not {host}")


def manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextmanager
def database(server_url: str):
    """A fresh database on the PostgreSQL server of ``server_url``; dropped afterwards."""
    server = urlparse(server_url)
    name = f"zd_load_{os.getpid()}"
    target = [
        "--host",
        server.hostname,
        "--port",
        str(server.port or 5432),
        "--username",
        server.username or "postgres",
    ]
    subprocess.run(["dropdb", "--if-exists", "--force", *target, name], check=True)
    subprocess.run(["createdb", *target, name], check=True)
    try:
        yield server._replace(path=f"/{name}").geturl()
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", *target, name], check=False)


@contextmanager
def process(args, env, log: Path):
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_healthy(base: str, proc, log: Path, seconds: int = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310 (127.0.0.1)
                return json.loads(response.read())
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no healthy answer from {base}/healthz within {seconds} s")


def baseline(base: str, plan: dict) -> None:
    """Each page alone, one request at a time (median of 3, after a first warm-up request):
    what a page costs before 50 users queue for two web workers."""
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"sessionid={plan['official_sessions'][0]}")]
    pages = ["/", f"/targets/indicators/{plan['indicators'][0]}/", "/targets/departments/", "/targets/goals/"]
    pages += ["/projects/key/", "/api/v1/indicators/"]
    for page in pages:
        times = []
        for _ in range(4):
            started = time.monotonic()
            with opener.open(base + page, timeout=60) as response:  # noqa: S310 (127.0.0.1)
                response.read()
            times.append((time.monotonic() - started) * 1000)
        print(f"LOAD baseline {page} one_user_ms={sorted(times[1:])[1]:.0f}", flush=True)


def report(stats_csv: Path) -> int:
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    width = max(len(row["Name"]) for row in rows)
    for row in rows:
        name = "total" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"LOAD {name:<{width}} requests={row['Request Count']:>6} errors={row['Failure Count']:>4}"
            f" rps={float(row['Requests/s']):6.1f} p50_ms={row['50%']:>5} p95_ms={row['95%']:>5}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return int(total["Failure Count"])


def main() -> int:
    users = int(os.getenv("LOAD_USERS", "50"))
    seconds = int(os.getenv("LOAD_SECONDS", "60"))
    server_url = os.getenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.getenv("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
    if not server_url.startswith("postgres"):
        raise SystemExit("make load runs on PostgreSQL: DATABASE_URL=postgres://user@127.0.0.1:5432/name")
    local(server_url, "the database")
    local(redis_url, "Redis")
    prefix = f"zd-load-{os.getpid()}:"
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zd-load-")))
        database_url = stack.enter_context(database(server_url))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_REDIS_PREFIX": prefix,
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            # Plain HTTP on the loopback: no HTTPS proxy in front here.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "zhengdong.settings",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        print(
            f"setting up a throw-away database and the demo data ({database_url.rsplit('/', 1)[1]})…",
            flush=True,
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "demo_setup", "--skip-migrate")
        plan = work / "plan.json"
        plan.write_text(manage(env, "shell", "--no-imports", "-c", PLAN_SCRIPT), encoding="utf-8")

        web_log, worker_log = work / "web.log", work / "worker.log"
        web = stack.enter_context(
            process(
                [str(BIN / "gunicorn"), "zhengdong.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
                env,
                web_log,
            )
        )
        worker = [
            str(BIN / "celery"),
            "-A",
            "zhengdong",
            "worker",
            "--concurrency=2",
            "-Q",
            "celery",
            "-n",
            "load@%h",
        ]
        stack.enter_context(process([*worker, "--loglevel=WARNING"], env, worker_log))
        health = wait_healthy(base, web, web_log)
        print(f"production mode up on {base}: {json.dumps(health, ensure_ascii=False)}", flush=True)

        baseline(base, json.loads(plan.read_text(encoding="utf-8")))
        stats = work / "locust"
        print(f"locust: {users} users (officials 4 : clerks 1) for {seconds} s…", flush=True)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(Path(__file__).resolve().parent / "locustfile.py"), "--headless",
             "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
             "--host", base, "--csv", str(stats), "--only-summary", "--stop-timeout", "10",
             "--loglevel", "WARNING"],
            cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(plan)}, check=False, timeout=seconds + 180,
        )  # fmt: skip
        errors = report(Path(f"{stats}_stats.csv"))
        failures = Path(f"{stats}_failures.csv")
        if errors and failures.exists():
            print(failures.read_text(encoding="utf-8")[:3000])
        pending = wait_healthy(base, web, web_log).get("rollup", {})
        print(f"LOAD rollup_pending_entries_at_end {pending.get('pending_entries')}")
        try:
            import redis  # noqa: PLC0415

            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
        except Exception:  # noqa: BLE001, S110 (best effort: the keys are prefixed and small)
            pass
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
