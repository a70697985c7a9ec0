"""``manage.py demo_setup`` (what ``make run`` runs): briefing, demo data, demo users."""

from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from targets.models import Entry, Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def output(db, settings):
    settings.DEMO_TODAY = date(2021, 11, 19)  # as `make run` sets it
    out = StringIO()
    call_command("demo_setup", "--skip-migrate", stdout=out)
    return out.getvalue()


def test_it_prints_the_url_and_the_demo_logins(output):
    assert "http://127.0.0.1:8000/" in output
    assert settings.DEMO_PASSWORD in output
    assert "仅供演示" in output
    for username in ("official", "manager", "clerk", "clerk2"):
        assert f"  {username} " in output


def test_it_prints_the_demo_date_the_whole_site_runs_on(output):
    assert "演示日期（DEMO_TODAY）：2021-11-19" in output


def test_it_lets_each_demo_user_log_in(client, output):
    # One test for the four users: each demo_setup run loads the whole demo.
    for username in ("official", "manager", "clerk", "clerk2"):
        response = client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200, username
        client.logout()


def test_it_puts_the_clerk_in_the_department_of_key_project_investment(output):
    from django.contrib.auth.models import User

    investment = Indicator.objects.get(code="kp-investment")
    clerk, clerk2 = User.objects.get(username="clerk"), User.objects.get(username="clerk2")
    assert clerk.profile.department == investment.department
    assert clerk2.profile.department not in (None, investment.department)
    assert Entry.objects.filter(indicator=investment, created_by=clerk).exists()


def test_it_loads_demo_data_once_and_keeps_it_on_a_second_run(output):
    count = Entry.objects.count()
    assert count > 300  # figures at each indicator's cadence (weekly, 旬, monthly, once)
    out = StringIO()
    call_command("demo_setup", "--skip-migrate", stdout=out)
    assert "跳过 seed_demo" in out.getvalue()
    assert Entry.objects.count() == count


def test_it_opens_the_admin_to_the_demo_manager_only(client, output):
    for username, status in (("manager", 200), ("official", 302), ("clerk", 302), ("clerk2", 302)):
        client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert client.get(reverse("admin:index")).status_code == status, username
        client.logout()
