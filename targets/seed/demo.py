"""Demo progress: plausible, deterministic figures from 1 October 2021 to a chosen day,
entered at each indicator's cadence (a weekly figure on Sunday, a monthly one on the
month's last day, a milestone on its done day) as weekly submissions by each
department's clerk, all marked ``is_demo`` and removable with ``remove()``. The figures
are drawn day by day, then reported per period: an amount's period figure is the sum of
its days, a level's the value on the period's last day; a period whose last day is after
the chosen day is not reported yet.

This is the one writer of ``Entry`` rows outside ``targets.services``: it makes thousands
of rows in one go with ``bulk_create_with_history`` (each row gets its history record, user
and reason "演示数据"), skipping any day that already holds a real figure. Validation is
by construction: values stay within each indicator's range and decimals, and only on days
its plan allows.

The mix: most indicators run on or a little ahead of the plan; a few named in ``PACE``
are behind (yellow 90–100 %, red below 90 %) so the dashboards have something to show.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from targets import roles
from targets.models import (
    Department,
    Entry,
    Indicator,
    ProgressNote,
    Submission,
    SubmissionEvent,
    UserProfile,
)
from targets.notifications.models import Notification
from targets.periods import cadence_period, days_between, week_start
from targets.seed.briefing import PLAN_CODE

DEMO_START = date(2021, 10, 1)
DEFAULT_UNTIL = date(2021, 11, 19)
SEED = "zhengdong-demo-2021"
REASON = "演示数据"
DEMO_USER_PREFIX = "demo-"
# The start of every demo notification's ``dedupe_key`` (``demo_inbox``).
KEY = "demo:"
TZ = ZoneInfo("Asia/Shanghai")

# Cumulative actual ÷ plan. Unlisted indicators draw a pace of 1.00–1.08 (on schedule).
PACE = {
    "kp-investment": 0.955,  # yellow: the headline figure slightly behind
    "sci-projects-signed": 0.93,  # yellow
    "rec-repair-34-done": 0.85,  # red: October's batch not finished in time
    "rec-relief-funds": 0.80,  # red
    "rec-houses-rebuilt": 0.94,  # yellow
}
# Share of the January–September plan done by 30 September, for full-year indicators.
OPENING_PACE = {"kp-investment": 0.97}
# A level that does not start from zero (projects already under construction on 1 October).
LEVEL_START = {"sci-projects-sped-up": 5}
# Milestones reached, with the day (only those on or before ``until`` are entered).
MILESTONES_DONE = {
    "kp-longhu-bus-2-start": date(2021, 10, 20),
    "sci-fund-data-platform-online": date(2021, 10, 28),
    "sci-innovation-week-held": date(2021, 10, 25),
    "sci-talent-station-uk": date(2021, 11, 5),
    "sci-talent-pool-online": date(2021, 11, 10),
    "cb-kunpeng-town-1-in-use": date(2021, 11, 15),
}
# The returned week: one department had a week sent back for correction (the demo clerk's
# unit, so that clerk's inbox has the reason: ``demo_inbox``).
RETURNED = ("econ", 2)  # department code, weeks before the last
# Safety hazards: a hazard is due for rectification this many days after it is found (the
# briefing sets no 整改时限; a week is the demo's assumption) and is overdue from the day
# after. A share of them are major (重大隐患: works, money or another unit needed) and are
# rectified after the minor ones, so some of those run past their deadline.
RECTIFY_DAYS = 7
MAJOR_SHARE = 0.15


def _q(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def amount_series(indicator: Indicator, days: list[date], rng: random.Random, pace: float) -> list[Decimal]:
    """Daily amounts whose running sum follows pace × the plan (an even daily spread of
    the target, else of the valid range's top), wobbling a few per cent, never negative,
    within the valid range."""
    total_days = (indicator.plan_end - indicator.plan_start).days + 1
    scale = indicator.target_value if indicator.target_value is not None else indicator.max_value
    per_day = scale / total_days
    values, done, wobble = [], Decimal(0), 0.0
    for n, _day in enumerate(days, 1):
        wobble = max(-0.06, min(0.06, wobble + rng.uniform(-0.02, 0.02)))
        wanted = per_day * n * Decimal(str(pace * (1 + wobble)))
        value = _q(max(Decimal(0), wanted - done), indicator.decimals)
        if indicator.max_value is not None:
            value = min(value, indicator.max_value)
        values.append(value)
        done += value
    return values


def level_series(indicator: Indicator, days: list[date], rng: random.Random, pace: float) -> list[Decimal]:
    """A count reached to date: rises in whole steps along pace × an even plan from the
    plan start, never falls, never above the target or the valid range."""
    total_days = (indicator.plan_end - indicator.plan_start).days + 1
    # A count without a target (the recovery projects completed, of the 205 planned)
    # heads for its valid range's top instead.
    target = indicator.target_value if indicator.target_value is not None else indicator.max_value
    start = Decimal(LEVEL_START.get(indicator.code, 0))
    values, level = [], start
    for day in days:
        elapsed = (day - indicator.plan_start).days + 1
        wanted = start + (target - start) * Decimal(elapsed) / total_days * Decimal(str(pace))
        wanted += Decimal(str(rng.uniform(-0.6, 0.6)))
        level = max(level, _q(wanted, 0))
        level = min(level, target, indicator.max_value or target)
        values.append(level)
    return values


def safety_series(days: list[date], rng: random.Random, major_rng: random.Random) -> dict[str, list[Decimal]]:
    """Sites inspected, hazards found and hazards rectified per day for one campaign, and
    the hazards overdue at the end of each day: fewer at weekends; rectified never exceeds
    what has been found; overdue (open and found more than ``RECTIFY_DAYS`` days before)
    never exceeds what is open. Each day's rectified hazards are the minor ones first,
    then the major ones (``major_rng`` picks them), oldest first within each."""
    scale = rng.randint(8, 40)
    hazard_rate = rng.uniform(0.12, 0.35)
    fix_rate = rng.uniform(0.35, 0.7)
    out = {"inspected": [], "found": [], "rectified": [], "overdue": []}
    open_hazards: list[tuple[bool, date]] = []  # (major, day found), in rectification order
    for day in days:
        weekend = day.weekday() >= 5
        inspected = max(0, round(scale * rng.uniform(0.6, 1.3) * (0.3 if weekend else 1)))
        found = sum(1 for _ in range(inspected) if rng.random() < hazard_rate)
        open_hazards += [(major_rng.random() < MAJOR_SHARE, day) for _ in range(found)]
        open_hazards.sort()
        rectified = min(len(open_hazards), round(len(open_hazards) * fix_rate * rng.uniform(0.6, 1.2)))
        del open_hazards[:rectified]
        overdue = sum(1 for _major, found_on in open_hazards if (day - found_on).days > RECTIFY_DAYS)
        out["inspected"].append(Decimal(inspected))
        out["found"].append(Decimal(found))
        out["rectified"].append(Decimal(rectified))
        out["overdue"].append(Decimal(overdue))
    return out


def at_cadence(indicator: Indicator, series: dict[date, Decimal], until: date) -> dict[date, Decimal]:
    """Daily figures reported at the indicator's cadence: one figure per period, dated on
    the period's last day (or the plan's, when it ends first), for the periods over by
    ``until``; an amount's is the sum of its days, a level's the value on its last day."""
    if indicator.cadence in (Indicator.Cadence.DAILY, Indicator.Cadence.ONCE):
        return dict(series)
    reported: dict[date, Decimal] = {}
    for day in sorted(series):
        end = min(cadence_period(indicator.cadence, day).end, indicator.plan_end)
        if end > until:
            continue
        if indicator.kind == Indicator.Kind.AMOUNT:
            reported[end] = reported.get(end, Decimal(0)) + series[day]
        else:
            reported[end] = series[day]  # days come in order: the last one stays
    return reported


@dataclass
class Plan:
    """What the demo writes: {indicator code: {day: value}} and opening values."""

    values: dict[str, dict[date, Decimal]]
    openings: dict[str, Decimal]


def build(indicators: list[Indicator], until: date) -> Plan:
    """The demo figures, a pure function of the indicators and ``until`` (seeded random
    per indicator, so adding one indicator does not change the others)."""
    values: dict[str, dict[date, Decimal]] = {}
    openings: dict[str, Decimal] = {}
    by_code = {i.code: i for i in indicators}
    for ind in indicators:
        rng = random.Random(f"{SEED}:{ind.code}")
        first = max(ind.entry_start, DEMO_START)
        days = _days(first, min(until, ind.plan_end))
        if not days:
            continue
        if ind.kind == Indicator.Kind.MILESTONE:
            done = MILESTONES_DONE.get(ind.code)
            if done and first <= done <= min(until, ind.plan_end):
                values[ind.code] = {done: Decimal(1)}
            continue
        if ind.kind not in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL):
            continue  # ratios come from their parts
        pace = PACE.get(ind.code, rng.uniform(1.0, 1.08))
        if ind.target_value is None and ind.code.startswith("safety-"):
            continue  # safety counts: filled per campaign below
        series = (amount_series if ind.kind == Indicator.Kind.AMOUNT else level_series)(ind, days, rng, pace)
        values[ind.code] = at_cadence(ind, dict(zip(days, series, strict=True)), until)
        if ind.code in OPENING_PACE and ind.entry_start > ind.plan_start:
            before = (ind.entry_start - ind.plan_start).days
            total = (ind.plan_end - ind.plan_start).days + 1
            opening = ind.target_value * before / total * Decimal(str(OPENING_PACE[ind.code]))
            openings[ind.code] = _q(opening, ind.decimals)

    # Safety campaigns: the three amounts of each campaign and its overdue level move
    # together (a database seeded before the overdue level existed still gets the rest).
    campaigns = sorted({c.rsplit("-", 1)[0] for c in by_code if c.startswith("safety-")})
    for prefix in campaigns:
        parts = {m: by_code.get(f"{prefix}-{m}") for m in ("inspected", "found", "rectified", "overdue")}
        if not all(parts[m] for m in ("inspected", "found", "rectified")):
            continue
        first = max(parts["found"].entry_start, DEMO_START)
        days = _days(first, min(until, parts["found"].plan_end))
        if not days:
            continue
        series = safety_series(
            days, random.Random(f"{SEED}:{prefix}"), random.Random(f"{SEED}:{prefix}:major")
        )
        for measure, ind in parts.items():
            if ind is not None:
                values[ind.code] = at_cadence(ind, dict(zip(days, series[measure], strict=True)), until)
    return Plan(values=values, openings=openings)


def demo_clerk(department: Department) -> User:
    """The department's clerk (the first one by id), or a demo clerk who cannot log in."""
    clerk = (
        User.objects.filter(groups__name=roles.CLERKS, profile__department=department, is_active=True)
        .order_by("pk")
        .first()
    )
    if clerk:
        return clerk
    clerk, created = User.objects.get_or_create(
        username=f"{DEMO_USER_PREFIX}{department.code}",
        defaults={"first_name": f"{department.name}填报员"},
    )
    if created:
        clerk.set_unusable_password()
        clerk.save()
        clerk.groups.add(Group.objects.get_or_create(name=roles.CLERKS)[0])
        UserProfile.objects.update_or_create(user=clerk, defaults={"department": department})
    return clerk


