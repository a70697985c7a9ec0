"""Every number an official reads is right and means what its label says, on the seeded
briefing and demo as ``make run`` shows them (read as of the demo's last day).

The reconciliation test recomputes every indicator's figures from its entries and its
plan here, independently of the roll-up, and finds the same figures, to the precision
shown, on its page, its department's rows, the API series, the XLSX and CSV exports and
the quarter PDF. The label check reads every percentage and count those show."""

import csv
import html
import io
import re
import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from projects.models import KeyProject, RecoveryProject
from targets import rollups, selectors
from targets.models import Department, Entry, Indicator, PeriodValue
from targets.reporting import reports
from tests.demo_data import DEMO_DAY, SeededDemo

AS_OF = {"as_of": DEMO_DAY.isoformat()}
TAG = re.compile(r"<[^>]+>")
COUNT_UNITS = {"个", "项", "处", "户", "次"}


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def shown(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def row_of(page: str, anchor: str) -> str:
    """The ``<tr>`` of a page that contains ``anchor``."""
    at = page.index(anchor)
    return page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]


# ---- The independent recomputation ----------------------------------------------------


class Oracle:
    """An indicator's position on a day from its entries and plan, written from the rules
    of the design (not from the roll-up's code): amounts add up from the opening value, a
    level is its last value, a milestone is done on its first entry ≠ 0, a ratio is the
    ratio of its parts to date in %; the plan spreads the target evenly over the plan's
    days (到天), a milestone's plan is the whole on its due day."""

    def __init__(self, day: date):
        self.day = day
        self.entries: dict[int, list] = {}
        for entry in Entry.objects.filter(date__lte=day).order_by("date"):
            self.entries.setdefault(entry.indicator_id, []).append((entry.date, entry.value))
        self.indicators = {ind.pk: ind for ind in Indicator.objects.all()}

    def read_on(self, ind: Indicator) -> date:
        return min(self.day, ind.plan_end)

    def cumulative(self, ind: Indicator) -> Decimal | None:
        day = self.read_on(ind)
        seen = [(d, v) for d, v in self.entries.get(ind.pk, []) if ind.entry_start <= d <= day]
        if ind.kind == Indicator.Kind.AMOUNT:
            return (ind.opening_value or Decimal(0)) + sum((v for _d, v in seen), Decimal(0))
        if ind.kind == Indicator.Kind.LEVEL:
            return seen[-1][1] if seen else ind.opening_value
        if ind.kind == Indicator.Kind.MILESTONE:
            return Decimal(1) if self.done_on(ind) else Decimal(0)
        if ind.kind == Indicator.Kind.SUM:  # its parts added up, unknown if one part is
            parts = [self.cumulative(part) for part in ind.parts.all()]
            return None if None in parts else sum(parts, Decimal(0))
        numerator = self.cumulative(self.indicators[ind.numerator_id])
        denominator = self.cumulative(self.indicators[ind.denominator_id])
        return (numerator or 0) / denominator * 100 if denominator else None

    def done_on(self, ind: Indicator) -> date | None:
        day = self.read_on(ind)
        return next((d for d, v in self.entries.get(ind.pk, []) if v != 0 and d <= day), None)

    def planned(self, ind: Indicator) -> Decimal | None:
        if ind.kind == Indicator.Kind.SUM:  # its parts' plans, each as stored (to 1/10 000), added up
            parts = [self.planned(part) for part in ind.parts.all()]
            return None if None in parts else sum((shown(p, 4) for p in parts), Decimal(0))
        if ind.kind in (Indicator.Kind.MILESTONE, Indicator.Kind.RATIO) or ind.target_value is None:
            return None
        days = (ind.plan_end - ind.plan_start).days + 1
        elapsed = (self.read_on(ind) - ind.plan_start).days + 1
        return ind.target_value * elapsed / days

    def plan_percent(self, ind: Indicator) -> Decimal | None:
        planned = self.planned(ind)
        if not planned:
            return None
        return (self.cumulative(ind) or 0) / planned * 100


def plan_places(value: Decimal, decimals: int) -> int:
    """The places a plan figure shows: the indicator's, or two when those would round it."""
    return decimals if shown(value, decimals) == value.quantize(Decimal("0.0001")) else max(decimals, 2)


