"""The demo's 进展·问题·措施: what the units say about their lagging indicators in the last
weeks of the demo, so the overview's behind list, the indicator, department and key-project
pages, the review page and the reports have reasons to show.

Which indicators get a note is read from the roll-up, not listed: every indicator of the
briefing's plan that is 滞后 or 严重滞后 at the end of one of the last ``WEEKS`` weeks (up
to the demo's day) gets one note for that week, in its unit's clerk's name, dated when the
week was reported, with the status it had then. The words are the unit's (``TEXTS``, the
latest week's last, others taking them as ``extra``); the figures in 进展情况 are the
roll-up's. An indicator without words of its own gets plain ones. All ``is_demo``: removed
with the demo (``targets.seed.demo.remove``), rewritten whole on every run."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from targets import rollups
from targets.models import Department, Indicator, PeriodValue, ProgressNote
from targets.periods import week_start

from .briefing import PLAN_CODE
from .demo import DEMO_START, _at, demo_clerk

WEEKS = 3
LAGGING = (PeriodValue.Status.YELLOW, PeriodValue.Status.RED)

# indicator code: ((进展, 存在问题, 下步措施) per week, oldest first; the last one is the
# demo's current week). 进展 follows the roll-up's cumulative figure.
Words = tuple[tuple[str, str, str], ...]
TEXTS: dict[str, Words] = {
    "kp-investment": (
        (
            "10月份省市重点项目完成投资已入统，新增入库项目2个",
            "部分项目10月投资入统不及时，实际完成的工作量未能全部纳入统计；黄河研究中心、"
            "东站东广场超级总部基地前期手续未办结，投资尚未形成",
            "逐项目核对投资入统台账，督促建设单位按月足额报送；协调资规、住建部门对两个项目实行并联审批",
        ),
        (
            "召开重点项目推进会，对投资完成率低于序时进度的项目逐一过堂",
            "龙湖金融岛内环地下管线迁改滞后，黄河实验室主体施工慢于计划，拖累整体投资进度",
            "对滞后项目实行周调度、周通报；建设局牵头协调管线产权单位加快迁改，督促施工单位增加作业面和人员",
        ),
        (
            "本周新增开工项目1个，与序时进度的差距有所缩小",
            "进入冬季施工期，受大气污染防治管控影响，土方和混凝土作业时间受限",
            "提前编制冬季及管控期间施工方案，争取重点项目纳入正面清单；11月底前对全部项目再开展一轮现场督导",
        ),
    ),
    "sci-projects-signed": (
        (
            "本周新签约软件和信息服务类项目2个",
            "部分意向项目在用地、产业扶持政策等合同条款上仍在磋商，签约节奏偏慢",
            "梳理在谈项目清单，对成熟度高的项目逐一明确签约时间和责任人",
        ),
        (
            "赴深圳开展专题招商，洽谈项目6个，其中2个已形成合同文本",
            "受外地疫情影响，部分客商无法来郑考察，线下洽谈推迟",
            "采用视频洽谈、委托招商等方式推进；已形成合同文本的项目加快合法性审查",
        ),
        (
            "视源股份区域总部、软通动力项目合同文本已基本达成一致",
            "个别项目对落地载体和人才政策提出新的要求，需区级层面研究",
            "提请区招商工作领导小组专题研究；筹备11月底集中签约活动，力争签约项目8个以上",
        ),
    ),
    "rec-investment": (
        (
            "10月份灾后重建项目完成投资已统计上报",
            "部分重建项目仍处于设计、招标阶段，尚未形成实物工作量",
            "督促项目单位压缩招标周期，已完成招标的项目11月中旬前全部进场施工",
        ),
        (
            "水毁道路、排水设施修复项目陆续进场施工",
            "资金拨付慢于工程进度，个别施工单位垫资能力不足",
            "协调财政金融局加快灾后重建资金拨付，按工程进度及时支付工程款",
        ),
        (
            "已有5个重建项目进入主体施工，预计11月完成投资较10月明显增加",
            "部分项目因设计变更需重新审核概算",
            "对设计变更项目开辟绿色通道，一周内完成概算审核",
        ),
    ),
    "rec-bond-projects": (
        (
            "首批债券项目申报材料已完成初审",
            "部分项目可研、环评等前置手续不齐全，不符合债券申报条件",
            "逐项目列出手续缺项清单，联合发改、资规部门限时补齐",
        ),
        (
            "第二批项目申报材料正在补充完善",
            "项目收益与融资自求平衡方案编制质量不高，被退回修改",
            "邀请第三方咨询机构集中辅导，统一方案编制口径",
        ),
        (
            "第二批项目已报送市财政局审核",
            "部分项目收益测算依据不足，需补充佐证材料",
            "对接市财政局审核意见，11月底前完成修改并重新报送",
        ),
    ),
    "rec-bond-amount": (
        (
            "首批申报的债券资金已完成初审",
            "已申报项目单体规模偏小，申报资金额度低于计划",
            "谋划储备一批规模较大的水利、市政修复项目，提高单体申报额度",
        ),
        (
            "对接省、市财政部门了解额度分配情况",
            "债券额度分配尚未最终确定，部分项目申报金额需调整",
            "动态调整申报项目和金额，确保额度应报尽报",
        ),
        (
            "第二批项目申报资金正在审核",
            "部分项目资本金比例尚未落实",
            "协调区财政统筹安排项目资本金，月底前全部落实",
        ),
    ),
    "rec-houses-rebuilt": (
        (
            "本周完成房屋修复2户，其余在施",
            "部分受灾户对重建方案和补助标准有异议，尚未签订协议",
            "街道、村组干部逐户走访，讲清补助政策，力争本月签约全覆盖",
        ),
        (
            "本周完成修复1户，重建户主体施工中",
            "重建户宅基地确权手续办理时间较长，影响开工",
            "协调资规部门开辟绿色通道，集中办理宅基地相关手续",
        ),
        (
            "已开工的重建户全部进入主体施工，其中3户进入装修阶段",
            "入冬后气温下降，砌筑、抹灰等湿作业受影响，部分农户担心入冬前无法入住",
            "组织施工队伍增加人手、延长作业时间；对入冬前无法入住的困难户落实过渡安置，确保温暖过冬",
        ),
    ),
    "rec-relief-funds": (
        (
            "10月份已向首批受灾企业拨付救助资金",
            "部分企业申报材料不全，损失核定进度较慢",
            "安排专人上门指导企业补齐材料，委托第三方机构加快损失核定",
        ),
        (
            "第二批受灾企业损失核定已完成",
            "资金拨付需经区财政审核，流程较长",
            "与财政金融局建立会商机制，核定一批、拨付一批",
        ),
        (
            "第二批救助资金已进入拨付程序",
            "个别企业已迁出或注销，救助对象需重新核实",
            "对已迁出、注销的企业逐一核实，依规调整救助名单，月底前完成剩余资金拨付",
        ),
    ),
    "rec-repair-34-done": (
        (
            "本周新完成修复项目1个，剩余项目均在施工",
            "若水（衡山）220千伏输变电工程等项目涉及电力、燃气产权单位，停电、停气窗口期安排困难",
            "协调供电、燃气公司优先安排停电停气计划，施工单位配合连续作业",
        ),
        (
            "剩余项目多数已进入收尾阶段",
            "部分项目设备采购周期长，到货时间晚于预期",
            "督促供货单位加快发货，同步做好安装准备，设备到场即安装",
        ),
        (
            "本周又有1个项目完成修复并通过验收",
            "个别项目验收资料整理滞后，影响销号",
            "组织设计、监理单位集中整理验收资料，完工一个、验收一个、销号一个",
        ),
    ),
    "rec-water-sites-done": (
        (
            "护岸修复正在施工，堤防加固完成土方回填",
            "汛后河道水位偏高，部分护岸基础施工需围堰导流",
            "增加围堰和抽排设备，抓住枯水期加快基础施工",
        ),
        (
            "堤防加固主体完成，马道栏杆开始安装",
            "石料等地材运输受限，供应不及时",
            "拓宽地材采购渠道，提前储备石料",
        ),
        (
            "护岸砌石完成约七成",
            "阴雨天气较多，有效施工天数不足",
            "合理安排工序，晴好天气加班作业，确保月底前再完成1处",
        ),
    ),
}
# An indicator lagging without words of its own.
PLAIN = (
    "",
    "部分工作推进慢于序时进度，相关事项仍在协调",
    "细化周工作计划，逐项明确责任人和完成时限，力争尽快追上序时进度",
)


def _number(value: Decimal, decimals: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-decimals)).normalize():f}"


def progress_text(indicator: Indicator, row, detail: str) -> str:
    """进展情况: the roll-up's cumulative figure on the row's day against the plan, then the
    unit's words."""
    day, parts = row.period_start, []
    if indicator.kind != Indicator.Kind.MILESTONE and row.cumulative_actual is not None:
        figure = _number(row.cumulative_actual, indicator.decimals)
        done = f"截至{day.month}月{day.day}日累计完成{figure}{indicator.unit}"
        if row.cumulative_planned:
            done += f"，为序时计划的{row.cumulative_actual / row.cumulative_planned * 100:.1f}%"
        parts.append(done)
    if detail:
        parts.append(detail)
    return "；".join(parts) + "。" if parts else ""


