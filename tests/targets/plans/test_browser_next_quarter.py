"""The next quarter, end to end in a real browser: from the briefing's Q4 2021 plan with
the demo's figures, a manager copies it to Q1 2022, changes two targets (and lets the
signed projects be reported daily) in the grid, saves and publishes; the key-project
unit's clerk enters the week of 10–16 January 2022 and submits it; the overview as of
14 January shows the Q1 plan, its new targets, the clerk's figures and the time progress
14/90; the Q4 2021 pages read exactly as before."""

import difflib
import shutil
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from targets.models import Indicator, Plan, Submission
from tests.conftest import screenshot
from tests.demo_data import DEMO_DAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q4_TITLE = "郑东新区2021年第四季度目标任务"
Q1_TITLE = "郑东新区2022年第一季度目标任务"
Q1_START, Q1_END = date(2022, 1, 1), date(2022, 3, 31)
AS_OF = date(2022, 1, 14)
MONDAY = date(2022, 1, 10)
SIGNED, INVESTMENT = "sci-projects-signed", "kp-investment"
NEW_TARGETS = {SIGNED: "30", INVESTMENT: "120"}
# Projects signed a day, Monday 10 to Friday 14 January (the clock's today).
SIGNED_DAYS = {MONDAY + timedelta(days=n): value for n, value in enumerate((1, 2, 0, 3, 1))}
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# The main content's text: without the plan picker (it appears once there are two plans)
# and the time the roll-up ran; with the charts' data (their JSON), not their drawing.
MAIN_TEXT = """() => {
  const main = document.querySelector("main");
  main.querySelectorAll(".plan-form, .computed-at, .js-plotly-plot").forEach((el) => el.remove());
  const charts = [...main.querySelectorAll("script[type='application/json']")].map((s) => s.textContent);
  return main.innerText + "\\n" + charts.join("\\n");
}"""


def shots(page, name: str) -> None:
    """The page at 1280 and 390 px (artifacts/ and /tmp), never wider than the screen."""
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        page.wait_for_load_state("networkidle")
        shutil.copyfile(screenshot(page, f"{name}-{size_name}"), f"/tmp/e2eplan-{name}-{size_name}.png")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} is {width}px wide at {size_name}"
    page.set_viewport_size(SIZES["desktop"])


def login(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", django_settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def q4_pages(page, url: str, paths: list[str]) -> dict[str, str]:
    texts = {}
    for path in paths:
        page.goto(f"{url}{path}?as_of={DEMO_DAY.isoformat()}")
        page.wait_for_load_state("networkidle")
        texts[path] = page.evaluate(MAIN_TEXT)
    return texts


def test_a_manager_writes_q1_2022_a_clerk_reports_its_second_week_and_q4_stays(page, live_server, settings):
    settings.DEMO_TODAY = DEMO_DAY
    call_command("demo_setup", "--skip-migrate", stdout=StringIO())
    url = live_server.url
    q4 = Plan.objects.get(code="2021q4")
    q4_signed = q4.indicators.get(code=SIGNED)
    q4_paths = [
        "/",
        f"/targets/indicators/{q4_signed.pk}/",
        f"/targets/indicators/{q4.indicators.get(code=INVESTMENT).pk}/",
        f"/targets/departments/{q4_signed.department.code}/",
    ]
    login(page, url, "official")
    q4_before = q4_pages(page, url, q4_paths)
    assert Q4_TITLE in q4_before["/"] and "四季度签约项目" in q4_before[q4_paths[1]]

    # The manager copies Q4 2021 to the next quarter; the names speak of Q1.
    login(page, url, "manager")
    page.goto(f"{url}/plans/")
    page.click(f"text={Q4_TITLE}")
    page.click("#copy-link")
    assert page.input_value("select[name=quarter]") == "2022-1"
    renamed = page.locator(".renaming-list tr", has_text="四季度签约项目")
    assert renamed.locator("input").input_value() == "一季度签约项目"
    shots(page, "plan-copy-names")
    page.click("#copy-plan")
    page.wait_for_load_state()
    assert f"已复制为新计划（草稿）：{Q1_TITLE}" in page.inner_text(".messages")
    q1 = Plan.objects.get(code="2022q1")
    q1_signed, q1_investment = (q1.indicators.get(code=code) for code in (SIGNED, INVESTMENT))

    # Two targets changed; the signed projects reported every day this quarter.
    for indicator in (q1_signed, q1_investment):
        page.fill(f"#t_{indicator.pk}", NEW_TARGETS[indicator.code])
    page.select_option(f"select[name=c_{q1_signed.pk}]", Indicator.Cadence.DAILY)
    page.click("#preview")
    page.wait_for_load_state()
    shots(page, "plan-q1-grid")
    page.click("#save")
    page.wait_for_load_state()
    assert "已保存：2 个指标已修改。" in page.inner_text(".messages")
    page.click(f"text={Q1_TITLE}")
    page.click("#publish")
    page.wait_for_load_state()
    assert page.inner_text("#plan-status") == "已发布"

    # The clerk of the unit that reports them, on Friday 14 January 2022.
    settings.DEMO_TODAY = AS_OF
    login(page, url, "clerk")
    page.goto(f"{url}/entry/")
    page.wait_for_load_state()
    assert page.url.startswith(f"{url}/entry/{MONDAY.isoformat()}/")
    for day, value in SIGNED_DAYS.items():
        page.fill(f"#c_{q1_signed.pk}_{day:%Y%m%d}", str(value))
    page.click("#save")
    page.wait_for_load_state()
    assert f"已保存 {len(SIGNED_DAYS)} 个数值" in page.inner_text(".messages")
    required = page.locator("fieldset.note-fields.required")
    for index in range(required.count()):
        required.nth(index).locator("textarea[name$=_problems]").fill("春节前项目洽谈集中，签约手续排队")
        required.nth(index).locator("textarea[name$=_measures]").fill("专人跟进，周例会调度")
    shots(page, "entry-q1-week")
    page.click("#submit-week")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".week-status")
    assert Submission.objects.get(week_start=MONDAY, department=q1_signed.department).status == "submitted"

    # The overview as of 14 January reads the Q1 plan.
    login(page, url, "official")
    page.goto(f"{url}/?as_of={AS_OF.isoformat()}")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1") == Q1_TITLE
    done = sum(SIGNED_DAYS.values())
    target = Decimal(NEW_TARGETS[SIGNED])
    elapsed, length = (AS_OF - Q1_START).days + 1, (Q1_END - Q1_START).days + 1
    assert (elapsed, length) == (14, 90)
    card = page.locator("a.headline", has_text="一季度签约项目")
    assert card.locator(".headline-value").inner_text().startswith(str(done))
    text = card.inner_text()
    assert f"目标 ≥{target}个" in text  # 50个以上 became ≥ 30
    assert f"完成 {done / target * 100:.1f}%" in text
    assert f"时间进度 {elapsed / length * 100:.1f}%" in text
    assert "同步/超前" in text  # 7 signed against 30 × 14/90 = 4.67 planned
    investment = page.locator("a.headline", has_text="省市重点项目完成投资").inner_text()
    assert f"目标 {NEW_TARGETS[INVESTMENT]}亿元" in investment
    shots(page, "overview-q1-2022-01-14")

    # The Q4 2021 pages, on the Q4 clock as before, are unchanged.
    settings.DEMO_TODAY = DEMO_DAY
    q4_after = q4_pages(page, url, q4_paths)
    for path in q4_paths:
        changed = difflib.unified_diff(q4_before[path].splitlines(), q4_after[path].splitlines(), lineterm="")
        assert q4_after[path] == q4_before[path], "\n".join(changed)