@pytest.mark.django_db
@override_settings(DEMO_TODAY=DEMO_DAY)  # the demo's today: its report reads the quarter as of that day
class TestFiguresOnTheDemo(SeededDemo):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        data = reports.build(reports.periods.QUARTER, DEMO_DAY)
        cls.report = data
        cls.pdf_text = None
        if shutil.which("pdftotext"):
            pdf = reports.render_pdf(data)
            cls.pdf_text = subprocess.run(
                ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
            ).stdout.decode()

    def setUp(self):
        self.client.force_login(self.manager)

    def get(self, url, params=None, user=None):
        if user is not None:
            self.client.force_login(user)
        response = self.client.get(url, {**AS_OF, **(params or {})})
        assert response.status_code == 200, (url, response.status_code)
        return response

    # ---- Recovery ---------------------------------------------------------------------

    def test_it_shows_no_batch_figure_as_a_single_projects_own(self):
        page = self.get("/projects/recovery/").content.decode()
        batch = Indicator.objects.get(code="rec-repair-25-done")
        last = date(2021, 10, 31)
        batch_done = rollups.day_values([batch.pk], last, last)[batch.pk][0].cumulative_actual
        assert batch_done == 25
        for code, batch in (
            ("yanming-road", "repair-batch-25"),
            ("ruoshui-220kv-substation", "repair-batch-34"),
        ):
            project = RecoveryProject.objects.get(code=code)
            own = text_of(row_of(page, project.name + "<"))
            assert not re.search(r"\b\d+个", own), own  # neither 25个 nor 29个: those are the batch's
            assert "计入批次" in own
            whole = text_of(row_of(page, RecoveryProject.objects.get(code=batch).name + "<"))
            assert re.search(r"\b\d+个", whole)  # the batch still shows its count done

    def test_it_shows_the_bonds_applied_for_against_their_targets(self):
        page = self.get("/projects/recovery/").content.decode()
        applied = Indicator.objects.get(code="rec-bond-projects")
        amount = Indicator.objects.get(code="rec-bond-amount")
        rows = {
            r.code: r
            for r in selectors.rows(Indicator.objects.filter(pk__in=[applied.pk, amount.pk]), DEMO_DAY)
        }
        cards = text_of(page[page.index('class="kv card') : page.index("</div>\n\n")])
        assert f"{rows['rec-bond-projects'].cumulative_actual:.0f}" in cards
        assert f"{rows['rec-bond-amount'].cumulative_actual:.2f}" in cards
        assert rows["rec-bond-projects"].cumulative_actual < 81
        assert "目标 81个" in cards and "目标 14.20亿元" in cards
        assert not re.search(r"<b>\s*81\s*<", page) and not re.search(r"<b>\s*14\.20\s*<", page)

    def test_it_does_not_make_the_205_planned_projects_a_completion_target(self):
        recovery = Indicator.objects.get(code="rec-projects-done")
        assert recovery.target_value is None and "谋划" in recovery.name
        overview = text_of(self.get("/").content.decode())
        assert "目标 205" not in overview
        recovery_page = text_of(self.get("/projects/recovery/").content.decode())
        assert "205个" in recovery_page  # the planned count of the whole, as 个数

    # ---- Safety -----------------------------------------------------------------------

    def test_it_never_shows_a_period_rectification_rate_above_100(self):
        rates = PeriodValue.objects.filter(indicator__kind="ratio", actual__isnull=False)
        assert rates.count() > 50  # 旬, months and the quarter of every area (days are not stored)
        assert max(rates.values_list("actual", flat=True)) <= 100
        assert not rates.exclude(actual=models_f("cumulative_actual")).exists()
        page = text_of(
            self.get(
                reverse("indicator_detail", args=[Indicator.objects.get(code="safety-nine-small-rate").pk]),
                {"period": "dekad"},
            ).content.decode()
        )
        assert all(Decimal(p) <= 100 for p in re.findall(r"\b(\d{2,3}\.\d)\b", page))

    # ---- Reports ----------------------------------------------------------------------

    @pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
    )
    def test_it_labels_hazards_alike_in_the_report_and_on_the_overview(self):
        hazards = selectors.hazards(DEMO_DAY)
        overview = text_of(self.get("/").content.decode())
        assert hazards.summary in overview
        assert hazards.summary in " ".join(self.pdf_text.split())
        assert "排查隐患" not in self.pdf_text and f"{hazards.found:.0f} 项" in hazards.summary

    def test_it_says_whether_a_milestone_is_done_and_when_in_the_report(self):
        lines = {line.row.code: line for s in self.report.sections for line in s.lines}
        platform = lines["sci-fund-data-platform-online"]
        done = (
            Entry.objects.filter(indicator__code="sci-fund-data-platform-online")
            .exclude(value=0)
            .first()
            .date
        )
        assert platform.cumulative_text == f"已完成（{done.isoformat()}）"
        assert platform.planned_text == "2021-10-31"
        waiting = [
            line for line in lines.values() if line.row.kind == "milestone" and not line.row.cumulative_actual
        ]
        assert waiting and all(line.cumulative_text == "未完成" for line in waiting)
        assert all(
            line.cumulative_text not in ("0", "1") for line in lines.values() if line.row.kind == "milestone"
        )

    def test_it_shows_a_plan_to_date_to_the_places_it_needs(self):
        lines = {line.row.code: line for s in self.report.sections for line in s.lines}
        sites = lines["rec-water-sites-done"]
        assert sites.cumulative_text == "1" and sites.planned_text == "1.23"  # 1 of 1.23 = 81 %
        assert sites.plan_percent_text == "81.0"

    # ---- Entry grid -------------------------------------------------------------------

    def test_it_says_what_the_entry_grids_plan_and_week_columns_are(self):
        page = self.get("/entry/2021-11-15/", user=self.clerk).content.decode()
        investment = Indicator.objects.get(code="kp-investment")
        cells = text_of(row_of(page, f"c_{investment.pk}_"))
        assert re.search(r"\d+\.\d\d亿元 目标的 \d+\.\d%", cells), cells
        recovery = Indicator.objects.get(code="rec-projects-done")
        # Reported weekly: its latest figure is the week before's (Sunday 14 November).
        before = self.get("/entry/2021-11-08/", user=self.clerk).content.decode()
        level = text_of(row_of(before, f'data-indicator="{recovery.pk}"'))
        assert "最新" in level and "合计" not in level and "无目标" in level
        safety = self.get("/entry/2021-11-15/", user=self.clerk2).content.decode()
        found = Indicator.objects.get(code="safety-nine-small-found")
        cells = row_of(safety, f"c_{found.pk}_")
        tail = [text_of(c) for c in re.findall(r"<td[^>]*rollup[^>]*>(.*?)</td>", cells, re.S)]
        assert tail[2:] == ["无目标", "—"], tail

    # ---- Departments ------------------------------------------------------------------

    def test_it_does_not_count_weeks_after_the_as_of_date_as_missing(self):
        page = self.get("/targets/departments/econ/").content.decode()
        weeks = re.findall(r"(\d{4}-\d{2}-\d{2}) 起\s*(?:<[^>]+>\s*)*([^<\s]+)", page)
        assert weeks
        after = [(monday, label) for monday, label in weeks if monday > "2021-11-15"]
        assert after and all(label == "未到期" for _m, label in after), after

    # ---- English ----------------------------------------------------------------------

    def test_it_shows_english_names_and_units_in_english(self):
        self.client.cookies["django_language"] = "en"
        investment = Indicator.objects.get(code="kp-investment")
        econ = Department.objects.get(code="econ")
        overview = text_of(self.get("/").content.decode())
        assert investment.name_en in overview and investment.name not in overview
        department = text_of(self.get(f"/targets/departments/{econ.code}/").content.decode())
        assert econ.name_en in department and "亿元" not in department
        export = self.get(f"/targets/departments/{econ.code}/", {"_export": "xlsx"})
        sheet = load_workbook(io.BytesIO(body(export))).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert investment.name_en in cells and investment.name not in cells
        with translation.override("en"):
            data = reports.build(reports.periods.QUARTER, DEMO_DAY)
            names = {line.name for s in data.sections for line in s.lines}
        assert investment.name_en in names and investment.name not in names

    def test_it_counts_indicators_without_a_plan_in_words_not_in_the_reports_bars(self):
        chart = str(self.report.status_chart)
        assert reports.STATUS_COLORS["none"] not in chart
        safety = next(s for s in self.report.sections if "安全" in s.goal.name)
        assert safety.counts.none == 50 and "无计划 50 项" in chart

    # ---- Reconciliation ---------------------------------------------------------------

    def test_it_reconciles_every_indicator_across_every_door_with_a_recomputation(self):
        """Cumulative actual, cumulative plan and actual ÷ plan of every indicator: the
        page, the department rows, the API, the XLSX, the CSV and the PDF show what the
        entries and the plan give, to the places each shows."""
        oracle = Oracle(DEMO_DAY)
        indicators = list(Indicator.objects.select_related("department").order_by("order", "code"))
        checks = Checks()
        pdf_rows = pdf_section_rows(self.pdf_text) if self.pdf_text else {}
        report_order = [line.row.code for s in self.report.sections for line in s.lines]
        pdf_by_code = dict(zip(report_order, pdf_rows, strict=True)) if pdf_rows else {}

        for department in Department.objects.all():
            mine = [ind for ind in indicators if ind.department_id == department.pk]
            if not mine:
                continue
            url = reverse("department_detail", args=[department.code])
            page = self.get(url).content.decode()
            xlsx = load_workbook(io.BytesIO(body(self.get(url, {"_export": "xlsx"})))).active
            x_rows = list(xlsx.iter_rows(values_only=True))
            x_head = [str(h) for h in x_rows[0]]
            x_by_code = {r[0]: dict(zip(x_head, r, strict=True)) for r in x_rows[1:]}
            csv_text = body(self.get(url, {"_export": "csv"})).decode("utf-8-sig")
            c_by_code = {r["编码"]: r for r in csv.DictReader(io.StringIO(csv_text))}

            for ind in mine:
                cumulative = oracle.cumulative(ind)
                planned = oracle.planned(ind)
                percent = oracle.plan_percent(ind)
                milestone = ind.kind == Indicator.Kind.MILESTONE
                places = ind.decimals
                done_text = (
                    f"已完成（{oracle.done_on(ind).isoformat()}）" if oracle.done_on(ind) else "未完成"
                )
                expect = done_text if milestone else fmt(cumulative, places)
                plan_text = fmt(planned, plan_places(planned, places)) if planned is not None else "—"

                # Its page.
                detail = self.get(reverse("indicator_detail", args=[ind.pk])).content.decode()
                card = text_of(detail[detail.index('class="cards facts"') : detail.index("</section>")])
                checks.text("page cumulative", ind, expect, card)
                if not milestone:
                    checks.text("page plan", ind, f"累计计划 {plan_text}", card)
                if percent is not None:
                    checks.text("page actual/plan %", ind, f"完成/计划 {fmt(percent, 1)}%", card)

                # Its department's rows.
                row = text_of(row_of(page, f"/targets/indicators/{ind.pk}/"))
                checks.text("department row cumulative", ind, expect, row)
                if percent is not None:
                    checks.text("department row actual/plan %", ind, f"{fmt(percent, 1)}%", row)

                # The API series (the day row of the as-of date or of the plan's end).
                on = oracle.read_on(ind).isoformat()
                series = self.client.get(
                    f"/api/v1/indicators/{ind.pk}/series/", {"period": "day", "start": on, "end": on}
                ).json()
                api = series[0]
                checks.number("API cumulative", ind, cumulative, api["cumulative_actual"], 4)
                if planned is not None:
                    checks.number("API plan", ind, planned, api["cumulative_planned"], 4)
                elif not ind.has_plan:  # no target: the page's — is the API's null, not a plan of 0
                    checks.equal(
                        "API no plan", ind, (None, None), (api["planned"], api["cumulative_planned"])
                    )

                # The XLSX and the CSV of the department's rows.
                for door, rows in (("XLSX", x_by_code), ("CSV", c_by_code)):
                    cells = rows[ind.code]
                    if milestone:
                        checks.equal(f"{door} cumulative", ind, done_text, cells["累计完成"])
                    else:
                        checks.number(f"{door} cumulative", ind, cumulative, cells["累计完成"], places)
                    if planned is not None:
                        checks.number(
                            f"{door} plan", ind, planned, cells["累计计划"], plan_places(planned, places)
                        )
                    if percent is not None:
                        checks.number(f"{door} actual/plan %", ind, percent, cells[_percent_header(cells)], 1)

                # The quarter report's PDF.
                if pdf_by_code:
                    cells = pdf_by_code[ind.code]
                    checks.text("PDF cumulative", ind, expect, cells["cumulative"])
                    checks.text(
                        "PDF plan",
                        ind,
                        plan_text if not milestone else ind.plan_end.isoformat(),
                        cells["planned"],
                    )
                    if ind.target_value and not milestone and ind.kind != Indicator.Kind.RATIO:
                        target_percent = (cumulative or 0) / ind.target_value * 100
                        checks.text(
                            "PDF actual/target %", ind, fmt(target_percent, 1), cells["target_percent"]
                        )

        assert not checks.failures, "\n".join(checks.failures[:30])
        assert len(indicators) == 75 + 13  # the briefing's, the key projects' investment and their sum
        kinds = sorted(checks.kinds)
        print(
            f"reconciliation: {len(indicators)} indicators, {checks.count} comparisons, figure types: {kinds}"
        )
        assert checks.count > 75 * 8  # page, rows, API, XLSX, CSV and PDF, two or three figures each

    def test_it_shows_each_key_projects_investment_alike_on_the_list_the_export_and_the_api(self):
        """A project's investment completed and its rate against the annual plan: the key
        project list, its CSV and XLSX and the API show what the entries give."""
        oracle = Oracle(DEMO_DAY)
        projects = list(
            KeyProject.objects.exclude(investment_indicator=None).select_related("investment_indicator")
        )
        assert len(projects) == 12
        page = self.get(reverse("projects:key_list")).content.decode()
        csv_text = body(self.get(reverse("projects:key_list"), {"_export": "csv"})).decode("utf-8-sig")
        c_by_name = {r["项目"]: r for r in csv.DictReader(io.StringIO(csv_text))}
        xlsx = load_workbook(
            io.BytesIO(body(self.get(reverse("projects:key_list"), {"_export": "xlsx"})))
        ).active
        x_rows = list(xlsx.iter_rows(values_only=True))
        x_by_name = {r[0]: dict(zip([str(h) for h in x_rows[0]], r, strict=True)) for r in x_rows[1:]}
        api = {r["code"]: r for r in self.client.get("/api/v1/projects/", {"kind": "key"}).json()["results"]}
        checks = Checks()
        for project in projects:
            ind = project.investment_indicator
            done = oracle.cumulative(ind)
            rate = done / project.annual_planned_investment * 100
            row = text_of(row_of(page, f"/projects/key/{project.pk}/"))
            checks.text(
                "list investment", ind, f"{fmt(done, 2)} {fmt(project.annual_planned_investment, 2)}", row
            )
            checks.text("list rate", ind, fmt(rate, 1), row)
            for door, rows in (("CSV", c_by_name), ("XLSX", x_by_name)):
                cells = rows[project.name]
                checks.number(f"{door} investment", ind, done, cells["完成投资（亿元）"], 2)
                checks.number(f"{door} rate", ind, rate, cells["完成率 %"], 1)
            checks.number("API investment", ind, done, api[project.code]["investment_done"], 4)
        assert not checks.failures, "\n".join(checks.failures)
        assert checks.count == 12 * 7

    # ---- Labels -----------------------------------------------------------------------

    def test_it_shows_percentages_in_range_counts_as_integers_and_no_markup_in_files(self):
        """Every percentage shown lies in 0–100, or its label says it can pass 100 (actual ÷
        plan, actual ÷ target: ahead of plan); every count is a whole number (a plan to date
        is a pace, not a count); no exported cell carries markup."""
        over_allowed = ("完成/计划", "完成率", "完成目标", "完成计划", "Achieved", "actual / plan")
        pages = ["/", "/targets/goals/", "/projects/safety/", "/projects/recovery/", "/projects/key/"]
        pages += [reverse("department_detail", args=[d.code]) for d in Department.objects.all()]
        pages += [
            reverse("indicator_detail", args=[pk]) for pk in Indicator.objects.values_list("pk", flat=True)
        ]
        problems = []
        for url in pages:
            response = self.client.get(url, AS_OF)
            if response.status_code != 200:
                continue
            page = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
            # A table cell is read with its column's label (data-label), the rest of the
            # page with the words before the figure.
            labelled = [(label, text_of(cell)) for label, cell in re.findall(CELL, page, re.S)]
            labelled.append(("", text_of(re.sub(CELL, " ", page, flags=re.S))))
            for label, text in labelled:
                for match in re.finditer(r"(-?[\d,]+(?:\.\d+)?)\s?%", text):
                    value = number(match.group(1))
                    before = label + text[max(0, match.start() - 40) : match.start()]
                    if not (0 <= value <= 100) and not any(word in before for word in over_allowed):
                        problems.append(f"{url}: {match.group(0)} after …{before[-30:]}")
                for match in re.finditer(r"(?<![\d.])(\d[\d,]*\.\d+)\s?(个|项|处|户|次)(?![\d（(])", text):
                    # A plan to date or a catch-up rate per day is a pace, not a count.
                    before = label + text[max(0, match.start() - 12) : match.start()]
                    if not any(word in before for word in ("计划", "每天")):
                        problems.append(f"{url}: count {match.group(0)} after …{before}")
        for url in pages:
            for fmt_ in ("xlsx", "csv"):
                response = self.client.get(url, {**AS_OF, "_export": fmt_})
                if response.status_code != 200 or "html" in response.get("Content-Type", ""):
                    continue
                data = body(response)
                if fmt_ == "xlsx":
                    table = [
                        list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
                    ]
                else:
                    table = [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
                cells = [c for r in table for c in r]
                for n, header in enumerate(table[0] if table else []):
                    if "%" not in str(header) or any(word in str(header) for word in over_allowed):
                        continue
                    for r in table[1:]:
                        if r[n] not in (None, "", "—") and not 0 <= number(str(r[n])) <= 100:
                            problems.append(f"{url} {fmt_}: {header} = {r[n]}")
                problems += [
                    f"{url} {fmt_}: {c!r}" for c in cells if isinstance(c, str) and re.search(r"<[a-z/]", c)
                ]
        assert not problems, "\n".join(problems[:40])


CELL = r'<td[^>]*data-label="([^"]*)"[^>]*>(.*?)</td>'


def _percent_header(cells: dict) -> str:
    return next(h for h in cells if h.startswith("完成/计划"))


def fmt(value: Decimal | None, places: int) -> str:
    return "—" if value is None else f"{shown(value, places):.{places}f}"


class Checks:
    """Counts comparisons and keeps the failures, so one run lists every disagreement."""

    def __init__(self):
        self.count = 0
        self.kinds: set[str] = set()
        self.failures: list[str] = []

    def _record(self, kind, ind, ok, detail):
        self.count += 1
        self.kinds.add(kind)
        if not ok:
            self.failures.append(f"{ind.code} {kind}: {detail}")

    def text(self, kind, ind, expected: str, shown_text: str):
        normal = shown_text.replace(",", "")
        self._record(kind, ind, expected in normal, f"{expected!r} not in {normal[:160]!r}")

    def number(self, kind, ind, expected: Decimal | None, got, places: int):
        if expected is None:
            self._record(kind, ind, got in (None, "", "—"), f"expected none, got {got!r}")
            return
        try:
            value = number(str(got))
        except Exception:  # noqa: BLE001 (a cell that is not a number is itself a failure)
            self._record(kind, ind, False, f"not a number: {got!r}")
            return
        self._record(kind, ind, shown(value, places) == shown(expected, places), f"{value} ≠ {expected}")

    def equal(self, kind, ind, expected, got):
        self._record(kind, ind, expected == got, f"{got!r} ≠ {expected!r}")


STATUS_WORDS = ("同步/超前", "严重滞后", "滞后", "无计划", "未到期")


def pdf_section_rows(text: str) -> list[dict]:
    """The rows of the report's section tables, in order: each row's first line ends with
    its status and carries its figures (a long name wraps below)."""
    rows = []
    body_text = text[text.index("三、") :]
    for line in body_text.splitlines():
        stripped = line.strip()
        if not stripped.endswith(STATUS_WORDS) or stripped.startswith(("同步/超前", "指标")):
            continue
        cells = re.split(r"\s{2,}", stripped)
        if len(cells) < 6:
            continue
        rows.append(
            {
                "status": cells[-1],
                "target_percent": cells[-2],
                "planned": cells[-3],
                "cumulative": cells[-4],
                "period": cells[-5],
            }
        )
    return rows


def models_f(name):
    from django.db.models import F  # noqa: PLC0415

    return F(name)
