"""Roll-ups: daily entries → ``PeriodValue`` rows (旬, month, quarter, year), and the one
function that reads a day (``day_values``).

Set-based SQL that runs unchanged on SQLite and PostgreSQL: a handful of
``INSERT … SELECT … ON CONFLICT (indicator_id, period_type, period_start) DO UPDATE``
statements per refresh, whatever the number of entries. Figures travel through SQL as
integers of 1/10 000 (``ROUND(value * 10000)``): SQLite stores DECIMAL as a float, so this
keeps every sum exact on both databases. Days are grouped into periods by joining the
calendar table ``targets_calendar`` (migration 0002).

**What is stored.** ``PeriodValue`` holds 旬, month, quarter and year rows for every period
overlapping each indicator's plan (``period_start``/``period_end`` are the calendar
period's). The day level is not copied (writing it cost about twice the whole roll-up):
``day_values(ids, first, last)`` reads any day from the entries, the plan segments and
the stored 旬 row before that day's 旬, with the fields a day row would have. Every page,
the API (``period=day``) and every export read days through it, so the figures agree to
the last digit with the periods they add up to (migration 0007 deleted the old day rows).

What a row holds (figures in the indicator's unit, 4 places):

- ``planned``: the plan of the period's days inside the plan period (``targets.plan``):
  the cumulative plan at the period's last day in the plan minus the one on the day
  before its first, so 旬, month, quarter and year plans are sums of day plans;
  ``cumulative_planned``: the plan from plan start to the period's last day in the plan.
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
figures up to today, not on its full plan). Periods and days after today have status
"none". A day read through ``day_values`` is judged on that day. Because status depends
on today, the nightly refresh moves it on.

What it is compared with: the cumulative actual as of the as-of day against the
cumulative plan to the indicator's *last report day* on or before it (``_report_n``). A
daily indicator reports every day, so that is the as-of day itself; a weekly one's is the
last Sunday, a 旬 one's the last 旬 end, a monthly one's the last month end, and the plan's
last day is a report day of every cadence. So between two reports an indicator is judged
on where its last report left it (a monthly figure on plan on 31 October is on time all
November, one missing or short is behind from its report day on), never against days it
does not report yet. A report day before the plan starts plans 0: before its first
report an indicator has no status unless it already has a figure. The calendar table
holds each day's last Sunday, 旬 end and month end (migration 0015). Milestones are judged
on the day (a done day is any day), ratios against their target rate. A sum adds up its
parts' plans each to its own last report day (its parts' cadences decide; a sum is never
reported itself), so a sum of monthly parts is judged on month ends and one of parts of
mixed cadences fairly on each. ``planned`` and ``cumulative_planned`` stay the plan to the
period's last day (or the day): the percentages pages show are unchanged, only the
status rests on the report day.

Incremental: ``refresh(ids, start, end)`` recomputes the given indicators (and the sums
and ratios built on them) from the 旬 holding ``start`` on, on top of the stored 旬 row
before it, and leaves everything before alone. A change on one day moves every later
cumulative value: levels, milestones, sums and ratios are recomputed to the end of their
plan period; an amount's entries are read again only for the window from ``start`` to
the 旬 holding ``end`` (or today's, when today lies in its plan after it), and its
rows after the window, of every period type, are shifted by the change of its
cumulative actual at the window's end and judged again (``_shift_sql``): their own
figures and plans did not change. A row is written only when one of its values changes, so
re-running changes nothing (idempotent: identical rows, ``computed_at`` included) and
``computed_at`` is when the row last changed. Refreshes that touch the same indicator
never interleave: each takes a transaction-level advisory lock per indicator, in id
order, on PostgreSQL (``_lock``); a refresh reads stored rows (the 旬 before its first
one, a month's 旬) that another one may be rewriting.

Rebuild: ``rebuild()`` (``manage.py rollup --full``, and the first roll-up) empties the
table and inserts every row plainly, with the indexes dropped and built again afterwards
on PostgreSQL; the nightly ``refresh()`` compares instead and never keeps readers waiting.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from . import clock, periods, plan
from .models import Entry, Indicator, PeriodValue

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


def _plan_filter(plan_id: int | None) -> str:
    """SQL keeping one plan's indicators (alias ``i``), or all of them."""
    return "1 = 1" if plan_id is None else f"i.plan_id = {int(plan_id)}"


def _least(*values: str) -> str:
    """SQL for the smallest of the values (dates here; none is NULL)."""
    function = "MIN" if connection.vendor == "sqlite" else "LEAST"
    return f"{function}({', '.join(values)})"


def _greatest(*values: str) -> str:
    """SQL for the largest of the values (dates here; none is NULL)."""
    function = "MAX" if connection.vendor == "sqlite" else "GREATEST"
    return f"{function}({', '.join(values)})"


UNITS = "CAST(ROUND({} * 10000) AS BIGINT)"  # a figure in 1/10 000
TARGET_U = f"CASE WHEN i.kind = 'milestone' THEN 10000 ELSE {UNITS.format('i.target_value')} END"


def _plan_sql(segment: str, j: str, target: str = "s.target_u") -> str:
    """SQL for the cumulative plan (1/10 000) on the j-th day of a plan segment (j = 0: the
    day before it), as ``targets.plan.segment_cumulative``; NULL without a target."""
    g = segment
    return f"""((2 * {target} * ({g}.before_weight * {g}.days + {g}.weight * ({j}))
               + {g}.total_weight * {g}.days) / (2 * {g}.total_weight * {g}.days))"""


def _report_n(kind: str, cadence: str, plan_end: str, calendar: str | None = None) -> str:
    """SQL for the ordinal of the day a status is judged on the plan to, for a row judged
    on a day (the calendar row ``calendar``, or today when None): that day itself for a
    daily indicator, a milestone and on the plan's last day; else the last day on or
    before it that ends a period of the indicator's cadence (a Sunday, a 旬's or a
    month's last day), where its last report was due."""
    if calendar is None:
        day, n = "%(today)s", "%(n_today)s"
        ends = ("%(n_today_weekly)s", "%(n_today_dekad)s", "%(n_today_monthly)s")
    else:
        day, n = f"{calendar}.day", f"{calendar}.n"
        ends = tuple(
            f"{calendar}.{column}" for column in ("last_sunday_n", "last_dekad_end_n", "last_month_end_n")
        )
    weekly, dekadal, monthly = ends
    return f"""(CASE WHEN {kind} = 'milestone' OR {day} >= {plan_end} THEN {n}
        WHEN {cadence} = '{periods.WEEKLY}' THEN {weekly}
        WHEN {cadence} = '{periods.DEKADAL}' THEN {dekadal}
        WHEN {cadence} = '{periods.MONTHLY}' THEN {monthly}
        ELSE {n} END)"""


def _report_segment(alias: str, indicator: str, report_n: str) -> str:
    """SQL joining the indicator's plan segment that holds the report day ``report_n`` (none
    before the plan starts), as ``alias``."""
    return f"""LEFT JOIN targets_plan_segment {alias} ON {alias}.indicator_id = {indicator}
            AND {alias}.n0 < {report_n} AND {alias}.n0 + {alias}.days >= {report_n}"""


def _judged_plan_sql(
    report_n: str, n: str, cum_plan: str, target: str, *, segment: str = "", indicator: str = ""
) -> str:
    """SQL for the cumulative plan (1/10 000) a status compares with: the plan to the
    report day ``report_n`` (``_report_n``) — ``cum_plan``, the plan to the row's day
    ``n``, when that is the report day; else from the plan segment holding the report day,
    joined as ``segment`` (``_report_segment``) or, with ``indicator``, looked up by a
    subquery that runs only for the rows of an indicator between two reports (the full
    build: no join over every 旬 of every indicator; PostgreSQL prices a subquery per use
    and per row, which sends a read of every indicator to JIT, so the reads join); 0
    before the plan starts, NULL without a target."""
    if segment:
        between = f"""CASE WHEN {segment}.indicator_id IS NULL THEN 0
            ELSE {_plan_sql(segment, f"{report_n} - {segment}.n0", target)} END"""
    else:
        between = f"""COALESCE((SELECT {_plan_sql("gr", f"{report_n} - gr.n0", target)}
            FROM targets_plan_segment gr
            WHERE gr.indicator_id = {indicator} AND gr.n0 < {report_n}
                AND gr.n0 + gr.days >= {report_n}), 0)"""  # noqa: S608 (fixed names)
    return f"""CASE WHEN {report_n} = {n} THEN {cum_plan} WHEN {target} IS NULL THEN NULL
        ELSE {between} END"""


