"""Roll-ups: daily entries → ``PeriodValue`` rows (day, 旬, month, quarter, year).

Set-based SQL that runs unchanged on SQLite and PostgreSQL: a handful of
``INSERT … SELECT … ON CONFLICT (indicator_id, period_type, period_start) DO UPDATE``
statements per refresh, whatever the number of entries. Figures travel through SQL as
integers of 1/10 000 (``ROUND(value * 10000)``): SQLite stores DECIMAL as a float, so this
keeps every sum exact on both databases. Days are grouped into periods by joining the
calendar table ``targets_calendar`` (migration 0002).

What a row holds (figures in the indicator's unit, 4 places):

- ``planned``: the plan of the period's days inside the plan period (``targets.plan``),
  so 旬, month, quarter and year plans are sums of day plans; ``cumulative_planned``: the
  plan from plan start to the period's last day in the plan.
- **amount**: ``actual`` = sum of the period's entries (NULL when none was entered);
  ``cumulative_actual`` = ``opening_value`` + every entry from ``tracking_start`` to the
  period's end.
- **level**: ``actual`` = the last value entered in the period (NULL when none);
  ``cumulative_actual`` = the level at the period's end (the last value entered up to
  then, or ``opening_value`` before the first one).
- **milestone**: an entry ≠ 0 marks the done day. ``actual`` = ``cumulative_actual`` = 1 if
  done by the period's end, else 0. Its plan is 1 on the due day (``plan_end``).
- **ratio**: a percentage (0–100, e.g. 95.1220 for 95.122 %), from the numerator's and the
  denominator's rows of the same period: ``actual`` = numerator actual ÷ denominator actual
  × 100 (a missing numerator counts as 0; NULL when the denominator is 0 or missing),
  ``cumulative_actual`` = numerator cumulative ÷ denominator cumulative × 100. Its
  ``planned`` and ``cumulative_planned`` are both its target rate (0 without a target).
- Before ``tracking_start`` the cumulative actual is unknown: NULL, status "none".
  Entries dated before ``tracking_start`` are refused by the services and not counted here.

Status (``targets.plan.status``) is evaluated at the row's *as-of day*: the last day of the
period inside the plan, or today if that is earlier (a period in progress is judged on its
days so far, not on its full plan). Periods and days after today have status "none". So
the day row at any date answers, in one query, "cumulative actual, cumulative plan and
status as of that date". Because status depends on today, the nightly rebuild moves it on.

Day rows exist for every day of each indicator's plan period; 旬/month/quarter/year rows for
every period overlapping it (``period_start``/``period_end`` are the calendar period's).

Incremental: ``refresh(ids, start, end)`` recomputes the given indicators (and the ratios
built on them) from ``start`` to the end of their plan period — a change on one day moves
every later cumulative value — and leaves everything before ``start`` alone. A row is
written only when one of its values changes, so re-running changes nothing (idempotent:
identical rows, ``computed_at`` included) and ``computed_at`` is when the row last changed.
"""

from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import periods, plan
from .models import Indicator, PeriodValue

CALENDAR_FIRST, CALENDAR_LAST = date(2000, 1, 1), date(2050, 12, 31)  # filled by migration 0002
AGGREGATES = (periods.DEKAD, periods.MONTH, periods.QUARTER, periods.YEAR)
COLUMNS = (
    "indicator_id, period_type, period_start, period_end, actual, cumulative_actual,"
    " planned, cumulative_planned, status, computed_at"
)
UPSERT = """
ON CONFLICT (indicator_id, period_type, period_start) DO UPDATE SET
    period_end = excluded.period_end,
    actual = excluded.actual,
    cumulative_actual = excluded.cumulative_actual,
    planned = excluded.planned,
    cumulative_planned = excluded.cumulative_planned,
    status = excluded.status,
    computed_at = excluded.computed_at
WHERE targets_periodvalue.period_end IS DISTINCT FROM excluded.period_end
    OR targets_periodvalue.actual IS DISTINCT FROM excluded.actual
    OR targets_periodvalue.cumulative_actual IS DISTINCT FROM excluded.cumulative_actual
    OR targets_periodvalue.planned IS DISTINCT FROM excluded.planned
    OR targets_periodvalue.cumulative_planned IS DISTINCT FROM excluded.cumulative_planned
    OR targets_periodvalue.status IS DISTINCT FROM excluded.status
"""


