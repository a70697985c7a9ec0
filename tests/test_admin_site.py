"""The admin is the managers' and superusers' back office: a clerk or an official is
refused it even when marked staff, so another department's figures and every user's
logins and IP addresses stay out of their reach."""

from datetime import date

import pytest
from django.urls import reverse

from targets.models import AuditEvent, Entry
from targets.seed import briefing
from tests.targets.entry.entry_helpers import indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_users(clerk, clerk2, official, manager):
    briefing.ensure_groups()
    for user in (clerk, clerk2, official, manager):
        user.is_staff = True
        user.save()
    return clerk, clerk2, official, manager


@pytest.fixture
def other_departments_figure(indicators, clerk2):
    entry = Entry.objects.create(indicator=indicators[2], date=date(2021, 10, 11), value=12)
    AuditEvent.objects.create(user=clerk2, username=clerk2.username, action="login", ip="10.1.2.3")
    return entry


def admin_pages(entry) -> list[str]:
    record = entry.history.latest("history_date")
    return [
        reverse("admin:index"),
        reverse("admin:targets_auditevent_changelist"),
        reverse("admin:targets_entry_changelist"),
        reverse("admin:targets_entry_history", args=[entry.pk]),
        reverse("admin:targets_entry_simple_history", args=[entry.pk, record.history_id]),
    ]


def test_it_refuses_the_admin_to_clerks_and_officials_even_marked_staff(
    client, staff_users, other_departments_figure
):
    clerk, _, official, _ = staff_users
    for user in (clerk, official):
        client.force_login(user)
        for url in admin_pages(other_departments_figure):
            response = client.get(url)
            assert response.status_code == 302, (user.username, url)
            assert response["Location"].startswith(reverse("admin:login")), (user.username, url)
            assert "10.1.2.3" not in response.content.decode()


def test_it_opens_the_admin_and_the_audit_log_to_managers(client, staff_users, other_departments_figure):
    client.force_login(staff_users[3])
    for url in admin_pages(other_departments_figure):
        assert client.get(url).status_code == 200, url
    log = client.get(reverse("admin:targets_auditevent_changelist")).content.decode()
    assert "10.1.2.3" in log
    assert AuditEvent.objects.filter(ip="10.1.2.3").exists()


def test_it_links_the_admin_for_managers_only(client, staff_users):
    clerk, _, official, manager = staff_users
    for user, shown in ((clerk, False), (official, False), (manager, True)):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert (reverse("admin:index") in page) is shown, user.username
