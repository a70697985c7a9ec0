"""Project pages: key projects (list and detail), work safety, post-flood recovery.
Thin views: parse, call ``projects.selectors``, chart, render."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tables2 import RequestConfig, SingleTableMixin

from targets import clock, periods, selectors
from targets.dashboards import charts
from targets.models import Indicator
from targets.reporting.exports import FORMATS, TRIGGER_PARAM, ManagerExportMixin, can_export, export_table

from . import selectors as project_selectors
from .filters import KeyProjectFilter
from .models import KeyProject
from .tables import KeyProjectTable, ProblemTable, RecoveryTable, SafetyTable


def _as_of(request):
    return selectors.resolve_as_of(request.GET.get("as_of"))


def _period_context(as_of, computed_at) -> dict:
    start, end = selectors.tracked_period()
    return {
        "as_of": as_of,
        "computed_at": selectors.computed_at(computed_at),
        "period_start": start,
        "period_end": end,
    }


class KeyProjectListView(ManagerExportMixin, SingleTableMixin, TemplateView):
    """Key projects, filterable by core block, level, status and department, sortable."""

    template_name = "projects/key_list.html"
    table_class = KeyProjectTable
    table_pagination = False
    export_name = gettext_lazy("重点项目")
    export_ascii_name = "key-projects"

    def get_table_data(self):
        self.as_of = _as_of(self.request)
        self.filterset = KeyProjectFilter(self.request.GET, queryset=KeyProject.objects.all())
        self.projects = project_selectors.key_projects(self.as_of, self.filterset.qs)
        for project in self.projects:
            project.light_order = project_selectors.SEVERITY[project.light]
        return self.projects

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_period_context(self.as_of, project_selectors.latest_computed(self.projects)))
        context["filter"] = self.filterset
        return context


key_list = KeyProjectListView.as_view()


def key_detail(request, pk: int):
    """One key project: milestone timeline, linked indicators, problem list."""
    project = get_object_or_404(KeyProject.objects.select_related("core_block", "department", "goal"), pk=pk)
    as_of = _as_of(request)
    milestones = project_selectors.milestones_of(project, as_of)
    timeline = charts.milestone_timeline(
        [
            {"name": m.name, "planned": m.planned, "actual": m.actual, "state": m.state, "late": m.late}
            for m in milestones
        ],
        as_of=as_of,
    )
    rows = selectors.rows(Indicator.objects.filter(key_projects=project), as_of)
    problems = ProblemTable(project.problems.for_list(), today=clock.today(), exclude=("subject",))
    RequestConfig(request, paginate=False).configure(problems)
    export_format = request.GET.get(TRIGGER_PARAM)
    if export_format is not None:
        return export_table(
            request, problems, export_format=export_format, name=_("问题清单"), ascii_name="problems"
        )
    return render(
        request,
        "projects/key_detail.html",
        {
            "project": project,
            "milestones": milestones,
            "figures": {"timeline": timeline if milestones else None},
            "rows": rows,
            "problems": problems,
            "has_charts": bool(milestones),
            "export_formats": FORMATS if can_export(request.user) else (),
            **_period_context(as_of, max((r.computed_at for r in rows if r.computed_at), default=None)),
        },
    )


def safety(request):
    """The 3 rectification campaigns and 7 sweep areas: inspections, hazards found and
    rectified, rectification rate, overdue hazards, and a found-vs-rectified chart each."""
    as_of = _as_of(request)
    areas = project_selectors.safety_areas(as_of)
    for area in areas:
        labels = [charts.short_label(periods.DEKAD, pv.period_start) for pv in area.found_series]
        rectified = {pv.period_start: pv.actual for pv in area.rectified_series}
        overdue = {pv.period_start: pv.cumulative_actual for pv in area.overdue_series}
        area.figure = (
            charts.found_vs_rectified(
                labels,
                [pv.actual for pv in area.found_series],
                [rectified.get(pv.period_start) for pv in area.found_series],
                [overdue.get(pv.period_start) for pv in area.found_series] if overdue else None,
            )
            if area.found_series
            else None
        )
    found = sum((a.found or 0) for a in areas)
    rectified = sum((a.rectified or 0) for a in areas)
    totals = {
        "inspections": sum((a.inspections or 0) for a in areas),
        "found": found,
        "rectified": rectified,
        "overdue": sum((a.overdue or 0) for a in areas),
        "open": found - rectified,
        "rate": rectified / found * 100 if found else None,
    }
    if TRIGGER_PARAM in request.GET:  # managers' XLSX/CSV of the areas table
        has_overdue = any(a.overdue is not None for a in areas)
        table = SafetyTable(areas, exclude=() if has_overdue else ("overdue",))
        units = {}
        for area in areas:
            for role, indicator in area.measures.items():
                units.setdefault(role, indicator.unit)
        units["open"] = units.get("found", "")
        units["rate"] = "%"
        return export_table(
            request,
            table,
            export_format=request.GET[TRIGGER_PARAM],
            name=_("安全生产"),
            ascii_name="safety",
            units=units,
            number_formats={"rate": "0.0"},
        )
    stamps = [i.day_computed_at for a in areas for i in a.measures.values() if i.day_computed_at]
    return render(
        request,
        "projects/safety.html",
        {
            "areas": areas,
            "totals": totals,
            "has_charts": any(a.figure for a in areas),
            "has_overdue": any(a.overdue is not None for a in areas),
            "export_formats": FORMATS if can_export(request.user) else (),
            **_period_context(as_of, max(stamps, default=None)),
        },
    )


def recovery(request):
    """Post-flood recovery by field: projects and batches with their counts, due dates,
    progress and bonds; the recovery indicators (205 projects, 45 households, 936万元 …)."""
    as_of = _as_of(request)
    fields, unfielded = project_selectors.recovery_fields(as_of)
    projects = [p for f in fields for p in f.project_list] + unfielded
    if TRIGGER_PARAM in request.GET:  # managers' XLSX/CSV of the projects by field
        table = RecoveryTable(projects)
        return export_table(
            request,
            table,
            export_format=request.GET[TRIGGER_PARAM],
            name=_("灾后恢复重建"),
            ascii_name="recovery",
            units=table.export_units,
        )
    rows = selectors.rows(Indicator.objects.filter(recovery_projects__isnull=False).distinct(), as_of)
    bonds = {
        "projects": sum(p.bond_projects or 0 for p in projects),
        "amount": sum((p.bond_amount for p in projects if p.bond_amount is not None), start=0),
    }
    return render(
        request,
        "projects/recovery.html",
        {
            "fields": fields,
            "unfielded": unfielded,
            "rows": rows,
            "bonds": bonds,
            "export_formats": FORMATS if can_export(request.user) else (),
            "planned_total": sum(p.planned_count or 0 for p in projects),
            **_period_context(as_of, max((r.computed_at for r in rows if r.computed_at), default=None)),
        },
    )
