"""Reads for the dashboards, with a fixed number of queries whatever the number of
indicators. Periods (旬 and longer) are ``PeriodValue`` rows; a day is read through
``rollups.day_values`` (entries, plan and the stored 旬 rows: day rows are not stored).

A "day row" is an indicator's figures on the as-of date (``day_rows``): its cumulative
actual and cumulative plan are the indicator's position on that day, its status the
time-progress verdict (同步/超前, 滞后, 严重滞后). The overview reads every indicator's day
row once and counts, ranks and picks from it in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import clock, current, periods, plan, rollups
from .models import Entry, Goal, Indicator, PeriodValue, Plan, ProgressNote, localized_name, localized_unit
from .plan import time_progress  # noqa: F401 (re-exported: targets.api.views reads it from here)

Status = PeriodValue.Status
PENDING = _("未到期")  # the label of a milestone, or a first report, not yet due (status "none")
# Counts split status "none" in two: milestones and first reports not yet due ("pending"),
# and the rest (no target, or no figure yet).
PENDING_KEY = "pending"
COUNT_ORDER = (Status.GREEN, Status.YELLOW, Status.RED, PENDING_KEY, Status.NONE)
BEHIND = (Status.RED, Status.YELLOW)

# Headline figures of the overview: key → indicator code (``targets.seed.briefing``'s codes).
HEADLINE_CODES = {
    "investment": "kp-investment",
    "signed": "sci-projects-signed",
    # Recovery: its investment (近15亿元); the 205 projects were planned, not a target.
    "recovery": "rec-investment",
}
# The hazard rectification rate over every safety campaign: Σ rectified ÷ Σ found of the
# indicators ``safety-<campaign>-found`` / ``-rectified`` (targets.seed.briefing).
SAFETY_PREFIX = "safety-"


def computed_at(rows_latest: datetime | None) -> datetime | None:
    """ "计算于": when the roll-up last ran (every figure saved before then is in the
    roll-up rows), else the latest ``computed_at`` among the rows the page shows."""
    return rollups.latest_computed_at() or rows_latest


def resolve_as_of(raw: str | date | None, today: date | None = None, plan: Plan | None = None) -> date:
    """The as-of date a page shows ("数据截至"): the one asked for, else the product's today
    (``targets.clock``), capped into the plan's period (``plan``, else the default plan of
    that day: ``targets.current``). The latest entry never moves it: figures entered for
    later days wait until the clock (or the reader) gets there. Pages parse ``?as_of=``
    with ``targets.params.query_day`` first (a bad date is a 400 there); here a text that
    is not a date counts as none asked for."""
    if isinstance(raw, date):
        asked = raw
    else:
        try:
            asked = parse_date(raw) if raw else None
        except ValueError:  # well-formed but impossible, such as 2021-02-30
            asked = None
    if plan is None:
        plan = current.current_plan(as_of=asked or today)
    return current.resolve_as_of(asked, plan, today)


# The default of a ``plan`` argument: the default plan of the as-of date.
DEFAULT_PLAN: Any = object()


def plan_of(plan, as_of: date) -> Plan | None:
    return current.current_plan(as_of=as_of) if plan is DEFAULT_PLAN else plan


def in_force(plan: Plan | None) -> QuerySet:
    """The indicators in force over a plan's period: its own, and those of an earlier
    (published or closed) plan still running into it that it holds no copy of (the Q4
    2021 plan's recovery, due May 2022, read in Q1 2022: a copy leaves such indicators in
    their plan, ``targets.plans.services.still_running``). The figures a clerk enters for
    them in the plan's period are read there, so every page, report and API list of the
    plan counts and lists them (``day_rows`` reads their figures with the plan's); none
    without a plan. The plan's own definition (its editor, its file, its copy) reads
    ``plan.indicators`` alone.

    Each carries ``placed_goal_id``, the goal of ``plan`` it is counted under: its own
    goal, or for a running one the plan's goal with its goal's code (a copy keeps goal
    codes), else with its goal's root's code, else none (listed apart as continuing);
    and ``continued_from``, the earlier plan's id (none for the plan's own)."""
    if plan is None:
        return Indicator.objects.none()
    running = (
        Q(plan__end__lt=plan.start, plan_end__gte=plan.start)
        & ~Q(plan__status=Plan.Status.DRAFT)
        & ~Q(code__in=Indicator.objects.filter(plan=plan).values("code"))
    )
    goals = Goal.objects.filter(plan=plan).values("pk")
    own = Q(plan=plan)
    return (
        Indicator.objects.filter(own | running)
        .annotate(
            # Goals nest three deep at most (框架 › 板块 › 工作线).
            goal_root_code=Coalesce(F("goal__parent__parent__code"), F("goal__parent__code"), F("goal__code"))
        )
        .annotate(
            placed_goal_id=Case(
                When(own, then=F("goal_id")),
                default=Coalesce(
                    Subquery(goals.filter(code=OuterRef("goal__code"))[:1]),
                    Subquery(goals.filter(code=OuterRef("goal_root_code"))[:1]),
                ),
            ),
            continued_from=Case(When(own, then=None), default=F("plan_id")),
        )
    )


def running_into(plan: Plan | None) -> QuerySet:
    """The indicators ``in_force`` over ``plan`` that belong to an earlier plan."""
    return in_force(plan).exclude(plan=plan) if plan is not None else Indicator.objects.none()


def day_rows(
    indicator_ids: Iterable[int] | None, as_of: date, plan: Plan | None = None
) -> dict[int, rollups.DayValue]:
    """{indicator id: its figures on ``as_of``, or on its plan's last day when the plan
    ended earlier} for the given indicators (when None: every indicator ``in_force`` over
    ``plan``: the plan's own read by plan, those running into it from an earlier plan by
    id); none for a plan that starts later. Read through ``rollups.day_values``. A whole
    plan's (``None``: the overview, the counts) is kept in the cache per plan, roll-up
    run, as-of date and today: it only moves when the roll-up runs (after every save) or
    the date does."""
    if indicator_ids is None and plan is None:
        return {}
    stamp = rollups.latest_computed_at() if indicator_ids is None else None
    key = f"targets:day-rows:{plan.pk}:{stamp.isoformat()}:{as_of}:{clock.today()}" if stamp else None
    found = cache.get(key) if key else None
    if found is None:
        plan_id = plan.pk if indicator_ids is None else None
        found = {
            pk: days[-1] for pk, days in rollups.day_values(indicator_ids, as_of, plan_id=plan_id).items()
        }
        running = list(running_into(plan).values_list("pk", flat=True)) if plan_id else []
        if running:
            found.update(day_rows(running, as_of))
        if key:
            cache.set(key, found, 24 * 3600)
    return found


def is_pending(
    *, kind: str, cadence: str, target_value, plan_start: date, plan_end: date, as_of: date
) -> bool:
    """Status "none" that means "not yet due", not "no plan": a milestone before its due
    day, or an indicator with a target reported weekly, by 旬 or monthly before its first
    report day (the roll-up judges it on its last report day: none yet)."""
    if kind == Indicator.Kind.MILESTONE:
        return as_of <= plan_end
    if target_value is None or cadence in (periods.DAILY, periods.ONCE) or as_of >= plan_end:
        return False
    return periods.last_period_end(cadence, as_of) < plan_start


@dataclass
class Row:
    """One indicator as a dashboard row shows it on the as-of date."""

    id: int
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    kind: str
    decimals: int
    target_value: Decimal | None
    target_op: str
    plan_start: date
    plan_end: date
    goal_id: int
    department_id: int
    department_name_zh: str
    department_name_en: str
    department_code: str
    actual: Decimal | None
    cumulative_actual: Decimal | None
    planned: Decimal | None
    cumulative_planned: Decimal | None
    status: str
    computed_at: datetime | None
    as_of: date
    done_on: date | None = None  # a milestone: the day it was done (on or before as_of)
    cadence: str = periods.DAILY
    note: ProgressNote | None = None  # its latest 进展·问题·措施 (where a page asks for it)
    # The earlier plan it runs on from, when listed over a later plan (``in_force``).
    continued_from: Plan | None = None

    @property
    def continued_label(self) -> str:
        """延续自2021年第四季度: which earlier plan a running indicator is reported in."""
        if self.continued_from is None:
            return ""
        return _("延续自%(plan)s") % {"plan": plan_name(self.continued_from)}

    @property
    def display_name(self) -> str:
        return localized_name(self.name_zh, self.name_en)

    @property
    def name(self) -> str:
        """What a page shows as the indicator's name (``display_name``)."""
        return self.display_name

    @property
    def display_unit(self) -> str:
        return localized_unit(self.unit_zh)

    @property
    def department_display_name(self) -> str:
        return localized_name(self.department_name_zh, self.department_name_en)

    # What pages show (the Chinese is ``*_zh``): every template and table reading a row
    # gets the active language's names without a second spelling of the rule.
    unit = property(lambda self: self.display_unit)
    department_name = property(lambda self: self.department_display_name)

    @property
    def cumulative_text(self) -> str:
        """The cumulative actual as every page, export and report writes it (no unit): a
        milestone says 已完成 with its day or 未完成, never 1 or 0."""
        if self.kind == Indicator.Kind.MILESTONE:
            if self.cumulative_actual and self.done_on:
                return _("已完成（%(day)s）") % {"day": self.done_on.isoformat()}
            return str(_("已完成")) if self.cumulative_actual else str(_("未完成"))
        return figure_text(self.cumulative_actual, self.decimals)

    @property
    def plan_decimals(self) -> int:
        """The places the cumulative plan shows (``figure_text``'s rule)."""
        return plan_places(self.cumulative_planned, self.decimals)

    @property
    def planned_text(self) -> str:
        """The cumulative plan: to the precision it needs (a count's plan to date, 1.23处,
        is a pace, not a whole number); a milestone's is its due day."""
        if self.kind == Indicator.Kind.MILESTONE:
            return self.plan_end.isoformat()
        if self.target_value is None:
            return "—"
        return figure_text(self.cumulative_planned, self.decimals, plan=True)

    @property
    def pending(self) -> bool:
        """Nothing to judge yet, but not "no plan": a milestone not done and not yet due, or
        a first report not yet due (``is_pending``)."""
        return (
            self.status == Status.NONE
            and not self.cumulative_actual
            and is_pending(
                kind=self.kind,
                cadence=self.cadence,
                target_value=self.target_value,
                plan_start=self.plan_start,
                plan_end=self.plan_end,
                as_of=self.as_of,
            )
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
    def target_text(self) -> str:
        """The target with its unit, or 无目标 (the briefing sets none)."""
        if self.kind == Indicator.Kind.MILESTONE:
            return _("%(day)s前完成") % {"day": self.plan_end.isoformat()}
        if self.target_value is None:
            return str(_("无目标"))
        return f"{self.target_display}{self.display_unit}"

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
        if self.kind not in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL, Indicator.Kind.SUM):
            return None
        days_left = (self.plan_end - self.as_of).days
        return plan.catch_up_rate(self.target_value, self.cumulative_actual, days_left)


