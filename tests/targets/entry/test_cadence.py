"""Entry at each indicator's cadence: the week page asks one figure per period that ends
in the week, dated on the period's last day; the form, the XLSX import and the API refuse
a figure on any other day with a message per cell; figures saved on other days before
the cadence stay readable."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from targets import services
from targets.entry import imports, views
from targets.models import Department, Entry, Indicator
from targets.services import EntryInput, EntryRejected
from tests.api_helpers import assert_error, client_for
from tests.targets.entry.entry_helpers import make_indicator
from tests.targets.entry.test_import import to_bytes, upload

pytestmark = pytest.mark.django_db

WEEK = date(2021, 10, 11)  # Monday; Sunday 17 October
SUNDAY = WEEK + timedelta(days=6)
WED = WEEK + timedelta(days=2)
MONTH_END_WEEK = date(2021, 10, 25)  # Monday; Sunday 31 October ends the month


def url(monday=WEEK):
    return reverse("entry_week", args=[monday.isoformat()])


def key(indicator, day):
    return f"{indicator.pk}_{day:%Y%m%d}"


@pytest.fixture
def cadenced(departments):
    econ, _safety = departments
    return {
        "daily": make_indicator(econ, "daily", name="日报投资", order=1),
        "weekly": make_indicator(econ, "weekly", name="周报投资", cadence="weekly", order=2),
        "stock": make_indicator(
            econ,
            "stock",
            name="在建项目个数",
            unit="个",
            decimals=0,
            kind=Indicator.Kind.LEVEL,
            cadence="weekly",
            order=3,
        ),
        "dekad": make_indicator(econ, "dekad", name="旬报资金", cadence="dekad", order=4),
        "monthly": make_indicator(econ, "monthly", name="月报资金", cadence="monthly", order=5),
        "milestone": make_indicator(
            econ,
            "milestone",
            name="平台上线",
            kind=Indicator.Kind.MILESTONE,
            cadence="once",
            target_value=None,
            unit="",
            decimals=0,
            max_value=Decimal("1"),
            plan_end=date(2021, 10, 31),
            order=6,
        ),
    }


def page(client, monday=WEEK):
    response = client.get(url(monday))
    assert response.status_code == 200
    return response


def inputs(response) -> dict[str, list[date]]:
    """Each row's editable cells as the days they are dated on."""
    return {row.indicator.code: [c.day for c in row.cells if c.editable] for row in response.context["rows"]}


def test_it_asks_each_indicator_once_per_period_ending_in_the_week(client, clerk, cadenced):
    client.force_login(clerk)
    response = page(client)
    cells = inputs(response)
    assert cells["daily"] == [WEEK + timedelta(days=n) for n in range(7)]
    assert cells["weekly"] == [SUNDAY] and cells["stock"] == [SUNDAY]
    assert "monthly" not in cells and "dekad" not in cells  # 10 and 31 October are other weeks
    assert response.context["cell_count"] == 7 + 1 + 1 + 1  # the milestone's done day is one pick
    html = response.content.decode()
    assert "本周需填报 10 个数值" in html
    # The stock is entered as the figure at the period's end; the weekly one says its week.
    stock_row = next(r for r in response.context["rows"] if r.indicator.code == "stock")
    assert stock_row.cells[0].label == "本周（10/11–10/17） 截至本期末"
    assert "截至本期末" in html and "本周（10/11–10/17）" in html
    # Indicators with nothing to report this week say when they report next.
    later = {item.indicator.code: item.next_day for item in response.context["later"]}
    assert later == {"dekad": date(2021, 10, 20), "monthly": date(2021, 10, 31)}
    assert "下次填报 2021-10-31" in html

    month_end = inputs(page(client, MONTH_END_WEEK))
    assert month_end["monthly"] == [date(2021, 10, 31)]
    assert month_end["dekad"] == [date(2021, 10, 31)]
    assert month_end["weekly"] == [date(2021, 10, 31)]


def test_it_saves_a_weekly_figure_on_sunday_and_refuses_it_on_another_day(client, clerk, cadenced):
    weekly = cadenced["weekly"]
    client.force_login(clerk)
    response = client.post(url(), {f"c_{key(weekly, SUNDAY)}": "4.5", f"o_{key(weekly, SUNDAY)}": ""})
    assert response.status_code == 302
    assert Entry.objects.get(indicator=weekly).date == SUNDAY

    # A crafted post for Wednesday: refused whole, with a message naming the right day.
    response = client.post(
        url(),
        {
            f"c_{key(weekly, WED)}": "1",
            f"o_{key(weekly, WED)}": "",
            f"c_{key(cadenced['daily'], WED)}": "2",
            f"o_{key(cadenced['daily'], WED)}": "",
        },
    )
    assert response.status_code == 400
    assert Entry.objects.count() == 1
    with pytest.raises(EntryRejected) as refused:
        services.record_entries(user=clerk, rows=[EntryInput(weekly, WED, "1")])
    (message,) = refused.value.errors[(weekly.pk, WED)]
    assert message == (
        "2021-10-13 不是本指标的填报日：本指标每周填报一次，数值记在每期最后一天；"
        "这一期的数值请填在 2021-10-17。"
    )


def test_it_dates_the_last_period_cut_short_by_the_plan_on_the_plans_last_day(client, clerk, departments):
    # A monthly plan ending on 15 December reports its last, half month that day; a
    # weekly plan ending on Friday 31 December reports its last week that Friday.
    short = make_indicator(departments[0], "short", cadence="monthly", plan_end=date(2021, 12, 15))
    assert short.takes_figure_on(date(2021, 12, 15)) and not short.takes_figure_on(date(2021, 12, 14))
    year_end = make_indicator(departments[0], "ye", cadence="weekly")
    assert year_end.takes_figure_on(date(2021, 12, 31)) and not year_end.takes_figure_on(date(2021, 12, 30))
    client.force_login(clerk)
    assert inputs(page(client, date(2021, 12, 13)))["short"] == [date(2021, 12, 15)]
    assert inputs(page(client, date(2021, 12, 27)))["ye"] == [date(2021, 12, 31)]


