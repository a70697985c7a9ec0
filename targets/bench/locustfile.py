"""Who uses the site at once (``make load``): officials browsing the dashboards and
clerks saving their department's week through the real form (GET the grid, change a few
cells, POST it with its versions and CSRF token). Each clerk has a department and week of
its own, so saves never collide and every refused save counts as an error.

The plan (users, departments, weeks, typical values) comes from ``targets/bench/load.py``
through the file named by ``LOAD_PLAN``. Only ever aimed at 127.0.0.1."""

import itertools
import json
import os
import random
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
SLOTS = itertools.cycle(PLAN["slots"])
OFFICIAL_SESSIONS = itertools.cycle(PLAN["official_sessions"])
INPUT = re.compile(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_start.add_listener
def _local_only(environment, **kwargs):
    if urlparse(environment.host or "").hostname != "127.0.0.1":
        raise SystemExit(f"the load test runs against 127.0.0.1 only, not {environment.host}")


def signed_in(user: HttpUser, session_key: str) -> None:
    """Start with a session made beforehand (``run.py``): people log in once and then work
    for hours, so the 60 s measure pages and saves, not a storm of password hashes."""
    user.client.cookies.set("sessionid", session_key, domain="127.0.0.1")


class Official(HttpUser):
    """Reads: the overview most, then departments, indicators, the goal tree, projects."""

    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        signed_in(self, next(OFFICIAL_SESSIONS))

    @task(4)
    def overview(self):
        self.client.get("/", name="/")

    @task(2)
    def indicator(self):
        pk = random.choice(PLAN["indicators"])
        self.client.get(f"/targets/indicators/{pk}/", name="/targets/indicators/[id]/")

    @task(1)
    def departments(self):
        self.client.get("/targets/departments/", name="/targets/departments/")

    @task(1)
    def department(self):
        code = random.choice(PLAN["departments"])
        self.client.get(f"/targets/departments/{code}/", name="/targets/departments/[code]/")

    @task(1)
    def goals(self):
        self.client.get("/targets/goals/", name="/targets/goals/")

    @task(1)
    def key_projects(self):
        self.client.get("/projects/key/", name="/projects/key/")

    @task(1)
    def api(self):
        self.client.get("/api/v1/indicators/", name="/api/v1/indicators/")


class Clerk(HttpUser):
    """Saves a few cells of its own department's week, as a clerk does through the day."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        self.slot = next(SLOTS)
        signed_in(self, self.slot["session"])
        self.url = f"/entry/{self.slot['monday']}/?dept={self.slot['department']}"

    @task
    def save_week(self):
        with self.client.get(self.url, name="/entry/[week]/", catch_response=True) as page:
            fields = {name: unescape(value) for name, value in INPUT.findall(page.text)}
            token = CSRF.search(page.text)
            values = self.slot["values"]  # milestones (done or not) are left alone
            cells = [
                name[2:] for name in fields if name.startswith("c_") and name[2:].split("_")[0] in values
            ]
            if page.status_code != 200 or not token or not cells:
                page.failure(f"no editable week ({page.status_code})")
                return
        data = {name: value for name, value in fields.items() if name[:2] in ("c_", "o_", "v_")}
        for cell in random.sample(cells, min(3, len(cells))):
            typical, decimals, low, high = values[cell.split("_")[0]]
            value = max(Decimal(typical) * Decimal(random.uniform(0.8, 1.2)), Decimal(low))
            if high is not None:
                value = min(value, Decimal(high))
            data[f"c_{cell}"] = f"{value:.{decimals}f}"
        data.update(csrfmiddlewaretoken=token.group(1), dept=self.slot["department"], confirm_outliers="on")
        with self.client.post(
            self.url, data=data, name="/entry/[week]/ POST", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                errors = re.findall(r'class="cell-error"[^>]*>([^<]+)', response.text)[:2]
                response.failure(f"save refused ({response.status_code}): {errors}")