ROW_FIELDS = (
    "id",
    "code",
    "name",
    "name_en",
    "unit",
    "kind",
    "decimals",
    "target_value",
    "target_op",
    "plan_start",
    "plan_end",
    "cadence",
    "goal_id",
    "department_id",
    "department__name",
    "department__name_en",
    "department__code",
)


def rows(queryset: QuerySet, as_of: date, days: dict[int, rollups.DayValue] | None = None) -> list[Row]:
    """Dashboard rows of the given indicators on ``as_of``, in the queryset's order (the
    indicators with a milestone's done day, then their day figures, unless ``days``
    already holds them). Of ``in_force`` a plan's: each under the goal it is counted
    under there, one running from an earlier plan saying which (one more read)."""
    placed = [name for name in PLACED_FIELDS if name in queryset.query.annotations]
    found = list(queryset.annotate(done_on=done_on(as_of)).values(*ROW_FIELDS, "done_on", *placed))
    if days is None:
        days = day_rows([values["id"] for values in found], as_of) if found else {}
    result = [_row(values, days.get(values["id"]), as_of) for values in found]
    earlier = {values["continued_from"] for values in found if values.get("continued_from")}
    if earlier:
        plans = Plan.objects.in_bulk(earlier)
        for row, values in zip(result, found, strict=True):
            row.continued_from = plans.get(values["continued_from"])
    return result


