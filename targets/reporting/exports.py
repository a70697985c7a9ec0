"""Managers' table exports: any django-tables2 table to XLSX or CSV.

One code path for every table view: ``ManagerExportMixin`` (the same attributes as
``django_tables2.export.ExportMixin``, whose tablib path it never used) or, for function
views, ``export_table()``.

- Only managers and superusers may export (others get 403); every export is audited.
- Formula injection (CWE-1236): a text cell starting with ``= + - @``, tab, CR or NUL gets
  a leading ``'`` so Excel/WPS show it as text. Numbers stay numbers.
- XLSX: numeric cells with number formats, units in the headers, a frozen bold header row,
  column widths from the header and the first rows; written row by row into a temporary
  file, so memory stays bounded whatever the row count.
- CSV: UTF-8 with a BOM (Excel shows the Chinese), streamed row by row.
- File names in Chinese with the page's as-of date, RFC 5987 ``filename*=UTF-8''…`` plus an ASCII
  fallback for old clients.

Numbers: a column exports a number when its value is an ``int``, ``float`` or ``Decimal``.
When a table's ``render_<col>`` formats a number as text for the page, give it a
``value_<col>`` returning the Decimal, or the export gets the text. A column that knows the
places the page shows (``decimals_for(record)``, as ``NumberColumn`` does) gets them as its
XLSX number format (the cell keeps the exact figure) and is rounded to them in the CSV (text
has no format); other numbers are written with at most ``MAX_DECIMALS`` places in the CSV.
Markup never reaches a file: a cell whose value is HTML marked safe for the page (a status
pill, a link) is exported as its text.
Units: ``export_units = {"actual": "亿元"}`` on the view (or the table class) turns the
header "实际完成" into "实际完成（亿元）". ``export_number_formats = {"rate": "0.0%"}``
overrides a column's Excel number format.
"""

from __future__ import annotations

import csv
import math
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from itertools import chain, islice
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import columns as tables_columns
from django_tables2.utils import A

from targets import audit, clock, current, roles

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
TRIGGER_PARAM = "_export"

# Cells that Excel, WPS or LibreOffice would read as a formula (or DDE) when they lead.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
# Control characters XML 1.0 forbids (openpyxl refuses them): dropped from text cells.
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")
# Rows looked at to size columns and choose decimal places before streaming the rest.
SAMPLE_ROWS = 200
MAX_DECIMALS = 4
ITERATOR_CHUNK = 2000

RAW_COLUMNS = (tables_columns.DateColumn, tables_columns.DateTimeColumn, tables_columns.BooleanColumn)

Cell = str | int | float | Decimal | date | None


def can_export(user) -> bool:
    """Managers and superusers export; nobody else."""
    return roles.can(user, roles.EXPORT)


def neutralise(value: Cell) -> Cell:
    """Make one cell safe for a spreadsheet: text that would start a formula gets a leading
    apostrophe (CWE-1236); numbers, dates and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _decimals(value) -> int:
    """Decimal places a number needs to show exactly (0..MAX_DECIMALS)."""
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return min(max(-exponent, 0), MAX_DECIMALS) if isinstance(exponent, int) else 0
    if isinstance(value, float):
        return min(len(repr(value).partition(".")[2].rstrip("0")), MAX_DECIMALS)
    return 0


class Rounded(Decimal):
    """A figure rounded to the places the page shows: the CSV writes it with exactly
    those places ("98.0"), where other Decimals are written without trailing zeros."""


def shown(value, decimals: int) -> Decimal:
    """``value`` rounded as the page shows it: ``decimals`` places, half up (as Django's
    ``floatformat`` does)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def plain_text(value):
    """A cell's text without markup: HTML the table renders for the page (a status pill,
    a link) becomes its text; anything else passes unchanged."""
    if isinstance(value, SafeData):
        return unescape(strip_tags(str(value)))
    return value


def number_format(decimals: int) -> str:
    """Excel number format with thousands separators and ``decimals`` places."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _text_width(text: str) -> int:
    """Display width in Excel character units: CJK and full-width characters count 2."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """``attachment`` header with an RFC 5987 UTF-8 name and a plain ASCII fallback."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_fallback) or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def export_filenames(name: str, ascii_name: str, export_format: str, day: date | None = None) -> tuple:
    """("指标进度_2021-11-19.xlsx", "indicators_2021-11-19.xlsx"): Chinese name and ASCII
    fallback, both with ``day`` (default: the product's today, ``targets.clock``)."""
    day = day or clock.today()
    return f"{name}_{day.isoformat()}.{export_format}", f"{ascii_name}_{day.isoformat()}.{export_format}"


