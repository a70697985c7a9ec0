"""Export benchmark: 100,000 PeriodValue rows to XLSX (and CSV) through the managers'
export path (a django-tables2 view with ``ManagerExportMixin``), on the throw-away
database ``manage.py bench`` creates.

Memory: ``BENCH export_100k_mb`` is the peak resident set size (VmHWM) of this process
while it runs only the export: the peak is reset (``/proc/self/clear_refs``) just before
the request, so earlier bench sections and the data setup do not count, but what the
process already holds resident (Django, the test database's pages) does. Where the reset
is not allowed, a sampling thread reads VmRSS every 5 ms instead.
"""

from __future__ import annotations

import gc
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain

import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone
from django_tables2.views import SingleTableView

from targets.models import Department, Goal, Indicator, PeriodValue
from targets.reporting import exports
from targets.reporting.exports import ManagerExportMixin
from targets.seed.briefing import plan as briefing_plan

ROWS = 100_000
DAYS = 1000  # 100 indicators × 1000 days


class BenchPeriodValueTable(tables.Table):
    """The columns a period-values export carries (model-backed, so the export reads the
    queryset in chunks as a dashboard table over PeriodValue would)."""

    code = tables.Column(accessor="indicator__code", verbose_name="代码")
    name = tables.Column(accessor="indicator__name", verbose_name="指标")
    unit = tables.Column(accessor="indicator__unit", verbose_name="单位")
    period_type = tables.Column(verbose_name="周期")
    period_start = tables.DateColumn(verbose_name="开始")
    period_end = tables.DateColumn(verbose_name="结束")
    actual = tables.Column(verbose_name="本期完成")
    cumulative_actual = tables.Column(verbose_name="累计完成")
    planned = tables.Column(verbose_name="本期计划")
    cumulative_planned = tables.Column(verbose_name="累计计划")
    status = tables.Column(verbose_name="状态")


class BenchExportView(ManagerExportMixin, SingleTableView):
    table_class = BenchPeriodValueTable
    template_name = "django_tables2/table.html"
    export_name = "汇总值"
    export_ascii_name = "period-values"

    def get_queryset(self):
        return PeriodValue.objects.select_related("indicator").order_by("indicator_id", "period_start")


def _setup(rows: int) -> None:
    department = Department.objects.create(code="bench", name="基准测试单位")
    goal = Goal.objects.create(plan=briefing_plan(), code="bench", name="基准测试", level=Goal.Level.SECTION)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            code=f"bench-{i}",
            name=f"基准指标{i}",
            unit="亿元",
            kind=Indicator.Kind.AMOUNT,
            plan_start=date(2021, 1, 1),
            plan_end=date(2023, 12, 31),
            department=department,
            goal=goal,
            plan_id=goal.plan_id,
            order=i,
        )
        for i in range(-(-rows // DAYS))
    )
    now = timezone.now()
    batch: list[PeriodValue] = []
    for n in range(rows):
        indicator = indicators[n // DAYS]
        day = date(2021, 1, 1) + timedelta(days=n % DAYS)
        cumulative = Decimal(n % DAYS + 1) * Decimal("1.2345")
        batch.append(
            PeriodValue(
                indicator=indicator,
                period_type="day",
                period_start=day,
                period_end=day,
                actual=Decimal("1.2345"),
                cumulative_actual=cumulative,
                planned=Decimal("1.1"),
                cumulative_planned=Decimal(n % DAYS + 1) * Decimal("1.1"),
                status="green",
                computed_at=now,
            )
        )
        if len(batch) == 5000:
            PeriodValue.objects.bulk_create(batch)
            batch.clear()
    PeriodValue.objects.bulk_create(batch)


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class PeakRss:
    """Peak RSS (MB) of this process over a block of code."""

    def __enter__(self):
        gc.collect()
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # reset VmHWM to the current RSS (Linux ≥ 4.0)
            self.sampler = None
        except OSError:
            self.peak_kb = _status_kb("VmRSS")
            self.stop = threading.Event()
            self.sampler = threading.Thread(target=self._sample, daemon=True)
            self.sampler.start()
        self.start_mb = _status_kb("VmRSS") / 1024
        return self

    def _sample(self):
        while not self.stop.wait(0.005):
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))

    def __exit__(self, *exc):
        if self.sampler is None:
            self.peak_mb = _status_kb("VmHWM") / 1024
        else:
            self.stop.set()
            self.sampler.join()
            self.peak_mb = max(self.peak_kb, _status_kb("VmRSS")) / 1024