def _dekad_sql(
    ids: list[int] | None, renew: list[int], *, full: bool, levels: bool, plain: bool = False
) -> str:
    """旬 rows of amount indicators (``levels=False``: a sum per 旬 and one running sum) or of
    level and milestone indicators (``levels=True``: the last value of each 旬 carried
    forward, a milestone's done day), straight from the entries grouped by 旬 (one pass)
    and the plan segments: a 旬's plan is the cumulative plan at its last day in the plan
    minus the one on the day before its first, so it is exactly the sum of its days' plans.

    The 旬 holding today is judged on its figures so far: the cumulative actual up to today
    (the 旬's entries up to today) against the cumulative plan to the last report day on or
    before today; a past 旬, its cumulative actual against the plan to the last report day
    on or before its last day in the plan (``_report_n``).

    Without ``full``, from the 旬 holding ``%(start)s`` on (``%(dekad_from)s``), on top of
    the stored 旬 row before it (``%(prev_dekad)s``); indicators in ``renew`` (and plans that
    start later) from their plan start. Amounts recomputed from ``start`` stop at the end
    of the window (``%(window_to)s``, ``refresh``): their later rows are shifted."""
    kinds = "('level', 'milestone')" if levels else "('amount')"
    if full:
        whole, in_range = "1", "1 = 1"
    else:
        whole = f"CASE WHEN i.plan_start > %(start)s OR {_id_filter('i.id', renew)} THEN 1 ELSE 0 END"
        in_range = f"(i.plan_end >= %(start)s OR {_id_filter('i.id', renew)})"
    # The last 旬 to recompute: the plan's, or for amounts recomputed from ``start`` the
    # window's (``%(window_to)s``; the rows after it are shifted, ``_shift_sql``).
    hi = "i.plan_end"
    if not (full or levels):
        hi = f"CASE WHEN {whole} = 1 THEN i.plan_end ELSE {_least('i.plan_end', '%(window_to)s')} END"
    if full:
        base = "SELECT indicator_id, opening_u AS base_u, 0 AS base_done FROM scope"
    else:
        # What was tracked before the first recomputed 旬: the stored 旬 row before it
        # (running sum, level, done or not). One index lookup per indicator.
        base = f"""
        SELECT s.indicator_id, COALESCE({UNITS.format("p.cumulative_actual")}, s.opening_u) AS base_u,
               CASE WHEN p.cumulative_actual > 0 THEN 1 ELSE 0 END AS base_done
        FROM scope s
        LEFT JOIN targets_periodvalue p ON p.indicator_id = s.indicator_id AND p.period_type = 'dekad'
            AND p.period_start = %(prev_dekad)s AND s.whole = 0"""  # noqa: S608 (fixed names)
    first_day = _greatest("c.day", "s.plan_start")
    # The days the statuses are judged on the plan to: a 旬's last day in the plan, or
    # today for the 旬 in progress, moved back to the last report day of the cadence.
    last_n = _report_n("s.kind", "s.cadence", "s.plan_end", "cl")
    today_n = "s.today_n"
    cum_plan = _plan_sql("gl", "cl.n - gl.n0")
    n_first = "CASE WHEN c.day >= s.plan_start THEN c.n ELSE s.n_plan_start END"
    value = UNITS.format("e.value")
    if full:  # every entry: grouped into 旬 through the calendar (one hash join)
        ps = "c.dekad_start"
        entries_from = """FROM targets_entry e
        JOIN scope s ON s.indicator_id = e.indicator_id
        JOIN targets_calendar c ON c.day = e.date
        WHERE e.date >= s.track AND e.date >= s.lo AND e.date <= s.plan_end"""
    else:  # a few indicators: each 旬's entries read by range, through the unique index
        ps = "f.ps"
        entries_from = """FROM frame f
        JOIN targets_entry e ON e.indicator_id = f.indicator_id
            AND e.date >= f.first_day AND e.date <= f.last_day AND e.date >= f.track"""
    partial = "SELECT indicator_id, 0 AS today_u FROM scope WHERE 1 = 0"
    if levels:
        ent = f"""
        SELECT x.indicator_id, x.ps, COUNT(*) AS n,
               MAX(CASE WHEN x.rn = 1 THEN x.v END) AS last_u,
               MAX(CASE WHEN x.rn_today = 1 AND x.day <= %(today)s THEN x.v END) AS today_u,
               MAX(CASE WHEN x.v <> 0 THEN 1 ELSE 0 END) AS done,
               MAX(CASE WHEN x.v <> 0 AND x.day <= %(today)s THEN 1 ELSE 0 END) AS done_today
        FROM (
            SELECT e.indicator_id, {ps} AS ps, e.date AS day, {value} AS v,
                   ROW_NUMBER() OVER (PARTITION BY e.indicator_id, {ps} ORDER BY e.date DESC) AS rn,
                   ROW_NUMBER() OVER (
                       PARTITION BY e.indicator_id, {ps},
                                    CASE WHEN e.date <= %(today)s THEN 1 ELSE 0 END
                       ORDER BY e.date DESC) AS rn_today
            {entries_from}
        ) x
        GROUP BY x.indicator_id, x.ps"""  # noqa: S608 (only fixed names are interpolated)
        runs = """
        SELECT f.*, b.base_u, b.base_done, n.n, n.last_u, n.today_u,
               COALESCE(n.done_today, 0) AS done_today,
               COUNT(n.last_u) OVER w AS grp,
               MAX(COALESCE(n.done, 0)) OVER w AS done_run,
               COALESCE(MAX(COALESCE(n.done, 0)) OVER (PARTITION BY f.indicator_id ORDER BY f.ps
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS done_before
        FROM frame f
        JOIN base b ON b.indicator_id = f.indicator_id
        LEFT JOIN ent n ON n.indicator_id = f.indicator_id AND n.ps = f.ps
        WINDOW w AS (PARTITION BY f.indicator_id ORDER BY f.ps ROWS UNBOUNDED PRECEDING)"""
        figures = """
        SELECT c.indicator_id, c.ps, c.pe, c.first_day, c.last_day,
               c.cum_plan_u, c.prev_plan_u, c.today_plan_u, c.judged_plan_u,
               CASE WHEN c.kind = 'milestone' THEN c.cum_u WHEN c.n > 0 THEN c.last_u END AS actual_u,
               c.cum_u,
               CASE WHEN %(today)s < c.track THEN NULL
                    WHEN c.kind = 'milestone' THEN
                        CASE WHEN c.base_done = 1 OR c.done_before = 1 OR c.done_today = 1
                             THEN 10000 ELSE 0 END
                    ELSE COALESCE(c.today_u, LAG(c.level_u) OVER (PARTITION BY c.indicator_id ORDER BY c.ps),
                                  c.base_u) END AS today_cum_u
        FROM (
            SELECT r.*,
                   CASE WHEN r.last_day < r.track THEN NULL
                        WHEN r.kind = 'milestone' THEN
                            CASE WHEN r.base_done = 1 OR r.done_run = 1 THEN 10000 ELSE 0 END
                        ELSE COALESCE(MAX(r.last_u) OVER (PARTITION BY r.indicator_id, r.grp), r.base_u)
                   END AS cum_u,
                   COALESCE(MAX(r.last_u) OVER (PARTITION BY r.indicator_id, r.grp), r.base_u) AS level_u
            FROM runs r
        ) c"""
    else:
        ent = f"""
        SELECT e.indicator_id, {ps} AS ps, CAST(SUM({value}) AS BIGINT) AS sum_u
        {entries_from}
        GROUP BY e.indicator_id, {ps}"""
        # The 旬 holding today, up to today (judged on its days so far): a short range of
        # each indicator's entries, apart from the one pass over all of them above.
        partial = f"""
        SELECT e.indicator_id, CAST(SUM({value}) AS BIGINT) AS today_u
        FROM scope s
        JOIN targets_entry e ON e.indicator_id = s.indicator_id
            AND e.date >= %(today_dekad)s AND e.date <= %(today)s
            AND e.date >= s.track AND e.date >= s.plan_start AND e.date <= s.plan_end
        GROUP BY e.indicator_id"""  # noqa: S608 (only fixed names are interpolated)
        runs = """
        SELECT f.*, b.base_u, n.sum_u, t.today_u, SUM(n.sum_u) OVER w AS run_u
        FROM frame f
        JOIN base b ON b.indicator_id = f.indicator_id
        LEFT JOIN ent n ON n.indicator_id = f.indicator_id AND n.ps = f.ps
        LEFT JOIN partial t ON t.indicator_id = f.indicator_id AND f.ps = %(today_dekad)s
        WINDOW w AS (PARTITION BY f.indicator_id ORDER BY f.ps ROWS UNBOUNDED PRECEDING)"""  # noqa: S608
        figures = """
        SELECT r.indicator_id, r.ps, r.pe, r.first_day, r.last_day,
               r.cum_plan_u, r.prev_plan_u, r.today_plan_u, r.judged_plan_u, r.sum_u AS actual_u,
               CASE WHEN r.last_day < r.track THEN NULL ELSE r.base_u + COALESCE(r.run_u, 0) END AS cum_u,
               CASE WHEN %(today)s < r.track THEN NULL
                    ELSE r.base_u + COALESCE(r.run_u, 0) - COALESCE(r.sum_u, 0) + COALESCE(r.today_u, 0)
               END AS today_cum_u
        FROM runs r"""
    select = f"""SELECT f.indicator_id, 'dekad' AS period_type, f.ps AS period_start, f.pe AS period_end,
           f.actual_u / 10000.0 AS actual, f.cum_u / 10000.0 AS cumulative_actual,
           COALESCE(f.cum_plan_u - f.prev_plan_u, 0) / 10000.0 AS planned,
           COALESCE(f.cum_plan_u, 0) / 10000.0 AS cumulative_planned,
           CASE WHEN f.first_day > %(today)s THEN 'none'
                WHEN f.last_day <= %(today)s THEN {_status_sql("f.cum_u", "f.judged_plan_u")}
                ELSE {_status_sql("f.today_cum_u", "f.today_plan_u")} END AS status,
           %(now)s AS computed_at
    FROM figures f"""  # noqa: S608 (only fixed names are interpolated)
    return f"""
    WITH scope AS (
        SELECT i.id AS indicator_id, i.kind AS kind, i.cadence AS cadence,
               i.plan_start AS plan_start, i.plan_end AS plan_end,
               COALESCE(i.tracking_start, i.plan_start) AS track,
               {UNITS.format("COALESCE(i.opening_value, 0)")} AS opening_u,
               {TARGET_U} AS target_u,
               {whole} AS whole,
               {_report_n("i.kind", "i.cadence", "i.plan_end")} AS today_n,
               CASE WHEN {whole} = 1 THEN cs.dekad_start ELSE %(dekad_from)s END AS lo,
               {hi} AS hi,
               cs.n AS n_plan_start
        FROM targets_indicator i
        JOIN targets_calendar cs ON cs.day = i.plan_start
        WHERE i.kind IN {kinds} AND {_id_filter("i.id", ids)} AND {in_range}
    ),
    frame AS (
        SELECT s.indicator_id, s.kind, s.track, c.dekad_start AS ps, c.dekad_end AS pe,
               {first_day} AS first_day, cl.day AS last_day,
               {cum_plan} AS cum_plan_u,
               {_plan_sql("gf", f"{n_first} - gf.n0 - 1")} AS prev_plan_u,
               CASE WHEN s.target_u IS NULL THEN NULL WHEN gt.indicator_id IS NULL THEN 0
                    ELSE {_plan_sql("gt", f"{today_n} - gt.n0")} END AS today_plan_u,
               {_judged_plan_sql(last_n, "cl.n", cum_plan, "s.target_u", indicator="s.indicator_id")}
                   AS judged_plan_u
        FROM scope s
        JOIN targets_calendar c ON c.day >= s.lo AND c.day <= s.hi AND c.day = c.dekad_start
            AND c.day >= %(frame_from)s AND c.day <= %(frame_to)s
        JOIN targets_calendar cl ON cl.day = {_least("c.dekad_end", "s.plan_end")}
        JOIN targets_plan_segment gl ON gl.indicator_id = s.indicator_id
            AND gl.seg_start <= cl.day AND gl.seg_end >= cl.day
        JOIN targets_plan_segment gf ON gf.indicator_id = s.indicator_id
            AND gf.seg_start <= {first_day} AND gf.seg_end >= {first_day}
        LEFT JOIN targets_plan_segment gt ON gt.indicator_id = s.indicator_id
            AND gt.n0 < {today_n} AND gt.n0 + gt.days >= {today_n}
            AND c.day <= %(today)s AND c.dekad_end > %(today)s
    ),
    ent AS ({ent}),
    partial AS MATERIALIZED ({partial}),
    base AS MATERIALIZED ({base}),
    runs AS ({runs}),
    figures AS ({figures})
    {_write(select, plain=plain)}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _aggregate_sql(
    period_type: str,
    child_type: str,
    ids: list[int] | None,
    renew: list[int],
    *,
    plain: bool = False,
    shifted: list[int] = (),
) -> str:
    """旬/month/quarter/year rows of amount, level and milestone indicators, built in one
    grouping pass over the rows of the period type just below (day → 旬 → month → quarter
    → year: each level reads the small one under it, not the days again). Sums of the
    children; cumulative values from the last child (the one holding the period's last
    day in the plan); status from the child holding the period's as-of day (its last day
    in the plan, or today if earlier), whose own status was judged on that same day.
    Indicators in ``shifted`` up to the period holding the window's end (their later
    periods were shifted, ``_shift_sql``)."""
    first, last = f"c.{period_type}_start", f"c.{period_type}_end"
    last_day = _least(last, "i.plan_end")
    as_of = _least(last, "i.plan_end", "%(today)s")
    # The children to read: the given indicators, from the first recomputed period on
    # (a range on the unique index). The ids are repeated on the indicator side so the
    # planner looks up those few indicators instead of merging with all of them.
    since = f"ch.period_start >= %({period_type}_from)s"
    if renew:
        since = f"({since} OR {_id_filter('ch.indicator_id', renew)})"
    if shifted:
        others = f"NOT {_id_filter('ch.indicator_id', list(shifted))}"
        since += f" AND ({first} <= %({period_type}_to)s OR {others})"
    select = f"""SELECT g.indicator_id, '{period_type}' AS period_type,
           g.ps AS period_start, g.pe AS period_end,
           CASE WHEN g.kind IN ('amount', 'sum') THEN g.sum_u / 10000.0
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


