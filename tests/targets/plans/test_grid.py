"""The plan grid: targets, operators, units, deadlines and month weights, shown as the
month and 旬 plans they give (summing exactly to the target); every cell checked, saved
all or nothing; a published plan's change needs a reason, is audited and re-rolled."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targets.models import AuditEvent, Department, Indicator, PeriodValue, Plan
from targets.plans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def q1(db, manager):
    call_command("seed_briefing", stdout=StringIO())
    q4 = Plan.objects.get(code="2021q4")
    return services.plan_copy(
        plan=q4, start=date(2022, 1, 1), end=date(2022, 3, 31), title="", carry_targets=True, user=manager
    )


def quarter_indicator(plan, kind=Indicator.Kind.AMOUNT):
    return (
        plan.indicators.filter(kind=kind, plan_start=plan.start, plan_end=plan.end)
        .exclude(target_value=None)
        .order_by("order")
        .first()
    )


def grid_url(plan):
    return reverse("plans:grid", kwargs={"plan_code": plan.code})


def test_it_shows_each_months_plan_and_the_sum_equal_to_the_target(client, manager, q1):
    ind = quarter_indicator(q1)
    Indicator.objects.filter(pk=ind.pk).update(target_value=Decimal("100"))
    client.force_login(manager)
    response = client.post(
        grid_url(q1),
        {
            "action": "preview",
            f"t_{ind.pk}": "100",
            f"wt_{ind.pk}": "1",
            f"w_{ind.pk}_2022-01": "1",
            f"w_{ind.pk}_2022-02": "1",
            f"w_{ind.pk}_2022-03": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Thirds of 100, to 4 places, closing exactly on 100.
    assert "33.3333" in html and "33.3334" in html
    row = next(r for r in response.context["rows"] if r.indicator.pk == ind.pk)
    # The cumulative plan is rounded (33.3333, 66.6667, 100): no rounding ever accumulates.
    assert [m.plan for m in row.months] == ["33.3333", "33.3334", "33.3333"]
    assert row.month_sum == row.dekad_sum == row.total == "100" and row.exact
    assert len(row.dekads) == 9
    # A preview saves nothing.
    ind.refresh_from_db()
    assert ind.monthly_weights is None


def test_it_saves_targets_units_operators_deadlines_and_weights_together(client, manager, q1):
    first = quarter_indicator(q1)
    milestone = q1.indicators.filter(kind=Indicator.Kind.MILESTONE).first()
    other = Department.objects.exclude(pk=first.department_id).first()
    client.force_login(manager)
    response = client.post(
        grid_url(q1),
        {
            "action": "save",
            f"t_{first.pk}": "120.5",
            f"op_{first.pk}": "gte",
            f"d_{first.pk}": other.code,
            f"e_{first.pk}": "2022-03-31",
            f"wt_{first.pk}": "1",
            f"w_{first.pk}_2022-01": "30",
            f"w_{first.pk}_2022-02": "",
            f"w_{first.pk}_2022-03": "70",
            f"d_{milestone.pk}": milestone.department.code,
            f"e_{milestone.pk}": "2022-02-28",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    milestone.refresh_from_db()
    assert (first.target_value, first.target_op, first.department, first.monthly_weights) == (
        Decimal("120.5"),
        Indicator.Op.GTE,
        other,
        {"2022-01": "30", "2022-03": "70"},
    )
    assert milestone.plan_end == date(2022, 2, 28)
    # A draft's changes are not audited as changes of a plan in force.
    assert not AuditEvent.objects.filter(action="plan_change").exists()


def test_a_bad_cell_refuses_the_whole_grid_with_a_message_per_cell(client, manager, q1):
    first, second = (
        q1.indicators.filter(kind=Indicator.Kind.AMOUNT, plan_start=q1.start, plan_end=q1.end)
        .exclude(target_value=None)
        .order_by("order")[:2]
    )
    before = {i.pk: (i.target_value, i.plan_end) for i in q1.indicators.all()}
    client.force_login(manager)
    response = client.post(
        grid_url(q1),
        {
            "action": "save",
            f"t_{first.pk}": "12万",
            f"t_{second.pk}": "50",  # fine on its own: not saved either
            f"e_{second.pk}": "2021-12-01",
            f"wt_{second.pk}": "1",
            f"w_{second.pk}_2022-01": "-3",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“12万”不是数字" in html
    assert "完成时限不能早于开始日期 2022-01-01" in html
    assert "权重须为不小于0的数字" in html
    assert "本次未保存任何修改" in html
    assert {i.pk: (i.target_value, i.plan_end) for i in q1.indicators.all()} == before
    # The page keeps what was typed.
    assert 'value="12万"' in html


def test_a_published_plans_change_needs_a_reason_is_audited_and_rolled_up(
    client, manager, q1, django_capture_on_commit_callbacks
):
    ind = quarter_indicator(q1)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_publish(user=manager, plan=q1)
    q1.refresh_from_db()
    assert q1.status == Plan.Status.PUBLISHED
    # Publishing rolled the plan up: its quarter row plans the whole target.
    quarter = PeriodValue.objects.get(indicator=ind, period_type="quarter", period_start=date(2022, 1, 1))
    assert quarter.cumulative_planned == ind.target_value
    client.force_login(manager)
    data = {"action": "save", f"t_{ind.pk}": "200"}
    response = client.post(grid_url(q1), data)
    assert response.status_code == 400
    assert "修改须填写原因" in response.content.decode()
    ind.refresh_from_db()
    assert ind.target_value != Decimal("200")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(grid_url(q1), {**data, "reason": "区政府常务会议调整"})
    assert response.status_code == 302 and len(callbacks) == 1
    event = AuditEvent.objects.get(action="plan_change")
    assert event.detail["reason"] == "区政府常务会议调整"
    assert event.detail["changes"] == [
        {
            "indicator": ind.code,
            "field": "target_value",
            "old": f"{ind.target_value.normalize():f}",
            "new": "200",
        }
    ]
    # The roll-up ran again: the quarter now plans 200.
    quarter.refresh_from_db()
    assert quarter.cumulative_planned == Decimal("200")
    # The detail page lists the change and its reason.
    page = client.get(reverse("plans:detail", kwargs={"plan_code": q1.code})).content.decode()
    assert "区政府常务会议调整" in page


def test_a_closed_plan_is_read_only(client, manager, q1):
    ind = quarter_indicator(q1)
    services.plan_publish(user=manager, plan=q1)
    services.plan_close(user=manager, plan=q1, reason="季度结束")
    with pytest.raises(services.PlanRejected, match="已关闭"):
        services.plan_update(user=manager, plan=q1, rows=[services.RowChange(ind.pk, target="1")], reason="x")
    client.force_login(manager)
    assert client.post(grid_url(q1), {"action": "save", f"t_{ind.pk}": "1"}).status_code == 302
    ind.refresh_from_db()
    assert ind.target_value != Decimal("1")


# ---- The decomposition, for any weights and targets.

MONTHS = ["2022-01", "2022-02", "2022-03"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.decimals(min_value=0, max_value=Decimal("99999999.9999"), places=4),
    weights=st.lists(
        st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)), min_size=3, max_size=3
    ),
    end_day=st.sampled_from([date(2022, 3, 31), date(2022, 2, 28), date(2022, 3, 9), date(2022, 1, 21)]),
)
def test_month_and_dekad_plans_always_sum_exactly_to_the_target(target, weights, end_day):
    keys = services.month_keys(date(2022, 1, 1), end_day)
    given_weights = {k: w for k, w in zip(MONTHS, weights, strict=True) if k in keys and w is not None}
    if given_weights and sum(given_weights.values()) <= 0:
        given_weights = {}
    split = services.decomposition(
        target=target, start=date(2022, 1, 1), end=end_day, weights=given_weights or None
    )
    assert split.month_sum == target.quantize(Decimal("0.0001")) == split.dekad_sum
    assert split.exact
    # Each month's plan is its 旬's plans added up.
    for month, value in split.months:
        assert value == sum((v for p, v in split.dekads if month.start <= p.start <= month.end), Decimal(0))
    # A month with a weight of its own gets its share (to 4 places, within a rounding step).
    if given_weights:
        total = sum(given_weights.values())
        for month, value in split.months:
            share = target * given_weights.get(f"{month.start:%Y-%m}", 0) / total
            assert abs(value - share) <= Decimal("0.0002")


def test_a_grid_saved_by_someone_else_meanwhile_is_refused_not_overwritten(client, manager, q1):
    first, second = (
        q1.indicators.filter(kind=Indicator.Kind.AMOUNT, plan_start=q1.start, plan_end=q1.end)
        .exclude(target_value=None)
        .order_by("order")[:2]
    )
    client.force_login(manager)
    page = client.get(grid_url(q1))
    stamp = page.context["stamp"]
    # Another manager saves first.
    assert client.post(grid_url(q1), {"stamp": stamp, f"t_{first.pk}": "77"}).status_code == 302
    # The stale form (it still shows the old target of the first row) is refused whole.
    stale = {"stamp": stamp, f"t_{first.pk}": f"{first.target_value.normalize():f}", f"t_{second.pk}": "88"}
    response = client.post(grid_url(q1), stale)
    assert response.status_code == 400
    assert "该计划已被他人修改" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.target_value == Decimal("77") and second.target_value != Decimal("88")
