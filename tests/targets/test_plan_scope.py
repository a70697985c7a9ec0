"""Every page, report, export and the API read their plan: a second plan (Q1 2022, a copy
of the Q4 2021 briefing with the same codes) shows on its own, and the Q4 pages read as
before it existed."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from targets import rollups, selectors
from targets.models import Entry, Indicator, Plan
from targets.reporting import reports
from targets.seed.briefing import PLAN_CODE
from tests.demo_data import DEMO_DAY, SeededDemo
from tests.plan_helpers import copy_plan

Q1_DAY = date(2022, 1, 14)
Q1_TITLE = "郑东新区2022年第一季度目标任务"
Q4_TITLE = "郑东新区2021年第四季度目标任务"


def overview_figures(data: selectors.Overview) -> dict:
    """What the overview shows, as plain values."""
    return {
        "total": dict(data.total.counts),
        "sections": [(group.goal.code, dict(group.counts)) for group in data.sections],
        "framework": [(group.goal.code, dict(group.counts)) for group in data.framework],
        "headlines": {
            key: (row.code, row.cumulative_actual, row.cumulative_planned, row.status, row.time_percent)
            for key, row in data.headlines.items()
        },
        "behind": [(row.code, row.cumulative_actual, row.status) for row in data.behind],
        "hazards": (data.hazards.found, data.hazards.rectified),
    }


def export_rows(client, url: str) -> list[list[str]]:
    response = client.get(url, {"_export": "csv", "as_of": DEMO_DAY.isoformat(), "plan": PLAN_CODE})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def q4_pages(client) -> dict:
    """The Q4 2021 figures as the pages and files give them on the demo's day."""
    cache.clear()
    page = client.get("/", {"as_of": DEMO_DAY.isoformat()})
    departments = client.get("/targets/departments/", {"as_of": DEMO_DAY.isoformat()})
    return {
        "overview": overview_figures(page.context["data"]),
        "title": page.context["plan"].title,
        "departments": {d.code: dict(d.status.counts) for d in departments.context["departments"]},
        "goal_tree": export_rows(client, "/targets/goals/"),
        "report": [
            (h.label, h.value, h.note) for h in reports.build(reports.periods.QUARTER, DEMO_DAY).headlines
        ],
    }


