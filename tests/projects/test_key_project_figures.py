"""Key projects carry their own figures, on the seeded briefing and demo as ``make run``
shows them (read as of the demo's last day): the projects' investment adds up exactly to
the projects' total on every period type and day, beside the district's reported total
with the difference; the stage follows the steps reached; a project's light is its own;
the list, the detail page, the export and the API show the figures."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

from django.test import override_settings
from django.urls import reverse

from projects.models import KeyProject, Milestone
from targets import rollups
from targets.models import Indicator, PeriodValue
from tests.demo_data import DEMO_DAY, SeededDemo

AS_OF = {"as_of": DEMO_DAY.isoformat()}
TAG = re.compile(r"<[^>]+>")


def text_of(html: str) -> str:
    return " ".join(TAG.sub(" ", html).split())


def body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


class ProjectFigures(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.total = Indicator.objects.get(code="kp-investment-projects")
        cls.reported = Indicator.objects.get(code="kp-investment")
        cls.parts = list(cls.total.parts.order_by("pk"))

    # ---- reconciliation ---------------------------------------------------------------

    def test_the_projects_total_is_the_sum_of_the_projects_on_every_period_type(self):
        self.assertEqual(len(self.parts), 12)
        self.assertEqual(
            {p.investment_indicator for p in KeyProject.objects.exclude(investment_indicator=None)},
            set(self.parts),
        )
        for period_type in ("dekad", "month", "quarter", "year"):
            rows = PeriodValue.objects.filter(
                period_type=period_type, indicator__in=[self.total, *self.parts]
            )
            by_start: dict = {}
            for pv in rows:
                by_start.setdefault(pv.period_start, {})[pv.indicator_id] = pv
            self.assertTrue(by_start, period_type)
            for start, row in by_start.items():
                mine = row[self.total.pk]
                theirs = [row[p.pk] for p in self.parts]
                actuals = [pv.actual for pv in theirs if pv.actual is not None]
                self.assertEqual(mine.actual, sum(actuals) if actuals else None, (period_type, start))
                cumulative = [pv.cumulative_actual for pv in theirs]
                expected = None if None in cumulative else sum(cumulative)
                self.assertEqual(mine.cumulative_actual, expected, (period_type, start))
                self.assertEqual(mine.planned, sum(pv.planned for pv in theirs), (period_type, start))
        october = PeriodValue.objects.get(
            indicator=self.total, period_type="month", period_start=date(2021, 10, 1)
        )
        self.assertGreater(october.actual, 0)

    def test_the_projects_total_is_the_sum_of_the_projects_on_every_day(self):
        ids = [self.total.pk, *(p.pk for p in self.parts)]
        days = rollups.day_values(ids, date(2021, 10, 1), DEMO_DAY)
        self.assertEqual(len(days[self.total.pk]), (DEMO_DAY - date(2021, 10, 1)).days + 1)
        for n, mine in enumerate(days[self.total.pk]):
            theirs = [days[p.pk][n] for p in self.parts]
            self.assertEqual(
                mine.cumulative_actual, sum(d.cumulative_actual for d in theirs), mine.period_start
            )
            self.assertEqual(mine.cumulative_planned, sum(d.cumulative_planned for d in theirs))
        # The day of a 旬's end agrees with the stored 旬.
        dekad = PeriodValue.objects.get(
            indicator=self.total, period_type="dekad", period_start=date(2021, 10, 21)
        )
        (day,) = rollups.day_values([self.total.pk], date(2021, 10, 31))[self.total.pk]
        self.assertEqual(day.cumulative_actual, dekad.cumulative_actual)

    def test_the_key_project_page_and_the_indicator_page_show_both_totals_and_the_difference(self):
        self.client.force_login(self.official)
        (day_total,) = rollups.day_values([self.total.pk], DEMO_DAY)[self.total.pk]
        (day_reported,) = rollups.day_values([self.reported.pk], DEMO_DAY)[self.reported.pk]
        difference = day_reported.cumulative_actual - day_total.cumulative_actual
        self.assertGreater(difference, 0)  # the named projects are a part of the 433.2亿元
        for url in (
            reverse("projects:key_list"),
            reverse("indicator_detail", args=[self.reported.pk]),
            reverse("indicator_detail", args=[self.total.pk]),
        ):
            html = self.client.get(url, AS_OF).content.decode()
            box = html[html.index('class="card reconciliation"') :]
            box = box[: box.index("</section>")]
            summed = text_of(box[box.index('class="summed"') :].split("</tr>")[0])
            reported = text_of(box[box.index('class="reported"') :].split("</tr>")[0])
            diff = text_of(box[box.index('class="difference"') :].split("</tr>")[0])
            self.assertIn(f"{day_total.cumulative_actual:,.2f}", summed, url)
            self.assertIn("12项合计", summed, url)
            self.assertIn(f"{day_reported.cumulative_actual:,.2f}", reported, url)
            self.assertIn(f"{difference:,.2f}", diff, url)

    # ---- stage and status -------------------------------------------------------------

    def test_the_stage_follows_the_steps_reached(self):
        bus = KeyProject.objects.get(code="longhu-autonomous-bus-2")
        start = bus.milestones.get(kind=Milestone.Kind.START)
        self.assertEqual(start.actual_date, date(2021, 10, 20))
        self.assertEqual(bus.stage, KeyProject.Stage.BUILDING)
        self.assertEqual(bus.stage_on(date(2021, 10, 19)), KeyProject.Stage.PREPARING)  # permits done
        self.assertEqual(bus.stage_on(date(2021, 5, 1)), KeyProject.Stage.PLANNING)
        self.assertEqual(
            KeyProject.objects.get(code="kunpeng-software-town-1").stage, KeyProject.Stage.IN_USE
        )
        self.assertEqual(KeyProject.objects.get(code="cvte-regional-hq").stage, KeyProject.Stage.PLANNING)
        self.client.force_login(self.official)
        html = self.client.get(reverse("projects:key_detail", args=[bus.pk]), AS_OF).content.decode()
        self.assertIn('<b class="stage">在建</b>', html)
        before = self.client.get(reverse("projects:key_detail", args=[bus.pk]), {"as_of": "2021-10-19"})
        self.assertIn('<b class="stage">前期</b>', before.content.decode())
        listed = self.client.get(reverse("projects:key_list"), {**AS_OF, "stage": "building"})
        codes = {p.code for p in listed.context["table"].data}
        self.assertIn("longhu-autonomous-bus-2", codes)
        self.assertNotIn("yellow-river-research-centre", codes)
        self.assertNotIn("kunpeng-software-town-1", codes)

    def test_a_project_still_to_be_signed_is_not_behind_because_the_signed_total_is(self):
        signed = Indicator.objects.get(code="sci-projects-signed")
        (day,) = rollups.day_values([signed.pk], DEMO_DAY)[signed.pk]
        self.assertIn(day.status, ("yellow", "red"))  # the "≥50 signed" total is behind …
        self.client.force_login(self.official)
        rows = {
            row.record.code: row
            for row in self.client.get(reverse("projects:key_list"), AS_OF).context["table"].rows
        }
        for code in ("cvte-regional-hq", "isoftstone"):
            light = rows[code].get_cell("light")
            self.assertNotIn("严重滞后", light, code)  # … the projects are not
            self.assertNotIn("滞后", light, code)
            self.assertEqual(rows[code].get_cell("stage"), "谋划")
        # A project's own lag shows: 黄河研究中心's investment and its overdue permit.
        self.assertIn("严重滞后", rows["yellow-river-research-centre"].get_cell("light"))
        self.assertIn("同步/超前", rows["zhongyuan-bigdata-park-1"].get_cell("light"))

    # ---- pages, export, API -----------------------------------------------------------

    def test_the_list_and_its_export_show_every_figure_the_demo_has(self):
        self.client.force_login(self.manager)
        page = self.client.get(reverse("projects:key_list"), AS_OF)
        figures = (
            "investment_done",
            "annual_planned_investment",
            "investment_percent",
            "quarter_done",
            "stage",
        )
        for row in page.context["table"].rows:
            if row.record.investment_indicator_id is None:
                continue
            for name in (*figures, "milestones", "progress"):
                self.assertNotEqual(row.get_cell(name), "—", (row.record.code, name))
        export = self.client.get(reverse("projects:key_list"), {**AS_OF, "_export": "csv"})
        lines = list(csv.DictReader(io.StringIO(body(export))))
        by_name = {line["项目"]: line for line in lines}
        park = by_name["中原大数据产业园（一期）"]
        project = KeyProject.objects.get(code="zhongyuan-bigdata-park-1")
        (day,) = rollups.day_values([project.investment_indicator_id], DEMO_DAY)[
            project.investment_indicator_id
        ]
        self.assertEqual(Decimal(park["完成投资（亿元）"]), day.cumulative_actual.quantize(Decimal("0.01")))
        self.assertEqual(Decimal(park["年度计划（亿元）"]), Decimal("9.50"))
        rate = (day.cumulative_actual / Decimal("9.5") * 100).quantize(Decimal("0.1"))
        self.assertEqual(Decimal(park["完成率 %"]), rate)
        self.assertEqual(park["阶段"], "在建")
        self.assertIn("机电设备安装", park["形象进度"])
        for line in lines:
            if line["项目"] in ("视源科技区域总部", "软通动力"):
                continue
            for column in ("完成投资（亿元）", "年度计划（亿元）", "完成率 %", "本季度完成（亿元）", "阶段"):
                self.assertNotIn(line[column], ("", "—"), (line["项目"], column))

    def test_the_detail_page_shows_figures_permits_progress_and_months(self):
        project = KeyProject.objects.get(code="yellow-river-research-centre")
        self.client.force_login(self.official)
        html = self.client.get(reverse("projects:key_detail", args=[project.pk]), AS_OF).content.decode()
        figures = text_of(html[html.index("project-figures") : html.index('class="kv card"')])
        self.assertIn("0.57亿元", figures)  # 0.45 to September + 0.12 in October
        self.assertIn("2.00亿元", figures)
        self.assertIn("28.5%", figures)
        self.assertIn("严重滞后", figures)
        self.assertIn("前期", figures)
        permits = text_of(html[html.index("前期手续") : html.index("项目节点")])
        self.assertIn("施工许可 2021-10-31 — 逾期", permits)
        self.assertIn("规划许可 2021-09-30 2021-10-15 逾期完成", permits)
        self.assertIn("施工图审查完成", html)
        months = text_of(html[html.index("逐月完成投资") : html.index("相关指标")])
        self.assertIn("2021年10月 0.12 0.57", months)

    @override_settings(DEMO_TODAY=DEMO_DAY)  # the API reads the figures as of today
    def test_the_api_gives_the_stage_and_the_figures(self):
        project = KeyProject.objects.get(code="zhongyuan-bigdata-park-1")
        self.client.force_login(self.official)
        body_ = self.client.get(f"/api/v1/projects/key-{project.pk}/").json()
        self.assertEqual(body_["stage"], "building")
        self.assertEqual(body_["status"], "building")
        self.assertEqual(body_["annual_planned_investment"], "9.5000")
        self.assertEqual(body_["investment_indicator"], project.investment_indicator_id)
        self.assertEqual(Decimal(body_["investment_done"]), Decimal("8.55"))
        self.assertEqual(body_["light"], "green")
        self.assertIn("机电设备安装", body_["progress"]["text"])
        self.assertEqual(body_["actual_start"], "2021-09-29")
        self.assertEqual(body_["planned_completion"], "2021-12-31")
        cvte = KeyProject.objects.get(code="cvte-regional-hq")
        listed = self.client.get("/api/v1/projects/", {"kind": "key"}).json()["results"]
        (row,) = [r for r in listed if r["id"] == f"key-{cvte.pk}"]
        self.assertEqual((row["stage"], row["light"], row["investment_done"]), ("planning", "none", None))
        east = KeyProject.objects.get(code="east-station-super-hq")
        detail = self.client.get(f"/api/v1/projects/key-{east.pk}/").json()
        kinds = {m["kind"]: m for m in detail["milestones"]}
        self.assertEqual(kinds["land"]["planned_date"], "2021-10-31")
        self.assertIsNone(kinds["land"]["actual_date"])
        self.assertTrue(detail["progress_history"])