# What ``in_force`` adds to a row: the goal of the plan read and the earlier plan.
PLACED_FIELDS = ("placed_goal_id", "continued_from")


def plan_name(plan: Plan) -> str:
    """A plan as a label names it: its quarter or year (2021年第四季度, Q4 2021), else its
    title."""
    period_type = {Plan.Kind.QUARTER: periods.QUARTER, Plan.Kind.YEAR: periods.YEAR}.get(plan.kind)
    if period_type is None:
        return plan.display_title
    return periods.label(period_type, plan.start, get_language() or "zh-hans")


def done_on(as_of: date) -> Subquery:
    """A milestone's done day as of ``as_of``: its first entry ≠ 0 (the roll-up's rule),
    NULL for other kinds or when not done by then."""
    first = (
        Entry.objects.filter(indicator=OuterRef("pk"), date__lte=as_of)
        .exclude(value=0)
        .order_by("date")
        .values("date")[:1]
    )
    return Case(When(kind=Indicator.Kind.MILESTONE, then=Subquery(first)), default=None)


def plan_places(value: Decimal | None, decimals: int) -> int:
    """The places a plan figure shows: the indicator's, or two when those would round it
    (1.2346 of a count shown as 1, beside 1 done and 81 %), so a ratio of shown figures
    reads true."""
    if value is not None and value != value.quantize(Decimal(1).scaleb(-decimals)):
        return max(decimals, 2)
    return decimals


