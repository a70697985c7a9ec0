"""/api/v1/problems/: list with filters, create, detail with history, and the moves
(start, request-close, close, return) with 403 for who may not and 409 for a status that
does not allow the move."""

from datetime import date

import pytest
import time_machine

from projects.models import KeyProject, Problem
from tests.api_helpers import assert_error, client_for

URL = "/api/v1/problems/"


@pytest.fixture
def project(departments):
    return KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])


@pytest.fixture
def raised(project, clerk):
    response = client_for(clerk).post(
        URL,
        {
            "title": "征地未完成",
            "department": "econ",
            "key_project": project.pk,
            "due_date": "2021-11-10",
            "severity": "major",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_it_lets_a_clerk_raise_a_problem_for_their_unit_and_shows_its_history(raised):
    assert raised["status"] == "todo"
    assert raised["severity"] == "major"
    assert [(h["move"], h["actor"]) for h in raised["history"]] == [("raise", "clerk")]


def test_it_refuses_a_raise_for_another_unit_or_by_an_official(project, clerk2, official):
    body = {"title": "x", "department": "econ", "key_project": project.pk}
    assert_error(client_for(clerk2).post(URL, body, format="json"), 403, "permission_denied")
    assert_error(client_for(official).post(URL, body, format="json"), 403, "permission_denied")
    assert_error(
        client_for(official).post(URL, {"title": "x", "department": "econ"}, format="json"), 400, "invalid"
    )
    assert not Problem.objects.exists()


def test_it_walks_the_moves_with_their_codes(raised, clerk, clerk2, manager, official):
    detail = f"{URL}{raised['id']}/"
    assert_error(client_for(clerk).post(detail + "close/", {}, format="json"), 403, "permission_denied")
    assert_error(
        client_for(clerk).post(detail + "request-close/", {"comment": "完成"}, format="json"), 409, "conflict"
    )
    assert_error(client_for(clerk2).post(detail + "start/", {}, format="json"), 403, "permission_denied")
    assert_error(client_for(official).post(detail + "start/", {}, format="json"), 403, "permission_denied")
    assert client_for(clerk).post(detail + "start/", {}, format="json").json()["status"] == "in_progress"
    assert_error(client_for(clerk).post(detail + "request-close/", {}, format="json"), 400, "invalid")
    assert (
        client_for(clerk)
        .post(detail + "request-close/", {"comment": "完成", "without_evidence": True}, format="json")
        .status_code
        == 200
    )
    assert_error(client_for(manager).post(detail + "return/", {"comment": ""}, format="json"), 400, "invalid")
    returned = client_for(manager).post(detail + "return/", {"comment": "缺资料"}, format="json").json()
    assert returned["status"] == "in_progress"
    client_for(clerk).post(
        detail + "request-close/", {"comment": "补齐", "without_evidence": True}, format="json"
    )
    closed = client_for(manager).post(detail + "close/", {}, format="json").json()
    assert closed["status"] == "closed"
    assert_error(client_for(manager).post(detail + "close/", {}, format="json"), 409, "conflict")
    history = client_for(official).get(detail).json()["history"]
    assert [h["move"] for h in history] == [
        "raise",
        "start",
        "request_close",
        "return",
        "request_close",
        "close",
    ]
    assert history[3]["comment"] == "缺资料"


def test_it_filters_the_list_by_status_unit_and_overdue(raised, project, manager, departments):
    Problem.objects.create(
        campaign=None,
        key_project=project,
        title="已销号",
        department=departments[1],
        raised_on=date(2021, 10, 1),
        due_date=date(2021, 10, 5),
        status="closed",
        closed_on=date(2021, 10, 4),
    )
    client = client_for(manager)
    with time_machine.travel(date(2021, 11, 20), tick=False):

        def titles(query):
            return [p["title"] for p in client.get(URL + query).json()["results"]]

        assert titles("") == ["征地未完成", "已销号"]
        assert titles("?status=todo") == ["征地未完成"]
        assert titles("?department=safety") == ["已销号"]
        assert titles("?overdue=true") == ["征地未完成"]
        assert titles("?overdue=false") == ["已销号"]
        assert client.get(URL).json()["results"][0]["overdue"] is True
    assert_error(client.get(URL + "?status=open"), 400, "invalid")
