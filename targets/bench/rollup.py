"""Roll-up benchmark (``manage.py bench --only rollup``), on the throw-away test database.

Generates ``rows`` daily entries (2,000 indicators × 500 days for 1 M: 95 % amounts, 5 %
levels, plus 20 ratios over pairs of amounts) with COPY on PostgreSQL or chunked
executemany on SQLite, then times, in the same run:

(a) the full rebuild ``rollups.rebuild()`` (``manage.py rollup --full``: 旬 rows from the
    entries, month, quarter and year from them; days are not stored), and then the
    nightly ``rollups.refresh()`` over the rows it just wrote (it compares and writes
    only what changed: here nothing);
(b) the incremental refresh after one clerk's week: 20 indicators × 7 changed days, then
    ``rollups.refresh(ids, monday, sunday)`` — median of several weeks, with planner
    statistics as autovacuum keeps them in production (``ANALYZE`` after the load and
    after the full rebuild, both untimed);
(c) the baseline: one plain ``INSERT INTO t SELECT indicator, period_start, SUM(value) …
    GROUP BY …`` per period type (day, 旬, month, quarter, year) over the same entries,
    into an unindexed table, grouping through the same calendar table;
(d) reading one day of every indicator through ``rollups.day_values`` (what the
    overview reads on its as-of date), median of several days.

Prints ``BENCH <name> <value> <unit>`` lines. Nothing loads all entries into Python: the
generator streams chunks, and the roll-up is SQL.
"""

import io
import random
import resource
import statistics
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from targets import rollups
from targets.models import Department, Entry, Goal, Indicator, PeriodValue
from targets.seed.briefing import plan as briefing_plan

DAYS = 500
FIRST_DAY = date(2021, 1, 1)
CHUNK = 100_000
ENTRY_COLUMNS = ("indicator_id", "date", "value", "note", "version", "is_demo", "created_at", "updated_at")


def _line(out, name: str, value, unit: str) -> None:
    out.write(f"BENCH {name} {value} {unit}")
    out.flush()


def _make_indicators(count: int) -> list[int]:
    department = Department.objects.create(code="bench", name="基准测试单位")
    goal = Goal.objects.create(
        plan=briefing_plan(), code="bench", name="基准测试目标", level=Goal.Level.SECTION
    )
    end = FIRST_DAY + timedelta(days=DAYS - 1)
    indicators = [
        Indicator(
            code=f"bench-{n}",
            name=f"基准指标{n}",
            kind=Indicator.Kind.LEVEL if n % 20 == 19 else Indicator.Kind.AMOUNT,
            target_value=random.randint(1_000, 100_000),
            plan_start=FIRST_DAY,
            plan_end=end,
            department=department,
            goal=goal,
            plan_id=goal.plan_id,
        )
        for n in range(count)
    ]
    Indicator.objects.bulk_create(indicators, batch_size=1000)
    bench = Indicator.objects.filter(code__startswith="bench-").order_by("id")
    ids = list(bench.values_list("id", flat=True))
    amounts = [pk for n, pk in enumerate(ids) if n % 20 != 19]
    ratios = [
        Indicator(
            code=f"bench-rate-{n}",
            name=f"基准比率{n}",
            kind=Indicator.Kind.RATIO,
            target_value=100,
            plan_start=FIRST_DAY,
            plan_end=end,
            department=department,
            goal=goal,
            plan_id=goal.plan_id,
            numerator_id=amounts[2 * n],
            denominator_id=amounts[2 * n + 1],
        )
        for n in range(min(20, len(amounts) // 2))
    ]
    Indicator.objects.bulk_create(ratios)
    return ids


def _entry_rows(ids: list[int], rows: int):
    now = timezone.now().isoformat()
    produced = 0
    for pk in ids:
        for offset in range(DAYS):
            if produced >= rows:
                return
            value = f"{random.randint(0, 1_000_000) / 100:.2f}"
            yield (pk, (FIRST_DAY + timedelta(days=offset)).isoformat(), value, "", 1, False, now, now)
            produced += 1


def _load_entries(ids: list[int], rows: int) -> None:
    table = Entry._meta.db_table
    generator = _entry_rows(ids, rows)
    with connection.cursor() as cursor:
        while True:
            chunk = [row for _, row in zip(range(CHUNK), generator, strict=False)]
            if not chunk:
                break
            if connection.vendor == "postgresql":
                buffer = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in chunk))
                cursor.cursor.copy_expert(f"COPY {table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN", buffer)
            else:
                columns = ", ".join(ENTRY_COLUMNS)
                sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
                cursor.executemany(sql, chunk)
        cursor.execute("ANALYZE")


