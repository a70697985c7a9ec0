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


def test_a_second_run_keeps_the_users_data_says_so_and_adds_only_what_is_missing(client, output):
    from django.contrib.auth.models import User

    from projects.models import RecoveryProject
    from targets.models import Department

    count = Entry.objects.count()
    assert count > 300  # figures at each indicator's cadence (weekly, 旬, monthly, once)
    assert "演示数据库已存在" not in output
    # What users did since the first run: a target, a unit's name, a password changed;
    # a demo user and a briefing row gone.
    signed = Indicator.objects.get(code="sci-projects-signed")
    signed.target_value = 60
    signed.save()
    Department.objects.filter(code="econ").update(name="经济发展局（新）")
    manager = User.objects.get(username="manager")
    manager.set_password("their-own-2021")
    manager.save()
    User.objects.get(username="official").delete()
    gone = RecoveryProject.objects.order_by("order").first()
    gone.delete()

    out = StringIO()
    call_command("demo_setup", "--skip-migrate", stdout=out)
    second = out.getvalue()

    assert "演示数据库已存在，保留现有数据；重新开始请运行 make clean-demo" in second
    assert "简报数据：补充了缺少的 1个灾后重建项目；已有的未改动。" in second
    assert "演示账号：新建 official；已有账号未改动" in second
    assert Entry.objects.count() == count
    assert Indicator.objects.get(code="sci-projects-signed").target_value == 60
    assert Department.objects.get(code="econ").name == "经济发展局（新）"
    assert "clerk     填报员，经济发展局（新）" in second
    assert RecoveryProject.objects.filter(code=gone.code).exists()
    for username, password in (("manager", "their-own-2021"), ("official", settings.DEMO_PASSWORD)):
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        client.logout()

    # A third run: nothing left to add.
    out = StringIO()
    call_command("demo_setup", "--skip-migrate", stdout=out)
    assert "简报数据：齐全，已有的未改动。" in out.getvalue()
    assert "演示账号：均已存在，未改动" in out.getvalue()


def test_it_opens_the_admin_to_the_demo_manager_only(client, output):
    for username, status in (("manager", 200), ("official", 302), ("clerk", 302), ("clerk2", 302)):
        client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert client.get(reverse("admin:index")).status_code == status, username
        client.logout()
