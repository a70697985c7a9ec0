"""Overview benchmark: the officials' overview with 2,000 indicators rolled up over 92 days,
served by gunicorn (2 sync workers, DEBUG off) and loaded with Debian's
``wrk -t2 -c16 -d10s`` by a logged-in user; in the same run the ceiling view
(``targets.bench.ceiling``: one query, a 10-line template) on the same server.

Prints ``BENCH overview_rps``, ``overview_p99_ms``, ``ceiling_rps``, ``overview_ratio``
(overview ÷ ceiling). Targets: ratio ≥ 0.30, p99 < 300 ms on PostgreSQL.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from targets import roles, rollups
from targets.models import Department, Goal, Indicator
from targets.seed.briefing import plan as briefing_plan

INDICATORS = 2000
START = date(2021, 10, 1)
DAYS = 92
BASE_DIR = Path(settings.BASE_DIR)


def _setup(out) -> None:
    """2,000 indicators under 5 sections × 4 lines, 92 days of entries each, rolled up."""
    departments = [Department.objects.create(code=f"bench-{i}", name=f"基准单位{i}") for i in range(7)]
    root = Goal.objects.create(
        plan=briefing_plan(), code="bench-framework", name="基准框架", level=Goal.Level.FRAMEWORK
    )
    lines = []
    for s in range(5):
        section = Goal.objects.create(
            plan=briefing_plan(), code=f"bench-s{s}", name=f"基准板块{s}", level=Goal.Level.SECTION, order=s
        )
        for n in range(4):
            line = Goal.objects.create(
                plan=briefing_plan(),
                code=f"bench-s{s}-{n}",
                name=f"基准工作线{s}-{n}",
                level=Goal.Level.LINE,
                parent=section,
            )
            line.supports.add(root)
            lines.append(line)
    Indicator.objects.bulk_create(
        Indicator(
            code="kp-investment" if i == 0 else f"bench-{i}",
            name=f"基准指标{i}",
            unit="亿元",
            kind=Indicator.Kind.AMOUNT,
            target_value=Decimal(92),
            plan_start=START,
            plan_end=START + timedelta(days=DAYS - 1),
            decimals=2,
            department=departments[i % len(departments)],
            goal=lines[i % len(lines)],
            plan_id=lines[0].plan_id,
            order=i,
        )
        for i in range(INDICATORS)
    )
    # 92 days of entries for every indicator, generated in the database (PostgreSQL):
    # paces 0.80–1.20 of plan so every status appears.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO targets_entry
                (indicator_id, date, value, note, version, is_demo, created_at, updated_at)
            SELECT i.id, d::date, (80 + i."order" %% 41) / 100.0, '', 1, false, now(), now()
            FROM targets_indicator i
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') AS d
            """,
            [START, START + timedelta(days=DAYS - 1)],
        )
        count = cursor.rowcount
    out.write(f"BENCH overview_entries_s {time.perf_counter() - started:.1f} s ({count} entries)")
    started = time.perf_counter()
    rollups.refresh(today=START + timedelta(days=DAYS - 1))
    out.write(f"BENCH overview_rollup_s {time.perf_counter() - started:.1f} s (full roll-up)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db.get("USER") or "")
    password = urllib.parse.quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _server_env(static_root: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengdong.bench_settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback: no HTTPS redirect, cookies sent without TLS.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "BENCH_STATIC_ROOT": static_root,
    }


def _collectstatic(env: dict) -> None:
    """Hashed, compressed static files as in production (DEBUG off needs the manifest)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )


def _start_server(port: int, env: dict) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [
            gunicorn,
            "zhengdong.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if os.getenv("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {url}")


def _log_in(base: str, username: str, password: str) -> str:
    """Log in through the real login form; returns the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    login = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/accounts/login/", data=form.encode(), headers={"Referer": base}
    )
    opener.open(login)
    session = next((c.value for c in jar if c.name == settings.SESSION_COOKIE_NAME), None)
    if not session:
        raise RuntimeError("login failed: no session cookie")
    return session


def _get(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback)
        return response.status, response.read().decode()


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk(url: str, cookie: str) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of ``wrk -t2 -c16 -d10s`` on ``url``."""
    result = subprocess.run(
        ["wrk", "-t2", "-c16", "-d10s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    output = result.stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw error responses on {url}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", output).groups()
    return rps, float(value) * UNITS_MS[unit]


def run(*, out, rows: int, options) -> None:
    if connection.vendor != "postgresql":
        out.write("BENCH overview skipped: needs PostgreSQL (the server processes share its database)")
        return
    if not shutil.which("wrk"):
        out.write("BENCH overview skipped: wrk is not installed (apt-get install wrk)")
        return
    started = time.perf_counter()
    _setup(out)
    connection.close()  # the server's workers open their own connections
    out.write(
        f"BENCH overview_setup_s {time.perf_counter() - started:.1f} s "
        f"({INDICATORS} indicators × {DAYS} days rolled up)"
    )
    password = secrets.token_urlsafe(16)
    official = get_user_model().objects.create_user("bench-official", password=password)
    official.groups.add(Group.objects.get_or_create(name=roles.OFFICIALS)[0])
    connection.close()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    static_root = tempfile.mkdtemp(prefix="zd-bench-static-")
    env = _server_env(static_root)
    _collectstatic(env)
    server = _start_server(port, env)
    try:
        _wait_for(f"{base}/accounts/login/")
        cookie = f"{settings.SESSION_COOKIE_NAME}={_log_in(base, official.username, password)}"
        status, page = _get(f"{base}/", cookie)
        if status != 200 or "数据截至" not in page or "基准板块0" not in page:
            raise RuntimeError("the overview did not render for the logged-in official")
        _get(f"{base}/bench/ceiling/", cookie)
        overview_rps, overview_p99 = _wrk(f"{base}/", cookie)
        ceiling_rps, ceiling_p99 = _wrk(f"{base}/bench/ceiling/", cookie)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    out.write(f"BENCH overview_rps {overview_rps:.0f} req/s")
    out.write(f"BENCH overview_p99_ms {overview_p99:.1f} ms")
    out.write(f"BENCH ceiling_rps {ceiling_rps:.0f} req/s (p99 {ceiling_p99:.1f} ms)")
    out.write(f"BENCH overview_ratio {overview_rps / ceiling_rps:.2f} (target ≥ 0.30)")
