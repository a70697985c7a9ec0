"""Is each department's week reported on time? Reads submissions and indicators' entry
windows; writes nothing.

A week (Monday–Sunday) is due the following Monday at 12:00 Asia/Shanghai (the daily
notices remind the unit's clerks that morning, ``targets.notifications.due``). A
department owes a week when at least one of its indicators takes figures on a day of
that week (``Indicator.in_plan``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from targets import clock
from targets.models import Department, Indicator, Plan, Submission
from targets.periods import QUARTER, period_of, week_start

DUE_HOUR = 12
TZ = ZoneInfo("Asia/Shanghai")

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
PENDING = "pending"
LABELS = {ON_TIME: _("按时"), LATE: _("逾期提交"), MISSING: _("未报"), PENDING: _("未到期")}


def due_at(monday: date) -> datetime:
    """When the week that starts on ``monday`` is due: the next Monday, 12:00 Shanghai."""
    return datetime.combine(monday + timedelta(days=7), time(DUE_HOUR), tzinfo=TZ)


def end_of(day: date) -> datetime:
    """The last moment of ``day`` in Shanghai: a page read "as of" a day judges weeks then."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=TZ) - timedelta(microseconds=1)


def week_status(submission: Submission | None, monday: date, now: datetime) -> str:
    """on_time / late (submitted, by or after the due time), missing (due and not
    submitted, or returned and not resubmitted), pending (not yet due).

    A resubmitted week counts from its first submission: sent on time, returned by a
    manager and sent again after the due time is still on time."""
    if submission and submission.submitted_at and submission.status != Submission.Status.RETURNED:
        first = submission.first_submitted_at or submission.submitted_at
        return ON_TIME if first <= due_at(monday) else LATE
    return MISSING if now >= due_at(monday) else PENDING


def owed_weeks(start: date, end: date) -> dict[int, list[date]]:
    """{department id: [Mondays]} of the weeks touching [start, end] in which the
    department has at least one indicator taking figures (ratios are computed, not owed)."""
    owed: dict[int, set[date]] = defaultdict(set)
    # A draft plan owes nothing yet.
    indicators = (
        Indicator.objects.exclude(kind__in=Indicator.COMPUTED_KINDS)
        .exclude(plan__status=Plan.Status.DRAFT)
        .filter(plan_end__gte=start)
    )
    for ind in indicators.only("department_id", "plan_start", "plan_end", "tracking_start"):
        first = max(start, ind.entry_start)
        last = min(end, ind.plan_end)
        monday = week_start(first)
        while monday <= last:
            owed[ind.department_id].add(monday)
            monday += timedelta(days=7)
    return {dept: sorted(mondays) for dept, mondays in owed.items()}


@dataclass
class DepartmentTimeliness:
    department: Department
    on_time: int
    late: int
    missing: int
    pending: int
    weeks: list[tuple[date, str]]

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing


def quarter_table(day: date, now: datetime | None = None) -> list[DepartmentTimeliness]:
    """Per department, for the quarter containing ``day``: how many owed weeks were
    submitted on time, late, are missing, or not yet due."""
    now = now or clock.now()
    quarter = period_of(QUARTER, day)
    owed = owed_weeks(quarter.start, quarter.end)
    subs = {
        (s.department_id, s.week_start): s
        for s in Submission.objects.filter(
            week_start__gte=week_start(quarter.start), week_start__lte=quarter.end
        )
    }
    rows = []
    for dept in Department.objects.filter(pk__in=owed):
        weeks = [(m, week_status(subs.get((dept.pk, m)), m, now)) for m in owed[dept.pk]]
        counts = defaultdict(int)
        for _m, status in weeks:
            counts[status] += 1
        rows.append(
            DepartmentTimeliness(dept, counts[ON_TIME], counts[LATE], counts[MISSING], counts[PENDING], weeks)
        )
    return rows


def last_due_week(now: datetime) -> date:
    """The Monday of the latest week whose due time has passed."""
    monday = week_start(now.astimezone(TZ).date()) - timedelta(days=7)
    return monday if now >= due_at(monday) else monday - timedelta(days=7)


def reference_day(now: datetime | None = None, department: Department | None = None) -> date:
    """Today in Shanghai, or the last day any indicator (of ``department``, if given) takes
    figures if that is earlier (the tracker's plans are for Q4 2021: after they end, the
    last weeks stay in view)."""
    today = (now or clock.now()).astimezone(TZ).date()
    indicators = Indicator.objects.exclude(kind__in=Indicator.COMPUTED_KINDS).exclude(
        plan__status=Plan.Status.DRAFT
    )
    if department is not None:
        indicators = indicators.filter(department=department)
    latest = indicators.order_by("-plan_end").values_list("plan_end", flat=True).first()
    return min(today, latest) if latest else today


