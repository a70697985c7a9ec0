"""A week crossing two plans (27 Dec 2021 – 2 Jan 2022): both plans' indicators are in
force, one code twice; the page, the template and the import keep them apart."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from targets.entry import imports
from targets.models import Entry, Goal, Indicator, Plan
from tests.targets.entry.entry_helpers import make_indicator

pytestmark = pytest.mark.django_db

WEEK = date(2021, 12, 27)
TEMPLATE = reverse("entry_template", args=[WEEK.isoformat()])
IMPORT = reverse("entry_import", args=[WEEK.isoformat()])
CONFIRM = reverse("entry_import_confirm", args=[WEEK.isoformat()])


@pytest.fixture
def two_plans(departments):
    econ, _safety = departments
    q4 = make_indicator(econ, "invest", name="固定资产投资")
    plan = Plan.objects.create(
        code="2022q1",
        title="郑东新区2022年第一季度目标任务",
        start=date(2022, 1, 1),
        end=date(2022, 3, 31),
        status=Plan.Status.PUBLISHED,
    )
    goal = Goal.objects.create(plan=plan, code="line", name="工作线", level=Goal.Level.LINE)
    q1 = make_indicator(
        econ, "invest", name="固定资产投资", goal=goal, plan_start=plan.start, plan_end=plan.end
    )
    draft = Plan.objects.create(code="draft", title="草稿", start=date(2022, 1, 1), end=date(2022, 3, 31))
    draft_goal = Goal.objects.create(plan=draft, code="line", name="工作线", level=Goal.Level.LINE)
    make_indicator(econ, "draft-only", goal=draft_goal, plan_start=draft.start, plan_end=draft.end)
    return q4, q1


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_week_lists_both_plans_indicators_never_a_drafts(client, clerk, two_plans):
    q4, q1 = two_plans
    client.force_login(clerk)
    rows = client.get(reverse("entry_week", args=[WEEK.isoformat()])).context["rows"]
    assert [row.indicator.pk for row in rows] == [q4.pk, q1.pk]
    # Each takes figures only on its own plan's days.
    q4_open = [cell.day.day for cell in rows[0].cells if cell.editable]
    q1_open = [cell.day.day for cell in rows[1].cells if cell.editable]
    assert (q4_open, q1_open) == ([27, 28, 29, 30, 31], [1, 2])
    # A week inside one plan lists that plan's indicator only.
    rows = client.get(reverse("entry_week", args=["2022-01-10"])).context["rows"]
    assert [row.indicator.pk for row in rows] == [q1.pk]


def test_the_template_and_the_import_keep_the_two_rows_apart(client, clerk, two_plans):
    q4, q1 = two_plans
    client.force_login(clerk)
    wb = load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    ws = wb.active
    assert (ws["A2"].value, ws["A3"].value) == ("invest", "invest")
    assert (ws["K2"].value, ws["K3"].value) == (q4.pk, q1.pk)
    assert ws.column_dimensions["K"].hidden
    ws["E2"] = 1.5  # Q4, Tuesday 28 December
    ws["I3"] = 2  # Q1, Saturday 1 January
    response = client.post(IMPORT, {"file": SimpleUploadedFile("week.xlsx", to_bytes(wb))})
    assert response.status_code == 200
    response = client.post(CONFIRM, {"token": response.context["token"]})
    assert response.status_code == 302
    assert {(e.indicator_id, e.date, e.value) for e in Entry.objects.all()} == {
        (q4.pk, date(2021, 12, 28), Decimal("1.5")),
        (q1.pk, date(2022, 1, 1), Decimal("2")),
    }


def test_a_sheet_without_ids_must_not_guess_which_plan_a_repeated_code_means(client, clerk, two_plans):
    client.force_login(clerk)
    wb = load_workbook(io.BytesIO(client.get(TEMPLATE).content))
    ws = wb.active
    ws["K2"] = ws["K3"] = None
    ws["E2"] = 1.5
    page = client.post(IMPORT, {"file": SimpleUploadedFile("week.xlsx", to_bytes(wb))}).content.decode()
    assert "第2行 A列：指标代码“invest”本周属于两个工作计划" in page
    assert not Entry.objects.exists()
    # An id that is not this row's indicator is refused too.
    ws["K2"] = Indicator.objects.get(code="draft-only").pk
    page = client.post(IMPORT, {"file": SimpleUploadedFile("week.xlsx", to_bytes(wb))}).content.decode()
    assert "第2行 A列：K列的指标ID与指标代码“invest”不符" in page
    assert not Entry.objects.exists()


def test_a_week_inside_one_plan_still_reads_a_sheet_by_code(client, clerk, two_plans):
    _q4, q1 = two_plans
    client.force_login(clerk)
    monday = date(2022, 1, 10)
    wb = load_workbook(io.BytesIO(client.get(reverse("entry_template", args=[monday.isoformat()])).content))
    ws = wb.active
    ws["K2"] = None
    ws["D2"] = 3
    parsed = imports.read_upload(to_bytes(wb), q1.department, monday)
    assert parsed.errors == []
    assert [(row.indicator.pk, row.date, row.value) for row in parsed.rows if row.value] == [
        (q1.pk, monday, "3")
    ]
