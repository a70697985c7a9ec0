"""The Q1 2022 copy of the Q4 2021 plan, read on 14 January 2022, counts and lists the
recovery indicators still running from Q4 (due May 2022, not copied) on every page: the
overview's counts and its behind list, the goal tree (under the Q1 goal of the same code,
marked as continuing from Q4), the department pages, the exports, the week report and
the API, each with the same figures and the same total; the Q4 pages stay as they were."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from openpyxl import load_workbook

from targets.models import Goal, Indicator, Plan
from targets.seed.briefing import PLAN_CODE
from tests.api_helpers import client_for
from tests.demo_data import SeededDemo
from tests.plan_helpers import copy_to_q1_2022

Q1_DAY = date(2022, 1, 14)
Q4_DAY = date(2021, 12, 31)
CONTINUING = "延续自2021年第四季度"
BEHIND = ("滞后", "严重滞后")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


def indicator_rows(html: str) -> list[str]:
    """The indicator rows of a listing page (each has a 累计完成 cell)."""
    return [row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if 'data-label="累计完成"' in row]


def row_of(html: str, indicator: Indicator) -> str:
    (row,) = [row for row in indicator_rows(html) if f'href="/targets/indicators/{indicator.pk}/' in row]
    return row


def cells(row: str) -> dict[str, str]:
    """A listing row's cells by their label (the name cell as 指标)."""
    found = dict(re.findall(r'<td[^>]*data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S))
    status = re.search(r'<span class="status [^"]*">([^<]*)</span>', row).group(1)
    return {
        "指标": text_of(row.split("</td>")[0]),
        "状态": status,
        **{k: text_of(v) for k, v in found.items()},
    }


def count_sum(html: str) -> int:
    """All the status counts (同步/超前, 滞后, …) shown in ``html``, added up."""
    return sum(int(n) for n in re.findall(r'<li class="status [^"]*">[^<]*<b>(\d+)</b>', html))


def section(html: str, goal_code: str) -> str:
    start = html.index(f'id="goal-{goal_code}"')
    end = html.find("<section", start)
    return html[start : end if end > 0 else len(html)]


def overview_figures(html: str, first: str = "headlines") -> str:
    """A page's figures: from its first section (the overview's headlines) to the end of
    the page's content, without the plan picker (which lists the plans there are)."""
    return html[html.index(f'<section class="{first}"') : html.index("</main>")]


def root_of(goal: Goal) -> Goal:
    while goal.parent_id is not None:
        goal = goal.parent
    return goal


@pytest.mark.django_db
@override_settings(DEMO_TODAY=Q1_DAY)
class TestRunningIndicatorsCountInQ1(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.q4 = Plan.objects.get(code=PLAN_CODE)
        with override_settings(DEMO_TODAY=Q1_DAY):
            cls.q4_before = cls.q4_pages()
            cls.q1 = copy_to_q1_2022(cls.q4, cls.manager)
        # Those the copy left in Q4 because they run past its end into Q1.
        cls.running = list(
            cls.q4.indicators.filter(plan_end__gte=cls.q1.start).select_related("goal").order_by("pk")
        )
        assert cls.running and all(i.code.startswith("rec-") for i in cls.running)
        cls.in_force = cls.q1.indicators.count() + len(cls.running)

    @classmethod
    def q4_pages(cls) -> dict:
        cache.clear()
        client = Client()
        client.force_login(cls.manager)
        scope = {"plan": PLAN_CODE, "as_of": f"{Q4_DAY:%Y-%m-%d}"}
        return {
            "overview": overview_figures(client.get("/", scope).content.decode()),
            "departments": count_sum(client.get("/targets/departments/", scope).content.decode()),
            "csv": csv_rows(client.get("/targets/goals/", {**scope, "_export": "csv"})),
            "goals": text_of(
                overview_figures(client.get("/targets/goals/", scope).content.decode(), "framework")
            ),
        }

    def setUp(self):
        cache.clear()
        self.client.force_login(self.manager)
        self.scope = {"plan": self.q1.code, "as_of": f"{Q1_DAY:%Y-%m-%d}"}

    def get(self, path: str, **extra) -> str:
        return self.client.get(path, {**self.scope, **extra}).content.decode()

    def test_it_lists_them_on_the_goal_tree_under_the_q1_goal_of_the_same_code_as_continuing(self):
        goals = self.get("/targets/goals/")
        for indicator in self.running:
            q1_goal = Goal.objects.get(plan=self.q1, code=indicator.goal.code)
            shown = section(goals, root_of(q1_goal).code)
            row = row_of(goals, indicator)
            assert row in shown
            assert shown.index(f"<h3>{q1_goal.name}</h3>") < shown.index(row)
            assert cells(row)["指标"] == f"{indicator.name} {CONTINUING}"

    def test_every_page_counts_as_many_as_the_goal_tree_lists(self):
        goals = self.get("/targets/goals/")
        assert len(indicator_rows(goals)) == self.in_force
        assert count_sum(self.get("/targets/departments/")) == self.in_force
        assert (
            len(csv_rows(self.client.get("/targets/goals/", {**self.scope, "_export": "csv"})))
            == self.in_force
        )
        api = (
            client_for(self.official)
            .get("/api/v1/indicators/", {"plan": self.q1.code, "page_size": 500})
            .json()
        )
        assert api["count"] == self.in_force
        assert {i.pk for i in self.running} <= {item["id"] for item in api["results"]}
        # A work section's card on the overview counts the rows its goal tree section lists.
        overview = self.get("/")
        code = root_of(Goal.objects.get(plan=self.q1, code=self.running[0].goal.code)).code
        card = re.search(rf'href="[^"]*#goal-{code}"(.*?)</a>', overview, re.S).group(1)
        assert count_sum(card) == len(indicator_rows(section(goals, code)))
        # A unit's page lists its running indicators and counts them.
        unit = self.running[0].department
        page = self.get(f"/targets/departments/{unit.code}/")
        assert CONTINUING in cells(row_of(page, self.running[0]))["指标"]
        unit_card = re.search(
            rf'href="/targets/departments/{unit.code}/[^"]*"(.*?)</a>',
            self.get("/targets/departments/"),
            re.S,
        )
        assert count_sum(unit_card.group(1)) == len(indicator_rows(page))

    def test_the_behind_list_shows_a_running_indicator_with_the_goal_tree_figures(self):
        listed = csv_rows(self.client.get("/targets/goals/", {**self.scope, "_export": "csv"}))
        overview = self.get("/")
        behind = overview[overview.index('<section class="behind-list"') :]
        behind = behind[: behind.index("</section>")]
        total = int(re.search(r"共 (\d+) 项", behind).group(1))
        assert total == sum(1 for row in listed if row["状态"] in BEHIND)
        by_code = {row["编码"]: row for row in listed}
        shown = [i for i in self.running if f'href="/targets/indicators/{i.pk}/' in behind]
        assert shown, "a running recovery indicator behind schedule is on the behind list"
        for indicator in shown:
            (row,) = [
                r for r in re.findall(r"<tr>(.*?)</tr>", behind, re.S) if f"/indicators/{indicator.pk}/" in r
            ]
            assert by_code[indicator.code]["状态"] in BEHIND
            assert f"{by_code[indicator.code]['完成/计划（%）']}%" in text_of(row)

    def test_the_exports_list_them_with_the_page_figures(self):
        goals = self.get("/targets/goals/")
        listed = {
            row["编码"]: row
            for row in csv_rows(self.client.get("/targets/goals/", {**self.scope, "_export": "csv"}))
        }
        sheet = load_workbook(
            io.BytesIO(body(self.client.get("/targets/goals/", {**self.scope, "_export": "xlsx"})))
        ).active
        header = [cell.value for cell in sheet[1]]
        done = next(i for i, name in enumerate(header) if name.startswith("累计完成"))
        in_file = {row[header.index("编码")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert len(in_file) == self.in_force
        for indicator in self.running:
            page = cells(row_of(goals, indicator))
            row = listed[indicator.code]
            assert row["状态"] == page["状态"]
            if row["累计完成"]:
                assert f"{row['累计完成']}{row['单位']}" == page["累计完成"]
                assert Decimal(str(in_file[indicator.code][done])) == Decimal(row["累计完成"])
            else:
                assert page["累计完成"] == "—"
            if row["完成/计划（%）"]:
                assert f"{row['完成/计划（%）']}%" == page["完成/计划"]
            assert row["目标任务"] == Goal.objects.get(plan=self.q1, code=indicator.goal.code).name

    def test_the_week_report_counts_and_lists_them(self):
        report = self.client.get("/reports/week/2022-01-10/", {"plan": self.q1.code}).content.decode()
        assert f"共跟踪 {self.in_force} 项指标" in text_of(report)
        for indicator in self.running:
            assert indicator.name in report

    def test_a_running_indicator_without_its_goal_in_q1_counts_under_its_root_or_apart(self):
        indicator = self.running[0]
        Goal.objects.filter(plan=self.q1, code=indicator.goal.code).update(code="renamed-line")
        root = root_of(indicator.goal).code
        goals = self.get("/targets/goals/")
        assert row_of(goals, indicator) in section(goals, root)
        assert len(indicator_rows(goals)) == self.in_force

        Goal.objects.filter(plan=self.q1, code=root).update(code="renamed-root")
        cache.clear()
        goals = self.get("/targets/goals/")
        apart = section(goals, "continued")
        assert "延续自早前计划的指标" in apart
        assert cells(row_of(apart, indicator))["指标"] == f"{indicator.name} {CONTINUING}"
        assert len(indicator_rows(goals)) == self.in_force == count_sum(self.get("/targets/departments/"))

    def test_the_q4_pages_are_as_they_were(self):
        assert self.q4_pages() == self.q4_before
        assert {row["编码"] for row in self.q4_before["csv"]} >= {i.code for i in self.running}
