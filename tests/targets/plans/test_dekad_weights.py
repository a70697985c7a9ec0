"""旬 weights: a month's share of the target split among its 旬 (上/中/下旬) as the manager
weights them, in the plan maths, the grid, the plan file, a copy and the roll-up's SQL;
the 旬 and month plans still add up exactly to the target."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from targets import periods, rollups
from targets import plan as plan_maths
from targets.models import Indicator, PeriodValue, Plan
from targets.plans import services

D = Decimal
START, END = date(2022, 1, 1), date(2022, 3, 31)


def dekad_plans(weights, target=None, end=END):
    target = D("90") if target is None else target
    split = services.decomposition(target=target, start=START, end=end, weights=weights)
    return {p.start: v for p, v in split.dekads}, {p.start: v for p, v in split.months}, split


def test_a_months_dekad_weights_split_its_share_and_leave_other_months_alone():
    weights = {
        "2022-01": "1",
        "2022-02": "1",
        "2022-02-1": "1",
        "2022-02-2": "1",
        "2022-02-3": "2",
        "2022-03": "1",
    }
    dekads, months, split = dekad_plans(weights)
    # Each month keeps a third of 90; February's 30 goes 1 : 1 : 2 to its 旬.
    assert months == {START: D("30"), date(2022, 2, 1): D("30"), date(2022, 3, 1): D("30")}
    assert [dekads[date(2022, 2, d)] for d in (1, 11, 21)] == [D("7.5"), D("7.5"), D("15")]
    # January has no 旬 weights: its 30 is spread by days (10, 10 and 11 days of 31).
    assert dekads[START] == (D(30) * 10 / 31).quantize(D("0.0001"))
    assert split.exact


def test_a_dekad_without_a_weight_gets_nothing_once_its_month_has_dekad_weights():
    dekads, months, split = dekad_plans({"2022-03-3": "1"})
    # No month weights: each month's share is its days; March's all falls in 下旬.
    assert dekads[date(2022, 3, 1)] == dekads[date(2022, 3, 11)] == D("0")
    assert dekads[date(2022, 3, 21)] == months[date(2022, 3, 1)] == D("31")
    assert split.month_sum == split.dekad_sum == D("90")


@settings(max_examples=150, deadline=None)
@given(
    target=st.decimals(min_value=0, max_value=Decimal("99999999.9999"), places=4),
    months=st.lists(st.one_of(st.none(), st.integers(0, 100)), min_size=3, max_size=3),
    dekads=st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=9, max_size=9),
    end=st.sampled_from([END, date(2022, 2, 28), date(2022, 3, 9), date(2022, 1, 21)]),
)
def test_month_and_dekad_weights_always_sum_exactly_to_the_target(target, months, dekads, end):
    keys = services.weight_keys(START, end)
    month_keys = ["2022-01", "2022-02", "2022-03"]
    dekad_keys = [f"{m}-{k}" for m in month_keys for k in (1, 2, 3)]
    weights = {
        k: str(w) for k, w in zip(month_keys + dekad_keys, months + dekads, strict=True) if w is not None
    }
    weights = {k: w for k, w in weights.items() if k in keys}
    if services.weight_sum_errors({k: D(w) for k, w in weights.items()}):
        return  # the grid refuses these; see the test of the refusal below
    _dekads, _months, split = dekad_plans(weights or None, target=target, end=end)
    assert split.month_sum == target.quantize(D("0.0001")) == split.dekad_sum
    # A weighted 旬 gets its share of its month, within a rounding step.
    for month, value in split.months:
        inside = [(p, v) for p, v in split.dekads if p.start in month]
        given_dekads = {
            p: D(weights[plan_maths.dekad_key(p.start)])
            for p, _v in inside
            if plan_maths.dekad_key(p.start) in weights
        }
        if given_dekads:
            for p, v in inside:
                share = value * given_dekads.get(p, 0) / sum(given_dekads.values())
                assert abs(v - share) <= D("0.0003")


@pytest.fixture
def q1(db, manager):
    call_command("seed_briefing", stdout=StringIO())
    q4 = Plan.objects.get(code="2021q4")
    return services.plan_copy(plan=q4, start=START, end=END, title="", carry_targets=True, user=manager)


def quarter_indicator(plan):
    return (
        plan.indicators.filter(kind=Indicator.Kind.AMOUNT, plan_start=plan.start, plan_end=plan.end)
        .exclude(target_value=None)
        .order_by("order")
        .first()
    )


def grid_url(plan):
    return reverse("plans:grid", kwargs={"plan_code": plan.code})


def test_the_grid_saves_dekad_weights_and_shows_the_dekad_plans(client, manager, q1):
    ind = quarter_indicator(q1)
    client.force_login(manager)
    posted = {
        "action": "save",
        f"t_{ind.pk}": "90",
        f"wt_{ind.pk}": "1",
        f"w_{ind.pk}_2022-02-1": "1",
        f"w_{ind.pk}_2022-02-3": "3",
    }
    assert client.post(grid_url(q1), posted).status_code == 302
    ind.refresh_from_db()
    assert ind.monthly_weights == {"2022-02-1": "1", "2022-02-3": "3"}
    page = client.get(grid_url(q1))
    row = next(r for r in page.context["rows"] if r.indicator.pk == ind.pk)
    february = {d.key: (d.weight, d.plan) for d in row.dekads if d.key.startswith("2022-02")}
    # February's 28 of 90 (by days) goes 1 : 0 : 3.
    assert february == {"2022-02-1": ("1", "7"), "2022-02-2": ("", "0"), "2022-02-3": ("3", "21")}
    assert row.dekad_sum == row.month_sum == row.total == "90" and row.exact
    html = page.content.decode()
    assert f'name="w_{ind.pk}_2022-02-3" value="3"' in html
    assert "按旬权重" in html


def test_dekad_weights_adding_up_to_nothing_are_refused_and_nothing_is_saved(client, manager, q1):
    ind = quarter_indicator(q1)
    before = ind.monthly_weights
    client.force_login(manager)
    posted = {
        "action": "save",
        f"t_{ind.pk}": "90",
        f"wt_{ind.pk}": "1",
        f"w_{ind.pk}_2022-02-1": "0",
        f"w_{ind.pk}_2022-02-2": "0",
    }
    response = client.post(grid_url(q1), posted)
    assert response.status_code == 400
    assert "2022-02 各旬权重合计须大于0" in response.content.decode()
    posted = {"action": "save", f"t_{ind.pk}": "90", f"wt_{ind.pk}": "1", f"w_{ind.pk}_2022-04-1": "1"}
    response = client.post(grid_url(q1), posted)
    assert response.status_code == 400
    assert "2022-04-1 不在该指标的计划期内" in response.content.decode()
    ind.refresh_from_db()
    assert ind.monthly_weights == before


def test_the_plan_files_weights_cell_carries_dekad_weights():
    weights = {"2022-01": D("30"), "2022-01-2": D("1"), "2022-01-3": D("2.5")}
    text = services.weights_text(weights)
    assert text == "2022-01:30;2022-01-2:1;2022-01-3:2.5"
    assert services.parse_weights_text(text) == weights
    with pytest.raises(ValueError, match="旬权重写成"):
        services.parse_weights_text("2022-01-4:1")


def test_a_copy_moves_dekad_weights_to_the_same_dekads_of_the_new_quarter():
    moved = services.shift_weights({"2021-10": "1", "2021-11-3": "2"}, 3, START, END)
    assert moved == {"2022-01": "1", "2022-02-3": "2"}


def test_the_rollups_dekad_plans_are_the_grids(q1):
    ind = quarter_indicator(q1)
    weights = {"2022-01": "2", "2022-01-1": "3", "2022-01-3": "1", "2022-02": "1", "2022-03": "1"}
    Indicator.objects.filter(pk=ind.pk).update(target_value=D("1234.5678"), monthly_weights=weights)
    rollups.refresh([ind.pk], today=date(2022, 12, 31))
    stored = {
        pv.period_start: pv.planned
        for pv in PeriodValue.objects.filter(indicator=ind, period_type=periods.DEKAD)
    }
    dekads, _months, _split = dekad_plans(weights, target=D("1234.5678"))
    assert stored == dekads
    assert stored[date(2022, 1, 11)] == D("0")
    # The day read agrees with the 旬: 1月上旬's plan spread evenly over its ten days.
    days = rollups.day_values([ind.pk], date(2022, 1, 1), date(2022, 1, 10), today=date(2022, 12, 31))[ind.pk]
    assert sum(d.planned for d in days) == dekads[date(2022, 1, 1)]
