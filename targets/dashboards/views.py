"""Officials' dashboards: the overview, an indicator's drill-down, the goal tree and the
departments. Views are thin: parse the as-of date and period, call ``selectors``, pass the
rows to ``charts`` and ``tables``, render."""

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from targets import clock, params, periods, rollups, selectors
from targets.dashboards import charts
from targets.dashboards.context import latest_computed_at, page_context, page_scope
from targets.dashboards.tables import IndicatorTable, PeriodValueTable
from targets.entry import timeliness
from targets.models import Department, Goal, Indicator, PeriodValue
from targets.reporting import exports

SWITCHER_PERIODS = (
    (periods.DAY, _("日")),
    (periods.DEKAD, _("旬")),
    (periods.MONTH, _("月")),
    (periods.QUARTER, _("季度")),
)


def _status_labels() -> dict[str, str]:
    return {status.value: status.label for status in PeriodValue.Status}


# The overview's body is the same for every reader of a plan on a given as-of date until the
# roll-up runs again: it is cached per (plan, as-of date, roll-up run, language). Edits to names or targets
# in the admin show at the next roll-up run or after this many seconds.
OVERVIEW_CACHE_SECONDS = 600


@require_safe
def home(request):
    """The overview: framework and sections with status counts, headline figures against
    their targets and time progress, and the most-behind indicators."""
    scope = page_scope(request)
    plan, as_of = scope.plan, scope.as_of
    if plan is None:  # nothing to track yet: the page says so
        return render(request, "targets/overview.html", {"body": "", **page_context(request, as_of)})
    refreshed = rollups.latest_computed_at()
    key = (
        f"targets:overview:{plan.pk}:{plan.updated_at.timestamp()}:{as_of}:{refreshed.isoformat()}:"
        f"{selectors.notes_stamp()}:{get_language()}"
        if refreshed
        else None
    )
    body = cache.get(key) if key else None
    rows_computed_at = None
    if body is None:
        data = selectors.overview(as_of, plan)
        body = render_to_string(
            "targets/_overview_body.html",
            {"data": data, "as_of": as_of, "scope_query": scope.query, "figures": _overview_figures(data)},
        )
        rows_computed_at = data.computed_at
        if key:
            cache.set(key, body, OVERVIEW_CACHE_SECONDS)
    return render(
        request,
        "targets/overview.html",
        {
            "body": mark_safe(body),  # noqa: S308 (rendered by our own template just above)
            **page_context(request, as_of, rows_computed_at=rows_computed_at),
        },
    )


def _overview_figures(data: selectors.Overview) -> dict:
    headline_items = [
        {"name": row.display_name, "done_percent": row.target_percent, "time_percent": row.time_percent}
        for row in data.headlines.values()
        if row.target_value
    ]
    return {
        "sections": charts.status_counts(
            [(group.goal.display_name, group.counts) for group in data.sections], _status_labels()
        ),
        "headlines": charts.headline_progress(headline_items) if headline_items else None,
    }


@require_safe
def goal_tree(request):
    """Every goal of the plan with the indicators in force over it (``in_force``: one
    running from an earlier plan under the plan's goal of the same code, marked as
    continuing, or apart when the plan has none) and their status on the as-of date."""
    scope = page_scope(request)
    plan, as_of = scope.plan, scope.as_of
    rows = selectors.rows(selectors.in_force(plan), as_of)
    by_goal: dict[int, list] = {}
    for row in rows:
        by_goal.setdefault(row.goal_id, []).append(row)
    goals = list(Goal.objects.filter(plan=plan)) if plan else []
    order = {goal.pk: i for i, goal in enumerate(goals)}
    # The file lists every indicator in the page's order, with the goal the page shows
    # as a heading in a column of its own.
    listed = sorted(rows, key=lambda row: order.get(row.goal_id, len(order)))
    table = IndicatorTable(listed, goal_names={goal.pk: goal.display_name for goal in goals}, as_of=as_of)

    def page() -> dict:
        children: dict[int | None, list] = {}
        for goal in goals:
            goal.rows = by_goal.get(goal.pk, [])
            goal.table = IndicatorTable(goal.rows, as_of=as_of) if goal.rows else None
            children.setdefault(goal.parent_id, []).append(goal)
        for goal in goals:
            goal.kids = children.get(goal.pk, [])
        return {
            "framework": [g for g in children.get(None, []) if g.level == Goal.Level.FRAMEWORK],
            "sections": [g for g in goals if g.level == Goal.Level.SECTION],
            "unplaced": IndicatorTable(by_goal[None], as_of=as_of) if by_goal.get(None) else None,
            **page_context(request, as_of, rows_computed_at=latest_computed_at(rows)),
        }

    return exports.table_response(
        request,
        table,
        "targets/goal_tree.html",
        page,
        name=f"{plan_label(plan)}{_('指标进度')}",
        ascii_name=f"{plan_ascii(plan)}indicators",
        day=as_of,
    )


