"""A manager, in a real browser, copies the Q4 2021 plan to Q1 2022, changes two targets
and a month's weights in the grid, and publishes it; the Q4 plan stays as it was."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from targets.models import AuditEvent, Indicator, Plan
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_copies_q4_2021_to_q1_2022_changes_two_targets_and_publishes(
    page, live_server, login_page, manager
):
    call_command("seed_briefing", verbosity=0)
    q4 = Plan.objects.get(code="2021q4")
    q4_targets = dict(q4.indicators.values_list("code", "target_value"))
    first, second = (
        q4.indicators.filter(kind=Indicator.Kind.AMOUNT, plan_start=q4.start, plan_end=q4.end)
        .exclude(target_value=None)
        .order_by("order")[:2]
    )

    login_page(manager)
    page.goto(f"{live_server.url}/plans/")
    assert "郑东新区2021年第四季度目标任务" in page.inner_text("table.plan-list")
    page.click("text=郑东新区2021年第四季度目标任务")
    page.click("#copy-link")
    # The next quarter is proposed; picking it filled the dates.
    assert page.input_value("select[name=quarter]") == "2022-1"
    assert (page.input_value("input[name=start]"), page.input_value("input[name=end]")) == (
        "2022-01-01",
        "2022-03-31",
    )
    page.click("#copy-plan")
    page.wait_for_load_state()
    assert "已复制为新计划（草稿）：郑东新区2022年第一季度目标任务" in page.inner_text(".messages")
    q1 = Plan.objects.get(code="2022q1")
    new_first = q1.indicators.get(code=first.code)
    new_second = q1.indicators.get(code=second.code)

    page.fill(f"#t_{new_first.pk}", "150")
    page.fill(f"#t_{new_second.pk}", "66")
    page.fill(f"input[name=w_{new_first.pk}_2022-01]", "20")
    page.fill(f"input[name=w_{new_first.pk}_2022-02]", "30")
    page.fill(f"input[name=w_{new_first.pk}_2022-03]", "50")
    page.click("#preview")
    page.wait_for_load_state()
    row = page.locator(f"#row-{new_first.pk}")
    assert [row.locator(f"[data-month='2022-0{m}']").inner_text() for m in (1, 2, 3)] == ["30", "45", "75"]
    assert "月计划合计 150 = 目标 150 ✓" in row.inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "plan-grid-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "plan-grid-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("#save")
    page.wait_for_load_state()
    assert "已保存：2 个指标已修改。" in page.inner_text(".messages")
    page.click(f"text={q1.title}")
    page.click("#publish")
    page.wait_for_load_state()
    assert page.inner_text("#plan-status") == "已发布"
    screenshot(page, "plan-detail-published")

    q1.refresh_from_db()
    new_first.refresh_from_db()
    new_second.refresh_from_db()
    assert q1.status == Plan.Status.PUBLISHED
    assert (new_first.target_value, new_second.target_value) == (Decimal("150"), Decimal("66"))
    assert new_first.monthly_weights == {"2022-01": "20", "2022-02": "30", "2022-03": "50"}
    assert Plan.objects.for_day(date(2022, 1, 14)) == q1
    assert Plan.objects.for_day(date(2021, 11, 19)) == q4
    # The Q4 2021 plan is unchanged.
    assert dict(q4.indicators.values_list("code", "target_value")) == q4_targets
    assert AuditEvent.objects.filter(action="plan_publish", target="2022q1").exists()