def _identity(bound_column, value=None):
    return value


def _plain(table, bound_column) -> bool:
    """A column whose export value is its raw value: no ``render_``/``value_`` method on
    the table, and a column class that shows the value as it is (dates and booleans are
    kept raw so the spreadsheet gets real dates and 是/否)."""
    name = bound_column.name
    if hasattr(table, "render_" + name) or hasattr(table, "value_" + name):
        return False
    column = bound_column.column
    if isinstance(column, RAW_COLUMNS):
        return True
    base = tables_columns.Column
    return type(column).render is base.render and type(column).value is base.value


def _fast_getter(model, bound_column):
    """A getattr chain for an accessor made only of concrete fields and forward
    foreign keys (``indicator__unit``), with choices shown by their label; None when the
    accessor is anything else (the general path handles it)."""
    bits = A(bound_column.accessor).bits
    field = None
    for i, bit in enumerate(bits):
        try:
            field = model._meta.get_field(bit)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many:
            return None
        if field.is_relation:
            if i == len(bits) - 1:
                return None  # a related object itself: let its __str__ speak (general path)
            model = field.related_model
    # Labels translated once, in the language of the request.
    labels = {key: str(label) for key, label in field.flatchoices} if field.choices else None
    empty = bound_column.column.empty_values

    def get(record):
        value = record
        for bit in bits:
            value = getattr(value, bit)
            if value is None:
                return None
        if labels is not None:
            value = labels.get(value, value)
        return None if value in empty else value

    return get


def _field_path(model, bound_column) -> tuple[str, dict | None] | None:
    """(ORM path, choice labels) for an accessor made of concrete fields and forward
    foreign keys ending on a value (``indicator__unit``); None otherwise."""
    bits = A(bound_column.accessor).bits
    field = None
    for i, bit in enumerate(bits):
        try:
            field = model._meta.get_field(bit)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many or (field.is_relation and i == len(bits) - 1):
            return None
        if field.is_relation:
            model = field.related_model
    labels = {key: str(label) for key, label in field.flatchoices} if field.choices else None
    return "__".join(bits), labels


def _values_rows(queryset: QuerySet, columns, paths) -> Iterator[list]:
    """Rows straight from ``values_list`` (no model instances): several times faster
    for large exports whose columns are all plain fields."""
    labelled = [(i, labels) for i, (_path, labels) in enumerate(paths) if labels is not None]
    empties = [column.column.empty_values for column in columns]
    fields = [path for path, _labels in paths]
    for values in queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK):
        row = list(values)
        for i, labels in labelled:
            row[i] = labels.get(row[i], row[i])
        for i, value in enumerate(row):
            if value in empties[i]:
                row[i] = None
        yield row


def table_rows(
    table, exclude_columns: Iterable[str] = (), *, rounded: bool = False
) -> tuple[list[str], list[str], Iterator[list]]:
    """The table's column names, headers and an iterator of value rows (all rows, the
    table's ordering and filters, no pagination). A queryset is read in chunks. With
    ``rounded``, figures of columns that know their displayed places are rounded to them.

    Values are what django-tables2's ``as_values()`` gives, without its per-cell
    signature inspection for plain columns (100,000 rows would take minutes)."""
    data = getattr(table, "data", None)
    model = queryset = None
    if data is not None and isinstance(getattr(data, "data", None), QuerySet):
        queryset = data.data
        model = queryset.model
        # Read in chunks instead of caching every model instance: bounded memory.
        data.data = queryset.iterator(chunk_size=ITERATOR_CHUNK)
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude_columns)
    ]
    names = [column.name for column in columns]
    headers = [force_str(column.header) for column in columns]
    if model is not None and all(_plain(table, column) for column in columns):
        paths = [_field_path(model, column) for column in columns]
        if all(path is not None for path in paths):
            return names, headers, _values_rows(queryset, columns, paths)
    getters = []
    for column in columns:
        plain = _plain(table, column)
        fast = _fast_getter(model, column) if plain and model is not None else None
        if fast is not None:
            getters.append((fast, None, None))
        elif plain:
            getters.append((None, column, _identity))
        else:
            getters.append((None, column.name, None))

    places = [getattr(column.column, "decimals_for", None) if rounded else None for column in columns]

    def rows() -> Iterator[list]:
        for row in table.rows:
            record = row.record
            values = []
            for (fast, column, as_is), decimals_for in zip(getters, places, strict=True):
                if fast is not None:
                    values.append(fast(record))
                elif as_is is not None:
                    values.append(row._get_and_render_with(column, render_func=as_is, default=None))
                else:
                    value = plain_text(force_str(row.get_cell_value(column), strings_only=True))
                    if decimals_for is not None and _is_number(value):
                        value = Rounded(shown(value, decimals_for(record)))
                    values.append(value)
            yield values

    return names, headers, rows()