def figure_text(value: Decimal | None, decimals: int, *, plan: bool = False, grouping: bool = False) -> str:
    """A figure to the indicator's decimals (a plan: ``plan_places``), "—" when there is
    none."""
    if value is None:
        return "—"
    places = plan_places(value, decimals) if plan else decimals
    return f"{value:,.{places}f}" if grouping else f"{value:.{places}f}"


def _row(values: dict, day: rollups.DayValue | None, as_of: date) -> Row:
    # Without a target nothing is planned: no plan figure, rather than a plan of 0.
    unplanned = values["target_value"] is None and values["kind"] != Indicator.Kind.MILESTONE
    return Row(
        id=values["id"],
        code=values["code"],
        name_zh=values["name"],
        name_en=values["name_en"],
        unit_zh=values["unit"],
        kind=values["kind"],
        decimals=values["decimals"],
        target_value=values["target_value"],
        target_op=values["target_op"],
        plan_start=values["plan_start"],
        plan_end=values["plan_end"],
        cadence=values["cadence"],
        goal_id=values["placed_goal_id"] if "placed_goal_id" in values else values["goal_id"],
        department_id=values["department_id"],
        department_name_zh=values["department__name"],
        department_name_en=values["department__name_en"],
        department_code=values["department__code"],
        actual=day.actual if day else None,
        cumulative_actual=day.cumulative_actual if day else None,
        planned=None if unplanned or day is None else day.planned,
        cumulative_planned=None if unplanned or day is None else day.cumulative_planned,
        status=day.status if day else Status.NONE,
        computed_at=day.computed_at if day else None,
        as_of=as_of,
        done_on=values["done_on"],
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
    """Hazards found and rectified over all safety campaigns up to the as-of date, in the
    unit of their indicators (项)."""

    found: Decimal
    rectified: Decimal
    unit: str = "项"

    @property
    def rate(self) -> Decimal | None:
        """Rectification rate in % (rectified to date ÷ found to date)."""
        return self.rectified / self.found * 100 if self.found else None

    @property
    def summary(self) -> str:
        """The one wording of the two parts, on the overview and in the reports."""
        return _("发现隐患 %(found)s %(unit)s · 已整改 %(rectified)s %(unit)s") % {
            "found": f"{self.found:.0f}",
            "rectified": f"{self.rectified:.0f}",
            "unit": localized_unit(self.unit),
        }


def hazards(
    as_of: date, plan: Plan | None = DEFAULT_PLAN, days: dict[int, rollups.DayValue] | None = None
) -> Hazards:
    """Σ hazards found and Σ rectified of all campaigns of the plan on ``as_of`` (summed
    as Decimal in Python, a few rows, never a float SUM in SQL)."""
    plan = plan_of(plan, as_of)
    parts = (
        in_force(plan)
        .filter(code__startswith=SAFETY_PREFIX)
        .filter(Q(code__endswith="-found") | Q(code__endswith="-rectified"))
    )
    return _hazards(parts.values_list("id", "code", "unit"), as_of, days)


def _headline_rows(plan: Plan, as_of: date, days: dict) -> list[Row]:
    """The headline indicators in force over ``plan`` (``in_force``): the plan's own read
    from the plan's day rows, one still running from an earlier plan with its own."""
    chosen = in_force(plan).filter(code__in=HEADLINE_CODES.values())
    found = list(chosen.annotate(done_on=done_on(as_of)).values(*ROW_FIELDS, "done_on"))
    missing = [values["id"] for values in found if values["id"] not in days]
    if missing:
        days = {**days, **day_rows(missing, as_of)}
    return [_row(values, days.get(values["id"]), as_of) for values in found]


def _hazards(parts, as_of: date, days: dict | None) -> Hazards:
    """``parts``: (id, code, unit) of the found and rectified indicators."""
    parts = list(parts)
    if days is None:
        days = day_rows([pk for pk, *_ in parts], as_of) if parts else {}
    found = rectified = Decimal(0)
    units = set()
    for pk, code, unit in parts:
        units.add(unit)
        day = days.get(pk)
        value = (day.cumulative_actual if day else None) or 0
        if code.endswith("-found"):
            found += value
        else:
            rectified += value
    return Hazards(found=found, rectified=rectified, unit=units.pop() if len(units) == 1 else "项")


def _is_hazard_part(code: str) -> bool:
    return code.startswith(SAFETY_PREFIX) and (code.endswith("-found") or code.endswith("-rectified"))


def status_counts_by(
    key: str, as_of: date, plan: Plan | None = DEFAULT_PLAN, queryset: QuerySet | None = None
) -> tuple[dict, datetime | None]:
    """{key value: {status: count}} of the indicators in force over the plan
    (``in_force``) or of ``queryset`` on ``as_of``, grouped by an indicator field
    (``department_id``; ``placed_goal_id`` for the plan's goals), and when their figures
    were computed (the indicators and their day rows: two reads)."""
    plan = plan_of(plan, as_of)
    chosen = in_force(plan) if queryset is None else queryset
    items = list(chosen.values_list("id", key, *PENDING_FIELDS))
    days = day_rows(None if queryset is None else [item[0] for item in items], as_of, plan)
    return _count(items, days, as_of)


PENDING_FIELDS = ("kind", "cadence", "target_value", "plan_start", "plan_end")  # is_pending's


def _count(items, days: dict, as_of: date) -> tuple[dict, datetime | None]:
    """Status counts of ``items``: (id, group, *PENDING_FIELDS) each."""
    counts: dict = defaultdict(lambda: dict.fromkeys(COUNT_ORDER, 0))
    computed_at = None
    for pk, group, *pending in items:
        day = days.get(pk)
        status = day.status if day else Status.NONE
        # As Row.pending: not judged (so a milestone not done, a report with no figure).
        if status == Status.NONE and not (day and day.cumulative_actual):
            if is_pending(**dict(zip(PENDING_FIELDS, pending, strict=True)), as_of=as_of):
                status = PENDING_KEY
        counts[group][status] += 1
        if day and (computed_at is None or day.computed_at > computed_at):
            computed_at = day.computed_at
    return counts, computed_at


def behind_schedule(
    as_of: date, plan: Plan | None = DEFAULT_PLAN, limit: int = 15, queryset: QuerySet | None = None
) -> list[Row]:
    """The indicators in force over the plan (``in_force``) or ``queryset``'s behind time
    progress on ``as_of``, most behind first (lowest cumulative actual ÷ cumulative plan),
    at most ``limit`` of them."""
    plan = plan_of(plan, as_of)
    chosen = in_force(plan) if queryset is None else queryset
    items = list(chosen.values_list("id", "order", "code"))
    days = day_rows(None if queryset is None else [pk for pk, *_ in items], as_of, plan)
    return _behind(items, days, as_of, limit, chosen)


def _behind(items, days: dict, as_of: date, limit: int, chosen: QuerySet) -> list[Row]:
    ranked = []
    for pk, order, code in items:
        day = days.get(pk)
        if (
            day is None
            or day.status not in BEHIND
            or not day.cumulative_planned
            or day.cumulative_planned <= 0
        ):
            continue
        progress = (day.cumulative_actual or Decimal(0)) / day.cumulative_planned
        ranked.append((progress, order, code, pk))
    picked = [pk for *_, pk in sorted(ranked)[:limit]]
    by_id = {row.id: row for row in rows(chosen.filter(id__in=picked), as_of, days)} if picked else {}
    return [by_id[pk] for pk in picked]


def overview(as_of: date, plan: Plan | None = DEFAULT_PLAN) -> Overview:
    """Everything the overview page shows of a plan, in a fixed number of queries whatever
    the indicator count: every indicator's day row is read once, then counted, ranked and
    picked from in Python. Without a plan, nothing is tracked (every count 0)."""
    plan = plan_of(plan, as_of)
    goals = {goal.pk: goal for goal in Goal.objects.filter(plan=plan)} if plan else {}
    supports = defaultdict(set)
    links = Goal.supports.through.objects.filter(from_goal__plan=plan) if plan else None
    for from_id, to_id in links.values_list("from_goal_id", "to_goal_id") if links is not None else ():
        supports[from_id].add(to_id)
    fields = ("id", "placed_goal_id", *PENDING_FIELDS, "order", "code", "unit")
    items = list(in_force(plan).values_list(*fields)) if plan else []
    days = day_rows(None, as_of, plan)
    counts, computed_at = _count([item[: 2 + len(PENDING_FIELDS)] for item in items], days, as_of)

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

    # The headline codes are looked up among the indicators in force over the plan (codes
    # repeat across plans): its own, or one still running into it from an earlier plan.
    headlines = {row.code: row for row in _headline_rows(plan, as_of, days)} if plan else {}
    ranked = [(pk, order, code) for pk, *_, order, code, _unit in items]
    behind = _behind(ranked, days, as_of, 15, in_force(plan))
    latest = latest_notes([row.id for row in behind], as_of)
    for row in behind:
        row.note = latest.get(row.id)
    return Overview(
        as_of=as_of,
        computed_at=computed_at,
        framework=list(framework.values()),
        sections=list(sections.values()),
        total=total,
        behind=behind,
        behind_total=total.yellow + total.red,
        headlines={key: headlines[code] for key, code in HEADLINE_CODES.items() if code in headlines},
        hazards=_hazards(
            [(pk, code, unit) for pk, *_, code, unit in items if _is_hazard_part(code)], as_of, days
        ),
    )


def series(indicator: Indicator, period_type: str) -> list:
    """An indicator's roll-up rows of one period type over its plan, in date order: its
    ``PeriodValue`` rows, or for days every day of its plan read through
    ``rollups.day_values``."""
    if period_type == periods.DAY:
        days = rollups.day_values([indicator.pk], indicator.plan_start, indicator.plan_end)
        return days.get(indicator.pk, [])
    return list(
        PeriodValue.objects.filter(indicator=indicator, period_type=period_type).order_by("period_start")
    )


def reported_through(indicator: Indicator, last_day: date) -> date | None:
    """For a figure of ``indicator`` read on ``last_day`` (a day, or a period's last day
    up to the as-of date): ``None`` when its cadence reports exactly up to that day, else
    the day of the last report it rests on (a weekly indicator read on a Friday: last
    Sunday). Nothing is spread over the days between two reports, so a view finer than
    the cadence is "as of the last report", and says so."""
    day = min(last_day, indicator.plan_end)
    if day == indicator.plan_end or day < indicator.entry_start:
        return None
    through = periods.reported_through(indicator.cadence, day)
    return through if through is not None and through >= indicator.entry_start else None


@dataclass(frozen=True)
class JudgedPlan:
    """What a status read between two reports rests on: the indicator's last report day
    and the cumulative plan to it (in the indicator's unit)."""

    day: date
    planned: Decimal
    decimals: int

    @property
    def planned_text(self) -> str:
        return figure_text(self.planned, self.decimals, plan=True)


def judged_plan(indicator: Indicator, as_of: date) -> JudgedPlan | None:
    """The plan ``indicator``'s status on ``as_of`` is compared with, when that is not the
    plan to ``as_of`` itself: a weekly, 旬 or monthly indicator read after its last report
    day is judged on the cumulative plan to that day (``rollups._report_n``), so 85 % of
    the plan to date may read 同步. The plan is ``plan.cumulative_plan``'s, the very figure
    the roll-up compares with. None for a daily indicator, on a report day or from the
    plan's last day on, before the first report day (未到期), and for the kinds judged
    otherwise: a milestone on the day, a ratio against its target rate, a sum on each
    part's own report day."""
    if indicator.kind not in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL) or indicator.target_value is None:
        return None
    day = min(as_of, indicator.plan_end)
    report_day = None if day == indicator.plan_end else periods.reported_through(indicator.cadence, day)
    if report_day is None or report_day < indicator.plan_start:
        return None
    planned = plan.cumulative_plan(
        indicator.target_value,
        indicator.plan_start,
        indicator.plan_end,
        report_day,
        indicator.monthly_weights,
    )
    return JudgedPlan(report_day, planned, indicator.decimals)


