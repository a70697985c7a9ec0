"""A plan copied to Q1 2022 takes the open work with it: a problem not 已销号 and a
milestone not reached name the Q1 indicator on the problem list, the problem's page and
the API; a closed problem and a reached milestone stay with Q4 2021, their pages as they
were; nothing of a problem's history or of a milestone's planned date changes, and an
indicator still running in Q4 (the recovery, due May 2022) keeps its problems."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db.models import ProtectedError
from django.test import Client, override_settings

from projects.models import Milestone, Problem
from projects.services import move_problem, raise_problem
from targets.models import Indicator, Plan
from targets.seed.briefing import PLAN_CODE
from tests.api_helpers import client_for
from tests.demo_data import SeededDemo
from tests.plan_helpers import copy_to_q1_2022

Q1_DAY = date(2022, 1, 14)
SIGNED = "sci-projects-signed"  # 四季度签约项目 → 一季度签约项目 in the copy
RUNNING = "rec-investment"  # due May 2022: not copied


def main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def list_row(html: str, title: str) -> str:
    """The problem list's row of the problem titled ``title``, as text."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    (row,) = [r for r in rows if title in r]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


@pytest.mark.django_db
@override_settings(DEMO_TODAY=Q1_DAY)
class TestCopiedOpenItems(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        q4 = Plan.objects.get(code=PLAN_CODE)
        cls.q4_signed = q4.indicators.get(code=SIGNED)
        running = q4.indicators.get(code=RUNNING)

        def raise_on(indicator, title):
            return raise_problem(
                user=cls.manager,
                department=indicator.department,
                title=title,
                due_date=date(2021, 12, 20),
                indicator=indicator,
            )

        cls.open = raise_on(cls.q4_signed, "签约项目储备不足")
        cls.closed = raise_on(cls.q4_signed, "签约手续办理慢")
        move_problem(user=cls.manager, problem=cls.closed, move="start")
        move_problem(
            user=cls.manager,
            problem=cls.closed,
            move="request_close",
            comment="已开通绿色通道",
            without_evidence=True,
        )
        move_problem(user=cls.manager, problem=cls.closed, move="close", comment="同意销号")
        cls.on_running = raise_on(running, "重建资金拨付滞后")
        milestones = Milestone.objects.filter(indicator__plan=q4).select_related("indicator")
        cls.waiting = milestones.filter(actual_date=None).order_by("pk").first()
        cls.reached = milestones.exclude(actual_date=None).order_by("pk").first()
        assert cls.waiting and cls.reached  # the demo has both
        cls.waiting_q4 = cls.waiting.indicator
        cls.reached_q4 = cls.reached.indicator
        cls.before = {problem.pk: cls.pages(problem) for problem in (cls.open, cls.closed, cls.on_running)}
        with override_settings(DEMO_TODAY=Q1_DAY):
            cls.q1 = copy_to_q1_2022(q4, cls.manager)
        cls.q1_signed = cls.q1.indicators.get(code=SIGNED)

    @classmethod
    def pages(cls, problem) -> dict:
        client = Client()
        client.force_login(cls.official)
        page = client.get(f"/problems/{problem.pk}/").content.decode()
        api = client_for(cls.official).get(f"/api/v1/problems/{problem.pk}/").json()
        return {"page": main_text(page), "html": page, "api": api}

    def setUp(self):
        cache.clear()
        self.client.force_login(self.official)

    def test_an_open_problem_names_the_q1_indicator_on_the_list_its_page_and_the_api(self):
        rows = self.client.get("/problems/").content.decode()
        assert "一季度签约项目" in list_row(rows, self.open.title)
        after = self.pages(self.open)
        assert f'href="/targets/indicators/{self.q1_signed.pk}/"' in after["html"]
        assert f'href="/targets/indicators/{self.q4_signed.pk}/"' not in after["html"]
        assert after["api"]["indicator"] == self.q1_signed.pk
        # The same problem: its history and everything else as before.
        before = self.before[self.open.pk]["api"]
        assert after["api"]["history"] == before["history"] and len(before["history"]) == 1
        assert {k: v for k, v in after["api"].items() if k != "indicator"} == {
            k: v for k, v in before.items() if k != "indicator"
        }
        assert after["page"] == self.before[self.open.pk]["page"].replace("四季度签约项目", "一季度签约项目")

    def test_a_closed_problem_and_one_of_a_running_indicator_stay_as_they_were(self):
        rows = self.client.get("/problems/").content.decode()
        assert "四季度签约项目" in list_row(rows, self.closed.title)
        for problem in (self.closed, self.on_running):
            after = self.pages(problem)
            assert after["page"] == self.before[problem.pk]["page"]
            assert after["api"] == self.before[problem.pk]["api"]
        assert [h["move"] for h in self.pages(self.closed)["api"]["history"]] == [
            "raise",
            "start",
            "request_close",
            "close",
        ]
        assert Problem.objects.get(pk=self.on_running.pk).indicator.plan.code == PLAN_CODE

    def test_a_milestone_not_reached_follows_its_indicator_a_reached_one_stays(self):
        api = client_for(self.official)
        for milestone, expected in ((self.waiting, "q1"), (self.reached, "q4")):
            shown = api.get(f"/api/v1/projects/key-{milestone.project_id}/").json()["milestones"]
            (row,) = [m for m in shown if m["id"] == milestone.pk]
            old = self.waiting_q4 if milestone == self.waiting else self.reached_q4
            q1_copy = Indicator.objects.get(plan=self.q1, code=old.code)
            assert row["indicator"] == (q1_copy.pk if expected == "q1" else old.pk), milestone
            # Its planned date is the project's record: the copy never moves it.
            assert row["planned_date"] == (
                milestone.planned_date.isoformat() if milestone.planned_date else None
            )

    def test_a_copy_made_again_takes_the_open_items_from_the_draft_it_redoes(self):
        Plan.objects.filter(pk=self.q1.pk).update(status=Plan.Status.DRAFT)
        q4 = Plan.objects.get(code=PLAN_CODE)
        again = copy_to_q1_2022(q4, self.manager, publish=False)
        redone = again.indicators.get(code=SIGNED)
        assert self.pages(self.open)["api"]["indicator"] == redone.pk
        assert self.pages(self.closed)["api"]["indicator"] == self.q4_signed.pk

    def test_the_copy_holding_an_open_problem_cannot_be_deleted_with_it(self):
        """Deleting the Q1 indicator would delete the open problem that followed it there,
        history and all: the database refuses (the admin refuses it anyway, as it may not
        delete problems)."""
        with pytest.raises(ProtectedError):
            Indicator.objects.filter(pk=self.q1_signed.pk).delete()
        assert Problem.objects.get(pk=self.open.pk).indicator_id == self.q1_signed.pk
