"""A clerk fills the week in a real browser, a manager approves, the week locks."""

from decimal import Decimal

import pytest

from targets.models import Entry, Submission
from tests.conftest import screenshot
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cell(indicator, offset):
    day = WEEK.replace(day=WEEK.day + offset)
    return f"#c_{indicator.pk}_{day:%Y%m%d}"


def test_it_walks_a_week_from_clerk_to_manager_and_locks_it(
    page, live_server, login_page, clerk, manager, indicators
):
    invest, signed, _ = indicators
    week_url = f"{live_server.url}/entry/{WEEK.isoformat()}/"

    login_page(clerk)
    page.goto(week_url)
    page.fill(cell(invest, 0), "2.5")
    page.keyboard.press("Enter")  # Enter moves down the column, like a spreadsheet
    assert page.evaluate("document.activeElement.id") == cell(signed, 0)[1:]
    page.keyboard.type("3")
    screenshot(page, "entry-week-filled-desktop")
    page.click("#save")
    page.wait_for_load_state()
    assert "已保存 2 个数值" in page.inner_text(".messages")

    # A bad cell: nothing saved, the cell says why.
    page.fill(cell(signed, 1), "abc")
    page.click("#save")
    page.wait_for_load_state()
    assert "不是数字" in page.inner_text(f"#e_{signed.pk}_{WEEK.replace(day=12):%Y%m%d}")
    screenshot(page, "entry-week-error-desktop")
    page.goto(week_url)

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    screenshot(page, "entry-week-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    # Both indicators lag at the week's end: the form asks for their reasons first.
    required = page.locator("fieldset.note-fields.required")
    assert required.count() == 2
    for index in range(required.count()):
        required.nth(index).locator("textarea[name$=_problems]").fill("项目前期手续未完成")
        required.nth(index).locator("textarea[name$=_measures]").fill("本周召开协调会")
    page.click("#submit-week")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".week-status")
    assert Submission.objects.get().status == "submitted"

    page.context.clear_cookies()
    login_page(manager)
    page.goto(f"{live_server.url}/approvals/")
    assert "经济发展局" in page.inner_text("table.approvals")
    screenshot(page, "approvals-desktop")
    page.click("table.approvals a:text('审核')")  # the review page, not a blind approval
    page.wait_for_load_state()
    assert "项目前期手续未完成" in page.inner_text("#lagging")
    page.fill("#approve-comment", "数据齐全")
    page.click("#approve-week")
    page.wait_for_load_state()
    assert "已审核通过" in page.inner_text(".messages")

    page.context.clear_cookies()
    login_page(clerk)
    page.goto(week_url)
    assert "已审核锁定" in page.inner_text(".week-status")
    assert page.locator("input.cell-input").count() == 0
    assert page.locator("#submit-week").count() == 0
    screenshot(page, "entry-week-locked-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    screenshot(page, "entry-week-locked-phone")
    assert {(e.indicator_id, e.value) for e in Entry.objects.all()} == {
        (invest.pk, Decimal("2.5")),
        (signed.pk, Decimal("3")),
    }


def test_it_shows_both_values_on_a_conflict_and_a_cells_history(
    page, live_server, login_page, clerk, manager, indicators, tmp_path
):
    from targets import services
    from targets.services import EntryInput

    invest, signed, _ = indicators
    services.record_entries(user=clerk, rows=[EntryInput(invest, WEEK, "1")])
    login_page(clerk)
    page.goto(f"{live_server.url}/entry/{WEEK.isoformat()}/")
    # Someone else saves the same cell after the clerk loaded the page.
    services.record_entries(user=manager, rows=[EntryInput(invest, WEEK, "2", expected_version=1)])
    page.fill(cell(invest, 0), "3")
    page.click("#save")
    page.wait_for_load_state()
    assert "他人的值：2（manager" in page.inner_text(".has-conflict")
    screenshot(page, "entry-week-conflict-desktop")
    assert Entry.objects.get(indicator=invest).value == Decimal("2")

    page.click("a.hist")
    page.wait_for_selector("#history-dialog[open]")
    assert "manager" in page.inner_text("#history-dialog")
    screenshot(page, "entry-cell-history-dialog")
    page.click("#history-dialog button")

    # Import: download the template, fill it, upload, preview.
    with page.expect_download() as download:
        page.click("text=下载本周Excel模板")
    path = tmp_path / "week.xlsx"
    download.value.save_as(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["E3"] = 7
    wb.save(path)
    page.click("text=导入Excel")
    page.set_input_files("input[type=file]", str(path))
    page.click("#upload")
    page.wait_for_load_state()
    assert "第3行 E列" in page.inner_text("table")
    screenshot(page, "entry-import-preview")
    page.click("#confirm-import")
    page.wait_for_load_state()
    assert "导入完成" in page.inner_text(".messages")
    assert Entry.objects.get(indicator=signed).value == Decimal("7")


def test_it_warns_before_submitting_an_empty_week(page, live_server, login_page, clerk, indicators):
    week_url = f"{live_server.url}/entry/{WEEK.isoformat()}/"
    login_page(clerk)
    page.goto(week_url)
    page.click("#submit-week")
    page.wait_for_load_state()
    assert "本周尚未填报任何数据，确认提交空报吗？" in page.inner_text("#confirm-empty")
    assert not Submission.objects.exists()
    screenshot(page, "entry-week-empty-warning-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    screenshot(page, "entry-week-empty-warning-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#confirm-empty-submit")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".week-status")
    assert Submission.objects.get().status == "submitted"
