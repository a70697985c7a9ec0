"""A plan as an XLSX 目标任务分解表: written for people (序号, 工作任务, 指标, 目标值, 单位,
比较符, 责任单位, 完成时限, 填报频次) with the columns a round trip needs after them
(codes, kind, dates, range, ratio parts, month weights), and read back for
``services.plan_import``.

Row 1 is the plan's title, row 2 the headers (found by name, so columns may be moved),
data from row 3. An upload is checked like the week import (``targets.entry.imports``):
size, ZIP structure and declared sizes, then a streaming count of rows and cells that
stops past the caps, all before openpyxl opens it (defusedxml hardens its XML); openpyxl
then reads it once, ``read_only``, never evaluating a formula (a formula cell is an
error). Every error names its cell in Chinese; at most ``MAX_ERRORS`` are listed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from targets.entry.imports import (
    MAX_COLUMNS,
    MAX_ERRORS,
    ImportRefused,
    _open,
    add_error,
    check_sheet_shape,
    check_zip,
)
from targets.models import Plan
from targets.reporting.exports import FORMULA_PREFIXES

from . import services
from .services import COLUMNS, HEADERS, ImportRow

TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
# A plan has a few hundred indicators; a sheet longer than this is not a plan.
MAX_INDICATOR_ROWS = 2000
ROW_MARGIN = 50
MAX_ROWS = MAX_INDICATOR_ROWS + FIRST_ROW + ROW_MARGIN
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The columns people read, shaded; the round-trip columns after them in grey.
READ_COLUMNS = 9


def _safe(text: str) -> str:
    """Text that never starts a formula in Excel or WPS (CWE-1236): a leading apostrophe,
    also before a leading apostrophe, so that reading it back strips exactly one."""
    text = str(text)
    if text.startswith((*FORMULA_PREFIXES, "'")):
        return "'" + text
    return text


def _number(value: Decimal | None):
    """A figure as a number when a spreadsheet keeps it exactly, else as text."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    return f"{value:f}"


def goal_path(goal) -> list:
    """The goal and its ancestors, top first."""
    chain = []
    while goal is not None:
        chain.append(goal)
        goal = goal.parent
    return chain[::-1]


def plan_rows(plan: Plan) -> list[dict]:
    """Every indicator of the plan as the sheet's cells by column key."""
    goals = {g.pk: g for g in plan.goals.all()}
    for g in goals.values():
        g.parent = goals.get(g.parent_id)
    cadence = dict(services.cadence_choices())
    rows = []
    indicators = plan.indicators.select_related("department", "numerator", "denominator").order_by(
        "order", "code"
    )
    for seq, ind in enumerate(indicators, 1):
        path = goal_path(goals[ind.goal_id])
        rows.append(
            {
                "seq": seq,
                "task": services.PATH_SEPARATOR.join(g.name for g in path),
                "name": ind.name,
                "target": ind.target_value,
                "unit": ind.unit,
                "op": services.OP_SYMBOLS[ind.target_op],
                "department": ind.department.name,
                "plan_end": ind.plan_end,
                "cadence": str(cadence.get(getattr(ind, "cadence", ""), "")),
                "code": ind.code,
                "task_code": "/".join(g.code for g in path),
                "kind": ind.get_kind_display(),
                "plan_start": ind.plan_start,
                "tracking_start": ind.tracking_start,
                "decimals": ind.decimals,
                "min_value": ind.min_value,
                "max_value": ind.max_value,
                "numerator": ind.numerator.code if ind.numerator else "",
                "denominator": ind.denominator.code if ind.denominator else "",
                "weights": services.weights_text(ind.monthly_weights),
                "name_en": ind.name_en,
            }
        )
    return rows


