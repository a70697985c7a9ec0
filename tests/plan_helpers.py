"""A second plan for tests: a copy of a plan's goal tree and indicators (same codes) over
another period, as a manager's copy to the next quarter gives."""

from datetime import date

from targets.models import Goal, Indicator, Plan
from targets.plans import services as plans


def copy_plan(source: Plan, *, code: str, title: str, title_en: str, start: date, end: date, **extra) -> Plan:
    """A published plan (unless ``status`` says otherwise) holding copies of ``source``'s
    goals (parents and ``supports`` links kept) and indicators (same codes, targets,
    units, departments; their plan dates the new plan's period; ratios built on the
    copies of their parts)."""
    extra.setdefault("status", Plan.Status.PUBLISHED)
    plan = Plan.objects.create(
        code=code,
        title=title,
        title_en=title_en,
        kind=Plan.Kind.QUARTER,
        start=start,
        end=end,
        source=f"{title}（测试）",
        copied_from=source,
        **extra,
    )
    goals: dict[int, Goal] = {}
    pending = list(source.goals.order_by("pk"))
    while pending:  # parents first
        later = []
        for goal in pending:
            if goal.parent_id is not None and goal.parent_id not in goals:
                later.append(goal)
                continue
            old_pk = goal.pk
            goal.pk = None
            goal.plan = plan
            goal.parent = goals[goal.parent_id] if goal.parent_id else None
            goal.save()
            goals[old_pk] = goal
        pending = later
    for old_pk, goal in goals.items():
        goal.supports.set(
            [goals[pk] for pk in Goal.objects.get(pk=old_pk).supports.values_list("pk", flat=True)]
        )
    indicators: dict[int, Indicator] = {}
    ratios = []
    for indicator in source.indicators.order_by("pk"):
        old_pk = indicator.pk
        numerator, denominator = indicator.numerator_id, indicator.denominator_id
        indicator.pk = None
        indicator.plan = plan
        indicator.goal = goals[indicator.goal_id]
        indicator.plan_start, indicator.plan_end = start, end
        indicator.tracking_start = None
        indicator.opening_value = None
        indicator.opening_is_demo = False
        indicator.monthly_weights = None
        indicator.numerator = indicator.denominator = None
        if numerator:
            ratios.append((indicator, numerator, denominator))
            continue
        indicator.save()
        indicators[old_pk] = indicator
    for indicator, numerator, denominator in ratios:
        indicator.numerator, indicator.denominator = indicators[numerator], indicators[denominator]
        indicator.save()
    return plan


def copy_to_q1_2022(q4: Plan, manager, *, publish: bool = True) -> Plan:
    """The manager's copy of the Q4 2021 plan to Q1 2022 through the product's own copy
    (targets carried), published unless ``publish`` is False."""
    q1 = plans.plan_copy(
        plan=q4, start=date(2022, 1, 1), end=date(2022, 3, 31), title="", carry_targets=True, user=manager
    )
    if publish:
        plans.plan_publish(user=manager, plan=q1)
    return q1
