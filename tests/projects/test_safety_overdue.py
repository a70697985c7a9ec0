"""Overdue hazards (逾期未整改隐患) on the safety page: the briefing's areas each count them
as a level, the demo fills them in step with hazards found and rectified, and the page,
its chart and its export read them from the roll-up."""

import csv
import io
import random
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import SafetyCampaign
from targets import periods, rollups
from targets.models import Indicator, PeriodValue
from targets.seed import demo

pytestmark = pytest.mark.django_db

UNTIL = demo.DEFAULT_UNTIL


@pytest.fixture
def demo_data(db):
    call_command("seed_briefing", stdout=StringIO())
    call_command("seed_demo", "--until", UNTIL.isoformat(), stdout=StringIO())


def day_figures() -> dict[tuple[str, date], Decimal]:
    """{(indicator code, day): cumulative actual} of every safety day of the demo, read as
    every page reads a day (``rollups.day_values``)."""
    codes = dict(Indicator.objects.filter(code__startswith="safety-").values_list("id", "code"))
    days = rollups.day_values(codes, demo.DEMO_START, UNTIL)
    return {(codes[pk], day.period_start): day.cumulative_actual for pk, rows in days.items() for day in rows}


def most_overdue_area(day: date) -> tuple[SafetyCampaign, Decimal]:
    """The area with the most overdue hazards on ``day``, by its day row."""
    codes = dict(Indicator.objects.filter(code__endswith="-overdue").values_list("id", "code"))
    rows = [
        (codes[pk], days[0].cumulative_actual) for pk, days in rollups.day_values(codes, day, day).items()
    ]
    code, overdue = max(rows, key=lambda row: (row[1], row[0]))
    return SafetyCampaign.objects.get(code=code.removeprefix("safety-").removesuffix("-overdue")), overdue


def table_cells(html: str, campaign: SafetyCampaign) -> list[str]:
    """The figures of an area's row in the page's table (after its name and kind)."""
    row = re.search(rf'<tr>\s*<td><a href="#campaign-{campaign.code}">(.*?)</tr>', html, re.S)
    assert row, campaign.code
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row.group(1))


def test_it_shows_each_areas_overdue_hazards_from_the_roll_up(client, official, demo_data):
    campaign, overdue = most_overdue_area(UNTIL)
    assert overdue > 0  # the demo has something overdue to show
    client.force_login(official)
    response = client.get("/projects/safety/", {"as_of": UNTIL.isoformat()})
    html = response.content.decode()
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert re.findall(r"<th[^>]*>([^<]*)</th>", header)[-1] == "逾期"
    figures = day_figures()
    found = figures[(f"safety-{campaign.code}-found", UNTIL)]
    rectified = figures[(f"safety-{campaign.code}-rectified", UNTIL)]
    # 检查, 发现隐患, 已整改, 整改率, 未整改, 逾期
    cells = table_cells(html, campaign)
    assert cells[1] == f"{found:.0f}" and cells[4] == f"{found - rectified:.0f}"
    assert cells[5] == f"{overdue:.0f}"
    # The cards on top add every area's overdue hazards up.
    total = sum(v for (code, day), v in figures.items() if code.endswith("-overdue") and day == UNTIL)
    assert f"<span>逾期未整改</span><b>{total:.0f}</b>" in html
    # No target is invented for the count: its roll-up has no plan (stored as 0) and no
    # status, where a target of 0 would have made an overdue hazard "green".
    indicator = Indicator.objects.get(code=f"safety-{campaign.code}-overdue")
    (row,) = rollups.day_values([indicator.id], UNTIL, UNTIL)[indicator.id]
    assert row.cumulative_actual == overdue > 0
    assert (row.cumulative_planned, row.status) == (0, PeriodValue.Status.NONE)


def test_it_never_has_more_overdue_than_open_hazards_on_any_demo_day(demo_data):
    figures = day_figures()
    days = list(periods.days_between(demo.DEMO_START, UNTIL))
    seen_overdue = False
    for campaign in SafetyCampaign.objects.all():
        prefix = f"safety-{campaign.code}"
        for n, day in enumerate(days):
            overdue = figures[(f"{prefix}-overdue", day)]
            open_hazards = figures[(f"{prefix}-found", day)] - figures[(f"{prefix}-rectified", day)]
            assert 0 <= overdue <= open_hazards, (campaign.code, day, overdue, open_hazards)
            if n <= demo.RECTIFY_DAYS:  # nothing is past its deadline in the first week
                assert overdue == 0, (campaign.code, day)
            seen_overdue = seen_overdue or overdue > 0
    assert seen_overdue


@pytest.mark.parametrize("seed", range(20))
def test_it_picks_overdue_hazards_among_the_open_ones_without_changing_found_or_rectified(seed):
    days = list(periods.days_between(date(2021, 10, 1), date(2021, 12, 31)))
    series = demo.safety_series(days, random.Random(seed), random.Random(f"{seed}:major"))
    other = demo.safety_series(days, random.Random(seed), random.Random(f"{seed}:other"))
    assert (series["found"], series["rectified"]) == (other["found"], other["rectified"])
    found = rectified = Decimal(0)
    for n, day in enumerate(days):
        found += series["found"][n]
        rectified += series["rectified"][n]
        # Overdue hazards were found more than RECTIFY_DAYS days ago and are still open.
        found_long_ago = sum(series["found"][: max(0, n - demo.RECTIFY_DAYS)])
        assert 0 <= series["overdue"][n] <= min(found - rectified, found_long_ago), day


def test_it_draws_the_overdue_hazards_at_each_dekads_end_on_the_area_chart(client, official, demo_data):
    campaign, _overdue = most_overdue_area(UNTIL)
    client.force_login(official)
    response = client.get("/projects/safety/", {"as_of": UNTIL.isoformat()})
    area = next(a for a in response.context["areas"] if a.campaign == campaign)
    traces = {trace["name"]: trace for trace in area.figure["data"]}
    assert set(traces) == {"发现隐患", "已整改", "逾期未整改"}
    dekads = PeriodValue.objects.filter(
        indicator__code=f"safety-{campaign.code}-overdue", period_type="dekad", period_start__lte=UNTIL
    ).order_by("period_start")
    assert traces["逾期未整改"]["y"] == [float(pv.cumulative_actual) for pv in dekads]
    assert len(traces["逾期未整改"]["y"]) == len(traces["发现隐患"]["y"]) == 5  # 10月上旬 … 11月中旬
    assert "发现、整改与逾期未整改隐患（按旬）" in response.content.decode()


def test_it_exports_the_overdue_hazards_of_every_area(client, manager, demo_data):
    client.force_login(manager)
    response = client.get("/projects/safety/", {"as_of": UNTIL.isoformat(), "_export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    column = header.index("逾期（项）")
    figures = day_figures()
    for campaign in SafetyCampaign.objects.all():
        overdue = figures[(f"safety-{campaign.code}-overdue", UNTIL)]
        assert Decimal(body[campaign.name][column]) == overdue, campaign.code
