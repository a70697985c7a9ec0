"""A sum indicator (汇总): its figures are its parts' added up, exactly, on every period
type (旬, month, quarter, year) and on every day, after a full roll-up and after an
incremental one; it takes no entries of its own."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from targets import periods, rollups
from targets.models import Department, Entry, Goal, Indicator, PeriodValue
from targets.seed.briefing import plan as briefing_plan

D = Decimal
START, END, TRACK = date(2021, 1, 1), date(2021, 12, 31), date(2021, 10, 1)
TODAY = date(2021, 11, 19)


@pytest.fixture
def org(db):
    department = Department.objects.create(code="construction", name="建设局")
    goal = Goal.objects.create(plan=briefing_plan(), code="s4", name="抓好经济运行", level=Goal.Level.SECTION)
    return department, goal


def amount(org, code, target, opening=None, **extra):
    department, goal = org
    return Indicator.objects.create(
        code=code,
        name=code,
        unit="亿元",
        kind=extra.pop("kind", Indicator.Kind.AMOUNT),
        decimals=2,
        target_value=target,
        plan_start=START,
        plan_end=END,
        tracking_start=TRACK,
        opening_value=opening,
        department=department,
        goal=goal,
        **extra,
    )


@pytest.fixture
def projects(org):
    parts = [
        amount(org, "p1", D("12.5"), D("8.1")),
        amount(org, "p2", D("40"), D("29.37")),
        amount(org, "p3", D("3.3"), D("2")),
    ]
    total = amount(org, "sum", D("55.8"), kind=Indicator.Kind.SUM)
    total.parts.set(parts)
    # Monthly figures on the month's last day, a few on other days (a correction).
    figures = {
        parts[0]: {date(2021, 10, 31): "1.23", date(2021, 11, 10): "0.4"},
        parts[1]: {date(2021, 10, 31): "3.5", date(2021, 10, 15): "0.01", date(2021, 11, 30): "3.3"},
        parts[2]: {date(2021, 10, 31): "0.27", date(2021, 12, 31): "0.5"},
    }
    for part, days in figures.items():
        for day, value in days.items():
            Entry.objects.create(indicator=part, date=day, value=D(value))
    return parts, total


def every_period(period_type):
    starts = sorted({periods.period_start(period_type, START + timedelta(days=n)) for n in range(365)})
    return starts


def assert_sum_matches(parts, total):
    for period_type in (periods.DEKAD, periods.MONTH, periods.QUARTER, periods.YEAR):
        rows = {
            (pv.indicator_id, pv.period_start): pv
            for pv in PeriodValue.objects.filter(period_type=period_type, indicator__in=[*parts, total])
        }
        for start in every_period(period_type):
            mine = rows[(total.pk, start)]
            theirs = [rows[(part.pk, start)] for part in parts]
            actuals = [pv.actual for pv in theirs if pv.actual is not None]
            assert mine.actual == (sum(actuals) if actuals else None), (period_type, start)
            cumulative = [pv.cumulative_actual for pv in theirs]
            expected = None if None in cumulative else sum(cumulative)
            assert mine.cumulative_actual == expected, (period_type, start)
            assert mine.planned == sum(pv.planned for pv in theirs), (period_type, start)
            assert mine.cumulative_planned == sum(pv.cumulative_planned for pv in theirs)
    days = rollups.day_values([*[p.pk for p in parts], total.pk], START, END, today=TODAY)
    assert len(days[total.pk]) == 365
    for n, mine in enumerate(days[total.pk]):
        theirs = [days[part.pk][n] for part in parts]
        actuals = [d.actual for d in theirs if d.actual is not None]
        assert mine.actual == (sum(actuals) if actuals else None), mine.period_start
        cumulative = [d.cumulative_actual for d in theirs]
        assert mine.cumulative_actual == (None if None in cumulative else sum(cumulative))
        assert mine.cumulative_planned == sum(d.cumulative_planned for d in theirs)


def test_it_adds_up_its_parts_on_every_period_type_and_every_day(projects):
    parts, total = projects
    rollups.refresh(today=TODAY)
    assert_sum_matches(parts, total)
    october = PeriodValue.objects.get(indicator=total, period_type="month", period_start=date(2021, 10, 1))
    assert october.actual == D("5.01")
    assert october.cumulative_actual == D("8.1") + D("29.37") + D("2") + D("5.01")
    # September is before tracking: unknown, like its parts.
    september = PeriodValue.objects.get(indicator=total, period_type="month", period_start=date(2021, 9, 1))
    assert september.cumulative_actual is None and september.status == "none"


def test_it_follows_a_part_changed_after_the_roll_up_incrementally(projects):
    parts, total = projects
    rollups.refresh(today=TODAY)
    entry = Entry.objects.get(indicator=parts[0], date=date(2021, 10, 31))
    entry.value = D("2.23")
    entry.save()
    rollups.refresh([parts[0].pk], date(2021, 10, 31), date(2021, 10, 31), today=TODAY)
    assert_sum_matches(parts, total)
    year = PeriodValue.objects.get(indicator=total, period_type="year", period_start=START)
    assert year.actual == sum(D(v) for v in ("2.23", "0.4", "3.5", "0.01", "3.3", "0.27", "0.5"))


def test_it_judges_the_period_in_progress_on_its_parts_figures_so_far(projects):
    parts, total = projects
    Entry.objects.create(indicator=parts[1], date=date(2021, 11, 20), value=D("30"))
    rollups.refresh(today=TODAY)
    (day,) = rollups.day_values([total.pk], TODAY, today=TODAY)[total.pk]
    dekad = PeriodValue.objects.get(indicator=total, period_type="dekad", period_start=date(2021, 11, 11))
    # The 旬 of today is judged on its figures so far (the entry of 11-20 is not counted
    # in its status, though the 旬's figures hold it).
    assert dekad.status == day.status != "none"
    assert day.cumulative_actual < dekad.cumulative_actual


def test_it_refuses_entries_for_a_sum(projects):
    from targets import roles, services
    from tests.conftest import make_user

    parts, total = projects
    user = make_user("clerk-sum", roles.CLERKS, total.department)
    with pytest.raises(services.EntryRejected) as refused:
        services.record_entries(
            user=user, rows=[services.EntryInput(indicator=total.pk, date=date(2021, 11, 1), value="1")]
        )
    assert "汇总指标由组成指标自动合计，不能直接填报。" in str(refused.value.errors)
    assert not Entry.objects.filter(indicator=total).exists()


def test_it_accepts_as_parts_only_amounts_of_its_unit_and_plan(projects, org):
    parts, total = projects
    assert total.parts_refusal(parts) == ""
    other_plan = amount(org, "q4-only", D("1"))
    other_plan.plan_start = date(2021, 10, 1)
    assert "计划期" in total.parts_refusal([other_plan])
    level = amount(org, "level", D("1"), kind=Indicator.Kind.LEVEL)
    assert "累计量" in total.parts_refusal([level])


def test_it_recomputes_a_sum_whose_parts_change(projects, django_capture_on_commit_callbacks):
    parts, total = projects
    rollups.refresh(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        total.parts.remove(parts[2])
    assert_sum_matches(parts[:2], total)


def test_it_judges_each_part_on_the_plan_to_its_own_last_report(org):
    # 36.5 a year each (0.1 a day), 27.3 done by 30 September. One part reports monthly (to
    # 31 October: 30.4 planned), the other weekly (to Sunday 14 November: 31.8 planned).
    monthly = amount(org, "monthly", D("36.5"), D("27.3"), cadence=Indicator.Cadence.MONTHLY)
    weekly = amount(org, "weekly", D("36.5"), D("27.3"), cadence=Indicator.Cadence.WEEKLY)
    total = amount(org, "sum", D("73"), kind=Indicator.Kind.SUM)
    total.parts.set([monthly, weekly])
    october = Entry.objects.create(indicator=monthly, date=date(2021, 10, 31), value=D("3.1"))
    sunday = date(2021, 10, 3)
    Entry.objects.create(indicator=weekly, date=sunday, value=D("0.3"))
    while (sunday := sunday + timedelta(days=7)) <= date(2021, 11, 14):
        Entry.objects.create(indicator=weekly, date=sunday, value=D("0.7"))
    rollups.refresh(today=TODAY)

    def statuses():
        (day,) = rollups.day_values([total.pk], TODAY, today=TODAY)[total.pk]
        stored = PeriodValue.objects.filter(indicator=total, period_start__lte=TODAY, period_end__gte=TODAY)
        return day, {pv.period_type: pv.status for pv in stored}

    day, stored = statuses()
    # 62.2 done against 64.6 planned to today (shown), 62.2 to the parts' reports: on time.
    assert (day.cumulative_actual, day.cumulative_planned) == (D("62.2"), D("64.6"))
    assert day.status == "green"
    assert stored == {"dekad": "green", "month": "green", "quarter": "green", "year": "green"}
    november = PeriodValue.objects.get(indicator=total, period_type="dekad", period_start=date(2021, 11, 1))
    assert november.status == "green"  # judged on 31 October and Sunday 7 November

    october.value = D("2.1")  # the monthly part 1.0 short at its report
    october.save()
    rollups.refresh([monthly.pk], october.date, october.date, today=TODAY)
    day, stored = statuses()
    assert day.status == "yellow"  # 61.2 of 62.2
    assert stored == {"dekad": "yellow", "month": "yellow", "quarter": "yellow", "year": "yellow"}
