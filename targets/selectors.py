"""Reads for the dashboards. Every function reads ``PeriodValue`` (never raw entries) with a
fixed number of queries whatever the number of indicators: counts are grouped in SQL, lists
are limited in SQL, so a page's work does not grow with the indicator count.

A "day row" is the ``PeriodValue`` of period type ``day`` for the as-of date: its cumulative
actual and cumulative plan are the indicator's position on that day, its status the
time-progress verdict (同步/超前, 滞后, 严重滞后) computed by the roll-up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from . import clock, periods, plan, rollups
from .models import Goal, Indicator, PeriodValue
from .plan import time_progress  # noqa: F401 (re-exported: targets.api.views reads it from here)

Status = PeriodValue.Status
PENDING = _("未到期")  # the label of a milestone not yet due (status "none")
# Counts split status "none" in two: milestones not yet due ("pending"), and the rest
# (no target, or no figure yet).
PENDING_KEY = "pending"
COUNT_ORDER = (Status.GREEN, Status.YELLOW, Status.RED, PENDING_KEY, Status.NONE)
BEHIND = (Status.RED, Status.YELLOW)

# The tracked period: the briefing's fourth quarter. The as-of date is clipped into it.
DEFAULT_PERIOD = (date(2021, 10, 1), date(2021, 12, 31))

# Headline figures of the overview: key → indicator code (``targets.seed.briefing``'s codes).
HEADLINE_CODES = {
    "investment": "kp-investment",
    "signed": "sci-projects-signed",
    "recovery": "rec-projects-done",
}
# The hazard rectification rate over every safety campaign: Σ rectified ÷ Σ found of the
# indicators ``safety-<campaign>-found`` / ``-rectified`` (targets.seed.briefing).
SAFETY_PREFIX = "safety-"

DAY_ROW_FIELDS = (
    "pv__actual",
    "pv__cumulative_actual",
    "pv__planned",
    "pv__cumulative_planned",
    "pv__status",
    "pv__computed_at",
)


def tracked_period() -> tuple[date, date]:
    """First and last day of the tracked period (settings ``DASHBOARD_PERIOD`` or Q4 2021)."""
    return getattr(settings, "DASHBOARD_PERIOD", DEFAULT_PERIOD)


def computed_at(rows_latest: datetime | None) -> datetime | None:
    """ "计算于": when the roll-up last ran (every figure saved before then is in the
    roll-up rows), else the latest ``computed_at`` among the rows the page shows."""
    return rollups.latest_computed_at() or rows_latest


def resolve_as_of(raw: str | date | None, today: date | None = None) -> date:
    """The as-of date a page shows ("数据截至"): the one asked for, else the product's today
    (``targets.clock``), clipped into the tracked period. The latest entry never moves it:
    figures entered for later days wait until the clock (or the reader) gets there. Pages
    parse ``?as_of=`` with ``targets.params.query_day`` first (a bad date is a 400 there);
    here a text that is not a date counts as none asked for."""
    start, end = tracked_period()
    if isinstance(raw, date):
        asked = raw
    else:
        try:
            asked = parse_date(raw) if raw else None
        except ValueError:  # well-formed but impossible, such as 2021-02-30
            asked = None
    return periods.clip(asked or today or clock.today(), start, end)


def with_day_row(queryset: QuerySet, as_of: date) -> QuerySet:
    """Indicators joined (LEFT) with their day row for ``as_of`` (or for their plan's last
    day when the plan ended earlier), in one query."""
    return queryset.annotate(
        pv=FilteredRelation(
            "period_values",
            # A plan that ended before the as-of date is read on its last day.
            condition=Q(
                period_values__period_type=PeriodValue.PeriodType.DAY,
                period_values__period_start=Least(Value(as_of), F("plan_end")),
            ),
        )
    )


@dataclass
class Row:
    """One indicator as a dashboard row shows it on the as-of date."""

    id: int
    code: str
    name: str
    unit: str
    kind: str
    decimals: int
    target_value: Decimal | None
    target_op: str
    plan_start: date
    plan_end: date
    goal_id: int
    department_id: int
    department_name: str
    department_code: str
    actual: Decimal | None
    cumulative_actual: Decimal | None
    planned: Decimal | None
    cumulative_planned: Decimal | None
    status: str
    computed_at: datetime | None
    as_of: date

    @property
    def pending(self) -> bool:
        """A milestone not done and not yet due: nothing to judge, but not "no plan"."""
        return (
            self.kind == Indicator.Kind.MILESTONE
            and self.status == Status.NONE
            and not self.cumulative_actual
            and self.as_of <= self.plan_end
        )

    @property
    def status_label(self) -> str:
        return str(PENDING) if self.pending else Status(self.status).label

    @property
    def count_key(self) -> str:
        """Which of a ``StatusCount``'s counts this row adds to."""
        return PENDING_KEY if self.pending else Status(self.status)

    @property
    def target_display(self) -> str:
        if self.target_value is None:
            return ""
        op = {"eq": "", "gte": "≥", "approx": "≈"}.get(self.target_op, "")
        return f"{op}{self.target_value.normalize():f}"

    @property
    def plan_ratio(self) -> Decimal | None:
        """Cumulative actual ÷ cumulative plan (1 = on schedule)."""
        if not self.cumulative_planned:
            return None
        return (self.cumulative_actual or Decimal(0)) / self.cumulative_planned

    @property
    def plan_percent(self) -> Decimal | None:
        ratio = self.plan_ratio
        return None if ratio is None else ratio * 100

    @property
    def target_percent(self) -> Decimal | None:
        """Cumulative actual ÷ target, in %."""
        if not self.target_value or self.kind == Indicator.Kind.RATIO:
            return None
        return (self.cumulative_actual or Decimal(0)) / self.target_value * 100

    @property
    def time_percent(self) -> Decimal:
        return plan.time_progress(self.plan_start, self.plan_end, self.as_of) * 100

    @property
    def catch_up(self) -> Decimal | None:
        if self.kind not in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL):
            return None
        days_left = (self.plan_end - self.as_of).days
        return plan.catch_up_rate(self.target_value, self.cumulative_actual, days_left)