def _sum_sql(ids: list[int] | None, renew: list[int], *, plain: bool = False) -> str:
    """旬 rows of sum indicators (汇总) from their parts' 旬 rows of the same 旬, in one
    grouping pass: ``actual``, ``planned`` and ``cumulative_planned`` are the parts' added
    up; ``cumulative_actual`` too when every part has one (NULL otherwise: an unknown part
    makes the total unknown). The longer periods are then built from these 旬 like an
    amount's (``_aggregate_sql``), so every period of a sum is exactly its parts' sum.

    The 旬 holding today is judged on its figures so far, as a part's: each part's
    cumulative actual at today (its 旬 figure less its entries after today) against its
    cumulative plan to its own last report day on or before today, added up (a past 旬:
    on or before its last day). Without a target on some part the sum has no plan to
    compare with (status "none").

    From the 旬 holding ``%(start)s`` on; sums in ``renew`` (a part's plan changed) whole."""
    since = f"(p.period_end >= %(start)s OR {_id_filter('m.indicator_id', renew)})"
    value = UNITS.format("e.value")
    in_progress = "p.period_start <= %(today)s AND p.period_end > %(today)s AND m.plan_end > %(today)s"
    # Each part is judged on the plan to its own last report day (its cadence's).
    last_n = _report_n("i.kind", "i.cadence", "m.plan_end", "cl")
    cum_plan = UNITS.format("p.cumulative_planned")
    today_n = _report_n("i.kind", "i.cadence", "m.plan_end")
    select = f"""SELECT g.indicator_id, 'dekad' AS period_type, g.ps AS period_start, g.pe AS period_end,
           g.actual_u / 10000.0 AS actual, g.cum_u / 10000.0 AS cumulative_actual,
           COALESCE(g.plan_u, 0) / 10000.0 AS planned,
           COALESCE(g.cum_plan_u, 0) / 10000.0 AS cumulative_planned,
           CASE WHEN {_greatest("g.ps", "g.plan_start")} > %(today)s OR g.no_target = 1 THEN 'none'
                WHEN {_least("g.pe", "g.plan_end")} <= %(today)s
                    THEN {_status_sql("g.cum_u", "g.judged_plan_u")}
                ELSE {_status_sql("g.today_cum_u", "g.today_plan_u")} END AS status,
           %(now)s AS computed_at
    FROM g"""  # noqa: S608 (only fixed names are interpolated)
    return f"""
    WITH sums AS (
        SELECT s.id AS indicator_id, s.plan_start, s.plan_end,
               COALESCE(s.tracking_start, s.plan_start) AS track,
               (SELECT COUNT(*) FROM targets_indicator_parts x WHERE x.from_indicator_id = s.id) AS n_parts
        FROM targets_indicator s
        WHERE s.kind = 'sum' AND {_id_filter("s.id", ids)}
    ),
    part_rows AS (
        SELECT m.indicator_id, m.n_parts, m.plan_start, m.plan_end, p.period_start AS ps, p.period_end AS pe,
               CASE WHEN i.target_value IS NULL THEN 1 ELSE 0 END AS no_target,
               {UNITS.format("p.actual")} AS actual_u,
               {UNITS.format("p.cumulative_actual")} AS cum_u,
               {UNITS.format("p.planned")} AS plan_u,
               {UNITS.format("p.cumulative_planned")} AS cum_plan_u,
               CASE WHEN {in_progress} AND %(today)s >= m.track THEN
                   {UNITS.format("p.cumulative_actual")} - COALESCE((
                       SELECT CAST(SUM({value}) AS BIGINT) FROM targets_entry e
                       WHERE e.indicator_id = p.indicator_id
                           AND e.date > %(today)s AND e.date <= p.period_end), 0)
               END AS today_cum_u,
               CASE WHEN {in_progress} THEN
                   COALESCE({_plan_sql("gt", f"{today_n} - gt.n0", TARGET_U)}, 0) END AS today_plan_u,
               {_judged_plan_sql(last_n, "cl.n", cum_plan, TARGET_U, segment="gr")} AS judged_plan_u
        FROM sums m
        JOIN targets_indicator_parts x ON x.from_indicator_id = m.indicator_id
        JOIN targets_indicator i ON i.id = x.to_indicator_id
        JOIN targets_periodvalue p ON p.indicator_id = x.to_indicator_id AND p.period_type = 'dekad'
            AND {since}
        JOIN targets_calendar cl ON cl.day = {_least("p.period_end", "m.plan_end")}
        LEFT JOIN targets_plan_segment gt ON gt.indicator_id = x.to_indicator_id
            AND gt.n0 < {today_n} AND gt.n0 + gt.days >= {today_n}
        {_report_segment("gr", "x.to_indicator_id", last_n)}
    ),
    g AS (
        SELECT r.indicator_id, r.ps, r.pe, MAX(r.plan_start) AS plan_start, MAX(r.plan_end) AS plan_end,
               MAX(r.no_target) AS no_target,
               CAST(SUM(r.actual_u) AS BIGINT) AS actual_u,
               CASE WHEN COUNT(r.cum_u) = MAX(r.n_parts) THEN CAST(SUM(r.cum_u) AS BIGINT) END AS cum_u,
               CAST(SUM(r.plan_u) AS BIGINT) AS plan_u,
               CAST(SUM(r.cum_plan_u) AS BIGINT) AS cum_plan_u,
               CASE WHEN COUNT(r.today_cum_u) = MAX(r.n_parts) THEN CAST(SUM(r.today_cum_u) AS BIGINT) END
                   AS today_cum_u,
               CAST(SUM(r.today_plan_u) AS BIGINT) AS today_plan_u,
               CAST(SUM(r.judged_plan_u) AS BIGINT) AS judged_plan_u
        FROM part_rows r
        GROUP BY r.indicator_id, r.ps, r.pe
    )
    {_write(select, plain=plain)}
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _ratio_sql(ids: list[int] | None, renew: list[int], *, plain: bool = False) -> str:
    """Rows of ratio indicators (every period type) from their parts' rows of the same
    period, both read through the (indicator, period type, start) index."""
    percent = "CASE WHEN {d} > 0 THEN (2 * COALESCE({n}, 0) * 1000000 + {d}) / (2 * {d}) END"
    renewed = " OR ".join(_id_filter(f"r.{col}", renew) for col in ("id", "numerator_id", "denominator_id"))
    types = ", ".join(f"'{period_type}'" for period_type in AGGREGATES)
    # The denominator's row of the same period, one lookup on the unique index per column:
    # joined, PostgreSQL read it through the (period type, start) index instead, every
    # indicator's row of the period (80 times the rows at 2,000 indicators).
    denominator = """(SELECT {} FROM targets_periodvalue d WHERE d.indicator_id = r.denominator_id
            AND d.period_type = n.period_type AND d.period_start = n.period_start)"""
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
    WITH paired AS MATERIALIZED (
        SELECT r.id AS indicator_id, n.period_type, n.period_start, n.period_end,
               CAST(ROUND(r.target_value * 10000) AS BIGINT) AS target_u,
               (n.actual IS NOT NULL OR {denominator.format("d.actual")} IS NOT NULL) AS reported,
               CAST(ROUND(n.cumulative_actual * 10000) AS BIGINT) AS n_cum_u,
               CAST(ROUND({denominator.format("d.cumulative_actual")} * 10000) AS BIGINT) AS d_cum_u
        FROM targets_indicator r
        JOIN targets_periodvalue n ON n.indicator_id = r.numerator_id AND n.period_type IN ({types})
        WHERE r.kind = 'ratio' AND {_id_filter("r.id", ids)}
            AND {denominator.format("d.period_end")} IS NOT NULL
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


def _shift_sql(deltas: dict[int, int]) -> str:
    """The rows of amount indicators after the recomputed window (``refresh``), of every
    period type: a change inside the window moves every later cumulative actual by the
    same amount (``deltas``: indicator id → its change at the window's end, in 1/10 000),
    and nothing else of theirs (their own figures and plans are their days'). Their status
    is judged again on the new figure, as ``_dekad_sql`` judges a past period: against
    the plan to the last report day on or before its last day in the plan, "none" if it
    starts after today. None of them holds today (the window reaches it when the plan
    does), so none is judged on its figures so far."""
    values = ", ".join(f"({int(pk)}, {int(delta)})" for pk, delta in sorted(deltas.items()))
    cum_u = f"{UNITS.format('pv.cumulative_actual')} + d.delta_u"
    cum_plan = f"CASE WHEN i.target_value IS NULL THEN NULL ELSE {UNITS.format('pv.cumulative_planned')} END"
    report_n = _report_n("i.kind", "i.cadence", "i.plan_end", "cl")
    judged = _judged_plan_sql(report_n, "cl.n", cum_plan, TARGET_U, indicator="i.id")
    after = " OR ".join(
        f"(pv.period_type = '{period_type}' AND pv.period_start > %({period_type}_to)s)"
        for period_type in AGGREGATES
    )
    return f"""
    WITH d (indicator_id, delta_u) AS (VALUES {values})
    UPDATE targets_periodvalue AS pv SET
        cumulative_actual = ({cum_u}) / 10000.0,
        status = CASE WHEN {_greatest("pv.period_start", "i.plan_start")} > %(today)s THEN 'none'
                      ELSE {_status_sql(cum_u, judged)} END,
        computed_at = %(now)s
    FROM d, targets_indicator i, targets_calendar cl
    WHERE pv.indicator_id = d.indicator_id AND i.id = d.indicator_id
        AND cl.day = {_least("pv.period_end", "i.plan_end")}
        AND pv.cumulative_actual IS NOT NULL AND ({after})
    """  # noqa: S608 (only integers and fixed names are interpolated; values are parameters)


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


PLAN_FIELDS = ("id", "kind", "plan_start", "plan_end", "monthly_weights")


def _with_dependent_ratios(ids: list[int]) -> list[int]:
    """The indicators, the sums that add up any of them, and the ratios that use any of
    those as numerator or denominator: one query, in SQL (a save's refresh runs it; the
    ORM took four times as long to build it as the database to answer)."""
    listed = ", ".join(str(int(pk)) for pk in ids) or "NULL"
    sums = f"SELECT from_indicator_id FROM targets_indicator_parts WHERE to_indicator_id IN ({listed})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT id FROM targets_indicator WHERE id IN ({sums}) OR kind = 'ratio' AND (
                numerator_id IN ({listed}) OR denominator_id IN ({listed})
                OR numerator_id IN ({sums}) OR denominator_id IN ({sums}))"""  # noqa: S608 (integers)
        )
        return sorted(set(ids) | {pk for (pk,) in cursor.fetchall()})


def _plans(ids: list[int] | None) -> list[tuple]:
    """The ``PLAN_FIELDS`` of the indicators (all when None), in id order (in SQL, as
    ``_with_dependent_ratios``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(PLAN_FIELDS)} FROM targets_indicator"  # noqa: S608 (fixed names, integers)
            f" WHERE {_id_filter('id', ids)} ORDER BY id"
        )
        return [
            (*row[:-1], json.loads(row[-1]) if isinstance(row[-1], str) else row[-1])
            for row in cursor.fetchall()
        ]


def _sums_of(ids: Iterable[int]) -> list[int]:
    """The sum indicators that have any of ``ids`` among their parts."""
    ids = list(ids)
    if not ids:
        return []
    return list(
        Indicator.parts.through.objects.filter(to_indicator_id__in=ids)
        .values_list("from_indicator_id", flat=True)
        .distinct()
    )


def _ensure_calendar(first: date, last: date) -> None:
    """Add calendar days outside the range the migration filled (rare: plans before 2000
    or after 2050)."""
    if first >= CALENDAR_FIRST and last <= CALENDAR_LAST:
        return
    fill_calendar(connection, first, last)


def fill_calendar(conn, first: date, last: date, batch: int = 500) -> None:
    """Insert the calendar days of [first, last] that are missing, 500 rows a statement,
    with the columns of ``periods.CALENDAR_COLUMNS`` the table has (migration 0002 fills
    it before 0015 adds the report days)."""
    adapt = conn.ops.adapt_datefield_value
    with conn.cursor() as cursor:
        present = {col.name for col in conn.introspection.get_table_description(cursor, "targets_calendar")}
        keep = [n for n, name in enumerate(periods.CALENDAR_COLUMNS) if name in present]
        columns = ", ".join(periods.CALENDAR_COLUMNS[n] for n in keep)
        rows = [
            [adapt(row[n]) if isinstance(row[n], date) else row[n] for n in keep]
            for row in periods.calendar_rows(first, last)
        ]
        for offset in range(0, len(rows), batch):
            chunk = rows[offset : offset + batch]
            values = ", ".join(["(" + ", ".join(["%s"] * len(keep)) + ")"] * len(chunk))
            sql = f"INSERT INTO targets_calendar ({columns}) VALUES {values} ON CONFLICT (day) DO NOTHING"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _segment_rows(plans: list[tuple]) -> tuple[dict[int, list[tuple]], date | None, date | None]:
    """Each indicator's plan segments as table rows (ratios get one, only to notice a plan
    change), and the first and last day of all plans (``plans``: ``_plans`` rows)."""
    wanted: dict[int, list[tuple]] = {}
    first = last = None
    for pk, kind, start, end, weights in plans:
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


def _sync_segments(ids: list[int] | None, plans: list[tuple]) -> list[int]:
    """Write the plan segments (``targets.plan.plan_segments``) of the indicators (all when
    ``ids`` is None; ``plans``: their ``_plans`` rows) that changed since the last run;
    returns those indicators' ids (their plan period may have moved, leaving rows outside
    it)."""
    wanted, first, last = _segment_rows(plans)
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
    today = today or clock.today()
    dekad_from = periods.period_start(periods.DEKAD, start) if start else date.min
    params = {
        "start": ops.adapt_datefield_value(start or date.min),
        "end": ops.adapt_datefield_value(end or date.max),
        # The 旬 before the first recomputed one: its stored row is where the figures start.
        "prev_dekad": ops.adapt_datefield_value(
            periods.period_start(periods.DEKAD, dekad_from - timedelta(days=1)) if start else date.min
        ),
        "today": ops.adapt_datefield_value(today),
        "today_dekad": ops.adapt_datefield_value(periods.period_start(periods.DEKAD, today)),
        "n_today": today.toordinal(),
        # The last report day on or before today of each cadence (``_report_n``).
        **{
            f"n_today_{cadence}": periods.last_period_end(cadence, today).toordinal()
            for cadence in (periods.WEEKLY, periods.DEKADAL, periods.MONTHLY)
        },
        "now": ops.adapt_datetimefield_value(clock.now()),
        "green": int(green * plan.SCALE),
        "yellow": int(yellow * plan.SCALE),
    }
    params["frame_from"] = ops.adapt_datefield_value(date.min)  # narrowed by refresh()
    params["frame_to"] = ops.adapt_datefield_value(date.max)
    params["window_to"] = ops.adapt_datefield_value(date.max)  # set by refresh() (``_window``)
    for period_type in AGGREGATES:
        params[f"{period_type}_from"] = ops.adapt_datefield_value(
            periods.period_start(period_type, start) if start else date.min
        )
    return params


def _statements(
    ids: list[int] | None, renew: list[int], *, full: bool, plain: bool = False, kinds: set[str] | None = None
) -> list[str]:
    """The roll-up in order: 旬 rows from the entries (amounts, then levels and
    milestones), the sums' 旬 from their parts' 旬, then each longer period type from the
    one below, then the ratios from their parts' rows; a statement for a kind not among
    ``kinds`` (when given) is left out. With ``plain``, rows are inserted without looking
    for stored ones (the table was emptied)."""
    return [
        *_entry_statements(ids, renew, full=full, plain=plain, kinds=kinds),
        *_derived_statements(ids, renew, plain=plain, kinds=kinds),
    ]


def _entry_statements(
    ids: list[int] | None, renew: list[int], *, full: bool, plain: bool = False, kinds: set[str] | None = None
) -> list[str]:
    """The 旬 rows read from the entries: amounts, then levels and milestones."""
    kinds = set(Indicator.Kind.values) if kinds is None else kinds
    return [
        *([_dekad_sql(ids, renew, full=full, levels=False, plain=plain)] if "amount" in kinds else []),
        *(
            [_dekad_sql(ids, renew, full=full, levels=True, plain=plain)]
            if kinds & {"level", "milestone"}
            else []
        ),
    ]


def _derived_statements(
    ids: list[int] | None,
    renew: list[int],
    *,
    plain: bool = False,
    kinds: set[str] | None = None,
    shifted: list[int] = (),
) -> list[str]:
    """The rows built from other rows: the sums' 旬, the longer periods, the ratios."""
    kinds = set(Indicator.Kind.values) if kinds is None else kinds
    return [
        *([_sum_sql(ids, renew, plain=plain)] if "sum" in kinds else []),
        *(
            _aggregate_sql(period_type, child_type, ids, renew, plain=plain, shifted=shifted)
            for child_type, period_type in zip(AGGREGATES, AGGREGATES[1:], strict=False)
            if kinds - {"ratio"}
        ),
        *([_ratio_sql(ids, renew, plain=plain)] if "ratio" in kinds else []),
    ]


