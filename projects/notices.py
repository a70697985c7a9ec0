"""Deadline checks of projects, registered with ``targets.notifications.due`` (run daily):
milestones (项目节点) and problems (问题清单) whose date is near or past. One notice per
unit and kind, naming the items, to the unit's clerks; overdue ones also to the managers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.urls import reverse

from targets.notifications import services
from targets.notifications.due import Notice, listing
from targets.notifications.models import Audience, Kind

from .models import Milestone, Problem

SOON_DAYS = 3  # "approaching": due within this many days


def _by_department(items, department_of):
    grouped = defaultdict(list)
    for item in items:
        grouped[department_of(item)].append(item)
    return sorted(grouped.items(), key=lambda pair: (pair[0].order, pair[0].code))


def _notices(kind, key, label, groups, today, link, overdue: bool):
    total = []
    for department, items in groups:
        lines = [text for _due, text in sorted(items)]
        total.append(f"{department.name}（{len(lines)}项）")
        yield Notice(
            kind=kind,
            key=f"{key}:{department.pk}",
            recipients=services.clerks_of(department),
            title=f"【{'逾期' if overdue else '提醒'}】{department.name} 有{len(lines)}项{label}",
            body=listing(lines),
            link=link,
            department=department,
            audience=Audience.CLERKS,
        )
    if overdue and total:
        yield Notice(
            kind=kind,
            key=f"{key}:managers",
            recipients=services.managers(),
            title=f"【逾期】{len(total)}个单位有{label}",
            body=listing(total),
            link=link,
            audience=Audience.MANAGERS,
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

    for kind, key, label, rows, overdue in (
        (Kind.MILESTONE_OVERDUE, "milestone_overdue", "项目节点逾期未完成", late, True),
        (Kind.MILESTONE_DUE, "milestone_due", "项目节点即将到期", soon, False),
    ):
        by_unit = _by_department(rows, lambda m: m.project.department)
        groups = [(d, [line(m) for m in ms]) for d, ms in by_unit]
        yield from _notices(kind, key, label, groups, today, link, overdue)


def problems(today: date, now: datetime):
    """Problems not 已销号 whose 整改时限 is past, or within ``SOON_DAYS``."""
    open_ = Problem.objects.unresolved().filter(due_date__isnull=False).select_related("department")
    late = open_.filter(due_date__lt=today)
    soon = open_.filter(due_date__gte=today, due_date__lte=today + timedelta(days=SOON_DAYS))
    link = reverse("problems:list")

    def line(p):
        return (p.due_date, f"{p.title}（时限{p.due_date:%Y-%m-%d}，{p.get_status_display()}）")

    for kind, key, label, rows, overdue in (
        (Kind.PROBLEM_OVERDUE, "problem_overdue", "问题整改逾期", late, True),
        (Kind.PROBLEM_DUE, "problem_due", "问题整改即将到期", soon, False),
    ):
        groups = [(d, [line(p) for p in ps]) for d, ps in _by_department(rows, lambda p: p.department)]
        yield from _notices(kind, key, label, groups, today, link, overdue)