ROW_FIELDS = (
    "id",
    "code",
    "name",
    "unit",
    "kind",
    "decimals",
    "target_value",
    "target_op",
    "plan_start",
    "plan_end",
    "goal_id",
    "department_id",
    "department__name",
    "department__code",
    *DAY_ROW_FIELDS,
)


def rows(queryset: QuerySet, as_of: date) -> list[Row]:
    """Dashboard rows of the given indicators on ``as_of`` (one query)."""
    return [_row(values, as_of) for values in with_day_row(queryset, as_of).values(*ROW_FIELDS)]


def _row(values: dict, as_of: date) -> Row:
    return Row(
        id=values["id"],
        code=values["code"],
        name=values["name"],
        unit=values["unit"],
        kind=values["kind"],
        decimals=values["decimals"],
        target_value=values["target_value"],
        target_op=values["target_op"],
        plan_start=values["plan_start"],
        plan_end=values["plan_end"],
        goal_id=values["goal_id"],
        department_id=values["department_id"],
        department_name=values["department__name"],
        department_code=values["department__code"],
        actual=values["pv__actual"],
        cumulative_actual=values["pv__cumulative_actual"],
        planned=values["pv__planned"],
        cumulative_planned=values["pv__cumulative_planned"],
        status=values["pv__status"] or Status.NONE,
        computed_at=values["pv__computed_at"],
        as_of=as_of,
    )


@dataclass
class StatusCount:
    """Green/yellow/red, not-yet-due and no-plan counts of a group of indicators."""

    goal: Goal | None = None
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_ORDER, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def green(self) -> int:
        return self.counts[Status.GREEN]

    @property
    def yellow(self) -> int:
        return self.counts[Status.YELLOW]

    @property
    def red(self) -> int:
        return self.counts[Status.RED]

    @property
    def pending(self) -> int:
        return self.counts[PENDING_KEY]

    @property
    def none(self) -> int:
        return self.counts[Status.NONE]


