"""The problem pages: list (filters, export), one problem (moves as buttons, errors shown,
403 for another unit), the raise form (prefilled, own unit only), and the cards on the
overview, department and project pages."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from projects.models import KeyProject, Problem
from projects.services import move_problem, raise_problem

LIST = "/problems/"


@pytest.fixture
def project(departments):
    return KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])


@pytest.fixture
def problem(project, clerk):
    return raise_problem(
        user=clerk,
        department=project.department,
        title="征地未完成",
        due_date=date(2021, 11, 10),
        key_project=project,
    )


@pytest.fixture
def other(project, manager, departments):
    return raise_problem(
        user=manager,
        department=departments[1],
        title="燃气管道隐患",
        due_date=date(2021, 12, 20),
        key_project=project,
    )


def test_it_lists_problems_with_status_unit_and_overdue_filters(client, official, problem, other):
    client.force_login(official)
    with time_machine.travel(date(2021, 11, 20), tick=False):
        page = client.get(LIST).content.decode()
        assert "征地未完成" in page and "燃气管道隐患" in page
        overdue = client.get(LIST + "?overdue=1").content.decode()
        assert "征地未完成" in overdue and "燃气管道隐患" not in overdue
        by_unit = client.get(LIST + f"?department={other.department_id}").content.decode()
        assert "燃气管道隐患" in by_unit and "征地未完成" not in by_unit
        assert "燃气管道隐患" not in client.get(LIST + "?status=closed").content.decode()


def test_it_exports_the_list_for_managers_only(client, manager, official, problem):
    client.force_login(official)
    assert client.get(LIST + "?_export=csv").status_code == 403
    client.force_login(manager)
    with time_machine.travel(date(2021, 11, 20), tick=False):
        response = client.get(LIST + "?_export=csv&overdue=1")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert "征地未完成" in text and "待整改" in text and "逾期" in text
    assert "<" not in text


def test_it_shows_only_the_moves_the_user_may_make(client, clerk, clerk2, official, manager, problem):
    url = reverse("problems:detail", args=[problem.pk])
    client.force_login(clerk)
    assert 'value="start"' in client.get(url).content.decode()
    for user in (clerk2, official, manager):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert ('value="start"' in page) is (user == manager)
        assert 'value="close"' not in page


def test_it_refuses_a_clerk_of_another_unit_with_403_and_changes_nothing(client, clerk2, official, problem):
    url = reverse("problems:detail", args=[problem.pk])
    for user in (clerk2, official):
        client.force_login(user)
        assert client.post(url, {"move": "start"}).status_code == 403
    problem.refresh_from_db()
    assert problem.status == Problem.Status.TODO


def test_it_shows_why_a_move_was_refused(client, clerk, manager, problem):
    url = reverse("problems:detail", args=[problem.pk])
    client.force_login(clerk)
    client.post(url, {"move": "start"})
    response = client.post(url, {"move": "request_close", "comment": ""})
    assert response.status_code == 400
    assert "申请销号时请说明整改情况" in response.content.decode()
    assert client.post(url, {"move": "start"}).status_code == 409
    client.post(url, {"move": "request_close", "comment": "已完成", "without_evidence": "on"})
    client.force_login(manager)
    response = client.post(url, {"move": "return", "comment": ""})
    assert "退回时请填写原因" in response.content.decode()
    client.post(url, {"move": "close", "comment": "同意"}, follow=True)
    page = client.get(url).content.decode()
    assert "已销号" in page and "同意" in page and "已完成" in page


def test_it_prefills_the_raise_form_and_keeps_a_clerk_to_their_own_unit(
    client, clerk, clerk2, official, project
):
    url = reverse("problems:raise")
    client.force_login(official)
    assert client.get(url).status_code == 403
    client.force_login(clerk)
    form = client.get(url + f"?key_project={project.pk}").content.decode()
    assert f'<option value="{project.pk}" selected>' in form
    client.force_login(clerk2)
    response = client.post(
        url,
        {
            "title": "x",
            "department": project.department_id,
            "severity": "general",
            "due_date": "2021-12-01",
            "key_project": project.pk,
        },
    )
    assert response.status_code == 200
    assert not Problem.objects.exists()
    client.force_login(clerk)
    response = client.post(
        url,
        {
            "title": "道路未贯通",
            "department": project.department_id,
            "severity": "grave",
            "due_date": "2021-12-01",
            "key_project": project.pk,
        },
    )
    problem = Problem.objects.get()
    assert response.url == reverse("problems:detail", args=[problem.pk])
    assert (problem.severity, problem.status, problem.raised_by) == ("grave", "todo", clerk)


def test_it_counts_problems_on_the_overview_department_and_project_pages(
    client, official, problem, other, manager, clerk
):
    client.force_login(official)
    with time_machine.travel(date(2021, 11, 20), tick=False):
        for url in (
            "/",
            reverse("department_detail", args=["econ"]),
            reverse("projects:key_detail", args=[problem.key_project_id]),
        ):
            page = client.get(url).content.decode()
            assert 'data-count="overdue">1<' in page, url
            assert "征地未完成" in page, url
        department = client.get(reverse("department_detail", args=["safety"])).content.decode()
        assert 'data-count="open">1<' in department and "征地未完成" not in department
        problem = move_problem(user=clerk, problem=problem, move="start")
        problem = move_problem(
            user=clerk, problem=problem, move="request_close", comment="完成", without_evidence=True
        )
        move_problem(user=manager, problem=problem, move="close")
        page = client.get("/").content.decode()
        assert 'data-count="overdue">0<' in page and 'data-count="closed">1<' in page
