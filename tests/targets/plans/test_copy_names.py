"""A quarter's plan copied to another quarter speaks of the new quarter: 四季度签约项目
becomes 一季度签约项目 in the names and the title, the copy page lists the names it
rewords, editable, before anything is copied."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from targets.models import Goal, Indicator, Plan
from targets.plans import services

pytestmark = pytest.mark.django_db

Q1 = (date(2022, 1, 1), date(2022, 3, 31))
SIGNED = "sci-projects-signed"


@pytest.fixture
def q4(db):
    call_command("seed_briefing", stdout=StringIO())
    return Plan.objects.get(code="2021q4")


def names(plan: Plan) -> dict[str, str]:
    return {
        **{f"goal:{g.code}": g.name for g in plan.goals.all()},
        **{f"indicator:{i.code}": i.name for i in plan.indicators.all()},
    }


def test_a_copy_to_q1_speaks_of_the_first_quarter(q4, manager):
    before = names(q4)
    q1 = services.plan_copy(plan=q4, start=Q1[0], end=Q1[1], title="", carry_targets=True, user=manager)
    signed = q1.indicators.get(code=SIGNED)
    assert (signed.name, signed.name_en) == ("一季度签约项目", "Projects signed in Q1")
    goal = q1.goals.get(code="s4")
    assert (goal.name, goal.name_en) == (
        "全力冲刺第一季度 抓好经济运行",
        "Sprint through the first quarter, run the economy",
    )
    assert q1.title == "郑东新区2022年第一季度目标任务"
    after = names(q1)
    assert not [name for name in after.values() if "四季度" in name]
    # Only the quarter's words changed; the Q4 plan keeps its own.
    changed = {key for key in after if before[key] != after[key]}
    running = {f"indicator:{i.code}" for i in services.still_running(q4, Q1[0])}
    assert set(before) - set(after) == running  # still running in Q4: not copied
    assert changed == {"goal:s4", f"indicator:{SIGNED}"}
    assert names(q4) == before


def test_the_quarter_words_follow_any_quarter_and_stay_when_asked(q4, manager):
    q2 = services.plan_copy(
        plan=q4, start=date(2022, 4, 1), end=date(2022, 6, 30), title="", carry_targets=True, user=manager
    )
    assert q2.indicators.get(code=SIGNED).name == "二季度签约项目"
    assert q2.goals.get(code="s4").name == "全力冲刺第二季度 抓好经济运行"
    kept = services.plan_copy(
        plan=q4, start=Q1[0], end=Q1[1], title="", carry_targets=True, user=manager, rename=False
    )
    assert kept.indicators.get(code=SIGNED).name == "四季度签约项目"
    # A year's plan has no quarter to speak of: the names stay.
    year = services.plan_copy(
        plan=q4, start=date(2022, 1, 1), end=date(2022, 12, 31), title="", carry_targets=True, user=manager
    )
    assert year.indicators.get(code=SIGNED).name == "四季度签约项目"


def test_requarter_rewords_chinese_and_english_and_the_title_year():
    q4 = Plan(kind=Plan.Kind.QUARTER, start=date(2021, 10, 1), end=date(2021, 12, 31))
    q3_next = date(2022, 7, 1)
    cases = {
        "四季度签约项目": "三季度签约项目",
        "冲刺第四季度": "冲刺第三季度",
        "Signed in Q4, not Q41": "Signed in Q3, not Q41",
        "Fourth quarter; the fourth quarter": "Third quarter; the third quarter",
        "十四五规划": "十四五规划",
    }
    for old, new in cases.items():
        assert services.requarter(old, q4, Plan.Kind.QUARTER, q3_next) == new
    assert services.requarter("2021年四季度任务", q4, Plan.Kind.QUARTER, q3_next) == "2021年三季度任务"
    assert (
        services.requarter("2021年四季度任务", q4, Plan.Kind.QUARTER, q3_next, year=True)
        == "2022年三季度任务"
    )
    q4.title = "四季度攻坚任务（2021年）"
    assert (
        services.copy_title(q4, Plan.Kind.QUARTER, q3_next, date(2022, 9, 30)) == "三季度攻坚任务（2022年）"
    )


def test_the_copy_page_lists_the_reworded_names_to_edit_before_copying(client, manager, q4):
    client.force_login(manager)
    url = reverse("plans:copy", args=[q4.code])
    signed = q4.indicators.get(code=SIGNED)
    goal = q4.goals.get(code="s4")
    page = client.get(url).content.decode()
    assert "四季度签约项目" in page
    assert f'name="rn_i{signed.pk}" id="rn_i{signed.pk}" value="一季度签约项目"' in page
    assert 'value="全力冲刺第一季度 抓好经济运行"' in page

    # "预览名称" for another quarter: its names, nothing copied.
    form = {"kind": "quarter", "quarter": "2022-2", "carry_targets": "1", "rename": "on", "title": ""}
    response = client.post(url, {**form, "action": "preview", "rn_for": "quarter|2022-01-01"})
    assert response.status_code == 200
    assert 'value="二季度签约项目"' in response.content.decode()
    assert Plan.objects.count() == 1

    # The manager edits a name in the preview and copies: the copy has it as typed.
    edited = {
        **form,
        "quarter": "2022-1",
        "rn_for": "quarter|2022-01-01",
        f"rn_i{signed.pk}": "一季度新签约项目",
    }
    response = client.post(url, edited, follow=True)
    q1 = Plan.objects.get(code="2022q1")
    assert q1.indicators.get(code=SIGNED).name == "一季度新签约项目"
    assert q1.goals.get(code="s4").name == "全力冲刺第一季度 抓好经济运行"
    text = response.content.decode()
    assert "名称中的季度用语已改为新季度：2 个目标或指标。" in text
    assert "一季度新签约项目" in text  # the grid shows the new name
    assert Indicator.objects.get(pk=signed.pk).name == "四季度签约项目"
    assert Goal.objects.get(pk=goal.pk).name == "全力冲刺第四季度 抓好经济运行"


def test_names_typed_for_another_quarter_are_not_used(client, manager, q4):
    """Names shown for Q1, then Q2 picked and copied without a new preview: the copy's
    names are Q2's, never the stale Q1 ones."""
    client.force_login(manager)
    signed = q4.indicators.get(code=SIGNED)
    form = {"kind": "quarter", "quarter": "2022-2", "carry_targets": "1", "rename": "on", "title": ""}
    client.post(
        reverse("plans:copy", args=[q4.code]),
        {**form, "rn_for": "quarter|2022-01-01", f"rn_i{signed.pk}": "一季度签约项目"},
    )
    assert Plan.objects.get(code="2022q2").indicators.get(code=SIGNED).name == "二季度签约项目"