def _baseline(*, into_periodvalue: bool = False) -> float:
    """Plain INSERT … SELECT … GROUP BY, one per period type: into an unindexed table (the
    baseline: day, 旬, month, quarter and year), or into PeriodValue itself for the period
    types it stores (旬, month, quarter, year; no day rows), filled as
    ``rollups.rebuild()`` fills it (indexes dropped first and built again at the end).
    The second tells the cost of the table (its columns and indexes) from the cost of the
    roll-up's own work; it runs in a transaction that is rolled back, so the table is left
    as it was."""
    total = "SUM(CAST(ROUND(e.value * 10000) AS BIGINT)) / 10000.0"
    if into_periodvalue:
        table = "targets_periodvalue (indicator_id, period_type, period_start, period_end, actual,"
        table += " planned, cumulative_planned, status, computed_at)"
        extra = ", {end}, {sum}, 0, 0, 'none', CURRENT_TIMESTAMP"
    else:
        table = "bench_baseline"
        extra = ", {sum}"
    columns = extra.format(end="e.date", sum=total)
    statements = (
        []
        if into_periodvalue  # PeriodValue stores no day rows
        else [
            f"INSERT INTO {table} SELECT e.indicator_id, 'day', e.date{columns} FROM targets_entry e"  # noqa: S608
            " GROUP BY e.indicator_id, e.date"
        ]
    )
    for period_type in rollups.AGGREGATES:
        start, end = f"c.{period_type}_start", f"c.{period_type}_end"
        group = f"e.indicator_id, {start}" + (f", {end}" if into_periodvalue else "")
        columns = extra.format(end=end, sum=total)
        joined = "targets_entry e JOIN targets_calendar c ON c.day = e.date"
        select = f"SELECT e.indicator_id, '{period_type}', {start}{columns} FROM {joined}"  # noqa: S608
        statements.append(f"INSERT INTO {table} {select} GROUP BY {group}")
    with connection.cursor() as cursor:
        if not into_periodvalue:
            cursor.execute("DROP TABLE IF EXISTS bench_baseline")
            cursor.execute(
                "CREATE TABLE bench_baseline (indicator_id bigint, period_type varchar(10),"
                " period_start date, actual numeric(18, 4))"
            )
        with transaction.atomic():
            started = time.perf_counter()
            postgres = connection.vendor == "postgresql"
            indexes = rollups._drop_indexes(cursor) if into_periodvalue and postgres else []
            for sql in statements:
                cursor.execute(sql)
            for sql in indexes:
                cursor.execute(sql)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(into_periodvalue)
        if not into_periodvalue:
            cursor.execute("DROP TABLE bench_baseline")
    return elapsed


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def run(*, out, rows: int, options: dict) -> None:
    random.seed(2021)
    count = max(1, -(-rows // DAYS))
    started = time.perf_counter()
    ids = _make_indicators(count)
    _load_entries(ids, rows)
    load_s = time.perf_counter() - started
    entries = Entry.objects.count()
    _line(out, "rollup_entries", entries, "rows")
    _line(out, "rollup_load_s", f"{load_s:.2f}", "s")
    _line(out, "rollup_load_rows_per_s", f"{entries / load_s:.0f}", "rows/s")

    baseline_s = _baseline()
    _line(out, "rollup_baseline_s", f"{baseline_s:.2f}", "s")
    into_pv_s = _baseline(into_periodvalue=True)
    _line(out, "rollup_baseline_into_periodvalue_s", f"{into_pv_s:.2f}", "s")
    # What the table alone costs: the baseline's stored period types (旬 and longer) written
    # into PeriodValue, no roll-up logic.
    _line(out, "rollup_table_floor_ratio", f"{into_pv_s / baseline_s:.2f}", "x")

    full_s, written = _timed(rollups.rebuild)
    _line(out, "rollup_full_s", f"{full_s:.2f}", "s")
    _line(out, "rollup_full_rows_written", written, "rows")
    _line(out, "rollup_full_rows_per_s", f"{entries / full_s:.0f}", "entries/s")
    _line(out, "rollup_full_ratio", f"{full_s / baseline_s:.2f}", "x")
    # The same rebuild against the plain GROUP BY written into PeriodValue itself: how much
    # the roll-up's own work adds to the cost of filling this table.
    _line(out, "rollup_full_vs_periodvalue_baseline", f"{full_s / into_pv_s:.2f}", "x")

    rerun_s, rewritten = _timed(rollups.refresh)
    _line(out, "rollup_nightly_refresh_s", f"{rerun_s:.2f}", "s")
    _line(out, "rollup_nightly_refresh_rows_written", rewritten, "rows")

    # In production autovacuum analyses a table after a bulk write, long before the next
    # clerk saves; without it the planner still believes PeriodValue is empty. Not timed.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # One clerk's week: 20 indicators × 7 days, Monday to Sunday, in the last quarter of data.
    clerk_ids = ids[:20]
    timings = []
    for week in range(7):
        monday = FIRST_DAY + timedelta(days=360 + 7 * week)
        monday -= timedelta(days=monday.weekday())
        sunday = monday + timedelta(days=6)
        with connection.cursor() as cursor:
            where = "indicator_id IN (" + ", ".join(map(str, clerk_ids)) + ") AND date BETWEEN %s AND %s"
            sql = f"UPDATE targets_entry SET value = value + 1 WHERE {where}"  # noqa: S608
            cursor.execute(sql, [monday, sunday])
        elapsed, _ = _timed(rollups.refresh, clerk_ids, monday, sunday)
        timings.append(elapsed * 1000)
    _line(out, "rollup_incremental_ms", f"{statistics.median(timings):.1f}", "ms")
    _line(out, "rollup_incremental_max_ms", f"{max(timings):.1f}", "ms")

    # The overview's read: every indicator's figures on one day (entries, plan, 旬 rows).
    reads = []
    for offset in range(7):
        day = FIRST_DAY + timedelta(days=300 + 17 * offset)
        elapsed, days = _timed(rollups.day_values, None, day)
        reads.append(elapsed * 1000)
    _line(
        out, "rollup_day_read_ms", f"{statistics.median(reads):.1f}", f"ms ({len(days)} indicators, one day)"
    )

    rows_total = PeriodValue.objects.count()
    _line(out, "rollup_periodvalue_rows", rows_total, "rows")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _line(out, "rollup_peak_memory_mb", f"{peak_mb:.0f}", "MB")
