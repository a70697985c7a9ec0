"""The briefing's projects as data: core blocks, key projects and labs, their milestones,
the recovery fields and projects, the safety campaigns; each linked to the indicators
(seeded by ``targets.seed.briefing``) that measure it. Loaded by ``manage.py seed_briefing``.

Nothing beyond the briefing: no investment figure for any single project (each project
that invests gets its investment-completed indicator, without a target until its unit
enters its annual plan; the projects' indicators add up to ``kp-investment-projects``,
checked against the district's reported 433.2亿元 ``kp-investment``), only the five
named recovery fields (of eight), only the three named core blocks (of five). Milestone
dates the briefing does not print are the end of Q4 (the briefing is a Q4 plan); the
milestone's indicator ``source`` says so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from projects import services
from projects.models import CoreBlock, KeyProject, Milestone, RecoveryField, RecoveryProject, SafetyCampaign
from targets.models import Department, Goal, Indicator
from targets.seed.briefing import PLAN_CODE, SAFETY_CAMPAIGNS, put, safety_indicator_code

OCT_END = date(2021, 10, 31)
YEAR_END = date(2021, 12, 31)
MAY_2022_END = date(2022, 5, 31)

# The briefing says there are five core blocks (五大核心板块) and names these three.
CORE_BLOCKS = [
    ("kunpeng-town", "鲲鹏软件小镇", "Kunpeng software town"),
    ("financial-island", "龙湖金融岛", "Longhu financial island"),
    ("east-station-east-square", "东站东广场", "East Station east square"),
]

KP = KeyProject
# code, name, English name, batch, phase, core block, department, goal, indicators,
# milestones [(kind, name, indicator code)], the steps the briefing reads as already
# reached (``reached``: under construction → 开工; dated on the briefing's day, the date
# not being given), whether the project reports investment completed (``investment``: not
# the projects still to be signed), source. Level is left blank: the briefing says
# "一批省、市重点项目" without saying which is which. The stage follows from the steps
# reached (``KeyProject.stage_on``).
KEY_PROJECTS = [
    dict(
        code="longhu-autonomous-bus-2",
        investment=True,
        name="龙湖自动驾驶公交（二期）",
        name_en="Longhu autonomous bus, phase II",
        batch=KP.Batch.START,
        phase="二期",
        dept="construction",
        goal="s4-2",
        indicators=["kp-investment", "kp-longhu-bus-2-start"],
        milestones=[(Milestone.Kind.START, "开工", "kp-longhu-bus-2-start")],
        source="全力以赴推动项目建设，再开工龙湖自动驾驶公交（二期）、黄河研究中心等一批省、市重点项目。",
    ),
    dict(
        code="yellow-river-research-centre",
        investment=True,
        name="黄河研究中心",
        name_en="Yellow River research centre",
        batch=KP.Batch.START,
        dept="construction",
        goal="s4-2",
        indicators=["kp-investment", "kp-yellow-river-centre-start"],
        milestones=[(Milestone.Kind.START, "开工", "kp-yellow-river-centre-start")],
        source="全力以赴推动项目建设，再开工龙湖自动驾驶公交（二期）、黄河研究中心等一批省、市重点项目。",
    ),
    dict(
        code="zhongyuan-bigdata-park-1",
        investment=True,
        name="中原大数据产业园（一期）",
        name_en="Zhongyuan big-data industrial park, phase I",
        batch=KP.Batch.COMPLETE,
        reached=("start",),
        phase="一期",
        dept="construction",
        goal="s4-2",
        indicators=["kp-investment", "kp-bigdata-park-1-complete"],
        milestones=[(Milestone.Kind.COMPLETE, "建成", "kp-bigdata-park-1-complete")],
        source="建成中原大数据产业园（一期）等，不断催生调结构突破点、新动能生长点、稳增长关键点。",
    ),
    dict(
        code="kunpeng-software-town-1",
        investment=True,
        name="鲲鹏软件小镇（一期）",
        name_en="Kunpeng software town, phase I",
        batch=KP.Batch.OPERATE,
        reached=("start", "complete"),
        phase="一期",
        block="kunpeng-town",
        dept="construction",
        goal="s4-3",
        indicators=["cb-kunpeng-town-1-in-use"],
        milestones=[(Milestone.Kind.OPERATE, "全面投用", "cb-kunpeng-town-1-in-use")],
        source="统筹推进五大核心板块建设，推动鲲鹏软件小镇（一期）全面投用。",
    ),
    dict(
        code="financial-island-inner-ring",
        investment=True,
        name="龙湖金融岛内环",
        name_en="Longhu financial island inner ring",
        batch=KP.Batch.COMPLETE,
        reached=("start",),
        block="financial-island",
        dept="construction",
        goal="s4-3",
        indicators=["cb-financial-island-inner-ring-open"],
        milestones=[(Milestone.Kind.COMPLETE, "建成开岛", "cb-financial-island-inner-ring-open")],
        source="龙湖金融岛内环年底前建成开岛。",
    ),
    dict(
        code="east-station-super-hq",
        investment=True,
        name="东站东广场超级总部基地",
        name_en="East Station east-square super HQ base",
        batch=KP.Batch.START,
        block="east-station-east-square",
        dept="construction",
        goal="s4-3",
        indicators=["cb-east-station-super-hq-start"],
        milestones=[(Milestone.Kind.START, "启动建设", "cb-east-station-super-hq-start")],
        source="东站东广场超级总部基地尽快启动建设。",
    ),
    # Section 5: projects to sign and projects to speed up (龙湖北岸).
    dict(
        code="cvte-regional-hq",
        name="视源科技区域总部",
        name_en="CVTE regional headquarters",
        batch=KP.Batch.SIGN,
        dept="econ",
        goal="s5-1",
        indicators=["sci-projects-signed"],
        source="四季度再签约视源科技区域总部、软通动力等项目50个以上。",
    ),
    dict(
        code="isoftstone",
        name="软通动力",
        name_en="iSoftStone",
        batch=KP.Batch.SIGN,
        dept="econ",
        goal="s5-1",
        indicators=["sci-projects-signed"],
        source="四季度再签约视源科技区域总部、软通动力等项目50个以上。",
    ),
    dict(
        code="zz-intl-cultural-exchange-centre",
        investment=True,
        name="郑州国际文化交流中心",
        name_en="Zhengzhou international cultural exchange centre",
        batch=KP.Batch.ONGOING,
        reached=("start",),
        dept="science-city",
        goal="s5-1",
        indicators=["sci-projects-sped-up"],
        source="加快郑州国际文化交流中心、人工智能科技园等 8个项目建设，掀起龙湖北岸建设高潮。",
    ),
    dict(
        code="ai-science-park",
        investment=True,
        name="人工智能科技园",
        name_en="Artificial intelligence science park",
        batch=KP.Batch.ONGOING,
        reached=("start",),
        dept="science-city",
        goal="s5-1",
        indicators=["sci-projects-sped-up"],
        source="加快郑州国际文化交流中心、人工智能科技园等 8个项目建设，掀起龙湖北岸建设高潮。",
    ),
    # Section 5: talent and innovation platforms under construction.
    dict(
        code="wrsa-zz-innovation-centre",
        investment=True,
        name="欧美同学会郑州海创中心",
        name_en="Western Returned Scholars Association Zhengzhou innovation centre",
        batch=KP.Batch.ONGOING,
        reached=("start",),
        dept="science-city",
        goal="s5-2",
        source="加快推进欧美同学会郑州海创中心建设。",
    ),
    dict(
        code="songshan-lab",
        investment=True,
        name="嵩山实验室",
        name_en="Songshan Laboratory",
        batch=KP.Batch.ONGOING,
        reached=("start",),
        dept="science-city",
        goal="s5-3",
        source="加快推进嵩山实验室、黄河实验室、省科学院等创新平台建设。",
    ),
    dict(
        code="yellow-river-lab",
        investment=True,
        name="黄河实验室",
        name_en="Yellow River Laboratory",
        batch=KP.Batch.ONGOING,
        reached=("start",),
        dept="science-city",
        goal="s5-3",
        source="加快推进嵩山实验室、黄河实验室、省科学院等创新平台建设。",
    ),
    dict(
        code="henan-academy-of-sciences",
        investment=True,
        name="省科学院",
        name_en="Henan Academy of Sciences",
        batch=KP.Batch.ONGOING,
        reached=("start",),
        dept="science-city",
        goal="s5-3",
        source="加快推进嵩山实验室、黄河实验室、省科学院等创新平台建设。",
    ),
]

# The briefing names five of the eight fields (八大领域); the other three stay unnamed.
RECOVERY_FIELDS = [
    ("farmland-water", "农田水利", "Farmland water works"),
    ("transport", "交通基础设施", "Transport infrastructure"),
    ("municipal", "市政基础设施", "Municipal infrastructure"),
    ("livelihood", "社会民生", "Social livelihood"),
    ("disaster-prevention", "防灾减灾能力提升", "Disaster prevention capacity"),
]

RP = RecoveryProject
RECOVERY_PROJECTS = [
    dict(
        code="recovery-205",
        name="灾后重建项目（八大领域）",
        name_en="Post-flood recovery projects (eight fields)",
        planned_count=205,
        investment="15",
        investment_is_approx=True,
        bond_projects=81,
        bond_amount="14.2",
        status=RP.Status.IN_PROGRESS,
        dept="econ",
        indicators=["rec-projects-done", "rec-investment", "rec-bond-projects", "rec-bond-amount"],
        source="围绕农田水利、交通基础设施、市政基础设施、社会民生和防灾减灾能力提升等八大领域……"
        "投资近15亿元，谋划梳理城市道路、教育、医疗等灾后重建项目205个，积极申报灾后重建债券资金，"
        "共申报项目 81 个 14.2亿元。",
    ),
    dict(
        code="repair-batch-25",
        name="雁鸣路（科学大道—连霍高速）等25个项目",
        name_en="25 repair projects led by Yanming Road (Kexue Avenue – Lianhuo Expressway)",
        field="transport",
        planned_count=25,
        due=OCT_END,
        dept="construction",
        indicators=["rec-repair-25-done"],
        source="雁鸣路（科学大道—连霍高速）等25个项目计划10月完成修复。",
    ),
    dict(
        code="yanming-road",
        name="雁鸣路（科学大道—连霍高速）",
        name_en="Yanming Road (Kexue Avenue – Lianhuo Expressway)",
        field="transport",
        due=OCT_END,
        dept="construction",
        indicators=["rec-repair-25-done"],
        source="雁鸣路（科学大道—连霍高速）等25个项目计划10月完成修复。",
    ),
    dict(
        code="repair-batch-34",
        name="郑州市区若水（衡山）220千伏输变电工程等34个项目",
        name_en="34 repair projects led by the Ruoshui (Hengshan) 220 kV substation",
        field="municipal",
        planned_count=34,
        due=OCT_END,
        dept="construction",
        indicators=["rec-repair-34-done"],
        source="郑州市区若水（衡山）220千伏输变电工程等34个项目计划10月完成修复，年底前计划大头落地。",
    ),
    dict(
        code="ruoshui-220kv-substation",
        name="郑州市区若水（衡山）220千伏输变电工程",
        name_en="Zhengzhou Ruoshui (Hengshan) 220 kV transmission and substation project",
        field="municipal",
        due=OCT_END,
        dept="construction",
        indicators=["rec-repair-34-done"],
        source="郑州市区若水（衡山）220千伏输变电工程等34个项目计划10月完成修复。",
    ),
    dict(
        code="river-lake-works-6",
        name="河湖基础设施抢修（护岸、堤防、马道栏杆）",
        name_en="River and lake works repair (revetments, embankments, ramp railings)",
        field="farmland-water",
        planned_count=6,
        count_unit="处",
        due=MAY_2022_END,
        dept="agri-water",
        indicators=["rec-water-sites-done"],
        source="加快剩余 6处护岸、堤防、马道栏杆等河湖基础设施的抢修进度，计划2022年5月全部建成。",
    ),
    dict(
        code="village-houses-45",
        name="受灾村民房屋重建修复",
        name_en="Flood-damaged village houses rebuilt or repaired",
        field="livelihood",
        planned_count=45,
        count_unit="户",
        dept="social",
        indicators=["rec-houses-rebuilt"],
        source="抓好农村危房整修重建工作，有序推进全区45户受灾村民房屋进行重建修复。",
    ),
]


BRIEFING_DAY = date(2021, 9, 29)
REACHED_BEFORE_BRIEFING = "简报（2021-09-29）时已达到，实际日期不详"
YEAR_START = date(2021, 1, 1)
Q4_START = date(2021, 10, 1)


def _investment_sum(departments, goals, indicators, missing_only: bool = False) -> Indicator:
    """The key projects' investment completed, added up (a sum indicator, 汇总), checked
    against the district's reported total (``kp-investment``)."""
    reported = indicators["kp-investment"]
    total, _ = put(
        Indicator,
        missing_only=missing_only,
        plan=reported.plan,
        code=services.INVESTMENT_SUM_CODE,
        defaults=dict(
            name="重点项目完成投资（各项目合计）",
            name_en="Key-project investment completed (projects added up)",
            unit="亿元",
            kind=Indicator.Kind.SUM,
            target_op=Indicator.Op.EQ,
            plan_start=reported.plan_start,
            plan_end=reported.plan_end,
            tracking_start=reported.tracking_start,
            decimals=2,
            department=reported.department,
            goal=reported.goal,
            reconciles=reported,
            order=reported.order,
            source="各重点项目完成投资之和，与区上报的重点项目完成投资（433.2亿元目标）核对。",
        ),
    )
    return total


