"""The week as an XLSX sheet: a pre-filled template to download, and an upload read
back into ``EntryInput`` rows for ``services.record_entries``.

Sheet layout (row 1 is the header): A 指标代码, B 指标名称 (with its 填报频次), C 单位,
D…J the seven days of the week as ISO dates (Monday first), K (hidden) the indicator's id.
One row per indicator in force that week: a week crossing two plans may list a code twice
(one row per plan), and the id tells them apart. An indicator takes a figure only on the
days that end a period of its cadence (a weekly one on Sunday, a monthly one on the
month's last day; ``Indicator.takes_figure_on``): those cells are white, the others grey
and left empty. An empty white cell means "no figure for that period" (an existing figure
is removed, shown as such in the preview); an empty grey cell changes nothing (a figure
saved there before the cadence stays); a figure in a grey cell is refused, naming the cell
and the day it belongs on (``services.check_rows``).

An upload is checked as a ZIP before openpyxl sees it: its size (IMPORT_MAX_BYTES),
its number of members and their declared uncompressed size (zip bombs), and the
members an XLSX must have, and the size of each member: a week's sheet is a few
hundred rows of ten cells, so no part of it comes near ``MAX_MEMBER_BYTES`` (openpyxl
parses about 2 MB of sheet XML a second, and a sheet without a declared dimension is
parsed once more on opening). openpyxl then reads it once with ``read_only=True,
data_only=False`` (defusedxml is installed, so its XML parsing is hardened): no more
rows than the department's indicators need (``max_rows``), never past column J, and
the sheet's declared dimension is checked first. Formulas are never evaluated: a formula
cell is reported as an error (with ``data_only=True`` openpyxl would hand back the value
Excel last cached, which nobody can check). At most ``MAX_ERRORS`` errors are listed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from targets.models import Entry, Indicator, Plan
from targets.periods import week_days
from targets.reporting.exports import FORMULA_PREFIXES, neutralise
from targets.services import EntryInput

FIRST_DAY_COLUMN = 4  # D
HEADER_ROW = 1
# A week's sheet is a few KB; these limits are generous and still stop a zip bomb.
MAX_ZIP_MEMBERS = 200
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
# One member (the sheet, its shared strings): 2,000 rows of ten cells are ≈ 0.6 MB.
MAX_MEMBER_BYTES = 1024 * 1024
# Rows of a sheet: the department's indicators, the header, the template's footer and
# room for a few blank or note rows; never more than MAX_ROWS. Columns: the template has
# ten (A–J); a declared dimension wider than MAX_COLUMNS is not a week's sheet.
ROW_MARGIN = 50
MAX_ROWS = 2000
MAX_COLUMNS = 64
LAST_COLUMN = FIRST_DAY_COLUMN + 6  # J
# K (hidden): the indicator's id, so a row is the same indicator when a week crossing two
# plans lists one code twice. A sheet without it is read by code alone.
ID_COLUMN = LAST_COLUMN + 1
# Errors listed for one upload; the rest are summed up in one line.
MAX_ERRORS = 50
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
    rows_read: int = 0  # sheet rows openpyxl handed over (header included)

    def add_error(self, message: str) -> None:
        add_error(self.errors, message)

    @property
    def full(self) -> bool:
        return len(self.errors) > MAX_ERRORS


def add_error(errors: list[str], message: str) -> None:
    """Append ``message`` unless ``MAX_ERRORS`` are listed already; the first error past
    the limit becomes the line saying more were left out."""
    if len(errors) < MAX_ERRORS:
        errors.append(message)
    elif len(errors) == MAX_ERRORS:
        errors.append(_("…还有更多错误未列出，请先改正以上错误后重新上传。"))


def max_rows(indicator_count: int) -> int:
    """The most rows a department's week sheet may have (header and footer included)."""
    return min(indicator_count + HEADER_ROW + ROW_MARGIN, MAX_ROWS)


def cell_name(row: int, column: int) -> str:
    """Chinese cell reference as a clerk reads it: 第3行 D列."""
    return _("第%(row)d行 %(col)s列") % {"row": row, "col": get_column_letter(column)}


def entry_indicators(department, monday: date | None = None):
    """The indicators a department enters figures for, in display order (ratios are
    computed from their parts, never entered). With ``monday``: those in force that week,
    across plans: of a published or closed plan whose period meets the week, or whose own
    plan dates meet it (a Q4 indicator that runs into the next year); a week crossing two
    plans lists both plans' indicators, the earlier plan's first (a code may then repeat)."""
    indicators = Indicator.objects.filter(department=department).exclude(kind__in=Indicator.COMPUTED_KINDS)
    if monday is not None:
        sunday = week_days(monday)[-1]
        plan_meets = Q(plan__start__lte=sunday, plan__end__gte=monday)
        own_dates_meet = Q(plan_start__lte=sunday, plan_end__gte=monday)
        indicators = indicators.exclude(plan__status=Plan.Status.DRAFT).filter(plan_meets | own_dates_meet)
    return indicators.order_by("plan__start", "plan__end", "plan_id", "order", "code")