def _window(
    plans: list[tuple], start: date, end: date, today: date, renew: list[int]
) -> tuple[date, list[int]]:
    """The last day of the 旬 a refresh from ``start`` to ``end`` recomputes from the entries,
    and the amount indicators whose later rows are shifted instead (``_shift_sql``): those
    recomputed from ``start`` (not from their plan start). The window ends with the 旬
    holding ``end``, or today's when today lies between ``start`` and a plan's end (the
    旬 in progress is judged on its figures so far: recomputed, never shifted)."""
    last = periods.period_end(periods.DEKAD, max(start, end))
    shifted = [
        pk
        for pk, kind, plan_start, plan_end in plans
        if kind == Indicator.Kind.AMOUNT and plan_start <= start and plan_end > last and pk not in renew
    ]
    if shifted and start <= today <= max(plan_end for pk, _, _, plan_end in plans if pk in shifted):
        last = max(last, periods.period_end(periods.DEKAD, today))
    return last, shifted


def _cumulatives(cursor, ids: list[int], dekad: date) -> dict[int, int]:
    """The stored cumulative actual (1/10 000) of these indicators' 旬 starting on ``dekad``."""
    cursor.execute(
        f"SELECT indicator_id, {UNITS.format('cumulative_actual')} FROM targets_periodvalue"  # noqa: S608
        f" WHERE period_type = 'dekad' AND period_start = %s AND {_id_filter('indicator_id', ids)}"
        " AND cumulative_actual IS NOT NULL",
        [connection.ops.adapt_datefield_value(dekad)],
    )
    return dict(cursor.fetchall())