def demo_reviewer() -> User:
    """The first manager by id, or a demo manager who cannot log in."""
    manager = User.objects.filter(groups__name=roles.MANAGERS, is_active=True).order_by("pk").first()
    if manager:
        return manager
    manager, created = User.objects.get_or_create(
        username=f"{DEMO_USER_PREFIX}manager", defaults={"first_name": "督查室管理员"}
    )
    if created:
        manager.set_unusable_password()
        manager.save()
        manager.groups.add(Group.objects.get_or_create(name=roles.MANAGERS)[0])
    return manager


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def is_loaded() -> bool:
    return Entry.objects.filter(is_demo=True).exists()


@transaction.atomic
def load(until: date = DEFAULT_UNTIL, *, extra: Plan | None = None) -> dict[str, int]:
    """Replace the demo data with figures up to ``until``; returns counts written. The
    caller refreshes the roll-ups afterwards (``rollups.refresh()``), once. ``extra``:
    figures and openings another part of the demo decides (a key project's monthly
    investment), written the same way in place of the ones ``build`` would make."""
    remove()
    # The demo tells the briefing's quarter: its plan's indicators only.
    indicators = list(Indicator.objects.filter(plan__code=PLAN_CODE).select_related("department"))
    plan = build(indicators, until)
    if extra is not None:
        plan.values.update(extra.values)
        plan.openings.update(extra.openings)
    by_code = {i.code: i for i in indicators}

    real_days = set(Entry.objects.filter(is_demo=False).values_list("indicator_id", "date"))
    real_weeks = set(Submission.objects.filter(is_demo=False).values_list("department_id", "week_start"))
    last_week = week_start(until)

    entries_by_dept: dict[int, list[Entry]] = defaultdict(list)
    weeks_by_dept: dict[int, set[date]] = defaultdict(set)
    for code, series in plan.values.items():
        ind = by_code[code]
        for day, value in series.items():
            monday = week_start(day)
            if (ind.pk, day) in real_days or (ind.department_id, monday) in real_weeks:
                continue
            entries_by_dept[ind.department_id].append(
                Entry(indicator=ind, date=day, value=value, is_demo=True)
            )
    # Each department reports every week from the demo's first to ``until``'s, including
    # weeks in which none of its periods ended (an empty report).
    for dept_id in entries_by_dept:
        for day in days_between(week_start(DEMO_START), last_week):
            if day.weekday() == 0 and (dept_id, day) not in real_weeks:
                weeks_by_dept[dept_id].add(day)

    reviewer = demo_reviewer()
    departments = Department.objects.in_bulk(list(entries_by_dept))
    entry_count = submission_count = 0
    for dept_id in sorted(entries_by_dept):
        department = departments[dept_id]
        clerk = demo_clerk(department)
        rows = entries_by_dept[dept_id]
        for row in rows:
            row.created_by = row.updated_by = clerk
        bulk_create_with_history(
            rows, Entry, batch_size=1000, default_user=clerk, default_change_reason=REASON
        )
        entry_count += len(rows)

        submissions = []
        weeks = sorted(weeks_by_dept[dept_id])
        for monday in weeks:
            sub = Submission(department=department, week_start=monday, is_demo=True)
            sunday = monday + timedelta(days=6)
            if monday == last_week:
                # The current week: half the departments have sent it, half are still typing.
                sub.status = Submission.Status.SUBMITTED if department.order % 2 else Submission.Status.DRAFT
            elif (department.code, weeks.index(monday) - len(weeks) + 1) == (RETURNED[0], -RETURNED[1]):
                sub.status = Submission.Status.RETURNED
                sub.comment = "本周数据与台账不一致，请核实后重新提交。"
            else:
                sub.status = Submission.Status.APPROVED
            if sub.status != Submission.Status.DRAFT:
                sub.submitted_by, sub.submitted_at = clerk, _at(min(sunday + timedelta(days=1), until), 10)
                sub.first_submitted_at = sub.submitted_at
            if sub.status in (Submission.Status.APPROVED, Submission.Status.RETURNED):
                sub.reviewed_by, sub.reviewed_at = reviewer, _at(sunday + timedelta(days=2), 16)
            submissions.append(sub)
        bulk_create_with_history(submissions, Submission, default_user=clerk, default_change_reason=REASON)
        submission_count += len(submissions)

    for code, opening in plan.openings.items():
        Indicator.objects.filter(plan__code=PLAN_CODE, code=code, opening_value=None).update(
            opening_value=opening, opening_is_demo=True
        )

    return {"entries": entry_count, "submissions": submission_count, "openings": len(plan.openings)}


