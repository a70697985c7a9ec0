"""django-tables2 tables of the dashboards. Each reads rows already taken from
``PeriodValue`` (never raw entries), so a table shows the same numbers as its chart.

One table per listing: the same class renders the page (``{% render_table %}`` with
``LISTING_TEMPLATE``) and the managers' XLSX/CSV (``exports.table_response``), so the page
and the file cannot disagree on columns. A column the page shows in another form (a unit
after the figure, a heading over a group of rows) is in the file as a column of its own
(``visible=False``); markup (status pills, links) is the page's, the file gets the text."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import A

from targets.models import Goal, PeriodValue
from targets.reporting.exports import shown

# Our listing template: the site's table markup (no wrapper; the page wraps it in a
# ``.table-wrap``), cells labelled for the stacked phone layout by their ``data-label``.
LISTING_TEMPLATE = "tables/listing.html"


def status_pill(status: str, label: str | None = None) -> str:
    """A status as coloured pill WITH its text (never colour alone); ``label`` instead of
    the status's own (a milestone not yet due says so rather than "no plan")."""
    label = label or PeriodValue.Status(status or PeriodValue.Status.NONE).label
    return format_html('<span class="status status-{}">{}</span>', status or "none", label)


def cell_attrs(label=None, *, num: bool = False, **td) -> dict:
    """``th``/``td`` attributes of a column: right-aligned figures (``num``) and the label
    a phone shows before the cell when rows stack (``table.stack``)."""
    if num:
        td["class"] = " ".join(filter(None, ("num", td.get("class"))))
    if label is not None:
        td["data-label"] = label
    return {"th": {"class": "num"} if num else {}, "td": td}


