"""Tables of the project pages (django-tables2). Rows carry figures taken from the
indicators' roll-ups, so a table agrees with every chart and export."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from targets.dashboards.tables import LISTING_TEMPLATE, NumberColumn, cell_attrs, status_pill
from targets.reporting.exports import shown

from .models import Problem


class KeyProjectTable(tables.Table):
    """Key projects: investment completed against the annual plan, milestones planned vs
    actual, the status light (worst linked indicator) and open problems."""

    name = tables.Column(
        verbose_name=_("项目"),
        accessor="display_name",
        order_by=("name",),
        linkify=lambda record: reverse("projects:key_detail", args=[record.pk]),
    )
    core_block = tables.Column(
        verbose_name=_("核心板块"),
        accessor="core_block__display_name",
        order_by=("core_block__name",),
        default="—",
    )
    level = tables.Column(verbose_name=_("级别"), accessor="get_level_display", order_by="level", default="—")
    status = tables.Column(verbose_name=_("状态"), accessor="get_status_display", order_by="status")
    department = tables.Column(
        verbose_name=_("责任单位"), accessor="department__display_name", order_by=("department__name",)
    )
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
    page and its XLSX/CSV export; on a phone its rows stack (title first, labelled cells)."""

    title = tables.Column(
        verbose_name=_("问题"), linkify=lambda record: reverse("problems:detail", args=[record.pk])
    )
    status = tables.Column(verbose_name=_("状态"), attrs=cell_attrs(_("状态")))
    overdue = tables.Column(verbose_name=_("逾期"), empty_values=(), orderable=False)
    due_date = tables.DateColumn(
        verbose_name=_("整改时限"), format="Y-m-d", default="—", attrs=cell_attrs(_("整改时限"))
    )
    severity = tables.Column(verbose_name=_("严重程度"), attrs=cell_attrs(_("严重程度")))
    department = tables.Column(
        verbose_name=_("责任单位"), order_by=("department__name",), attrs=cell_attrs(_("责任单位"))
    )
    owner = tables.Column(verbose_name=_("责任人"), default="—", attrs=cell_attrs(_("责任人")))
    subject = tables.Column(
        verbose_name=_("所属"), empty_values=(), orderable=False, attrs=cell_attrs(_("所属"))
    )
    raised_on = tables.DateColumn(verbose_name=_("提出日期"), format="Y-m-d", attrs=cell_attrs(_("提出日期")))

    class Meta:
        attrs = {"class": "table problems stack"}
        order_by = ()
        template_name = LISTING_TEMPLATE
        empty_text = _("没有符合条件的问题。")

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

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


def _count_column(label) -> tables.Column:
    return tables.Column(verbose_name=label, attrs=cell_attrs(label, num=True))


class ProblemCountTable(tables.Table):
    """Problems per responsible unit (the counts page and its XLSX/CSV): how many in each
    status, not yet 销号 and overdue, with a total row last."""

    name = tables.Column(verbose_name=_("责任单位"))
    todo = _count_column(Problem.Status.TODO.label)
    in_progress = _count_column(Problem.Status.IN_PROGRESS.label)
    close_requested = _count_column(Problem.Status.CLOSE_REQUESTED.label)
    closed = _count_column(Problem.Status.CLOSED.label)
    open = _count_column(_("未销号"))
    overdue = _count_column(_("逾期"))
    total = _count_column(_("合计"))

    class Meta:
        attrs = {"class": "table problem-counts stack"}
        orderable = False
        template_name = LISTING_TEMPLATE
        empty_text = _("没有问题。")
        row_attrs = {"class": lambda record: "total" if record.department is None else ""}


