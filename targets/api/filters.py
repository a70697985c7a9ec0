"""Query-string filters of the API's lists (django-filter): each parameter validated by a
form field, applied as a queryset lookup, and documented in the OpenAPI schema by
drf-spectacular's django-filter support. A malformed value is a 400 ``invalid`` with the
parameter named in ``error.fields`` (``DjangoFilterBackend`` raises a DRF validation
error; ``targets.api.common.exception_handler`` gives it the one error shape)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from targets import current, selectors
from targets.api.common import MAX_ID
from targets.models import Entry, Indicator, Plan

ISO_DATE = ["%Y-%m-%d"]  # the API's dates are ISO 8601, nothing else


class ListFilterBackend(DjangoFilterBackend):
    """Filters a list only: an object fetched by id (and its series) ignores the list's
    parameters, as before."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)


class SlugFilter(django_filters.CharFilter):
    """A code (letters, digits, ``-``, ``_``): anything else is refused, not searched."""

    field_class = forms.SlugField


def code_filter(field_name: str, description) -> SlugFilter:
    """A ``SlugFilter`` documented as the code pattern it accepts."""
    schema = {"type": "string", "minLength": 1, "pattern": r"^[-a-zA-Z0-9_]+$", "description": description}
    return extend_schema_field(schema)(SlugFilter(field_name=field_name))


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A whole, positive id (not a decimal, as ``NumberFilter`` would take)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "pattern": r"^[-a-zA-Z0-9_]+$",
        "description": _("工作计划代码（如 2021q4）；默认为当前工作计划（覆盖今天的计划）。"),
    }
)
class PlanFilter(django_filters.ModelChoiceFilter):
    """A published or closed plan by its code; a list without it shows the current plan
    (``targets.current``): codes repeat across plans."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Plan.objects.visible())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


class IndicatorFilter(django_filters.FilterSet):
    """``?plan=&department=&goal=&kind=`` of ``GET /api/v1/indicators/``."""

    plan = PlanFilter(method="in_plan")
    department = code_filter("department__code", _("责任单位代码。"))
    goal = code_filter("goal__code", _("目标代码。"))
    kind = django_filters.ChoiceFilter(choices=Indicator.Kind.choices)

    class Meta:
        model = Indicator
        fields = ["plan", "department", "goal", "kind"]

    def in_plan(self, queryset, name, plan):
        """The indicators in force over the plan (``selectors.in_force``), as its pages
        list them."""
        return queryset.filter(pk__in=selectors.in_force(plan).values("pk"))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("plan"):
            queryset = self.in_plan(queryset, "plan", current.current_plan())
        return queryset


class EntryFilter(django_filters.FilterSet):
    """``?indicator=&start=&end=&department=`` of ``GET /api/v1/entries/``."""

    indicator = IdFilter(field_name="indicator_id")
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", input_formats=ISO_DATE)
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", input_formats=ISO_DATE)
    department = code_filter("indicator__department__code", _("责任单位代码。"))

    class Meta:
        model = Entry
        fields = ["indicator", "start", "end", "department"]
