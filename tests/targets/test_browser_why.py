"""The why behind a lag, end to end in a real browser: a clerk submits a week where one
indicator is 滞后 and is asked for its reason; a manager reviews it; the official opens
the overview, clicks the lagging item and reads the reason; the month PDF carries it."""

import subprocess
from datetime import date

import pytest

from targets.models import ProgressNote, Submission
from tests.conftest import screenshot
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "两个项目土地报批滞后，未能按期开工"
MEASURES = "协调自然资源局，11月底前完成报批"


def test_a_lagging_indicator_carries_its_reason_from_the_clerk_to_the_official_and_the_pdf(
    page, live_server, login_page, settings, clerk, manager, official, indicators, tmp_path
):
    settings.DEMO_TODAY = date(2021, 10, 18)  # the Monday after the week
    invest, signed, _hazards = indicators
    week_url = f"{live_server.url}/entry/{WEEK.isoformat()}/"

    # The clerk enters the week: investment 2.6亿元 of 2.77 planned by Sunday (滞后),
    # signings 10 of 9.24 (on pace).
    login_page(clerk)
    page.goto(week_url)
    page.fill(f"#c_{invest.pk}_{WEEK:%Y%m%d}", "2.6")
    page.fill(f"#c_{signed.pk}_{WEEK:%Y%m%d}", "10")
    page.click("#save")
    page.wait_for_load_state()
    # Before submitting, the form says which indicator needs its reason.
    required = page.locator("fieldset.note-fields.required")
    assert required.count() == 1
    assert invest.name in required.inner_text() and "滞后" in required.inner_text()
    assert "必填" in required.inner_text()
    page.fill(f"#n_{invest.pk}_progress", "本周完成投资2.6亿元")
    page.click("#submit-week")
    page.wait_for_load_state()
    assert f"“{invest.name}”滞后，请填写存在问题和下步措施后再提交。" in page.inner_text("#note-errors")
    assert page.input_value(f"#n_{invest.pk}_progress") == "本周完成投资2.6亿元"  # kept
    assert Submission.objects.get().status == "draft" and not ProgressNote.objects.exists()
    page.fill(f"#n_{invest.pk}_problems", REASON)
    page.locator(f"#note-{invest.pk}").scroll_into_view_if_needed()
    screenshot(page, "why-week-notes-required")
    page.fill(f"#n_{invest.pk}_measures", MEASURES)
    page.click("#submit-week")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".week-status")
    assert REASON in page.inner_text("#notes")

    # The manager opens the week's review from the list and reads the reason there.
    page.context.clear_cookies()
    login_page(manager)
    page.goto(f"{live_server.url}/approvals/")
    page.click("table.approvals a:text('审核')")
    page.wait_for_load_state()
    assert REASON in page.inner_text("#lagging")
    screenshot(page, "why-review-desktop")
    page.fill("#approve-comment", "原因清楚，措施可行")
    page.click("#approve-week")
    page.wait_for_load_state()
    assert Submission.objects.get().status == "approved"
    # The month's PDF says why.
    response = page.request.get(f"{live_server.url}/reports/month/2021-10-01.pdf")
    assert response.status == 200
    pdf = tmp_path / "month.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"存在问题：{REASON}" in text and f"下步措施：{MEASURES}" in text

    # The official: overview, the lagging item, one click to the reason.
    page.context.clear_cookies()
    login_page(official)
    page.goto(f"{live_server.url}/?as_of=2021-10-17")
    row = page.locator("table.behind tr", has_text=invest.name)
    assert not row.locator(".note-problems").is_visible()
    row.locator("summary:text('查看原因')").click()
    assert REASON in row.locator(".note-problems").inner_text()
    screenshot(page, "why-overview-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    page.locator("table.behind tr", has_text=invest.name).locator("summary").click()
    screenshot(page, "why-overview-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/?as_of=2021-10-17")
    row = page.locator("table.behind tr", has_text=invest.name)
    row.locator("summary").click()
    row.locator("a:text('全部进展·问题·措施')").click()
    page.wait_for_load_state()
    assert REASON in page.inner_text("#notes") and MEASURES in page.inner_text("#notes")
    screenshot(page, "why-indicator-desktop")