class RecoveryTable(tables.Table):
    """Recovery projects and batches by field (the recovery page and its export): planned
    count, completed (the project's own count indicator's cumulative roll-up; a project
    inside a batch has none), due date, investment, the bonds to apply for (targets) and
    the status light. The page groups the rows under their field's heading and shows
    counts with their units; the file has the field and the units as columns."""

    field = tables.Column(verbose_name=_("领域"), empty_values=(), visible=False)
    name = tables.Column(verbose_name=_("项目/批次"), accessor="display_name")
    planned_count = NumberColumn(
        verbose_name=_("个数"), decimals=0, grouping=False, unit="count_unit", default="—"
    )
    count_unit = tables.Column(verbose_name=_("单位"), default="", visible=False)
    done = NumberColumn(
        verbose_name=_("完成"),
        accessor="progress_indicator__day_cumulative",
        decimals="progress_indicator__decimals",
        grouping=False,
        unit="progress_indicator__unit",
        default="—",
    )
    done_unit = tables.Column(
        verbose_name=_("完成单位"), accessor="progress_indicator__unit", default="", visible=False
    )
    due_date = tables.DateColumn(verbose_name=_("完成时限"), format="Y-m-d", default="—")
    investment = NumberColumn(verbose_name=_("投资（亿元）"), grouping=False, default="—")
    # The page shows a project's bonds in one cell ("81个 / 14.20亿元"), the file in two
    # numeric columns.
    bonds = tables.Column(
        verbose_name=_("申报债券（目标）"),
        empty_values=(),
        exclude_from_export=True,
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )
    bond_projects = NumberColumn(
        verbose_name=_("申报债券项目（目标）"), decimals=0, default="—", visible=False
    )
    bond_amount = NumberColumn(verbose_name=_("申报债券资金（目标）"), default="—", visible=False)
    light = tables.Column(verbose_name=_("进度"))
    department = tables.Column(verbose_name=_("责任单位"), accessor="department__display_name")

    export_units = {"bond_projects": "个", "bond_amount": "亿元"}

    class Meta:
        attrs = {"class": "table recovery"}
        row_attrs = {"id": lambda record: f"recovery-{record.code}"}
        orderable = False
        template_name = "projects/_recovery_table.html"

    def __init__(self, *args, fields=(), as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = list(fields)
        self.as_of = as_of

    def groups(self) -> list[tuple[str, list]]:
        """(field name, its rows) for every field, in order, then the projects without one:
        the page's groups (a field with no project yet is listed, empty)."""
        by_field: dict = {}
        for row in self.rows:
            by_field.setdefault(row.record.field_id, []).append(row)
        groups = [(f.display_name, by_field.get(f.pk, [])) for f in self.fields]
        if None in by_field:
            groups.append((_("未分领域"), by_field[None]))
        return groups

    def render_field(self, value):
        return value.display_name if value else _("未分领域")

    def value_field(self, value):
        return str(self.render_field(value))

    def render_planned_count(self, value, record, column):
        if not value:
            return "—"
        return column.render(value, record)

    def value_planned_count(self, value):
        return value

    def render_done(self, value, record, column):
        url = reverse("indicator_detail", args=[record.progress_indicator.pk])
        if self.as_of:
            url += f"?as_of={self.as_of:%Y-%m-%d}"
        return format_html('<a href="{}">{}</a>', url, column.render(value, record))

    def value_done(self, value):
        return value

    def render_investment(self, value, record, column):
        return ("≈" if record.investment_is_approx else "") + column.text(value, record)

    def value_investment(self, value):
        return value

    def render_bonds(self, record):
        if not (record.bond_projects or record.bond_amount):
            return "—"
        amount = "—" if record.bond_amount is None else f"{shown(record.bond_amount, 2):.2f}"
        return _("%(n)s个 / %(a)s亿元") % {"n": record.bond_projects or "—", "a": amount}

    def render_light(self, value, record):
        return status_pill(value, record.light_label)

    def value_light(self, value, record):
        return str(record.light_label)


class SafetyTable(tables.Table):
    """The safety campaigns and sweep areas on the as-of date (the safety page and its
    export): inspections, hazards found and rectified (cumulative roll-ups), rectification
    rate in %, open and overdue. On a phone the rows stack, each figure with its label."""

    campaign = tables.Column(verbose_name=_("行动/领域"), accessor="campaign__display_name")
    kind = tables.Column(verbose_name=_("类型"), accessor="campaign__get_kind_display")
    department = tables.Column(
        verbose_name=_("责任单位"), accessor="campaign__department__display_name", visible=False
    )
    inspections = NumberColumn(
        verbose_name=_("检查"), decimals=0, grouping=False, default="—", attrs=cell_attrs(_("检查"), num=True)
    )
    found = NumberColumn(
        verbose_name=_("发现隐患"),
        decimals=0,
        grouping=False,
        default="—",
        attrs=cell_attrs(_("发现隐患"), num=True),
    )
    rectified = NumberColumn(
        verbose_name=_("已整改"),
        decimals=0,
        grouping=False,
        default="—",
        attrs=cell_attrs(_("已整改"), num=True),
    )
    rate = NumberColumn(
        verbose_name=_("累计整改率"),
        decimals=1,
        grouping=False,
        default="—",
        attrs=cell_attrs(_("累计整改率"), num=True),
    )
    open = NumberColumn(
        verbose_name=_("未整改"),
        decimals=0,
        grouping=False,
        default="—",
        attrs=cell_attrs(_("未整改"), num=True),
    )
    overdue = NumberColumn(
        verbose_name=_("逾期"), decimals=0, grouping=False, default="—", attrs=cell_attrs(_("逾期"), num=True)
    )

    class Meta:
        attrs = {"class": "table safety stack"}
        orderable = False
        template_name = LISTING_TEMPLATE
        empty_text = _("尚无安全专项行动。")

    def __init__(self, areas, **kwargs):
        """``areas`` from ``projects.selectors.safety_areas``; the overdue column only when
        some area counts overdue hazards; units in the file's headers from the indicators."""
        if not any(area.overdue is not None for area in areas):
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "overdue")
        super().__init__(areas, **kwargs)
        units = {}
        for area in areas:
            for role, indicator in area.measures.items():
                units.setdefault(role, indicator.unit)
        units["open"] = units.get("found", "")
        units["rate"] = "%"
        self.export_units = units

    def render_campaign(self, value, record):
        return format_html('<a href="#campaign-{}">{}</a>', record.campaign.code, value)

    def value_campaign(self, value):
        return value

    def render_rate(self, value, record, column):
        return column.text(value, record) + "%"

    def value_rate(self, value):
        return value