def _tune(cursor) -> None:
    """PostgreSQL settings for this transaction only: sorts of a full build (a million day
    rows) stay in memory, and no JIT compilation (it costs more than it saves here)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")


def commit_lazily() -> None:
    """Let the current transaction commit without waiting for its write-ahead log to reach
    the disk (PostgreSQL's ``synchronous_commit = off``, for this transaction only): a
    roll-up is derived from the entries, and the flush (4–6 ms on a machine's disk here)
    was a good part of a clerk's refresh. A crash in the fraction of a second after the commit loses this
    refresh whole, and with it the stamps that say it ran (``freshness``), so the
    catch-up job runs it again; nothing else is at risk. Call it only in a transaction
    the roll-up opened itself: in a caller's it would make the caller's writes lazy too."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _mark_refreshed(cursor) -> None:
    cursor.execute(
        "INSERT INTO targets_rollup_state (id, refreshed_at) VALUES (1, %s)"
        " ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at",
        [clock.now().astimezone(UTC).isoformat()],
    )


LOCK_SPACE = 20211001  # first key of the roll-up's advisory locks; the second is the indicator id


def _lock(cursor, ids: list[int] | None) -> None:
    """Serialise the refreshes that touch the same indicators (PostgreSQL): a
    transaction-level advisory lock per indicator, taken in id order so two refreshes
    never wait on each other in a circle. A refresh reads stored rows (the 旬 before the
    first recomputed one, the children of a month) and writes the rows after them; one
    that ran beside another refresh of the same indicator could read a row the other is
    rewriting and write figures built on its old value. SQLite lets one writer at a time."""
    if connection.vendor != "postgresql":
        return
    if ids is None:
        ids = list(Indicator.objects.order_by("id").values_list("id", flat=True))
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, x) FROM unnest(%s::integer[]) AS x", [LOCK_SPACE, sorted(ids)]
    )
    cursor.fetchall()


