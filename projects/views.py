"""Project pages: key projects (list and detail), work safety, post-flood recovery.
Thin views: parse, call ``projects.selectors``, chart, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from django_tables2 import RequestConfig, SingleTableMixin

from targets import clock, periods, selectors
from targets.dashboards import charts
from targets.dashboards.context import latest_computed_at, page_context, page_scope
from targets.dashboards.tables import IndicatorTable
from targets.evidence.models import Evidence
from targets.evidence.uploads import accepts_evidence
from targets.models import PeriodValue
from targets.reporting.exports import ManagerExportMixin, table_response

from . import evidence as evidence_rules
from . import selectors as project_selectors
from . import services
from .filters import KeyProjectFilter
from .forms import ProgressNoteForm
from .models import KeyProject, Milestone
from .problems.forms import EvidenceForm
from .tables import KeyProjectTable, ProblemTable, RecoveryTable, SafetyTable


class KeyProjectListView(ManagerExportMixin, SingleTableMixin, TemplateView):
    """Key projects, filterable by core block, level, status and department, sortable."""

    template_name = "projects/key_list.html"
    table_class = KeyProjectTable
    table_pagination = False
    export_name = gettext_lazy("重点项目")
    export_ascii_name = "key-projects"

    def get_table_data(self):
        scope = page_scope(self.request)
        self.as_of = scope.as_of
        self.filterset = KeyProjectFilter(
            self.request.GET, queryset=KeyProject.objects.all(), as_of=self.as_of
        )
        self.plan = scope.plan
        self.projects = project_selectors.key_projects(self.as_of, self.filterset.qs, scope.plan)
        stages = list(KeyProject.Stage.values)
        for project in self.projects:
            project.light_order = project_selectors.SEVERITY[project.light]
            project.stage_order = stages.index(project.stage_code)
        return self.projects

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_context(
                self.request,
                self.as_of,
                rows_computed_at=project_selectors.latest_computed_projects(self.projects),
            )
        )
        context["filter"] = self.filterset
        context["reconciliations"] = selectors.reconciliations(self.as_of, plan=self.plan)
        context["time_percent"] = next(
            (p.time_percent for p in self.projects if p.time_percent is not None), None
        )
        return context


key_list = KeyProjectListView.as_view()


@require_safe
def key_detail(request, pk: int):
    """One key project: its figures (investment this year and quarter against the plan and
    time progress), stage, steps and permits with their timeline, physical progress with
    its history, month by month investment, linked indicators, problem list."""
    get_object_or_404(KeyProject, pk=pk)
    scope = page_scope(request)
    as_of = scope.as_of
    (project,) = project_selectors.key_projects(
        as_of, KeyProject.objects.filter(pk=pk).select_related("goal"), scope.plan
    )
    milestones = project.milestone_views
    timeline = charts.milestone_timeline(
        [
            {
                "name": m.name,
                "planned": m.planned,
                "actual": m.actual if m.reached else None,
                "state": m.state,
                "late": m.late,
            }
            for m in milestones
        ],
        as_of=as_of,
    )
    investment = project.investment_indicator
    months = []
    if investment:
        days = selectors.series(investment, periods.DAY)
        chosen = [
            pv
            for pv in selectors.series(investment, periods.MONTH)
            if pv.period_end >= investment.entry_start
        ]
        months = [
            {"label": periods.label(periods.MONTH, row["period_start"], get_language()), **row}
            for row in selectors.as_of_figures(investment, chosen, days, as_of)
            if row["period_start"] <= as_of
        ]
    own = Q(key_projects=project)
    if investment:  # the investment indicator of the page's plan
        own |= Q(pk=investment.pk)
    linked = selectors.in_force(scope.plan).filter(own).distinct()
    rows = selectors.rows(linked, as_of)
    problems = ProblemTable(project.problems.for_list(), today=clock.today(), exclude=("subject",))
    RequestConfig(request, paginate=False).configure(problems)
    return table_response(
        request,
        problems,
        "projects/key_detail.html",
        lambda: {
            "project": project,
            "milestones": [m for m in milestones if not m.is_preparatory],
            "permits": [m for m in milestones if m.is_preparatory],
            "figures": {"timeline": timeline if milestones else None},
            "months": months,
            "status_labels": PeriodValue.Status.choices,
            "progress_notes": project.notes_to_date,
            "progress_form": ProgressNoteForm() if services.may_add_progress(request.user, project) else None,
            "rows": rows,
            # Its investment indicator's reasons too, not only those of the linked ones.
            "linked_indicators": linked,
            "indicators": IndicatorTable(rows, as_of=as_of),
            "problems": problems,
            "has_charts": bool(milestones),
            **page_context(request, as_of, rows_computed_at=latest_computed_at(rows)),
        },
        name=_("问题清单"),
        ascii_name="problems",
        day=as_of,
    )


@require_safe
def safety(request):
    """The 3 rectification campaigns and 7 sweep areas: inspections, hazards found and
    rectified, rectification rate, overdue hazards, and a found-vs-rectified chart each."""
    scope = page_scope(request)
    as_of = scope.as_of
    areas = project_selectors.safety_areas(as_of, scope.plan)
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
    stamps = [i.day_computed_at for a in areas for i in a.measures.values() if i.day_computed_at]
    return table_response(
        request,
        SafetyTable(areas),
        "projects/safety.html",
        lambda: {
            "areas": areas,
            "totals": totals,
            "has_charts": any(a.figure for a in areas),
            "has_overdue": any(a.overdue is not None for a in areas),
            **page_context(request, as_of, rows_computed_at=max(stamps, default=None)),
        },
        name=_("安全生产"),
        ascii_name="safety",
        day=as_of,
    )


@require_safe
def recovery(request):
    """Post-flood recovery by field: projects and batches with their counts, due dates,
    progress and bonds; the recovery indicators (205 projects, 45 households, 936万元 …)."""
    scope = page_scope(request)
    as_of = scope.as_of
    fields, unfielded = project_selectors.recovery_fields(as_of, scope.plan)
    projects = [p for f in fields for p in f.project_list] + unfielded

    def page() -> dict:
        rows = selectors.rows(
            selectors.in_force(scope.plan).filter(recovery_projects__isnull=False).distinct(), as_of
        )
        return {
            "indicators": IndicatorTable(rows, as_of=as_of),
            "rows": rows,
            "bonds": project_selectors.recovery_bonds(projects),
            "planned_total": sum(p.planned_count or 0 for p in projects),
            **page_context(request, as_of, rows_computed_at=latest_computed_at(rows)),
        }

    return table_response(
        request,
        RecoveryTable(projects, fields=fields, as_of=as_of),
        "projects/recovery.html",
        page,
        name=_("灾后恢复重建"),
        ascii_name="recovery",
        day=as_of,
    )


@accepts_evidence(settings.EVIDENCE_MAX_FILES)
def key_progress(request, pk: int):
    """Add a dated 形象进度 to a key project: its unit's clerks and managers (others 403).
    The form sits on the project's page; this page shows it again with its errors."""
    project = get_object_or_404(KeyProject.objects.select_related("department"), pk=pk)
    if not services.may_add_progress(request.user, project):
        raise PermissionDenied(_("只能填报本单位项目的形象进度。"))
    form = ProgressNoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_progress_note(
                    user=request.user,
                    project=project,
                    day=form.cleaned_data["date"],
                    text=form.cleaned_data["text"],
                    request=request,
                )
            except services.ProblemRefused as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("形象进度已保存。"))
                return redirect(reverse("projects:key_detail", args=[project.pk]) + "#progress")
        status = 400
    history = project.progress_notes.select_related("created_by")
    return render(
        request,
        "projects/key_progress.html",
        {"project": project, "form": form, "history": history},
        status=status,
    )


