"""Production mode, as the README documents it: DEBUG off, collectstatic, gunicorn serving
pages and static files itself, and Celery beat loading the schedule into the database.

These tests start real processes against their own database: an SQLite file, or a
database of their own on the PostgreSQL server when the suite runs on PostgreSQL."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _admin_connection(outer: str):
    import psycopg2

    parsed = urlparse(outer)
    admin = psycopg2.connect(
        dbname="postgres", user=parsed.username, host=parsed.hostname, port=parsed.port or 5432
    )
    admin.autocommit = True
    return parsed, admin


@contextmanager
def production_database(folder: Path, suffix: str = "", template: str | None = None):
    """A database URL of the same kind as the suite's: an SQLite file in ``folder``, or a
    database of its own on the PostgreSQL server; a copy of ``template`` (a URL this
    function gave) if one is given, else empty."""
    outer = os.getenv("DATABASE_URL", "")
    if not outer.startswith("postgres"):
        path = folder / f"production{suffix}.sqlite3"
        if template:
            shutil.copyfile(urlparse(template).path.removeprefix("/"), path)
        yield f"sqlite:///{path}"
        return
    parsed, admin = _admin_connection(outer)
    name = f"zd_production_check_{os.getpid()}{suffix}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        copy = f' TEMPLATE "{urlparse(template).path.lstrip("/")}"' if template else ""
        cursor.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield parsed._replace(path=f"/{name}").geturl()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def production_settings(database_url: str, static_root: Path, media_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_BROKER_URL")}
    env.update(
        DEBUG="false",
        SECRET_KEY="production-check-" + "k" * 50,
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="zhengdong.settings",
    )
    return env


@pytest.fixture(scope="module")
def migrated_production(tmp_path_factory):
    """The README's production steps run once for this module: ``migrate`` into a fresh
    database (kept as the template each test copies) and ``collectstatic``; returns that
    environment."""
    folder = tmp_path_factory.mktemp("production")
    with production_database(folder, "_template") as database_url:
        env = production_settings(database_url, folder / "static", folder / "media")
        run = lambda *args: subprocess.run(  # noqa: E731
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        run("migrate", "--noinput")
        run("collectstatic", "--noinput")
        yield env


@pytest.fixture
def production_env(migrated_production, tmp_path):
    """Production settings on a database of the test's own, migrated (a copy of the
    module's migrated template), with the collected static files and empty media."""
    template = migrated_production["DATABASE_URL"]
    with production_database(tmp_path, template=template) as database_url:
        yield production_settings(database_url, Path(migrated_production["STATIC_ROOT"]), tmp_path / "media")


