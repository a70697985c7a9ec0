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
  denominator's rows of the same period: ``cumulative_actual`` = numerator cumulative ÷
  denominator cumulative × 100, the rate to the period's end (a missing numerator counts
  as 0; NULL when the denominator is 0 or missing); ``actual`` is the same rate when
  either part has a figure in the period, else NULL (nothing reported in it). A rate of one period's
  parts alone would mix hazards found earlier and rectified in it with the period's own
  finds (113.6 % in a 旬), so a period's rate is, like a level, as at its end. Its
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
every later cumulative value — and leaves everything before ``start`` alone. For amounts
the days after ``end`` only move by the change, so they are shifted in one UPDATE
(``_shift_sql``) rather than recomputed. A row is written only when one of its values
changes, so re-running changes nothing (idempotent: identical rows, ``computed_at``
included) and ``computed_at`` is when the row last changed.

Rebuild: ``rebuild()`` (``manage.py rollup --full``, and the first roll-up) empties the
table and inserts every row plainly, with the indexes dropped and built again afterwards
on PostgreSQL; the nightly ``refresh()`` compares instead and never keeps readers waiting.
"""

from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q

from . import clock, periods, plan
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


def _write(select: str, *, plain: bool = False) -> str:
    """Write the rows ``select`` yields (the COLUMNS, in order) into PeriodValue: plainly
    into an emptied table (``plain``), else only where a figure changed (``UPSERT``)."""
    if plain:
        return f"INSERT INTO targets_periodvalue ({COLUMNS}) {select}"
    return f"INSERT INTO targets_periodvalue ({COLUMNS}) {select} WHERE true {UPSERT}"


def _status_sql(actual: str, planned: str) -> str:
    """SQL for ``plan.status`` on integer figures (1/10 000); %(green)s and %(yellow)s are
    the thresholds × 10 000."""
    actual, planned = f"({actual})", f"({planned})"
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


def _day_sql(
    ids: list[int] | None,
    renew: list[int],
    *,
    full: bool,
    levels: bool,
    until_end: bool = False,
    plain: bool = False,
) -> str:
    """Day rows of amount indicators (``levels=False``: one running sum, the bulk of the
    work) or of level and milestone indicators (``levels=True``: a running count of the
    entries, and the last value carried forward within each run of days). With
    ``until_end``, only the days up to ``%(end)s`` (the later ones are shifted by
    ``_shift_sql``), except for indicators renewed from their plan start."""
    kinds = "('level', 'milestone')" if levels else "('amount')"
    last_day = f"(c.day <= %(end)s OR {_id_filter('s.indicator_id', renew)})" if until_end else "1 = 1"
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
    if levels:
        # A milestone's 0 entries do not count: its running count is of the days marked done.
        value = "CASE WHEN s.kind = 'milestone' THEN NULLIF({v}, 0) ELSE {v} END"
        windows = "COUNT(d.v) OVER w AS grp"
        cumulative = """CASE WHEN r.kind = 'milestone' THEN
                            CASE WHEN r.done = 1 OR r.grp > 0 THEN 10000 ELSE 0 END
                        ELSE COALESCE(MAX(r.v) OVER (PARTITION BY r.indicator_id, r.grp), r.level_u) END"""
    else:
        value = "{v}"
        windows = "SUM(d.v) OVER w AS run_u"
        cumulative = "r.sum_u + COALESCE(r.run_u, 0)"
    value = value.format(v="CAST(ROUND(e.value * 10000) AS BIGINT)")
    segment_plan = """(2 * s.target_u * (g.before_weight * g.days + g.weight * ({j}))
                       + g.total_weight * g.days) / (2 * g.total_weight * g.days)"""
    select = f"""SELECT f.indicator_id, 'day' AS period_type, f.day AS period_start,
           f.day AS period_end,
           (CASE WHEN f.kind = 'milestone' THEN f.cum_u ELSE f.v END) / 10000.0 AS actual,
           f.cum_u / 10000.0 AS cumulative_actual,
           COALESCE(f.plan_u, 0) / 10000.0 AS planned,
           COALESCE(f.cum_plan_u, 0) / 10000.0 AS cumulative_planned,
           CASE WHEN f.day > %(today)s THEN 'none'
                ELSE {_status_sql("f.cum_u", "f.cum_plan_u")} END AS status,
           %(now)s AS computed_at
    FROM figures f"""  # noqa: S608 (only fixed names are interpolated)
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
        SELECT e.indicator_id, e.date AS day, {value} AS v
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
            AND {last_day}
        LEFT JOIN ent e ON e.indicator_id = s.indicator_id AND e.day = c.day
    ),
    runs AS (
        SELECT d.*, {windows}
        FROM days d
        WINDOW w AS (PARTITION BY d.indicator_id ORDER BY d.day ROWS UNBOUNDED PRECEDING)
    ),
    figures AS (
        SELECT r.indicator_id, r.day, r.cum_plan_u, r.cum_plan_u - r.prev_plan_u AS plan_u,
               CASE WHEN r.day < r.track THEN NULL ELSE {cumulative} END AS cum_u,
               r.v, r.kind
        FROM runs r
    )
    {_write(select, plain=plain)}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _shift_sql(ids: list[int], renew: list[int]) -> str:
    """After a change to an amount indicator's days ``%(start)s``–``%(end)s``, every later
    day's cumulative figure moves by the same amount: the new entries of those days minus
    the day rows' old figures. Shifts those later day rows in place (and judges their
    status again) instead of recomputing them; run before the days themselves are."""
    kept = f"NOT {_id_filter('i.id', renew)}" if renew else "1 = 1"  # renewed: recomputed whole
    cum_u = "CAST(ROUND(cumulative_actual * 10000) AS BIGINT) + d.u"
    # Without a target there is no plan to judge against (status "none").
    cum_plan_u = "CASE WHEN d.planned = 1 THEN CAST(ROUND(cumulative_planned * 10000) AS BIGINT) END"
    return f"""
    WITH scope AS (
        SELECT i.id AS indicator_id, COALESCE(i.tracking_start, i.plan_start) AS track,
               CASE WHEN i.plan_start > %(start)s THEN i.plan_start ELSE %(start)s END AS lo,
               CASE WHEN i.target_value IS NULL THEN 0 ELSE 1 END AS planned
        FROM targets_indicator i
        WHERE i.kind = 'amount' AND {_id_filter("i.id", ids)} AND {kept}
            AND i.plan_end > %(end)s
    ),
    entered AS (
        SELECT e.indicator_id, CAST(SUM(CAST(ROUND(e.value * 10000) AS BIGINT)) AS BIGINT) AS u
        FROM targets_entry e JOIN scope s ON s.indicator_id = e.indicator_id
        WHERE e.date >= s.track AND e.date >= s.lo AND e.date >= %(start)s AND e.date <= %(end)s
        GROUP BY e.indicator_id
    ),
    rolled AS (
        SELECT p.indicator_id, CAST(SUM(CAST(ROUND(p.actual * 10000) AS BIGINT)) AS BIGINT) AS u
        FROM targets_periodvalue p JOIN scope s ON s.indicator_id = p.indicator_id
        WHERE p.period_type = 'day' AND p.period_start >= s.lo AND p.period_start <= %(end)s
        GROUP BY p.indicator_id
    ),
    delta AS (
        SELECT s.indicator_id, s.planned, COALESCE(n.u, 0) - COALESCE(o.u, 0) AS u
        FROM scope s
        LEFT JOIN entered n ON n.indicator_id = s.indicator_id
        LEFT JOIN rolled o ON o.indicator_id = s.indicator_id
    )
    UPDATE targets_periodvalue SET
        cumulative_actual = ({cum_u}) / 10000.0,
        status = CASE WHEN period_start > %(today)s THEN 'none'
                      ELSE {_status_sql(cum_u, cum_plan_u)} END,
        computed_at = %(now)s
    FROM delta d
    WHERE targets_periodvalue.indicator_id = d.indicator_id AND d.u <> 0
        AND period_type = 'day' AND period_start > %(end)s AND cumulative_actual IS NOT NULL
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _least(*values: str) -> str:
    """SQL for the smallest of the values (dates here; none is NULL)."""
    function = "MIN" if connection.vendor == "sqlite" else "LEAST"
    return f"{function}({', '.join(values)})"