def _investment_indicator(project: KeyProject, total: Indicator) -> Indicator:
    """The project's investment completed (亿元, entered monthly by its responsible unit,
    on the month's last day), over the year 2021 and tracked from 1 October like the
    district's total. Its target (the annual plan) is the project's own figure: kept as
    entered."""
    indicator = project.investment_indicator
    fields = dict(
        name=f"{project.name}完成投资",
        name_en=f"{project.name_en}: investment completed",
        unit="亿元",
        kind=Indicator.Kind.AMOUNT,
        cadence=Indicator.Cadence.MONTHLY,
        plan_start=YEAR_START,
        plan_end=YEAR_END,
        tracking_start=Q4_START,
        max_value=Decimal("50"),
        decimals=2,
        department=project.department,
        goal=project.goal,
        source="简报未列各项目投资：年度计划与每月完成投资由项目责任单位填报。",
    )
    if indicator is None:
        indicator, _ = Indicator.objects.get_or_create(
            plan=total.plan, code=f"kp-inv-{project.code}", defaults=fields
        )
    else:
        for name, value in fields.items():
            setattr(indicator, name, value)
        indicator.save()
    return indicator


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def load(*, missing_only: bool = False) -> dict[str, int]:
    """Create or update (by code) the projects, campaigns and milestones of the briefing.
    Needs ``targets.seed.briefing.load()`` first. Running it again changes nothing.

    ``missing_only`` (``demo_setup`` on a database in use): create what is not there
    (a project, its milestone, its investment indicator), leave every existing row and its
    links as its users have them; returns the counts of rows created."""
    created = dict.fromkeys(
        (
            "core_blocks",
            "key_projects",
            "milestones",
            "recovery_fields",
            "recovery_projects",
            "safety_campaigns",
        ),
        0,
    )
    departments = {d.code: d for d in Department.objects.all()}
    goals = {g.code: g for g in Goal.objects.filter(plan__code=PLAN_CODE)}
    indicators = {i.code: i for i in Indicator.objects.filter(plan__code=PLAN_CODE)}

    blocks = {}
    for order, (code, name, name_en) in enumerate(CORE_BLOCKS, 1):
        blocks[code], new = put(
            CoreBlock,
            missing_only=missing_only,
            code=code,
            defaults=dict(name=name, name_en=name_en, order=order),
        )
        created["core_blocks"] += new

    total = _investment_sum(departments, goals, indicators, missing_only)
    milestones = 0
    parts = []
    for order, row in enumerate(KEY_PROJECTS, 1):
        defaults = dict(
            name=row["name"],
            name_en=row["name_en"],
            core_block=blocks.get(row.get("block")),
            batch=row["batch"],
            phase=row.get("phase", ""),
            department=departments[row["dept"]],
            goal=goals[row["goal"]],
            source=row["source"],
            order=order,
        )
        project, new = put(KeyProject, missing_only=missing_only, code=row["code"], defaults=defaults)
        created["key_projects"] += new
        if new or not missing_only:
            project.indicators.set([indicators[c] for c in row.get("indicators", [])])
        if row.get("investment") and (project.investment_indicator_id is None or not missing_only):
            indicator = _investment_indicator(project, total)
            if project.investment_indicator_id != indicator.pk:
                project.investment_indicator = indicator
                project.save(update_fields=["investment_indicator"])
            parts.append(indicator)
        for kind, name, indicator_code in row.get("milestones", []):
            indicator = indicators[indicator_code]
            # Keyed by (project, kind): actual_date is the project's own record, kept.
            _m, new = put(
                Milestone,
                missing_only=missing_only,
                project=project,
                kind=kind,
                defaults=dict(name=name, planned_date=indicator.plan_end, indicator=indicator),
            )
            created["milestones"] += new
            milestones += 1
        for kind in row.get("reached", ()):
            # Reached before the briefing: set once; a date the unit enters later is kept.
            _m, new = Milestone.objects.get_or_create(
                project=project,
                kind=kind,
                defaults=dict(
                    name=Milestone.Kind(kind).label, actual_date=BRIEFING_DAY, note=REACHED_BEFORE_BRIEFING
                ),
            )
            created["milestones"] += new
            milestones += 1
    if parts or not missing_only:
        total.parts.add(*parts)
        services.sync_sum_target(total)

    fields = {}
    for order, (code, name, name_en) in enumerate(RECOVERY_FIELDS, 1):
        fields[code], new = put(
            RecoveryField,
            missing_only=missing_only,
            code=code,
            defaults=dict(name=name, name_en=name_en, order=order),
        )
        created["recovery_fields"] += new

    for order, row in enumerate(RECOVERY_PROJECTS, 1):
        project, new = put(
            RecoveryProject,
            missing_only=missing_only,
            code=row["code"],
            defaults=dict(
                name=row["name"],
                name_en=row["name_en"],
                field=fields.get(row.get("field")),
                planned_count=row.get("planned_count"),
                count_unit=row.get("count_unit", "个"),
                investment=_d(row.get("investment")),
                investment_is_approx=row.get("investment_is_approx", False),
                bond_projects=row.get("bond_projects"),
                bond_amount=_d(row.get("bond_amount")),
                due_date=row.get("due"),
                department=departments[row["dept"]],
                source=row["source"],
                order=order,
            ),
        )
        created["recovery_projects"] += new
        if new or not missing_only:
            project.indicators.set([indicators[c] for c in row["indicators"]])

    for order, (code, name, name_en, kind, dept) in enumerate(SAFETY_CAMPAIGNS, 1):
        campaign, new = put(
            SafetyCampaign,
            missing_only=missing_only,
            code=code,
            defaults=dict(name=name, name_en=name_en, kind=kind, department=departments[dept], order=order),
        )
        created["safety_campaigns"] += new
        if new or not missing_only:
            campaign.indicators.set(
                [
                    indicators[safety_indicator_code(code, m)]
                    for m in ("inspected", "found", "rectified", "overdue", "rate")
                ]
            )

    if missing_only:
        return created
    return {
        "core_blocks": len(blocks),
        "key_projects": len(KEY_PROJECTS),
        "milestones": milestones,
        "recovery_fields": len(fields),
        "recovery_projects": len(RECOVERY_PROJECTS),
        "safety_campaigns": len(SAFETY_CAMPAIGNS),
    }
