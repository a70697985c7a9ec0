"""Is each department's week reported on time? Reads submissions and indicators' entry
windows; writes nothing.

A week (Monday–Sunday) is due the following Monday at 12:00 Asia/Shanghai, when the
reminder goes out. A department owes a week when at least one of its indicators takes
figures on a day of that week (``Indicator.in_plan``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from targets import clock
from targets.models import Department, Indicator, Submission
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
    indicators = Indicator.objects.exclude(kind__in=Indicator.COMPUTED_KINDS).filter(plan_end__gte=start)
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
    indicators = Indicator.objects.exclude(kind__in=Indicator.COMPUTED_KINDS)
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


def reminder_due(now: datetime | None = None) -> list[Department]:
    """Departments whose last week due (the week before this one) owes figures and is
    not submitted: the clerks of these get Monday's reminder."""
    now = now or clock.now()
    monday = week_start(now.astimezone(TZ).date()) - timedelta(days=7)
    owed = owed_weeks(monday, monday + timedelta(days=6))
    submitted = {
        s.department_id: s for s in Submission.objects.filter(week_start=monday, department_id__in=list(owed))
    }
    late_at = due_at(monday) + timedelta(days=1)  # any time on reminder day counts it missing
    return [
        dept
        for dept in Department.objects.filter(pk__in=list(owed))
        if week_status(submitted.get(dept.pk), monday, late_at) == MISSING
    ]
