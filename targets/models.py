"""The measurement core: departments, the goal tree, indicators, daily entries, weekly
submissions and the roll-up rows every page reads.

Figures are Decimal with 4 places (亿元 to the 万元). SQLite keeps DECIMAL as a float, so
roll-up SQL sums ROUND(value × 10⁴) as integers to stay exact on both databases.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import periods

VALUE_DIGITS = 18
VALUE_PLACES = 4

# Units of the briefing's figures in English; a unit not listed shows as entered.
UNITS_EN = {
    "亿元": " 100M yuan",
    "万元": " 10k yuan",
    "个": "",
    "项": "",
    "处": " sites",
    "户": " households",
    "次": " times",
    "%": "%",
}
# Counted units: their figures are whole numbers (a plan to date, a pace, may not be).
COUNT_UNITS = frozenset({"个", "项", "处", "户", "次", "家", "场", "人"})


def english() -> bool:
    return (get_language() or "").startswith("en")


def localized_name(name: str, name_en: str) -> str:
    """The English name in English where there is one, else the Chinese name."""
    return name_en if name_en and english() else name


def localized_unit(unit: str) -> str:
    """The unit as written after a figure, in the active language."""
    return UNITS_EN.get(unit, unit) if english() else unit


class LocalizedNameMixin:
    """``display_name``: what pages, tables, charts, exports and reports show."""

    @property
    def display_name(self) -> str:
        return localized_name(self.name, self.name_en)


def value_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs)


class PlanQuerySet(models.QuerySet):
    def visible(self):
        """Plans pages may show: published and closed ones (drafts only in the editor)."""
        return self.exclude(status=Plan.Status.DRAFT)

    def covering(self, day: date):
        """Published or closed plans whose period contains ``day``: the latest start first,
        then the earliest end (a quarter's plan before its year's)."""
        return self.visible().filter(start__lte=day, end__gte=day).order_by("-start", "end", "pk")

    def for_day(self, day: date) -> "Plan | None":
        """The plan a page shows by default for ``day``: the first plan covering it; else
        the latest one that ended before it; else the first one to come."""
        visible = self.visible()
        return (
            self.covering(day).first()
            or visible.filter(end__lt=day).order_by("-end", "-start", "pk").first()
            or visible.order_by("start", "end", "pk").first()
        )


class Plan(models.Model):
    """A work plan (工作计划 / 目标任务书): a period (a quarter, a year or any date range),
    its title and source document. Goals and indicators belong to a plan. Drafts are
    written by managers; a published plan is in force; a closed one is read only."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年度")
        RANGE = "range", _("自定义期间")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已关闭")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    title_en = models.CharField(_("英文标题"), max_length=300, blank=True)
    kind = models.CharField(_("期间类型"), max_length=20, choices=Kind.choices, default=Kind.QUARTER)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    source = models.TextField(_("来源文件"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("复制自"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "end", "code"]
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="targets_plan_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return localized_name(self.title, self.title_en)

    @property
    def period(self) -> tuple[date, date]:
        return self.start, self.end

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("结束日期不能早于开始日期。")})


