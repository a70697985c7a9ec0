"""Forms of the plan pages: a plan's period (a quarter picker fills the dates), creating
and copying a plan, the reason a published plan's change needs, the XLSX upload. The
grid itself is plain inputs named per cell, checked by ``services.check_changes``."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from targets import clock, periods
from targets.models import Plan

from .services import REASON_MAX


def quarter_choices(*around: date) -> list[tuple[str, str]]:
    """Quarters from the year before the earliest of ``around`` to two years after the
    latest: ("2022-1", "2022年第一季度")."""
    first, last = min(around).year - 1, max(around).year + 2
    return [
        (f"{year}-{q}", periods.label_zh(periods.QUARTER, date(year, 3 * q - 2, 1)))
        for year in range(first, last + 1)
        for q in range(1, 5)
    ]


def quarter_value(day: date) -> str:
    return f"{day.year}-{periods.quarter_of(day)}"


class PeriodForm(forms.Form):
    """A period: a quarter (picked), a year, or any range (start and end). The quarter
    picker fills the dates on the page (plans.js) and here (without script)."""

    kind = forms.ChoiceField(label=_("期间类型"), choices=Plan.Kind.choices, initial=Plan.Kind.QUARTER)
    quarter = forms.ChoiceField(label=_("季度"), required=False)
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, around: tuple[date, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", "—")] + quarter_choices(clock.today(), *around)
        self.fields["quarter"].widget.attrs["data-quarter-picker"] = ""

    def clean(self):
        data = super().clean()
        kind, quarter = data.get("kind"), data.get("quarter")
        if kind == Plan.Kind.QUARTER:
            if not quarter:
                self.add_error("quarter", _("请选择季度。"))
                return data
            year, q = (int(part) for part in quarter.split("-"))
            period = periods.period_of(periods.QUARTER, date(year, 3 * q - 2, 1))
            data["start"], data["end"] = period.start, period.end
        elif kind == Plan.Kind.YEAR:
            start = data.get("start")
            if not start:
                self.add_error("start", _("请填写开始日期（年度计划取其所在年份）。"))
                return data
            data["start"], data["end"] = date(start.year, 1, 1), date(start.year, 12, 31)
        else:
            for name in ("start", "end"):
                if not data.get(name):
                    self.add_error(name, _("请填写日期。"))
        return data


class PlanForm(PeriodForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    source = forms.CharField(
        label=_("来源文件"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    field_order = ["title", "kind", "quarter", "start", "end", "source"]


class CopyForm(PeriodForm):
    title = forms.CharField(label=_("新计划标题"), max_length=200, required=False)
    carry_targets = forms.TypedChoiceField(
        label=_("目标值"),
        choices=[("1", _("沿用原计划的目标值")), ("0", _("留空，待逐项填写"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    rename = forms.BooleanField(
        label=_("名称中的季度用语改为新季度（如“四季度”改为“一季度”）"), required=False, initial=True
    )
    field_order = ["kind", "quarter", "start", "end", "title", "carry_targets", "rename"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, max_length=REASON_MAX)


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("目标任务分解表（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    reason = forms.CharField(label=_("修改原因（已发布的计划必填）"), required=False, max_length=REASON_MAX)
