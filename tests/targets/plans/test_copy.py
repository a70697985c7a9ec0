"""Copying the briefing's Q4 2021 plan to Q1 2022: the goal tree, the indicators with
their ratios' parts remapped, the dates moved to the new period, targets carried or
left blank, a draft."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from targets.models import AuditEvent, Goal, Indicator, Plan
from targets.plans import services

pytestmark = pytest.mark.django_db

Q1 = (date(2022, 1, 1), date(2022, 3, 31))


@pytest.fixture
def q4(db):
    call_command("seed_briefing", stdout=StringIO())
    return Plan.objects.get(code="2021q4")


def copy(q4, manager, carry=True):
    return services.plan_copy(plan=q4, start=Q1[0], end=Q1[1], title="", carry_targets=carry, user=manager)


def test_it_copies_the_goal_tree_with_what_each_line_supports(q4, manager):
    q1 = copy(q4, manager)
    assert (q1.code, q1.title, q1.status, q1.copied_from) == (
        "2022q1",
        "郑东新区2022年第一季度目标任务",
        Plan.Status.DRAFT,
        q4,
    )
    old = {g.code: g for g in q4.goals.all()}
    new = {g.code: g for g in q1.goals.all()}
    assert set(new) == set(old) and len(new) > 20
    for code, goal in new.items():
        before = old[code]
        # The quarter's words in a name follow the new quarter (test_copy_names.py).
        name = before.name.replace("第四季度", "第一季度")
        assert (goal.name, goal.level, goal.order) == (name, before.level, before.order)
        assert (goal.parent.code if goal.parent else None) == (before.parent.code if before.parent else None)
        assert goal.parent is None or goal.parent.plan_id == q1.pk
        assert {g.code for g in goal.supports.all()} == {g.code for g in before.supports.all()}
        assert all(g.plan_id == q1.pk for g in goal.supports.all())
    # The Q4 plan is untouched.
    assert Goal.objects.filter(plan=q4).count() == len(old)


def test_it_copies_every_indicator_and_remaps_ratio_parts_to_the_copies(q4, manager):
    q1 = copy(q4, manager)
    old = {i.code: i for i in q4.indicators.all()}
    new = {i.code: i for i in q1.indicators.select_related("goal", "numerator", "denominator")}
    # Every one but those still running into Q1 (the recovery, due May 2022).
    running = {i.code for i in services.still_running(q4, Q1[0])}
    assert running == {c for c, i in old.items() if i.plan_end >= Q1[0]} and running
    assert set(new) == set(old) - running
    old = {c: i for c, i in old.items() if c not in running}
    ratios = [i for i in new.values() if i.kind == Indicator.Kind.RATIO]
    assert ratios
    for ratio in ratios:
        assert ratio.numerator.plan_id == ratio.denominator.plan_id == q1.pk
        assert ratio.numerator.code == old[ratio.code].numerator.code
        assert ratio.denominator.code == old[ratio.code].denominator.code
    for code, ind in new.items():
        before = old[code]
        for name in services.copied_fields():
            assert getattr(ind, name) == getattr(before, name), (code, name)
        assert ind.name == before.name.replace("四季度", "一季度")
        assert ind.goal.plan_id == q1.pk and ind.goal.code == before.goal.code
        assert ind.target_value == before.target_value
        assert ind.opening_value is None


def test_it_moves_the_dates_to_the_new_period(q4, manager):
    q1 = copy(q4, manager)
    new = {i.code: i for i in q1.indicators.all()}
    # A quarter's indicator: the new quarter.
    quarter_ones = [i for i in new.values() if (i.plan_start, i.plan_end) == Q1]
    assert len(quarter_ones) > 10
    # A full-year target tracked in Q4: the year 2022, tracked from the new period's start
    # (nothing before it to track).
    investment = new["kp-investment"]
    assert (investment.plan_start, investment.plan_end, investment.tracking_start) == (
        date(2022, 1, 1),
        date(2022, 12, 31),
        None,
    )
    # Every date inside the Q4 plan moves three months: due 31 October → 31 January.
    old = {i.code: i for i in q4.indicators.all()}
    due_october = [c for c, i in old.items() if i.plan_end == date(2021, 10, 31)]
    assert due_october
    for code in due_october:
        assert new[code].plan_end == date(2022, 1, 31)
    # Recovery to May 2022 still runs in Q1: it stays in Q4 alone (test_copy_running.py).
    to_may = [c for c, i in old.items() if i.plan_end == date(2022, 5, 31)]
    assert to_may and not set(to_may) & set(new)


def test_it_leaves_targets_blank_to_fill_when_asked(q4, manager):
    q1 = copy(q4, manager, carry=False)
    assert not q1.indicators.exclude(target_value=None).exists()
    assert q4.indicators.exclude(target_value=None).count() > 10
    event = AuditEvent.objects.get(action="plan_copy")
    assert (event.target, event.detail["carry_targets"]) == ("2022q1", False)


def test_it_moves_month_weights_with_the_dates(q4, manager):
    ind = q4.indicators.get(code="kp-investment")
    Indicator.objects.filter(pk=ind.pk).update(
        monthly_weights={"2021-10": "30", "2021-11": "35", "2021-12": "35"},
    )
    quarter = q4.indicators.filter(plan_start=date(2021, 10, 1), plan_end=date(2021, 12, 31)).first()
    Indicator.objects.filter(pk=quarter.pk).update(monthly_weights={"2021-10": "1", "2021-12": "3"})
    q1 = copy(q4, manager)
    assert q1.indicators.get(code=quarter.code).monthly_weights == {"2022-01": "1", "2022-03": "3"}
    # The year-long one moves a year: its Q4 weights land in Q4 2022.
    assert q1.indicators.get(code="kp-investment").monthly_weights == {
        "2022-10": "30",
        "2022-11": "35",
        "2022-12": "35",
    }


def test_a_second_copy_gets_a_code_of_its_own_and_a_bad_period_is_refused(q4, manager):
    first, second = copy(q4, manager), copy(q4, manager)
    assert (first.code, second.code) == ("2022q1", "2022q1-2")
    with pytest.raises(services.PlanRejected, match="季度计划"):
        services.plan_copy(
            plan=q4,
            start=date(2022, 1, 1),
            end=date(2022, 2, 28),
            kind=Plan.Kind.QUARTER,
            title="",
            carry_targets=True,
            user=manager,
        )
    assert Plan.objects.count() == 3
    assert Decimal(q4.indicators.get(code="kp-investment").target_value) == Decimal("433.2")
