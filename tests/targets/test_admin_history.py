"""The admin's history pages (django-simple-history) show old versions and never save
one: every figure and week is written through targets.services or not at all."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from targets import services
from targets.admin import EntryAdmin, SubmissionAdmin
from targets.models import AuditEvent, Entry, Submission
from targets.seed import briefing
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="pw-root")


@pytest.fixture
def approved(clerk, manager, indicators):
    """经济发展局's week of WEEK, approved with one figure of 0.78; the role groups carry
    their seeded permissions (clerks may view entries and weeks)."""
    briefing.ensure_groups()
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "0.78")])
    sub = services.submit_week(user=clerk, department=indicators[0].department, week_start=WEEK)
    sub = services.approve_week(user=manager, submission=sub)
    return Entry.objects.get(indicator=indicators[0], date=WEEK), sub


def history_form_url(obj) -> str:
    meta = obj._meta
    record = obj.history.latest("history_date")
    return reverse(
        f"admin:{meta.app_label}_{meta.model_name}_simple_history", args=[obj.pk, record.history_id]
    )


def staff(user):
    user.is_staff = True
    user.save()
    return user


def test_it_refuses_a_history_form_post_to_everyone_even_a_superuser(client, superuser, manager, approved):
    entry, week = approved
    staff(manager)
    events = AuditEvent.objects.exclude(action="login").count()
    for user in (superuser, manager):
        client.force_login(user)
        response = client.post(
            history_form_url(entry),
            {"indicator": entry.indicator_id, "date": entry.date.isoformat(), "value": "99"},
        )
        assert response.status_code == 403, user
        response = client.post(
            history_form_url(week),
            {"department": week.department_id, "week_start": week.week_start.isoformat(), "status": "draft"},
        )
        assert response.status_code == 403, user
    entry.refresh_from_db()
    week.refresh_from_db()
    assert entry.value == Decimal("0.78") and entry.version == 1
    assert week.status == Submission.Status.APPROVED
    assert AuditEvent.objects.exclude(action="login").count() == events


def test_it_refuses_a_history_form_post_to_a_staff_clerk_of_another_department(client, clerk2, approved):
    entry, week = approved
    client.force_login(staff(clerk2))
    client.post(
        history_form_url(entry),
        {"indicator": entry.indicator_id, "date": entry.date.isoformat(), "value": "99"},
    )
    client.post(
        history_form_url(week),
        {
            "department": week.department_id,
            "week_start": week.week_start.isoformat(),
            "status": "approved",
            "reviewed_by": clerk2.pk,
        },
    )
    entry.refresh_from_db()
    week.refresh_from_db()
    assert entry.value == Decimal("0.78")
    assert week.reviewed_by.username == "manager"


def test_it_shows_an_old_version_without_an_input_or_a_save_button(client, superuser, approved):
    entry, _ = approved
    client.force_login(superuser)
    page = client.get(history_form_url(entry))
    assert page.status_code == 200
    html = page.content.decode()
    assert "0.78" in html
    assert 'name="value"' not in html, "the old version must be shown read-only"
    assert 'name="_save"' not in html, "no Revert button"


def test_it_keeps_another_departments_history_from_a_clerk_even_with_admin_access(rf_admin_request, approved):
    """Belt and braces under the admin site's own check: the history pages filter by
    department like the list and change pages."""
    entry, week = approved
    for admin_class, obj in ((EntryAdmin, entry), (SubmissionAdmin, week)):
        model_admin = admin_class(type(obj), _site())
        record = obj.history.latest("history_date")
        for view, args in (
            (model_admin.history_view, (str(obj.pk),)),
            (model_admin.history_form_view, (str(obj.pk), str(record.history_id))),
        ):
            with pytest.raises(Exception) as refused:
                view(rf_admin_request, *args)
            assert type(refused.value).__name__ in {"Http404", "PermissionDenied"}


@pytest.fixture
def rf_admin_request(clerk2):
    request = RequestFactory().get("/admin/")
    request.user = staff(clerk2)
    return request


def _site():
    from django.contrib import admin

    return admin.site
