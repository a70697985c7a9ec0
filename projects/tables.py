"""Tables of the project pages (django-tables2). Rows carry figures taken from the
indicators' roll-ups, so a table agrees with every chart and export."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from targets.dashboards.tables import NumberColumn, status_pill
from targets.models import PeriodValue

from .models import Problem


class KeyProjectTable(tables.Table):
    """Key projects: investment completed against the annual plan, milestones planned vs
    actual, the status light (worst linked indicator) and open problems."""

    name = tables.Column(
        verbose_name=_("项目"), linkify=lambda record: reverse("projects:key_detail", args=[record.pk])
    )
    core_block = tables.Column(verbose_name=_("核心板块"), order_by=("core_block__name",), default="—")
    level = tables.Column(verbose_name=_("级别"), accessor="get_level_display", order_by="level", default="—")
    status = tables.Column(verbose_name=_("状态"), accessor="get_status_display", order_by="status")
    department = tables.Column(verbose_name=_("责任单位"), order_by=("department__name",))
    investment_done = NumberColumn(verbose_name=_("完成投资（亿元）"), default="—")
    annual_planned_investment = NumberColumn(verbose_name=_("年度计划（亿元）"), default="—")
    investment_percent = NumberColumn(verbose_name=_("完成率 %"), decimals=1, default="—")
    milestones = tables.Column(
        verbose_name=_("节点（计划/实际）"), accessor="milestone_views", orderable=False, default="—"
    )
    light = tables.Column(verbose_name=_("进度"), order_by="light_order")
    open_problems = tables.Column(verbose_name=_("未解决问题"), attrs={"td": {"class": "num"}})

    class Meta:
        attrs = {"class": "table key-projects"}
        order_by = ()
        # What an official looks for first (name, light, money, milestones) comes first,
        # so a phone shows it without scrolling sideways.
        sequence = (
            "name",
            "light",
            "investment_done",
            "annual_planned_investment",
            "investment_percent",
            "milestones",
            "open_problems",
            "status",
            "core_block",
            "level",
            "department",
        )

    def render_milestones(self, value):
        if not value:
            return "—"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 (a constant)
            '<span class="ms{}">{} {} / {}{}</span>',
            (
                (
                    " ms-late" if m.late else "",
                    m.name,
                    m.planned.strftime("%m-%d") if m.planned else "—",
                    m.actual.strftime("%m-%d") if m.actual else "—",
                    format_html(" <b>{}</b>", m.state) if m.late else "",
                )
                for m in value
            ),
        )

    def value_milestones(self, value):
        return "; ".join(f"{m.name} {m.planned or '—'} / {m.actual or '—'} {m.state}" for m in value or [])

    def render_light(self, value, record):
        return status_pill(value, record.light_label)

    def value_light(self, value, record):
        return str(record.light_label)


STATUS_CSS = {
    Problem.Status.TODO: "red",
    Problem.Status.IN_PROGRESS: "yellow",
    Problem.Status.CLOSE_REQUESTED: "none",
    Problem.Status.CLOSED: "green",
}


class ProblemTable(tables.Table):
    """The problem list (问题清单): subject, unit, severity, deadline, status and whether it
    is overdue (by the one clock, passed in as ``today``). The same table renders the
    page and its XLSX/CSV export."""

    title = tables.Column(
        verbose_name=_("问题"), linkify=lambda record: reverse("problems:detail", args=[record.pk])
    )
    subject = tables.Column(verbose_name=_("所属"), empty_values=(), orderable=False)
    department = tables.Column(verbose_name=_("责任单位"), order_by=("department__name",))
    owner = tables.Column(verbose_name=_("责任人"), default="—")
    severity = tables.Column(verbose_name=_("严重程度"))
    raised_on = tables.DateColumn(verbose_name=_("提出日期"), format="Y-m-d")
    due_date = tables.DateColumn(verbose_name=_("整改时限"), format="Y-m-d", default="—")
    status = tables.Column(verbose_name=_("状态"))
    overdue = tables.Column(verbose_name=_("逾期"), empty_values=(), orderable=False)

    class Meta:
        model = Problem
        fields = ("title", "status", "overdue", "due_date", "severity", "department", "subject", "raised_on")
        sequence = (
            "title",
            "status",
            "overdue",
            "due_date",
            "severity",
            "department",
            "subject",
            "raised_on",
        )
        attrs = {"class": "table problems stack"}
        order_by = ()

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        # On a phone the rows stack (title first, then labelled cells); the overdue pill
        # labels itself.
        for name, column in self.columns.items():
            if name not in ("title", "overdue"):
                column.column.attrs = {**column.column.attrs, "td": {"data-label": str(column.header)}}

    def render_subject(self, record):
        return str(record.subject or "—")

    def render_severity(self, record):
        return record.get_severity_display()

    def render_status(self, record):
        return format_html(
            '<span class="status status-{}">{}</span>', STATUS_CSS[record.status], record.get_status_display()
        )

    def value_status(self, record):
        return str(record.get_status_display())

    def render_overdue(self, record):
        if record.is_overdue(self.today):
            return format_html('<span class="status status-red">{}</span>', _("逾期"))
        return ""

    def value_overdue(self, record):
        return str(_("逾期")) if record.is_overdue(self.today) else ""


class RecoveryTable(tables.Table):
    """Recovery projects and batches by field, as the recovery page lists them: planned
    count, completed (the linked indicator's cumulative roll-up), due date, investment,
    bonds and the status light."""

    field = tables.Column(verbose_name=_("领域"), empty_values=())
    name = tables.Column(verbose_name=_("项目/批次"))
    planned_count = NumberColumn(verbose_name=_("个数"), decimals=0, default="—")
    count_unit = tables.Column(verbose_name=_("单位"), default="")
    done = NumberColumn(verbose_name=_("完成"), accessor="progress_indicator__day_cumulative", default="—")
    done_unit = tables.Column(verbose_name=_("完成单位"), accessor="progress_indicator__unit", default="")
    due_date = tables.DateColumn(verbose_name=_("完成时限"), format="Y-m-d", default="—")
    investment = NumberColumn(verbose_name=_("投资"), default="—")
    bond_projects = NumberColumn(verbose_name=_("申报债券项目"), decimals=0, default="—")
    bond_amount = NumberColumn(verbose_name=_("申报债券"), default="—")
    light = tables.Column(verbose_name=_("进度"))
    department = tables.Column(verbose_name=_("责任单位"), accessor="department__name")

    export_units = {"investment": "亿元", "bond_projects": "个", "bond_amount": "亿元"}

    class Meta:
        attrs = {"class": "table recovery"}
        orderable = False

    def render_field(self, value):
        return value.name if value else _("未分领域")

    def value_field(self, value):
        return str(self.render_field(value))

    def render_light(self, value):
        return status_pill(value)

    def value_light(self, value):
        return PeriodValue.Status(value or PeriodValue.Status.NONE).label


class SafetyTable(tables.Table):
    """The safety campaigns and sweep areas on the as-of date: inspections, hazards found
    and rectified (cumulative roll-ups), rectification rate in %, open and overdue."""

    campaign = tables.Column(verbose_name=_("行动/领域"), accessor="campaign__name")
    kind = tables.Column(verbose_name=_("类型"), accessor="campaign__get_kind_display")
    department = tables.Column(verbose_name=_("责任单位"), accessor="campaign__department__name")
    inspections = NumberColumn(verbose_name=_("检查"), decimals=0, default="—")
    found = NumberColumn(verbose_name=_("发现隐患"), decimals=0, default="—")
    rectified = NumberColumn(verbose_name=_("已整改"), decimals=0, default="—")
    rate = NumberColumn(verbose_name=_("整改率"), decimals=1, default="—")
    open = NumberColumn(verbose_name=_("未整改"), decimals=0, default="—")
    overdue = NumberColumn(verbose_name=_("逾期"), decimals=0, default="—")

    class Meta:
        attrs = {"class": "table safety"}
        orderable = False