def write_xlsx_openpyxl(file, *, names, headers, rows, title="Sheet1", number_formats=None) -> int:
    """The same workbook as ``exports.write_xlsx`` (bold shaded frozen header, column
    widths, a number format per numeric column, real dates, neutralised text) through
    openpyxl's write-only mode: the contender the hand-written writer must beat."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sample, widths, column_formats = exports._layout(names, headers, rows, number_formats or {})
    book = Workbook(write_only=True)
    sheet = book.create_sheet(exports._sheet_title(title))
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="FFDDE6F0")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=exports._clean_text(header))
        cell.font, cell.fill, cell.alignment = bold, shade, centre
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in chain(sample, rows):
        cells = []
        for i, value in enumerate(map(exports._clean_text, row)):
            if exports._is_number(value) or isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell.number_format = column_formats[i]
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    book.save(file)
    return count


WRITERS = {"handwritten": exports.write_xlsx, "openpyxl_writeonly": write_xlsx_openpyxl}


def compare_writers(rows: list[list], names: list[str], headers: list[str], rounds: int = 2) -> dict:
    """{writer: (best wall s, best CPU s, bytes)} writing the same rows, rounds alternated
    so a busy moment on a shared machine does not favour one writer."""
    best: dict[str, tuple[float, float, int]] = {}
    for _round in range(rounds):
        for name, write in WRITERS.items():
            with tempfile.TemporaryFile() as file:
                gc.collect()
                started, cpu = time.perf_counter(), time.process_time()
                write(file, names=names, headers=headers, rows=iter(rows), title="汇总值")
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                size = file.tell()
            old = best.get(name)
            best[name] = (min(wall, old[0]), min(cpu, old[1]), size) if old else (wall, cpu, size)
    return best


def export_once(export_format: str, user) -> tuple[float, float, int]:
    """One export through the view; returns (wall seconds, CPU seconds of this process,
    bytes). On a shared machine the CPU time says what the export itself costs."""
    request = RequestFactory().get("/bench/", {"_export": export_format})
    request.user = user
    started, cpu = time.perf_counter(), time.process_time()
    response = BenchExportView.as_view()(request)
    size = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
    response.close()
    return time.perf_counter() - started, time.process_time() - cpu, size


def run(*, out, rows: int, options) -> None:
    """Prints BENCH export_100k_s, export_100k_mb, the CSV time, and the two XLSX writers
    (hand-written SpreadsheetML, openpyxl write-only) on the same rows with their ratio."""
    started = time.perf_counter()
    _setup(ROWS)
    out.write(f"BENCH export_setup_s {time.perf_counter() - started:.1f} s ({ROWS} PeriodValue rows)")
    user = get_user_model().objects.create_superuser("bench-manager", password=None)
    with PeakRss() as memory:
        seconds, cpu, size = export_once("xlsx", user)
    out.write(f"BENCH export_100k_s {seconds:.2f} s (XLSX, {size / 1e6:.1f} MB file, wall clock)")
    out.write(f"BENCH export_100k_cpu_s {cpu:.2f} s (CPU time of the same export)")
    out.write(
        f"BENCH export_100k_mb {memory.peak_mb:.0f} MB (peak RSS of this process during the export; "
        f"{memory.start_mb:.0f} MB resident before it)"
    )
    seconds, cpu, size = export_once("csv", user)
    out.write(f"BENCH export_100k_csv_s {seconds:.2f} s (CSV, {size / 1e6:.1f} MB; CPU {cpu:.2f} s)")

    # The XLSX writers alone, on the same 100,000 rows (read once from the table).
    names, headers, rows = exports.table_rows(BenchPeriodValueTable(BenchExportView().get_queryset()))
    rows = list(rows)
    best = compare_writers(rows, names, headers)
    for name, (wall, cpu, size) in best.items():
        out.write(
            f"BENCH export_{name}_s {cpu:.2f} s (XLSX writer only, {len(rows)} rows × {len(names)} columns, "
            f"CPU, best of 2; wall {wall:.2f} s; {size / 1e6:.1f} MB)"
        )
    ratio = best["openpyxl_writeonly"][1] / best["handwritten"][1]
    out.write(f"BENCH export_writer_ratio {ratio:.1f} x (openpyxl write-only CPU ÷ hand-written CPU)")
