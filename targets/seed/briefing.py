"""The Q4 2021 briefing (凝心聚力奋战第四季度 全力以赴冲刺全年目标, 29–30 Sep 2021) as data:
responsible units, the goal tree and the indicators, loaded by ``manage.py seed_briefing``.

Every Chinese name is as printed; ``source`` quotes the briefing. What the briefing does not
say is not invented: no targets for the safety campaigns' counts, no January–September
figure for the full-year investment (``opening_value`` stays empty here; the demo data fills
it). The departments are an assumption (the briefing names no 责任单位) and are marked so.

Units: 亿元 = 100 million yuan; 万元 = 10 thousand yuan; 个 = count; 户 = households;
处 = sites; 项 = hazards (items); % = per cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from targets import roles
from targets.models import Department, Goal, Indicator, Plan

YEAR_START = date(2021, 1, 1)
Q4_START = date(2021, 10, 1)
OCT_END = date(2021, 10, 31)
YEAR_END = date(2021, 12, 31)
MAY_2022_END = date(2022, 5, 31)

A, L, M, R = (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL, Indicator.Kind.MILESTONE, Indicator.Kind.RATIO)
EQ, GTE, APPROX = Indicator.Op.EQ, Indicator.Op.GTE, Indicator.Op.APPROX

# The plan the briefing sets (its code is the one migration 0010 gave pre-plan data).
PLAN_CODE = "2021q4"
PLAN = dict(
    title="郑东新区2021年第四季度目标任务",
    title_en="Zhengdong New District targets, Q4 2021",
    kind=Plan.Kind.QUARTER,
    start=Q4_START,
    end=YEAR_END,
    source="凝心聚力奋战第四季度 全力以赴冲刺全年目标（2021年9月29日工作会议、9月30日安委会会议简报）",
)


def plan() -> Plan:
    """The briefing's plan, created (published) if missing; a manager's later edits of its
    title or status are kept."""
    found, _ = Plan.objects.get_or_create(code=PLAN_CODE, defaults={**PLAN, "status": Plan.Status.PUBLISHED})
    return found


# (code, name, English name). The briefing names no responsible unit: these are plausible
# district bodies, seeded with is_assumption=True so an administrator can correct them.
DEPARTMENTS = [
    ("econ", "经济发展局", "Economic Development Bureau"),
    ("safety", "应急管理局", "Emergency Management Bureau"),
    ("construction", "建设局", "Construction Bureau"),
    ("agri-water", "农业农村和水利局", "Agriculture, Rural Affairs and Water Bureau"),
    ("social", "社会事业局", "Social Affairs Bureau"),
    ("finance", "财政金融局", "Finance Bureau"),
    ("science-city", "中原科技城管委会", "Zhongyuan Science and Technology City Committee"),
]

# The framework: (code, name, English name, [(child code, name, English name)]).
FRAMEWORK = [
    (
        "highlands",
        "三个高地",
        "Three highlands",
        [
            ("hl-innovation", "国家创新高地", "National innovation highland"),
            ("hl-talent", "人才高地", "Talent highland"),
            ("hl-opening", "开放高地", "Opening-up highland"),
        ],
    ),
    (
        "centres",
        "两个中心",
        "Two centres",
        [
            ("ctr-finance", "国际化金融中心", "International financial centre"),
            ("ctr-consumption", "国际化消费中心", "International consumption centre"),
        ],
    ),
    (
        "new-city",
        "一个新城",
        "One new city",
        [("nc-modern", "现代化国际化新城区", "Modern, international new urban district")],
    ),
]
FRAMEWORK_SOURCE = (
    "初步确定全力打造“三个高地”（国家创新高地、人才高地和开放高地）、“两个中心”"
    "（国际化金融中心和国际化消费中心）和“一个新城”（现代化国际化新城区）目标思路。"
)

# The five sections, in the order of FACTS.md, each with its work lines:
# (code, name, English name, source, [(line code, name, English name, supports, description)]).
# ``supports`` lists the framework goals a line feeds. Where the briefing says so the link
# is printed (section 1, section 5: "努力打造创新高地、人才高地"); for sections 2–4 it is
# read from the text (safety and recovery → 韧性城市 → 新城区; 项目为王 and the core blocks
# → 金融中心/消费中心, as section 1 line 3 says) and the description says "（推断）".
SECTIONS = [
    (
        "s1",
        "抢抓发展机遇 主动做好工作谋划",
        "Seize the opportunity, plan the work",
        FRAMEWORK_SOURCE,
        [
            (
                "s1-1",
                "全面提速中原科技城建设",
                "Speed up Zhongyuan Science and Technology City",
                ["hl-innovation", "hl-talent"],
                "努力打造科技人才高度集聚、创新要素高度整合、科创活动高度活跃的创新高地、人才高地。",
            ),
            (
                "s1-2",
                "全面深化改革和制度型开放",
                "Deepen reform and institutional opening-up",
                ["hl-opening"],
                "加快中原科技城离岸创新中心平台载体建设，争取举办更多大型国际论坛、会议会展、"
                "顶级赛事等人文交流活动，打造中部地区对外开放高地。",
            ),
            (
                "s1-3",
                "加快推进转型发展",
                "Speed up transformation",
                ["ctr-finance", "ctr-consumption"],
                "坚持项目为王……打造国家区域性金融中心。发挥高铁枢纽优势，加快推进商圈提档升级，"
                "着力打造现代时尚的国际消费中心。",
            ),
            (
                "s1-4",
                "加快转变城市发展方式",
                "Change how the city develops",
                ["nc-modern"],
                "深入推进“三项工程、一项管理”，加快韧性城市建设……围绕“一老一小一青壮”，"
                "加快构建养老服务和普惠性学前教育服务体系，打造现代化国际化新城区。",
            ),
        ],
    ),
    (
        "s2",
        "坚持底线思维 抓实防风险除隐患保安全工作",
        "Bottom-line thinking: prevent risks, remove hazards, keep safe",
        "始终坚持问题导向、强化底线思维，确保防范风险、守牢底线。",
        [
            (
                "s2-1",
                "构建平战结合疫情防控体系",
                "Epidemic control ready for normal and emergency times",
                ["nc-modern"],
                "聚焦流调转运、核酸检测、人员管控等重点环节，强化实战化应急演练……切实做到"
                "“平战切换、梯次响应、反应迅速、协同配合”，严防疫情反弹。（支撑目标：推断）",
            ),
            (
                "s2-2",
                "全面排查化解社会风险",
                "Find and defuse social risks",
                ["nc-modern"],
                "9月30日上午，郑东新区社会面防控联勤联防启动仪式举行，强化公安、武警、巡防等"
                "多方力量协调联动。（支撑目标：推断）",
            ),
            (
                "s2-3",
                "坚决守牢安全生产底线",
                "Hold the work-safety bottom line",
                ["nc-modern"],
                "突出抓好“九小”场所、高层建筑消防安全、易燃可燃夹芯材料彩钢板3个领域专项整治，"
                "全面开展充电设施、在建工地、有限空间作业、道路交通、旅游、危化品、公共场所消防等"
                "7个领域拉网式排查整治。（支撑目标：推断）",
            ),
        ],
    ),
    (
        "s3",
        "坚持以人为本 全力推进灾后修复重建",
        "People first: post-flood repair and recovery",
        "按照省、市安排部署，扎实推进灾后恢复重建工作。",
        [
            (
                "s3-1",
                "积极谋划梳理重点项目",
                "Plan the recovery projects",
                ["nc-modern"],
                "围绕农田水利、交通基础设施、市政基础设施、社会民生和防灾减灾能力提升等八大领域"
                "……（支撑目标：推断）",
            ),
            (
                "s3-2",
                "积极做好群众生活帮扶和善后工作",
                "Support people's livelihoods after the floods",
                ["nc-modern"],
                "积极做好应急救灾资金拨付……有序推进全区45户受灾村民房屋进行重建修复。（支撑目标：推断）",
            ),
            (
                "s3-3",
                "积极助推企业复工复产",
                "Help firms back to work",
                ["nc-modern"],
                "制订救助资金分配方案，落实救助资金936万元。深入开展“万人助万企”活动。（支撑目标：推断）",
            ),
            (
                "s3-4",
                "积极推进基础设施恢复重建",
                "Repair and rebuild infrastructure",
                ["nc-modern"],
                "对辖区受灾基础设施建设标段，组织力量有序进行抢修……年底前计划大头落地。（支撑目标：推断）",
            ),
            (
                "s3-5",
                "积极做好农业水利恢复工作",
                "Restore farming and water works",
                ["nc-modern"],
                "组织专家指导灾后农业生产及水产养殖恢复，管好用好农业生产恢复救灾资金。（支撑目标：推断）",
            ),
        ],
    ),
    (
        "s4",
        "全力冲刺第四季度 抓好经济运行",
        "Sprint through the fourth quarter, run the economy",
        "按照“四季度保目标”的原则，全面抓好经济运行，确保实现年初确定的各项目标任务。",
        [
            (
                "s4-1",
                "加强分析研判",
                "Analyse and break targets down",
                ["ctr-finance", "ctr-consumption"],
                "将目标细化到月、到旬、到天，任务落实到企业、到项目、到每个增长点……"
                "尽快实现时间进度同步。（支撑目标：推断）",
            ),
            (
                "s4-2",
                "坚持项目为王",
                "Projects are king",
                ["ctr-finance", "ctr-consumption"],
                "以“三个一批”为抓手，持续抓好省、市重点项目建设……有序做好土地供应、"
                "商品房销售网签和安置房网签等工作。（支撑目标：推断）",
            ),
            (
                "s4-3",
                "抓好核心板块建设",
                "Build the core blocks",
                ["ctr-finance", "nc-modern"],
                "统筹推进五大核心板块建设……通过“小切口大文章”组团开发，打造经济发展新的支撑点和"
                "爆发点。（支撑目标：推断）",
            ),
        ],
    ),
    (
        "s5",
        "突出创新驱动 加快中原科技城建设",
        "Innovation first: speed up Zhongyuan Science and Technology City",
        "突出抓好培育科创产业集群、集聚创新人才、整合创新要素、构建创新生态“四大攻坚行动”，"
        "努力打造创新高地、人才高地。",
        [
            (
                "s5-1",
                "培育科创产业集群",
                "Grow science and technology industry clusters",
                ["hl-innovation", "hl-talent"],
                "重点围绕数字产业、生命科学两大主导产业，大力培育自动驾驶、智能机器人、鲲鹏生态、"
                "信息安全、医工融合、细胞及基因医学等细分产业。",
            ),
            (
                "s5-2",
                "集聚创新人才",
                "Gather innovative talent",
                ["hl-innovation", "hl-talent"],
                "用好河南省人才创新创业实验区政策，集成办好人才服务“一件事”……持续推进“数字豫才计划”。",
            ),
            (
                "s5-3",
                "整合创新要素",
                "Integrate innovation resources",
                ["hl-innovation", "hl-talent"],
                "加快推进嵩山实验室、黄河实验室、省科学院等创新平台建设……持续推动“智慧岛”"
                "双创载体标准化建设。",
            ),
            (
                "s5-4",
                "构建创新生态",
                "Build the innovation ecosystem",
                ["hl-innovation", "hl-talent"],
                "建立完善人才服务“一件事”闭环、审批服务“一枚章”落地、社会化服务“一扇门”覆盖、"
                "要素保障“一条龙”供给、工作推进“一体化”联动等“五个一”服务机制。",
            ),
        ],
    ),
]


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# Indicators measured by the work lines. Keys: code, name, name_en, unit, kind, target,
# op, start, end, tracking (tracking_start), min, max (valid range of one entry: a day's
# amount, or the level on a day), decimals, dept, goal, source. Safety indicators (three
# amounts, a level and a ratio per campaign) are generated from SAFETY_CAMPAIGNS below.
INDICATORS: list[dict] = [
    # ---- Section 4: the economy.
    dict(
        code="kp-investment",
        name="省市重点项目完成投资",
        name_en="Investment completed in provincial and municipal key projects",
        unit="亿元",
        kind=A,
        target="433.2",
        op=EQ,
        start=YEAR_START,
        end=YEAR_END,
        tracking=Q4_START,
        max="50",
        decimals=2,
        dept="econ",
        goal="s4-2",
        source="持续抓好省、市重点项目建设，确保完成全年 433.2亿元目标。",
    ),
    dict(
        code="kp-longhu-bus-2-start",
        name="龙湖自动驾驶公交（二期）开工",
        name_en="Longhu autonomous bus, phase II: construction started",
        kind=M,
        dept="construction",
        goal="s4-2",
        source="全力以赴推动项目建设，再开工龙湖自动驾驶公交（二期）、黄河研究中心等一批省、市重点项目。",
    ),
    dict(
        code="kp-yellow-river-centre-start",
        name="黄河研究中心开工",
        name_en="Yellow River research centre: construction started",
        kind=M,
        dept="construction",
        goal="s4-2",
        source="全力以赴推动项目建设，再开工龙湖自动驾驶公交（二期）、黄河研究中心等一批省、市重点项目。",
    ),
    dict(
        code="kp-bigdata-park-1-complete",
        name="中原大数据产业园（一期）建成",
        name_en="Zhongyuan big-data industrial park, phase I: completed",
        kind=M,
        dept="construction",
        goal="s4-2",
        source="建成中原大数据产业园（一期）等，不断催生调结构突破点、新动能生长点、稳增长关键点。",
    ),
    dict(
        code="cb-kunpeng-town-1-in-use",
        name="鲲鹏软件小镇（一期）全面投用",
        name_en="Kunpeng software town, phase I: fully in use",
        kind=M,
        dept="construction",
        goal="s4-3",
        source="统筹推进五大核心板块建设，推动鲲鹏软件小镇（一期）全面投用。",
    ),
    dict(
        code="cb-financial-island-inner-ring-open",
        name="龙湖金融岛内环建成开岛",
        name_en="Longhu financial island inner ring: built and opened",
        kind=M,
        dept="construction",
        goal="s4-3",
        source="龙湖金融岛内环年底前建成开岛。",
    ),
    dict(
        code="cb-east-station-super-hq-start",
        name="东站东广场超级总部基地启动建设",
        name_en="East Station east-square super HQ base: construction started",
        kind=M,
        dept="construction",
        goal="s4-3",
        source="东站东广场超级总部基地尽快启动建设。",
    ),
    # ---- Section 5: innovation.
    dict(
        code="sci-projects-signed",
        name="四季度签约项目",
        name_en="Projects signed in Q4",
        unit="个",
        kind=A,
        target="50",
        op=GTE,
        max="20",
        dept="econ",
        goal="s5-1",
        source="四季度再签约视源科技区域总部、软通动力等项目50个以上，形成产业集聚之势。",
    ),
    dict(
        code="sci-projects-sped-up",
        name="加快建设项目（在建个数）",
        name_en="Projects sped up (number under construction)",
        unit="个",
        kind=L,
        target="8",
        op=EQ,
        max="8",
        dept="science-city",
        goal="s5-1",
        source="加快郑州国际文化交流中心、人工智能科技园等 8个项目建设，掀起龙湖北岸建设高潮。",
    ),
    dict(
        code="sci-talent-pool-online",
        name="中原科技城“数字人才库”上线",
        name_en="Zhongyuan S&T City digital talent pool online",
        kind=M,
        dept="science-city",
        goal="s5-2",
        source="持续推进“数字豫才计划”，上线中原科技城“数字人才库”。（未给出日期，按第四季度计）",
    ),
    dict(
        code="sci-talent-station-uk",
        name="英国海外人才工作站设立",
        name_en="Overseas talent station in the UK set up",
        kind=M,
        dept="science-city",
        goal="s5-2",
        source="四季度设立英国、德国海外人才工作站。",
    ),
    dict(
        code="sci-talent-station-de",
        name="德国海外人才工作站设立",
        name_en="Overseas talent station in Germany set up",
        kind=M,
        dept="science-city",
        goal="s5-2",
        source="四季度设立英国、德国海外人才工作站。",
    ),
    dict(
        code="sci-fund-data-platform-online",
        name="基金大数据平台上线",
        name_en="Fund big-data platform online",
        kind=M,
        end=OCT_END,
        dept="finance",
        goal="s5-3",
        source="鼓励金融创新，10月底上线基金大数据平台，营造适合科创企业发展的金融环境。",
    ),
    dict(
        code="sci-smart-island-hall-open",
        name="智慧岛服务大厅投用",
        name_en="Smart Island service hall in use",
        kind=M,
        dept="science-city",
        goal="s5-4",
        source="尽快投用智慧岛服务大厅。（未给出日期，按第四季度计）",
    ),
    dict(
        code="sci-innovation-week-held",
        name="全国“双创”活动周办好",
        name_en="National mass-innovation week held",
        kind=M,
        dept="science-city",
        goal="s5-4",
        source="高质量办好全国“双创”活动周和2021商用密码大会。（未给出日期，按第四季度计）",
    ),
    dict(
        code="sci-crypto-conference-held",
        name="2021商用密码大会办好",
        name_en="2021 commercial cryptography conference held",
        kind=M,
        dept="science-city",
        goal="s5-4",
        source="高质量办好全国“双创”活动周和2021商用密码大会。（未给出日期，按第四季度计）",
    ),
    # ---- Section 3: post-flood recovery.
    # 205 is the number of recovery projects planned (谋划梳理), not a number to finish by a
    # date: the briefing sets no completion target. The completed ones are counted
    # against none (无计划); the recovery page shows them beside the 205 planned.
    dict(
        code="rec-projects-done",
        name="灾后重建项目已完成个数（共谋划205个）",
        name_en="Post-flood recovery projects completed (of 205 planned)",
        unit="个",
        kind=L,
        end=MAY_2022_END,
        max="205",
        dept="econ",
        goal="s3-1",
        source="谋划梳理城市道路、教育、医疗等灾后重建项目205个。（简报未给出完成目标和时限）",
    ),
    dict(
        code="rec-investment",
        name="灾后重建项目完成投资",
        name_en="Investment in post-flood recovery projects",
        unit="亿元",
        kind=A,
        target="15",
        op=APPROX,
        end=MAY_2022_END,
        max="5",
        decimals=2,
        dept="econ",
        goal="s3-1",
        source="在统计核实各地区、各领域洪涝灾害损毁项目情况的基础上，投资近15亿元。",
    ),
    dict(
        code="rec-bond-projects",
        name="申报灾后重建债券项目",
        name_en="Projects applied for post-flood recovery bonds",
        unit="个",
        kind=A,
        target="81",
        op=EQ,
        max="81",
        dept="finance",
        goal="s3-1",
        source="积极申报灾后重建债券资金，共申报项目 81 个 14.2亿元。",
    ),
    dict(
        code="rec-bond-amount",
        name="申报灾后重建债券资金",
        name_en="Post-flood recovery bonds applied for",
        unit="亿元",
        kind=A,
        target="14.2",
        op=EQ,
        max="14.2",
        decimals=2,
        dept="finance",
        goal="s3-1",
        source="积极申报灾后重建债券资金，共申报项目 81 个 14.2亿元。",
    ),
    dict(
        code="rec-houses-rebuilt",
        name="受灾村民房屋重建修复",
        name_en="Flood-damaged village houses rebuilt or repaired",
        unit="户",
        kind=L,
        target="45",
        op=EQ,
        max="45",
        dept="social",
        goal="s3-2",
        source="抓好农村危房整修重建工作，有序推进全区45户受灾村民房屋进行重建修复。（未给出日期，按年底计）",
    ),
    dict(
        code="rec-relief-funds",
        name="落实企业救助资金",
        name_en="Relief funds for firms allocated",
        unit="万元",
        kind=A,
        target="936",
        op=EQ,
        max="936",
        decimals=2,
        dept="econ",
        goal="s3-3",
        source="制订救助资金分配方案，落实救助资金936万元。",
    ),
    dict(
        code="rec-repair-25-done",
        name="雁鸣路等25个项目完成修复",
        name_en="25 repair projects led by Yanming Road completed",
        unit="个",
        kind=L,
        target="25",
        op=EQ,
        end=OCT_END,
        max="25",
        dept="construction",
        goal="s3-4",
        source="雁鸣路（科学大道—连霍高速）等25个项目计划10月完成修复。",
    ),
    dict(
        code="rec-repair-34-done",
        name="若水（衡山）220千伏输变电工程等34个项目完成修复",
        name_en="34 repair projects led by the Ruoshui (Hengshan) 220 kV substation completed",
        unit="个",
        kind=L,
        target="34",
        op=EQ,
        end=OCT_END,
        max="34",
        dept="construction",
        goal="s3-4",
        source="郑州市区若水（衡山）220千伏输变电工程等34个项目计划10月完成修复，年底前计划大头落地。",
    ),
    dict(
        code="rec-water-sites-done",
        name="河湖基础设施抢修完成（护岸、堤防、马道栏杆）",
        name_en="River and lake works repaired (revetments, embankments, ramp railings)",
        unit="处",
        kind=L,
        target="6",
        op=EQ,
        end=MAY_2022_END,
        max="6",
        dept="agri-water",
        goal="s3-5",
        source="加快剩余 6处护岸、堤防、马道栏杆等河湖基础设施的抢修进度，计划2022年5月全部建成。",
    ),
]

# Section 2's campaigns: (code, name, English name, kind, department). The briefing gives
# their names and numbers (3 + 7) but no targets, deadline or unit: each gets three
# amounts (sites inspected, hazards found, hazards rectified) and one level (hazards past
# their rectification deadline and still open) with no target, and the rectification rate
# (rectified ÷ found) over Q4.
RECTIFICATION, SWEEP = "rectification", "sweep"
SAFETY_CAMPAIGNS = [
    ("nine-small", "“九小”场所", "Nine kinds of small premises", RECTIFICATION, "safety"),
    ("high-rise-fire", "高层建筑消防安全", "High-rise building fire safety", RECTIFICATION, "safety"),
    (
        "steel-panels",
        "易燃可燃夹芯材料彩钢板",
        "Flammable sandwich-core colour steel panels",
        RECTIFICATION,
        "safety",
    ),
    ("charging", "充电设施", "Charging facilities", SWEEP, "safety"),
    ("sites", "在建工地", "Construction sites", SWEEP, "construction"),
    ("confined-space", "有限空间作业", "Confined-space work", SWEEP, "safety"),
    ("road-traffic", "道路交通", "Road traffic", SWEEP, "safety"),
    ("tourism", "旅游", "Tourism", SWEEP, "safety"),
    ("hazchem", "危化品", "Hazardous chemicals", SWEEP, "safety"),
    ("public-fire", "公共场所消防", "Public-place fire safety", SWEEP, "safety"),
]
SAFETY_SOURCE = {
    RECTIFICATION: "突出抓好“九小”场所、高层建筑消防安全、易燃可燃夹芯材料彩钢板 3个领域专项整治。",
    SWEEP: "全面开展充电设施、在建工地、有限空间作业、道路交通、旅游、危化品、公共场所消防等 7个领域"
    "拉网式排查整治，守牢安全生产红线。",
}
SAFETY_MEASURES = [
    # (suffix, name suffix, English suffix, unit, kind, max of one entry). Reported weekly:
    # the amounts are the week's count; 逾期未整改隐患 is a level: the clerk's weekly form
    # gives how many hazards were past their rectification deadline and still open at the
    # week's end (截至本期末; a backlog, so its range is wider than one week's finds).
    # None has a target: the briefing sets none. A target of 0 for the overdue level would
    # be worse than none: the roll-up's status rule calls any figure above a plan of 0
    # 同步/超前 (green), so exactly the areas with overdue hazards would look on track.
    # Without a target the status is "none" (无计划), like the other counts, and the
    # safety page shows the figure itself.
    ("inspected", "排查场所", "sites inspected", "处", A, "500"),
    ("found", "发现隐患", "hazards found", "项", A, "500"),
    ("rectified", "整改隐患", "hazards rectified", "项", A, "500"),
    ("overdue", "逾期未整改隐患", "overdue hazards not yet rectified", "项", L, "5000"),
]
OVERDUE_SOURCE = "（逾期未整改隐患 = 超过整改时限仍未整改的隐患，每周填报截至周日的数量）"


def safety_indicator_code(campaign_code: str, measure: str) -> str:
    """``safety-<campaign>-<measure>``; measure is inspected, found, rectified, overdue or rate."""
    return f"safety-{campaign_code}-{measure}"


def _safety_indicators() -> list[dict]:
    rows = []
    for code, name, name_en, kind, dept in SAFETY_CAMPAIGNS:
        prefix = "专项整治" if kind == RECTIFICATION else "排查整治"
        for measure, m_name, m_en, unit, m_kind, maximum in SAFETY_MEASURES:
            rows.append(
                dict(
                    code=safety_indicator_code(code, measure),
                    name=f"{name}{prefix}·{m_name}",
                    name_en=f"{name_en}: {m_en}",
                    unit=unit,
                    kind=m_kind,
                    max=maximum,
                    dept=dept,
                    goal="s2-3",
                    source=SAFETY_SOURCE[kind] + (OVERDUE_SOURCE if measure == "overdue" else ""),
                )
            )
        rows.append(
            dict(
                code=safety_indicator_code(code, "rate"),
                name=f"{name}{prefix}·隐患整改率",
                name_en=f"{name_en}: rectification rate",
                unit="%",
                kind=R,
                max="100",
                decimals=1,
                numerator=safety_indicator_code(code, "rectified"),
                denominator=safety_indicator_code(code, "found"),
                dept=dept,
                goal="s2-3",
                source=SAFETY_SOURCE[kind] + "（整改率 = 整改隐患 ÷ 发现隐患）",
            )
        )
    return rows


# How often each indicator is reported (填报频次); every figure is dated on its period's
# last day. Amounts of money are reported weekly (the headline, watched every week) or
# monthly (the recovery and bond money, settled monthly); counts of things reached to date
# (levels) weekly, or per 旬 where the work moves slowly; the safety campaigns' counts
# weekly (one weekly report per campaign, as the sweeps are organised); milestones once,
# on the day they are done; a ratio follows its parts (it is computed, never entered).
CADENCES = {
    "kp-investment": Indicator.Cadence.WEEKLY,
    "sci-projects-signed": Indicator.Cadence.WEEKLY,
    "sci-projects-sped-up": Indicator.Cadence.MONTHLY,
    "rec-projects-done": Indicator.Cadence.WEEKLY,
    "rec-investment": Indicator.Cadence.MONTHLY,
    "rec-bond-projects": Indicator.Cadence.MONTHLY,
    "rec-bond-amount": Indicator.Cadence.MONTHLY,
    "rec-houses-rebuilt": Indicator.Cadence.WEEKLY,
    "rec-relief-funds": Indicator.Cadence.MONTHLY,
    "rec-repair-25-done": Indicator.Cadence.WEEKLY,
    "rec-repair-34-done": Indicator.Cadence.WEEKLY,
    "rec-water-sites-done": Indicator.Cadence.DEKAD,
}


def cadence_of(row: dict, rows_by_code: dict[str, dict]) -> str:
    """The row's 填报频次: ``CADENCES``, else once for a milestone, a ratio's numerator's,
    weekly for the rest (the safety campaigns' counts)."""
    if row["code"] in CADENCES:
        return CADENCES[row["code"]]
    if row["kind"] == M:
        return Indicator.Cadence.ONCE
    if row["kind"] == R and row.get("numerator") in rows_by_code:
        return cadence_of(rows_by_code[row["numerator"]], rows_by_code)
    return Indicator.Cadence.WEEKLY


def all_indicators() -> list[dict]:
    """Every indicator of the briefing, in display order."""
    return INDICATORS + _safety_indicators()


def ensure_groups() -> dict[str, Group]:
    """Create or refresh the groups officials, clerks and managers with the Django model
    permissions ``targets.roles`` derives from what each role may do (the admin reads
    them; the product's pages ask ``roles.can``)."""
    return roles.sync_group_permissions()


def put(model, *, missing_only: bool, defaults: dict, create_defaults: dict | None = None, **lookup):
    """``update_or_create`` by ``lookup``; with ``missing_only``, ``get_or_create``: a row
    already there (perhaps edited by its users since) is left as it is. Returns
    ``(row, created)``."""
    if missing_only:
        return model.objects.get_or_create(**lookup, defaults=create_defaults or defaults)
    return model.objects.update_or_create(**lookup, defaults=defaults, create_defaults=create_defaults)


@transaction.atomic
def load(*, missing_only: bool = False) -> dict[str, int]:
    """Create or update (by code) the departments, goals and indicators of the briefing.
    Running it again changes nothing. Returns row counts by model.

    ``missing_only`` (``demo_setup`` on a database in use): create the rows that are not
    there, leave every existing one as its users have it (a renamed unit, a manager's
    target); returns the counts of rows created."""
    created = dict.fromkeys(("plans", "departments", "goals", "indicators"), 0)
    created["plans"] = int(not Plan.objects.filter(code=PLAN_CODE).exists())
    departments = {}
    for order, (code, name, name_en) in enumerate(DEPARTMENTS, 1):
        departments[code], new = put(
            Department,
            missing_only=missing_only,
            code=code,
            defaults=dict(name=name, name_en=name_en, is_assumption=True, order=order),
        )
        created["departments"] += new

    briefing_plan = plan()
    goals: dict[str, Goal] = {}
    new_goals: set[str] = set()

    def goal(code, name, name_en, level, parent, order, description=""):
        goals[code], new = put(
            Goal,
            missing_only=missing_only,
            plan=briefing_plan,
            code=code,
            defaults=dict(
                name=name,
                name_en=name_en,
                level=level,
                parent=parent,
                order=order,
                description=description,
            ),
        )
        if new:
            new_goals.add(code)
        return goals[code]

    for order, (code, name, name_en, children) in enumerate(FRAMEWORK, 1):
        parent = goal(code, name, name_en, Goal.Level.FRAMEWORK, None, order, FRAMEWORK_SOURCE)
        for child_order, (c_code, c_name, c_en) in enumerate(children, 1):
            goal(c_code, c_name, c_en, Goal.Level.FRAMEWORK, parent, order * 10 + child_order)

    supports: dict[str, list[str]] = {}
    for order, (code, name, name_en, source, lines) in enumerate(SECTIONS, 1):
        section = goal(code, name, name_en, Goal.Level.SECTION, None, 100 + order, source)
        for line_order, (l_code, l_name, l_en, l_supports, description) in enumerate(lines, 1):
            goal(l_code, l_name, l_en, Goal.Level.LINE, section, line_order, description)
            supports[l_code] = l_supports
    for code, targets in supports.items():
        if code in new_goals or not missing_only:
            goals[code].supports.set([goals[t] for t in targets])
    created["goals"] = len(new_goals)

    indicators: dict[str, Indicator] = {}
    rows_by_code = {row["code"]: row for row in all_indicators()}
    for order, row in enumerate(all_indicators(), 1):
        defaults = dict(
            name=row["name"],
            name_en=row["name_en"],
            unit=row.get("unit", ""),
            kind=row["kind"],
            cadence=cadence_of(row, rows_by_code),
            target_value=_d(row.get("target")),
            target_op=row.get("op", EQ),
            plan_start=row.get("start", Q4_START),
            plan_end=row.get("end", YEAR_END),
            tracking_start=row.get("tracking"),
            min_value=Decimal("0"),
            max_value=_d(row.get("max", "1")),
            decimals=row.get("decimals", 0),
            goal=goals[row["goal"]],
            numerator=indicators.get(row.get("numerator", "")),
            denominator=indicators.get(row.get("denominator", "")),
            source=row["source"],
            order=order,
        )
        # opening_value / opening_is_demo are left alone: the briefing gives no
        # January–September figure, and demo data or a manager may have set one.
        # The department is the briefing's assumption on creation only: a manager may move an
        # indicator since (refused while it has figures in an approved week), and seeding
        # again must neither undo that nor move figures out of a locked week.
        indicators[row["code"]], new = put(
            Indicator,
            missing_only=missing_only,
            plan=briefing_plan,
            code=row["code"],
            defaults=defaults,
            create_defaults={**defaults, "department": departments[row["dept"]]},
        )
        created["indicators"] += new

    ensure_groups()
    if missing_only:
        return created
    return {
        "plans": 1,
        "departments": len(departments),
        "goals": len(goals),
        "indicators": len(indicators),
    }
