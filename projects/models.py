"""The things being measured: key projects, post-flood recovery projects, safety
campaigns, their milestones and open problems. Progress itself is never stored here:
each links to the ``targets.Indicator`` rows that measure it, so all progress goes
through one roll-up engine."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets.models import Department, Goal, Indicator, LocalizedNameMixin, value_field


class CoreBlock(LocalizedNameMixin, models.Model):
    """One of the five core blocks (五大核心板块). The briefing names some of them."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("核心板块")
        verbose_name_plural = _("核心板块")

    def __str__(self) -> str:
        return self.name


# Milestone kinds that move a project into a stage, furthest first.
STAGE_STEPS = (
    ("in_use", ("operate",)),
    ("completed", ("complete",)),
    ("building", ("start",)),
    ("preparing", ("sign", "approval", "land", "planning", "permit")),
)


def stage_of(reached_kinds) -> str:
    """The stage reached with milestones of these kinds (谋划 with none)."""
    reached = set(reached_kinds)
    for stage, kinds in STAGE_STEPS:
        if reached & set(kinds):
            return stage
    return "planning"


class KeyProjectQuerySet(models.QuerySet):
    def with_stage(self, as_of: date):
        """Annotate ``stage_code``: the stage from the milestones reached by ``as_of`` (as
        ``KeyProject.stage_on``), in SQL, so a list can filter and sort on it."""
        whens = []
        for stage, kinds in STAGE_STEPS:
            reached = Milestone.objects.filter(
                project=OuterRef("pk"), kind__in=kinds, actual_date__isnull=False, actual_date__lte=as_of
            )
            whens.append(When(Exists(reached), then=Value(stage)))
        return self.annotate(
            stage_code=Case(*whens, default=Value("planning"), output_field=models.CharField())
        )


class KeyProject(LocalizedNameMixin, models.Model):
    """A key project (重点项目): its investment plan and the indicator of its investment
    completed, its milestones and permits (the stage follows from those reached), its
    physical progress (形象进度), problems."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        DISTRICT = "district", _("区级")

    class Batch(models.TextChoices):
        """The "三个一批" batch the project belongs to this quarter."""

        START = "start", _("开工一批")
        COMPLETE = "complete", _("建成一批")
        OPERATE = "operate", _("投用一批")
        SIGN = "sign", _("签约一批")
        ONGOING = "ongoing", _("在建")

    class Stage(models.TextChoices):
        """Where a project stands, read from its milestones reached (``stage_on``), never
        typed: 谋划 → 前期 (a preparatory step: 签约、立项、用地、规划、施工许可) → 在建 (开工)
        → 建成 → 投用."""

        PLANNING = "planning", _("谋划")
        PREPARING = "preparing", _("前期")
        BUILDING = "building", _("在建")
        COMPLETED = "completed", _("建成")
        IN_USE = "in_use", _("投用")

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices, blank=True)
    core_block = models.ForeignKey(
        CoreBlock,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("核心板块"),
    )
    batch = models.CharField(_("批次"), max_length=20, choices=Batch.choices, blank=True)
    phase = models.CharField(_("期次"), max_length=40, blank=True)
    total_investment = value_field(verbose_name=_("总投资（亿元）"), null=True, blank=True)
    annual_planned_investment = value_field(verbose_name=_("年度计划投资（亿元）"), null=True, blank=True)
    quarter_target_investment = value_field(verbose_name=_("本季度目标投资（亿元）"), null=True, blank=True)
    # The investment plan above is the demo's (the briefing gives no project's figures).
    plan_is_demo = models.BooleanField(_("投资计划为演示数据"), default=False)
    # The project's own investment completed (亿元, an amount entered by its responsible
    # unit through the same write path as every figure); its target is the annual plan.
    investment_indicator = models.OneToOneField(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="investment_of",
        verbose_name=_("完成投资指标"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="key_projects", verbose_name=_("责任单位")
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_projects",
        verbose_name=_("所属目标"),
    )
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="key_projects", verbose_name=_("相关指标")
    )
    source = models.TextField(_("简报原文"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    objects = KeyProjectQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")

    def __str__(self) -> str:
        return self.name

    def stage_on(self, as_of: date | None = None) -> str:
        """The stage (``Stage``) from the milestones reached by ``as_of`` (all reached when
        None): the furthest step reached decides. Reads ``milestones.all()`` (prefetch it)."""
        reached = {
            m.kind
            for m in self.milestones.all()
            if m.actual_date and (as_of is None or m.actual_date <= as_of)
        }
        return stage_of(reached)

    @property
    def stage(self) -> str:
        return self.stage_on(None)

    def get_stage_display(self) -> str:
        return self.Stage(self.stage).label


class RecoveryField(LocalizedNameMixin, models.Model):
    """One of the eight fields (八大领域) of post-flood recovery. The briefing names five."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("灾后重建领域")
        verbose_name_plural = _("灾后重建领域")

    def __str__(self) -> str:
        return self.name


