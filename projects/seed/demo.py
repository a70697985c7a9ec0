"""Demo state of the projects, matching ``targets.seed.demo``: milestones reached (their actual
date, from the milestone indicator's demo entry), the key projects' investment plans and
monthly investment completed, their permits and preparatory steps, their physical
progress (形象进度), and a short problem list (问题清单) for key projects.

All removable: problems, permits and progress notes carry ``is_demo``, a project's plan
``plan_is_demo`` (its figures and its indicator's target are cleared), the investment
figures are demo entries (``targets.seed.demo``); a milestone's actual date is cleared
only where it equals the day of a demo entry of its indicator.

The briefing gives no project's figures: every figure here is invented, plausibly (the
named projects' annual plans add up to about a fifth of the district's 433.2亿元)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects import services
from projects.models import KeyProject, Milestone, Problem, ProblemEvent, ProgressNote
from targets.models import Entry
from targets.seed.demo import Plan

D = Decimal
OCT_END = date(2021, 10, 31)

# project code: (total investment, annual plan, Q4 target, done Jan–Sep, October), 亿元.
# Investment is reported monthly, dated on the month's last day (and judged on the plan
# to that day until the next report). Most projects run a little ahead; 黄河研究中心
# (施工许可 pending) and 东站东广场超级总部基地 (用地 not cleared) are far behind,
# 龙湖金融岛内环 and 黄河实验室 a little (滞后 at the end of October).
INVESTMENT = {
    "longhu-autonomous-bus-2": ("12.6", "3.2", "1.6", "1.9", "0.95"),
    "yellow-river-research-centre": ("18.5", "2.0", "1.2", "0.45", "0.12"),
    "zhongyuan-bigdata-park-1": ("25.0", "9.5", "2.4", "7.2", "1.35"),
    "kunpeng-software-town-1": ("48.0", "6.0", "1.2", "4.8", "0.62"),
    "financial-island-inner-ring": ("36.0", "12.0", "3.6", "8.9", "1.0"),
    "east-station-super-hq": ("120.0", "5.0", "2.0", "2.6", "0.5"),
    "zz-intl-cultural-exchange-centre": ("30.0", "10.0", "2.8", "7.6", "1.35"),
    "ai-science-park": ("22.0", "8.0", "2.2", "6.1", "1.05"),
    "wrsa-zz-innovation-centre": ("6.5", "2.5", "0.7", "1.9", "0.36"),
    "songshan-lab": ("40.0", "12.0", "3.5", "9.2", "1.55"),
    "yellow-river-lab": ("28.0", "7.0", "2.0", "5.1", "0.6"),
    "henan-academy-of-sciences": ("45.0", "15.0", "4.2", "11.6", "1.85"),
}

# Preparatory steps and permits: (project code, kind, planned, actual or None).
PERMITS = [
    ("longhu-autonomous-bus-2", Milestone.Kind.APPROVAL, date(2021, 5, 31), date(2021, 5, 18)),
    ("longhu-autonomous-bus-2", Milestone.Kind.PLANNING, date(2021, 8, 31), date(2021, 8, 12)),
    ("longhu-autonomous-bus-2", Milestone.Kind.PERMIT, date(2021, 10, 15), date(2021, 10, 12)),
    ("yellow-river-research-centre", Milestone.Kind.APPROVAL, date(2021, 6, 30), date(2021, 6, 25)),
    ("yellow-river-research-centre", Milestone.Kind.LAND, date(2021, 8, 31), date(2021, 9, 10)),
    ("yellow-river-research-centre", Milestone.Kind.PLANNING, date(2021, 9, 30), date(2021, 10, 15)),
    ("yellow-river-research-centre", Milestone.Kind.PERMIT, date(2021, 10, 31), None),
    ("east-station-super-hq", Milestone.Kind.APPROVAL, date(2021, 8, 31), date(2021, 8, 20)),
    ("east-station-super-hq", Milestone.Kind.LAND, date(2021, 10, 31), None),
    ("east-station-super-hq", Milestone.Kind.PLANNING, date(2021, 11, 30), None),
    ("east-station-super-hq", Milestone.Kind.PERMIT, date(2021, 12, 15), None),
    ("cvte-regional-hq", Milestone.Kind.SIGN, date(2021, 12, 15), None),
    ("isoftstone", Milestone.Kind.SIGN, date(2021, 11, 30), None),
]

# 形象进度: (project code, day, text).
PROGRESS = [
    ("longhu-autonomous-bus-2", date(2021, 10, 20), "举行开工仪式，完成临时设施搭建"),
    ("longhu-autonomous-bus-2", date(2021, 11, 15), "站台基础施工完成30%，车辆采购招标中"),
    ("yellow-river-research-centre", date(2021, 11, 12), "施工图审查完成，施工许可申报材料补正中"),
    ("zhongyuan-bigdata-park-1", date(2021, 10, 31), "主体工程完工，机电设备安装完成70%"),
    ("zhongyuan-bigdata-park-1", date(2021, 11, 15), "机电设备安装完成85%，室外管网开始施工"),
    ("kunpeng-software-town-1", date(2021, 11, 15), "一期全面投用，入驻企业86家"),
    ("financial-island-inner-ring", date(2021, 10, 31), "内环道路路基完成80%，地下管线迁改完成55%"),
    ("financial-island-inner-ring", date(2021, 11, 15), "地下管线迁改完成65%，较计划滞后约10天"),
    ("east-station-super-hq", date(2021, 11, 10), "用地征收协调中，地块清表完成40%"),
    ("zz-intl-cultural-exchange-centre", date(2021, 10, 31), "主体结构施工至12层"),
    ("zz-intl-cultural-exchange-centre", date(2021, 11, 15), "主体结构施工至15层"),
    ("ai-science-park", date(2021, 11, 15), "1号、2号楼主体封顶，3号楼施工至8层"),
    ("wrsa-zz-innovation-centre", date(2021, 11, 10), "室内装饰装修完成60%"),
    ("songshan-lab", date(2021, 11, 15), "一期实验楼主体封顶，二期桩基施工"),
    ("yellow-river-lab", date(2021, 11, 15), "实验楼主体施工至6层，较计划滞后约半个月"),
    ("henan-academy-of-sciences", date(2021, 11, 15), "科研楼主体结构完成90%"),
    # Earlier entries, so each project's page has its history.
    ("yellow-river-research-centre", date(2021, 10, 29), "施工图设计完成，报送施工图审查"),
    ("kunpeng-software-town-1", date(2021, 10, 31), "一期室外配套工程完工，入驻企业78家"),
    ("east-station-super-hq", date(2021, 10, 25), "启动地块征收补偿谈判，完成地上附着物清点"),
    ("ai-science-park", date(2021, 10, 31), "1号、2号楼主体施工至顶层，3号楼施工至6层"),
    ("wrsa-zz-innovation-centre", date(2021, 10, 31), "室内装饰装修完成45%"),
    ("songshan-lab", date(2021, 10, 31), "一期实验楼主体施工至顶层，二期桩基完成招标"),
    ("yellow-river-lab", date(2021, 10, 31), "实验楼主体施工至5层"),
    ("henan-academy-of-sciences", date(2021, 10, 31), "科研楼主体结构完成80%"),
    # Projects still being signed: where the negotiation stands.
    ("cvte-regional-hq", date(2021, 10, 29), "完成投资协议初稿，双方就区域总部办公载体选址进行磋商"),
    ("cvte-regional-hq", date(2021, 11, 12), "投资协议主要条款基本达成一致，进入合法性审查"),
    ("isoftstone", date(2021, 10, 22), "完成项目考察对接，确定落地中原科技城"),
    ("isoftstone", date(2021, 11, 16), "合同文本第二轮修改完成，拟于11月底集中签约"),
]

# 进展·问题·措施 of the projects' investment indicators when they lag (targets.seed.demo_notes
# decides which weeks from the roll-up): (进展, 存在问题, 下步措施) per week, oldest first.
NOTES = {
    "yellow-river-research-centre": (
        (
            "施工图审查已完成，施工许可申报材料正在补正",
            "施工许可尚未办结，项目无法开工，投资无法形成",
            "协调审批部门实行容缺受理，力争11月中旬取得施工许可",
        ),
        (
            "施工许可申报材料已补正报送，施工单位完成进场准备",
            "施工许可仍在办理，开工时间较计划推迟",
            "每日跟踪审批进度，许可取得后立即开工；同步搭建临时设施",
        ),
        (
            "施工许可进入审批公示阶段",
            "开工推迟约一个月，全年投资计划完成压力较大",
            "取得许可后立即组织桩基施工，增加作业班组，力争年底前完成桩基工程",
        ),
    ),
    "financial-island-inner-ring": (
        (
            "内环道路路基完成约80%，地下管线迁改完成约55%",
            "地下管线迁改涉及通信、燃气等多家产权单位，较计划滞后约10天",
            "建设局牵头召开管线迁改协调会，明确各产权单位迁改时限",
        ),
        (
            "地下管线迁改完成约60%",
            "燃气管线迁改方案需产权单位内部审批，周期较长",
            "提请区领导出面协调，争取燃气管线迁改方案本周批复",
        ),
        (
            "地下管线迁改完成约65%，较计划仍滞后约10天",
            "管线迁改滞后，道路结构层无法全面施工",
            "管线迁改与道路施工穿插作业，分段移交工作面；增加夜间施工班组",
        ),
    ),
    "east-station-super-hq": (
        (
            "地块清表完成约30%",
            "项目用地征收协调尚未完成，用地手续未办结",
            "配合街道加快征收补偿谈判，资规部门同步准备供地材料",
        ),
        (
            "地块清表完成约40%",
            "个别被征收户对补偿方案有异议，影响整体清表进度",
            "街道牵头逐户做工作，依法依规推进征收；已清表地块先行开展勘察",
        ),
        (
            "征收补偿协议已签订约八成",
            "用地手续预计12月中旬办结，年度投资计划完成难度较大",
            "倒排供地和规划许可时间表，已清表区域同步开展场地平整，尽可能形成投资",
        ),
    ),
    "yellow-river-lab": (
        (
            "实验楼主体施工至5层",
            "前期受汛情影响停工，主体施工较计划滞后约半个月",
            "增加模板、钢筋班组，实行两班倒作业",
        ),
        (
            "实验楼主体施工至6层",
            "钢材价格上涨，部分材料供应不及时",
            "督促施工单位提前锁定钢材采购，建设单位按进度及时拨付工程款",
        ),
        (
            "实验楼7层钢筋绑扎中",
            "冬季施工期混凝土养护要求高，施工效率下降",
            "编制冬季施工专项方案，采取保温养护措施，在保证质量的前提下加快进度",
        ),
    ),
}
# The projects' investment added up (services.INVESTMENT_SUM_CODE).
SUM_NOTES = (
    (
        "各重点项目10月份完成投资已汇总",
        "黄河研究中心、东站东广场超级总部基地前期手续未办结，龙湖金融岛内环、黄河实验室施工滞后，"
        "合计拖累投资完成进度",
        "对4个滞后项目建立工作专班，一个项目一名牵头领导，每周调度",
    ),
    (
        "本周对4个滞后项目开展现场督导",
        "滞后项目的问题多为手续办理和外部协调，项目单位自身难以解决",
        "将问题列入问题清单，明确责任单位和整改时限，按期销号",
    ),
    (
        "龙湖金融岛内环管线迁改有所加快",
        "黄河研究中心施工许可、东站东广场超级总部基地用地问题尚未解决",
        "提请区政府常务会研究解决，11月底前再次通报各项目投资完成情况",
    ),
)

# (project code, problem, owner, raised, due, closed or None)
PROBLEMS = [
    (
        "zhongyuan-bigdata-park-1",
        "机电设备安装进度滞后",
        "建设局项目管理科",
        date(2021, 10, 8),
        date(2021, 11, 15),
        date(2021, 11, 12),
    ),
    (
        "yellow-river-research-centre",
        "施工许可手续尚未办结，影响开工",
        "建设局审批服务科",
        date(2021, 10, 12),
        date(2021, 11, 30),
        None,
    ),
    (
        "financial-island-inner-ring",
        "内环道路地下管线迁改进度滞后",
        "建设局市政科",
        date(2021, 10, 18),
        date(2021, 11, 20),
        None,
    ),
    (
        "east-station-super-hq",
        "项目用地征收协调尚未完成",
        "经济发展局项目科",
        date(2021, 10, 25),
        date(2021, 12, 15),
        None,
    ),
    (
        "zz-intl-cultural-exchange-centre",
        "冬季施工组织方案待审定",
        "中原科技城管委会建设科",
        date(2021, 11, 8),
        date(2021, 11, 30),
        None,
    ),
]


@transaction.atomic
def set_plans() -> int:
    """Give the key projects their (demo) investment plans, and their indicators the
    annual plan as target; a project whose plan someone entered is left alone. Call
    before ``targets.seed.demo.load`` (its figures need the targets). Returns the number
    of projects planned."""
    planned = 0
    for project in KeyProject.objects.filter(code__in=INVESTMENT).select_related("investment_indicator"):
        if project.investment_indicator is None or (
            project.annual_planned_investment and not project.plan_is_demo
        ):
            continue
        total, annual, quarter, _opening, _october = INVESTMENT[project.code]
        project.total_investment, project.annual_planned_investment = D(total), D(annual)
        project.quarter_target_investment, project.plan_is_demo = D(quarter), True
        project.save(
            update_fields=[
                "total_investment",
                "annual_planned_investment",
                "quarter_target_investment",
                "plan_is_demo",
            ]
        )
        services.sync_investment_plan(project=project)
        planned += 1
    return planned


def note_texts() -> dict[str, tuple]:
    """{indicator code: the unit's words} for ``targets.seed.demo_notes.load_notes``: the
    key projects' investment indicators and their sum."""
    texts = {services.INVESTMENT_SUM_CODE: SUM_NOTES}
    for project in KeyProject.objects.filter(code__in=NOTES).select_related("investment_indicator"):
        if project.investment_indicator is not None:
            texts[project.investment_indicator.code] = NOTES[project.code]
    return texts


def figures(until: date) -> Plan:
    """The projects' investment completed for ``targets.seed.demo.load``: January–September
    as the opening value (截至9月30日累计完成), then one figure a month on its last day,
    up to ``until``."""
    values, openings = {}, {}
    projects = KeyProject.objects.filter(code__in=INVESTMENT, plan_is_demo=True).select_related(
        "investment_indicator"
    )
    for project in projects:
        indicator = project.investment_indicator
        if indicator is None:
            continue
        *_plan, opening, october = INVESTMENT[project.code]
        openings[indicator.code] = D(opening)
        values[indicator.code] = {OCT_END: D(october)} if OCT_END <= until else {}
    return Plan(values=values, openings=openings)


@transaction.atomic
def load(until: date) -> dict[str, int]:
    """Mark milestones reached where their indicator has a demo entry; add the demo
    permits, physical progress and problems by ``until``. Call after
    ``targets.seed.demo.load``."""
    remove(plans=False)
    reached = 0
    for milestone in Milestone.objects.filter(actual_date=None).exclude(indicator=None):
        entry = Entry.objects.filter(indicator=milestone.indicator, is_demo=True, value__gt=0).first()
        if entry:
            milestone.actual_date = entry.date
            milestone.save(update_fields=["actual_date"])
            reached += 1
    projects_by_code = KeyProject.objects.in_bulk(field_name="code")
    projects = projects_by_code
    problems = []
    for code, title, owner, raised, due, closed in PROBLEMS:
        project = projects.get(code)
        if project is None or raised > until:
            continue
        is_closed = closed is not None and closed <= until
        problems.append(
            Problem(
                key_project=project,
                title=title,
                owner=owner,
                department=project.department,
                raised_on=raised,
                due_date=due,
                closed_on=closed if is_closed else None,
                status=Problem.Status.CLOSED if is_closed else Problem.Status.TODO,
                is_demo=True,
            )
        )
    Problem.objects.bulk_create(problems)
    permits = _permits(until)
    notes = [
        ProgressNote(project=projects_by_code[code], date=day, text=text, is_demo=True)
        for code, day, text in PROGRESS
        if day <= until and code in projects_by_code
    ]
    ProgressNote.objects.bulk_create(notes)
    # Each demo problem's history: raised on its date, and 销号 on its closing date.
    events = []
    for problem in problems:
        events.append(
            _demo_event(problem, ProblemEvent.Move.RAISE, "", Problem.Status.TODO, problem.raised_on)
        )
        if problem.closed_on:
            events.append(
                _demo_event(
                    problem,
                    ProblemEvent.Move.CLOSE,
                    Problem.Status.TODO,
                    Problem.Status.CLOSED,
                    problem.closed_on,
                )
            )
    ProblemEvent.objects.bulk_create(events)
    return {
        "milestones_reached": reached,
        "permits": permits,
        "progress_notes": len(notes),
        "problems": len(problems),
    }


def _permits(until: date) -> int:
    """The demo's preparatory steps and permits; a step the project already records (the
    unit entered it) is left alone."""
    projects = KeyProject.objects.in_bulk(field_name="code")
    made = 0
    for code, kind, planned, actual in PERMITS:
        project = projects.get(code)
        if project is None or Milestone.objects.filter(project=project, kind=kind).exists():
            continue
        Milestone.objects.create(
            project=project,
            kind=kind,
            name=Milestone.Kind(kind).label,
            planned_date=planned,
            actual_date=actual if actual and actual <= until else None,
            is_demo=True,
        )
        made += 1
    return made


def _demo_event(problem, move, from_status, to_status, day) -> ProblemEvent:
    at = timezone.make_aware(datetime.combine(day, time(9)))
    return ProblemEvent(problem=problem, move=move, from_status=from_status, to_status=to_status, at=at)


@transaction.atomic
def remove(*, plans: bool = True) -> dict[str, int]:
    """Undo ``load`` (and ``set_plans`` with ``plans``): delete demo problems, permits and
    progress notes, clear actual dates set from demo entries and the demo investment
    plans. Call before ``targets.seed.demo.remove`` (it needs the demo entries to know
    which dates)."""
    cleared = 0
    for milestone in Milestone.objects.exclude(actual_date=None).exclude(indicator=None):
        if Entry.objects.filter(
            indicator=milestone.indicator, date=milestone.actual_date, is_demo=True
        ).exists():
            milestone.actual_date = None
            milestone.save(update_fields=["actual_date"])
            cleared += 1
    problems, _ = Problem.objects.filter(is_demo=True).delete()
    permits, _ = Milestone.objects.filter(is_demo=True).delete()
    notes, _ = ProgressNote.objects.filter(is_demo=True).delete()
    counts = {
        "milestones_cleared": cleared,
        "permits": permits,
        "progress_notes": notes,
        "problems": problems,
    }
    if plans:
        demo_plans = KeyProject.objects.filter(plan_is_demo=True)
        counts["plans"] = demo_plans.count()
        for project in demo_plans.select_related("investment_indicator"):
            project.total_investment = project.annual_planned_investment = None
            project.quarter_target_investment, project.plan_is_demo = None, False
            project.save(
                update_fields=[
                    "total_investment",
                    "annual_planned_investment",
                    "quarter_target_investment",
                    "plan_is_demo",
                ]
            )
            services.sync_investment_plan(project=project)
    return counts