def _clean_text(value) -> Cell:
    """Cells as a spreadsheet should see them: numbers stay, text is neutralised."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None or _is_number(value) or isinstance(value, date | datetime):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    text = neutralise(str(value))
    return _ILLEGAL_XML.sub("", text)


def _headers_with_units(names: list[str], headers: list[str], units: dict[str, str]) -> list[str]:
    return [
        f"{header}（{units[name].strip()}）" if units.get(name, "").strip() else header
        for name, header in zip(names, headers, strict=True)
    ]


_EXCEL_EPOCH = datetime(1899, 12, 30)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Fixed cell styles (index into cellXfs); number formats follow from index 4.
_XF_TEXT, _XF_HEADER, _XF_DATE, _XF_DATETIME = 0, 1, 2, 3


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _attr(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


def _inline(text: str, style: int = _XF_TEXT) -> str:
    return f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(text)}</t></is></c>'


def _styles_xml(formats: list[str]) -> str:
    num_fmts = ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", *formats]
    fmt_xml = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode="{_attr(code)}"/>' for i, code in enumerate(num_fmts)
    )
    number_xfs = "".join(
        f'<xf numFmtId="{166 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for i in range(len(formats))
    )
    return (
        f'{_XML}<styleSheet xmlns="{_NS}">'
        f'<numFmts count="{len(num_fmts)}">{fmt_xml}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
        '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE6F0"/><bgColor indexed="64"/>'
        "</patternFill></fill>"
        "</fills>"
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{4 + len(formats)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
        'applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        f"{number_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _package_parts(title: str, formats: list[str]) -> dict[str, str]:
    """The fixed parts of a one-sheet workbook (everything but the sheet's rows)."""
    return {
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
            f'<sheets><sheet name="{_attr(title)}" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _styles_xml(formats),
    }


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1"


def _layout(
    names: list[str], headers: list[str], rows: Iterator[list], number_formats: dict[str, str]
) -> tuple[list[list], list[int], list[str]]:
    """(the first ``SAMPLE_ROWS`` rows, read from ``rows``; column widths in Excel
    character units; each column's number format) from the header and those rows."""
    sample = list(islice(rows, SAMPLE_ROWS))
    widths = [_text_width(h) for h in headers]
    decimals = [0] * len(names)
    for row in sample:
        for i, value in enumerate(map(_clean_text, row)):
            if _is_number(value):
                decimals[i] = max(decimals[i], _decimals(value))
                shown = f"{value:,.{decimals[i]}f}"
            elif isinstance(value, datetime):
                shown = "0000-00-00 00:00"
            elif isinstance(value, date):
                shown = "0000-00-00"
            else:
                shown = "" if value is None else str(value)
            widths[i] = max(widths[i], _text_width(shown))
    column_formats = [number_formats.get(name) or number_format(decimals[i]) for i, name in enumerate(names)]
    return sample, widths, column_formats


def write_xlsx(
    file,
    *,
    names: list[str],
    headers: list[str],
    rows: Iterator[list],
    title: str = "Sheet1",
    number_formats: dict[str, str] | None = None,
) -> int:
    """Write a one-sheet XLSX to ``file`` (a path or a seekable binary file), row by row:
    memory stays bounded whatever the number of rows. Returns the number of data rows.

    SpreadsheetML is written directly (inline strings, one style per number format).
    ``manage.py bench --only export`` writes the same 100,000 rows × 11 columns with this
    writer and with openpyxl's write-only mode (same header style, widths and number
    formats: ``targets.bench.export.write_xlsx_openpyxl``) and prints both: 2.7 s against
    43 s of CPU (16×) on a 2-core machine; openpyxl with plain values and no styles at all
    was still about 7× slower. Number formats and column widths come from the header and
    the first ``SAMPLE_ROWS`` rows."""
    sample, widths, column_formats = _layout(names, headers, rows, number_formats or {})
    distinct = list(dict.fromkeys(column_formats))
    number_style = [4 + distinct.index(code) for code in column_formats]
    letters = [_column_letter(i) for i in range(len(names))]

    date_epoch = _EXCEL_EPOCH.date()
    day = timedelta(days=1)

    def row_xml(n: int, row: list) -> str:
        """One row of SpreadsheetML; the hot loop of a large export (type dispatch inline)."""
        out = [f'<row r="{n}">']
        for i, value in enumerate(row):
            kind = type(value)
            if value is None or value == "":
                continue
            ref = f"{letters[i]}{n}"
            if kind is Decimal:
                out.append(f'<c r="{ref}" s="{number_style[i]}"><v>{value:f}</v></c>')
            elif kind is int or (kind is float and math.isfinite(value)):
                out.append(f'<c r="{ref}" s="{number_style[i]}"><v>{value!r}</v></c>')
            elif kind is str:
                if value.startswith(FORMULA_PREFIXES):
                    value = "'" + value
                if not value.isprintable():
                    value = _ILLEGAL_XML.sub("", value)
                out.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(value)}</t></is></c>'
                )
            elif kind is date:
                out.append(f'<c r="{ref}" s="{_XF_DATE}"><v>{(value - date_epoch).days}</v></c>')
            else:
                # bool → 是/否, aware datetime → local time, anything else → safe text
                value = _clean_text(value)
                if isinstance(value, datetime):
                    out.append(f'<c r="{ref}" s="{_XF_DATETIME}"><v>{(value - _EXCEL_EPOCH) / day!r}</v></c>')
                elif isinstance(value, date):
                    out.append(f'<c r="{ref}" s="{_XF_DATE}"><v>{(value - date_epoch).days}</v></c>')
                elif _is_number(value) and math.isfinite(value):
                    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
                    out.append(f'<c r="{ref}" s="{number_style[i]}"><v>{text}</v></c>')
                else:
                    out.append(f'<c r="{ref}"' + _inline(str(value))[2:])
        out.append("</row>")
        return "".join(out)

    count = 0
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as package:
        for part, xml in _package_parts(_sheet_title(title), distinct).items():
            package.writestr(part, xml)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{min(max(w + 2, 8), 60)}" customWidth="1"/>'
                for i, w in enumerate(widths, start=1)
            )
            head = "".join(
                f'<c r="{letters[i]}1"' + _inline(_clean_text(h), _XF_HEADER)[2:]
                for i, h in enumerate(headers)
            )
            sheet.write(
                (
                    f'{_XML}<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">'
                    '<sheetViews><sheetView workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                    "</sheetView></sheetViews>"
                    f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
                    f'<sheetData><row r="1">{head}</row>'
                ).encode()
            )
            chunk: list[str] = []
            for row in chain(sample, rows):
                count += 1
                chunk.append(row_xml(count + 1, row))
                if len(chunk) >= 1000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return count