def refresh(
    indicator_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    today: date | None = None,
) -> int:
    """Recompute the ``PeriodValue`` rows of the given indicators (all when None) and of
    the ratios built on them, for every period that ends on or after ``start`` (from plan
    start when None): a change on a day moves every later cumulative value, so the 旬
    holding ``start`` and every later one are recomputed; with ``end``, the last changed
    day, an amount's later rows are shifted instead of read again (``_window``; the
    stamps of ``targets.freshness`` make sure every changed day lies in a refresh's
    range). ``today`` (default: the product's today, ``targets.clock``) decides which
    periods are in the future. Only rows whose figures change are written, so readers
    are never kept waiting. Refreshes of the
    same indicator wait for each other (``_lock``). Called outside any transaction, it
    commits without waiting for the disk (``commit_lazily``). Returns the number of rows
    written (inserted or changed)."""
    full = start is None
    if indicator_ids is None and full and not PeriodValue.objects.exists():
        return rebuild(today=today)  # a first build: nothing to compare with
    today = today or clock.today()
    ids = None if indicator_ids is None else _with_dependent_ratios([int(pk) for pk in indicator_ids])
    params = _params(start, today, end)
    written = 0
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_transaction:
            commit_lazily()
        _lock(cursor, ids)
        if full:
            _tune(cursor)
        plans = _plans(ids)  # read once the indicators are locked
        moved = _sync_segments(ids, plans)
        if moved:
            cursor.execute(_stale_sql(moved))
            written += _changes(cursor)
        # Indicators with a new or changed plan (or never rolled up) from their plan start,
        # and the sums of any of them.
        renew = [] if full else sorted(set(moved) | set(_sums_of(moved)))
        kinds, shifted = None, []
        if ids is not None:
            plans = [row[:4] for row in plans]  # id, kind, plan start, plan end
            kinds = {kind for _, kind, _, _ in plans}
            if plans:  # the 旬 to recompute lie in here: a range on the calendar's key
                ops = connection.ops
                first = min(plan_start for _, _, plan_start, _ in plans)
                frame_from = periods.period_start(periods.DEKAD, first)
                if start is not None and not renew:
                    frame_from = max(frame_from, periods.period_start(periods.DEKAD, start))
                params["frame_from"] = ops.adapt_datefield_value(frame_from)
                params["frame_to"] = ops.adapt_datefield_value(max(plan_end for *_, plan_end in plans))
            if plans and start is not None and end is not None:
                window_to, shifted = _window(plans, start, end, today, renew)
                params["window_to"] = connection.ops.adapt_datefield_value(window_to)
                for period_type in AGGREGATES:
                    params[f"{period_type}_to"] = connection.ops.adapt_datefield_value(
                        periods.period_start(period_type, window_to)
                    )
        if shifted:
            window_dekad = periods.period_start(periods.DEKAD, window_to)
            before = _cumulatives(cursor, shifted, window_dekad)
        for sql in _entry_statements(ids, renew, full=full, kinds=kinds):
            cursor.execute(sql, params)
            written += _changes(cursor)
        if shifted:
            after = _cumulatives(cursor, shifted, window_dekad)
            deltas = {pk: after[pk] - old for pk, old in before.items() if pk in after and after[pk] != old}
            if deltas:
                cursor.execute(_shift_sql(deltas), params)
                written += _changes(cursor)
        for sql in _derived_statements(ids, renew, kinds=kinds, shifted=shifted):
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
        _sync_segments(None, _plans(None))
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


REBUILD_STEPS = len(AGGREGATES) + 3  # three 旬 statements, the longer periods, then indexes and ratios


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


# ---- Reading a day ---------------------------------------------------------------------