@dataclass
class Overview:
    as_of: date
    computed_at: datetime | None
    framework: list[StatusCount]
    sections: list[StatusCount]
    total: StatusCount
    behind: list[Row]
    behind_total: int
    headlines: dict[str, Row]
    hazards: Hazards


@dataclass
class Hazards:
    """Hazards found and rectified over all safety campaigns up to the as-of date."""

    found: Decimal
    rectified: Decimal

    @property
    def rate(self) -> Decimal | None:
        """Rectification rate in % (rectified ÷ found)."""
        return self.rectified / self.found * 100 if self.found else None


def hazards(as_of: date) -> Hazards:
    """Σ hazards found and Σ rectified of all campaigns on ``as_of`` (one query; summed as
    Decimal in Python, a few rows, never a float SUM in SQL)."""
    parts = with_day_row(
        Indicator.objects.filter(code__startswith=SAFETY_PREFIX).filter(
            Q(code__endswith="-found") | Q(code__endswith="-rectified")
        ),
        as_of,
    ).values_list("code", "pv__cumulative_actual")
    found = rectified = Decimal(0)
    for code, value in parts:
        if code.endswith("-found"):
            found += value or 0
        else:
            rectified += value or 0
    return Hazards(found=found, rectified=rectified)


def status_counts_by(key: str, as_of: date, queryset: QuerySet | None = None) -> tuple[dict, datetime | None]:
    """{key value: {status: count}} of the indicators on ``as_of``, grouped by an indicator
    field (``goal_id``, ``department_id``), and the latest ``computed_at`` among their day
    rows (one grouped query)."""
    queryset = Indicator.objects.all() if queryset is None else queryset
    # As Row.pending: a milestone not due by the as-of date and not judged (so not done).
    unjudged = Q(pv__status=Status.NONE) | Q(pv__status__isnull=True)
    pending = Q(kind=Indicator.Kind.MILESTONE, plan_end__gte=as_of) & unjudged
    grouped = (
        with_day_row(queryset, as_of)
        .annotate(pending=Case(When(pending, then=Value(True)), default=Value(False)))
        .values(key, "pv__status", "pending")
        .annotate(n=Count("id"), computed=Max("pv__computed_at"))
        .order_by()
    )
    counts: dict = defaultdict(lambda: dict.fromkeys(COUNT_ORDER, 0))
    computed_at = None
    for item in grouped:
        status = PENDING_KEY if item["pending"] else Status(item["pv__status"] or Status.NONE)
        counts[item[key]][status] += item["n"]
        if item["computed"] and (computed_at is None or item["computed"] > computed_at):
            computed_at = item["computed"]
    return counts, computed_at


def behind_schedule(as_of: date, limit: int = 15, queryset: QuerySet | None = None) -> list[Row]:
    """Indicators behind time progress on ``as_of``, most behind first (lowest cumulative
    actual ÷ cumulative plan), at most ``limit`` of them (one query)."""
    queryset = Indicator.objects.all() if queryset is None else queryset
    ratio = ExpressionWrapper(
        Coalesce(F("pv__cumulative_actual"), Value(Decimal(0)))
        * Value(Decimal(10000))
        / F("pv__cumulative_planned"),
        output_field=DecimalField(max_digits=30, decimal_places=4),
    )
    behind = (
        with_day_row(queryset, as_of)
        .filter(pv__status__in=BEHIND, pv__cumulative_planned__gt=0)
        .annotate(progress=ratio)
        .order_by("progress", "order", "code")
        .values(*ROW_FIELDS)[:limit]
    )
    return [_row(values, as_of) for values in behind]