def _aggregate_sql(
    period_type: str, child_type: str, ids: list[int] | None, renew: list[int], *, plain: bool = False
) -> str:
    """旬/month/quarter/year rows of amount, level and milestone indicators, built in one
    grouping pass over the rows of the period type just below (day → 旬 → month → quarter
    → year: each level reads the small one under it, not the days again). Sums of the
    children; cumulative values from the last child (the one holding the period's last
    day in the plan); status from the child holding the period's as-of day (its last day
    in the plan, or today if earlier), whose own status was judged on that same day."""
    first, last = f"c.{period_type}_start", f"c.{period_type}_end"
    last_day = _least(last, "i.plan_end")
    as_of = _least(last, "i.plan_end", "%(today)s")
    # The children to read: the given indicators, from the first recomputed period on
    # (a range on the unique index). The ids are repeated on the indicator side so the
    # planner looks up those few indicators instead of merging with all of them.
    since = f"ch.period_start >= %({period_type}_from)s"
    if renew:
        since = f"({since} OR {_id_filter('ch.indicator_id', renew)})"
    select = f"""SELECT g.indicator_id, '{period_type}' AS period_type,
           g.ps AS period_start, g.pe AS period_end,
           CASE WHEN g.kind = 'amount' THEN g.sum_u / 10000.0
                WHEN g.kind = 'level' AND g.n_actual = 0 THEN NULL
                ELSE g.cum_actual END AS actual,
           g.cum_actual AS cumulative_actual,
           g.plan_u / 10000.0 AS planned,
           g.cum_planned AS cumulative_planned,
           COALESCE(g.status, 'none') AS status,
           %(now)s AS computed_at
    FROM g"""  # noqa: S608 (only fixed names are interpolated)
    return f"""
    WITH g AS (
        SELECT ch.indicator_id, i.kind, {first} AS ps, {last} AS pe,
               SUM(CAST(ROUND(ch.planned * 10000) AS BIGINT)) AS plan_u,
               SUM(CAST(ROUND(ch.actual * 10000) AS BIGINT)) AS sum_u,
               COUNT(ch.actual) AS n_actual,
               MAX(CASE WHEN ch.period_end >= {last_day} THEN ch.cumulative_actual END) AS cum_actual,
               MAX(CASE WHEN ch.period_end >= {last_day} THEN ch.cumulative_planned END) AS cum_planned,
               MAX(CASE WHEN ch.period_start <= {as_of} AND ch.period_end >= {as_of}
                        THEN ch.status END) AS status
        FROM targets_periodvalue ch
        JOIN targets_calendar c ON c.day = ch.period_start
        JOIN targets_indicator i ON i.id = ch.indicator_id
        WHERE ch.period_type = '{child_type}' AND i.kind <> 'ratio'
            AND {_id_filter("ch.indicator_id", ids)} AND {_id_filter("i.id", ids)} AND {since}
        GROUP BY ch.indicator_id, i.kind, {first}, {last}
    )
    {_write(select, plain=plain)}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _ratio_sql(ids: list[int] | None, renew: list[int], *, plain: bool = False) -> str:
    """Rows of ratio indicators (every period type) from their parts' rows of the same
    period, both read through the (indicator, period type, start) index."""
    percent = "CASE WHEN {d} > 0 THEN (2 * COALESCE({n}, 0) * 1000000 + {d}) / (2 * {d}) END"
    renewed = " OR ".join(_id_filter(f"r.{col}", renew) for col in ("id", "numerator_id", "denominator_id"))
    types = ", ".join(f"'{period_type}'" for period_type in periods.PERIOD_TYPES)
    select = f"""SELECT t.indicator_id, t.period_type, t.period_start, t.period_end,
           CASE WHEN t.reported THEN t.cum_rate_u / 10000.0 END AS actual,
           t.cum_rate_u / 10000.0 AS cumulative_actual,
           COALESCE(t.target_u, 0) / 10000.0 AS planned,
           COALESCE(t.target_u, 0) / 10000.0 AS cumulative_planned,
           CASE WHEN t.period_start > %(today)s THEN 'none'
                ELSE {_status_sql("t.cum_rate_u", "t.target_u")} END AS status,
           %(now)s AS computed_at
    FROM rates t"""  # noqa: S608 (only fixed names are interpolated)
    return f"""
    WITH paired AS (
        SELECT r.id AS indicator_id, n.period_type, n.period_start, n.period_end,
               CAST(ROUND(r.target_value * 10000) AS BIGINT) AS target_u,
               (n.actual IS NOT NULL OR d.actual IS NOT NULL) AS reported,
               CAST(ROUND(n.cumulative_actual * 10000) AS BIGINT) AS n_cum_u,
               CAST(ROUND(d.cumulative_actual * 10000) AS BIGINT) AS d_cum_u
        FROM targets_indicator r
        JOIN targets_periodvalue n ON n.indicator_id = r.numerator_id AND n.period_type IN ({types})
        JOIN targets_periodvalue d ON d.indicator_id = r.denominator_id
            AND d.period_type = n.period_type AND d.period_start = n.period_start
        WHERE r.kind = 'ratio' AND {_id_filter("r.id", ids)}
            AND n.period_end >= r.plan_start AND n.period_start <= r.plan_end
            -- A period ending on or after the start began in the start's year at the earliest.
            AND (n.period_end >= %(start)s AND n.period_start >= %(year_from)s OR {renewed})
    ),
    rates AS (
        SELECT p.*,
               {percent.format(n="p.n_cum_u", d="p.d_cum_u")} AS cum_rate_u
        FROM paired p
    )
    {_write(select, plain=plain)}
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