def test_it_keeps_figures_saved_on_other_days_before_the_cadence_readable(
    client, clerk, cadenced, django_capture_on_commit_callbacks
):
    weekly = cadenced["weekly"]
    Indicator.objects.filter(pk=weekly.pk).update(cadence="daily")
    weekly.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_entries(user=clerk, rows=[EntryInput(weekly, WED, "1.5")])
    Indicator.objects.filter(pk=weekly.pk).update(cadence="weekly")
    client.force_login(clerk)
    row = next(r for r in page(client).context["rows"] if r.indicator == weekly)
    legacy = next(c for c in row.cells if c.day == WED)
    assert legacy.value == "1.5" and legacy.legacy and not legacy.editable
    assert row.week_total == "1.5"  # still counted where it was saved
    # Clearing it is allowed (the only change a day off the cadence takes).
    services.record_entries(user=clerk, rows=[EntryInput(weekly, WED, "", expected_version=1)])
    assert not Entry.objects.filter(indicator=weekly).exists()


def test_it_lets_a_clerk_pick_a_milestones_done_day_until_it_is_done(
    client, clerk, cadenced, django_capture_on_commit_callbacks
):
    milestone = cadenced["milestone"]
    client.force_login(clerk)
    response = page(client)
    row = next(r for r in response.context["rows"] if r.indicator == milestone)
    form = {f"m_{milestone.pk}": f"{WED:%Y%m%d}"}
    for cell in row.milestone.cells:
        form[f"o_{cell.name}"] = cell.original
        form[f"v_{cell.name}"] = cell.version
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(), form).status_code == 302
    assert list(Entry.objects.filter(indicator=milestone).values_list("date", "value")) == [(WED, 1)]
    again = next(r for r in page(client).context["rows"] if r.indicator == milestone)
    assert again.milestone.chosen == f"{WED:%Y%m%d}" and again.cumulative == "已完成"
    # Done: the weeks after no longer ask for it.
    assert "milestone" not in inputs(page(client, WEEK + timedelta(days=7)))
    # Moved to Friday: Wednesday's figure goes, Friday's comes.
    form = {f"m_{milestone.pk}": f"{WEEK + timedelta(days=4):%Y%m%d}"}
    for cell in again.milestone.cells:
        form[f"o_{cell.name}"] = cell.original
        form[f"v_{cell.name}"] = cell.version
    assert client.post(url(), form).status_code == 302
    assert list(Entry.objects.filter(indicator=milestone).values_list("date", flat=True)) == [
        WEEK + timedelta(days=4)
    ]


def test_the_xlsx_week_greys_other_days_and_refuses_a_figure_there_per_cell(client, clerk, cadenced):
    client.force_login(clerk)
    response = client.get(reverse("entry_template", args=[WEEK.isoformat()]))
    ws = template_book_for(response)
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    weekly_row = rows["weekly"]
    assert ws.cell(row=weekly_row, column=2).value == "周报投资（每周）"
    grey = [ws.cell(row=weekly_row, column=4 + n).fill.fgColor.rgb for n in range(7)]
    assert grey[:6] == ["00DDDDDD"] * 6 and grey[6] != "00DDDDDD"
    assert "（每周，截至本期末）" in ws.cell(row=rows["stock"], column=2).value

    ws.cell(row=weekly_row, column=4 + 6, value=3)  # Sunday: fine
    ws.cell(row=weekly_row, column=4 + 2, value=2)  # Wednesday: refused
    response = upload(client, to_bytes(ws.parent))
    assert response.status_code == 400
    errors = response.context["preview"].errors
    assert errors == [
        f"第{weekly_row}行 F列：2021-10-13 不是本指标的填报日：本指标每周填报一次，数值记在每期最后一天；"
        "这一期的数值请填在 2021-10-17。"
    ]
    assert not Entry.objects.exists()

    ws.cell(row=weekly_row, column=4 + 2).value = None
    response = upload(client, to_bytes(ws.parent))
    assert response.status_code == 200 and not response.context["preview"].errors
    assert [(c.indicator.code, c.date) for c in response.context["preview"].changes] == [("weekly", SUNDAY)]


def template_book_for(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content)).active


def test_the_api_refuses_a_figure_off_the_cadence_on_the_date_field(clerk, cadenced):
    weekly = cadenced["weekly"]
    data = {"indicator": weekly.pk, "date": WED.isoformat(), "value": "2"}
    error = assert_error(client_for(clerk).post("/api/v1/entries/", data, format="json"), 400, "invalid")
    assert "2021-10-17" in error["fields"]["date"][0]
    ok = client_for(clerk).post("/api/v1/entries/", {**data, "date": SUNDAY.isoformat()}, format="json")
    assert ok.status_code == 201, ok.content


def test_the_briefings_safety_clerk_enters_at_most_40_figures_a_week(db):
    call_command("seed_briefing", stdout=StringIO())
    safety = Department.objects.get(code="safety")
    for monday in (date(2021, 10, 4), date(2021, 11, 15), date(2021, 11, 29), date(2021, 12, 27)):
        rows, _computed, _later = views.build_grid(safety, monday, editable=True)
        count = sum(r.input_count for r in rows)
        assert count <= 40, (monday, count)
        # It was one cell per indicator per day: 36 indicators × 7 days.
        assert len(list(imports.entry_indicators(safety))) * 7 == 252
