"""Deadline checks of projects, registered with ``targets.notifications.due`` (run daily):
milestones (项目节点) and problems (问题清单) whose date is near or past. Each is a section
of the day's one notice (``due.run`` puts them together): per unit and kind, naming the
items, for the unit's clerks; the overdue ones also for the managers, by unit."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.urls import reverse

from targets.notifications.due import Section, listing
from targets.notifications.models import Audience, Kind

from .models import Milestone, Problem

SOON_DAYS = 3  # "approaching": due within this many days


def _by_department(items, department_of):
    grouped = defaultdict(list)
    for item in items:
        grouped[department_of(item)].append(item)
    return sorted(grouped.items(), key=lambda pair: (pair[0].order, pair[0].code))


def _sections(kind, label, groups, link, overdue: bool):
    total = []
    for department, items in groups:
        lines = [text for _due, text in sorted(items)]
        total.append(f"{department.name}（{len(lines)}项）")
        yield Section(
            kind=kind,
            audience=Audience.CLERKS,
            department=department,
            summary=f"有{len(lines)}项{label}",
            body=listing(lines),
            link=link,
            overdue=overdue,
        )
    if overdue and total:
        yield Section(
            kind=kind,
            audience=Audience.MANAGERS,
            summary=f"{len(total)}个单位有{label}",
            body=listing(total),
            link=link,
            overdue=True,
        )


def milestones(today: date, now: datetime):
    """Milestones not reached (no actual date) whose planned date is past, or within
    ``SOON_DAYS``."""
    open_ = Milestone.objects.filter(actual_date__isnull=True, planned_date__isnull=False).select_related(
        "project__department"
    )
    late = open_.filter(planned_date__lt=today)
    soon = open_.filter(planned_date__gte=today, planned_date__lte=today + timedelta(days=SOON_DAYS))
    link = reverse("projects:key_list")

    def line(m):
        return (m.planned_date, f"{m.project.name} · {m.name}（计划{m.planned_date:%Y-%m-%d}）")

    for kind, label, rows, overdue in (
        (Kind.MILESTONE_OVERDUE, "项目节点逾期未完成", late, True),
        (Kind.MILESTONE_DUE, "项目节点即将到期", soon, False),
    ):
        by_unit = _by_department(rows, lambda m: m.project.department)
        groups = [(d, [line(m) for m in ms]) for d, ms in by_unit]
        yield from _sections(kind, label, groups, link, overdue)


def problems(today: date, now: datetime):
    """Problems not 已销号 whose 整改时限 is past, or within ``SOON_DAYS``."""
    open_ = Problem.objects.unresolved().filter(due_date__isnull=False).select_related("department")
    late = open_.filter(due_date__lt=today)
    soon = open_.filter(due_date__gte=today, due_date__lte=today + timedelta(days=SOON_DAYS))
    link = reverse("problems:list")

    def line(p):
        return (p.due_date, f"{p.title}（时限{p.due_date:%Y-%m-%d}，{p.get_status_display()}）")

    for kind, label, rows, overdue in (
        (Kind.PROBLEM_OVERDUE, "问题整改逾期", late, True),
        (Kind.PROBLEM_DUE, "问题整改即将到期", soon, False),
    ):
        groups = [(d, [line(p) for p in ps]) for d, ps in _by_department(rows, lambda p: p.department)]
        yield from _sections(kind, label, groups, link, overdue)
