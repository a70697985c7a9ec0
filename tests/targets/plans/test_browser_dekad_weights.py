"""A manager weights a month's 旬 in the plan grid in a real browser, desktop and phone:
the 旬 plans follow the weights and still add up to the target."""

from datetime import date

import pytest
from django.core.management import call_command

from targets.models import Indicator, Plan
from targets.plans import services
from tests.conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_weights_the_dekads_of_a_month_and_sees_their_plans(page, live_server, login_page, manager):
    call_command("seed_briefing", verbosity=0)
    q4 = Plan.objects.get(code="2021q4")
    q1 = services.plan_copy(
        plan=q4, start=date(2022, 1, 1), end=date(2022, 3, 31), title="", carry_targets=True, user=manager
    )
    ind = (
        q1.indicators.filter(kind=Indicator.Kind.AMOUNT, plan_start=q1.start, plan_end=q1.end)
        .exclude(target_value=None)
        .order_by("order")
        .first()
    )
    login_page(manager)
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/plans/{q1.code}/grid/")
        row = page.locator(f"#row-{ind.pk}")
        page.fill(f"#t_{ind.pk}", "90")
        row.locator("details.dekads summary").click()
        page.fill(f"input[name=w_{ind.pk}_2022-02-1]", "1")
        page.fill(f"input[name=w_{ind.pk}_2022-02-3]", "3")
        page.click("#preview")
        page.wait_for_load_state()
        row = page.locator(f"#row-{ind.pk}")
        # February's 28 of 90 (by days) goes 1 : 0 : 3 to its 旬; the rest stays by days.
        plans = [row.locator(f"[data-dekad='2022-02-{k}']").inner_text() for k in (1, 2, 3)]
        assert plans == ["7", "0", "21"]
        assert "按旬权重" in row.inner_text() and "月计划合计 90 = 目标 90 ✓" in row.inner_text()
        screenshot(page, f"plan-grid-dekad-weights-{name}")
        row.screenshot(path=str(ARTIFACTS / f"plan-grid-dekad-weights-row-{name}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click("#save")
    page.wait_for_load_state()
    ind.refresh_from_db()
    assert ind.monthly_weights == {"2022-02-1": "1", "2022-02-3": "3"}