def fetch(url: str, *, proxied: bool = True) -> tuple[int, dict, bytes]:
    """GET without following redirects, as a browser behind the HTTPS proxy would (or, not
    ``proxied``, as a probe calling the app directly)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"} if proxied else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def process(args, env):
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_it_serves_pages_and_assets_with_gunicorn_and_debug_off(production_env):
    port = free_port()
    args = [str(BIN / "gunicorn"), "zhengdong.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    with process(args, production_env) as proc:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = fetch(f"{base}/accounts/login/")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)

        assert status == 200
        page = body.decode()
        assert "登录" in page
        assert headers.get("Strict-Transport-Security")

        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "the stylesheet should be served under a hashed name"
        status, headers, _ = fetch(base + stylesheet.group(1))
        assert status == 200 and headers["Content-Type"].startswith("text/css")

        status, _, body = fetch(f"{base}/static/plotly/plotly.min.js")
        assert status == 200 and len(body) > 1_000_000, "plotly.min.js must be served locally"

        status, headers, _ = fetch(f"{base}/")
        assert status == 302 and headers["Location"].startswith("/accounts/login/")

        # The health check answers a probe on plain HTTP (no redirect to HTTPS), no login.
        status, headers, body = fetch(f"{base}/healthz", proxied=False)
        assert status == 200 and headers["Content-Type"] == "application/json", body
        assert json.loads(body)["database"]["ok"] is True
        status, headers, _ = fetch(f"{base}/accounts/login/", proxied=False)
        assert status == 301


def test_it_loads_the_beat_schedule_into_the_database(production_env):
    if not redis_available():
        if os.getenv("REQUIRE_REDIS"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    env = dict(production_env, CELERY_BROKER_URL="redis://127.0.0.1:6379/14")
    args = [str(BIN / "celery"), "-A", "zhengdong", "beat", "--loglevel=info", "--pidfile="]
    count = (
        "from django_celery_beat.models import PeriodicTask as P; "
        "print(P.objects.exclude(name__startswith='celery.').count())"
    )
    expected = "from django.conf import settings; print(len(getattr(settings, 'CELERY_BEAT_SCHEDULE', {})))"
    shell = lambda code: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    wanted = int(shell(expected))
    assert wanted >= 1, "the nightly roll-up and Monday jobs belong in CELERY_BEAT_SCHEDULE"
    with process(args, env) as proc:
        deadline = time.monotonic() + 40
        while int(shell(count)) < wanted:
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "beat did not write its schedule"
            time.sleep(1)


RENDER_WEEK_REPORT = """
import sys
from datetime import date
from targets.reporting import reports
sys.stdout.buffer.write(reports.render_pdf(reports.build("week", date(2021, 11, 17))))
"""

# The same report when its stylesheet cannot be found: what an unstyled PDF looks like.
RENDER_UNSTYLED = RENDER_WEEK_REPORT.replace(
    "sys.stdout", "reports.static_file_path = lambda relative: None\nsys.stdout", 1
)


def render_week_report(env, path: Path, script: str = RENDER_WEEK_REPORT) -> str:
    """The week report of 15–21 November 2021 written to ``path``; returns the log."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    path.write_bytes(done.stdout)
    return done.stderr.decode()


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_page_text(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_it_styles_pdf_reports_with_debug_off(production_env, tmp_path):
    for command in (["seed_briefing"], ["seed_demo", "--until", "2021-11-19"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=production_env,
            check=True,
            capture_output=True,
        )
    production = tmp_path / "production.pdf"
    log = render_week_report(production_env, production)
    assert "Failed to load stylesheet" not in log, log
    # The same report with DEBUG on, its stylesheet read by the finders from static/.
    development = tmp_path / "development.pdf"
    render_week_report(dict(production_env, DEBUG="true"), development)

    # Styled alike: the same pages as the development copy, fewer than a copy whose
    # stylesheet cannot load (the report's length moves with its sections).
    assert pdf_pages(production) == pdf_pages(development)
    unstyled = tmp_path / "unstyled.pdf"
    log = render_week_report(production_env, unstyled, script=RENDER_UNSTYLED)
    assert "Failed to load stylesheet" in log, log
    assert pdf_pages(production) < pdf_pages(unstyled)
    # report.css repeats the title at the top of every page after the cover.
    assert pdf_page_text(production, 2).strip().startswith("郑东新区2021年第46周目标任务进展报告")


def test_it_runs_web_workers_and_beat_from_the_procfile(production_env):
    if not redis_available():
        if os.getenv("REQUIRE_REDIS"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    port = free_port()
    env = dict(
        production_env,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/14",
        CELERY_REDIS_PREFIX=f"zd-procfile-{os.getpid()}:",  # queues of its own on a shared Redis
    )
    args = [str(BIN / "honcho"), "start", "-f", "Procfile", "-p", str(port), "--no-colour"]
    log = []
    with process(args, env) as proc:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _, body = fetch(f"http://127.0.0.1:{port}/healthz", proxied=False)
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the web process did not answer /healthz"
            time.sleep(0.5)
        health = json.loads(body)
        assert health["status"] == "ok" and health["broker"]["ok"] and "mode" not in health["broker"]
        # Both workers and beat come up (each logs a line when ready).
        os.set_blocking(proc.stdout.fileno(), False)
        wanted = ("worker@", "rebuild@", "beat: Starting")
        while not all(any(w in line and ("ready" in line or "beat" in w) for line in log) for w in wanted):
            chunk = proc.stdout.read()
            if chunk:
                log.extend(chunk.decode(errors="replace").splitlines())
            assert proc.poll() is None, "\n".join(log[-50:])
            assert time.monotonic() < deadline, "not every process started:\n" + "\n".join(log[-50:])
            time.sleep(0.5)
    import redis  # noqa: PLC0415 (only where Redis is reachable)

    client = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    for key in client.scan_iter(f"zd-procfile-{os.getpid()}:*"):
        client.delete(key)


PAGE_FIGURES = """
import re
from django.contrib.auth.models import User
from django.test import Client
from targets.models import Indicator

client = Client(SERVER_NAME="127.0.0.1")
client.force_login(User.objects.get(username="official"))
investment = Indicator.objects.get(code="kp-investment").pk
pages = ("/", "/targets/departments/", f"/targets/indicators/{investment}/")
for url in (*pages, "/api/v1/indicators/?page_size=500"):
    response = client.get(url, secure=True)
    text = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    print(url, response.status_code, re.findall(r"\\d[\\d,]*\\.\\d+|\\d+(?:\\.\\d+)?%|数据截至[^<]*", text))
"""


def test_it_restores_a_backup_into_a_fresh_database_with_the_same_figures(production_env, tmp_path):
    """The README's backup and restore, as written: pg_dump, then pg_restore into a new
    database; the restored site shows the same figures on its pages and API."""
    source = production_env["DATABASE_URL"]
    if not source.startswith("postgres"):
        pytest.skip("backup and restore with pg_dump/pg_restore: run the suite on PostgreSQL")
    manage = lambda env, *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    manage(production_env, "demo_setup", "--skip-migrate")
    before = manage(production_env, "shell", "--no-imports", "-c", PAGE_FIGURES).stdout

    dump = tmp_path / "zhengdong.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True, timeout=120)
    parsed = urlparse(source)
    restored = parsed._replace(path=parsed.path + "_restore").geturl()
    target = ["--host", parsed.hostname, "--port", str(parsed.port or 5432), "--username", parsed.username]
    name = parsed.path.lstrip("/") + "_restore"
    subprocess.run(["dropdb", "--if-exists", "--force", *target, name], check=True)
    subprocess.run(["createdb", *target, name], check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            check=True,
            timeout=120,
        )
        after = manage(
            dict(production_env, DATABASE_URL=restored), "shell", "--no-imports", "-c", PAGE_FIGURES
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", *target, name], check=True)

    lines = before.strip().splitlines()
    assert len(lines) == 4 and all(" 200 " in line for line in lines), before
    assert sum(line.count("'") for line in lines) > 100  # figures on every page
    assert after.stdout == before