def as_of_figures(
    indicator: Indicator, rows: list[PeriodValue], days: list[PeriodValue], as_of: date
) -> list[dict]:
    """The rows' figures as they stood on ``as_of`` (the date the page is read at): a period
    that starts later has no actual, cumulative or status yet (None, shown "—"); one in
    progress shows its figures up to ``as_of``: cumulative values and status of the day
    row, and the actual of its days so far (sum for amounts, last value for levels; a
    ratio's period rate needs its parts' periods, so None). Its plan stays the period's.
    ``days`` are the indicator's day rows (``series(indicator, "day")``, read through
    ``rollups.day_values``)."""
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
        if pv.period_start <= as_of and indicator.kind != Indicator.Kind.MILESTONE:
            shown["reported_through"] = reported_through(indicator, min(pv.period_end, as_of))
        if pv.period_start > as_of:
            shown.update(actual=None, cumulative_actual=None, status=None)
        elif pv.period_end > as_of and on_day is not None:
            so_far = [
                by_day[day].actual for day in periods.days_between(pv.period_start, as_of) if day in by_day
            ]
            so_far = [value for value in so_far if value is not None]
            if indicator.kind in (Indicator.Kind.AMOUNT, Indicator.Kind.SUM):
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


def progress_notes(indicator_ids: Iterable[int], as_of: date | None = None) -> dict[int, list[ProgressNote]]:
    """{indicator id: its 进展·问题·措施, latest first} about weeks (periods) starting on or
    before ``as_of`` (all when None). One query."""
    found: dict[int, list[ProgressNote]] = defaultdict(list)
    notes = ProgressNote.objects.filter(indicator_id__in=list(indicator_ids)).select_related("author")
    if as_of is not None:
        notes = notes.filter(period_start__lte=as_of)
    for note in notes:  # ordered latest first (Meta.ordering)
        found[note.indicator_id].append(note)
    return dict(found)