def _params(start: date | None, today: date | None, end: date | None = None) -> dict:
    ops = connection.ops
    green, yellow = plan.thresholds()
    params = {
        "start": ops.adapt_datefield_value(start or date.min),
        "end": ops.adapt_datefield_value(end or date.max),
        "start_prev": ops.adapt_datefield_value(start - timedelta(days=1) if start else date.min),
        "today": ops.adapt_datefield_value(today or clock.today()),
        "now": ops.adapt_datetimefield_value(clock.now()),
        "green": int(green * plan.SCALE),
        "yellow": int(yellow * plan.SCALE),
    }
    for period_type in AGGREGATES:
        params[f"{period_type}_from"] = ops.adapt_datefield_value(
            periods.period_start(period_type, start) if start else date.min
        )
    return params


def _statements(
    ids: list[int] | None, renew: list[int], *, full: bool, shift: bool = False, plain: bool = False
) -> list[str]:
    """The roll-up in order: day rows, then each period type from the one below, then the
    ratios from their parts' rows. With ``shift``, amounts' days after ``%(end)s`` are
    shifted rather than recomputed. With ``plain``, rows are inserted without looking
    for stored ones (the table was emptied)."""
    return [
        *([_shift_sql(ids, renew)] if shift else []),
        _day_sql(ids, renew, full=full, levels=False, until_end=shift, plain=plain),
        _day_sql(ids, renew, full=full, levels=True, plain=plain),
        *(
            _aggregate_sql(period_type, child_type, ids, renew, plain=plain)
            for child_type, period_type in zip(periods.PERIOD_TYPES, AGGREGATES, strict=False)
        ),
        _ratio_sql(ids, renew, plain=plain),
    ]