def overview(as_of: date) -> Overview:
    """Everything the overview page shows, in six queries whatever the indicator count."""
    goals = {goal.pk: goal for goal in Goal.objects.all()}
    supports = defaultdict(set)
    for from_id, to_id in Goal.supports.through.objects.values_list("from_goal_id", "to_goal_id"):
        supports[from_id].add(to_id)
    counts, computed_at = status_counts_by("goal_id", as_of)

    def ancestor(goal_id, level):
        goal = goals.get(goal_id)
        while goal is not None and goal.level != level:
            goal = goals.get(goal.parent_id)
        return goal

    def framework_roots(goal_id) -> set[int]:
        """Top framework goals (三个高地, 两个中心, 一个新城) a goal feeds, through its own
        and its ancestors' ``supports`` links."""
        roots = set()
        goal = goals.get(goal_id)
        while goal is not None:
            fed = set(supports.get(goal.pk, set()))
            if goal.level == Goal.Level.FRAMEWORK:
                fed.add(goal.pk)
            for target in fed:
                root = goals.get(target)
                while root is not None and root.parent_id is not None:
                    root = goals.get(root.parent_id)
                if root is not None:
                    roots.add(root.pk)
            goal = goals.get(goal.parent_id)
        return roots

    framework = {
        g.pk: StatusCount(g)
        for g in sorted(goals.values(), key=lambda g: (g.order, g.code))
        if g.level == Goal.Level.FRAMEWORK and g.parent_id is None
    }
    sections = {
        g.pk: StatusCount(g)
        for g in sorted(goals.values(), key=lambda g: (g.order, g.code))
        if g.level == Goal.Level.SECTION
    }
    total = StatusCount()
    for goal_id, by_status in counts.items():
        section = ancestor(goal_id, Goal.Level.SECTION)
        for status, n in by_status.items():
            total.counts[status] += n
            if section is not None and section.pk in sections:
                sections[section.pk].counts[status] += n
            for root in framework_roots(goal_id):
                if root in framework:
                    framework[root].counts[status] += n

    headlines = {
        row.code: row for row in rows(Indicator.objects.filter(code__in=HEADLINE_CODES.values()), as_of)
    }
    return Overview(
        as_of=as_of,
        computed_at=computed_at,
        framework=list(framework.values()),
        sections=list(sections.values()),
        total=total,
        behind=behind_schedule(as_of),
        behind_total=total.yellow + total.red,
        headlines={key: headlines[code] for key, code in HEADLINE_CODES.items() if code in headlines},
        hazards=hazards(as_of),
    )


def series(indicator: Indicator, period_type: str) -> list[PeriodValue]:
    """An indicator's roll-up rows of one period type, in date order (one query)."""
    return list(
        PeriodValue.objects.filter(indicator=indicator, period_type=period_type).order_by("period_start")
    )


def as_of_figures(
    indicator: Indicator, rows: list[PeriodValue], days: list[PeriodValue], as_of: date
) -> list[dict]:
    """The rows' figures as they stood on ``as_of`` (the date the page is read at): a period
    that starts later has no actual, cumulative or status yet (None, shown "—"); one in
    progress shows its figures up to ``as_of``: cumulative values and status of the day
    row, and the actual of its days so far (sum for amounts, last value for levels; a
    ratio's period rate needs its parts' periods, so None). Its plan stays the period's.
    ``days`` are the indicator's day rows (``series(indicator, "day")``)."""
    by_day = {pv.period_start: pv for pv in days}
    on_day = by_day.get(min(as_of, indicator.plan_end))
    figures = []
    for pv in rows:
        shown = {
            "period_start": pv.period_start,
            "period_end": pv.period_end,
            "planned": pv.planned,
            "actual": pv.actual,
            "cumulative_planned": pv.cumulative_planned,
            "cumulative_actual": pv.cumulative_actual,
            "status": pv.status,
        }
        if pv.period_start > as_of:
            shown.update(actual=None, cumulative_actual=None, status=None)
        elif pv.period_end > as_of and on_day is not None:
            so_far = [
                by_day[day].actual for day in periods.days_between(pv.period_start, as_of) if day in by_day
            ]
            so_far = [value for value in so_far if value is not None]
            if indicator.kind == Indicator.Kind.AMOUNT:
                actual = sum(so_far) if so_far else None
            elif indicator.kind == Indicator.Kind.RATIO:
                actual = None
            else:  # a level's last value; a milestone's 0/1 is carried on every day
                actual = so_far[-1] if so_far else None
            shown.update(
                actual=actual,
                cumulative_planned=on_day.cumulative_planned,
                cumulative_actual=on_day.cumulative_actual,
                status=on_day.status,
            )
        figures.append(shown)
    return figures