class NumberColumn(tables.Column):
    """A right-aligned figure shown with a fixed number of places, half up.

    ``decimals``: the places, or the accessor of the record's own (``"decimals"``: each
    indicator has its own). ``grouping``: thousands separators. ``unit``: the accessor of a
    unit shown after the figure on the page (the file has the unit in a column or header of
    its own). The export gets the figure itself; the CSV rounds it to the places shown."""

    def __init__(
        self, *args, decimals: int | str = 2, grouping: bool = True, unit: str | None = None, **kwargs
    ):
        self.decimals = decimals
        self.grouping = grouping
        self.unit = unit
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "num"})
        attrs.setdefault("th", {"class": "num"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def decimals_for(self, record) -> int:
        if isinstance(self.decimals, int):
            return self.decimals
        return A(self.decimals).resolve(record, quiet=True) or 0

    def text(self, value, record) -> str:
        """The figure as the page shows it, without its unit."""
        decimals = self.decimals_for(record)
        return format(shown(value, decimals), f"{',' if self.grouping else ''}.{decimals}f")

    def render(self, value, record):
        unit = A(self.unit).resolve(record, quiet=True) if self.unit else None
        return self.text(value, record) + (unit or "")

    def value(self, value):
        return value


class PeriodValueTable(tables.Table):
    """One indicator's periods (days, 旬, months or quarters): plan and actual, for the
    period and cumulative, and the time-progress status."""

    label = tables.Column(verbose_name=_("期间"), order_by=("period_start",))
    planned = NumberColumn(verbose_name=_("计划"))
    actual = NumberColumn(verbose_name=_("完成"))
    cumulative_planned = NumberColumn(verbose_name=_("累计计划"))
    cumulative_actual = NumberColumn(verbose_name=_("累计完成"))
    status = tables.Column(verbose_name=_("状态"))
    # A view finer than the indicator's cadence rests on the last report before its end.
    reported_through = tables.Column(verbose_name=_("数据依据"), default="")

    class Meta:
        attrs = {"class": "table periods"}
        orderable = False

    FIGURES = ("planned", "actual", "cumulative_planned", "cumulative_actual")

    def __init__(self, *args, decimals: int = 2, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.FIGURES:
            self.columns[name].column.decimals = decimals
        self.export_units = {name: unit for name in self.FIGURES}

    def render_status(self, value):
        return status_pill(value)

    def value_status(self, value):
        if value is None:  # a period after the as-of date: not judged yet
            return ""
        return PeriodValue.Status(value).label

    def render_reported_through(self, value):
        return _("截至最近一次填报（%(day)s）") % {"day": value.isoformat()}

    def value_reported_through(self, value):
        return self.render_reported_through(value) if value else ""


class IndicatorTable(tables.Table):
    """Indicators with their as-of figures (``selectors.Row``, from the day's PeriodValue):
    the goal tree (one table per goal), a department's page, a key project's and the
    recovery page, and the managers' export of the first two. The page shows a figure with
    its unit; the file keeps figures as numbers, with the unit, the code and the goal (the
    page's heading) as columns of their own."""

    code = tables.Column(verbose_name=_("编码"), visible=False)
    goal = tables.Column(verbose_name=_("目标任务"), accessor="goal_id", visible=False)
    name = tables.Column(verbose_name=_("指标"))
    unit = tables.Column(verbose_name=_("单位"), visible=False)
    target_value = tables.Column(verbose_name=_("目标"), default="—", attrs=cell_attrs(_("目标"), num=True))
    cumulative_actual = NumberColumn(
        verbose_name=_("累计完成"),
        decimals="decimals",
        grouping=False,
        unit="unit",
        default="—",
        attrs=cell_attrs(_("累计完成"), num=True),
    )
    cumulative_planned = NumberColumn(
        verbose_name=_("累计计划"), decimals="plan_decimals", grouping=False, default="—", visible=False
    )
    plan_percent = NumberColumn(
        verbose_name=_("完成/计划"),
        decimals=1,
        grouping=False,
        default="—",
        attrs=cell_attrs(_("完成/计划"), num=True),
    )
    status = tables.Column(verbose_name=_("状态"))
    plan_end = tables.DateColumn(verbose_name=_("时限"), format="Y-m-d", attrs=cell_attrs(_("时限")))
    department_name = tables.Column(verbose_name=_("责任单位"), attrs=cell_attrs(_("责任单位")))

    export_units = {"plan_percent": "%"}

    class Meta:
        attrs = {"class": "table indicators stack"}
        orderable = False
        template_name = LISTING_TEMPLATE

    def __init__(self, *args, goal_names: dict[int, str] | None = None, as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._goal_names = goal_names
        self.as_of = as_of

    @property
    def goal_names(self) -> dict[int, str]:
        """Goal names by id, read once and only if a cell needs them (the file's column)."""
        if self._goal_names is None:
            self._goal_names = {goal.pk: goal.display_name for goal in Goal.objects.all()}
        return self._goal_names

    def render_name(self, value, record):
        url = reverse("indicator_detail", args=[record.id])
        if self.as_of:
            url += f"?as_of={self.as_of:%Y-%m-%d}"
        link = format_html('<a href="{}">{}</a>', url, value)
        if getattr(record, "continued_label", ""):  # running on from an earlier plan
            return format_html('{} <small class="muted continued">{}</small>', link, record.continued_label)
        return link

    def value_name(self, value):
        return value

    def render_goal(self, value):
        return self.goal_names.get(value, "—")

    def value_goal(self, value):
        return self.goal_names.get(value, "")

    def render_target_value(self, record):
        return f"{record.target_display}{record.unit}"  # "≈15亿元", "≥50个": the target as set

    def render_cumulative_actual(self, value, record, column):
        if record.kind == "milestone":
            return record.cumulative_text  # 已完成（2021-10-28） / 未完成, never 1 / 0
        return column.render(value, record)

    def value_cumulative_actual(self, value, record):
        return record.cumulative_text if record.kind == "milestone" else value  # as the page says

    def value_target_value(self, value):
        return value

    def render_plan_percent(self, value, record, column):
        return column.text(value, record) + "%"

    def value_plan_percent(self, value):
        return value

    def render_status(self, value, record):
        return status_pill(value, record.status_label)

    def value_status(self, value, record):
        return str(record.status_label)

    def render_department_name(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("department_detail", args=[record.department_code]), value
        )

    def value_department_name(self, value):
        return value


class TimelinessTable(tables.Table):
    """The quarter's reporting timeliness per department (the timeliness page and its
    export): owed weeks on time, late, missing and not yet due, and each week (coloured
    chips on the page, "2021-09-27 按时；…" in the file)."""

    department = tables.Column(verbose_name=_("责任单位"), accessor="department__display_name")
    due = tables.Column(verbose_name=_("应报周数"), attrs=cell_attrs(_("应报周数"), num=True))
    on_time = tables.Column(verbose_name=_("按时"), attrs=cell_attrs(_("按时"), num=True))
    late = tables.Column(verbose_name=_("逾期提交"), attrs=cell_attrs(_("逾期提交"), num=True))
    missing = tables.Column(verbose_name=_("未报"), attrs=cell_attrs(_("未报"), num=True))
    pending = tables.Column(verbose_name=_("未到期"), attrs=cell_attrs(_("未到期"), num=True))
    weeks = tables.Column(verbose_name=_("各周"), attrs=cell_attrs(**{"class": "weeks"}))

    class Meta:
        # On a phone the rows stack: unit, labelled counts, then the weeks' chips.
        attrs = {"class": "grid timeliness stack"}
        orderable = False
        template_name = LISTING_TEMPLATE

    def render_weeks(self, value):
        from targets.entry.timeliness import LABELS  # noqa: PLC0415 (timeliness imports the models)

        return format_html_join(
            "",
            '<span class="wk wk-{}" title="{} {}">{}</span>',
            (
                (status, f"{monday:%Y-%m-%d}", LABELS[status], f"{monday.month}/{monday.day}")
                for monday, status in value
            ),
        )

    def value_weeks(self, value):
        from targets.entry.timeliness import LABELS  # noqa: PLC0415 (timeliness imports the models)

        return "；".join(f"{monday:%Y-%m-%d} {LABELS[status]}" for monday, status in value)


class TimelinessRankingTable(tables.Table):
    """The on-time ranking to 通报 (the timeliness page, its export, the week report's
    source): rank (并列 when rates are equal), unit, weeks due, on time, late, missing and
    the on-time rate. The file has the rank as a number and 并列 in a column of its own."""

    rank = tables.Column(verbose_name=_("名次"), attrs=cell_attrs(_("名次"), num=True))
    tie = tables.Column(verbose_name=_("并列"), accessor="tied", visible=False)
    department = tables.Column(verbose_name=_("责任单位"), accessor="department__display_name")
    due = tables.Column(verbose_name=_("应报周数"), attrs=cell_attrs(_("应报周数"), num=True))
    on_time = tables.Column(verbose_name=_("按时"), attrs=cell_attrs(_("按时"), num=True))
    late = tables.Column(verbose_name=_("逾期提交"), attrs=cell_attrs(_("逾期提交"), num=True))
    missing = tables.Column(verbose_name=_("未报"), attrs=cell_attrs(_("未报"), num=True))
    rate = NumberColumn(verbose_name=_("按时率"), decimals=1, attrs=cell_attrs(_("按时率"), num=True))
    export_units = {"rate": "%"}

    class Meta:
        attrs = {"class": "grid ranking stack"}
        orderable = False
        template_name = LISTING_TEMPLATE
        empty_text = _("尚无到期的周。")

    def render_rank(self, value, record):
        if record.tied:
            return format_html('{} <span class="tie">{}</span>', value, _("并列"))
        return value

    def value_rank(self, value):
        return value

    def render_tie(self, value):
        return _("并列") if value else ""

    def render_rate(self, value, record, column):
        return column.text(value, record) + "%"

    def value_rate(self, value):
        return value
