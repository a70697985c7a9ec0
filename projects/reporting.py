"""The projects' sections of the week, month and quarter reports (registered with
``targets.reporting.sections`` from ``ProjectsConfig.ready``): key projects (investment,
milestones due and reached in the period, stage) and open problems (counts, overdue)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from targets import periods
from targets.reporting.sections import ReportSection, register

from . import selectors as project_selectors
from .models import Problem

# Overdue problems listed by name in a report (the rest are counted).
OVERDUE_LISTED = 20


def stage_label(project) -> str:
    """The project's stage on the report's date (谋划 → 前期 → 在建 → 建成 → 投用), derived from
    the milestones reached by then (``project_selectors.key_projects``)."""
    return getattr(project, "stage_label", None) or project.get_stage_display()


def key_projects_section(period: periods.Period, as_of: date) -> ReportSection | None:
    """Every key project's investment against its annual plan on ``as_of`` and stage, and
    the milestones due in the period or reached in it."""
    projects = project_selectors.key_projects(as_of)
    if not projects:
        return None
    rows, due, reached = [], [], []
    for project in projects:
        rows.append(
            {
                "project": project,
                "stage": stage_label(project),
                "total": project.total_investment,
                "annual": project.annual_planned_investment,
                "done": project.investment_done,
                "percent": project.investment_percent,
            }
        )
        for milestone in project.milestone_views:
            if milestone.planned and period.start <= milestone.planned <= period.end:
                due.append((project, milestone))
            if milestone.actual and period.start <= milestone.actual <= min(period.end, as_of):
                reached.append((project, milestone))
    return ReportSection(
        title=_("重点项目"),
        template="projects/reports/_key_projects.html",
        context={"rows": rows, "due": due, "reached": reached},
    )


def problems_section(period: periods.Period, as_of: date) -> ReportSection:
    """Open problems by status, those raised and closed (销号) in the period, and the
    overdue ones (deadline before ``as_of``, not closed)."""
    problems = Problem.objects.filter(raised_on__lte=as_of)
    # Open on ``as_of``: not closed, or closed (销号) only after it.
    open_then = problems.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
    counts = dict(open_then.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    overdue = list(
        open_then.filter(due_date__lt=as_of)
        .select_related("department", "key_project")
        .order_by("due_date", "pk")
    )
    return ReportSection(
        title=_("问题清单"),
        template="projects/reports/_problems.html",
        context={
            # By today's status (a problem closed after ``as_of`` counts as 申请销号 then).
            "statuses": [
                (
                    label,
                    counts.get(value, 0)
                    + (
                        counts.get(Problem.Status.CLOSED, 0) if value == Problem.Status.CLOSE_REQUESTED else 0
                    ),
                )
                for value, label in Problem.Status.choices
                if value != Problem.Status.CLOSED
            ],
            "open": sum(counts.values()),
            "raised": problems.filter(raised_on__range=(period.start, period.end)).count(),
            "closed": problems.filter(closed_on__range=(period.start, min(period.end, as_of))).count(),
            "overdue": overdue[:OVERDUE_LISTED],
            "overdue_count": len(overdue),
            "as_of": as_of,
        },
    )


def register_sections() -> None:
    register("key-projects", key_projects_section, order=10)
    register("problems", problems_section, order=20)
