"""The briefing seed: every figure of FACTS.md is in the database, as printed, once."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.forms.models import model_to_dict

from targets.models import Department, Goal, Indicator

pytestmark = pytest.mark.django_db

Q4 = (date(2021, 10, 1), date(2021, 12, 31))


@pytest.fixture
def seeded():
    call_command("seed_briefing", stdout=open("/dev/null", "w"))


def ind(code):
    return Indicator.objects.get(code=code)


def test_it_builds_the_framework_of_three_highlands_two_centres_one_new_city(seeded):
    top = Goal.objects.filter(level=Goal.Level.FRAMEWORK, parent=None)
    tree = {g.name: [c.name for c in g.children.order_by("order")] for g in top}
    assert tree == {
        "三个高地": ["国家创新高地", "人才高地", "开放高地"],
        "两个中心": ["国际化金融中心", "国际化消费中心"],
        "一个新城": ["现代化国际化新城区"],
    }


def test_it_loads_the_five_sections_with_their_printed_titles_and_work_lines(seeded):
    sections = Goal.objects.filter(level=Goal.Level.SECTION).order_by("order")
    assert [s.name for s in sections] == [
        "抢抓发展机遇 主动做好工作谋划",
        "坚持底线思维 抓实防风险除隐患保安全工作",
        "坚持以人为本 全力推进灾后修复重建",
        "全力冲刺第四季度 抓好经济运行",
        "突出创新驱动 加快中原科技城建设",
    ]
    assert [s.children.count() for s in sections] == [4, 3, 5, 3, 4]
    assert Goal.objects.get(name="全面深化改革和制度型开放").parent.code == "s1"


def test_it_links_work_lines_to_the_framework_goals_they_feed(seeded):
    science_city = Goal.objects.get(name="全面提速中原科技城建设")
    assert {g.name for g in science_city.supports.all()} == {"国家创新高地", "人才高地"}
    reform = Goal.objects.get(name="全面深化改革和制度型开放")
    assert [g.name for g in reform.supports.all()] == ["开放高地"]
    transformation = Goal.objects.get(name="加快推进转型发展")
    assert {g.name for g in transformation.supports.all()} == {"国际化金融中心", "国际化消费中心"}
    for line in Goal.objects.filter(level=Goal.Level.LINE):
        assert line.supports.exists(), line.name


def test_it_loads_the_full_year_key_project_investment_of_433_2_yi_yuan(seeded):
    kp = ind("kp-investment")
    assert kp.target_value == Decimal("433.2")
    assert kp.target_op == Indicator.Op.EQ
    assert kp.unit == "亿元"
    assert kp.kind == Indicator.Kind.AMOUNT
    assert (kp.plan_start, kp.plan_end) == (date(2021, 1, 1), date(2021, 12, 31))
    assert kp.tracking_start == date(2021, 10, 1)
    assert kp.opening_value is None
    assert "433.2亿元" in kp.source
    assert kp.target_display == "433.2亿元"


def test_it_keeps_50_or_more_signed_projects_as_an_at_least_target(seeded):
    signed = ind("sci-projects-signed")
    assert (signed.target_value, signed.target_op, signed.unit, signed.kind) == (
        Decimal("50"),
        Indicator.Op.GTE,
        "个",
        Indicator.Kind.AMOUNT,
    )
    assert (signed.plan_start, signed.plan_end) == Q4
    assert signed.target_display == "≥50个"


def test_it_counts_the_eight_projects_sped_up_as_a_level(seeded):
    sped = ind("sci-projects-sped-up")
    assert (sped.target_value, sped.kind, sped.unit) == (Decimal("8"), Indicator.Kind.LEVEL, "个")


def test_it_loads_the_recovery_figures_as_printed(seeded):
    # The 205 projects were planned (谋划), not a number to finish: the completed ones are
    # counted against no target, and the name says of how many.
    projects = ind("rec-projects-done")
    assert (projects.target_value, projects.kind, projects.unit) == (None, "level", "个")
    assert "谋划205个" in projects.name and "完成" in projects.name
    investment = ind("rec-investment")
    assert (investment.target_value, investment.target_op, investment.unit) == (
        Decimal("15"),
        Indicator.Op.APPROX,
        "亿元",
    )
    assert investment.target_display == "≈15亿元"
    assert ind("rec-bond-projects").target_value == Decimal("81")
    bonds = ind("rec-bond-amount")
    assert (bonds.target_value, bonds.unit) == (Decimal("14.2"), "亿元")
    houses = ind("rec-houses-rebuilt")
    assert (houses.target_value, houses.unit, houses.kind) == (Decimal("45"), "户", "level")
    relief = ind("rec-relief-funds")
    assert (relief.target_value, relief.unit, relief.kind) == (Decimal("936"), "万元", "amount")


def test_it_dates_the_october_repair_batches_and_the_water_sites(seeded):
    for code, count in (("rec-repair-25-done", 25), ("rec-repair-34-done", 34)):
        batch = ind(code)
        assert batch.target_value == count
        assert batch.plan_end == date(2021, 10, 31)
    water = ind("rec-water-sites-done")
    assert (water.target_value, water.unit, water.plan_end) == (Decimal("6"), "处", date(2022, 5, 31))


def test_it_loads_the_dated_milestones(seeded):
    platform = ind("sci-fund-data-platform-online")
    assert (platform.name, platform.kind, platform.plan_end) == (
        "基金大数据平台上线",
        Indicator.Kind.MILESTONE,
        date(2021, 10, 31),
    )
    uk, de = ind("sci-talent-station-uk"), ind("sci-talent-station-de")
    assert "英国" in uk.name and "德国" in de.name
    assert uk.plan_end == de.plan_end == date(2021, 12, 31)
    island = ind("cb-financial-island-inner-ring-open")
    assert (island.name, island.plan_end) == ("龙湖金融岛内环建成开岛", date(2021, 12, 31))
    assert ind("cb-kunpeng-town-1-in-use").name == "鲲鹏软件小镇（一期）全面投用"
    assert ind("cb-east-station-super-hq-start").name == "东站东广场超级总部基地启动建设"


def test_it_measures_each_of_the_ten_safety_areas_with_a_rectification_rate(seeded):
    rates = Indicator.objects.filter(kind=Indicator.Kind.RATIO, goal__code="s2-3")
    assert rates.count() == 10
    for rate in rates:
        assert rate.numerator.name.endswith("整改隐患")
        assert rate.denominator.name.endswith("发现隐患")
        assert rate.unit == "%"
    assert Indicator.objects.filter(goal__code="s2-3", kind=Indicator.Kind.AMOUNT).count() == 30
    assert ind("safety-nine-small-inspected").name == "“九小”场所专项整治·排查场所"


def test_it_counts_each_safety_areas_overdue_hazards_as_a_level_without_a_target(seeded):
    overdue = Indicator.objects.filter(goal__code="s2-3", code__endswith="-overdue")
    assert overdue.count() == 10
    for indicator in overdue:
        assert (indicator.kind, indicator.unit, indicator.decimals) == (Indicator.Kind.LEVEL, "项", 0)
        # The briefing sets no target: none is invented, so the status stays "none".
        assert indicator.target_value is None
        assert indicator.name.endswith("·逾期未整改隐患")
        assert "超过整改时限" in indicator.source
    high_rise = ind("safety-high-rise-fire-overdue")
    assert high_rise.name == "高层建筑消防安全专项整治·逾期未整改隐患"
    assert high_rise.department.code == "safety"
    assert ind("safety-sites-overdue").department.code == "construction"
    # 3 amounts + the overdue level + the rate for each of the 10 areas, and the rest.
    assert Indicator.objects.filter(goal__code="s2-3").count() == 50
    # The briefing's 75, the investment of the 12 key projects that invest, and their sum.
    assert Indicator.objects.count() == 75 + 13


def test_it_gives_every_indicator_a_department_a_valid_range_and_a_source(seeded):
    for indicator in Indicator.objects.all():
        assert indicator.source
        if indicator.kind == Indicator.Kind.SUM:  # computed from its parts, never entered
            continue
        assert indicator.max_value is not None and indicator.max_value > indicator.min_value
        assert indicator.plan_start <= indicator.plan_end
        if indicator.target_value is not None:
            assert indicator.target_value <= indicator.max_value or indicator.kind == "amount"


def test_it_marks_the_seeded_departments_as_an_assumption(seeded):
    assert Department.objects.count() == 7
    assert not Department.objects.filter(is_assumption=False).exists()


def test_it_changes_nothing_on_a_second_run(seeded):
    from projects.models import KeyProject, Milestone, RecoveryProject, SafetyCampaign

    models = [Department, Goal, Indicator, KeyProject, Milestone, RecoveryProject, SafetyCampaign, Group]

    def snapshot():
        return {
            m.__name__: sorted((model_to_dict(o) for o in m.objects.all()), key=lambda d: d["id"])
            for m in models
        }

    before = snapshot()
    call_command("seed_briefing", stdout=open("/dev/null", "w"))
    assert snapshot() == before


def test_it_keeps_an_opening_value_set_after_the_seed(seeded):
    Indicator.objects.filter(code="kp-investment").update(opening_value=Decimal("300.5"))
    call_command("seed_briefing", stdout=open("/dev/null", "w"))
    assert ind("kp-investment").opening_value == Decimal("300.5")
