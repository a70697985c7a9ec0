"""Filters of the key-project list (django-filter): core block, level, status and
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


class KeyProjectFilter(django_filters.FilterSet):
    core_block = django_filters.ModelChoiceFilter(
        queryset=CoreBlock.objects.all(), label=_("核心板块"), empty_label=_("全部"), widget=_select()
    )
    level = django_filters.ChoiceFilter(
        choices=KeyProject.Level.choices, label=_("级别"), empty_label=_("全部"), widget=_select()
    )
    status = django_filters.ChoiceFilter(
        choices=KeyProject.Status.choices, label=_("状态"), empty_label=_("全部"), widget=_select()
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.filter(key_projects__isnull=False).distinct(),
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=_select(),
    )

    class Meta:
        model = KeyProject
        fields = ["core_block", "level", "status", "department"]
