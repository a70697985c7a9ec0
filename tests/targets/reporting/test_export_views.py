"""The dashboard's tables export what they show: XLSX cells equal the roll-up's
PeriodValue figures, CSV has a BOM and Chinese headers, managers only; and a manager
clicks the export button in a real browser and receives the file."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import KeyProject
from targets import rollups
from targets.models import AuditEvent, PeriodValue, Submission
from tests.conftest import screenshot
from tests.targets.dashboards.dashboard_fixtures import Q4, even, make_indicator, make_tree, roll_up
from tests.targets.entry.entry_helpers import indicators_fixture  # noqa: F401 (the `indicators` fixture)

AS_OF = date(2021, 11, 10)
SUBMITTED_ON_TIME = datetime(2021, 10, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def build_world():
    tree = make_tree()
    investment = make_indicator(
        "kp-investment",
        name="省市重点项目完成投资",
        unit="亿元",
        target="433.2",
        goal=tree["line"],
        department=tree["econ"],
        decimals=2,
    )
    roll_up(investment, even(Q4[0], AS_OF, "1.25"), until=AS_OF)
    project = KeyProject.objects.create(
        code="bigdata",
        name="=中原大数据产业园（一期）",  # a name that would be a formula in Excel
        level="city",
        annual_planned_investment=Decimal("40"),
        department=tree["econ"],
    )
    project.investment_indicator = investment
    project.save()
    return investment


@pytest.fixture
def investment(departments):
    return build_world()


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_it_exports_an_indicators_months_equal_to_the_rollup(client, manager, investment):
    client.force_login(manager)
    url = reverse("indicator_detail", args=[investment.pk])
    response = client.get(url, {"period": "month", "as_of": AS_OF.isoformat(), "_export": "xlsx"})
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert "省市重点项目完成投资_月_" in disposition
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["期间", "计划（亿元）", "完成（亿元）"]
    months = PeriodValue.objects.filter(indicator=investment, period_type="month").order_by("period_start")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == months.count() == 3
    for row, pv in zip(rows, months, strict=True):
        assert row[0] == f"2021年{pv.period_start.month}月"
        assert Decimal(str(row[1])).quantize(Decimal("0.0001")) == pv.planned
    october, november, december = rows
    assert october[2] == 38.75  # 31 October days × 1.25, a number, not text
    assert Decimal(str(october[4])) == months[0].cumulative_actual
    # November as it stood on the as-of date: its days so far and that day's cumulative.
    so_far = rollups.day_values([investment.id], date(2021, 11, 1), AS_OF)[investment.id]
    on_day = so_far[-1]
    assert on_day.period_start == AS_OF
    assert Decimal(str(november[2])) == sum(pv.actual for pv in so_far if pv.actual is not None)
    assert Decimal(str(november[4])) == on_day.cumulative_actual
    assert november[5] == PeriodValue.Status(on_day.status).label
    assert december[2] is None and december[4] is None and not december[5]  # not begun on 10 November
    assert sheet["C2"].number_format.startswith("#,##0")


@pytest.mark.django_db
def test_it_exports_key_projects_as_csv_with_a_bom_and_no_formula(client, manager, investment):
    client.force_login(manager)
    response = client.get("/projects/key/", {"as_of": AS_OF.isoformat(), "_export": "csv"})
    assert response.status_code == 200
    body = body_of(response)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "项目" and "完成投资（亿元）" in rows[0]
    assert rows[1][0] == "'=中原大数据产业园（一期）"
    assert rows[1][rows[0].index("完成投资（亿元）")] == "51.25"  # 41 days × 1.25
    assert "重点项目_" in unquote(response["Content-Disposition"])
    assert AuditEvent.objects.filter(action="export", user=manager, detail__format="csv").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "official"])
def test_it_refuses_table_exports_to_non_managers(client, request, who, investment):
    client.force_login(request.getfixturevalue(who))
    assert (
        client.get(reverse("indicator_detail", args=[investment.pk]), {"_export": "xlsx"}).status_code == 403
    )
    assert client.get("/projects/key/", {"_export": "csv"}).status_code == 403
    page = client.get(reverse("indicator_detail", args=[investment.pk])).content.decode()
    assert "导出 Excel" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_clicks_export_and_receives_the_workbook(
    page, live_server, login_page, departments, manager
):
    investment = build_world()
    login_page(manager)
    page.goto(f"{live_server.url}/targets/indicators/{investment.pk}/?period=month&as_of={AS_OF.isoformat()}")
    screenshot(page, "export-indicator-detail")
    with page.expect_download() as info:
        page.click("a.export-xlsx")
    download = info.value
    assert download.suggested_filename.startswith("省市重点项目完成投资_月_")
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as received:
        sheet = load_workbook(io.BytesIO(received.read())).active
    assert sheet["A1"].value == "期间"
    assert sheet["C2"].value == 38.75


@pytest.mark.django_db
def test_it_exports_the_timeliness_table_per_department(client, manager, clerk, indicators):
    econ = indicators[0].department
    Submission.objects.create(
        department=econ, week_start=date(2021, 9, 27), status="approved", submitted_at=SUBMITTED_ON_TIME
    )
    client.force_login(clerk)
    assert client.get(reverse("timeliness"), {"quarter": "2021-10-01", "_export": "xlsx"}).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("timeliness"), {"quarter": "2021-10-01"}).content.decode()
    assert "导出 Excel" in page and "_export=xlsx" in page
    response = client.get(reverse("timeliness"), {"quarter": "2021-10-01", "_export": "xlsx"})
    assert "报送及时率_2021年第四季度" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    assert [c.value for c in sheet[1]][:5] == ["责任单位", "应报周数", "按时", "逾期提交", "未报"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["经济发展局"][1] == 14 and rows["经济发展局"][2] == 1  # 14 weeks owed, numbers
    assert "2021-09-27 按时" in rows["经济发展局"][6]
