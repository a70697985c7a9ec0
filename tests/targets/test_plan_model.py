"""Plans as data: which plan a day belongs to, and goals and indicators inside a plan."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from targets.models import Goal, Indicator, Plan
from targets.seed import briefing

pytestmark = pytest.mark.django_db


def make_plan(code, start, end, status=Plan.Status.PUBLISHED, **extra):
    return Plan.objects.create(code=code, title=code, start=start, end=end, status=status, **extra)


def test_the_default_plan_is_the_one_covering_the_day_and_never_a_draft():
    q4 = make_plan("2021q4", date(2021, 10, 1), date(2021, 12, 31))
    year = make_plan("2022", date(2022, 1, 1), date(2022, 12, 31), kind=Plan.Kind.YEAR)
    q1 = make_plan("2022q1", date(2022, 1, 1), date(2022, 3, 31))
    make_plan("2022q2", date(2022, 4, 1), date(2022, 6, 30), status=Plan.Status.DRAFT)

    assert Plan.objects.for_day(date(2021, 11, 19)) == q4
    # A quarter's plan before the year's plan that also covers the day.
    assert Plan.objects.for_day(date(2022, 1, 14)) == q1
    assert list(Plan.objects.covering(date(2022, 1, 14))) == [q1, year]
    # Q2 is still a draft: the year plan covers May.
    assert Plan.objects.for_day(date(2022, 5, 1)) == year
    # After every plan: the latest one that ended; before every plan: the first to come.
    assert Plan.objects.for_day(date(2023, 2, 1)) == year
    assert Plan.objects.for_day(date(2020, 1, 1)) == q4


def test_no_published_plan_means_none():
    make_plan("draft", date(2022, 1, 1), date(2022, 3, 31), status=Plan.Status.DRAFT)
    assert Plan.objects.for_day(date(2022, 1, 14)) is None


def test_the_briefing_is_one_published_plan_holding_every_goal_and_indicator():
    call_command("seed_briefing", stdout=StringIO())
    plan = Plan.objects.get()
    assert (plan.title, plan.start, plan.end, plan.status) == (
        "郑东新区2021年第四季度目标任务",
        date(2021, 10, 1),
        date(2021, 12, 31),
        Plan.Status.PUBLISHED,
    )
    assert plan.indicators.count() == Indicator.objects.count() > 0
    assert plan.goals.count() == Goal.objects.count() > 0
    # Seeding again changes nothing.
    call_command("seed_briefing", stdout=StringIO())
    assert Plan.objects.count() == 1
    assert plan.indicators.count() == Indicator.objects.count()


def test_codes_repeat_across_plans_but_not_within_one(departments):
    q4 = briefing.plan()
    q1 = make_plan("2022q1", date(2022, 1, 1), date(2022, 3, 31))
    for plan in (q4, q1):
        goal = Goal.objects.create(plan=plan, code="s4", name="抓好经济运行", level=Goal.Level.SECTION)
        line = Goal.objects.create(code="kp", name="重点项目", level=Goal.Level.LINE, parent=goal)
        indicator = Indicator.objects.create(
            code="kp-investment",
            name="省市重点项目完成投资",
            kind=Indicator.Kind.AMOUNT,
            plan_start=plan.start,
            plan_end=plan.end,
            department=departments[0],
            goal=line,
        )
        # A sub-goal takes its parent's plan, an indicator its goal's.
        assert (line.plan, indicator.plan) == (plan, plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.create(plan=q1, code="s4", name="重复", level=Goal.Level.SECTION)
