"""The plan as an XLSX 目标任务分解表: exported and imported again into a new plan it is
the same plan; a broken file gets per-cell errors and changes nothing; a huge file is
refused before openpyxl opens it; formulas never leave the product live."""

import io
import time
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from targets.entry.imports import ImportRefused
from targets.models import AuditEvent, Indicator, Plan
from targets.plans import services, xlsx

pytestmark = pytest.mark.django_db

HEADS = ["序号", "工作任务", "指标", "目标值", "单位", "比较符", "责任单位", "完成时限", "填报频次"]
FIELDS = (
    "name",
    "name_en",
    "unit",
    "kind",
    "target_value",
    "target_op",
    "department_id",
    "plan_start",
    "plan_end",
    "tracking_start",
    "decimals",
    "min_value",
    "max_value",
    "monthly_weights",
)


@pytest.fixture
def q4(db):
    call_command("seed_briefing", stdout=StringIO())
    plan = Plan.objects.get(code="2021q4")
    # Month and 旬 weights and a name that would be a formula in Excel, to travel too.
    Indicator.objects.filter(plan=plan, code="kp-investment").update(
        monthly_weights={
            "2021-10": "0.3",
            "2021-11": "0.35",
            "2021-11-1": "1",
            "2021-11-3": "2",
            "2021-12": "0.35",
        },
        name='=HYPERLINK("http://x")省市重点项目完成投资',
    )
    return plan


def upload(client, plan, data: bytes, **extra):
    return client.post(
        reverse("plans:import", kwargs={"plan_code": plan.code}),
        {"file": SimpleUploadedFile("plan.xlsx", data, content_type=xlsx.XLSX_CONTENT_TYPE), **extra},
    )


def snapshot(plan):
    """Every indicator's fields, goal path, parts and place in the plan's display order
    (the sheet lists them in that order; an import numbers them 1, 2, 3 …)."""
    rows = {}
    indicators = plan.indicators.select_related("goal", "numerator", "denominator").order_by("order", "code")
    for place, ind in enumerate(indicators):
        path = xlsx.goal_path(ind.goal)
        rows[ind.code] = (place, *(getattr(ind, name) for name in FIELDS)) + (
            tuple((g.code, g.name) for g in path),
            ind.numerator.code if ind.numerator else None,
            ind.denominator.code if ind.denominator else None,
        )
    return rows


def test_an_exported_plan_imported_into_a_new_plan_is_the_same_plan(client, manager, q4):
    client.force_login(manager)
    response = client.get(reverse("plans:export", kwargs={"plan_code": q4.code}))
    assert response.status_code == 200
    assert "plan-2021q4.xlsx" in response["Content-Disposition"]
    data = response.content
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]][:9] == [
        "序号",
        "工作任务",
        "指标",
        "目标值",
        "单位",
        "比较符",
        "责任单位",
        "完成时限",
        "填报频次",
    ]
    # The formula-looking name is text in Excel, never a live formula.
    names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert '\'=HYPERLINK("http://x")省市重点项目完成投资' in names

    target = services.plan_create(
        user=manager, title="导入的计划", kind=Plan.Kind.QUARTER, start=q4.start, end=q4.end
    )
    response = upload(client, target, data)
    assert response.status_code == 200, response.context["preview"].errors[:3]
    assert not target.indicators.exists()  # the preview saves nothing
    token = response.context["token"]
    response = client.post(
        reverse("plans:import_confirm", kwargs={"plan_code": target.code}), {"token": token}
    )
    assert response.status_code == 302
    assert snapshot(target) == snapshot(q4)
    assert AuditEvent.objects.filter(action="plan_import", target=target.code).exists()
    # And out again: the same sheet, cell for cell.
    again = load_workbook(io.BytesIO(xlsx.build(target))).active
    first = load_workbook(io.BytesIO(data)).active
    assert list(again.iter_rows(min_row=2, values_only=True)) == list(
        first.iter_rows(min_row=2, values_only=True)
    )


def test_importing_the_same_sheet_again_changes_nothing(client, manager, q4):
    client.force_login(manager)
    response = upload(client, q4, xlsx.build(q4))
    assert response.status_code == 200
    assert response.context["preview"].changed == []
    assert "无需导入" in response.content.decode()


