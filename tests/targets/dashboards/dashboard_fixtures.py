"""Test data for the dashboards: a small goal tree, indicators, their entries and the
roll-up of them."""

from datetime import date, timedelta
from decimal import Decimal

from targets import periods, rollups
from targets.models import Department, Entry, Goal, Indicator
from targets.seed.briefing import plan as briefing_plan

Q4 = (date(2021, 10, 1), date(2021, 12, 31))


def roll_up(indicator: Indicator, daily: dict[date, Decimal], *, until: date | None = None) -> None:
    """Enter ``daily``'s figures for ``indicator`` (the days up to ``until``) and roll them
    up as production does: the plan is the target spread over the plan's days, every day
    up to today judged."""
    Entry.objects.bulk_create(
        Entry(indicator=indicator, date=day, value=value)
        for day, value in daily.items()
        if value is not None and (until is None or day <= until) and indicator.in_plan(day)
    )
    rollups.refresh([indicator.id])


def even(start: date, end: date, value) -> dict[date, Decimal]:
    return {d: Decimal(value) for d in periods.days_between(start, end)}


def make_tree():
    """A framework root with one goal, two sections, one work line feeding the goal."""
    econ = Department.objects.get_or_create(code="econ", defaults={"name": "经济发展局"})[0]
    safety = Department.objects.get_or_create(code="safety", defaults={"name": "应急管理局"})[0]
    highland = Goal.objects.create(
        plan=briefing_plan(), code="highlands", name="三个高地", level=Goal.Level.FRAMEWORK, order=1
    )
    innovation = Goal.objects.create(
        plan=briefing_plan(),
        code="innovation",
        name="国家创新高地",
        level=Goal.Level.FRAMEWORK,
        parent=highland,
    )
    Goal.objects.create(
        plan=briefing_plan(), code="centres", name="两个中心", level=Goal.Level.FRAMEWORK, order=2
    )
    economy = Goal.objects.create(
        plan=briefing_plan(), code="q4-economy", name="全力冲刺第四季度", level=Goal.Level.SECTION, order=4
    )
    risk = Goal.objects.create(
        plan=briefing_plan(), code="risk", name="防风险保安全", level=Goal.Level.SECTION, order=2
    )
    line = Goal.objects.create(
        plan=briefing_plan(), code="projects-king", name="坚持项目为王", level=Goal.Level.LINE, parent=economy
    )
    line.supports.add(innovation)
    return {"econ": econ, "safety": safety, "economy": economy, "risk": risk, "line": line}


def make_indicator(
    code, *, goal, department, target="92", unit="个", kind="amount", start=None, end=None, **kw
):
    start, end = start or Q4[0], end or Q4[1]
    return Indicator.objects.create(
        code=code,
        name=kw.pop("name", code),
        unit=unit,
        kind=kind,
        target_value=Decimal(target) if target is not None else None,
        plan_start=start,
        plan_end=end,
        department=department,
        goal=goal,
        **kw,
    )


def add_days(day: date, n: int) -> date:
    return day + timedelta(days=n)


def briefing_with_figures(as_of: date = date(2021, 11, 10)) -> dict:
    """The briefing seeded, daily figures entered up to ``as_of`` at different paces (some
    ahead, some behind) and rolled up by ``targets.rollups`` as in production."""
    from django.core.management import call_command

    from targets import rollups
    from targets.models import Entry

    call_command("seed_briefing", verbosity=0)
    entries = []
    paces = [Decimal("1.1"), Decimal("0.95"), Decimal("0.6"), Decimal("1.0")]
    area_offsets: dict[str, int] = {}
    # The safety areas' overdue levels are filled below, so every other indicator keeps its
    # place (and its pace) in this loop.
    # The key projects' investment (the parts of a sum) has no briefing target: left empty.
    indicators = (
        Indicator.objects.exclude(kind__in=Indicator.COMPUTED_KINDS)
        .exclude(code__endswith="-overdue")
        .filter(sums__isnull=True)
        .order_by("code")
    )
    for n, indicator in enumerate(indicators):
        start = indicator.entry_start
        days = list(periods.days_between(start, min(as_of, indicator.plan_end)))
        if indicator.kind == "milestone":
            if n % 2:
                entries.append(Entry(indicator=indicator, date=days[len(days) // 2], value=Decimal(1)))
            continue
        if indicator.target_value is None and indicator.code.startswith("safety-"):
            # safety counts: found 6 a day, rectified 5 (+0–2 per area)
            area, measure = indicator.code.rsplit("-", 1)
            extra = area_offsets.setdefault(area, len(area_offsets) % 3)
            per_day = {"inspected": 12, "found": 6, "rectified": 5}[measure]
            entries += [Entry(indicator=indicator, date=d, value=Decimal(per_day + extra)) for d in days]
            continue
        pace = paces[n % len(paces)]
        total = (indicator.plan_end - indicator.plan_start).days + 1
        if indicator.kind == "amount":
            tracked = (indicator.plan_end - start).days + 1
            per_day = (indicator.target_value * pace / total).quantize(Decimal("0.01"))
            if start > indicator.plan_start:  # full-year plan tracked from 1 October
                indicator.opening_value = indicator.target_value * (total - tracked) / total * pace
                indicator.opening_value = indicator.opening_value.quantize(Decimal("0.01"))
                indicator.save(update_fields=["opening_value"])
            entries += [Entry(indicator=indicator, date=d, value=per_day) for d in days]
        else:  # level: the count reached so far
            top = indicator.target_value or indicator.max_value  # a count without target: its range
            for d in days[6::7]:
                level = top * pace * ((d - indicator.plan_start).days + 1) / total
                entries.append(
                    Entry(indicator=indicator, date=d, value=min(level, top).quantize(Decimal("1")))
                )
    # Overdue hazards (a level): one from the 8th day on, below the open hazards (found −
    # rectified grows by one a day).
    for indicator in Indicator.objects.filter(code__endswith="-overdue"):
        days = list(periods.days_between(indicator.entry_start, min(as_of, indicator.plan_end)))
        entries += [Entry(indicator=indicator, date=d, value=Decimal(1)) for d in days[7:]]
    Entry.objects.bulk_create(entries)
    rollups.refresh(today=date(2021, 12, 31))
    return {"as_of": as_of}