def _status_sql(actual: str, planned: str) -> str:
    """SQL for ``plan.status`` on integer figures (1/10 000); %(green)s and %(yellow)s are
    the thresholds × 10 000."""
    return f"""CASE
        WHEN {actual} IS NULL OR {planned} IS NULL THEN 'none'
        WHEN {planned} <= 0 THEN CASE WHEN {actual} > 0 THEN 'green' ELSE 'none' END
        WHEN {actual} * 10000 >= %(green)s * {planned} THEN 'green'
        WHEN {actual} * 10000 >= %(yellow)s * {planned} THEN 'yellow'
        ELSE 'red' END"""


def _id_filter(column: str, ids: list[int] | None) -> str:
    if ids is None:
        return "1 = 1"
    return f"{column} IN ({', '.join(str(int(pk)) for pk in ids) or 'NULL'})"


def _day_sql(ids: list[int] | None, renew: list[int], *, full: bool, levels: bool) -> str:
    """Day rows of amount and milestone indicators (``levels=False``) or of level
    indicators (``levels=True``: one more window, to carry the last value forward)."""
    kinds = "('level')" if levels else "('amount', 'milestone')"
    if full:
        # From plan start: nothing tracked comes before, the opening value is the base.
        base = "SELECT indicator_id, opening_u AS sum_u, 0 AS done, opening_u AS level_u FROM scope"
    else:
        # What was tracked before the first recomputed day, read from the (unchanged) day
        # row before it: running sum, level, done (1) or not. One index lookup per indicator.
        base = """
        SELECT s.indicator_id,
               COALESCE(CAST(ROUND(p.cumulative_actual * 10000) AS BIGINT), s.opening_u) AS sum_u,
               CASE WHEN p.cumulative_actual > 0 THEN 1 ELSE 0 END AS done,
               COALESCE(CAST(ROUND(p.cumulative_actual * 10000) AS BIGINT), s.opening_u) AS level_u
        FROM scope s
        LEFT JOIN targets_periodvalue p ON p.indicator_id = s.indicator_id AND p.period_type = 'day'
            AND p.period_start = %(start_prev)s AND s.lo > s.plan_start"""
    level_window = "MAX(r.v) OVER (PARTITION BY r.indicator_id, r.grp)" if levels else "CAST(NULL AS BIGINT)"
    segment_plan = """(2 * s.target_u * (g.before_weight * g.days + g.weight * ({j}))
                       + g.total_weight * g.days) / (2 * g.total_weight * g.days)"""
    return f"""
    WITH scope AS (
        SELECT i.id AS indicator_id, i.kind AS kind, i.plan_start AS plan_start, i.plan_end AS plan_end,
               CASE WHEN i.plan_start > %(start)s OR {_id_filter("i.id", renew)} THEN i.plan_start
                    ELSE %(start)s END AS lo,
               COALESCE(i.tracking_start, i.plan_start) AS track,
               CAST(ROUND(COALESCE(i.opening_value, 0) * 10000) AS BIGINT) AS opening_u,
               CASE WHEN i.kind = 'milestone' THEN 10000
                    ELSE CAST(ROUND(i.target_value * 10000) AS BIGINT) END AS target_u
        FROM targets_indicator i
        WHERE i.kind IN {kinds} AND {_id_filter("i.id", ids)}
            AND (i.plan_end >= %(start)s OR {_id_filter("i.id", renew)})
    ),
    ent AS (
        SELECT e.indicator_id, e.date AS day, CAST(ROUND(e.value * 10000) AS BIGINT) AS v
        FROM targets_entry e JOIN scope s ON s.indicator_id = e.indicator_id
        WHERE e.date >= s.track AND e.date >= s.lo AND e.date <= s.plan_end
    ),
    base AS ({base}),
    days AS (
        SELECT s.indicator_id, s.kind, s.track, c.day, e.v, b.sum_u, b.done, b.level_u,
               {segment_plan.format(j="c.n - g.n0")} AS cum_plan_u,
               {segment_plan.format(j="c.n - g.n0 - 1")} AS prev_plan_u
        FROM scope s
        JOIN base b ON b.indicator_id = s.indicator_id
        JOIN targets_plan_segment g ON g.indicator_id = s.indicator_id AND g.seg_end >= s.lo
        JOIN targets_calendar c ON c.day >= g.seg_start AND c.day <= g.seg_end AND c.day >= s.lo
        LEFT JOIN ent e ON e.indicator_id = s.indicator_id AND e.day = c.day
    ),
    runs AS (
        SELECT d.*,
               SUM(d.v) OVER w AS run_u,
               COUNT(d.v) OVER w AS grp,
               MAX(CASE WHEN d.v <> 0 THEN 1 ELSE 0 END) OVER w AS run_done
        FROM days d
        WINDOW w AS (PARTITION BY d.indicator_id ORDER BY d.day ROWS UNBOUNDED PRECEDING)
    ),
    figures AS (
        SELECT r.indicator_id, r.day, r.cum_plan_u, r.cum_plan_u - r.prev_plan_u AS plan_u,
               CASE WHEN r.day < r.track THEN NULL
                    WHEN r.kind = 'amount' THEN r.sum_u + COALESCE(r.run_u, 0)
                    WHEN r.kind = 'milestone' THEN
                        CASE WHEN r.done = 1 OR r.run_done = 1 THEN 10000 ELSE 0 END
                    ELSE COALESCE({level_window}, r.level_u) END AS cum_u,
               r.v, r.kind
        FROM runs r
    )
    INSERT INTO targets_periodvalue ({COLUMNS})
    SELECT f.indicator_id, 'day', f.day, f.day,
           (CASE WHEN f.kind = 'milestone' THEN f.cum_u ELSE f.v END) / 10000.0,
           f.cum_u / 10000.0,
           COALESCE(f.plan_u, 0) / 10000.0,
           COALESCE(f.cum_plan_u, 0) / 10000.0,
           CASE WHEN f.day > %(today)s THEN 'none'
                ELSE {_status_sql("f.cum_u", "f.cum_plan_u")} END,
           %(now)s
    FROM figures f
    WHERE true
    {UPSERT}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _aggregate_sql(period_type: str, child_type: str, ids: list[int] | None, renew: list[int]) -> str:
    """旬/month/quarter/year rows of amount, level and milestone indicators, built from the
    rows of the period type just below (day → 旬 → month → quarter → year: each level reads
    the small one under it, not the days again). Sums of the children; cumulative values
    from the last child; status from the last child that has begun by today (its status
    was already judged at min(its end, today), which is this period's as-of day too)."""
    first, last = f"c.{period_type}_start", f"c.{period_type}_end"

    def scope(alias: str) -> str:
        # The children to read: the given indicators, from the first recomputed period on
        # (a range on the unique index). The join to the last child (e) carries the same
        # condition, so an incremental refresh reads a few rows instead of hashing them all;
        # the status child is one probe of the unique index per period (a subquery).
        since = f"{alias}.period_start >= %({period_type}_from)s"
        if renew:
            since = f"({since} OR {_id_filter(f'{alias}.indicator_id', renew)})"
        return f"{_id_filter(f'{alias}.indicator_id', ids)} AND {since}"

    return f"""
    WITH g AS (
        SELECT ch.indicator_id, {first} AS ps, {last} AS pe,
               SUM(CAST(ROUND(ch.planned * 10000) AS BIGINT)) AS plan_u,
               SUM(CAST(ROUND(ch.actual * 10000) AS BIGINT)) AS sum_u,
               COUNT(ch.actual) AS n_actual,
               MAX(ch.period_start) AS last_child,
               MAX(CASE WHEN ch.period_start <= %(today)s THEN ch.period_start END) AS status_child
        FROM targets_periodvalue ch
        JOIN targets_calendar c ON c.day = ch.period_start
        WHERE ch.period_type = '{child_type}' AND {scope("ch")}
        GROUP BY ch.indicator_id, {first}, {last}
    )
    INSERT INTO targets_periodvalue ({COLUMNS})
    SELECT g.indicator_id, '{period_type}', g.ps, g.pe,
           CASE WHEN i.kind = 'amount' THEN g.sum_u / 10000.0
                WHEN i.kind = 'level' AND g.n_actual = 0 THEN NULL
                ELSE e.cumulative_actual END,
           e.cumulative_actual,
           g.plan_u / 10000.0,
           e.cumulative_planned,
           COALESCE((SELECT st.status FROM targets_periodvalue st WHERE st.indicator_id = g.indicator_id
                     AND st.period_type = '{child_type}' AND st.period_start = g.status_child), 'none'),
           %(now)s
    FROM g
    JOIN targets_indicator i ON i.id = g.indicator_id
    JOIN targets_periodvalue e ON e.indicator_id = g.indicator_id
        AND e.period_type = '{child_type}' AND e.period_start = g.last_child AND {scope("e")}
    WHERE i.kind <> 'ratio'
    {UPSERT}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _ratio_sql(ids: list[int] | None, renew: list[int]) -> str:
    """Rows of ratio indicators (every period type) from their parts' rows: both parts'
    rows are read through the (indicator, …) index and paired by grouping."""
    percent = "CASE WHEN {d} > 0 THEN (2 * COALESCE({n}, 0) * 1000000 + {d}) / (2 * {d}) END"
    part = """
        SELECT r.id AS indicator_id, r.target_value, p.period_type, p.period_start, p.period_end,
               {role} AS is_numerator,
               CAST(ROUND(p.actual * 10000) AS BIGINT) AS actual_u,
               CAST(ROUND(p.cumulative_actual * 10000) AS BIGINT) AS cum_u
        FROM targets_indicator r
        JOIN targets_periodvalue p ON p.indicator_id = r.{column}
        WHERE r.kind = 'ratio' AND {where}
            AND p.period_end >= r.plan_start AND p.period_start <= r.plan_end
            AND (p.period_end >= %(start)s OR {renewed})"""
    where = _id_filter("r.id", ids)
    renewed = " OR ".join(_id_filter(f"r.{col}", renew) for col in ("id", "numerator_id", "denominator_id"))
    return f"""
    WITH parts AS (
        {part.format(role=1, column="numerator_id", where=where, renewed=renewed)}
        UNION ALL
        {part.format(role=0, column="denominator_id", where=where, renewed=renewed)}
    ),
    paired AS (
        SELECT indicator_id, period_type, period_start, period_end,
               CAST(ROUND(MAX(target_value) * 10000) AS BIGINT) AS target_u,
               MAX(CASE WHEN is_numerator = 1 THEN actual_u END) AS n_u,
               MAX(CASE WHEN is_numerator = 0 THEN actual_u END) AS d_u,
               MAX(CASE WHEN is_numerator = 1 THEN cum_u END) AS n_cum_u,
               MAX(CASE WHEN is_numerator = 0 THEN cum_u END) AS d_cum_u
        FROM parts
        GROUP BY indicator_id, period_type, period_start, period_end
        HAVING SUM(is_numerator) = 1 AND COUNT(*) = 2
    ),
    rates AS (
        SELECT p.*,
               {percent.format(n="p.n_u", d="p.d_u")} AS rate_u,
               {percent.format(n="p.n_cum_u", d="p.d_cum_u")} AS cum_rate_u
        FROM paired p
    )
    INSERT INTO targets_periodvalue ({COLUMNS})
    SELECT t.indicator_id, t.period_type, t.period_start, t.period_end,
           t.rate_u / 10000.0, t.cum_rate_u / 10000.0,
           COALESCE(t.target_u, 0) / 10000.0, COALESCE(t.target_u, 0) / 10000.0,
           CASE WHEN t.period_start > %(today)s THEN 'none'
                ELSE {_status_sql("t.cum_rate_u", "t.target_u")} END,
           %(now)s
    FROM rates t
    WHERE true
    {UPSERT}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _stale_sql(ids: list[int] | None) -> str:
    """Rows outside an indicator's plan period (its plan was shortened or moved)."""
    return f"""
    DELETE FROM targets_periodvalue
    WHERE {_id_filter("indicator_id", ids)} AND EXISTS (
        SELECT 1 FROM targets_indicator i
        WHERE i.id = targets_periodvalue.indicator_id
            AND (targets_periodvalue.period_end < i.plan_start
                 OR targets_periodvalue.period_start > i.plan_end)
    )"""  # noqa: S608 (only integer ids are interpolated)


def _with_dependent_ratios(ids: list[int]) -> list[int]:
    """The indicators and the ratios that use any of them as numerator or denominator."""
    ratios = Indicator.objects.filter(kind=Indicator.Kind.RATIO).filter(
        Q(numerator_id__in=ids) | Q(denominator_id__in=ids)
    )
    return sorted(set(ids) | set(ratios.values_list("id", flat=True)))


def _ensure_calendar(first: date, last: date) -> None:
    """Add calendar days outside the range the migration filled (rare: plans before 2000
    or after 2050)."""
    if first >= CALENDAR_FIRST and last <= CALENDAR_LAST:
        return
    fill_calendar(connection, first, last)


def fill_calendar(conn, first: date, last: date, batch: int = 500) -> None:
    """Insert the calendar days of [first, last] that are missing, 500 rows a statement."""
    adapt = conn.ops.adapt_datefield_value
    rows = [
        [adapt(value) if isinstance(value, date) else value for value in row]
        for row in periods.calendar_rows(first, last)
    ]
    with conn.cursor() as cursor:
        for offset in range(0, len(rows), batch):
            chunk = rows[offset : offset + batch]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            sql = f"INSERT INTO targets_calendar VALUES {values} ON CONFLICT (day) DO NOTHING"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _segment_rows(ids: list[int] | None) -> tuple[dict[int, list[tuple]], date | None, date | None]:
    """Each indicator's plan segments as table rows (ratios get one, only to notice a plan
    change), and the first and last day of all plans."""
    indicators = Indicator.objects.all() if ids is None else Indicator.objects.filter(id__in=ids)
    wanted: dict[int, list[tuple]] = {}
    first = last = None
    for pk, kind, start, end, weights in indicators.values_list(
        "id", "kind", "plan_start", "plan_end", "monthly_weights"
    ).order_by("id"):
        first = start if first is None else min(first, start)
        last = end if last is None else max(last, end)
        segments = plan.plan_segments(
            start,
            end,
            None if kind == Indicator.Kind.RATIO else weights,
            milestone=kind == Indicator.Kind.MILESTONE,
        )
        wanted[pk] = [
            (
                pk,
                segment.start,
                segment.end,
                segment.start.toordinal() - 1,
                segment.before,
                segment.weight,
                segment.days,
                segment.total_weight,
            )
            for segment in segments
        ]
    return wanted, first, last


def _sync_segments(ids: list[int] | None) -> list[int]:
    """Write the plan segments (``targets.plan.plan_segments``) of the indicators that
    changed since the last run; returns those indicators' ids (their plan period may have
    moved, leaving rows outside it)."""
    wanted, first, last = _segment_rows(ids)
    if first is not None:
        _ensure_calendar(first, last)
    stored: dict[int, list[tuple]] = {}
    with connection.cursor() as cursor:
        where = _id_filter("indicator_id", ids)
        columns = "indicator_id, seg_start, seg_end, n0, before_weight, weight, days, total_weight"
        sql = f"SELECT {columns} FROM targets_plan_segment WHERE {where} ORDER BY indicator_id, seg_start"  # noqa: S608
        cursor.execute(sql)
        for row in cursor.fetchall():
            stored.setdefault(row[0], []).append(tuple(str(value) for value in row))
        changed = [
            pk
            for pk, rows in wanted.items()
            if stored.get(pk) != [tuple(str(value) for value in row) for row in rows]
        ]
        gone = [pk for pk in stored if pk not in wanted]
        if changed or gone:
            cursor.execute(
                f"DELETE FROM targets_plan_segment WHERE {_id_filter('indicator_id', changed + gone)}"  # noqa: S608
            )
            adapt = connection.ops.adapt_datefield_value
            cursor.executemany(
                "INSERT INTO targets_plan_segment (indicator_id, seg_start, seg_end, n0, before_weight,"
                " weight, days, total_weight) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    [adapt(value) if isinstance(value, date) else value for value in row]
                    for pk in changed
                    for row in wanted[pk]
                ],
            )
    return changed


