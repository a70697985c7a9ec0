"""Reads for the project pages. Progress comes from the linked indicators' figures on the
as-of date (``targets.selectors.day_rows``), read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from targets import selectors
from targets.models import Department, Indicator, PeriodValue

from .models import KeyProject, Milestone, Problem, RecoveryField, RecoveryProject, SafetyCampaign

Status = PeriodValue.Status
# Worst first: a project's light is its worst indicator's status.
SEVERITY = {Status.RED: 3, Status.YELLOW: 2, Status.GREEN: 1, Status.NONE: 0}


def indicators_on(as_of: date) -> Prefetch:
    """Prefetch of linked indicators; ``with_figures`` then gives them their figures on
    ``as_of``."""
    return Prefetch("indicators", queryset=Indicator.objects.all())


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


def investment_indicator(indicators):
    """A project's investment-completed indicator: its amount indicator counted in 亿元."""
    return next((ind for ind in indicators if ind.kind == Indicator.Kind.AMOUNT and ind.unit == "亿元"), None)


@dataclass
class MilestoneView:
    kind: str
    name: str
    planned: date | None
    actual: date | None
    as_of: date

    @property
    def late(self) -> bool:
        """Done after its planned date, or not done and the planned date has passed."""
        if self.planned is None:
            return False
        return (self.actual or self.as_of) > self.planned

    @property
    def state(self) -> str:
        if self.actual:
            return _("逾期完成") if self.late else _("按期完成")
        if self.planned is None:
            return _("未定")
        return _("逾期") if self.late else _("未到期")


def milestones_of(project: KeyProject, as_of: date) -> list[MilestoneView]:
    """The project's milestones; without milestone rows, its planned/actual start and
    completion dates (开工, 建成)."""
    rows = [
        MilestoneView(m.kind, m.name, m.planned_date, m.actual_date, as_of) for m in project.milestones.all()
    ]
    if rows:
        return rows
    fallback = [
        (Milestone.Kind.START, project.planned_start, project.actual_start),
        (Milestone.Kind.COMPLETE, project.planned_completion, project.actual_completion),
    ]
    return [
        MilestoneView(kind, Milestone.Kind(kind).label, planned, actual, as_of)
        for kind, planned, actual in fallback
        if planned or actual
    ]


def key_projects(as_of: date, queryset: QuerySet | None = None) -> list[KeyProject]:
    """Key projects (those of ``queryset``, e.g. a list's filters applied, else all) with
    investment, milestones, light and open problems (five queries)."""
    queryset = (
        (KeyProject.objects.all() if queryset is None else queryset)
        .select_related("core_block", "department")
        .annotate(open_problems=Count("problems", filter=~Q(problems__status=Problem.Status.CLOSED)))
        .prefetch_related("milestones", indicators_on(as_of))
    )
    projects = with_figures(list(queryset), as_of)
    # An indicator linked to several projects (the district's 433.2亿元) measures none of
    # them alone: a project's own figures are those of indicators linked to it only.
    own = set(
        KeyProject.indicators.through.objects.values("indicator_id")
        .annotate(n=Count("keyproject_id"))
        .filter(n=1)
        .values_list("indicator_id", flat=True)
    )
    for project in projects:
        linked = list(project.indicators.all())
        indicators = [ind for ind in linked if ind.pk in own]
        project.light = worst_status(indicators or linked)
        investment = investment_indicator(indicators)
        project.investment_done = investment.day_cumulative if investment else None
        project.investment_percent = (
            project.investment_done / project.annual_planned_investment * 100
            if project.investment_done is not None and project.annual_planned_investment
            else None
        )
        project.milestone_views = milestones_of(project, as_of)
        # Nothing to judge yet because its milestones are still to come: say so.
        waiting = any(not m.actual and m.planned and not m.late for m in project.milestone_views)
        pending = project.light == Status.NONE and waiting
        project.light_label = selectors.PENDING if pending else Status(project.light).label
    return projects


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


def safety_areas(as_of: date) -> list[SafetyArea]:
    """The campaigns and sweep areas with their measures on ``as_of`` and found, rectified
    and overdue per 旬 up to it (three queries)."""
    campaigns = with_figures(
        list(SafetyCampaign.objects.select_related("department").prefetch_related(indicators_on(as_of))),
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


def recovery_fields(as_of: date) -> tuple[list[RecoveryField], list[RecoveryProject]]:
    """Fields with their recovery projects and each project's own indicators on ``as_of``
    (three queries); projects without a field come second. A project inside a batch (雁鸣路
    of the 25) has no figure of its own: ``batch`` names the batch that counts it."""
    projects = with_figures(
        list(
            RecoveryProject.objects.select_related("field", "department").prefetch_related(
                indicators_on(as_of)
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
