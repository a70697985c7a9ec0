"""Role groups seeded with the briefing: officials read, clerks enter figures through the
product's pages (no admin), managers change plans and approve."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from targets.models import Entry, Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(clerk, clerk2, manager, official):
    # The conftest users exist first; the seed then gives their groups permissions.
    call_command("seed_briefing", stdout=StringIO())
    for user in (clerk, clerk2, manager):
        user.is_staff = True
        user.save()
    return clerk, clerk2, manager, official


@pytest.fixture
def entries(users):
    clerk, clerk2, *_ = users
    econ = Entry.objects.create(
        indicator=Indicator.objects.get(code="kp-investment"),
        date=date(2021, 10, 4),
        value=1,
        created_by=clerk,
    )
    safety = Entry.objects.create(
        indicator=Indicator.objects.get(code="safety-nine-small-inspected"),
        date=date(2021, 10, 4),
        value=12,
        created_by=clerk2,
    )
    return econ, safety


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # permission caches cleared


def test_it_lets_officials_view_everything_and_change_nothing(users):
    official = fresh(users[3])
    assert official.has_perm("targets.view_indicator")
    assert official.has_perm("targets.view_entry")
    assert official.has_perm("projects.view_keyproject")
    for perm in ("targets.change_indicator", "targets.add_entry", "targets.change_submission"):
        assert not official.has_perm(perm)


def test_it_lets_managers_change_plans_and_approve_weeks(users):
    manager = fresh(users[2])
    for perm in (
        "targets.change_indicator",
        "targets.change_submission",
        "projects.change_keyproject",
        "targets.view_auditevent",
    ):
        assert manager.has_perm(perm)
    assert not manager.has_perm("targets.delete_entry")


def test_it_gives_clerks_no_admin_permission(users):
    clerk = fresh(users[0])
    for perm in ("targets.view_entry", "targets.change_entry", "targets.change_indicator"):
        assert not clerk.has_perm(perm)


def test_it_refuses_the_admin_to_a_clerk_even_for_their_own_department(client, users, entries):
    econ, safety = entries
    client.force_login(users[0])
    for url in (
        reverse("admin:targets_entry_changelist"),
        reverse("admin:targets_entry_change", args=[econ.pk]),
        reverse("admin:targets_entry_change", args=[safety.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_it_shows_a_manager_every_departments_entries_in_the_admin(client, users, entries):
    client.force_login(users[2])
    assert client.get(reverse("admin:targets_entry_changelist")).context["cl"].result_count == 2
    for entry in entries:
        assert client.get(reverse("admin:targets_entry_change", args=[entry.pk])).status_code == 200


def test_it_refuses_an_official_the_admin_and_a_plan_change(client, users):
    client.force_login(users[3])
    indicator = Indicator.objects.get(code="kp-investment")
    url = reverse("admin:targets_indicator_change", args=[indicator.pk])
    assert client.get(url).status_code == 302
    client.post(url, {"target_value": "1"})
    indicator.refresh_from_db()
    assert str(indicator.target_value) == "433.2000"


def test_it_refuses_a_clerk_a_plan_change_in_the_admin(client, users):
    client.force_login(users[0])
    indicator = Indicator.objects.get(code="kp-investment")
    response = client.post(
        reverse("admin:targets_indicator_change", args=[indicator.pk]), {"target_value": "1"}
    )
    assert response.status_code == 302  # to the admin's login: clerks have no admin
    indicator.refresh_from_db()
    assert str(indicator.target_value) == "433.2000"
