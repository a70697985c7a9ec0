"""The indicators list (goal tree and a department's page), the recovery page and the safety
page export what they show: XLSX cells equal the day's PeriodValue figures on the as-of
date, CSV has a BOM, managers only, the page's as-of date is respected."""

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import RecoveryProject, SafetyCampaign
from targets import rollups
from targets.models import AuditEvent, Department, Indicator, PeriodValue
from tests.conftest import screenshot
from tests.targets.dashboards.dashboard_fixtures import briefing_with_figures

AS_OF = date(2021, 11, 10)
EARLIER = date(2021, 10, 20)
PLACES = Decimal("0.0001")


@pytest.fixture
def briefing(db):
    return briefing_with_figures(AS_OF)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def workbook_rows(response) -> tuple[list, list[tuple]]:
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    header = [cell.value for cell in sheet[1]]
    return header, list(sheet.iter_rows(min_row=2, values_only=True))


def day_row(indicator: Indicator, day: date):
    """The day row a page reads on ``day`` (a plan that ended earlier is read on its last
    day), through ``rollups.day_values``."""
    days = rollups.day_values([indicator.id], day).get(indicator.id)
    return days[0] if days else None


def day_figure(indicator: Indicator, day: date) -> Decimal | None:
    pv = day_row(indicator, day)
    return None if pv is None else pv.cumulative_actual


def as_decimal(cell) -> Decimal:
    return Decimal(str(cell)).quantize(PLACES)


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [AS_OF, EARLIER])
def test_it_exports_every_indicator_with_its_rollup_on_the_as_of_date(client, manager, briefing, as_of):
    client.force_login(manager)
    page = client.get(reverse("goal_tree"), {"as_of": as_of.isoformat()}).content.decode()
    assert "导出 Excel" in page and "_export=xlsx" in page
    response = client.get(reverse("goal_tree"), {"as_of": as_of.isoformat(), "_export": "xlsx"})
    assert response.status_code == 200
    assert "指标进度_" in unquote(response["Content-Disposition"])
    header, rows = workbook_rows(response)
    assert header[:4] == ["编码", "目标任务", "指标", "单位"]
    assert "完成/计划（%）" in header
    col = {name: header.index(name) for name in ("编码", "累计完成", "累计计划", "目标", "状态")}
    by_code = {row[col["编码"]]: row for row in rows}
    assert len(rows) == Indicator.objects.count() == len(by_code)
    checked = 0
    for indicator in Indicator.objects.all():
        pv = day_row(indicator, as_of)
        row = by_code[indicator.code]
        if pv is None or pv.cumulative_actual is None:
            assert row[col["累计完成"]] is None
            continue
        assert isinstance(row[col["累计完成"]], int | float)  # a number, not text
        assert as_decimal(row[col["累计完成"]]) == pv.cumulative_actual.quantize(PLACES)
        pending = indicator.kind == "milestone" and pv.status == "none" and not pv.cumulative_actual
        label = "未到期" if pending and as_of <= indicator.plan_end else PeriodValue.Status(pv.status).label
        assert row[col["状态"]] == label  # a milestone still to come is not "no plan"
        checked += 1
    assert checked > 10
    investment = Indicator.objects.get(name="省市重点项目完成投资")
    shown = day_figure(investment, as_of)
    assert f"{shown:.{investment.decimals}f}" in page  # the page shows the exported figure
    assert by_code[investment.code][col["目标"]] == 433.2


@pytest.mark.django_db
def test_it_exports_only_the_departments_indicators(client, manager, briefing):
    department = Department.objects.filter(indicators__isnull=False).distinct().first()
    client.force_login(manager)
    url = reverse("department_detail", args=[department.code])
    assert "导出 Excel" in client.get(url, {"as_of": AS_OF.isoformat()}).content.decode()
    response = client.get(url, {"as_of": AS_OF.isoformat(), "_export": "csv"})
    body = body_of(response)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows[0]
    assert header[2] == "指标"
    codes = {row[0] for row in rows[1:]}
    assert codes == set(department.indicators.values_list("code", flat=True))
    assert f"{department.name}_指标进度_" in unquote(response["Content-Disposition"])