def load_notes(until: date, *, extra: dict[str, Words] | None = None) -> int:
    """Write the demo's notes up to ``until`` (after the roll-up has seen the demo's figures:
    call after ``rollups.refresh()``); returns how many. A week whose indicator already has
    a unit's own note is left alone."""
    ProgressNote.objects.filter(is_demo=True).delete()
    texts = {**TEXTS, **(extra or {})}
    indicators = {
        ind.pk: ind
        for ind in Indicator.objects.filter(plan__code=PLAN_CODE)
        .exclude(kind=Indicator.Kind.RATIO)
        .select_related("department")
    }
    last = week_start(until)
    mondays = [
        last - timedelta(weeks=n)
        for n in range(WEEKS - 1, -1, -1)
        if last - timedelta(weeks=n) >= week_start(DEMO_START)
    ]
    real = set(
        ProgressNote.objects.filter(is_demo=False, period_start__in=mondays).values_list(
            "indicator_id", "period_start"
        )
    )
    clerks: dict[int, object] = {}
    notes = []
    for monday in mondays:
        sunday = monday + timedelta(days=6)
        day = min(sunday, until)
        weeks_back = (last - monday).days // 7
        for pk, rows in sorted(rollups.day_values(list(indicators), day, today=until).items()):
            ind = indicators[pk]
            if not rows or rows[-1].status not in LAGGING or (pk, monday) in real or day < ind.plan_start:
                continue
            words = texts.get(ind.code) or (PLAIN,)
            detail, problems, measures = words[max(0, len(words) - 1 - weeks_back)]
            if ind.department_id not in clerks:
                clerks[ind.department_id] = demo_clerk(Department.objects.get(pk=ind.department_id))
            notes.append(
                ProgressNote(
                    indicator=ind,
                    period_start=monday,
                    period_end=sunday,
                    progress=progress_text(ind, rows[-1], detail),
                    problems=problems,
                    measures=measures,
                    status=rows[-1].status,
                    is_demo=True,
                    author=clerks[ind.department_id],
                    # Written when the week was reported (Monday after, like the demo's
                    # weeks), or during the week in progress.
                    created_at=_at(min(sunday + timedelta(days=1), until), 10 if sunday < until else 9),
                )
            )
    ProgressNote.objects.bulk_create(notes)
    return len(notes)