def latest_notes(indicator_ids: Iterable[int], as_of: date | None = None) -> dict[int, ProgressNote]:
    """{indicator id: its latest 进展·问题·措施 on ``as_of``} (one query)."""
    return {pk: notes[0] for pk, notes in progress_notes(indicator_ids, as_of).items()}


def notes_stamp() -> int:
    """Changes whenever a note is written (notes are never changed or deleted one by one):
    part of the cache key of pages that show them."""
    return ProgressNote.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def so_far(indicator_ids: Iterable[int], period_type: str, as_of: date) -> dict[int, Decimal | None]:
    """{indicator id: the sum of its figures from the start of the period (of
    ``period_type``) holding ``as_of`` to ``as_of``} of amount and sum indicators (None
    when nothing was entered in it): what this quarter or month has brought so far, read
    through ``rollups.day_values``."""
    ids = list(indicator_ids)
    if not ids:
        return {}
    days = rollups.day_values(ids, periods.period_start(period_type, as_of), as_of)
    result: dict[int, Decimal | None] = dict.fromkeys(ids)
    for pk, rows in days.items():
        actuals = [day.actual for day in rows if day.actual is not None]
        result[pk] = sum(actuals, Decimal(0)) if actuals else None
    return result


@dataclass
class Reconciliation:
    """A sum indicator (汇总: its parts added up) beside the total someone reports for
    the same thing (``Indicator.reconciles``), on the as-of day: cumulative and this
    quarter so far, with the difference (reported − sum: what the parts do not explain)."""

    total: Indicator
    reported: Indicator
    as_of: date
    sum_cumulative: Decimal | None
    reported_cumulative: Decimal | None
    sum_quarter: Decimal | None
    reported_quarter: Decimal | None
    parts: int

    @staticmethod
    def _difference(reported, summed) -> Decimal | None:
        return None if reported is None or summed is None else reported - summed

    @property
    def difference(self) -> Decimal | None:
        return self._difference(self.reported_cumulative, self.sum_cumulative)

    @property
    def quarter_difference(self) -> Decimal | None:
        return self._difference(self.reported_quarter, self.sum_quarter)