def _csv_value(value) -> str:
    if isinstance(value, Rounded):
        return format(value, "f")  # as the page shows it: 98.0 stays "98.0"
    if isinstance(value, float) and math.isfinite(value):
        value = shown(value, MAX_DECIMALS)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_DECIMALS:  # a quotient: 98.02066640375…
            value = shown(value, MAX_DECIMALS)
        return format(value.normalize(), "f")  # 433.2000 → "433.2", 100.0000 → "100"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


class _Echo:
    """A write-only file that hands back what is written (for csv.writer in a stream)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(*, headers: list[str], rows: Iterator[list]) -> Iterator[bytes]:
    """CSV as UTF-8 bytes with a BOM, a few hundred rows per chunk."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([_clean_text(h) for h in headers]).encode()
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_value(_clean_text(v)) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()


def displayed_formats(table) -> dict[str, str]:
    """Excel number formats of the columns that show a fixed number of places on the page
    (``NumberColumn(decimals=1)``): the file shows what the page shows."""
    formats = {}
    for column in table.columns.iterall():
        decimals = getattr(column.column, "decimals", None)
        if hasattr(column.column, "decimals_for") and isinstance(decimals, int):
            formats[column.name] = number_format(decimals)
    return formats


def export_table(
    request,
    table,
    *,
    export_format: str,
    name: str,
    ascii_name: str = "export",
    day: date | None = None,
    units: dict[str, str] | None = None,
    number_formats: dict[str, str] | None = None,
    exclude_columns: Iterable[str] = (),
) -> HttpResponse:
    """Export ``table`` (already configured with the request's filters and ordering) as
    an XLSX or CSV download for a manager; audit it. Raises PermissionDenied for others.

    ``day`` dates the file name: the page's as-of date (by default its ``?as_of=``, else
    today, capped into the page's plan), so the file says what day it shows. The
    table's own ``export_units`` and the places its columns show apply unless overridden."""
    if not can_export(request.user):
        raise PermissionDenied
    if export_format not in FORMATS:
        return HttpResponse(status=400)
    names, headers, rows = table_rows(table, exclude_columns, rounded=export_format == CSV)
    units = {**getattr(table, "export_units", {}), **(units or {})}
    headers = _headers_with_units(names, headers, units)
    number_formats = {**displayed_formats(table), **(number_formats or {})}
    if day is None:
        day = current.request_scope(request).as_of
    filename, fallback = export_filenames(name, ascii_name, export_format, day)
    query = request.GET.copy()
    query.pop(TRIGGER_PARAM, None)
    audit.record(
        "export",
        request=request,
        target=filename,
        format=export_format,
        table=type(table).__name__,
        path=request.path,
        query=query.urlencode(),
    )
    if export_format == CSV:
        chunks = csv_chunks(headers=headers, rows=rows)
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[CSV])
    else:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(spool, names=names, headers=headers, rows=rows, title=name, number_formats=number_formats)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES[XLSX])
    response["Content-Disposition"] = content_disposition(filename, fallback)
    response["Cache-Control"] = "no-store"
    return response


