"""Hostile week sheets: small files that would tie a worker up (a sheet of millions of
empty rows, tens of thousands of bad rows, a dimension of the whole grid) are refused
quickly, with one clear message, and nothing is saved."""

import io
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from targets.entry import imports
from targets.models import Entry

from .entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

TEMPLATE = reverse("entry_template", args=[WEEK.isoformat()])
IMPORT = reverse("entry_import", args=[WEEK.isoformat()])
SHEET = "xl/worksheets/sheet1.xml"


def template_bytes(client) -> bytes:
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    return response.content


def with_sheet(xlsx: bytes, edit) -> bytes:
    """The same workbook with its sheet XML passed through ``edit(xml) -> xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == SHEET:
                data = edit(data.decode()).encode()
            dest.writestr(member.filename, data)
    return out.getvalue()


def empty_rows_after_data(count: int, *, dimension: bool = True):
    """Append ``count`` empty rows after the template's rows (optionally dropping the
    sheet's declared dimension, as a hand-made file would)."""

    def edit(xml: str) -> str:
        xml = xml.replace("</sheetData>", "<row/>" * count + "</sheetData>")  # each row numbered one on
        if not dimension:
            xml = re.sub(r"<dimension [^>]*>", "", xml)
        return xml

    return edit


def bad_rows(count: int):
    """Replace the indicator rows by ``count`` rows with an unknown code and a figure."""

    def edit(xml: str) -> str:
        header = re.search(r'<row r="1".*?</row>', xml).group(0)
        rows = "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>bad{n}</t></is></c><c r="D{n}"><v>1</v></c></row>'
            for n in range(2, 2 + count)
        )
        xml = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{header}{rows}</sheetData>", xml, flags=re.S)
        return re.sub(r"<dimension [^>]*>", "", xml)

    return edit


def upload(client, data: bytes):
    started = time.perf_counter()
    response = client.post(IMPORT, {"file": SimpleUploadedFile("week.xlsx", data)})
    return response, time.perf_counter() - started


def test_it_refuses_a_small_file_whose_sheet_is_megabytes_of_empty_rows(
    client, clerk, indicators, monkeypatch
):
    opened = []
    real_open = imports._open
    monkeypatch.setattr(imports, "_open", lambda *a, **k: opened.append(1) or real_open(*a, **k))
    client.force_login(clerk)
    data = with_sheet(template_bytes(client), empty_rows_after_data(8_000_000, dimension=False))
    assert len(data) < 200 * 1024  # small on the wire, 48 MB of sheet XML
    response, seconds = upload(client, data)
    assert response.status_code == 400
    assert "文件内容远超一周填报表的规模" in response.content.decode()
    assert opened == []  # refused from the ZIP directory, before any XML is parsed
    assert not Entry.objects.exists()
    assert seconds < 1.0, seconds  # loose: ≈ 0.05 s here


def test_it_stops_reading_at_the_departments_row_limit(client, clerk, indicators):
    client.force_login(clerk)
    # Empty rows only up to just under the member size limit, no declared dimension.
    data = with_sheet(template_bytes(client), empty_rows_after_data(150_000, dimension=False))
    response, seconds = upload(client, data)
    assert response.status_code == 400
    page = response.content.decode()
    limit = imports.max_rows(2)
    assert limit == 2 + 1 + imports.ROW_MARGIN
    assert f"表格行数超过上限：本单位每周最多 {limit} 行（2 个指标）" in page
    assert not Entry.objects.exists()
    assert seconds < 1.0, seconds


def test_it_refuses_a_declared_dimension_past_the_limits(client, clerk, indicators):
    client.force_login(clerk)
    xlsx = template_bytes(client)
    wide = with_sheet(xlsx, lambda xml: re.sub(r"<dimension [^>]*>", '<dimension ref="A1:XFD12"/>', xml))
    response, _ = upload(client, wide)
    assert response.status_code == 400
    assert "表格列数超过上限（最多 64 列）" in response.content.decode()
    tall = with_sheet(xlsx, lambda xml: re.sub(r"<dimension [^>]*>", '<dimension ref="A1:J1048576"/>', xml))
    response, _ = upload(client, tall)
    assert response.status_code == 400
    assert "表格行数超过上限" in response.content.decode()
    assert not Entry.objects.exists()


def test_it_refuses_thousands_of_bad_rows_with_a_short_page(client, clerk, indicators):
    client.force_login(clerk)
    for count, message in ((5_000, "表格行数超过上限"), (170_000, "文件内容远超一周填报表的规模")):
        data = with_sheet(template_bytes(client), bad_rows(count))
        response, seconds = upload(client, data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert len(response.content) < 50_000
        assert seconds < 1.0, seconds
    assert not Entry.objects.exists()


def test_it_lists_the_first_50_errors_and_says_more_were_left_out(client, clerk, indicators):
    client.force_login(clerk)
    count = imports.max_rows(2) - 1  # every data row the limit allows, each one wrong
    data = with_sheet(template_bytes(client), bad_rows(count))
    parsed = imports.read_upload(data, indicators[0].department, WEEK)
    assert parsed.rows_read == count + 1  # the header and every data row, nothing past them
    assert len(parsed.errors) == imports.MAX_ERRORS + 1
    assert parsed.errors[-1].startswith("…还有更多错误未列出")
    response, _ = upload(client, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "第2行 A列：指标代码“bad2”不属于本单位" in page
    assert f"第{imports.MAX_ERRORS + 2}行" not in page
    assert "…还有更多错误未列出" in page
    assert not Entry.objects.exists()


def test_it_still_reads_a_full_template_with_a_footer(client, clerk, indicators):
    client.force_login(clerk)
    data = template_bytes(client)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.max_row <= imports.max_rows(2)
    parsed = imports.read_upload(data, indicators[0].department, WEEK)
    assert parsed.errors == []
    assert {row.indicator.code for row in parsed.rows} == {"invest", "signed"}


def test_it_refuses_a_row_of_thousands_of_cells(client, clerk, indicators):
    client.force_login(clerk)

    def fat_row(xml: str) -> str:
        cells = "".join(f"<c><v>{n}</v></c>" for n in range(5_000))
        xml = re.sub(r"<dimension [^>]*>", "", xml)
        return xml.replace("</sheetData>", f'<row r="4">{cells}</row></sheetData>')

    response, seconds = upload(client, with_sheet(template_bytes(client), fat_row))
    assert response.status_code == 400
    assert "表格列数超过上限（最多 64 列）" in response.content.decode()
    assert seconds < 1.0, seconds


def test_it_refuses_a_cut_off_sheet_with_a_clear_message(client, clerk, indicators):
    client.force_login(clerk)
    data = with_sheet(template_bytes(client), lambda xml: xml[: len(xml) // 2])
    response, _ = upload(client, data)
    assert response.status_code == 400
    assert "无法读取该 Excel 文件" in response.content.decode()
    assert not Entry.objects.exists()


def test_it_writes_indicator_names_as_text_never_as_formulas(client, clerk, indicators):
    invest = indicators[0]
    invest.name = '=HYPERLINK("http://evil.example/","点击")'
    invest.unit = "+亿元"
    invest.save()
    client.force_login(clerk)
    data = template_bytes(client)
    ws = load_workbook(io.BytesIO(data)).active
    # The name carries its 填报频次 after it; the whole cell stays text.
    assert ws["B2"].data_type == "s" and ws["B2"].value == "'" + invest.name + "（每日）"
    assert ws["C2"].value == "'+亿元"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read(SHEET).decode()
    # The sheet still reads back.
    parsed = imports.read_upload(data, invest.department, WEEK)
    assert parsed.errors == []
