"""The projects' sections of the reports: key projects (investment, stage, milestones due
and reached in the period) and open problems (counts, overdue list)."""

from datetime import date
from decimal import Decimal

import pytest

from projects.models import KeyProject, Milestone, Problem
from targets.reporting import reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects_world(settings, departments):
    settings.DEMO_TODAY = date(2021, 11, 19)
    econ = departments[0]
    park = KeyProject.objects.create(
        code="park",
        name="智慧物流园",
        department=econ,
        total_investment=Decimal("12.5"),
        annual_planned_investment=Decimal("3"),
    )
    Milestone.objects.create(
        project=park,
        kind="start",
        name="主体开工",
        planned_date=date(2021, 11, 10),
        actual_date=date(2021, 11, 12),
    )
    Milestone.objects.create(
        project=park,
        kind="other",
        name="用地规划许可",
        planned_date=date(2021, 10, 1),
        actual_date=date(2021, 11, 3),
    )
    Milestone.objects.create(project=park, kind="complete", name="建成", planned_date=date(2022, 6, 30))
    Problem.objects.create(
        key_project=park,
        title="征地未完成",
        department=econ,
        raised_on=date(2021, 10, 8),
        due_date=date(2021, 11, 1),
    )
    Problem.objects.create(
        key_project=park,
        title="管线迁改",
        department=econ,
        raised_on=date(2021, 11, 2),
        due_date=date(2021, 11, 30),
        status=Problem.Status.CLOSED,
        closed_on=date(2021, 11, 12),
    )
    return park


def test_the_month_report_has_the_key_projects_and_problems_sections(projects_world):
    data = reports.build("month", date(2021, 11, 1))
    by_title = {part.title: part for part in data.contributed}
    assert list(by_title) == ["重点项目", "问题清单"]
    assert [part.number for part in data.contributed] == ["三、", "四、"]
    html = reports.render_html(data, for_pdf=True)
    key = html[html.index("三、重点项目") : html.index("四、问题清单")]
    assert "智慧物流园" in key and "12.50" in key and "3.00" in key and "在建" in key
    assert "主体开工" in key and "2021-11-10" in key  # due in November
    assert "用地规划许可" in key and "2021-11-03" in key  # reached in November
    assert "建成" not in key.split("（二）")[1]  # due in 2022: not this month's
    problems = html[html.index("四、问题清单") :]
    assert "未销号问题 1 个，其中逾期未整改 1 个；本期新提出 1 个，销号 1 个" in problems
    assert "征地未完成" in problems and "2021-11-01" in problems


def test_the_october_report_counts_only_what_was_raised_by_then(projects_world):
    data = reports.build("month", date(2021, 10, 1))
    problems = next(part for part in data.contributed if part.title == "问题清单")
    assert problems.context["open"] == 1 and problems.context["raised"] == 1
    assert [p.title for p in problems.context["overdue"]] == []  # due 1 November


def test_a_problem_closed_after_the_period_counts_as_open_in_it(projects_world):
    Problem.objects.filter(title="征地未完成").update(
        status=Problem.Status.CLOSED, closed_on=date(2021, 11, 15)
    )
    october = next(p for p in reports.build("month", date(2021, 10, 1)).contributed if p.title == "问题清单")
    assert october.context["open"] == 1
    november = next(p for p in reports.build("month", date(2021, 11, 1)).contributed if p.title == "问题清单")
    assert november.context["open"] == 0 and november.context["closed"] == 2
