"""Reads for the project pages. Progress comes from the linked indicators' figures on the
as-of date (``targets.selectors.day_rows``), read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from targets import periods, selectors
from targets import plan as plan_maths
from targets.models import Department, Indicator, PeriodValue

from .models import (
    KeyProject,
    Milestone,
    Problem,
    ProgressNote,
    RecoveryField,
    RecoveryProject,
    SafetyCampaign,
)

Status = PeriodValue.Status
# Worst first: a project's light is its worst indicator's status.
SEVERITY = {Status.RED: 3, Status.YELLOW: 2, Status.GREEN: 1, Status.NONE: 0}


def indicators_on(as_of: date, plan=selectors.DEFAULT_PLAN) -> Prefetch:
    """Prefetch of linked indicators in force over the plan (by default the plan of
    ``as_of``): its own and those still running into it from an earlier plan
    (``selectors.in_force``); ``with_figures`` then gives them their figures on ``as_of``."""
    return Prefetch("indicators", queryset=selectors.in_force(selectors.plan_of(plan, as_of)))


def with_figures(objects: list, as_of: date) -> list:
    """Give the prefetched indicators of ``objects`` their figures on ``as_of`` (one read
    through ``selectors.day_rows`` for all of them): ``day_status``, ``day_cumulative``,
    ``day_planned`` and ``day_computed_at``."""
    indicators = [ind for obj in objects for ind in obj.indicators.all()]
    days = selectors.day_rows({ind.pk for ind in indicators}, as_of) if indicators else {}
    for ind in indicators:
        day = days.get(ind.pk)
        ind.day_status = day.status if day else None
        ind.day_cumulative = day.cumulative_actual if day else None
        ind.day_planned = day.cumulative_planned if day else None
        ind.day_computed_at = day.computed_at if day else None
    return objects


def worst_status(indicators) -> str:
    """The most behind status among indicators (red > yellow > green > none)."""
    statuses = [ind.day_status or Status.NONE for ind in indicators]
    return max(statuses, key=lambda s: SEVERITY[Status(s)], default=Status.NONE)


def latest_computed(objects) -> object:
    stamps = [ind.day_computed_at for obj in objects for ind in obj.indicators.all() if ind.day_computed_at]
    return max(stamps, default=None)


@dataclass
class MilestoneView:
    kind: str
    name: str
    planned: date | None
    actual: date | None
    as_of: date
    pk: int | None = None  # the milestone row (its evidence page)
    note: str = ""

    @property
    def reached(self) -> bool:
        return self.actual is not None and self.actual <= self.as_of

    @property
    def late(self) -> bool:
        """Done after its planned date, or not done and the planned date has passed."""
        if self.planned is None:
            return False
        return (self.actual if self.reached else self.as_of) > self.planned

    @property
    def overdue(self) -> bool:
        """Not reached and its planned date has passed."""
        return not self.reached and self.late

    @property
    def is_preparatory(self) -> bool:
        return self.kind in Milestone.PREPARATORY

    @property
    def state(self) -> str:
        if self.reached:
            return _("逾期完成") if self.late else _("按期完成")
        if self.planned is None:
            return _("未定")
        return _("逾期") if self.late else (_("办理中") if self.is_preparatory else _("未到期"))


def milestones_of(project: KeyProject, as_of: date) -> list[MilestoneView]:
    """The project's steps (preparatory steps and permits, then 开工, 建成, 投用 …) in
    order of date, as they stand on ``as_of`` (a step reached later is not reached yet)."""
    rows = [
        MilestoneView(
            m.kind, m.name or m.get_kind_display(), m.planned_date, m.actual_date, as_of, pk=m.pk, note=m.note
        )
        for m in project.milestones.all()
    ]
    order = {kind: n for n, kind in enumerate(Milestone.Kind.values)}
    return sorted(rows, key=lambda m: (order[m.kind], m.planned or date.max))


def project_status(investment, milestone_indicators, milestones: list[MilestoneView]) -> str:
    """A project's own light: the time progress of its own investment (its indicator's
    status on the day), its own milestone indicators, and its steps: a 开工/建成/投用 not
    reached by its planned day is 严重滞后, a permit or preparatory step 滞后. Never an
    indicator the project shares with others (the "≥50 signed" total)."""
    statuses = [ind.day_status or Status.NONE for ind in [investment, *milestone_indicators] if ind]
    for m in milestones:
        if m.overdue:
            statuses.append(Status.YELLOW if m.is_preparatory else Status.RED)
    return max(statuses, key=lambda s: SEVERITY[Status(s)], default=Status.NONE)


def investments_in(projects, plan) -> dict[int, Indicator]:
    """{project id: its investment indicator in ``plan``}: the one it links to when that is
    the plan's, else the plan's indicator with the same code (a copied plan keeps codes:
    Q1 2022's ``kp-inv-…`` is the copy of Q4 2021's); none when the plan has no such
    indicator. Without a plan, the linked one. One read for the lot."""
    linked = {p.pk: p.investment_indicator for p in projects if p.investment_indicator}
    if plan is None:
        return linked
    codes = {ind.code for ind in linked.values() if ind.plan_id != plan.pk}
    found = {ind.code: ind for ind in selectors.in_force(plan).filter(code__in=codes)} if codes else {}
    resolved = {pk: ind if ind.plan_id == plan.pk else found.get(ind.code) for pk, ind in linked.items()}
    return {pk: ind for pk, ind in resolved.items() if ind is not None}


def key_projects(
    as_of: date, queryset: QuerySet | None = None, plan=selectors.DEFAULT_PLAN
) -> list[KeyProject]:
    """Key projects (those of ``queryset``, e.g. a list's filters applied, else all) with
    their figures on ``as_of``: investment completed this year and this quarter (their
    investment indicator's roll-up), rate against the annual plan and time progress,
    stage, steps, latest physical progress, light and open problems (a fixed number of
    queries whatever the number of projects)."""
    queryset = (
        (KeyProject.objects.all() if queryset is None else queryset)
        .select_related("core_block", "department", "investment_indicator")
        .annotate(open_problems=Count("problems", filter=~Q(problems__status=Problem.Status.CLOSED)))
        .prefetch_related(
            "milestones",
            indicators_on(as_of, plan),
            Prefetch(
                "progress_notes",
                queryset=ProgressNote.objects.filter(date__lte=as_of),
                to_attr="notes_to_date",
            ),
        )
    )
    projects = with_figures(list(queryset), as_of)
    in_plan = investments_in(projects, selectors.plan_of(plan, as_of))
    for project in projects:
        # The page's plan's indicator (in memory only: these objects are never saved).
        project.investment_indicator = in_plan.get(project.pk)
    investments = [p.investment_indicator for p in projects if p.investment_indicator]
    days = selectors.day_rows({ind.pk for ind in investments}, as_of) if investments else {}
    quarter = selectors.so_far([ind.pk for ind in investments], periods.QUARTER, as_of)
    # An indicator linked to several projects (the "≥50 signed" total) measures none of
    # them alone: a project's own figures are those of indicators linked to it only.
    own = set(
        KeyProject.indicators.through.objects.values("indicator_id")
        .annotate(n=Count("keyproject_id"))
        .filter(n=1)
        .values_list("indicator_id", flat=True)
    )
    for project in projects:
        investment = project.investment_indicator
        day = days.get(investment.pk) if investment else None
        if investment:
            investment.day_status = day.status if day else None
            investment.day_cumulative = day.cumulative_actual if day else None
            investment.day_planned = day.cumulative_planned if day else None
            investment.day_computed_at = day.computed_at if day else None
        project.investment_done = day.cumulative_actual if day else None
        project.investment_planned = day.cumulative_planned if day else None
        project.quarter_done = quarter.get(investment.pk) if investment else None
        annual = project.annual_planned_investment
        project.investment_percent = (
            project.investment_done / annual * 100 if project.investment_done is not None and annual else None
        )
        project.quarter_percent = (
            project.quarter_done / project.quarter_target_investment * 100
            if project.quarter_done is not None and project.quarter_target_investment
            else None
        )
        project.time_percent = (
            plan_maths.time_progress(investment.plan_start, investment.plan_end, as_of) * 100
            if investment
            else None
        )
        project.stage_code = project.stage_on(as_of)
        project.stage_label = KeyProject.Stage(project.stage_code).label
        project.latest_progress = project.notes_to_date[0] if project.notes_to_date else None
        project.milestone_views = milestones_of(project, as_of)
        milestone_indicators = [
            ind for ind in project.indicators.all() if ind.pk in own and ind.kind == Indicator.Kind.MILESTONE
        ]
        project.light = project_status(investment, milestone_indicators, project.milestone_views)
        # Nothing to judge yet because its steps are still to come: say so.
        waiting = any(not m.reached and m.planned and not m.late for m in project.milestone_views)
        pending = project.light == Status.NONE and waiting
        project.light_label = selectors.PENDING if pending else Status(project.light).label
    return projects


def latest_computed_projects(projects) -> object:
    """When the figures of the projects' indicators (linked and investment) were computed."""
    stamps = [
        ind.day_computed_at
        for p in projects
        for ind in [*p.indicators.all(), p.investment_indicator]
        if ind is not None and getattr(ind, "day_computed_at", None)
    ]
    return max(stamps, default=None)


def safety_role(indicator: Indicator) -> str | None:
    """Which measure of a safety area an indicator is: inspections, found, rectified, rate
    or overdue — from its code suffix, else from its Chinese name."""
    code = indicator.code
    for suffix, role in (
        ("-inspections", "inspections"),
        ("-inspected", "inspections"),
        ("-found", "found"),
        ("-rectified", "rectified"),
        ("-rate", "rate"),
        ("-overdue", "overdue"),
    ):
        if code.endswith(suffix):
            return role
    if indicator.kind == Indicator.Kind.RATIO:
        return "rate"
    name = indicator.name
    for word, role in (
        ("逾期", "overdue"),
        ("超期", "overdue"),
        ("整改率", "rate"),
        ("整改", "rectified"),
        ("发现", "found"),
        ("隐患", "found"),
        ("检查", "inspections"),
        ("排查", "inspections"),
    ):
        if word in name:
            return role
    return None


@dataclass
class SafetyArea:
    campaign: SafetyCampaign
    measures: dict  # role -> Indicator (with day_* figures)
    found_series: list
    rectified_series: list
    overdue_series: list = field(default_factory=list)  # the level at each 旬's end

    def value(self, role: str) -> Decimal | None:
        indicator = self.measures.get(role)
        return None if indicator is None else indicator.day_cumulative

    @property
    def inspections(self):
        return self.value("inspections")

    @property
    def found(self):
        return self.value("found")

    @property
    def rectified(self):
        return self.value("rectified")

    @property
    def overdue(self):
        return self.value("overdue")

    @property
    def open(self) -> Decimal | None:
        """Hazards found and not yet rectified."""
        if self.found is None:
            return None
        return self.found - (self.rectified or Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        """Rectification rate in % (rectified ÷ found), from the roll-ups of both parts."""
        if self.found:
            return (self.rectified or Decimal(0)) / self.found * 100
        rate = self.measures.get("rate")
        return None if rate is None else rate.day_cumulative

    @property
    def light(self) -> str:
        return worst_status(self.measures.values())

    @property
    def light_label(self) -> str:
        return Status(self.light).label


def safety_areas(as_of: date, plan=selectors.DEFAULT_PLAN) -> list[SafetyArea]:
    """The campaigns and sweep areas with their measures on ``as_of`` and found, rectified
    and overdue per 旬 up to it (three queries)."""
    campaigns = with_figures(
        list(
            SafetyCampaign.objects.select_related("department").prefetch_related(indicators_on(as_of, plan))
        ),
        as_of,
    )
    areas = []
    ids = []
    for campaign in campaigns:
        measures = {}
        for indicator in campaign.indicators.all():
            role = safety_role(indicator)
            if role and role not in measures:
                measures[role] = indicator
        ids += [measures[r].pk for r in ("found", "rectified", "overdue") if r in measures]
        areas.append(SafetyArea(campaign, measures, [], []))
    dekads: dict[int, list] = {}
    for pv in PeriodValue.objects.filter(
        indicator_id__in=ids, period_type=PeriodValue.PeriodType.DEKAD, period_start__lte=as_of
    ).order_by("period_start"):
        dekads.setdefault(pv.indicator_id, []).append(pv)
    for area in areas:
        for role, target in (
            ("found", area.found_series),
            ("rectified", area.rectified_series),
            ("overdue", area.overdue_series),
        ):
            if role in area.measures:
                target.extend(dekads.get(area.measures[role].pk, []))
    return areas


def recovery_owners(projects) -> dict[int, int]:
    """{indicator id: project id} of the indicators that measure one recovery project (or
    batch) alone. An indicator linked to several (the 25 repair projects led by 雁鸣路 are
    linked both to the batch and to 雁鸣路 itself) is the batch's figure: it belongs to the
    one project among them that counts projects (``planned_count``), else to none."""
    linked: dict[int, list] = {}
    for project in projects:
        for indicator in project.indicators.all():
            linked.setdefault(indicator.pk, []).append(project)
    owners = {}
    for indicator_id, sharers in linked.items():
        if len(sharers) > 1:
            sharers = [p for p in sharers if p.planned_count]
        if len(sharers) == 1:
            owners[indicator_id] = sharers[0].pk
    return owners


def bond_role(indicator: Indicator) -> str | None:
    """Which bond figure an indicator is: the projects applied for (个) or the amount
    applied for (亿元), from its name (申报…债券…)."""
    if "债券" not in indicator.name:
        return None
    return "amount" if indicator.unit == "亿元" else "projects"


@dataclass
class Bonds:
    """Special recovery bonds: applied for to date (the indicators' roll-ups) against the
    briefing's figures (81 projects, 14.2亿元), which are targets, not results."""

    projects_done: Decimal | None
    projects_target: int
    amount_done: Decimal | None
    amount_target: Decimal

    @property
    def projects_percent(self) -> Decimal | None:
        if self.projects_done is None or not self.projects_target:
            return None
        return self.projects_done / self.projects_target * 100

    @property
    def amount_percent(self) -> Decimal | None:
        if self.amount_done is None or not self.amount_target:
            return None
        return self.amount_done / self.amount_target * 100


def recovery_bonds(projects) -> Bonds:
    """The bond figures of the recovery projects: targets from the projects, applied for to
    date from their bond indicators on the as-of date (prefetched by ``indicators_on``)."""
    done: dict[str, Decimal | None] = {"projects": None, "amount": None}
    seen = set()
    for project in projects:
        for indicator in project.indicators.all():
            role = bond_role(indicator)
            if role and indicator.pk not in seen and indicator.day_cumulative is not None:
                seen.add(indicator.pk)
                done[role] = (done[role] or Decimal(0)) + indicator.day_cumulative
    return Bonds(
        projects_done=done["projects"],
        projects_target=sum(p.bond_projects or 0 for p in projects),
        amount_done=done["amount"],
        amount_target=sum((p.bond_amount for p in projects if p.bond_amount is not None), start=Decimal(0)),
    )


def recovery_fields(
    as_of: date, plan=selectors.DEFAULT_PLAN
) -> tuple[list[RecoveryField], list[RecoveryProject]]:
    """Fields with their recovery projects and each project's own indicators on ``as_of``
    (three queries); projects without a field come second. A project inside a batch (雁鸣路
    of the 25) has no figure of its own: ``batch`` names the batch that counts it."""
    projects = with_figures(
        list(
            RecoveryProject.objects.select_related("field", "department").prefetch_related(
                indicators_on(as_of, plan)
            )
        ),
        as_of,
    )
    owners = recovery_owners(projects)
    by_pk = {p.pk: p for p in projects}
    counted = (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL)
    for project in projects:
        linked = list(project.indicators.all())
        indicators = [i for i in linked if owners.get(i.pk) == project.pk]
        batches = {owners[i.pk] for i in linked if owners.get(i.pk) not in (None, project.pk)}
        project.batch = by_pk[min(batches)] if batches else None
        project.own_indicators = indicators
        project.light = worst_status(indicators)
        in_batch = project.batch is not None and not indicators
        project.light_label = _("计入批次") if in_batch else Status(project.light).label
        # The completed count: a count indicator, never a bond figure (those are the
        # projects applied for, not the projects done).
        project.progress_indicator = next(
            (i for i in indicators if i.kind in counted and bond_role(i) is None and i.unit != "亿元"), None
        )
    fields = list(RecoveryField.objects.all())
    by_field: dict = {}
    for project in projects:
        by_field.setdefault(project.field_id, []).append(project)
    for recovery_field in fields:
        recovery_field.project_list = by_field.get(recovery_field.pk, [])
        recovery_field.planned_total = sum(p.planned_count or 0 for p in recovery_field.project_list)
    return fields, by_field.get(None, [])


@dataclass
class ProblemCount:
    """One unit's problems: how many in each status, not yet 销号, and overdue (past
    their deadline and not 销号, by the product's clock). ``department`` None: the total."""

    department: Department | None
    todo: int = 0
    in_progress: int = 0
    close_requested: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def name(self) -> str:
        return self.department.display_name if self.department is not None else _("合计")

    @property
    def total(self) -> int:
        return self.todo + self.in_progress + self.close_requested + self.closed

    @property
    def open(self) -> int:
        return self.total - self.closed


def problem_counts(today: date) -> list[ProblemCount]:
    """Per responsible unit with problems (in the units' order), then the total row:
    counts by status and overdue on ``today`` (two queries)."""
    by_status = Problem.objects.values_list("department_id", "status").annotate(n=Count("pk")).order_by()
    overdue = dict(
        Problem.objects.overdue(today).values_list("department_id").annotate(n=Count("pk")).order_by()
    )
    rows: dict[int, ProblemCount] = {}
    for dept_id, status, n in by_status:
        row = rows.setdefault(dept_id, ProblemCount(dept_id))
        setattr(row, status, n)
    departments = Department.objects.in_bulk(list(rows))
    for dept_id, row in rows.items():
        row.department = departments[dept_id]
        row.overdue = overdue.get(dept_id, 0)
    result = sorted(rows.values(), key=lambda r: (r.department.order, r.department.code))
    total = ProblemCount(None)
    for row in result:
        for name in ("todo", "in_progress", "close_requested", "closed", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return [*result, total]
