"""The week as an XLSX sheet: a pre-filled template to download, and an upload read
back into ``EntryInput`` rows for ``services.record_entries``.

Sheet layout (row 1 is the header): A 指标代码, B 指标名称, C 单位, D…J the seven days
of the week as ISO dates (Monday first). One row per indicator. An empty day cell means
"no figure for that day" (an existing figure is removed, shown as such in the preview).

An upload is checked as a ZIP before openpyxl sees it: its size (IMPORT_MAX_BYTES),
its number of members and their declared uncompressed size (zip bombs), and the
members an XLSX must have. openpyxl then reads it with ``read_only=True,
data_only=True`` (defusedxml is installed, so its XML parsing is hardened). Formulas are
never evaluated: a formula cell is reported as an error (a second read-only pass with
``data_only=False`` finds them; with ``data_only=True`` openpyxl would hand back the
value Excel last cached, which nobody can check).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from targets.models import Entry, Indicator
from targets.periods import week_days
from targets.services import EntryInput

FIRST_DAY_COLUMN = 4  # D
HEADER_ROW = 1
# A week's sheet is a few KB; these limits are generous and still stop a zip bomb.
MAX_ZIP_MEMBERS = 200
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportRefused(Exception):
    """The file as a whole is refused (too big, not XLSX, wrong layout): one message."""


@dataclass
class ParsedSheet:
    """What an upload asks for: the rows to record, where each came from in the sheet,
    and the cell errors found while reading (before any business validation)."""

    rows: list[EntryInput] = field(default_factory=list)
    cells: dict[tuple[int, date], str] = field(default_factory=dict)  # (ind id, day) → "D3"
    errors: list[str] = field(default_factory=list)


def cell_name(row: int, column: int) -> str:
    """Chinese cell reference as a clerk reads it: 第3行 D列."""
    return _("第%(row)d行 %(col)s列") % {"row": row, "col": get_column_letter(column)}


def entry_indicators(department):
    """The indicators a department enters figures for, in display order (ratios are
    computed from their parts, never entered)."""
    return (
        Indicator.objects.filter(department=department)
        .exclude(kind=Indicator.Kind.RATIO)
        .order_by("order", "code")
    )


def build_template(department, monday: date) -> bytes:
    """The week's sheet for ``department``, pre-filled with the saved figures. Days an
    indicator takes no figures on are greyed out."""
    days = week_days(monday)
    indicators = list(entry_indicators(department))
    saved = {
        (e.indicator_id, e.date): e.value
        for e in Entry.objects.filter(indicator__in=indicators, date__range=(days[0], days[-1]))
    }
    wb = Workbook()
    ws = wb.active
    ws.title = monday.isoformat()
    header = [_("指标代码"), _("指标名称"), _("单位")] + [d.isoformat() for d in days]
    ws.append(header)
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
    grey = PatternFill("solid", fgColor="DDDDDD")
    for ind in indicators:
        values = []
        for day in days:
            value = saved.get((ind.pk, day))
            values.append(value.normalize() if isinstance(value, Decimal) else value)
        ws.append([ind.code, ind.name, ind.unit] + [_cell_value(v) for v in values])
        row = ws.max_row
        for offset, day in enumerate(days):
            cell = ws.cell(row=row, column=FIRST_DAY_COLUMN + offset)
            if not ind.in_plan(day):
                cell.fill = grey
            cell.number_format = "0" if ind.decimals == 0 else "0." + "0" * min(ind.decimals, 4)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 36
    for offset in range(7):
        ws.column_dimensions[get_column_letter(FIRST_DAY_COLUMN + offset)].width = 12
    note_row = ws.max_row + 2
    ws.cell(
        row=note_row,
        column=1,
        value=_("说明：每行一个指标，D–J列为本周每天的数值；留空表示当天无数据；请勿填写公式。"),
    )
    ws.cell(row=note_row, column=1).alignment = Alignment(wrap_text=False)
    for offset, label in enumerate(WEEKDAYS_ZH):
        ws.cell(row=note_row + 1, column=FIRST_DAY_COLUMN + offset, value=label)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell_value(value):
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)  # openpyxl writes the shortest repr; read back exactly below


def check_zip(data: bytes) -> None:
    """Refuse what is not a small, sane XLSX before any XML parser sees it."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("文件超过 %(mb)d MB，请只上传本周的填报表。")
            % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused(_("不是 XLSX 文件：请上传从本页下载的 Excel 模板（.xlsx）。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise ImportRefused(_("文件结构异常（内含文件过多），已拒绝。"))
            if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
                raise ImportRefused(_("文件解压后过大，已拒绝。"))
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        raise ImportRefused(_("不是 XLSX 文件：请上传从本页下载的 Excel 模板（.xlsx）。")) from None
    if not all(name in names for name in REQUIRED_MEMBERS):
        raise ImportRefused(_("不是 XLSX 文件：请上传从本页下载的 Excel 模板（.xlsx）。"))


def _open(data: bytes, *, data_only: bool):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many types for a broken file
        raise ImportRefused(_("无法读取该 Excel 文件，请用模板重新填写后上传。")) from None


def _formula_cells(data: bytes) -> set[tuple[int, int]]:
    wb = _open(data, data_only=False)
    try:
        ws = wb.worksheets[0]
        found = set()
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    found.add((cell.row, cell.column))
        return found
    finally:
        wb.close()


def _raw_text(value) -> str | None:
    """A cell's value as text for ``parse_value``; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, datetime | date):
        return "#" + str(value)  # refused by parse_value as not a number
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same double: 1.1 → "1.1"
    text = str(value)
    return text if text.strip() else None


def read_upload(data: bytes, department, monday: date) -> ParsedSheet:
    """The rows an uploaded week sheet asks for (every indicator row, every day cell),
    with layout errors naming the row and column. Raises ImportRefused for a file that
    is refused as a whole."""
    check_zip(data)
    formulas = _formula_cells(data)
    wb = _open(data, data_only=True)
    parsed = ParsedSheet()
    days = week_days(monday)
    by_code = {ind.code: ind for ind in entry_indicators(department)}
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        for offset, day in enumerate(days):
            column = FIRST_DAY_COLUMN + offset
            got = header[column - 1] if len(header) >= column else None
            got_day = got.date() if isinstance(got, datetime) else got
            if got_day != day and str(got or "").strip() != day.isoformat():
                raise ImportRefused(
                    _("%(cell)s 应为日期 %(day)s：这不是本周（%(monday)s 起）的填报表。")
                    % {"cell": cell_name(HEADER_ROW, column), "day": day.isoformat(), "monday": monday}
                )
        seen: dict[str, int] = {}
        for row_number, values in enumerate(rows, start=HEADER_ROW + 1):
            code = str(values[0]).strip() if values and values[0] is not None else ""
            day_values = list(values[FIRST_DAY_COLUMN - 1 : FIRST_DAY_COLUMN - 1 + 7])
            if not code:
                if any(v is not None for v in day_values) and not _is_note_row(values):
                    parsed.errors.append(_("%(cell)s：缺少指标代码。") % {"cell": cell_name(row_number, 1)})
                continue
            if code not in by_code:
                if _is_note_row(values):
                    continue
                parsed.errors.append(
                    _("%(cell)s：指标代码“%(code)s”不属于本单位。")
                    % {"cell": cell_name(row_number, 1), "code": code[:40]}
                )
                continue
            if code in seen:
                parsed.errors.append(
                    _("%(cell)s：指标“%(code)s”与第%(first)d行重复。")
                    % {"cell": cell_name(row_number, 1), "code": code, "first": seen[code]}
                )
                continue
            seen[code] = row_number
            indicator = by_code[code]
            day_values += [None] * (7 - len(day_values))
            for offset, day in enumerate(days):
                column = FIRST_DAY_COLUMN + offset
                where = cell_name(row_number, column)
                if (row_number, column) in formulas:
                    parsed.errors.append(
                        _("%(cell)s：含公式，系统不计算公式，请改为直接填写数值。") % {"cell": where}
                    )
                    continue
                raw = _raw_text(day_values[offset])
                if raw is None and not indicator.in_plan(day):
                    continue
                parsed.rows.append(EntryInput(indicator=indicator, date=day, value=raw, note=None))
                parsed.cells[(indicator.pk, day)] = where
    finally:
        wb.close()
    return parsed


def _is_note_row(values) -> bool:
    """The template's own footer (说明 and weekday labels) is not data."""
    first = str(values[0] or "") if values else ""
    rest = [v for v in values[FIRST_DAY_COLUMN - 1 :] if v is not None]
    return first.startswith(_("说明")) or (not first and all(v in WEEKDAYS_ZH for v in rest))


@dataclass
class Change:
    """One cell an import will change: where it is in the sheet, old and new value."""

    indicator: Indicator
    date: date
    cell: str
    old: Decimal | None
    new: Decimal | None

    @property
    def old_text(self) -> str:
        return "" if self.old is None else f"{self.old.normalize():f}"

    @property
    def new_text(self) -> str:
        return "" if self.new is None else f"{self.new.normalize():f}"

    @property
    def action(self) -> str:
        if self.old is None:
            return _("新增")
        if self.new is None:
            return _("删除")
        return _("修改")


@dataclass
class Preview:
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    needs_confirmation: bool = False  # only outliers (> 5× the recent median) are in errors
    rows: list[list] = field(default_factory=list)  # what confirm will record (session-safe)


def preview(*, user, department, monday: date, parsed: ParsedSheet) -> Preview:
    """What an upload would change, validated by the same rules as a save (a dry run of
    ``record_entries``). Each row carries the version read now, so a figure changed
    between preview and confirm is a conflict, not an overwrite."""
    from targets import services

    result = Preview(errors=list(parsed.errors))
    days = week_days(monday)
    current = {
        (e.indicator_id, e.date): e
        for e in Entry.objects.filter(indicator__department=department, date__range=(days[0], days[-1]))
    }
    for row in parsed.rows:
        entry = current.get((row.indicator.pk, row.date))
        row.expected_version = entry.version if entry else None
    if result.errors:
        return result
    try:
        services.record_entries(user=user, rows=parsed.rows, source="import", dry_run=True)
    except services.EntryRejected as exc:
        for key, messages in exc.errors.items():
            where = parsed.cells.get(key, "") if key != services.ALL else ""
            for message in messages:
                result.errors.append(f"{where}：{message}" if where else message)
        if exc.code != "confirm":
            return result
        result.needs_confirmation = True
    for row in parsed.rows:
        entry = current.get((row.indicator.pk, row.date))
        new = services.parse_value(row.indicator, row.value) if row.value is not None else None
        old = entry.value if entry else None
        if old != new:
            result.changes.append(
                Change(row.indicator, row.date, parsed.cells[(row.indicator.pk, row.date)], old, new)
            )
            result.rows.append(
                [
                    row.indicator.pk,
                    row.date.isoformat(),
                    None if new is None else str(new),
                    row.expected_version,
                ]
            )
    return result


def rows_from_session(rows: list[list]) -> list[EntryInput]:
    """The confirmed rows back as ``EntryInput`` (validated again by record_entries)."""
    return [
        EntryInput(
            indicator=ind_id, date=date.fromisoformat(day), value=value, note=None, expected_version=version
        )
        for ind_id, day, value, version in rows
    ]
