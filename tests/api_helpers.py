"""Small data for the REST API tests: two departments' indicators and API clients."""

from datetime import date
from decimal import Decimal

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from targets.models import Goal, Indicator
from targets.seed.briefing import plan as briefing_plan

Q4_START = date(2021, 10, 1)
Q4_END = date(2021, 12, 31)


def make_indicator(code, department, goal, **extra) -> Indicator:
    fields = {
        "name": f"指标{code}",
        "kind": Indicator.Kind.AMOUNT,
        "unit": "亿元",
        "target_value": Decimal("15"),
        "target_op": Indicator.Op.APPROX,
        "plan_start": Q4_START,
        "plan_end": Q4_END,
        "decimals": 2,
        "department": department,
        "goal": goal,
        **extra,
    }
    return Indicator.objects.create(code=code, **fields)


def make_world(econ, safety) -> dict:
    """Investment (经济发展局, 亿元, 2 decimals), projects under construction (经济发展局,
    a level) and hazards found (应急管理局, 个)."""
    goal = Goal.objects.create(
        plan=briefing_plan(), code="invest-line", name="项目建设", level=Goal.Level.LINE
    )
    safety_goal = Goal.objects.create(
        plan=briefing_plan(), code="safety-line", name="安全生产", level=Goal.Level.LINE
    )
    invest = make_indicator("invest", econ, goal)
    hazards = make_indicator(
        "hazards", safety, safety_goal, unit="个", decimals=0, target_value=Decimal("100")
    )
    level = make_indicator("building", econ, goal, kind=Indicator.Kind.LEVEL, unit="个", decimals=0)
    return {
        "econ": econ,
        "safety": safety,
        "goal": goal,
        "invest": invest,
        "hazards": hazards,
        "level": level,
    }


def client_for(user) -> APIClient:
    """An API client authenticated with the user's token (as a script would be)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response, status: int, code: str) -> dict:
    """The response is the one error shape with this status and code; returns its body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]
