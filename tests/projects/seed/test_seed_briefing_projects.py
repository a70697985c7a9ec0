"""The briefing's projects, blocks, labs, recovery work and safety campaigns."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from projects.models import CoreBlock, KeyProject, Milestone, RecoveryField, RecoveryProject, SafetyCampaign
from targets.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded(db):
    call_command("seed_briefing", stdout=open("/dev/null", "w"))


def test_it_loads_every_named_key_project_and_lab():
    names = set(KeyProject.objects.values_list("name", flat=True))
    assert names == {
        "龙湖自动驾驶公交（二期）",
        "黄河研究中心",
        "中原大数据产业园（一期）",
        "鲲鹏软件小镇（一期）",
        "龙湖金融岛内环",
        "东站东广场超级总部基地",
        "视源科技区域总部",
        "软通动力",
        "郑州国际文化交流中心",
        "人工智能科技园",
        "欧美同学会郑州海创中心",
        "嵩山实验室",
        "黄河实验室",
        "省科学院",
    }


def test_it_invents_no_investment_for_single_projects():
    assert not KeyProject.objects.exclude(total_investment=None).exists()
    assert not KeyProject.objects.exclude(annual_planned_investment=None).exists()


def test_it_puts_projects_in_their_batch():
    batch = dict(KeyProject.objects.values_list("name", "batch"))
    assert batch["龙湖自动驾驶公交（二期）"] == KeyProject.Batch.START
    assert batch["黄河研究中心"] == KeyProject.Batch.START
    assert batch["中原大数据产业园（一期）"] == KeyProject.Batch.COMPLETE
    assert batch["鲲鹏软件小镇（一期）"] == KeyProject.Batch.OPERATE
    assert batch["视源科技区域总部"] == KeyProject.Batch.SIGN


def test_it_creates_only_the_three_named_core_blocks_of_five():
    assert list(CoreBlock.objects.values_list("name", flat=True)) == [
        "鲲鹏软件小镇",
        "龙湖金融岛",
        "东站东广场",
    ]
    assert KeyProject.objects.get(name="龙湖金融岛内环").core_block.name == "龙湖金融岛"


def test_it_creates_only_the_five_named_recovery_fields_of_eight():
    assert list(RecoveryField.objects.values_list("name", flat=True)) == [
        "农田水利",
        "交通基础设施",
        "市政基础设施",
        "社会民生",
        "防灾减灾能力提升",
    ]


def test_it_loads_the_recovery_projects_with_counts_and_due_dates():
    overall = RecoveryProject.objects.get(code="recovery-205")
    assert overall.planned_count == 205
    assert (overall.investment, overall.investment_is_approx) == (Decimal("15"), True)
    assert (overall.bond_projects, overall.bond_amount) == (81, Decimal("14.2"))
    batches = {p.planned_count: p for p in RecoveryProject.objects.exclude(planned_count=None)}
    assert batches[25].due_date == batches[34].due_date == date(2021, 10, 31)
    assert (batches[6].due_date, batches[6].count_unit) == (date(2022, 5, 31), "处")
    assert batches[45].count_unit == "户"
    assert RecoveryProject.objects.filter(name="雁鸣路（科学大道—连霍高速）").exists()
    assert RecoveryProject.objects.filter(name="郑州市区若水（衡山）220千伏输变电工程").exists()
    assert batches[25].indicators.get().target_value == 25


def test_it_loads_the_three_rectification_campaigns_and_seven_sweep_areas():
    rect = SafetyCampaign.objects.filter(kind=SafetyCampaign.Kind.RECTIFICATION)
    sweep = SafetyCampaign.objects.filter(kind=SafetyCampaign.Kind.SWEEP)
    assert set(rect.values_list("name", flat=True)) == {
        "“九小”场所",
        "高层建筑消防安全",
        "易燃可燃夹芯材料彩钢板",
    }
    assert set(sweep.values_list("name", flat=True)) == {
        "充电设施",
        "在建工地",
        "有限空间作业",
        "道路交通",
        "旅游",
        "危化品",
        "公共场所消防",
    }
    for campaign in SafetyCampaign.objects.all():
        measures = {i.code.removeprefix(f"safety-{campaign.code}-") for i in campaign.indicators.all()}
        assert measures == {"inspected", "found", "rectified", "overdue", "rate"}


def test_it_links_milestones_to_their_indicators():
    start = Milestone.objects.get(project__name="龙湖自动驾驶公交（二期）")
    assert (start.kind, start.indicator.code) == (Milestone.Kind.START, "kp-longhu-bus-2-start")
    done = Milestone.objects.get(project__name="中原大数据产业园（一期）", kind=Milestone.Kind.COMPLETE)
    assert done.indicator.code == "kp-bigdata-park-1-complete" and done.actual_date is None
    operate = Milestone.objects.get(project__name="鲲鹏软件小镇（一期）", kind=Milestone.Kind.OPERATE)
    assert operate.indicator.code == "cb-kunpeng-town-1-in-use"
    ring = Milestone.objects.get(project__name="龙湖金融岛内环", kind=Milestone.Kind.COMPLETE)
    assert ring.planned_date == date(2021, 12, 31)
    assert KeyProject.objects.get(name="郑州国际文化交流中心").indicators.get().target_value == 8


def test_it_keeps_a_step_reached_after_the_seed_and_the_stage_follows_it():
    project = KeyProject.objects.get(name="黄河研究中心")
    assert project.stage == KeyProject.Stage.PLANNING
    Milestone.objects.filter(project=project, kind=Milestone.Kind.START).update(actual_date=date(2021, 11, 2))
    call_command("seed_briefing", stdout=open("/dev/null", "w"))
    project = KeyProject.objects.get(name="黄河研究中心")
    assert project.milestones.get(kind=Milestone.Kind.START).actual_date == date(2021, 11, 2)
    assert project.stage == KeyProject.Stage.BUILDING
    assert project.stage_on(date(2021, 11, 1)) == KeyProject.Stage.PLANNING


def test_it_gives_each_investing_project_its_investment_indicator_adding_up_to_the_projects_total():
    total = Indicator.objects.get(code="kp-investment-projects")
    assert total.kind == Indicator.Kind.SUM and total.reconciles.code == "kp-investment"
    investing = KeyProject.objects.exclude(investment_indicator=None)
    assert investing.count() == 12  # every project but the two still to be signed
    assert set(total.parts.all()) == {p.investment_indicator for p in investing}
    for project in investing:
        indicator = project.investment_indicator
        assert (indicator.unit, indicator.kind, indicator.department) == (
            "亿元",
            "amount",
            project.department,
        )
    # The briefing reads the projects under construction as started (开工 reached).
    assert KeyProject.objects.get(name="郑州国际文化交流中心").stage == KeyProject.Stage.BUILDING
    assert KeyProject.objects.get(name="视源科技区域总部").stage == KeyProject.Stage.PLANNING
