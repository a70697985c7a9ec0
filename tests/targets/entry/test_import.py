"""The week as XLSX: template download, upload checks, preview, confirm."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from targets import services
from targets.entry import imports
from targets.models import AuditEvent, Entry
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

MON, TUE = WEEK, WEEK + timedelta(days=1)
TEMPLATE = reverse("entry_template", args=[WEEK.isoformat()])
IMPORT = reverse("entry_import", args=[WEEK.isoformat()])
CONFIRM = reverse("entry_import_confirm", args=[WEEK.isoformat()])


def template_book(client):
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


def to_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="week.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def test_it_offers_the_week_prefilled_as_xlsx(client, clerk, indicators):
    invest, signed, _ = indicators
    services.record_entries(user=clerk, rows=[EntryInput(invest, TUE, "1.25")])
    client.force_login(clerk)
    ws = template_book(client).active
    assert [c.value for c in ws[1]][:4] == ["指标代码", "指标名称", "单位", "2021-10-11"]
    assert (ws["A2"].value, ws["B2"].value, ws["E2"].value) == ("invest", "固定资产投资（每日）", 1.25)
    assert ws["A3"].value == "signed"
    assert all(ws.cell(row=r, column=1).value != "hazards" for r in range(1, ws.max_row + 1))


def test_it_previews_then_saves_an_upload(client, clerk, indicators):
    invest, signed, _ = indicators
    services.record_entries(user=clerk, rows=[EntryInput(invest, TUE, "1.25")])
    client.force_login(clerk)
    wb = template_book(client)
    ws = wb.active
    ws["D2"] = 2.5  # invest, Monday: new
    ws["E2"] = None  # invest, Tuesday: removed
    ws["F3"] = 4  # signed, Wednesday: new
    response = upload(client, to_bytes(wb))
    assert response.status_code == 200
    page = response.content.decode()
    assert "第2行 D列" in page and "第2行 E列" in page and "第3行 F列" in page
    assert "删除" in page and "新增" in page
    assert Entry.objects.get().value == Decimal("1.25")  # nothing saved yet
    token = response.context["token"]
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 302
    assert {(e.indicator_id, e.date, e.value) for e in Entry.objects.all()} == {
        (invest.pk, MON, Decimal("2.5")),
        (signed.pk, WEEK + timedelta(days=2), Decimal("4")),
    }
    assert Entry.history.filter(history_change_reason__startswith="XLSX导入").exists()
    assert AuditEvent.objects.filter(action="import", detail__filename="week.xlsx").exists()
    # The token is single-use.
    assert client.post(CONFIRM, {"token": token}).status_code == 302
    assert Entry.objects.count() == 2


def test_it_names_row_and_column_of_each_bad_cell_and_saves_nothing(client, clerk, indicators):
    client.force_login(clerk)
    wb = template_book(client)
    ws = wb.active
    ws["D2"] = 1.5
    ws["E3"] = "１２万"
    ws["G3"] = 2.5  # signed takes whole numbers
    ws["H2"] = "=D2*2"
    response = upload(client, to_bytes(wb))
    assert response.status_code == 400
    page = response.content.decode()
    assert "第2行 H列：含公式" in page
    ws["H2"] = None
    page = upload(client, to_bytes(wb)).content.decode()
    assert "第3行 E列：“１２万”不是数字" in page
    assert "第3行 G列：应为整数" in page
    assert "确认导入" not in page
    assert not Entry.objects.exists()


def test_it_refuses_rows_of_another_department(client, clerk, indicators):
    client.force_login(clerk)
    wb = template_book(client)
    ws = wb.active
    ws["A4"], ws["D4"] = "hazards", 3
    response = upload(client, to_bytes(wb))
    assert "第4行 A列：指标代码“hazards”不属于本单位" in response.content.decode()
    assert not Entry.objects.exists()


def test_it_refuses_a_sheet_of_another_week(client, clerk, indicators):
    client.force_login(clerk)
    wb = template_book(client)
    wb.active["D1"] = "2021-10-18"
    response = upload(client, to_bytes(wb))
    assert response.status_code == 400
    assert "第1行 D列 应为日期 2021-10-11" in response.content.decode()


def test_it_refuses_files_over_5_mb_and_non_xlsx(client, clerk, indicators, settings):
    client.force_login(clerk)
    response = upload(client, b"name,value\n" * 10, "week.csv")
    assert response.status_code == 400
    assert "不是 XLSX 文件" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(client, to_bytes(template_book(client)))
    assert response.status_code == 400
    assert "文件超过" in response.content.decode()


def test_it_refuses_a_zip_bomb_before_opening_it(client, clerk, indicators, monkeypatch):
    opened = []
    monkeypatch.setattr(imports, "load_workbook", lambda *a, **k: opened.append(1))
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)  # 50 MB in production
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    data = bomb.getvalue()
    assert len(data) < 64 * 1024  # small on the wire
    client.force_login(clerk)
    response = upload(client, data)
    assert response.status_code == 400
    assert "解压后过大" in response.content.decode()
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(imports.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"x/{n}.xml", "")
    assert "内含文件过多" in upload(client, many.getvalue()).content.decode()
    assert opened == []


def test_it_gives_a_conflict_when_a_figure_changed_between_preview_and_confirm(
    client, clerk, manager, indicators
):
    invest = indicators[0]
    client.force_login(clerk)
    wb = template_book(client)
    wb.active["D2"] = 2
    token = upload(client, to_bytes(wb)).context["token"]
    services.record_entries(user=manager, rows=[EntryInput(invest, MON, "3")])
    response = client.post(CONFIRM, {"token": token}, follow=True)
    assert "导入未保存" in response.content.decode()
    assert Entry.objects.get().value == Decimal("3")


def test_it_forbids_importing_for_another_department(client, clerk, indicators):
    client.force_login(clerk)
    assert client.get(IMPORT + "?dept=safety").status_code == 403
    assert client.get(TEMPLATE + "?dept=safety").status_code == 403


def test_it_reads_a_sheet_written_by_hand(clerk, indicators):
    invest, signed, _ = indicators
    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "名称", "单位"] + [(WEEK + timedelta(days=d)).isoformat() for d in range(7)])
    ws.append(["invest", "", "", "0.1", 1.1, None, "  ", 3])
    parsed = imports.read_upload(to_bytes(wb), invest.department, WEEK)
    values = {(r.indicator.code, r.date): r.value for r in parsed.rows}
    assert values[("invest", MON)] == "0.1"
    assert values[("invest", TUE)] == "1.1"
    assert values[("invest", WEEK + timedelta(days=2))] is None
    assert values[("invest", WEEK + timedelta(days=3))] is None
    assert parsed.cells[(invest.pk, WEEK + timedelta(days=4))] == "第2行 H列"