@require_safe
def indicator_detail(request, pk: int):
    """One indicator: burn-up chart, actual vs plan by the chosen period type (with the same
    numbers in a table), related projects. The page shows the indicator's own plan: the
    as-of date is capped into that plan's period, or to the indicator's own end when it
    runs past its plan (the Q4 2021 recovery, due May 2022, is reported and read on to
    May: ``selectors.in_force``)."""
    indicator = get_object_or_404(Indicator.objects.for_dashboard().select_related("plan"), pk=pk)
    plan = indicator.plan
    asked = params.query_day(request, "as_of") or clock.today()
    as_of = periods.clip(asked, plan.start, max(plan.end, indicator.plan_end))
    period_type = request.GET.get("period", periods.DEKAD)
    if period_type not in dict(SWITCHER_PERIODS):
        raise Http404("unknown period")
    days = selectors.series(indicator, periods.DAY)
    chosen = days if period_type == periods.DAY else selectors.series(indicator, period_type)
    # Bars and table from the first period with figures (a full-year plan tracked from 1 Oct).
    chosen = [pv for pv in chosen if pv.period_end >= indicator.entry_start]
    today = next((pv for pv in days if pv.period_start == as_of), None)
    row = selectors.rows(Indicator.objects.filter(pk=pk), as_of)[0]
    burn_up = charts.burn_up(
        [pv.period_start for pv in days],
        [pv.cumulative_actual if pv.period_start <= as_of else None for pv in days],
        [pv.cumulative_planned for pv in days],
        target=indicator.target_value,
        as_of=as_of,
        unit=indicator.display_unit,
    )
    # Bars and table as they stood on the as-of date, like the burn-up: later periods
    # have no figures yet, the one in progress has its figures so far.
    shown = selectors.as_of_figures(indicator, chosen, days, as_of)
    bars = charts.actual_vs_plan(
        [charts.short_label(period_type, row["period_start"]) for row in shown],
        [row["actual"] for row in shown],
        [row["planned"] for row in shown],
        unit=indicator.display_unit,
    )
    table = PeriodValueTable(
        [{"label": periods.label(period_type, row["period_start"], get_language()), **row} for row in shown],
        decimals=indicator.decimals,
        unit=indicator.display_unit,
        # Only where a period is read between two reports (a cadence coarser than it).
        exclude=() if any(row.get("reported_through") for row in shown) else ("reported_through",),
    )
    return exports.table_response(
        request,
        table,
        "targets/indicator_detail.html",
        lambda: {
            "indicator": indicator,
            "row": row,
            "today": today,
            "reported_through": None
            if indicator.kind == Indicator.Kind.MILESTONE
            else selectors.reported_through(indicator, as_of),
            # A status judged on an earlier report day says which plan it was judged on.
            "judged_plan": None
            if row.status == PeriodValue.Status.NONE
            else selectors.judged_plan(indicator, as_of),
            "period_type": period_type,
            "switcher": SWITCHER_PERIODS,
            "figures": {"burnup": burn_up, "bars": bars},
            "key_projects": indicator.key_projects.all(),
            "recovery_projects": indicator.recovery_projects.all(),
            "safety_campaigns": indicator.safety_campaigns.all(),
            "reconciliations": selectors.reconciliations(as_of, indicator),
            "parts": indicator.parts.select_related("department").order_by("order", "code")
            if indicator.kind == Indicator.Kind.SUM
            else [],
            "has_charts": True,
            **page_context(
                request,
                as_of,
                rows_computed_at=max((pv.computed_at for pv in days), default=None),
                plan=indicator.plan,
            ),
            "plan_choices": [],  # the page shows its indicator's plan
            "period_end": max(plan.end, indicator.plan_end),  # the as-of bar's last day
        },
        name=f"{indicator.display_name}_{dict(SWITCHER_PERIODS)[period_type]}",
        ascii_name=f"indicator-{indicator.code}-{period_type}",
        day=as_of,
    )


@require_safe
def department_list(request):
    """Every responsible unit with its indicators' status counts (those in force over the
    plan)."""
    scope = page_scope(request)
    plan, as_of = scope.plan, scope.as_of
    counts, computed_at = selectors.status_counts_by("department_id", as_of, plan)
    departments = list(Department.objects.all())
    for department in departments:
        department.status = selectors.StatusCount()
        department.status.counts.update(counts.get(department.pk, {}))
    return render(
        request,
        "targets/department_list.html",
        {"departments": departments, **page_context(request, as_of, rows_computed_at=computed_at)},
    )


@require_safe
def department_detail(request, code: str):
    """One unit: its indicators with status, progress and catch-up rate, and its weekly
    reports (when they were submitted and approved)."""
    department = get_object_or_404(Department, code=code)
    scope = page_scope(request)
    plan, as_of = scope.plan, scope.as_of
    rows = selectors.rows(selectors.in_force(plan).filter(department=department), as_of)
    table = IndicatorTable(rows, as_of=as_of)
    table.columns.hide("department_name")  # the page's heading; a column of its own in the file

    def page() -> dict:
        # As of that day: a week due after it is not yet due (未到期), not missing (未报).
        table = timeliness.quarter_table(as_of, now=timeliness.end_of(as_of))
        timeliness_row = next((row for row in table if row.department.pk == department.pk), None)
        return {
            "department": department,
            "rows": rows,
            "status": selectors.StatusCount(counts=_count(rows)),
            "timeliness": timeliness_row,
            "timeliness_labels": timeliness.LABELS,
            **page_context(request, as_of, rows_computed_at=latest_computed_at(rows)),
        }

    return exports.table_response(
        request,
        table,
        "targets/department_detail.html",
        page,
        name=f"{plan_label(plan)}{department.display_name}_{_('指标进度')}",
        ascii_name=f"{plan_ascii(plan)}indicators-{department.code}",
        day=as_of,
    )


def plan_label(plan) -> str:
    """A file name's plan part: 郑东新区2021年第四季度目标任务_ (nothing without a plan)."""
    return f"{plan.display_title}_" if plan else ""


def plan_ascii(plan) -> str:
    """The ASCII file name's plan part: its code (2021q4-)."""
    return f"{plan.code}-" if plan else ""


def _count(rows) -> dict:
    counts = selectors.StatusCount().counts
    for row in rows:
        counts[row.count_key] += 1
    return counts