def _changes(cursor) -> int:
    """Rows the last statement inserted, changed or deleted (SQLite reports no rowcount
    for a statement that starts with WITH)."""
    if connection.vendor == "sqlite":
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]
    return max(cursor.rowcount, 0)


def refresh(
    indicator_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    today: date | None = None,
) -> int:
    """Recompute the ``PeriodValue`` rows of the given indicators (all when None) and of
    the ratios built on them, for every period that ends on or after ``start`` (from plan
    start when None). ``end`` is accepted for the callers' sake but a change on any day
    moves every later cumulative value, so rows are recomputed to the plan's end.
    ``today`` (default: today in Asia/Shanghai) decides which rows are in the future.
    Returns the number of rows written (inserted or changed)."""
    del end  # see the docstring: later cumulative values depend on every earlier day
    ids = None if indicator_ids is None else _with_dependent_ratios([int(pk) for pk in indicator_ids])
    ops = connection.ops
    green, yellow = plan.thresholds()
    params = {
        "start": ops.adapt_datefield_value(start or date.min),
        "start_prev": ops.adapt_datefield_value(start - timedelta(days=1) if start else date.min),
        "today": ops.adapt_datefield_value(today or timezone.localdate()),
        "now": ops.adapt_datetimefield_value(timezone.now()),
        "green": int(green * plan.SCALE),
        "yellow": int(yellow * plan.SCALE),
    }
    for period_type in AGGREGATES:
        params[f"{period_type}_from"] = ops.adapt_datefield_value(
            periods.period_start(period_type, start) if start else date.min
        )
    full = start is None
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sorts of a full rebuild (a million day rows) stay in memory; this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        moved = _sync_segments(ids)
        if moved:
            cursor.execute(_stale_sql(moved))
            written += _changes(cursor)
        # Indicators with a new or changed plan (or never rolled up) from their plan start.
        renew = [] if full else moved
        statements = [
            _day_sql(ids, renew, full=full, levels=False),
            _day_sql(ids, renew, full=full, levels=True),
            *(
                _aggregate_sql(period_type, child_type, ids, renew)
                for child_type, period_type in zip(periods.PERIOD_TYPES, AGGREGATES, strict=False)
            ),
            _ratio_sql(ids, renew),
        ]
        existing = PeriodValue.objects.all()
        if ids is not None:
            existing = existing.filter(indicator_id__in=ids)
        if full and not existing.exists():
            # A first build: nothing to conflict with, plain inserts are a third cheaper.
            statements = [sql.replace(UPSERT, "") for sql in statements]
        for sql in statements:
            cursor.execute(sql, params)
            written += _changes(cursor)
        cursor.execute(
            "INSERT INTO targets_rollup_state (id, refreshed_at) VALUES (1, %s)"
            " ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at",
            [timezone.now().astimezone(UTC).isoformat()],
        )
    return written


def latest_computed_at() -> datetime | None:
    """When the roll-up last ran (for "数据截至 …"): every figure saved before then is in
    the ``PeriodValue`` rows. None if it never ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT refreshed_at FROM targets_rollup_state WHERE id = 1")
        row = cursor.fetchone()
    return datetime.fromisoformat(row[0]) if row else None
