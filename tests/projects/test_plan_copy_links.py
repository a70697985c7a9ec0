"""A plan copied to Q1 2022 carries the projects' links: after January's figures, the Q1
key-project page shows the project's Q1 investment, its linked indicators are the Q1
ones, the recovery and safety pages read the Q1 indicators, and the Q4 2021 pages are
unchanged."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from projects.models import KeyProject, RecoveryProject, SafetyCampaign
from targets import freshness, services
from targets.models import Indicator, Plan
from targets.plans import services as plans
from targets.seed.briefing import PLAN_CODE
from tests.demo_data import DEMO_DAY, SeededDemo
from tests.plan_helpers import copy_to_q1_2022

Q1_DAY = date(2022, 2, 14)
PROJECT = "yellow-river-research-centre"
JANUARY = Decimal("0.42")  # 亿元, January's investment (reported monthly, on 31 January)


def main_text(response) -> str:
    """The page's main content as text, without the 计算于 time of the roll-up and the
    plan picker (shown once there are two plans)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'<form method="get" class="plan-form".*?</form>', "", main, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", main)
    text = re.sub(r"计算于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", "计算于", text)
    return " ".join(text.split())


def q4_pages(client, project) -> dict:
    cache.clear()
    as_of = {"as_of": DEMO_DAY.isoformat()}
    return {
        url: main_text(client.get(url, as_of))
        for url in (
            f"/projects/key/{project.pk}/",
            "/projects/key/",
            "/projects/recovery/",
            "/projects/safety/",
        )
    }


@pytest.mark.django_db
@override_settings(DEMO_TODAY=Q1_DAY)
class TestCopiedLinks(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.project = KeyProject.objects.select_related("investment_indicator").get(code=PROJECT)
        client = Client()
        client.force_login(cls.official)
        cls.q4_before = q4_pages(client, cls.project)
        q4 = Plan.objects.get(code=PLAN_CODE)
        with override_settings(DEMO_TODAY=Q1_DAY):
            cls.q1 = copy_to_q1_2022(q4, cls.manager)
            cls.q1_investment = Indicator.objects.get(plan=cls.q1, code=cls.project.investment_indicator.code)
            services.record_entries(
                user=cls.manager,
                rows=[services.EntryInput(cls.q1_investment, date(2022, 1, 31), JANUARY)],
            )
            freshness.refresh(list(cls.q1.indicators.values_list("pk", flat=True)), today=Q1_DAY)

    def setUp(self):
        cache.clear()
        self.client.force_login(self.official)

    def test_the_q1_project_page_shows_the_q1_investment(self):
        response = self.client.get(f"/projects/key/{self.project.pk}/", {"as_of": Q1_DAY.isoformat()})
        assert response.context["plan"] == self.q1
        project = response.context["project"]
        assert project.investment_indicator == self.q1_investment
        done = JANUARY
        assert project.investment_done == done
        figures = main_text(response)
        assert f"本年累计完成投资 {done.normalize():f}亿元" in figures
        # Time progress over the Q1 indicator's own period (a year: the annual plan).
        ind = self.q1_investment
        elapsed = (Q1_DAY - ind.plan_start).days + 1
        length = (ind.plan_end - ind.plan_start).days + 1
        assert (ind.plan_start, length) == (date(2022, 1, 1), 365)
        assert f"时间进度 {elapsed / length * 100:.1f}%" in figures
        assert f"本季度完成 {done.normalize():f}亿元" in figures
        # Its linked indicators are the Q1 copies (the same codes, the Q1 plan).
        linked = {row.id for row in response.context["rows"]}
        q4_linked = set(self.project.indicators.filter(plan__code=PLAN_CODE).values_list("code", flat=True))
        codes = q4_linked | {self.q1_investment.code}
        expected = set(self.q1.indicators.filter(code__in=codes).values_list("pk", flat=True))
        assert linked == expected and len(expected) == len(q4_linked) + 1

    def test_the_q1_indicator_page_names_its_projects(self):
        copied = self.q1.indicators.get(code="kp-yellow-river-centre-start")
        response = self.client.get(f"/targets/indicators/{copied.pk}/", {"as_of": Q1_DAY.isoformat()})
        assert "黄河研究中心" in [p.name for p in response.context["key_projects"]]

    def test_recovery_projects_and_campaigns_link_to_the_q1_indicators(self):
        # But to those still running into Q1 (the recovery, due May 2022): not copied.
        running = {i.code for i in plans.still_running(Plan.objects.get(code=PLAN_CODE), self.q1.start)}
        assert running
        for model in (RecoveryProject, SafetyCampaign, KeyProject):
            for obj in model.objects.prefetch_related("indicators"):
                q4 = {i.code for i in obj.indicators.all() if i.plan_id != self.q1.pk}
                q1 = {i.code for i in obj.indicators.all() if i.plan_id == self.q1.pk}
                assert q1 == q4 - running, obj
        response = self.client.get("/projects/safety/", {"as_of": Q1_DAY.isoformat()})
        measures = [ind for area in response.context["areas"] for ind in area.measures.values()]
        assert measures and {ind.plan_id for ind in measures} == {self.q1.pk}

    def test_the_q4_pages_are_unchanged(self):
        assert q4_pages(self.client, self.project) == self.q4_before
        response = self.client.get(f"/projects/key/{self.project.pk}/", {"as_of": DEMO_DAY.isoformat()})
        assert response.context["project"].investment_indicator.plan.code == PLAN_CODE
