"""Filters of the key-project list (django-filter): core block, level, stage and
responsible unit from the query string. A value that is not one of the choices is left
out (the list shows every project for that field), as the select offers only valid ones."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import CoreBlock, KeyProject
from targets.models import Department


def _select() -> forms.Select:
    """A select that reloads the list when changed (the page works without JavaScript
    through its submit button)."""
    return forms.Select(attrs={"data-autosubmit": ""})


class _DisplayNameChoiceField(forms.ModelChoiceField):
    """Options named in the active language (``display_name``)."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class DisplayNameChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _DisplayNameChoiceField


class KeyProjectFilter(django_filters.FilterSet):
    core_block = DisplayNameChoiceFilter(
        queryset=CoreBlock.objects.all(), label=_("核心板块"), empty_label=_("全部"), widget=_select()
    )
    level = django_filters.ChoiceFilter(
        choices=KeyProject.Level.choices, label=_("级别"), empty_label=_("全部"), widget=_select()
    )
    stage = django_filters.ChoiceFilter(
        choices=KeyProject.Stage.choices,
        label=_("阶段"),
        empty_label=_("全部"),
        widget=_select(),
        method="filter_stage",
    )
    department = DisplayNameChoiceFilter(
        queryset=Department.objects.filter(key_projects__isnull=False).distinct(),
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=_select(),
    )

    class Meta:
        model = KeyProject
        fields = ["core_block", "level", "stage", "department"]

    def __init__(self, data=None, queryset=None, *, as_of, **kwargs):
        self.as_of = as_of
        super().__init__(data, queryset, **kwargs)

    def filter_stage(self, queryset, name, value):
        """The stage is read from the milestones reached by the page's as-of day."""
        return queryset.with_stage(self.as_of).filter(stage_code=value)