def build(plan: Plan) -> bytes:
    """The plan's 目标任务分解表 as XLSX bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("目标任务分解表")
    ws.cell(row=TITLE_ROW, column=1, value=_safe(f"{plan.title} 目标任务分解表")).font = Font(
        bold=True, size=14
    )
    grey = PatternFill("solid", fgColor="EEEEEE")
    for column, (_key, header) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        if column > READ_COLUMNS:
            cell.fill = grey
    for offset, row in enumerate(plan_rows(plan)):
        line = FIRST_ROW + offset
        for column, (key, _header) in enumerate(COLUMNS, 1):
            value = row[key]
            if isinstance(value, Decimal):
                value = _number(value)
            elif isinstance(value, str):
                value = _safe(value) if value else None
            cell = ws.cell(row=line, column=column, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if key == "task":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"seq": 6, "task": 36, "name": 40, "department": 18, "plan_end": 12, "code": 28, "task_code": 16}
    for column, (key, _header) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(column)].width = widths.get(key, 12)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_name(plan: Plan) -> str:
    return f"plan-{plan.code}.xlsx"


def cell_name(row: int, column: int) -> str:
    return _("第%(row)d行 %(col)s列") % {"row": row, "col": get_column_letter(column)}


@dataclass
class ParsedPlanSheet:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # column key → column number

    def add_error(self, message: str) -> None:
        add_error(self.errors, message)

    @property
    def full(self) -> bool:
        return len(self.errors) > MAX_ERRORS

    def where(self, line: int, key: str) -> str:
        column = self.columns.get(key)
        header = HEADERS.get(key, "")
        if column is None:
            return _("第%(row)d行") % {"row": line}
        return f"{cell_name(line, column)}（{header}）"


def _cell(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        if not value.strip():
            return None
        if value.startswith("'") and value[1:].startswith((*FORMULA_PREFIXES, "'")):
            return value[1:]  # the export's own neutralised text (``_safe``)
    return value


def read(data: bytes) -> ParsedPlanSheet:
    """The rows of an uploaded 目标任务分解表, with layout errors naming the cell. Raises
    ``ImportRefused`` for a file refused as a whole (too big, not XLSX, too many rows or
    columns, headers missing)."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("文件超过 %(mb)d MB，请上传本计划的目标任务分解表。")
            % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    check_zip(data)
    too_many = _("表格行数超过上限：目标任务分解表最多 %(n)d 个指标行。") % {"n": MAX_INDICATOR_ROWS}
    check_sheet_shape(data, rows=MAX_ROWS, message=too_many)
    wb = _open(data, data_only=False)
    parsed = ParsedPlanSheet()
    try:
        ws = wb.worksheets[0]
        if ws.max_column is not None and ws.max_column > MAX_COLUMNS:
            raise ImportRefused(_("表格列数超过上限（最多 %(n)d 列）。") % {"n": MAX_COLUMNS})
        if ws.max_row is not None and ws.max_row > MAX_ROWS:
            raise ImportRefused(too_many)
        rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS)
        next(rows, None)  # the title
        header = [str(c.value or "").strip() for c in next(rows, None) or ()]
        by_header = {text: column for column, text in enumerate(header, 1) if text}
        missing = [h for key, h in COLUMNS if h not in by_header and key != "seq"]
        if missing:
            raise ImportRefused(
                _("第%(row)d行缺少表头：%(names)s。请使用本页导出的目标任务分解表。")
                % {"row": HEADER_ROW, "names": "、".join(missing)}
            )
        parsed.columns = {key: by_header[h] for key, h in COLUMNS if h in by_header}
        for line, cells in enumerate(rows, FIRST_ROW):
            if line > MAX_ROWS:
                raise ImportRefused(too_many)
            if parsed.full:
                continue
            by_column = {c.column: c for c in cells if getattr(c, "column", None)}
            values, formula = {}, False
            for key, column in parsed.columns.items():
                cell = by_column.get(column)
                if cell is None:
                    continue
                if getattr(cell, "data_type", None) == "f":
                    parsed.add_error(
                        _("%(cell)s：含公式，系统不计算公式，请改为直接填写。")
                        % {"cell": parsed.where(line, key)}
                    )
                    formula = True
                    continue
                values[key] = _cell(cell.value)
            if formula:
                continue
            if all(values.get(key) is None for key in values if key != "seq"):
                continue  # an empty row
            parsed.rows.append(ImportRow(line, values))
    finally:
        wb.close()
    return parsed


@dataclass
class Preview:
    results: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list:
        return [r for r in self.results if r.action != "same"]


def preview(*, user, plan: Plan, parsed: ParsedPlanSheet, reason: str = "") -> Preview:
    """What the sheet would change: a dry run of ``services.plan_import`` (the same checks
    as the real import), errors mapped to the sheet's cells."""
    result = Preview(errors=list(parsed.errors))
    if result.errors:
        return result
    try:
        result.results = services.plan_import(
            user=user, plan=plan, rows=parsed.rows, reason=reason or "-", dry_run=True
        )
    except services.PlanRejected as exc:
        for key, messages in sorted(exc.errors.items(), key=_error_order):
            where = parsed.where(*key) if key != services.ALL else ""
            for message in messages:
                add_error(result.errors, f"{where}：{message}" if where else message)
    return result


def _error_order(item):
    key = item[0]
    if key == services.ALL:
        return (0, 0, 0)
    line, column = key
    order = [k for k, _h in COLUMNS]
    return (1, line, order.index(column) if column in order else 99)


def rows_for_session(parsed: ParsedPlanSheet) -> list:
    """The rows as JSON-safe lists for the session until confirmed."""
    return [[row.line, {k: _jsonable(v) for k, v in row.cells.items()}] for row in parsed.rows]


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def rows_from_session(rows: list) -> list[ImportRow]:
    return [ImportRow(line, cells) for line, cells in rows]
