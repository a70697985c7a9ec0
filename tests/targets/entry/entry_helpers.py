"""Small indicators for the weekly-entry tests (independent of the seeded briefing)."""

from datetime import date
from decimal import Decimal

import pytest

from targets.models import Goal, Indicator
from targets.seed.briefing import plan as briefing_plan

Q4_START = date(2021, 10, 1)
Q4_END = date(2021, 12, 31)
WEEK = date(2021, 10, 11)  # a Monday inside Q4 2021


def make_indicator(department, code, **extra) -> Indicator:
    goal, _ = Goal.objects.get_or_create(
        plan=briefing_plan(), code="line", defaults={"name": "工作线", "level": Goal.Level.LINE}
    )
    fields = {
        "name": f"指标{code}",
        "unit": "亿元",
        "kind": Indicator.Kind.AMOUNT,
        "target_value": Decimal("15"),
        "plan_start": Q4_START,
        "plan_end": Q4_END,
        "decimals": 2,
        "max_value": Decimal("100"),
        "department": department,
        "goal": goal,
    }
    fields.update(extra)
    return Indicator.objects.create(code=code, **fields)


@pytest.fixture(name="indicators")
def indicators_fixture(departments):
    """Two indicators of 经济发展局 (the clerk's) and one of 应急管理局 (clerk2's)."""
    econ, safety = departments
    invest = make_indicator(econ, "invest", name="固定资产投资", order=1)
    signed = make_indicator(
        econ, "signed", name="签约项目", unit="个", decimals=0, target_value=Decimal("50"), order=2
    )
    hazards = make_indicator(safety, "hazards", name="排查隐患", unit="处", decimals=0, max_value=None)
    return invest, signed, hazards
