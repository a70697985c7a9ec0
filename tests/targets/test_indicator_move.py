"""An indicator with figures in an approved week keeps its department: moving it would
hand those locked figures to another department's (unapproved) week and unlock them."""

import io
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from targets import services
from targets.models import Department, Entry, Indicator, Submission
from targets.seed import briefing
from targets.services import EntryInput
from tests.api_helpers import client_for
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
MON = WEEK


@pytest.fixture
def approved(clerk, manager, indicators):
    """经济发展局's week of WEEK approved, with 固定资产投资 at 0.78 on Monday."""
    briefing.ensure_groups()  # managers may change indicators in the admin
    manager.is_staff = True
    manager.save()
    invest = indicators[0]
    services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "0.78")])
    sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    services.approve_week(user=manager, submission=sub)
    return Entry.objects.get(indicator=invest, date=MON)


def admin_change(client, indicator, **changes):
    """Post the indicator's admin change form back as the browser would, with changes."""
    url = reverse("admin:targets_indicator_change", args=[indicator.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if isinstance(value, date) else value
    data.update(changes)
    return client.post(url, data)


def by_the_week_form(client, entry):
    cell = f"{entry.indicator_id}_{entry.date:%Y%m%d}"
    client.post(
        reverse("entry_week", args=[WEEK.isoformat()]),
        {f"c_{cell}": "99", f"o_{cell}": "0.7800", f"v_{cell}": "1"},
    )


def by_the_api(client, entry):
    client_for(entry.clerk).patch(
        f"/api/v1/entries/{entry.pk}/", {"value": "99", "version": 1}, format="json"
    )


def by_the_import(client, entry):
    template = client.get(reverse("entry_template", args=[WEEK.isoformat()]))
    book = load_workbook(io.BytesIO(template.content))
    sheet = book.active
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "invest"]
    row = rows[0] if rows else sheet.max_row + 1
    sheet.cell(row=row, column=1, value="invest")
    sheet.cell(row=row, column=4, value=99)  # column D: Monday
    out = io.BytesIO()
    book.save(out)
    preview = client.post(
        reverse("entry_import", args=[WEEK.isoformat()]),
        {"file": SimpleUploadedFile("w.xlsx", out.getvalue())},
    )
    if preview.context and "token" in preview.context:
        client.post(
            reverse("entry_import_confirm", args=[WEEK.isoformat()]), {"token": preview.context["token"]}
        )


def test_it_refuses_to_move_an_indicator_with_approved_figures_in_the_admin(
    client, manager, departments, approved
):
    client.force_login(manager)
    response = admin_change(client, approved.indicator, department=departments[1].pk)
    assert response.status_code == 200  # the form again, with the reason
    assert "已审核" in response.content.decode()
    approved.indicator.refresh_from_db()
    assert approved.indicator.department == departments[0]


@pytest.mark.parametrize("path", [by_the_week_form, by_the_api, by_the_import])
def test_it_keeps_the_figure_locked_after_a_move_is_tried(
    client, manager, clerk2, departments, approved, path
):
    """After the manager tries the move in the admin, 应急管理局's clerk tries to change
    the approved figure: the week form, the API and the import all leave it alone."""
    client.force_login(manager)
    admin_change(client, approved.indicator, department=departments[1].pk)
    client.force_login(clerk2)
    approved.clerk = clerk2
    path(client, approved)
    approved.refresh_from_db()
    assert approved.value == Decimal("0.78") and approved.version == 1


def test_it_offers_no_way_to_move_an_indicator_through_the_api(manager, departments, approved):
    url = f"/api/v1/indicators/{approved.indicator_id}/"
    for method in ("patch", "put"):
        response = getattr(client_for(manager), method)(url, {"department": "safety"}, format="json")
        assert response.status_code == 405
    approved.indicator.refresh_from_db()
    assert approved.indicator.department == departments[0]


def test_it_refuses_a_move_by_any_code_path_that_saves_the_indicator(departments, approved):
    indicator = Indicator.objects.get(pk=approved.indicator_id)
    indicator.department = departments[1]
    with pytest.raises(ValidationError, match="已审核"):
        indicator.save()
    indicator.refresh_from_db()
    assert indicator.department == departments[0]


def test_it_refuses_to_move_figures_into_another_departments_approved_week(
    clerk2, manager, departments, indicators
):
    """The other way round: figures must not join a week a manager approved without them."""
    hazards = indicators[2]
    services.record_entries(user=clerk2, rows=[EntryInput(hazards, MON, "3")])
    econ_week = services.submit_week(
        user=manager, department=departments[0], week_start=WEEK, confirm_empty=True
    )
    services.approve_week(user=manager, submission=econ_week)
    hazards.department = departments[0]
    with pytest.raises(ValidationError, match="已审核"):
        hazards.full_clean()


def test_it_moves_an_indicator_once_its_weeks_are_unlocked(client, manager, clerk2, departments, approved):
    submission = Submission.objects.get(department=departments[0], week_start=WEEK)
    services.unlock_week(user=manager, submission=submission, reason="责任单位调整")
    client.force_login(manager)
    response = admin_change(client, approved.indicator, department=departments[1].pk)
    assert response.status_code == 302
    approved.indicator.refresh_from_db()
    assert approved.indicator.department == departments[1]
    # Now 应急管理局's clerk reports it.
    services.record_entries(user=clerk2, rows=[EntryInput(approved.indicator, MON + timedelta(days=1), "1")])


def test_it_keeps_a_managers_choice_of_department_when_the_briefing_is_seeded_again(db):
    call_command("seed_briefing", stdout=StringIO())
    indicator = Indicator.objects.get(code="kp-investment")
    other = Department.objects.exclude(pk=indicator.department_id).first()
    indicator.department = other
    indicator.save()
    call_command("seed_briefing", stdout=StringIO())
    indicator.refresh_from_db()
    assert indicator.department == other