def _tune(cursor) -> None:
    """PostgreSQL settings for this transaction only: sorts of a full build (a million day
    rows) stay in memory, and no JIT compilation (it costs more than it saves here)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")


def _mark_refreshed(cursor) -> None:
    cursor.execute(
        "INSERT INTO targets_rollup_state (id, refreshed_at) VALUES (1, %s)"
        " ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at",
        [clock.now().astimezone(UTC).isoformat()],
    )


def refresh(
    indicator_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    today: date | None = None,
) -> int:
    """Recompute the ``PeriodValue`` rows of the given indicators (all when None) and of
    the ratios built on them, for every period that ends on or after ``start`` (from plan
    start when None). A change on a day moves every later cumulative value: when the
    changed days end at ``end``, the later day rows of amounts are shifted by the change
    (the rest is recomputed to the plan's end); without ``end`` everything is recomputed.
    ``today`` (default: the product's today, ``targets.clock``) decides which rows are in the future.
    Only rows whose figures change are written, so readers are never kept waiting.
    Returns the number of rows written (inserted or changed)."""
    full = start is None
    if indicator_ids is None and full and not PeriodValue.objects.exists():
        return rebuild(today=today)  # a first build: nothing to compare with
    ids = None if indicator_ids is None else _with_dependent_ratios([int(pk) for pk in indicator_ids])
    shift = ids is not None and start is not None and end is not None and end >= start
    params = _params(start, today, end)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if full:
            _tune(cursor)
        moved = _sync_segments(ids)
        if moved:
            cursor.execute(_stale_sql(moved))
            written += _changes(cursor)
        # Indicators with a new or changed plan (or never rolled up) from their plan start.
        renew = [] if full else moved
        for sql in _statements(ids, renew, full=full, shift=shift):
            cursor.execute(sql, params)
            written += _changes(cursor)
        _mark_refreshed(cursor)
    return written


def rebuild(*, today: date | None = None, progress=None) -> int:
    """Rebuild every ``PeriodValue`` row from the entries (``manage.py rollup --full``, and
    the first roll-up): empty the table, insert plainly, no comparison with old rows.
    On PostgreSQL the table's indexes are dropped first and built again at the end, as
    the manual advises for bulk loading (a third of the time of keeping them up to date).
    One transaction: nothing is half-built for readers; on PostgreSQL they wait for the
    commit (TRUNCATE locks the table). ``progress(step)`` is called after each step.
    Returns the number of rows written."""
    params = _params(None, today)
    postgres = connection.vendor == "postgresql"
    *statements, ratios = _statements(None, [], full=True, plain=True)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _tune(cursor)
        _sync_segments(None)
        if postgres:
            cursor.execute("TRUNCATE targets_periodvalue")
            indexes = _drop_indexes(cursor)
        else:
            cursor.execute("DELETE FROM targets_periodvalue")
            indexes = []
        for sql in statements:
            cursor.execute(sql, params)
            written += _changes(cursor)
            if progress:
                progress(1)
        for sql in indexes:
            cursor.execute(sql)
        cursor.execute(ratios, params)  # few rows, read from their parts through the index
        written += _changes(cursor)
        _mark_refreshed(cursor)
        if progress:
            progress(1)
    return written


REBUILD_STEPS = len(AGGREGATES) + 3  # two day statements, the aggregates, then indexes and ratios


def _drop_indexes(cursor) -> list[str]:
    """Drop PeriodValue's constraints and indexes (PostgreSQL); returns the statements that
    create them again exactly as they were."""
    table = PeriodValue._meta.db_table
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
        [table],
    )
    names = {name for name, _ in constraints}
    indexes = [(name, definition) for name, definition in cursor.fetchall() if name not in names]
    for name, _ in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    add = f"ALTER TABLE {quote(table)} ADD CONSTRAINT"
    return [f"{add} {quote(name)} {definition}" for name, definition in constraints] + [
        definition for _, definition in indexes
    ]


def latest_computed_at() -> datetime | None:
    """When the roll-up last ran (for "计算于 …"; "数据截至" is the as-of day): every
    figure saved before then is in the ``PeriodValue`` rows. None if it never ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT refreshed_at FROM targets_rollup_state WHERE id = 1")
        row = cursor.fetchone()
    return datetime.fromisoformat(row[0]) if row else None
