"""django-tables2 tables of the dashboards. Each reads rows already taken from
``PeriodValue`` (never raw entries), so a table shows the same numbers as its chart."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import PeriodValue


def status_pill(status: str) -> str:
    """A status as coloured pill WITH its text (never colour alone)."""
    label = PeriodValue.Status(status or PeriodValue.Status.NONE).label
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
        return PeriodValue.Status(value or PeriodValue.Status.NONE).label


class TimelinessTable(tables.Table):
    """The quarter's reporting timeliness per department (the managers' export of the
    timeliness page): owed weeks on time, late, missing and not yet due, and each week."""

    department = tables.Column(verbose_name=_("责任单位"), accessor="department__name")
    due = tables.Column(verbose_name=_("应报周数"))
    on_time = tables.Column(verbose_name=_("按时"))
    late = tables.Column(verbose_name=_("逾期提交"))
    missing = tables.Column(verbose_name=_("未报"))
    pending = tables.Column(verbose_name=_("未到期"))
    weeks = tables.Column(verbose_name=_("各周"))

    def value_weeks(self, value):
        from .timeliness import LABELS  # noqa: PLC0415 (timeliness imports the models)

        return "；".join(f"{monday:%Y-%m-%d} {LABELS[status]}" for monday, status in value)