class RecoveryProject(LocalizedNameMixin, models.Model):
    """A post-flood recovery project (灾后重建项目), or a batch of them counted together
    (``planned_count``: e.g. the 25 repair projects led by 雁鸣路 due 2021-10-31)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("谋划中")
        IN_PROGRESS = "in_progress", _("实施中")
        DONE = "done", _("已完成")

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    field = models.ForeignKey(
        RecoveryField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("领域"),
    )
    planned_count = models.PositiveIntegerField(_("项目个数"), null=True, blank=True)
    count_unit = models.CharField(_("计数单位"), max_length=10, default="个")
    investment = value_field(verbose_name=_("投资（亿元）"), null=True, blank=True)
    investment_is_approx = models.BooleanField(_("投资为约数"), default=False)
    bond_projects = models.PositiveIntegerField(_("申报债券项目数"), null=True, blank=True)
    bond_amount = value_field(verbose_name=_("申报债券（亿元）"), null=True, blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="recovery_projects", verbose_name=_("责任单位")
    )
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="recovery_projects", verbose_name=_("相关指标")
    )
    source = models.TextField(_("简报原文"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("灾后重建项目")
        verbose_name_plural = _("灾后重建项目")

    def __str__(self) -> str:
        return self.name


class SafetyCampaign(LocalizedNameMixin, models.Model):
    """A work-safety campaign: one of the 3 special rectification campaigns (专项整治) or
    one of the 7 sweep-inspection areas (拉网式排查整治)."""

    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", _("专项整治")
        SWEEP = "sweep", _("拉网式排查整治")

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="safety_campaigns", verbose_name=_("责任单位")
    )
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="safety_campaigns", verbose_name=_("相关指标")
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["kind", "order", "code"]
        verbose_name = _("安全专项行动")
        verbose_name_plural = _("安全专项行动")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A dated step of a key project: the preparatory steps and permits (签约、立项、用地、
    规划许可、施工许可), then 开工, 建成, 投用, each planned and, once reached, with its
    actual date. The project's stage follows from the steps reached."""

    class Kind(models.TextChoices):
        SIGN = "sign", _("签约")
        APPROVAL = "approval", _("立项审批")
        LAND = "land", _("用地手续")
        PLANNING = "planning", _("规划许可")
        PERMIT = "permit", _("施工许可")
        START = "start", _("开工")
        COMPLETE = "complete", _("建成")
        OPERATE = "operate", _("投用")
        OTHER = "other", _("其他")

    PREPARATORY = ("sign", "approval", "land", "planning", "permit")

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("名称"), max_length=200)
    planned_date = models.DateField(_("计划日期"), null=True, blank=True)
    actual_date = models.DateField(_("实际日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("节点指标"),
    )

    class Meta:
        ordering = ["project", "planned_date", "pk"]
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        constraints = [
            # One step of each kind per project (开工 happens once); "other" steps repeat.
            models.UniqueConstraint(
                fields=["project", "kind"], condition=~Q(kind="other"), name="projects_milestone_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"

    @property
    def is_preparatory(self) -> bool:
        return self.kind in self.PREPARATORY


class ProgressNote(models.Model):
    """The physical progress (形象进度) of a key project on a day, as its responsible
    unit describes it: "主体结构封顶", "完成桩基施工60%" … The latest is the project's
    current one; the earlier ones are its history."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="progress_notes", verbose_name=_("项目")
    )
    date = models.DateField(_("日期"))
    text = models.CharField(_("形象进度"), max_length=500)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now)

    class Meta:
        ordering = ["project", "-date", "-pk"]
        verbose_name = _("形象进度")
        verbose_name_plural = _("形象进度")
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="projects_progressnote_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.date} {self.text}"


class ProblemQuerySet(models.QuerySet):
    def unresolved(self):
        """Problems not yet 已销号 (every status but closed)."""
        return self.exclude(status=Problem.Status.CLOSED)

    def overdue(self, today):
        """Unresolved problems whose deadline is before ``today`` (the product's one clock)."""
        return self.unresolved().filter(due_date__lt=today)

    def for_list(self):
        return self.select_related("department", "key_project", "indicator", "campaign", "recovery_project")


class Problem(models.Model):
    """A problem (问题清单) raised from a key project, an indicator or a safety area: the
    responsible unit rectifies it and asks for 销号; a manager closes it or returns it.
    Status changes only through ``projects.services.move_problem`` (one row of
    ``ProblemEvent`` each)."""

    class Status(models.TextChoices):
        TODO = "todo", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        CLOSE_REQUESTED = "close_requested", _("申请销号")
        CLOSED = "closed", _("已销号")

    class Severity(models.TextChoices):
        GENERAL = "general", _("一般")
        MAJOR = "major", _("较大")
        GRAVE = "grave", _("重大")

    key_project = models.ForeignKey(
        KeyProject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("重点项目"),
    )
    recovery_project = models.ForeignKey(
        RecoveryProject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("灾后重建项目"),
    )
    campaign = models.ForeignKey(
        SafetyCampaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("安全专项行动"),
    )
    # PROTECT: an indicator with problems is not deleted (an open problem follows its
    # indicator into a plan's copy, which a manager might otherwise delete with it).
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("指标"),
    )
    title = models.CharField(_("问题"), max_length=300)
    description = models.TextField(_("详情"), blank=True)
    owner = models.CharField(_("责任人"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="problems", verbose_name=_("责任单位")
    )
    severity = models.CharField(
        _("严重程度"), max_length=20, choices=Severity.choices, default=Severity.GENERAL
    )
    raised_on = models.DateField(_("提出日期"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    due_date = models.DateField(_("整改时限"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.TODO)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        constraints = [
            models.CheckConstraint(
                condition=Q(key_project__isnull=False)
                | Q(recovery_project__isnull=False)
                | Q(campaign__isnull=False)
                | Q(indicator__isnull=False),
                name="projects_problem_has_subject",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="projects_problem_closed_has_date",
            ),
        ]
        indexes = [
            # Problem lists and overdue counts: WHERE status <> 'closed' ORDER BY due_date.
            models.Index(fields=["status", "due_date"], name="projects_problem_open_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        """Deadline before ``today`` and not 已销号."""
        return self.status != self.Status.CLOSED and self.due_date is not None and self.due_date < today

    @property
    def subject(self):
        """What the problem was raised from: a key project, an indicator, a campaign or a
        recovery project."""
        return self.key_project or self.indicator or self.campaign or self.recovery_project


class ProblemEvent(models.Model):
    """One move of a problem (raised, started, 申请销号, 销号, 退回): who, when, from
    which status to which, with its comment. Written by ``projects.services`` only, never
    changed."""

    class Move(models.TextChoices):
        RAISE = "raise", _("提出")
        START = "start", _("开始整改")
        REQUEST_CLOSE = "request_close", _("申请销号")
        CLOSE = "close", _("销号")
        RETURN = "return", _("退回")

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="events", verbose_name=_("问题")
    )
    move = models.CharField(_("操作"), max_length=20, choices=Move.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Problem.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Problem.Status.choices)
    comment = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["problem", "at", "pk"]
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")

    def __str__(self) -> str:
        return f"{self.problem} · {self.get_move_display()}"
