"""A copy to the next quarter leaves the indicators still running into it where they are:
the briefing's recovery figures (due May 2022) stay in the Q4 2021 plan, the copy page
says so before and after copying, the recovery unit's clerk finds each of them once in a
January 2022 week, and the figure he enters is read on the recovery page and on its
indicator's page, counted in one plan only."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from targets import freshness, services
from targets.models import AuditEvent, Indicator, Plan
from targets.plans import services as plans
from targets.seed.briefing import PLAN_CODE
from tests.demo_data import SeededDemo

Q1_DAY = date(2022, 1, 31)
MONDAY = date(2022, 1, 10)
SUNDAY = date(2022, 1, 16)  # the weekly figure's report day in that week
DONE_NAME = "灾后重建项目已完成个数"
RUNNING = ("rec-projects-done", "rec-investment")
DONE_BY_MID_JANUARY = Decimal("57")  # projects completed to date, reported on 16 January


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def entry_rows(html: str) -> list[str]:
    """The text of each indicator row of the entry week grid."""
    return [
        text_of(row)
        for row in re.findall(r'<tr class="cadence-[^"]*" data-indicator="\d+">(.*?)</tr>', html, re.S)
    ]


@pytest.mark.django_db
@override_settings(DEMO_TODAY=Q1_DAY)
class TestCopyLeavesRunningIndicators(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.q4 = Plan.objects.get(code=PLAN_CODE)
        # The briefing's recovery runs to May 2022, past the Q4 plan's end.
        cls.running = {i.code: i for i in cls.q4.indicators.filter(plan_end__gt=cls.q4.end)}
        assert set(RUNNING) <= set(cls.running)
        manager = Client()
        manager.force_login(cls.manager)
        with override_settings(DEMO_TODAY=Q1_DAY):
            cls.copy_page = manager.get(f"/plans/{PLAN_CODE}/copy/").content.decode()
            response = manager.post(
                f"/plans/{PLAN_CODE}/copy/",
                {
                    "kind": Plan.Kind.QUARTER,
                    "quarter": "2022-1",
                    "start": "2022-01-01",
                    "end": "2022-03-31",
                    "title": "",
                    "carry_targets": "1",
                    "rename": "on",
                },
                follow=True,
            )
            cls.copied_page = response.content.decode()
            cls.q1 = Plan.objects.get(copied_from=cls.q4)
            plans.plan_publish(user=cls.manager, plan=cls.q1)

    def setUp(self):
        cache.clear()

    def test_the_copy_page_names_the_indicators_it_leaves_running_and_the_copy_says_so(self):
        section = self.copy_page[self.copy_page.index('id="still-running"') :]
        listed = text_of(section[: section.index("</section>")])
        for indicator in self.running.values():
            assert indicator.name in listed
            assert f"{indicator.plan_start:%Y-%m-%d} – {indicator.plan_end:%Y-%m-%d}" in listed
        assert "四季度签约项目" not in listed
        message = text_of(self.copied_page[self.copied_page.index('class="messages') :])
        assert f"仍在执行的 {len(self.running)} 个指标未复制" in message
        assert all(indicator.name in message for indicator in self.running.values())
        # The copy holds every other indicator, the running ones stay in Q4 alone.
        copied = set(self.q1.indicators.values_list("code", flat=True))
        assert copied == set(self.q4.indicators.values_list("code", flat=True)) - set(self.running)
        event = AuditEvent.objects.get(action="plan_copy")
        assert sorted(event.detail["still_running"]) == sorted(self.running)

    def test_the_clerk_finds_each_recovery_figure_once_in_a_january_week(self):
        self.client.force_login(self.clerk)
        page = self.client.get(f"/entry/{MONDAY.isoformat()}/").content.decode()
        rows = entry_rows(page)
        assert len([row for row in rows if DONE_NAME in row]) == 1
        # The copied ones are there too, once: the Q1 signed projects, not the Q4 ones.
        assert len([row for row in rows if "一季度签约项目" in row]) == 1
        assert not [row for row in rows if "四季度签约项目" in row]
        # The recovery investment, reported monthly: once in the week of 31 January.
        month_end = entry_rows(self.client.get("/entry/2022-01-31/").content.decode())
        assert len([row for row in month_end if "灾后重建项目完成投资" in row]) == 1

    def test_the_figure_entered_in_january_counts_once_where_officials_look(self):
        done = self.running["rec-projects-done"]
        self.client.force_login(self.clerk)
        page = self.client.get(f"/entry/{MONDAY.isoformat()}/").content.decode()
        assert f'name="c_{done.pk}_{SUNDAY:%Y%m%d}"' in page  # the one cell for 16 January
        services.record_entries(
            user=self.clerk, rows=[services.EntryInput(done, SUNDAY, DONE_BY_MID_JANUARY)]
        )
        freshness.refresh([done.pk], today=Q1_DAY)
        cache.clear()
        self.client.force_login(self.official)
        # Its indicator's page, read in January, shows the January figure.
        response = self.client.get(f"/targets/indicators/{done.pk}/", {"as_of": Q1_DAY.isoformat()})
        assert response.context["row"].cumulative_actual == DONE_BY_MID_JANUARY
        # The recovery page of the Q1 plan (the one officials see in January) reads it.
        response = self.client.get("/projects/recovery/", {"as_of": Q1_DAY.isoformat()})
        assert response.context["plan"] == self.q1
        projects = [row.record for row in response.context["table"].rows]
        counted = [p for p in projects if p.progress_indicator and p.progress_indicator.code == done.code]
        assert [p.progress_indicator.pk for p in counted] == [done.pk]
        assert counted[0].progress_indicator.day_cumulative == DONE_BY_MID_JANUARY
        html = response.content.decode()
        row = html[html.index(f"recovery-{counted[0].code}") :]
        assert f"{DONE_BY_MID_JANUARY:.0f}" in text_of(row[: row.index("</tr>")])
        # The overview of the Q1 plan keeps its recovery headline: the Q4 investment, due May.
        overview = self.client.get("/", {"as_of": Q1_DAY.isoformat()}).content.decode()
        investment = self.running["rec-investment"]
        card = overview[overview.index(f'href="/targets/indicators/{investment.pk}/') :]
        assert investment.name in text_of(card[: card.index("</a>")])
        # Counted in one plan: no indicator of the Q1 plan holds it.
        assert not Indicator.objects.filter(plan=self.q1, code=done.code).exists()