def broken_file(plan) -> bytes:
    wb = load_workbook(io.BytesIO(xlsx.build(plan)))
    ws = wb.active
    ws["D3"] = "四百亿"  # 目标值
    ws["F4"] = "大于"  # 比较符
    ws["G5"] = "不存在局"  # 责任单位
    ws["H6"] = "2022-13-01"  # 完成时限
    ws["D7"] = "=1+1"  # a formula
    ws["J9"] = ws["J8"].value  # a duplicate code
    ws["D10"] = -5
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_broken_plan_file_gets_per_cell_errors_and_changes_nothing(client, manager, q4):
    client.force_login(manager)
    before = snapshot(q4)
    response = upload(client, q4, broken_file(q4))
    assert response.status_code == 200 or response.status_code == 400
    errors = response.context["preview"].errors
    assert any(e.startswith("第7行 D列（目标值）：含公式") for e in errors), errors
    assert "token" not in response.context
    # Fix the formula: every other cell is reported, by cell, in Chinese.
    wb = load_workbook(io.BytesIO(broken_file(q4)))
    wb.active["D7"] = 1
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, q4, out.getvalue(), reason="试导入")
    assert response.status_code == 400
    errors = response.context["preview"].errors
    text = "\n".join(errors)
    assert "第3行 D列（目标值）：“四百亿”不是数字" in text
    assert "第4行 F列（比较符）：比较符须为 =、≥ 或 ≈。" in text
    assert "第5行 G列（责任单位）：责任单位“不存在局”不存在。" in text
    assert "第6行 H列（完成时限）：“2022-13-01”不是日期" in text
    assert "第9行 J列（指标代码）：指标代码" in text and "与第8行重复" in text
    assert "第10行 D列（目标值）：目标值不能为负数。" in text
    assert "未导入任何内容" in response.content.decode()
    assert snapshot(q4) == before
    assert not AuditEvent.objects.filter(action__in=["plan_change", "plan_import"]).exists()


def test_at_most_fifty_errors_are_listed(manager, q4):
    wb = load_workbook(io.BytesIO(xlsx.build(q4)))
    ws = wb.active
    for row in range(3, ws.max_row + 1):
        ws.cell(row=row, column=4, value="x")
    out = io.BytesIO()
    wb.save(out)
    parsed = xlsx.read(out.getvalue())
    result = xlsx.preview(user=manager, plan=q4, parsed=parsed, reason="r")
    assert len(result.errors) == 51
    assert "还有更多错误未列出" in result.errors[-1]


def _with_sheet(data: bytes, sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item.filename, body)
    return out.getvalue()


def _sheet(rows: int, columns: int) -> bytes:
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(columns))
    body = "".join(f'<row r="{n}">{cells}</row>' for n in range(1, rows + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def test_huge_files_are_refused_quickly_before_openpyxl_reads_them(client, manager, q4, settings):
    base = xlsx.build(q4)
    started = time.monotonic()
    with pytest.raises(ImportRefused, match="行数超过上限"):
        xlsx.read(_with_sheet(base, _sheet(xlsx.MAX_ROWS + 500, 2)))
    with pytest.raises(ImportRefused, match="列数超过上限"):
        xlsx.read(_with_sheet(base, _sheet(3, 200)))
    # Past the member cap (a sheet of blank cells, compressing to almost nothing).
    with pytest.raises(ImportRefused, match="已拒绝"):
        xlsx.read(_with_sheet(base, _sheet(20000, 10)))
    assert time.monotonic() - started < 3
    with pytest.raises(ImportRefused, match="不是 XLSX"):
        xlsx.read(b"PK not really a zip")
    settings.IMPORT_MAX_BYTES = 1000
    client.force_login(manager)
    response = upload(client, q4, base)
    assert response.status_code == 400
    assert "文件超过" in response.content.decode()


def test_a_published_plans_import_needs_a_reason_and_is_audited(
    client, manager, q4, django_capture_on_commit_callbacks
):
    wb = load_workbook(io.BytesIO(xlsx.build(q4)))
    ws = wb.active
    (row,) = [r for r in range(3, ws.max_row + 1) if ws[f"J{r}"].value == "kp-investment"]
    code = ws[f"J{row}"].value
    ws[f"D{row}"] = 500
    out = io.BytesIO()
    wb.save(out)
    client.force_login(manager)
    response = upload(client, q4, out.getvalue())
    assert response.status_code == 400
    assert "修改须填写原因" in response.content.decode()
    response = upload(client, q4, out.getvalue(), reason="年中调整")
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(
            reverse("plans:import_confirm", kwargs={"plan_code": q4.code}),
            {"token": response.context["token"]},
        )
    assert len(callbacks) == 1
    assert q4.indicators.get(code=code).target_value == Decimal("500")
    event = AuditEvent.objects.get(action="plan_change")
    assert event.detail["reason"] == "年中调整"
    assert {"indicator": code, "field": "目标值", "old": "433.2", "new": "500"} in event.detail["changes"]
