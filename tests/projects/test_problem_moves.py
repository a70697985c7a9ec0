"""The problem flow: 待整改 → 整改中 → 申请销号 → 已销号 (or 退回), who may make each move,
its history row and audit row, overdue by the one clock, and the old statuses migrated."""

from datetime import date

import pytest
import time_machine

from projects import services
from projects.models import KeyProject, Problem, ProblemEvent
from projects.services import ProblemRefused, move_problem, raise_problem
from targets.models import AuditEvent

S = Problem.Status


@pytest.fixture
def project(departments):
    return KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])


@pytest.fixture
def problem(project, clerk):
    return raise_problem(
        user=clerk,
        department=project.department,
        title="征地未完成",
        due_date=date(2021, 11, 30),
        key_project=project,
    )


def walk(problem, *steps):
    for user, move, comment in steps:
        # 申请销号 without proof: said so on purpose (the proof itself: test_problem_evidence.py).
        problem = move_problem(
            user=user, problem=problem, move=move, comment=comment, without_evidence=move == "request_close"
        )
    return problem


def test_it_walks_a_problem_from_raised_to_closed_with_one_history_row_per_move(problem, clerk, manager):
    problem = walk(
        problem,
        (clerk, "start", ""),
        (clerk, "request_close", "已完成征地"),
        (manager, "return", "缺少协议扫描件"),
        (clerk, "request_close", "补充协议"),
        (manager, "close", "同意销号"),
    )
    assert problem.status == S.CLOSED
    assert problem.closed_on is not None
    events = list(problem.events.values_list("move", "from_status", "to_status", "comment", "actor_name"))
    assert events == [
        ("raise", "", S.TODO, "", "clerk"),
        ("start", S.TODO, S.IN_PROGRESS, "", "clerk"),
        ("request_close", S.IN_PROGRESS, S.CLOSE_REQUESTED, "已完成征地", "clerk"),
        ("return", S.CLOSE_REQUESTED, S.IN_PROGRESS, "缺少协议扫描件", "manager"),
        ("request_close", S.IN_PROGRESS, S.CLOSE_REQUESTED, "补充协议", "clerk"),
        ("close", S.CLOSE_REQUESTED, S.CLOSED, "同意销号", "manager"),
    ]
    actions = list(
        AuditEvent.objects.filter(target=f"problem:{problem.pk}")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "problem_raise",
        "problem_start",
        "problem_request_close",
        "problem_return",
        "problem_request_close",
        "problem_close",
    ]


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (S.TODO, "request_close"),
        (S.TODO, "close"),
        (S.IN_PROGRESS, "start"),
        (S.IN_PROGRESS, "close"),
        (S.IN_PROGRESS, "return"),
        (S.CLOSE_REQUESTED, "start"),
        (S.CLOSED, "return"),
        (S.CLOSED, "start"),
    ],
)
def test_it_refuses_a_move_the_status_does_not_allow_and_writes_nothing(problem, manager, status, move):
    Problem.objects.filter(pk=problem.pk).update(status=status, closed_on=date(2021, 11, 1))
    problem.refresh_from_db()
    with pytest.raises(ProblemRefused) as refused:
        move_problem(user=manager, problem=problem, move=move, comment="理由")
    assert refused.value.code == "state"
    problem.refresh_from_db()
    assert problem.status == status
    assert problem.events.count() == 1


def test_it_lets_only_the_responsible_unit_or_a_manager_work_on_a_problem(problem, clerk2, official, manager):
    for user in (clerk2, official):
        with pytest.raises(ProblemRefused) as refused:
            move_problem(user=user, problem=problem, move="start")
        assert refused.value.code == "forbidden"
    assert move_problem(user=manager, problem=problem, move="start").status == S.IN_PROGRESS


def test_it_lets_only_a_manager_close_or_return(problem, clerk, manager):
    problem = walk(problem, (clerk, "start", ""), (clerk, "request_close", "完成"))
    for move in ("close", "return"):
        with pytest.raises(ProblemRefused) as refused:
            move_problem(user=clerk, problem=problem, move=move, comment="x")
        assert refused.value.code == "forbidden"
    assert services.available_moves(clerk, problem) == []
    assert services.available_moves(manager, problem) == ["close", "return"]


def test_it_asks_a_reason_to_return_and_a_description_to_request_close(problem, clerk, manager):
    move_problem(user=clerk, problem=problem, move="start")
    with pytest.raises(ProblemRefused) as refused:
        move_problem(user=clerk, problem=problem, move="request_close", comment="  ")
    assert refused.value.code == "invalid"
    walk(problem, (clerk, "request_close", "完成"))
    with pytest.raises(ProblemRefused) as refused:
        move_problem(user=manager, problem=problem, move="return", comment="")
    assert "原因" in refused.value.message


def test_it_lets_a_clerk_raise_only_for_their_own_unit(project, clerk2, official, departments):
    for user in (clerk2, official):
        with pytest.raises(ProblemRefused) as refused:
            raise_problem(user=user, department=departments[0], title="x", due_date=None, key_project=project)
        assert refused.value.code == "forbidden"
    assert not Problem.objects.exists()


def test_it_flags_overdue_by_the_one_clock_until_closed(problem, clerk, manager):
    with time_machine.travel(date(2021, 11, 30), tick=False):
        assert not problem.is_overdue(date(2021, 11, 30))
        assert Problem.objects.overdue(date(2021, 11, 30)).count() == 0
    assert problem.is_overdue(date(2021, 12, 1))
    assert list(Problem.objects.overdue(date(2021, 12, 1))) == [problem]
    walk(problem, (clerk, "start", ""), (clerk, "request_close", "完成"), (manager, "close", ""))
    assert Problem.objects.overdue(date(2021, 12, 1)).count() == 0


def test_it_migrates_open_problems_to_todo_and_keeps_closed_ones(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    old = [("projects", "0001_initial"), ("targets", "0006_submission_first_submitted_at")]
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    Department = apps.get_model("targets", "Department")
    OldKeyProject = apps.get_model("projects", "KeyProject")
    OldProblem = apps.get_model("projects", "Problem")
    dep = Department.objects.create(code="d", name="单位")
    kp = OldKeyProject.objects.create(code="k", name="项目", department=dep)
    common = {"key_project": kp, "department": dep, "raised_on": date(2021, 10, 1)}
    OldProblem.objects.create(title="未解决", status="open", **common)
    OldProblem.objects.create(title="已解决", status="closed", closed_on=date(2021, 10, 9), **common)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Problem.objects.values_list("title", "status")) == {"未解决": S.TODO, "已解决": S.CLOSED}
    assert ProblemEvent.objects.count() == 0
