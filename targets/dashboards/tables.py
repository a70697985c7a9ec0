"""django-tables2 tables of the dashboards. Each reads rows already taken from
``PeriodValue`` (never raw entries), so a table shows the same numbers as its chart."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from targets.models import PeriodValue


def status_pill(status: str, label: str | None = None) -> str:
    """A status as coloured pill WITH its text (never colour alone); ``label`` instead of
    the status's own (a milestone not yet due says so rather than "no plan")."""
    label = label or PeriodValue.Status(status or PeriodValue.Status.NONE).label
    return format_html('<span class="status status-{}">{}</span>', status or "none", label)


class NumberColumn(tables.Column):
    """A right-aligned Decimal shown with the indicator's decimals (``decimals`` kwarg)."""

    def __init__(self, *args, decimals: int = 2, **kwargs):
        self.decimals = decimals
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "num"})
        attrs.setdefault("th", {"class": "num"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return f"{value:,.{self.decimals}f}"

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

    class Meta:
        attrs = {"class": "table periods"}
        orderable = False

    def __init__(self, *args, decimals: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("planned", "actual", "cumulative_planned", "cumulative_actual"):
            self.columns[name].column.decimals = decimals

    def render_status(self, value):
        return status_pill(value)

    def value_status(self, value):
        if value is None:  # a period after the as-of date: not judged yet
            return ""
        return PeriodValue.Status(value).label


class TimelinessTable(tables.Table):
    """The quarter's reporting timeliness per department (the managers' export of the
    timeliness page): owed weeks on time, late, missing and not yet due, and each week."""

    department = tables.Column(verbose_name=_("责任单位"), accessor="department__display_name")
    due = tables.Column(verbose_name=_("应报周数"))
    on_time = tables.Column(verbose_name=_("按时"))
    late = tables.Column(verbose_name=_("逾期提交"))
    missing = tables.Column(verbose_name=_("未报"))
    pending = tables.Column(verbose_name=_("未到期"))
    weeks = tables.Column(verbose_name=_("各周"))

    def value_weeks(self, value):
        from targets.entry.timeliness import LABELS  # noqa: PLC0415 (timeliness imports the models)

        return "；".join(f"{monday:%Y-%m-%d} {LABELS[status]}" for monday, status in value)


class IndicatorTable(tables.Table):
    """Indicators with their as-of figures (``selectors.Row``, from the day's PeriodValue):
    the export of the goal tree and of a department's page. Units differ per indicator, so
    the unit is a column of its own and the figures stay numbers."""

    code = tables.Column(verbose_name=_("编码"))
    goal = tables.Column(verbose_name=_("目标任务"), accessor="goal_id")
    name = tables.Column(verbose_name=_("指标"), accessor="display_name")
    unit = tables.Column(verbose_name=_("单位"), accessor="display_unit")
    target_value = NumberColumn(verbose_name=_("目标"), default="—")
    cumulative_actual = NumberColumn(verbose_name=_("累计完成"), default="—")
    cumulative_planned = NumberColumn(verbose_name=_("累计计划"), default="—")
    plan_percent = NumberColumn(verbose_name=_("完成/计划"), decimals=1, default="—")
    status = tables.Column(verbose_name=_("状态"))
    plan_end = tables.DateColumn(verbose_name=_("时限"), format="Y-m-d")
    department_name = tables.Column(verbose_name=_("责任单位"), accessor="department_display_name")

    export_units = {"plan_percent": "%"}

    class Meta:
        attrs = {"class": "table indicators"}
        orderable = False

    def __init__(self, *args, goal_names: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_names = goal_names or {}

    def render_goal(self, value):
        return self.goal_names.get(value, "—")

    def value_goal(self, value):
        return self.goal_names.get(value, "")

    def render_status(self, value, record):
        return status_pill(value, record.status_label)

    def value_status(self, value, record):
        return str(record.status_label)
