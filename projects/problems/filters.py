"""Filters of the problem list (django-filter): status, unit, severity, overdue."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Problem
from targets import clock
from targets.models import Department


def _select() -> forms.Select:
    return forms.Select(attrs={"data-autosubmit": ""})


class ProblemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Problem.Status.choices, label=_("状态"), empty_label=_("全部"), widget=_select()
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.filter(problems__isnull=False).distinct(),
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=_select(),
    )
    severity = django_filters.ChoiceFilter(
        choices=Problem.Severity.choices, label=_("严重程度"), empty_label=_("全部"), widget=_select()
    )
    overdue = django_filters.ChoiceFilter(
        choices=(("1", _("仅逾期")),),
        label=_("逾期"),
        empty_label=_("全部"),
        widget=_select(),
        method="only_overdue",
    )

    class Meta:
        model = Problem
        fields = ["status", "department", "severity", "overdue"]

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(clock.today()) if value == "1" else queryset
