"""One figure, four doors: figures a clerk enters through the entry service show the same
digits on the indicator page, in the API series, in the XLSX export and in the PDF report,
because all of them read the same roll-up rows."""

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import PeriodValue
from targets.services import EntryInput, record_entries
from tests.targets.dashboards.dashboard_fixtures import make_indicator, make_tree

# Four decimal places a day: any float drift in the sums would show in the last digit.
DAILY = [Decimal("1.2345"), Decimal("0.0001"), Decimal("2.7182"), Decimal("0.3333"), Decimal("1.1111")]


@pytest.fixture
def investment(departments, clerk, django_capture_on_commit_callbacks):
    tree = make_tree()
    indicator = make_indicator(
        "kp-investment",
        name="省市重点项目完成投资",
        unit="亿元",
        target="433.2",
        goal=tree["line"],
        department=tree["econ"],
        decimals=4,
        max_value=Decimal("100"),
    )
    rows = [
        EntryInput(indicator=indicator, date=date(2021, 10, 1) + timedelta(days=offset), value=str(value))
        for offset in range(31)
        for value in [DAILY[offset % len(DAILY)]]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        record_entries(user=clerk, rows=rows, confirm_outliers=True)
    return indicator


def expected_october() -> Decimal:
    return sum((DAILY[offset % len(DAILY)] for offset in range(31)), Decimal(0))


@pytest.mark.django_db
def test_it_shows_the_same_october_total_on_every_door(client, manager, investment):
    october = PeriodValue.objects.get(
        indicator=investment, period_type="month", period_start=date(2021, 10, 1)
    )
    assert october.actual == expected_october() == Decimal("33.6177")
    client.force_login(manager)

    series = client.get(
        f"/api/v1/indicators/{investment.pk}/series/",
        {"period": "month", "start": "2021-10-01", "end": "2021-10-31"},
    ).json()
    assert series[0]["actual"].rstrip("0").rstrip(".") == "33.6177"

    page = client.get(
        reverse("indicator_detail", args=[investment.pk]), {"period": "month", "as_of": "2021-10-31"}
    )
    assert "33.6177" in page.content.decode()

    export = client.get(
        reverse("indicator_detail", args=[investment.pk]),
        {"period": "month", "as_of": "2021-10-31", "_export": "xlsx"},
    )
    body = b"".join(export.streaming_content) if export.streaming else export.content
    sheet = load_workbook(io.BytesIO(body)).active
    header = [cell.value for cell in sheet[1]]
    first_month = next(sheet.iter_rows(min_row=2, values_only=True))
    assert Decimal(str(first_month[header.index("完成（亿元）")])) == Decimal("33.6177")


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_it_prints_the_same_cumulative_figure_in_the_month_report(client, manager, investment):
    client.force_login(manager)
    response = client.get("/reports/month/2021-10-01.pdf")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    ).stdout.decode()
    assert "33.6177 亿元" in text