def _day_sql(ids: list[int] | None, plan_id: int | None = None) -> str:
    """Figures (1/10 000) of amount, level and milestone indicators on one day each:
    ``%(first)s``, or the plan's last day when it ended earlier (what a dashboard reads "as
    of" a date). From the stored 旬 row before that day's 旬 and the entries of the 旬 up
    to that day: a few index lookups per indicator, no window over days."""
    value = UNITS.format("e.value")
    track = "COALESCE(i.tracking_start, i.plan_start)"  # SQLite's MAX() of a NULL is NULL
    judged = _judged_plan_sql(
        "r.report_n", "r.n", _plan_sql("g", "r.n - g.n0", "r.target_u"), "r.target_u", segment="gr"
    )
    return f"""
    WITH bounds AS MATERIALIZED (
        SELECT i.id AS indicator_id, i.kind AS kind, c.day AS d, c.n AS n, {track} AS track,
               {_report_n("i.kind", "i.cadence", "i.plan_end", "c")} AS report_n,
               {_greatest("c.dekad_start", "i.plan_start", track)} AS from_day,
               {UNITS.format("COALESCE(i.opening_value, 0)")} AS opening_u,
               {TARGET_U} AS target_u,
               (SELECT {UNITS.format("p.cumulative_actual")} FROM targets_periodvalue p
                WHERE p.indicator_id = i.id AND p.period_type = 'dekad' AND p.period_start < c.dekad_start
                ORDER BY p.period_start DESC LIMIT 1) AS prev_u
        FROM targets_indicator i
        JOIN targets_calendar c ON c.day = {_least("%(first)s", "i.plan_end")}
        WHERE i.kind NOT IN ('ratio', 'sum') AND {_id_filter("i.id", ids)} AND {_plan_filter(plan_id)}
          AND c.day >= i.plan_start
    ),
    read AS MATERIALIZED (
        SELECT b.*,
               (SELECT {value} FROM targets_entry e
                WHERE e.indicator_id = b.indicator_id AND e.date = b.d AND e.date >= b.from_day) AS day_u,
               CASE WHEN b.kind = 'amount' THEN
                   (SELECT CAST(SUM({value}) AS BIGINT) FROM targets_entry e
                    WHERE e.indicator_id = b.indicator_id AND e.date >= b.from_day AND e.date <= b.d)
               END AS sum_u,
               CASE WHEN b.kind = 'level' THEN
                   (SELECT {value} FROM targets_entry e
                    WHERE e.indicator_id = b.indicator_id AND e.date >= b.from_day AND e.date <= b.d
                    ORDER BY e.date DESC LIMIT 1) END AS last_u,
               CASE WHEN b.kind = 'milestone' THEN
                   (SELECT MAX(CASE WHEN e.value <> 0 THEN 1 ELSE 0 END) FROM targets_entry e
                    WHERE e.indicator_id = b.indicator_id AND e.date >= b.from_day AND e.date <= b.d)
               END AS done
        FROM bounds b
    ),
    figures AS (
        SELECT r.indicator_id, r.d, r.kind, r.day_u,
               CASE WHEN r.d < r.track THEN NULL
                    WHEN r.kind = 'amount' THEN COALESCE(r.prev_u, r.opening_u) + COALESCE(r.sum_u, 0)
                    WHEN r.kind = 'milestone' THEN
                        CASE WHEN r.prev_u > 0 OR r.done = 1 THEN 10000 ELSE 0 END
                    ELSE COALESCE(r.last_u, r.prev_u, r.opening_u) END AS cum_u,
               {_plan_sql("g", "r.n - g.n0", "r.target_u")} AS cum_plan_u,
               {_plan_sql("g", "r.n - g.n0 - 1", "r.target_u")} AS prev_plan_u,
               {judged} AS judged_plan_u
        FROM read r
        JOIN targets_plan_segment g ON g.indicator_id = r.indicator_id
            AND g.seg_start <= r.d AND g.seg_end >= r.d
        {_report_segment("gr", "r.indicator_id", "r.report_n")}
    )
    SELECT f.indicator_id, f.d,
           CASE WHEN f.kind = 'milestone' THEN f.cum_u ELSE f.day_u END AS actual_u,
           f.cum_u, COALESCE(f.cum_plan_u - f.prev_plan_u, 0) AS plan_u,
           COALESCE(f.cum_plan_u, 0) AS cum_plan_u,
           CASE WHEN f.d > %(today)s THEN 'none'
                ELSE {_status_sql("f.cum_u", "f.judged_plan_u")} END AS status,
           f.judged_plan_u
    FROM figures f
    ORDER BY f.indicator_id
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


def _days_sql(ids: list[int] | None, plan_id: int | None = None) -> str:
    """Figures (1/10 000) of amount, level and milestone indicators on the days
    ``%(first)s``–``%(last)s`` of their plans. Each starts from the stored 旬 row before the
    first day's 旬 (one index lookup per indicator) and runs over the entries of the days
    from that 旬's start: at most ten days more than asked for."""
    lo, hi = _greatest("%(first)s", "i.plan_start"), _least("%(last)s", "i.plan_end")
    asked = f"{lo} <= {hi}"
    report_n = _report_n("s.kind", "s.cadence", "s.plan_end", "c")
    cum_plan = _plan_sql("g", "c.n - g.n0")
    value = UNITS.format("e.value")
    return f"""
    WITH scope AS (
        SELECT i.id AS indicator_id, i.kind AS kind, i.cadence AS cadence,
               i.plan_start AS plan_start, i.plan_end AS plan_end,
               COALESCE(i.tracking_start, i.plan_start) AS track,
               {UNITS.format("COALESCE(i.opening_value, 0)")} AS opening_u,
               {TARGET_U} AS target_u, {lo} AS lo, {hi} AS hi
        FROM targets_indicator i
        WHERE i.kind NOT IN ('ratio', 'sum') AND {_id_filter("i.id", ids)}
          AND {_plan_filter(plan_id)} AND {asked}
    ),
    bounds AS MATERIALIZED (
        SELECT s.*, {_greatest("c.dekad_start", "s.plan_start")} AS from_day,
               (SELECT p.cumulative_actual FROM targets_periodvalue p
                WHERE p.indicator_id = s.indicator_id AND p.period_type = 'dekad'
                    AND p.period_start < c.dekad_start
                ORDER BY p.period_start DESC LIMIT 1) AS prev_u
        FROM scope s JOIN targets_calendar c ON c.day = s.lo
    ),
    base AS (
        SELECT b.*, COALESCE({UNITS.format("b.prev_u")}, b.opening_u) AS base_u,
               CASE WHEN b.prev_u > 0 THEN 1 ELSE 0 END AS base_done
        FROM bounds b
    ),
    ent AS (
        SELECT e.indicator_id, e.date AS day,
               CASE WHEN b.kind = 'milestone' THEN NULLIF({value}, 0) ELSE {value} END AS v,
               {value} AS entered
        FROM targets_entry e JOIN base b ON b.indicator_id = e.indicator_id
        WHERE e.date >= b.track AND e.date >= b.from_day AND e.date <= b.hi
    ),
    days AS (
        SELECT s.indicator_id, s.kind, s.track, s.lo, s.base_u, s.base_done, c.day, e.v, e.entered,
               {cum_plan} AS cum_plan_u,
               {_plan_sql("g", "c.n - g.n0 - 1")} AS prev_plan_u,
               {_judged_plan_sql(report_n, "c.n", cum_plan, "s.target_u", segment="gr")} AS judged_plan_u
        FROM base s
        JOIN targets_plan_segment g ON g.indicator_id = s.indicator_id
            AND g.seg_end >= s.from_day AND g.seg_start <= s.hi
        JOIN targets_calendar c ON c.day >= g.seg_start AND c.day <= g.seg_end
            AND c.day >= s.from_day AND c.day <= s.hi
        LEFT JOIN ent e ON e.indicator_id = s.indicator_id AND e.day = c.day
        {_report_segment("gr", "s.indicator_id", report_n)}
    ),
    runs AS (
        SELECT d.*, SUM(d.v) OVER w AS run_u, COUNT(d.v) OVER w AS grp
        FROM days d
        WINDOW w AS (PARTITION BY d.indicator_id ORDER BY d.day ROWS UNBOUNDED PRECEDING)
    ),
    figures AS (
        SELECT r.indicator_id, r.day, r.lo, r.kind, r.entered, r.cum_plan_u, r.prev_plan_u, r.judged_plan_u,
               CASE WHEN r.day < r.track THEN NULL
                    WHEN r.kind = 'amount' THEN r.base_u + COALESCE(r.run_u, 0)
                    WHEN r.kind = 'milestone' THEN
                        CASE WHEN r.base_done = 1 OR r.grp > 0 THEN 10000 ELSE 0 END
                    ELSE COALESCE(MAX(r.v) OVER (PARTITION BY r.indicator_id, r.grp), r.base_u)
               END AS cum_u
        FROM runs r
    )
    SELECT f.indicator_id, f.day,
           CASE WHEN f.kind = 'milestone' THEN f.cum_u ELSE f.entered END AS actual_u,
           f.cum_u, COALESCE(f.cum_plan_u - f.prev_plan_u, 0) AS plan_u,
           COALESCE(f.cum_plan_u, 0) AS cum_plan_u,
           CASE WHEN f.day > %(today)s THEN 'none'
                ELSE {_status_sql("f.cum_u", "f.judged_plan_u")} END AS status,
           f.judged_plan_u
    FROM figures f
    WHERE f.day >= f.lo
    ORDER BY f.indicator_id, f.day
    """  # noqa: S608 (only integer ids and fixed names are interpolated; values are parameters)


@dataclass(slots=True)
class DayValue:
    """An indicator's figures on one day, as ``day_values`` reads them: the fields of a
    ``PeriodValue`` row of period type "day" (which is no longer stored)."""

    indicator_id: int
    period_start: date
    actual: Decimal | None
    cumulative_actual: Decimal | None
    planned: Decimal
    cumulative_planned: Decimal
    status: str
    computed_at: datetime
    period_type: str = periods.DAY
    # The cumulative plan ``status`` compares with: the plan to the indicator's last report
    # day on or before this day (``cumulative_planned`` on a report day); None without a
    # plan. Not a figure to show: a sum adds up its parts' to judge its own day.
    judged_planned: Decimal | None = None

    @property
    def period_end(self) -> date:
        return self.period_start