def reconciliations(
    as_of: date, indicator: Indicator | None = None, plan: Plan | None = DEFAULT_PLAN
) -> list[Reconciliation]:
    """The sums checked against a reported total (those in force over the plan, or those
    ``indicator`` is the sum or the reported total of), with their figures on ``as_of``
    (four queries)."""
    sums = Indicator.objects.filter(kind=Indicator.Kind.SUM, reconciles__isnull=False).select_related(
        "reconciles"
    )
    if indicator is not None:
        sums = sums.filter(Q(pk=indicator.pk) | Q(reconciles=indicator))
    else:
        sums = sums.filter(pk__in=in_force(plan_of(plan, as_of)).values("pk"))
    sums = list(sums.annotate(n_parts=Count("parts")))
    if not sums:
        return []
    ids = {pk for total in sums for pk in (total.pk, total.reconciles_id)}
    days = day_rows(ids, as_of)
    quarter = so_far(ids, periods.QUARTER, as_of)

    def cumulative(pk):
        day = days.get(pk)
        return day.cumulative_actual if day else None

    return [
        Reconciliation(
            total=total,
            reported=total.reconciles,
            as_of=as_of,
            sum_cumulative=cumulative(total.pk),
            reported_cumulative=cumulative(total.reconciles_id),
            sum_quarter=quarter.get(total.pk),
            reported_quarter=quarter.get(total.reconciles_id),
            parts=total.n_parts,
        )
        for total in sums
    ]