def build_template(department, monday: date) -> bytes:
    """The week's sheet for ``department``, pre-filled with the saved figures of the days
    each indicator reports on. Days an indicator takes no figures on are greyed out."""
    days = week_days(monday)
    indicators = list(entry_indicators(department, monday))
    saved = {
        (e.indicator_id, e.date): e.value
        for e in Entry.objects.filter(indicator__in=indicators, date__range=(days[0], days[-1]))
    }
    wb = Workbook()
    ws = wb.active
    ws.title = monday.isoformat()
    header = [_("指标代码"), _("指标名称"), _("单位")] + [d.isoformat() for d in days] + [_("指标ID")]
    ws.append(header)
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
    grey = PatternFill("solid", fgColor="DDDDDD")
    for ind in indicators:
        values = []
        for day in days:
            value = saved.get((ind.pk, day)) if ind.takes_figure_on(day) else None
            values.append(value.normalize() if isinstance(value, Decimal) else value)
        # Names and units are typed by managers: never a live formula in a clerk's Excel.
        name = f"{ind.name}（{ind.get_cadence_display()}{_('，截至本期末') if ind.is_stock else ''}）"
        ws.append(
            [neutralise(ind.code), neutralise(name), neutralise(ind.unit)]
            + [_cell_value(v) for v in values]
            + [ind.pk]
        )
        row = ws.max_row
        for offset, day in enumerate(days):
            cell = ws.cell(row=row, column=FIRST_DAY_COLUMN + offset)
            if not ind.takes_figure_on(day):
                cell.fill = grey
            cell.number_format = "0" if ind.decimals == 0 else "0." + "0" * min(ind.decimals, 4)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 36
    for offset in range(7):
        ws.column_dimensions[get_column_letter(FIRST_DAY_COLUMN + offset)].width = 12
    ws.column_dimensions[get_column_letter(ID_COLUMN)].hidden = True
    note_row = ws.max_row + 2
    ws.cell(
        row=note_row,
        column=1,
        value=_(
            "说明：每行一个指标，D–J列为本周每天；每个指标按其填报频次每期填一个数，记在该期最后一天"
            "（白色格），灰色格不填；留空表示该期无数据；请勿填写公式。"
        ),
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
            if any(m.file_size > MAX_MEMBER_BYTES for m in members):
                raise ImportRefused(
                    _("文件内容远超一周填报表的规模（含大量空行或空单元格），已拒绝。请使用本页下载的模板。")
                )
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        raise ImportRefused(_("不是 XLSX 文件：请上传从本页下载的 Excel 模板（.xlsx）。")) from None
    if not all(name in names for name in REQUIRED_MEMBERS):
        raise ImportRefused(_("不是 XLSX 文件：请上传从本页下载的 Excel 模板（.xlsx）。"))


def check_sheet_shape(data: bytes, *, rows: int, message: str) -> None:
    """Count the rows and cells of every worksheet in a streaming pass that stops as soon
    as a sheet has more than ``rows`` rows or a row more than ``MAX_COLUMNS`` cells: so
    openpyxl, which parses a whole sheet without a declared dimension on opening, only
    ever sees a sheet of a week's size."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            seen_rows = cells = 0
            with archive.open(name) as source:
                try:
                    for _event, element in DefusedET.iterparse(source, events=("end",)):
                        tag = element.tag.rpartition("}")[2]
                        if tag == "c":
                            cells += 1
                            if cells > MAX_COLUMNS:
                                raise ImportRefused(
                                    _("表格列数超过上限（最多 %(n)d 列），请使用本页下载的模板。")
                                    % {"n": MAX_COLUMNS}
                                )
                        elif tag == "row":
                            seen_rows += 1
                            cells = 0
                            if seen_rows > rows:
                                raise ImportRefused(message)
                            element.clear()
                except (DefusedET.ParseError, DefusedXmlException):
                    raise ImportRefused(_("无法读取该 Excel 文件，请用模板重新填写后上传。")) from None


def _open(data: bytes, *, data_only: bool):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many types for a broken file
        raise ImportRefused(_("无法读取该 Excel 文件，请用模板重新填写后上传。")) from None


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
    is refused as a whole (too many rows or columns for the department's week)."""
    check_zip(data)
    indicators = list(entry_indicators(department, monday))
    by_id = {ind.pk: ind for ind in indicators}
    by_code: dict[str, list[Indicator]] = {}
    for ind in indicators:
        by_code.setdefault(ind.code, []).append(ind)
    limit = max_rows(len(indicators))
    too_many_rows = _(
        "表格行数超过上限：本单位每周最多 %(n)d 行（%(count)d 个指标），请使用本页下载的模板。"
    ) % {"n": limit, "count": len(indicators)}
    check_sheet_shape(data, rows=limit, message=too_many_rows)
    wb = _open(data, data_only=False)
    parsed = ParsedSheet()
    days = week_days(monday)
    try:
        ws = wb.worksheets[0]
        declared_rows, declared_columns = ws.max_row, ws.max_column  # the <dimension>, if any
        if declared_columns is not None and declared_columns > MAX_COLUMNS:
            raise ImportRefused(
                _("表格列数超过上限（最多 %(n)d 列），请使用本页下载的模板。") % {"n": MAX_COLUMNS}
            )
        if declared_rows is not None and declared_rows > limit:
            raise ImportRefused(too_many_rows)
        # One row past the limit, to tell a sheet that goes on from one that ends there
        # (openpyxl stops parsing there).
        rows = ws.iter_rows(min_row=1, max_row=limit + 1, max_col=ID_COLUMN)
        header = [cell.value for cell in next(rows, None) or ()]
        parsed.rows_read = 1
        for offset, day in enumerate(days):
            column = FIRST_DAY_COLUMN + offset
            got = header[column - 1] if len(header) >= column else None
            got_day = got.date() if isinstance(got, datetime) else got
            if got_day != day and str(got or "").strip() != day.isoformat():
                raise ImportRefused(
                    _("%(cell)s 应为日期 %(day)s：这不是本周（%(monday)s 起）的填报表。")
                    % {"cell": cell_name(HEADER_ROW, column), "day": day.isoformat(), "monday": monday}
                )
        seen: dict[int, int] = {}
        for row_number, cells in enumerate(rows, start=HEADER_ROW + 1):
            parsed.rows_read += 1
            values = [cell.value for cell in cells]
            if row_number > limit:  # the sheet has a row (even an empty one) past the limit
                raise ImportRefused(too_many_rows)
            if parsed.full:
                continue  # keep reading to the limit: a sheet too long is still refused
            formulas = {cell.column for cell in cells if getattr(cell, "data_type", None) == "f"}
            code = str(values[0]).strip() if values and values[0] is not None else ""
            if code.startswith("'") and code[1:].startswith(FORMULA_PREFIXES):
                code = code[1:]  # the template's own neutralised code
            day_values = list(values[FIRST_DAY_COLUMN - 1 : FIRST_DAY_COLUMN - 1 + 7])
            if not code:
                if any(v is not None for v in day_values) and not _is_note_row(values):
                    parsed.add_error(_("%(cell)s：缺少指标代码。") % {"cell": cell_name(row_number, 1)})
                continue
            if code not in by_code:
                if _is_note_row(values):
                    continue
                parsed.add_error(
                    _("%(cell)s：指标代码“%(code)s”不属于本单位。")
                    % {"cell": cell_name(row_number, 1), "code": code[:40]}
                )
                continue
            indicator = _row_indicator(values, code, by_id, by_code)
            if isinstance(indicator, str):
                parsed.add_error(f"{cell_name(row_number, 1)}：{indicator}")
                continue
            if indicator.pk in seen:
                parsed.add_error(
                    _("%(cell)s：指标“%(code)s”与第%(first)d行重复。")
                    % {"cell": cell_name(row_number, 1), "code": code, "first": seen[indicator.pk]}
                )
                continue
            seen[indicator.pk] = row_number
            day_values += [None] * (7 - len(day_values))
            for offset, day in enumerate(days):
                column = FIRST_DAY_COLUMN + offset
                where = cell_name(row_number, column)
                if column in formulas:
                    parsed.add_error(
                        _("%(cell)s：含公式，系统不计算公式，请改为直接填写数值。") % {"cell": where}
                    )
                    continue
                raw = _raw_text(day_values[offset])
                if raw is None and not indicator.takes_figure_on(day):
                    continue  # a grey cell left empty: nothing to change there
                parsed.rows.append(EntryInput(indicator=indicator, date=day, value=raw, note=None))
                parsed.cells[(indicator.pk, day)] = where
    finally:
        wb.close()
    return parsed


def _row_indicator(values, code: str, by_id: dict, by_code: dict) -> Indicator | str:
    """The indicator of a sheet row: by its id (column K, the template's) when given, which
    must name an indicator of this week with the row's code; else by its code, which must
    then name one indicator only. A message for the clerk otherwise."""
    raw = values[ID_COLUMN - 1] if len(values) >= ID_COLUMN else None
    if raw is not None and str(raw).strip():
        try:
            indicator = by_id.get(int(str(raw).strip()))
        except ValueError:
            indicator = None
        if indicator is None or indicator.code != code:
            return _("K列的指标ID与指标代码“%(code)s”不符，请使用本页下载的模板。") % {"code": code[:40]}
        return indicator
    found = by_code[code]
    if len(found) > 1:
        return _("指标代码“%(code)s”本周属于两个工作计划，请使用本页下载的模板（K列区分计划）。") % {
            "code": code[:40]
        }
    return found[0]


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
                add_error(result.errors, f"{where}：{message}" if where else message)
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