def latest_figure_day(*, kinds: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> date | None:
    """The last day that has a figure (an entry inside its indicator's plan, from its
    tracking start: a day whose ``day_values`` row has an actual) among indicators of the
    given kinds (all when None) but not of the ``exclude`` ones; None without any."""
    entries = Entry.objects.filter(
        date__gte=Coalesce(F("indicator__tracking_start"), F("indicator__plan_start")),
        date__lte=F("indicator__plan_end"),
    ).exclude(indicator__kind__in=list(exclude))
    if kinds is not None:
        entries = entries.filter(indicator__kind__in=list(kinds))
    return entries.order_by("-date").values_list("date", flat=True).first()


def _units(value: int | None) -> Decimal | None:
    """1/10 000 → Decimal with 4 places (exact)."""
    return None if value is None else Decimal(int(value)).scaleb(-4)


def _percent_units(numerator: int | None, denominator: int | None) -> int | None:
    """numerator ÷ denominator × 100 in 1/10 000, rounded half up (as ``_ratio_sql``)."""
    if denominator is None or denominator <= 0:
        return None
    return (2 * (numerator or 0) * 1_000_000 + denominator) // (2 * denominator)


def day_values(
    indicator_ids: Iterable[int] | None,
    first: date,
    last: date | None = None,
    *,
    today: date | None = None,
    plan_id: int | None = None,
) -> dict[int, list[DayValue]]:
    """The day figures of the given indicators (all when None), read from the entries, the
    plan and the stored 旬 rows: the one way every page, the API and every export reads a
    day (day rows are not stored). {indicator id: [DayValue]}, in date order, with the
    fields a stored day row would have: ``actual`` (the day's
    entry; a milestone's 0/1), ``cumulative_actual``, ``planned``, ``cumulative_planned``,
    ``status`` (judged on that day; "none" after ``today``) and ``computed_at`` (when the
    roll-up last ran).

    With ``last``: every day of [first, last] inside each plan. Without: one row per
    indicator, on ``first`` or, when its plan ended earlier, on the plan's last day (the
    row a dashboard reads "as of" a date); none when the plan starts after ``first``.
    Two queries whatever the number of indicators (three with ratios, more with sums: a
    sum's days are its parts' added up). ``plan_id``: only that plan's indicators."""
    ids = None if indicator_ids is None else sorted({int(pk) for pk in indicator_ids})
    today = today or clock.today()
    stamp = latest_computed_at() or clock.now()
    ratios = list(
        Indicator.objects.filter(
            kind=Indicator.Kind.RATIO,
            **({} if ids is None else {"id__in": ids}),
            **({} if plan_id is None else {"plan_id": plan_id}),
        ).values_list("id", "plan_start", "plan_end", "target_value", "numerator_id", "denominator_id")
    )
    result = _day_figures(ids, first, last, today=today, stamp=stamp, plan_id=plan_id)
    if ratios:
        # A ratio's day: its parts' figures on that day (the ratio's own plan decides which).
        days = {
            pk: (max(first, start), min(last, end)) if last else (min(first, end), min(first, end))
            for pk, start, end, *_ in ratios
        }
        spans = {span for pk, start, _end, *_ in ratios for span in [days[pk]] if span[0] <= span[1]}
        parts = {pk for *_, numerator, denominator in ratios for pk in (numerator, denominator)}
        by_span = {
            span: _day_figures(sorted(parts), span[0], span[1], today=today, stamp=stamp) for span in spans
        }
        for pk, start, end, target, numerator, denominator in ratios:
            span = days[pk]
            if span[0] > span[1] or (last is None and span[0] < start):
                continue
            figures = by_span[span]
            denominators = {pv.period_start: pv for pv in figures.get(denominator, [])}
            target_u = None if target is None else plan.to_units(target)
            rows = []
            for n in figures.get(numerator, []):
                d = denominators.get(n.period_start)
                if d is None or not start <= n.period_start <= end:
                    continue
                cum_rate = _percent_units(_to_units(n.cumulative_actual), _to_units(d.cumulative_actual))
                reported = n.actual is not None or d.actual is not None
                rows.append(
                    DayValue(
                        indicator_id=pk,
                        period_start=n.period_start,
                        # As a stored period's: the rate to date, when either part reported.
                        actual=_units(cum_rate) if reported else None,
                        cumulative_actual=_units(cum_rate),
                        planned=_units(target_u or 0),
                        cumulative_planned=_units(target_u or 0),
                        status=plan.NONE
                        if n.period_start > today
                        else plan.status(_units(cum_rate), _units(target_u)),
                        computed_at=stamp,
                        judged_planned=_units(target_u),
                    )
                )
            if rows:
                result[pk] = rows
    sums = _sum_parts(ids)
    if sums:
        parts = sorted({part for members in sums.values() for part, _target in members})
        figures = _day_figures(parts, first, last, today=today, stamp=stamp)
        for pk, members in sums.items():
            rows = _sum_days(pk, members, figures, today=today)
            if rows:
                result[pk] = rows
    if ids is not None:
        result = {pk: rows for pk, rows in result.items() if pk in ids}
    return result


def _sum_parts(ids: list[int] | None) -> dict[int, list[tuple[int, bool]]]:
    """{sum id: [(part id, part has a target)]} of the sum indicators among ``ids`` (all
    when None)."""
    through = Indicator.parts.through.objects.filter(from_indicator__kind=Indicator.Kind.SUM)
    if ids is not None:
        through = through.filter(from_indicator_id__in=ids)
    sums: dict[int, list[tuple[int, bool]]] = {}
    for pk, part, target in through.values_list(
        "from_indicator_id", "to_indicator_id", "to_indicator__target_value"
    ).order_by("from_indicator_id", "to_indicator_id"):
        sums.setdefault(pk, []).append((part, target is not None))
    return sums


def _sum_days(pk: int, members: list[tuple[int, bool]], figures: dict, *, today: date) -> list[DayValue]:
    """A sum's days: its parts' figures of the same day added up, as ``_sum_sql`` adds up
    their 旬 (the cumulative actual only when every part has one; no status without a
    target on every part). Its status compares the parts' cumulative actuals with their
    plans to their own last report days, added up."""
    by_day: dict[date, list[DayValue]] = {}
    for part, _target in members:
        for row in figures.get(part, []):
            by_day.setdefault(row.period_start, []).append(row)
    planned = all(target for _part, target in members)
    rows = []
    for day in sorted(by_day):
        items = by_day[day]
        actuals = [row.actual for row in items if row.actual is not None]
        cumulative = (
            sum((row.cumulative_actual for row in items), Decimal(0))
            if len(items) == len(members) and all(row.cumulative_actual is not None for row in items)
            else None
        )
        cum_plan = sum((row.cumulative_planned for row in items), Decimal(0))
        judged = sum((row.judged_planned or Decimal(0) for row in items), Decimal(0)) if planned else None
        rows.append(
            DayValue(
                indicator_id=pk,
                period_start=day,
                actual=sum(actuals, Decimal(0)) if actuals else None,
                cumulative_actual=cumulative,
                planned=sum((row.planned for row in items), Decimal(0)),
                cumulative_planned=cum_plan,
                status=plan.NONE if day > today or not planned else plan.status(cumulative, judged),
                computed_at=items[0].computed_at,
                judged_planned=judged,
            )
        )
    return rows


def _to_units(value: Decimal | None) -> int | None:
    return None if value is None else plan.to_units(value)


def _day_figures(
    ids, first: date, last: date | None, *, today: date, stamp, plan_id: int | None = None
) -> dict[int, list[DayValue]]:
    ops = connection.ops
    green, yellow = plan.thresholds()
    params = {
        "first": ops.adapt_datefield_value(first),
        "last": ops.adapt_datefield_value(last or first),
        "today": ops.adapt_datefield_value(today),
        "today_dekad": ops.adapt_datefield_value(periods.period_start(periods.DEKAD, today)),
        "green": int(green * plan.SCALE),
        "yellow": int(yellow * plan.SCALE),
    }
    result: dict[int, list[PeriodValue]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_day_sql(ids, plan_id) if last is None else _days_sql(ids, plan_id), params)
        for pk, day, actual_u, cum_u, plan_u, cum_plan_u, status, judged_u in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(day)
            result.setdefault(pk, []).append(
                DayValue(
                    indicator_id=pk,
                    period_start=day,
                    actual=_units(actual_u),
                    cumulative_actual=_units(cum_u),
                    planned=_units(plan_u),
                    cumulative_planned=_units(cum_plan_u),
                    status=status,
                    computed_at=stamp,
                    judged_planned=_units(judged_u),
                )
            )
    return result