def table_response(
    request,
    table,
    template: str,
    context: dict | Callable[[], dict],
    *,
    name: str,
    ascii_name: str,
    day: date | None = None,
) -> HttpResponse:
    """A listing page and its file from one table: the page renders ``template`` with
    ``table`` (and ``context``, a dict or a function building it only for the page); with
    ``?_export=xlsx|csv`` a manager downloads the same table, named ``name`` and dated
    ``day`` (the page's as-of date). The export buttons show to those who may export."""
    if TRIGGER_PARAM in request.GET:
        return export_table(
            request,
            table,
            export_format=request.GET[TRIGGER_PARAM],
            name=name,
            ascii_name=ascii_name,
            day=day,
        )
    page = context() if callable(context) else context
    return render(
        request,
        template,
        {"table": table, **page, "export_formats": FORMATS if can_export(request.user) else ()},
    )


class ManagerExportMixin:
    """For django-tables2 class views (``SingleTableMixin``/``SingleTableView``): adds
    ``?_export=xlsx`` and ``?_export=csv`` with the page's current filters and ordering.

    Set ``export_name`` (Chinese, shown to the user, e.g. "指标进度"), ``export_ascii_name``
    (fallback, e.g. "indicators") and optionally ``export_units`` and
    ``export_number_formats``. The file is dated by the page's as-of date. Templates show
    the buttons with
    ``{% include "reports/_export_buttons.html" %}`` (managers only)."""

    export_name = gettext_lazy("导出")
    export_ascii_name = "export"
    export_formats = FORMATS
    export_trigger_param = TRIGGER_PARAM
    export_units: dict[str, str] = {}
    export_number_formats: dict[str, str] = {}
    exclude_columns: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        # Refuse before any query runs.
        if self.export_trigger_param in request.GET and not can_export(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_export_name(self) -> str:
        return str(self.export_name)

    def get_table_pagination(self, table):
        if self.request.GET.get(self.export_trigger_param) in FORMATS:
            return False  # an export has every row; skip the page's COUNT and slice
        return super().get_table_pagination(table)

    def create_export(self, export_format):
        table = self.get_table(**self.get_table_kwargs())
        return export_table(
            self.request,
            table,
            export_format=export_format,
            name=self.get_export_name(),
            ascii_name=self.export_ascii_name,
            units=self.export_units,
            number_formats=self.export_number_formats,
            exclude_columns=self.exclude_columns,
        )

    def render_to_response(self, context, **kwargs):
        export_format = self.request.GET.get(self.export_trigger_param)
        if export_format is not None:
            if export_format not in FORMATS:
                return HttpResponse(status=400)
            return self.create_export(export_format)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_formats"] = self.export_formats if can_export(self.request.user) else ()
        return context
