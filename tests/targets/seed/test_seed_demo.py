"""Demo progress: deterministic, plausible, within every rule, and removable."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from projects.models import Milestone, Problem
from targets.models import Entry, Indicator, Submission
from targets.seed import demo

pytestmark = pytest.mark.django_db

UNTIL = date(2021, 11, 19)


def run(*args):
    call_command(*args, stdout=StringIO())


@pytest.fixture
def seeded(db):
    run("seed_briefing")


def snapshot():
    entries = sorted(Entry.objects.values_list("indicator__code", "date", "value", "is_demo"))
    subs = sorted(Submission.objects.values_list("department__code", "week_start", "status", "is_demo"))
    openings = sorted(Indicator.objects.values_list("code", "opening_value", "opening_is_demo"))
    problems = sorted(Problem.objects.values_list("title", "status", "is_demo"))
    milestones = sorted(
        Milestone.objects.values_list("project__code", "kind", "planned_date", "actual_date", "is_demo")
    )
    return entries, subs, openings, problems, milestones


def test_it_gives_the_same_figures_on_every_run(seeded):
    run("seed_demo")
    first = snapshot()
    run("seed_demo", "--until", "2021-11-19")
    assert snapshot() == first
    assert len(first[0]) > 300  # 61 indicators reported weekly, per 旬, monthly or once


def test_it_reports_each_indicator_at_its_cadence_on_its_periods_last_days(seeded):
    run("seed_demo", "--until", "2021-11-19")
    for ind in Indicator.objects.exclude(kind="ratio"):
        for day in ind.entries.values_list("date", flat=True):
            assert ind.takes_figure_on(day), (ind.code, ind.cadence, day)
    safety = Indicator.objects.get(code="safety-nine-small-found")
    sundays = list(safety.entries.order_by("date").values_list("date", flat=True))
    assert sundays[0] == date(2021, 10, 3) and sundays[-1] == date(2021, 11, 14)
    assert len(sundays) == 7
    monthly = Indicator.objects.get(code="rec-investment")
    assert list(monthly.entries.values_list("date", flat=True)) == [date(2021, 10, 31)]


def test_it_fills_every_amount_and_level_indicator_from_1_october_to_the_day(seeded):
    run("seed_demo", "--until", "2021-11-19")
    # The key projects' investment (the parts of a sum) is reported monthly: October's
    # figure on 31 October, November's is not due yet.
    for ind in Indicator.objects.filter(kind__in=["amount", "level"], sums__isnull=True):
        days = list(ind.entries.order_by("date").values_list("date", flat=True))
        assert days, ind.code
        # The first period holding 1 October, to the last period over by the day.
        assert days[0] == ind.report_days(date(2021, 10, 1), ind.plan_end)[0]
        assert days[-1] == ind.report_days(date(2021, 10, 1), min(UNTIL, ind.plan_end))[-1]
    monthly = Indicator.objects.filter(sums__code="kp-investment-projects")
    assert monthly.count() == 12
    for ind in monthly:
        assert list(ind.entries.values_list("date", flat=True)) == [date(2021, 10, 31)], ind.code
        assert ind.opening_is_demo and ind.opening_value > 0 and ind.target_value > ind.opening_value
    assert not Entry.objects.filter(date__gt=UNTIL).exists()
    assert not Entry.objects.filter(indicator__kind="ratio").exists()
    assert not Entry.objects.filter(is_demo=False).exists()


def test_it_keeps_every_figure_within_the_indicator_rules(seeded):
    run("seed_demo")
    for entry in Entry.objects.select_related("indicator"):
        ind = entry.indicator
        assert ind.min_value <= entry.value <= ind.max_value, (ind.code, entry.value)
        assert entry.value == round(entry.value, ind.decimals)
        assert ind.in_plan(entry.date)


def test_it_never_rectifies_more_hazards_than_were_found(seeded):
    run("seed_demo")
    for found in Indicator.objects.filter(code__endswith="-found"):
        rectified = Indicator.objects.get(code=found.code.replace("-found", "-rectified"))
        total_found = sum(found.entries.values_list("value", flat=True))
        total_rect = sum(rectified.entries.values_list("value", flat=True))
        assert 0 < total_rect <= total_found


def test_it_puts_most_indicators_near_schedule_and_a_few_behind(seeded):
    run("seed_demo")
    ratios = {}
    for ind in Indicator.objects.filter(kind="amount").exclude(target_value=None):
        total_days = (ind.plan_end - ind.plan_start).days + 1
        # The pace of what is reported: the plan up to the last report day by the day.
        reported = ind.report_days(ind.plan_start, min(UNTIL, ind.plan_end))[-1]
        elapsed = (reported - ind.plan_start).days + 1
        plan = ind.target_value * elapsed / total_days
        actual = (ind.opening_value or 0) + sum(ind.entries.values_list("value", flat=True))
        ratios[ind.code] = actual / plan
    behind = {code for code, r in ratios.items() if r < Decimal("0.99")}
    assert {"kp-investment", "sci-projects-signed", "rec-relief-funds"} <= behind
    assert Decimal("0.90") <= ratios["kp-investment"] < 1
    assert ratios["rec-relief-funds"] < Decimal("0.90")
    assert len(behind) < len(ratios)
    level_34 = Indicator.objects.get(code="rec-repair-34-done").entries.latest("date").value
    level_25 = Indicator.objects.get(code="rec-repair-25-done").entries.latest("date").value
    assert (level_25, level_34) == (25, 29)  # one October batch done, the other late


def test_it_fills_the_opening_value_of_the_full_year_investment_as_demo(seeded):
    run("seed_demo")
    kp = Indicator.objects.get(code="kp-investment")
    assert kp.opening_is_demo
    # 433.2 × 273/365 days × 97 %: January–September, a little behind.
    assert kp.opening_value == Decimal("314.28")


def test_it_enters_weeks_as_submissions_approved_then_submitted_or_draft(seeded):
    run("seed_demo")
    weeks = Submission.objects.values_list("week_start", flat=True).distinct()
    assert min(weeks) == date(2021, 9, 27) and max(weeks) == date(2021, 11, 15)
    last = Submission.objects.filter(week_start=date(2021, 11, 15))
    assert set(last.values_list("status", flat=True)) == {"submitted", "draft"}
    past = Submission.objects.filter(week_start__lt=date(2021, 11, 15))
    assert past.filter(status="approved").count() >= past.count() - 1
    for sub in past.filter(status="approved"):
        assert sub.reviewed_by is not None and sub.submitted_by is not None
    # Every department that owns entries reported each week.
    per_dept = Submission.objects.values("department").annotate(n=Count("id"))
    assert {row["n"] for row in per_dept} == {8}


def test_it_keeps_history_for_every_demo_entry(seeded):
    run("seed_demo")
    assert Entry.history.filter(is_demo=True).count() == Entry.objects.count()
    record = Entry.history.first()
    assert record.history_change_reason == demo.REASON
    assert record.history_user is not None


def test_it_marks_milestones_reached_and_raises_demo_problems(seeded):
    run("seed_demo")
    bus = Milestone.objects.get(project__code="longhu-autonomous-bus-2", kind=Milestone.Kind.START)
    assert bus.actual_date == date(2021, 10, 20)
    assert Problem.objects.filter(is_demo=True, status="todo").count() == 4
    assert Problem.objects.filter(is_demo=True, status="closed").count() == 1
    # Each has its history on its problem page: raised, and 销号 for the closed one.
    moves = sorted(
        m for p in Problem.objects.filter(is_demo=True) for m in p.events.values_list("move", flat=True)
    )
    assert moves == ["close"] + ["raise"] * 5


def test_it_removes_all_demo_rows_and_nothing_else(clerk, seeded):
    real_ind = Indicator.objects.get(code="sci-projects-signed")
    real = Entry.objects.create(indicator=real_ind, date=date(2021, 10, 8), value=3, created_by=clerk)
    before = snapshot()
    run("seed_demo")
    # The real figure is kept, not overwritten.
    assert Entry.objects.get(indicator=real_ind, date=date(2021, 10, 8)).pk == real.pk
    run("seed_demo", "--remove")
    assert snapshot() == before
    assert not Entry.history.filter(is_demo=True).exists()
    assert not Submission.history.filter(is_demo=True).exists()


def test_it_covers_a_shorter_span_with_until(seeded):
    run("seed_demo", "--until", "2021-10-10")
    assert Entry.objects.latest("date").date == date(2021, 10, 10)
    # No milestone reached through a demo entry yet; the demo's permits as of 10-10.
    assert not Milestone.objects.exclude(indicator=None).exclude(actual_date=None).exists()
    assert not Milestone.objects.filter(is_demo=True, actual_date__gt=date(2021, 10, 10)).exists()
    assert list(Problem.objects.values_list("title", flat=True)) == ["机电设备安装进度滞后"]


def test_it_refreshes_the_roll_ups_the_dashboards_read(seeded):
    from targets import rollups
    from targets.models import PeriodValue

    run("seed_demo")
    kp = Indicator.objects.get(code="kp-investment")
    (row,) = rollups.day_values([kp.id], UNTIL, UNTIL)[kp.id]
    assert row.cumulative_actual == kp.opening_value + sum(kp.entries.values_list("value", flat=True))
    assert row.status == PeriodValue.Status.YELLOW
    run("seed_demo", "--remove")
    (row,) = rollups.day_values([kp.id], UNTIL, UNTIL)[kp.id]
    assert not row.cumulative_actual
