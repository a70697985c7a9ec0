"""Demo state of the projects, matching ``targets.seed.demo``: milestones reached (their actual
date, from the milestone indicator's demo entry) and a short problem list (问题清单) for
key projects. All removable: problems carry ``is_demo``; a milestone's actual date is
cleared only where it equals the day of a demo entry of its indicator."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from projects.models import KeyProject, Milestone, Problem, ProblemEvent
from targets.models import Entry

# (project code, problem, owner, raised, due, closed or None)
PROBLEMS = [
    (
        "zhongyuan-bigdata-park-1",
        "机电设备安装进度滞后",
        "建设局项目管理科",
        date(2021, 10, 8),
        date(2021, 11, 15),
        date(2021, 11, 12),
    ),
    (
        "yellow-river-research-centre",
        "施工许可手续尚未办结，影响开工",
        "建设局审批服务科",
        date(2021, 10, 12),
        date(2021, 11, 30),
        None,
    ),
    (
        "financial-island-inner-ring",
        "内环道路地下管线迁改进度滞后",
        "建设局市政科",
        date(2021, 10, 18),
        date(2021, 11, 20),
        None,
    ),
    (
        "east-station-super-hq",
        "项目用地征收协调尚未完成",
        "经济发展局项目科",
        date(2021, 10, 25),
        date(2021, 12, 15),
        None,
    ),
    (
        "zz-intl-cultural-exchange-centre",
        "冬季施工组织方案待审定",
        "中原科技城管委会建设科",
        date(2021, 11, 8),
        date(2021, 11, 30),
        None,
    ),
]


@transaction.atomic
def load(until: date) -> dict[str, int]:
    """Mark milestones reached where their indicator has a demo entry, and add the demo
    problems raised by ``until``. Call after ``targets.seed.demo.load``."""
    remove()
    reached = 0
    for milestone in Milestone.objects.filter(actual_date=None).exclude(indicator=None):
        entry = Entry.objects.filter(indicator=milestone.indicator, is_demo=True, value__gt=0).first()
        if entry:
            milestone.actual_date = entry.date
            milestone.save(update_fields=["actual_date"])
            reached += 1
    projects = KeyProject.objects.in_bulk([p[0] for p in PROBLEMS], field_name="code")
    problems = []
    for code, title, owner, raised, due, closed in PROBLEMS:
        project = projects.get(code)
        if project is None or raised > until:
            continue
        is_closed = closed is not None and closed <= until
        problems.append(
            Problem(
                key_project=project,
                title=title,
                owner=owner,
                department=project.department,
                raised_on=raised,
                due_date=due,
                closed_on=closed if is_closed else None,
                status=Problem.Status.CLOSED if is_closed else Problem.Status.TODO,
                is_demo=True,
            )
        )
    Problem.objects.bulk_create(problems)
    # Each demo problem's history: raised on its date, and 销号 on its closing date.
    events = []
    for problem in problems:
        events.append(
            _demo_event(problem, ProblemEvent.Move.RAISE, "", Problem.Status.TODO, problem.raised_on)
        )
        if problem.closed_on:
            events.append(
                _demo_event(
                    problem,
                    ProblemEvent.Move.CLOSE,
                    Problem.Status.TODO,
                    Problem.Status.CLOSED,
                    problem.closed_on,
                )
            )
    ProblemEvent.objects.bulk_create(events)
    return {"milestones_reached": reached, "problems": len(problems)}


def _demo_event(problem, move, from_status, to_status, day) -> ProblemEvent:
    at = timezone.make_aware(datetime.combine(day, time(9)))
    return ProblemEvent(problem=problem, move=move, from_status=from_status, to_status=to_status, at=at)


@transaction.atomic
def remove() -> dict[str, int]:
    """Undo ``load``: delete demo problems, clear actual dates set from demo entries.
    Call before ``targets.seed.demo.remove`` (it needs the demo entries to know which)."""
    cleared = 0
    for milestone in Milestone.objects.exclude(actual_date=None).exclude(indicator=None):
        if Entry.objects.filter(
            indicator=milestone.indicator, date=milestone.actual_date, is_demo=True
        ).exists():
            milestone.actual_date = None
            milestone.save(update_fields=["actual_date"])
            cleared += 1
    problems, _ = Problem.objects.filter(is_demo=True).delete()
    return {"milestones_cleared": cleared, "problems": problems}
