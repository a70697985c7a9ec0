"""Shared fixtures: named users (a clerk, a second clerk, a manager, an official, an
outsider), fast hashing, inline Celery, and real Celery workers on Redis."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from targets import roles
from targets.models import Department, UserProfile
from tests.worker_helpers import Broker, Worker

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in a temporary folder (nothing lands in the repository); returns a
    function listing every file stored in it."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def stored() -> list[str]:
        root = settings.MEDIA_ROOT
        return (
            sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
        )

    return stored


def make_user(username, group=None, department=None, **extra):
    user = User.objects.create_user(username, password="pw-" + username, **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    UserProfile.objects.create(user=user, department=department)
    return user


@pytest.fixture
def departments(db):
    econ = Department.objects.create(code="econ", name="经济发展局")
    safety = Department.objects.create(code="safety", name="应急管理局")
    return econ, safety


@pytest.fixture
def clerk(departments):
    return make_user("clerk", roles.CLERKS, departments[0])


@pytest.fixture
def clerk2(departments):
    return make_user("clerk2", roles.CLERKS, departments[1])


@pytest.fixture
def manager(db):
    return make_user("manager", roles.MANAGERS)


@pytest.fixture
def official(db):
    return make_user("official", roles.OFFICIALS)


@pytest.fixture
def outsider(db):
    return make_user("outsider")


# ---- Real Celery workers on Redis (tests/worker_helpers.py): PostgreSQL only, skipped
# without Redis unless REQUIRE_REDIS=1. Such tests need django_db(transaction=True): the
# worker reads what this process committed.
@pytest.fixture
def redis_broker(tmp_path):
    """This process's Celery app sending to Redis (TEST_REDIS_DB) under a key prefix of
    the test's own; `redis_broker.start_worker()` starts workers on it, stopped (their
    whole process group) at teardown."""
    with Broker(tmp_path).serving() as broker:
        yield broker


@pytest.fixture
def redis_worker(redis_broker) -> Worker:
    """One worker (solo pool, the default queue) ready on `redis_broker`."""
    return redis_broker.start_worker()


# ---- Browser tests: Debian's chromium driven by Playwright (never `playwright install`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A test that drives a page is a browser test, marked so or not: CI selects the
    browser tests with ``-m browser`` (they run once, on PostgreSQL)."""
    for item in items:
        if "page" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.getenv("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run browser tests")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def login_page(page, live_server):
    """Log a named test user in through the real login form; returns a function."""

    def login(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pw-" + user.username)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return login


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/ (kept by CI, looked at by people)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