@pytest.mark.django_db
def test_it_exports_recovery_projects_with_their_progress_rollups(client, manager, briefing):
    client.force_login(manager)
    url = reverse("projects:recovery")
    page = client.get(url, {"as_of": AS_OF.isoformat()}).content.decode()
    assert "导出 Excel" in page
    response = client.get(url, {"as_of": AS_OF.isoformat(), "_export": "xlsx"})
    assert "灾后恢复重建_" in unquote(response["Content-Disposition"])
    header, rows = workbook_rows(response)
    assert header[:3] == ["领域", "项目/批次", "个数"]
    assert "投资（亿元）" in header and "申报债券（亿元）" in header
    by_name = {row[1]: row for row in rows}
    assert len(rows) == RecoveryProject.objects.count()
    done_col = header.index("完成")
    checked = 0
    for project in RecoveryProject.objects.prefetch_related("indicators"):
        row = by_name[project.name]
        assert row[0] == (project.field.name if project.field else "未分领域")
        assert row[2] == project.planned_count
        counted = [i for i in project.indicators.all() if i.kind in ("amount", "level")]
        if counted and day_figure(counted[0], AS_OF) is not None:
            figure = day_figure(counted[0], AS_OF)
            assert as_decimal(row[done_col]) == figure.quantize(PLACES)
            assert f"{figure:.{counted[0].decimals}f}{counted[0].unit}" in page  # as shown
            checked += 1
    assert checked >= 1
    csv_body = body_of(client.get(url, {"as_of": AS_OF.isoformat(), "_export": "csv"}))
    assert csv_body.startswith(b"\xef\xbb\xbf") and "项目/批次".encode() in csv_body


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [AS_OF, EARLIER])
def test_it_exports_safety_areas_with_found_rectified_rate_and_overdue(client, manager, briefing, as_of):
    client.force_login(manager)
    url = reverse("projects:safety")
    page = client.get(url, {"as_of": as_of.isoformat()}).content.decode()
    assert "导出 Excel" in page
    response = client.get(url, {"as_of": as_of.isoformat(), "_export": "xlsx"})
    assert "安全生产_" in unquote(response["Content-Disposition"])
    header, rows = workbook_rows(response)
    assert header[:3] == ["行动/领域", "类型", "责任单位"]
    assert {"检查（处）", "发现隐患（项）", "已整改（项）", "整改率（%）", "逾期（项）"} <= set(header)
    by_name = {row[0]: row for row in rows}
    assert len(rows) == SafetyCampaign.objects.count()
    for campaign in SafetyCampaign.objects.prefetch_related("indicators"):
        measures = {i.code.rsplit("-", 1)[1]: i for i in campaign.indicators.all()}
        found = day_figure(measures["found"], as_of)
        rectified = day_figure(measures["rectified"], as_of)
        row = by_name[campaign.name]
        assert as_decimal(row[header.index("发现隐患（项）")]) == found.quantize(PLACES)
        assert as_decimal(row[header.index("已整改（项）")]) == rectified.quantize(PLACES)
        assert as_decimal(row[header.index("检查（处）")]) == day_figure(measures["inspected"], as_of)
        assert as_decimal(row[header.index("逾期（项）")]) == day_figure(measures["overdue"], as_of)
        rate = row[header.index("整改率（%）")]
        assert abs(Decimal(str(rate)) - rectified / found * 100) < Decimal("0.0001")
        assert f"{rectified / found * 100:.1f}%" in page  # the page shows the same rate
    assert AuditEvent.objects.filter(action="export", user=manager, detail__format="xlsx").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "official"])
def test_it_refuses_these_exports_to_non_managers(client, request, who, departments):
    client.force_login(request.getfixturevalue(who))
    department = departments[0]
    for url in (
        reverse("goal_tree"),
        reverse("department_detail", args=[department.code]),
        reverse("projects:recovery"),
        reverse("projects:safety"),
    ):
        assert client.get(url, {"_export": "xlsx"}).status_code == 403
        assert client.get(url, {"_export": "csv"}).status_code == 403
        assert "导出 Excel" not in client.get(url).content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_sees_the_export_buttons_on_phone_and_desktop(page, live_server, login_page, manager):
    briefing_with_figures(AS_OF)
    login_page(manager)
    department = Department.objects.filter(indicators__isnull=False).order_by("code").first()
    pages = {
        "goal-tree": reverse("goal_tree"),
        "department": reverse("department_detail", args=[department.code]),
        "recovery": reverse("projects:recovery"),
        "safety": reverse("projects:safety"),
    }
    for width, suffix in ((1280, "desktop"), (375, "phone")):
        page.set_viewport_size({"width": width, "height": 800})
        for name, url in pages.items():
            page.goto(f"{live_server.url}{url}?as_of={AS_OF.isoformat()}")
            assert page.locator("a.export-xlsx").is_visible()
            # Nothing wider than the phone's screen but the scrollable tables.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, suffix, overflow)
            screenshot(page, f"export-{name}-{suffix}")
    with page.expect_download() as info:
        page.click("a.export-xlsx")
    download = info.value
    assert download.suggested_filename.startswith("安全生产_")
    with open(download.path(), "rb") as received:
        sheet = load_workbook(io.BytesIO(received.read())).active
    assert sheet["A1"].value == "行动/领域"
    assert sheet.max_row == SafetyCampaign.objects.count() + 1