def _demo_events(sub: Submission) -> list[SubmissionEvent]:
    """The moves that brought a demo week to its status, as ``services.move_week`` writes them."""
    S, M = Submission.Status, SubmissionEvent.Move
    events = []
    if sub.submitted_at:
        events.append(
            SubmissionEvent(
                submission=sub,
                move=M.SUBMIT,
                from_status=S.DRAFT,
                to_status=S.SUBMITTED,
                user=sub.submitted_by,
                at=sub.submitted_at,
            )
        )
    if sub.reviewed_at:
        move = M.APPROVE if sub.status == S.APPROVED else M.RETURN
        events.append(
            SubmissionEvent(
                submission=sub,
                move=move,
                from_status=S.SUBMITTED,
                to_status=sub.status,
                user=sub.reviewed_by,
                at=sub.reviewed_at,
                comment=sub.comment,
            )
        )
    return events


@transaction.atomic
def remove() -> dict[str, int]:
    """Delete every demo row (entries and their history, submissions and their history,
    the 进展·问题·措施 and notifications of the demo, demo opening values, the demo-only
    users) and nothing else."""
    counts = {
        "entries": Entry.objects.filter(is_demo=True).count(),
        "submissions": Submission.objects.filter(is_demo=True).count(),
    }
    notes = ProgressNote.objects.filter(is_demo=True)
    inbox = Notification.objects.filter(dedupe_key__startswith=KEY)
    counts.update(notes=notes.count(), inbox=inbox.count())
    notes.delete()
    inbox.delete()
    # The demo rows go with their history. A plain delete() would first write a
    # "deleted" history record per row (one INSERT each, ~10 s for the demo), only to
    # delete it again: the rows are removed in one statement instead (nothing points at
    # an Entry, and only its moves at a Submission: they go first).
    SubmissionEvent.objects.filter(submission__is_demo=True).delete()
    Entry.history.filter(is_demo=True).delete()
    Submission.history.filter(is_demo=True).delete()
    for model in (Entry, Submission):
        demo_rows = model.objects.filter(is_demo=True)
        demo_rows._raw_delete(demo_rows.db)
    counts["openings"] = Indicator.objects.filter(opening_is_demo=True).update(
        opening_value=None, opening_is_demo=False
    )
    for user in User.objects.filter(username__startswith=DEMO_USER_PREFIX):
        if not user.has_usable_password() and not _referenced(user):
            user.delete()
    return counts


def _referenced(user: User) -> bool:
    """Whether real (non-demo) rows still point at the user."""
    return (
        Entry.objects.filter(created_by=user).exists()
        or Entry.objects.filter(updated_by=user).exists()
        or Submission.objects.filter(submitted_by=user).exists()
        or Submission.objects.filter(reviewed_by=user).exists()
        or SubmissionEvent.objects.filter(user=user).exists()
        or ProgressNote.objects.filter(author=user).exists()
    )
