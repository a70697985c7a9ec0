"""Who may see and attach the evidence of problems and milestones (registered with
``targets.evidence.registry`` from ``ProjectsConfig.ready``).

A problem's files are seen by everyone who reads every unit's figures (officials,
managers) and by the clerks of its responsible unit; another unit's clerk sees the
problem but not its photos (they may show people, sites, documents of that unit).
Files are added by the unit's clerks and managers until the problem is 已销号."""

from targets import roles
from targets.evidence import registry

from .models import Milestone, Problem


def may_view_problem(user, problem: Problem) -> bool:
    return roles.can(user, roles.VIEW_ALL) or roles.can_edit_department(user, problem.department)


def may_attach_problem(user, problem: Problem) -> bool:
    return problem.status != Problem.Status.CLOSED and roles.can_edit_department(user, problem.department)


def may_view_milestone(user, milestone: Milestone) -> bool:
    return roles.can(user, roles.VIEW_ALL) or roles.can_edit_department(user, milestone.project.department)


def may_attach_milestone(user, milestone: Milestone) -> bool:
    return roles.can_edit_department(user, milestone.project.department)


def register() -> None:
    registry.register(Problem, can_view=may_view_problem, can_attach=may_attach_problem)
    registry.register(Milestone, can_view=may_view_milestone, can_attach=may_attach_milestone)