def milestone_evidence(request, pk: int):
    """A milestone's proof (节点证明): seen by officials, managers and the project's unit;
    uploaded by the unit's clerks and managers."""
    milestone = get_object_or_404(Milestone.objects.select_related("project__department"), pk=pk)
    may_attach = evidence_rules.may_attach_milestone(request.user, milestone)
    form = EvidenceForm(
        request.POST or None, request.FILES or None, too_large=getattr(request, "evidence_too_large", ())
    )
    error, status = None, 200
    if request.method == "POST":
        if not may_attach:
            raise PermissionDenied(_("只能为本单位的项目节点上传材料。"))
        if form.is_valid():
            try:
                services.add_milestone_evidence(
                    user=request.user, milestone=milestone, files=form.cleaned_data["files"], request=request
                )
            except services.ProblemRefused as exc:
                error, status = exc.message, 400
            else:
                messages.success(request, _("材料已上传。"))
                return redirect("projects:milestone_evidence", pk=milestone.pk)
        else:
            error, status = " ".join(str(m) for errors in form.errors.values() for m in errors), 400
    may_view = evidence_rules.may_view_milestone(request.user, milestone)
    evidence = list(Evidence.objects.for_owner(milestone))
    return render(
        request,
        "projects/milestone_evidence.html",
        {
            "milestone": milestone,
            "evidence": evidence if may_view else [],
            "evidence_count": len(evidence),
            "may_view_evidence": may_view,
            "may_attach": may_attach,
            "form": form,
            "error": error,
        },
        status=status,
    )