def overdue(
    now: datetime | None = None, start: date | None = None, end: date | None = None
) -> list[tuple[Department, date]]:
    """(department, Monday) of every owed week in [start, end] that is past due and not
    submitted, newest first. Defaults: the 13 weeks up to the last week due."""
    now = now or clock.now()
    last_due = last_due_week(now)
    end = min(end or last_due, last_due + timedelta(days=6))
    start = start or last_due - timedelta(weeks=12)
    owed = owed_weeks(start, end)
    subs = {
        (s.department_id, s.week_start): s
        for s in Submission.objects.filter(week_start__gte=week_start(start), week_start__lte=end)
    }
    departments = Department.objects.in_bulk(list(owed))
    result = []
    for dept_id, mondays in owed.items():
        for monday in mondays:
            if monday > last_due:
                continue
            if week_status(subs.get((dept_id, monday)), monday, now) == MISSING:
                result.append((departments[dept_id], monday))
    result.sort(key=lambda pair: (-pair[1].toordinal(), pair[0].order, pair[0].code))
    return result


# ---- The ranking to 通报: on-time rate per unit over the plan so far


def plan_start(day: date | None = None) -> date:
    """First day of the plan in force on ``day`` (default: the product's today): its
    ``Plan``'s start (``Plan.objects.for_day``), else (no plan at all) its quarter's."""
    day = day or clock.today()
    plan = Plan.objects.for_day(day)
    return plan.start if plan is not None else period_of(QUARTER, day).start


@dataclass
class Standing:
    """One unit's place in the ranking: owed weeks past due, how each was sent, and
    ``rank`` as a 通报 shows it (units with the same rate share it: 并列)."""

    department: Department
    on_time: int
    late: int
    missing: int
    rank: int = 0
    tied: bool = False

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.on_time, self.due)

    @property
    def rate(self) -> Decimal:
        """Weeks sent on time ÷ weeks due, in per cent (the exact quotient; pages round)."""
        return Decimal(self.on_time * 100) / Decimal(self.due)


@dataclass
class Ranking:
    """The ranking and the weeks it counts: Mondays ``first``..``last`` (None when no
    week is due yet), judged at ``now``."""

    start: date
    first: date | None
    last: date | None
    now: datetime
    standings: list[Standing]

    @property
    def last_sunday(self) -> date | None:
        return self.last + timedelta(days=6) if self.last else None

    @property
    def weeks(self) -> int:
        return (self.last - self.first).days // 7 + 1 if self.first and self.last else 0


def rank(standings: list[Standing]) -> list[Standing]:
    """Best on-time rate first; equal rates (compared exactly: 2/3 = 4/6) share a rank
    and the next rank skips (1, 1, 3: 并列), listed by the unit's name."""
    ordered = sorted(standings, key=lambda s: (-s.fraction, s.department.name, s.department.code))
    for i, standing in enumerate(ordered):
        previous = ordered[i - 1] if i else None
        if previous is not None and previous.fraction == standing.fraction:
            standing.rank = previous.rank
            standing.tied = previous.tied = True
        else:
            standing.rank = i + 1
    return ordered


def ranking(now: datetime | None = None, start: date | None = None) -> Ranking:
    """Per unit, over the plan so far (from ``start``, default the start of the plan in
    force at ``now``, to the last week whose due time has passed at ``now``, default the
    product's clock): weeks due, sent on time, late and missing, and the on-time rate,
    ranked.

    Judged as things stood at ``now``: a week first submitted after ``now`` counts as
    missing, so a report dated in the past keeps its figures. A week returned and not
    sent again is missing; sent again, it counts from its first submission."""
    now = now or clock.now()
    start = start or plan_start(now.astimezone(TZ).date())
    last = last_due_week(now)
    if last < week_start(start):
        return Ranking(start, None, None, now, [])
    owed = owed_weeks(start, last + timedelta(days=6))
    subs = {
        (s.department_id, s.week_start): s
        for s in Submission.objects.filter(week_start__gte=week_start(start), week_start__lte=last)
    }
    departments = Department.objects.in_bulk(list(owed))
    standings = []
    first = None
    for dept_id, mondays in owed.items():
        counts = defaultdict(int)
        for monday in mondays:
            if monday > last:
                continue
            first = min(first or monday, monday)
            sub = subs.get((dept_id, monday))
            if sub is not None and (sub.first_submitted_at or sub.submitted_at or now) > now:
                sub = None  # sent after the moment judged
            counts[week_status(sub, monday, now)] += 1
        if counts[ON_TIME] + counts[LATE] + counts[MISSING]:
            standings.append(Standing(departments[dept_id], counts[ON_TIME], counts[LATE], counts[MISSING]))
    return Ranking(start, first, last if first else None, now, rank(standings))
