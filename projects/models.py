"""The things being measured: key projects, post-flood recovery projects, safety
campaigns, their milestones and open problems. Progress itself is never stored here:
each links to the ``targets.Indicator`` rows that measure it, so all progress goes
through one roll-up engine."""

from django.conf import settings
from django.db import models
from django.db.models import Q
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


class KeyProject(LocalizedNameMixin, models.Model):
    """A key project (重点项目)."""

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

    class Status(models.TextChoices):
        PLANNED = "planned", _("谋划中")
        SIGNED = "signed", _("已签约")
        UNDER_CONSTRUCTION = "building", _("在建")
        COMPLETED = "completed", _("已建成")
        IN_USE = "in_use", _("已投用")

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
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    total_investment = value_field(verbose_name=_("总投资（亿元）"), null=True, blank=True)
    annual_planned_investment = value_field(verbose_name=_("年度计划投资（亿元）"), null=True, blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划建成"), null=True, blank=True)
    actual_completion = models.DateField(_("实际建成"), null=True, blank=True)
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

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_completion__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_completion__gte=models.F("planned_start")),
                name="projects_keyproject_plan_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    """A dated step of a key project: 开工, 建成, 投用 …"""

    class Kind(models.TextChoices):
        START = "start", _("开工")
        COMPLETE = "complete", _("建成")
        OPERATE = "operate", _("投用")
        OTHER = "other", _("其他")

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("名称"), max_length=200)
    planned_date = models.DateField(_("计划日期"), null=True, blank=True)
    actual_date = models.DateField(_("实际日期"), null=True, blank=True)
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

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


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
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
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
