"""Problem counts per unit by status (page and XLSX/CSV) and the overdue list as a file of
its own, from the problem list page."""

import csv
import io
from datetime import date
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import KeyProject
from projects.services import move_problem, raise_problem
from targets.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = date(2021, 11, 20)


@pytest.fixture
def problems(departments, clerk, clerk2, manager):
    """经济发展局: one overdue 待整改, one 整改中 not yet due, one 已销号 past its deadline
    (closed: not overdue). 应急管理局: one 申请销号 overdue, one 待整改 without deadline."""
    econ, safety = departments
    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=econ)

    def make(user, department, title, due, *moves):
        problem = raise_problem(
            user=user, department=department, title=title, due_date=due, key_project=project
        )
        for move, by in moves:
            problem = move_problem(user=by, problem=problem, move=move, comment="已整改")
        return problem

    make(clerk, econ, "征地未完成", date(2021, 11, 10))
    make(clerk, econ, "=cmd|' /C calc'!A0", date(2021, 12, 1), ("start", clerk))
    make(
        clerk,
        econ,
        "施工许可延迟",
        date(2021, 11, 1),
        ("start", clerk),
        ("request_close", clerk),
        ("close", manager),
    )
    make(clerk2, safety, "燃气管道隐患", date(2021, 11, 15), ("start", clerk2), ("request_close", clerk2))
    make(clerk2, safety, "消防通道堵塞", None)
    return econ, safety


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


HEADERS = ["责任单位", "待整改", "整改中", "申请销号", "已销号", "未销号", "逾期", "合计"]


def test_it_counts_problems_per_unit_by_status_with_a_total(client, official, problems):
    client.force_login(official)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(reverse("problems:counts")).content.decode()
    table = page[page.index('class="table problem-counts') : page.index("</table>")]
    rows = [row for row in table.split("<tr")[2:]]
    assert len(rows) == 3 and "经济发展局" in rows[0] and "应急管理局" in rows[1] and "合计" in rows[2]
    assert "导出 Excel" not in page  # officials read; managers export


def test_it_exports_the_counts_as_xlsx_and_csv(client, manager, problems):
    client.force_login(manager)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(reverse("problems:counts"), {"_export": "xlsx"})
        assert "问题统计_2021-11-20.xlsx" in unquote(response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(body(response))).active
        assert [c.value for c in sheet[1]] == HEADERS
        assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
            ("经济发展局", 1, 1, 0, 1, 2, 1, 3),
            ("应急管理局", 1, 0, 1, 0, 2, 1, 2),
            ("合计", 2, 1, 1, 1, 4, 2, 5),
        ]
        response = client.get(reverse("problems:counts"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0] == HEADERS and rows[3] == ["合计", "2", "1", "1", "1", "4", "2", "5"]
    assert "problem-counts_2021-11-20.csv" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="export", detail__table="ProblemCountTable").count() == 2


def test_it_refuses_the_counts_file_to_everyone_but_managers(client, official, clerk, problems):
    for user in (official, clerk):
        client.force_login(user)
        assert client.get(reverse("problems:counts")).status_code == 200
        assert client.get(reverse("problems:counts"), {"_export": "xlsx"}).status_code == 403


def test_it_exports_the_overdue_list_from_the_problem_list(client, manager, problems):
    client.force_login(manager)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(reverse("problems:list")).content.decode()
        assert "?overdue=1&amp;_export=xlsx" in page and "逾期清单 Excel" in page
        assert reverse("problems:counts") in page
        response = client.get(reverse("problems:list"), {"overdue": "1", "_export": "xlsx"})
        assert "逾期问题清单_2021-11-20.xlsx" in unquote(response["Content-Disposition"])
        assert 'filename="problems-overdue_2021-11-20.xlsx"' in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(body(response))).active
        titles = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert titles == {"征地未完成", "燃气管道隐患"}  # closed and not-yet-due ones left out
        response = client.get(reverse("problems:list"), {"overdue": "1", "_export": "csv"})
        assert "逾期问题清单_2021-11-20.csv" in unquote(response["Content-Disposition"])
        rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
        assert sorted(row[0] for row in rows[1:]) == sorted(titles)
        # The whole list keeps its own name, and a formula-like title is made text.
        response = client.get(reverse("problems:list"), {"_export": "csv"})
    assert "问题清单_2021-11-20.csv" in unquote(response["Content-Disposition"])
    assert "'=cmd|' /C calc'!A0" in body(response).decode("utf-8-sig")