class Department(LocalizedNameMixin, models.Model):
    """A responsible unit (责任单位). The briefing names none: the seeded ones are an
    editable assumption (``is_assumption``)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    is_assumption = models.BooleanField(
        _("假设"), default=False, help_text=_("简报未点名责任单位：此单位为可修改的假设。")
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")

    def __str__(self) -> str:
        return self.name


class Goal(LocalizedNameMixin, models.Model):
    """A node of the goal tree: the framework (三个高地/两个中心/一个新城 and their six
    goals), the briefing's five sections, and the work lines under each section."""

    class Level(models.TextChoices):
        FRAMEWORK = "framework", _("总体框架")
        SECTION = "section", _("工作板块")
        LINE = "line", _("工作线")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("工作计划"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    # A work line feeds one or more framework goals (e.g. 中原科技城 → 创新高地, 人才高地).
    supports = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="supported_by",
        verbose_name=_("支撑目标"),
    )
    description = models.TextField(_("说明"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="targets_goal_code_per_plan"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A sub-goal belongs to its parent's plan.
        if self.plan_id is None and self.parent_id is not None:
            self.plan_id = self.parent.plan_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.parent_id and self.plan_id and self.parent.plan_id != self.plan_id:
            raise ValidationError({"parent": _("上级目标须属于同一工作计划。")})


class IndicatorQuerySet(models.QuerySet):
    def for_dashboard(self):
        """Indicators with what a dashboard row shows, in two queries whatever the count."""
        return self.select_related("department", "goal", "goal__parent")

    def for_department(self, department):
        return self.filter(department=department)

    def for_plan(self, plan):
        return self.filter(plan=plan)


class Indicator(LocalizedNameMixin, models.Model):
    """A measured target. Its plan runs from ``plan_start`` to ``plan_end``; its progress
    comes from daily ``Entry`` rows rolled up into ``PeriodValue`` rows."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("累计量")  # sum of its days
        LEVEL = "level", _("存量")  # latest value in the period
        MILESTONE = "milestone", _("节点")  # done date, if any
        RATIO = "ratio", _("比率")  # numerator ÷ denominator, both amounts
        SUM = "sum", _("汇总")  # the sum of its parts' figures (amounts), never entered

    class Cadence(models.TextChoices):
        # How often a figure is reported; each figure is dated on its period's last day.
        DAILY = periods.DAILY, _("每日")
        WEEKLY = periods.WEEKLY, _("每周")
        DEKAD = periods.DEKADAL, _("每旬")
        MONTHLY = periods.MONTHLY, _("每月")
        ONCE = periods.ONCE, _("一次性/节点")

    class Op(models.TextChoices):
        EQ = "eq", "="
        GTE = "gte", "≥"
        APPROX = "approx", "≈"

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("工作计划")
    )
    code = models.SlugField(_("代码"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # Figures entered before cadences existed (one a day) stay on their days and are read
    # as before; new ones must fall on a period end of the cadence.
    cadence = models.CharField(
        _("填报频次"),
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.DAILY,
        help_text=_("每期填报一次，数值记在该期最后一天。"),
    )
    target_value = value_field(verbose_name=_("目标值"), null=True, blank=True)
    target_op = models.CharField(_("目标关系"), max_length=10, choices=Op.choices, default=Op.EQ)
    plan_start = models.DateField(_("计划开始"))
    plan_end = models.DateField(_("计划完成"))
    # Figures are entered from tracking_start on (default: plan_start). A full-year target
    # tracked from 1 October carries what was done before as opening_value: the cumulative
    # actual up to the day before tracking_start (截至9月30日累计完成), if known.
    tracking_start = models.DateField(_("开始跟踪"), null=True, blank=True)
    opening_value = value_field(verbose_name=_("期初累计"), null=True, blank=True)
    opening_is_demo = models.BooleanField(_("期初为演示数据"), default=False)
    # Optional monthly weights {"2021-10": "0.30", ...}; even spread over days when empty.
    monthly_weights = models.JSONField(_("月度权重"), null=True, blank=True)
    min_value = value_field(verbose_name=_("最小值"), default=Decimal("0"), null=True, blank=True)
    max_value = value_field(verbose_name=_("最大值"), null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=0)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("责任单位")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("所属目标")
    )
    numerator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分子指标"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分母指标"),
    )
    # A sum (汇总): its figures are its parts' added up, period by period (targets.rollups).
    parts = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="sums", verbose_name=_("组成指标")
    )
    # A sum checked against a total someone reports (the district's 433.2亿元): pages show
    # both with the difference.
    reconciles = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reconciled_by",
        verbose_name=_("核对的上报总数"),
    )
    source = models.TextField(_("简报原文"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    objects = IndicatorQuerySet.as_manager()

    # Kinds whose figures are computed from other indicators, never entered.
    COMPUTED_KINDS = ("ratio", "sum")

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            # Also the index of every page's "this plan's indicators" query.
            models.UniqueConstraint(fields=["plan", "code"], name="targets_indicator_code_per_plan"),
            models.CheckConstraint(
                condition=Q(plan_end__gte=models.F("plan_start")),
                name="targets_indicator_plan_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="ratio") | Q(numerator__isnull=False, denominator__isnull=False),
                name="targets_indicator_ratio_has_parts",
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="targets_indicator_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}"

    def save(self, *args, **kwargs):
        # Every path that moves an indicator (admin form, seed, shell) saves it: the
        # approved-week lock must hold on all of them, not only on forms that call clean().
        # An indicator belongs to its goal's plan.
        if self.plan_id is None and self.goal_id is not None:
            self.plan_id = self.goal.plan_id
        update_fields = kwargs.get("update_fields")
        if (update_fields is None or "department" in update_fields) and (
            message := self.department_move_refusal()
        ):
            raise ValidationError({"department": message})
        super().save(*args, **kwargs)

    def clean(self):
        if self.plan_start and self.plan_end and self.plan_end < self.plan_start:
            raise ValidationError({"plan_end": _("计划完成日期不能早于计划开始日期。")})
        if self.cadence == self.Cadence.ONCE and self.kind != self.Kind.MILESTONE:
            raise ValidationError({"cadence": _("一次性/节点频次只用于节点指标。")})
        if self.kind == self.Kind.RATIO and not (self.numerator_id and self.denominator_id):
            raise ValidationError(_("比率指标需要分子和分母指标。"))
        if self.reconciles_id and self.kind != self.Kind.SUM:
            raise ValidationError({"reconciles": _("只有汇总指标可以核对上报总数。")})
        plan_id = self.plan_id or (self.goal.plan_id if self.goal_id else None)
        if self.goal_id and plan_id and self.goal.plan_id != plan_id:
            raise ValidationError({"goal": _("所属目标须属于同一工作计划。")})
        if message := self.department_move_refusal():
            raise ValidationError({"department": message})

    def department_move_refusal(self) -> str:
        """Why the indicator may not move to ``self.department`` (``""`` if it may).

        A week is locked per department (``Submission``). Moving an indicator whose
        figures lie in a week approved under its stored department would put them under
        the new department's week, unlocked; moving figures into a week the new
        department has approved would add them to an approval that never saw them. So a
        move is refused while any of its figures lies in an approved week of either
        department; a manager unlocks those weeks first (with a reason)."""
        if self.pk is None or self.department_id is None:
            return ""
        stored = Indicator.objects.filter(pk=self.pk).values_list("department_id", flat=True).first()
        if stored is None or stored == self.department_id:
            return ""
        mondays = {
            periods.week_start(day)
            for day in Entry.objects.filter(indicator_id=self.pk).values_list("date", flat=True)
        }
        locked = (
            Submission.objects.filter(
                status=Submission.Status.APPROVED,
                department_id__in=(stored, self.department_id),
                week_start__in=mondays,
            )
            .select_related("department")
            .order_by("week_start", "department__order")
        )
        weeks = [f"{s.department.name} {s.week_start:%Y-%m-%d}" for s in locked[:4]]
        if not weeks:
            return ""
        shown = "、".join(weeks[:3]) + ("等" if len(weeks) > 3 else "")
        return _(
            "该指标在已审核锁定的周内有数据（%(weeks)s），不能更换责任单位；请先由管理员解锁这些周，再更换。"
        ) % {"weeks": shown}

    @property
    def display_unit(self) -> str:
        return localized_unit(self.unit)

    @property
    def is_computed(self) -> bool:
        """Figures computed from other indicators (a ratio, a sum): nobody enters them."""
        return self.kind in self.COMPUTED_KINDS

    def parts_refusal(self, parts) -> str:
        """Why ``parts`` may not be this sum's parts (``""`` if they may): a sum adds up
        amounts in its own unit over its own plan period, so every period of the sum is
        exactly the sum of the same period of its parts."""
        for part in parts:
            if part.pk == self.pk or part.kind != self.Kind.AMOUNT:
                return _("汇总指标的组成指标必须是累计量指标：%(name)s") % {"name": part.name}
            if part.unit != self.unit:
                return _("组成指标的单位须与汇总指标相同：%(name)s") % {"name": part.name}
            if (part.plan_start, part.plan_end, part.entry_start) != (
                self.plan_start,
                self.plan_end,
                self.entry_start,
            ):
                return _("组成指标的计划期和开始跟踪日须与汇总指标相同：%(name)s") % {"name": part.name}
        return ""

    @property
    def is_count(self) -> bool:
        """Counted in whole things (个, 项, 处, 户 …): its figures show as integers."""
        return self.unit in COUNT_UNITS

    @property
    def has_plan(self) -> bool:
        """Whether its figures have a plan to compare with: a target, or a milestone's due
        day. Without one the roll-up's plan columns hold 0; pages show — and the API null."""
        return self.kind == self.Kind.MILESTONE or self.target_value is not None

    @property
    def target_display(self) -> str:
        if self.target_value is None:
            return ""
        op = {"eq": "", "gte": "≥", "approx": "≈"}[self.target_op]
        return f"{op}{self.target_value.normalize():f}{self.display_unit}"

    @property
    def entry_start(self) -> date:
        """First day a figure may be entered for."""
        return self.tracking_start or self.plan_start

    def in_plan(self, day: date) -> bool:
        """Whether a figure may be entered for ``day``."""
        return self.entry_start <= day <= self.plan_end

    def takes_figure_on(self, day: date) -> bool:
        """Whether a figure may be dated on ``day``: in the entry window and the last day
        of a period of the indicator's cadence, or the plan's last day (the last period,
        cut short by the plan's end: a weekly plan ending on Friday 31 December reports
        its last week on that Friday)."""
        return self.in_plan(day) and (day == self.plan_end or periods.is_period_end(self.cadence, day))

    def report_days(self, first: date, last: date) -> list[date]:
        """The days in [first, last] a figure may be dated on (``takes_figure_on``)."""
        return [day for day in periods.days_between(first, last) if self.takes_figure_on(day)]

    @property
    def is_stock(self) -> bool:
        """A level: entered as the figure at the period's end (截至本期末), not summed."""
        return self.kind == self.Kind.LEVEL


class UserProfile(models.Model):
    """Which department a clerk reports for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("责任单位"),
    )

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return f"{self.user} · {self.department or '-'}"


class Entry(models.Model):
    """One figure: an indicator's value on one day. Edited in place; every change is kept
    in the history table (who, when, old, new, reason)."""

    # No index of its own: the unique (indicator, date) index below starts with it. With a
    # second one, PostgreSQL read a 旬's entries through the indicator alone (every day of
    # the indicator, filtered), 30 times slower than the range scan on both columns.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="entries", verbose_name=_("指标"), db_index=False
    )
    date = models.DateField(_("日期"))
    value = value_field(verbose_name=_("数值"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    # Optimistic locking: a write must carry the version it read.
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = _("填报数据")
        verbose_name_plural = _("填报数据")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="targets_entry_one_per_day"),
        ]
        # The unique constraint's index also serves the roll-up's range scan
        # (WHERE indicator_id IN … AND date BETWEEN …).

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.date} = {self.value}"


class Submission(models.Model):
    """A department's week of figures (Monday–Sunday): draft → submitted → approved, or
    returned. An approved week is locked until a manager unlocks it with a reason."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("责任单位")
    )
    week_start = models.DateField(_("周一"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("审核意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Kept through returns and resubmissions: timeliness counts from the first submission.
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-week_start", "department"]
        verbose_name = _("周报")
        verbose_name_plural = _("周报")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "week_start"], name="targets_submission_one_per_week"
            ),
        ]
        indexes = [
            # The managers' queue: WHERE status = 'submitted' ORDER BY week_start.
            models.Index(fields=["status", "week_start"], name="targets_sub_status_week"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.week_start}"

    def clean(self):
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": _("周报必须从周一开始。")})

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class SubmissionEvent(models.Model):
    """One move of a week (submit, approve, return, unlock): who, when, from which status
    to which, and the comment or reason given with it. Written by
    ``targets.services.move_week`` and never changed, so every move keeps its own comment
    (an unlock's reason no longer hides the approval's comment)."""

    class Move(models.TextChoices):
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        UNLOCK = "unlock", _("解锁")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("周报")
    )
    move = models.CharField(_("操作"), max_length=20, choices=Move.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Submission.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Submission.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    comment = models.TextField(_("意见或原因"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("周报记录")
        verbose_name_plural = _("周报记录")
        indexes = [
            # A week's history on the week and approvals pages: WHERE submission_id IN (…)
            # ORDER BY at.
            models.Index(fields=["submission", "at"], name="targets_subevent_sub_at"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.move} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A week's history is never changed.")
        super().save(*args, **kwargs)


class PeriodValue(models.Model):
    """One indicator over one period (旬, month, quarter, year): actual and plan, for the
    period and cumulative from plan start. Written only by ``targets.rollups``; read by
    every page, the API and every export. Days are not stored: ``rollups.day_values``
    reads them (the ``DAY`` choice names them in the API and the pages)."""

    class PeriodType(models.TextChoices):
        DAY = "day", _("日")
        DEKAD = "dekad", _("旬")
        MONTH = "month", _("月")
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年")

    class Status(models.TextChoices):
        GREEN = "green", _("同步/超前")
        YELLOW = "yellow", _("滞后")
        RED = "red", _("严重滞后")
        NONE = "none", _("无计划")

    # Derived rows, written a million at a time by the roll-up from existing indicators only;
    # Django cascades an indicator's deletion itself. No per-row database foreign-key check
    # (it doubled a full rebuild's time) and no separate index: the unique constraint's
    # (indicator, period_type, period_start) index serves every lookup by indicator.
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="period_values",
        db_constraint=False,
        db_index=False,
    )
    period_type = models.CharField(max_length=10, choices=PeriodType.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    actual = value_field(null=True, blank=True)
    cumulative_actual = value_field(null=True, blank=True)
    planned = value_field(default=Decimal("0"))
    cumulative_planned = value_field(default=Decimal("0"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NONE)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "period_type", "period_start"]
        verbose_name = _("汇总值")
        verbose_name_plural = _("汇总值")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_type", "period_start"],
                name="targets_periodvalue_one_per_period",
            ),
        ]
        indexes = [
            # Dashboards: every indicator's row for one period, WHERE period_type = … AND
            # period_start = ….
            models.Index(fields=["period_type", "period_start"], name="targets_pv_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_type} {self.period_start}"


class RollupStamp(models.Model):
    """How far an indicator's roll-up has caught up with its entries, whatever happened to
    the queued task (a broker that was down, a worker killed whole).

    Every save counts the entries it changed into ``saved`` and widens the span of days
    still to roll up, in the save's own transaction; a refresh reads ``saved`` before it
    reads any entry, and on commit writes that count into ``rolled_up``. So
    ``saved > rolled_up`` says exactly "figures saved that the roll-up has not seen": the
    pages say so (数据更新中), and the next refresh of the indicator, the catch-up task or
    the nightly job covers the whole span."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, primary_key=True, related_name="rollup_stamp"
    )
    saved = models.PositiveBigIntegerField(default=0)  # entries changed, ever
    rolled_up = models.PositiveBigIntegerField(default=0)  # of those, seen by a committed roll-up
    saved_at = models.DateTimeField(null=True, blank=True)  # the last save
    # Days changed since the roll-up last caught up (empty when it has).
    pending_from = models.DateField(null=True, blank=True)
    pending_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")
        # No index beyond the key: one row per indicator (a few thousand at most), read
        # whole by the "pending" count and the catch-up task.
        constraints = [
            models.CheckConstraint(
                condition=Q(rolled_up__lte=models.F("saved")), name="targets_rollupstamp_rolled_up_lte_saved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.rolled_up}/{self.saved}"


class AuditEvent(models.Model):
    """An append-only record of what people did: logins, failed logins, approvals,
    unlocks, exports, imports. The app writes these rows and never changes them."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=40)
    target = models.CharField(_("对象"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [
            # The audit page: WHERE action = … ORDER BY at DESC.
            models.Index(fields=["action", "at"], name="targets_audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted.")


def _report_path(report: "Report", filename: str) -> str:
    return f"reports/{report.kind}/{filename}"


class Report(models.Model):
    """A progress report's PDF kept in the archive (week, month or quarter). The weekly one
    is built every Monday by Celery beat; managers may also archive one by hand. Files
    live under MEDIA_ROOT but are served only through a login- and role-checked view."""

    class Kind(models.TextChoices):
        WEEK = "week", _("周报")
        MONTH = "month", _("月报")
        QUARTER = "quarter", _("季报")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    as_of = models.DateField(_("数据截至"))
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_report_path, max_length=300)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        indexes = [
            # The archive page: ORDER BY created_at DESC (optionally WHERE kind = …).
            models.Index(fields=["kind", "created_at"], name="targets_report_kind_created"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgressNote(models.Model):
    """进展·问题·措施: what a responsible unit says about one indicator for one week (or
    the indicator's period): progress made, the problem holding it back, the next steps.
    Required at submission for an indicator behind time progress (滞后, 严重滞后), optional
    for the rest. Never edited: a new text is a new row, so the history stays and the
    latest row is the current word (``services.record_progress_notes``)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="progress_notes", verbose_name=_("指标")
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    progress = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    measures = models.TextField(_("下步措施"), blank=True)
    # The indicator's time-progress status when the note was written (PeriodValue.Status).
    status = models.CharField(_("当时状态"), max_length=10, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填写人"),
    )
    # The product's clock (``targets.clock.now``, set by the service), like a week's moves.
    created_at = models.DateTimeField(_("填写时间"), default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-created_at", "-pk"]
        verbose_name = _("进展·问题·措施")
        verbose_name_plural = _("进展·问题·措施")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="targets_progressnote_period_ordered",
            ),
        ]
        indexes = [
            # An indicator's notes, latest first (indicator page, overview, reports, review):
            # WHERE indicator_id IN (…) AND period_start <= … ORDER BY period_start DESC.
            models.Index(fields=["indicator", "period_start"], name="targets_note_ind_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A progress note is never changed: write a new one.")
        super().save(*args, **kwargs)

    @property
    def status_label(self) -> str:
        return PeriodValue.Status(self.status).label if self.status else ""

    @property
    def period_text(self) -> str:
        return f"{self.period_start:%Y-%m-%d} – {self.period_end:%m-%d}"