@pytest.mark.django_db
@override_settings(DEMO_TODAY=DEMO_DAY)
class TestTwoPlans(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client = Client()
        client.force_login(cls.manager)
        with override_settings(DEMO_TODAY=DEMO_DAY):
            cls.q4_before = q4_pages(client)
        cls.q4 = Plan.objects.get(code=PLAN_CODE)
        cls.q1 = copy_plan(
            cls.q4,
            code="2022q1",
            title=Q1_TITLE,
            title_en="Zhengdong New District targets, Q1 2022",
            start=date(2022, 1, 1),
            end=date(2022, 3, 31),
        )
        # Two weeks of January for the Q1 investment: 2亿元 a day.
        cls.q1_investment = Indicator.objects.get(plan=cls.q1, code="kp-investment")
        Entry.objects.bulk_create(
            Entry(indicator=cls.q1_investment, date=date(2022, 1, 1) + timedelta(days=n), value=Decimal(2))
            for n in range(14)
        )
        rollups.refresh([cls.q1_investment.pk], today=Q1_DAY)
        cls.draft = Plan.objects.create(
            code="2022q2",
            title="郑东新区2022年第二季度目标任务",
            start=date(2022, 4, 1),
            end=date(2022, 6, 30),
        )

    def setUp(self):
        cache.clear()
        self.client.force_login(self.official)

    def test_the_q4_pages_read_as_before_the_second_plan(self):
        self.client.force_login(self.manager)
        after = q4_pages(self.client)
        assert after == self.q4_before
        assert after["title"] == Q4_TITLE
        # Codes repeat across plans: the Q4 headline is the Q4 indicator.
        q4_headline = after["overview"]["headlines"]["investment"]
        assert q4_headline[0] == "kp-investment" and q4_headline[1] > 0

    @override_settings(DEMO_TODAY=Q1_DAY)
    def test_the_overview_of_14_january_shows_the_q1_plan(self):
        response = self.client.get("/")
        assert response.status_code == 200
        assert response.context["plan"] == self.q1
        assert response.context["as_of"] == Q1_DAY
        page = response.content.decode()
        assert f"<h1>{Q1_TITLE}</h1>" in page
        data = response.context["data"]
        assert data.total.total == self.q1.indicators.count() == self.q4.indicators.count()
        investment = data.headlines["investment"]
        assert investment.id == self.q1_investment.pk
        assert investment.cumulative_actual == Decimal(28)
        # 14 of the quarter's 90 days.
        assert investment.time_percent == Decimal("15.56")
        assert round(Decimal(14) / 90 * 100, 2) == Decimal("15.56")
        assert "15.6%" in page
        # Every figure shown is a Q1 indicator's.
        q1_ids = set(self.q1.indicators.values_list("pk", flat=True))
        assert {row.id for row in data.behind} <= q1_ids
        assert {row.id for row in data.headlines.values()} <= q1_ids
        # The picker offers both published plans (never the draft), and links keep the plan.
        assert '<select name="plan"' in page
        assert f'<option value="2022q1" selected>{Q1_TITLE}</option>' in page
        assert f'<option value="{PLAN_CODE}">{Q4_TITLE}</option>' in page
        assert "2022q2" not in page
        assert f"as_of={Q1_DAY.isoformat()}&amp;plan=2022q1" in page
        assert "数据来源：郑东新区2022年第一季度目标任务（测试）" in page

    @override_settings(DEMO_TODAY=Q1_DAY)
    def test_the_picker_switches_plans_and_caps_the_date_into_the_plan(self):
        q4 = self.client.get("/", {"plan": PLAN_CODE})
        assert (q4.context["plan"], q4.context["as_of"]) == (self.q4, date(2021, 12, 31))
        assert f"<h1>{Q4_TITLE}</h1>" in q4.content.decode()
        assert q4.context["data"].headlines["investment"].code == "kp-investment"
        assert q4.context["data"].headlines["investment"].id != self.q1_investment.pk
        # An as-of date picks the plan covering it; a date outside the picked plan is capped.
        assert self.client.get("/", {"as_of": "2021-11-19"}).context["plan"] == self.q4
        capped = self.client.get("/", {"plan": "2022q1", "as_of": "2021-11-19"})
        assert (capped.context["plan"], capped.context["as_of"]) == (self.q1, date(2022, 1, 1))
        # The goal tree and the departments list the chosen plan's indicators only.
        tree = self.client.get("/targets/goals/", {"plan": PLAN_CODE, "as_of": "2021-11-19"})
        assert {row.id for goal in tree.context["sections"] for row in goal.rows} <= set(
            self.q4.indicators.values_list("pk", flat=True)
        )
        departments = self.client.get("/targets/departments/", {"plan": "2022q1"})
        total = sum(sum(d.status.counts.values()) for d in departments.context["departments"])
        assert total == self.q1.indicators.count()

    @override_settings(DEMO_TODAY=Q1_DAY)
    def test_an_indicator_page_shows_its_own_plan(self):
        q4_investment = Indicator.objects.get(plan=self.q4, code="kp-investment")
        q4_page = self.client.get(f"/targets/indicators/{q4_investment.pk}/")
        assert (q4_page.context["plan"], q4_page.context["as_of"]) == (self.q4, date(2021, 12, 31))
        assert Q4_TITLE in q4_page.content.decode()
        q1_page = self.client.get(f"/targets/indicators/{self.q1_investment.pk}/")
        assert (q1_page.context["plan"], q1_page.context["as_of"]) == (self.q1, Q1_DAY)
        assert q1_page.context["row"].cumulative_actual == Decimal(28)

    def test_a_draft_plan_is_not_shown_to_officials(self):
        response = self.client.get("/", {"plan": "2022q2"})
        assert response.status_code == 404
        assert "工作计划“2022q2”不存在或尚未发布" in response.content.decode()
        assert "2022q2" not in self.client.get("/").content.decode()
        assert self.client.get("/api/v1/indicators/", {"plan": "2022q2"}).status_code in (400, 403)
        # Those who write plans may look at it.
        self.client.force_login(self.manager)
        assert self.client.get("/", {"plan": "2022q2"}).status_code == 200

    @override_settings(DEMO_TODAY=Q1_DAY)
    def test_reports_carry_their_plan_title_and_period(self):
        self.client.force_login(self.manager)
        quarter = self.client.get("/reports/quarter/2022-01-01/")
        assert "郑东新区2022年第一季度目标任务进展报告" in quarter.content.decode()
        month = reports.build(reports.periods.MONTH, date(2022, 1, 1))
        assert month.title == "郑东新区2022年1月目标任务进展报告"
        assert month.as_of == Q1_DAY
        assert {line.row.id for s in month.sections for line in s.lines} <= set(
            self.q1.indicators.values_list("pk", flat=True)
        )
        q4 = reports.build(reports.periods.QUARTER, date(2021, 10, 1))
        assert q4.title == "郑东新区2021年第四季度目标任务进展报告"
        pdf = self.client.get("/reports/month/2022-01-01.pdf")
        assert "郑东新区2022年1月目标任务进展报告_2022-01-01.pdf" in unquote(pdf["Content-Disposition"])
        # The archive offers the plan's own periods.
        archive = self.client.get("/reports/")
        offered = [p.start for _label, items in archive.context["choices"] for p in items]
        assert min(offered) >= date(2021, 12, 27) and date(2022, 1, 1) in offered
        assert date(2021, 10, 1) not in offered
        q4_archive = self.client.get("/reports/", {"plan": PLAN_CODE})
        assert date(2021, 10, 1) in [p.start for _l, items in q4_archive.context["choices"] for p in items]

    @override_settings(DEMO_TODAY=Q1_DAY)
    def test_exports_name_their_plan(self):
        self.client.force_login(self.manager)
        response = self.client.get("/targets/goals/", {"_export": "csv"})
        name = unquote(response["Content-Disposition"])
        assert f"{Q1_TITLE}_指标进度_2022-01-14" in name
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert len(rows) - 1 == self.q1.indicators.count()

    @override_settings(DEMO_TODAY=Q1_DAY)
    def test_the_api_lists_the_current_plan_unless_asked_for_another(self):
        client = APIClient()
        client.force_authenticate(self.official)
        q1_ids = set(self.q1.indicators.values_list("pk", flat=True))
        current = client.get("/api/v1/indicators/").json()
        assert current["count"] == len(q1_ids)
        assert {row["id"] for row in current["results"]} <= q1_ids
        assert {row["plan_end"] for row in current["results"]} == {"2022-03-31"}
        q4 = client.get("/api/v1/indicators/", {"plan": PLAN_CODE}).json()
        assert q4["count"] == self.q4.indicators.count()
        assert {row["id"] for row in q4["results"]}.isdisjoint(q1_ids)
        department = self.q1_investment.department.code
        one = client.get("/api/v1/indicators/", {"plan": "2022q1", "department": department}).json()
        assert one["count"] == self.q1.indicators.filter(department__code=department).count()
        assert {row["id"] for row in one["results"]} <= q1_ids
        bad = client.get("/api/v1/indicators/", {"plan": "nope"})
        assert bad.status_code == 400 and "plan" in bad.json()["error"]["fields"]


@pytest.mark.django_db
def test_without_any_plan_the_overview_says_so(client, official):
    client.force_login(official)
    response = client.get("/")
    assert response.status_code == 200
    assert "尚无已发布的工作计划" in response.content.decode()
    for url in ("/targets/goals/", "/targets/departments/", "/projects/safety/", "/projects/key/"):
        assert client.get(url).status_code == 200, url
