from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from targets import rollups, selectors
from targets.models import Entry, Indicator, PeriodValue
from tests.targets.dashboards.dashboard_fixtures import Q4, even, make_indicator, make_tree, roll_up

pytestmark = pytest.mark.django_db

AS_OF = date(2021, 11, 10)


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def board(tree):
    """Three indicators on 2021-11-10: one ahead, one a little behind, one far behind."""
    ahead = make_indicator("sci-projects-signed", name="签约项目", goal=tree["line"], department=tree["econ"])
    ahead_days = even(Q4[0], AS_OF, 2)  # 2 a day against a plan of 1 a day
    roll_up(ahead, ahead_days, until=AS_OF)
    slightly = make_indicator(
        "safety-sites-found", name="发现隐患", goal=tree["risk"], department=tree["safety"]
    )
    roll_up(slightly, even(Q4[0], AS_OF, "0.95"), until=AS_OF)
    far = make_indicator(
        "kp-investment",
        name="重点项目投资",
        unit="亿元",
        target="433.2",
        goal=tree["line"],
        department=tree["econ"],
        start=date(2021, 1, 1),
        decimals=2,
    )
    roll_up(far, even(date(2021, 1, 1), AS_OF, "0.5"), until=AS_OF)
    return {"ahead": ahead, "slightly": slightly, "far": far}


def test_it_counts_statuses_per_section_and_framework_goal(client, official, board, tree):
    client.force_login(official)
    data = selectors.overview(AS_OF)
    sections = {group.goal.code: group for group in data.sections}
    assert (sections["q4-economy"].green, sections["q4-economy"].red) == (1, 1)
    assert sections["risk"].yellow == 1
    framework = {group.goal.code: group for group in data.framework}
    # The work line feeds 国家创新高地, a child of 三个高地: both its indicators count there.
    assert framework["highlands"].total == 2
    assert framework["centres"].total == 0


def test_it_lists_the_most_behind_first_with_department_and_catch_up(client, official, board):
    client.force_login(official)
    response = client.get("/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    behind = response.context["data"].behind
    assert [row.code for row in behind] == ["kp-investment", "safety-sites-found"]
    assert behind[0].department_name == "经济发展局"
    # 433.2 − 0.5 × 314 days = 276.2 亿元 left over 51 days (11-11 … 12-31).
    assert behind[0].catch_up.quantize(Decimal("0.01")) == Decimal("5.42")
    html = response.content.decode()
    assert "严重滞后" in html and "滞后" in html
    assert "5.42 亿元" in html


def test_it_shows_headlines_against_target_with_time_progress(client, official, board):
    client.force_login(official)
    response = client.get("/", {"as_of": AS_OF.isoformat()})
    headline = response.context["data"].headlines["investment"]
    assert headline.cumulative_actual == Decimal("157.0000")
    # 314 of 365 days elapsed.
    assert headline.time_percent.quantize(Decimal("0.1")) == Decimal("86.0")
    html = response.content.decode()
    assert "157.00" in html and "433.2" in html
    assert 'id="chart-headlines"' in html and "plotly/plotly.min.js" in html


def test_it_shows_when_the_figures_were_computed(client, official, board):
    client.force_login(official)
    latest = rollups.latest_computed_at()
    assert latest is not None and latest >= PeriodValue.objects.aggregate(m=Max("computed_at"))["m"]
    response = client.get("/", {"as_of": AS_OF.isoformat()})
    assert response.context["computed_at"] == latest
    shown = timezone.localtime(latest).strftime("%Y-%m-%d %H:%M")
    html = response.content.decode()
    # Two labels: the day the figures are read on, and when the roll-up ran.
    assert f"计算于 {shown}" in html
    assert "数据截至" in html and f'name="as_of" value="{AS_OF.isoformat()}"' in html


def test_it_changes_statuses_with_the_as_of_date(client, official, board):
    client.force_login(official)
    # On 2021-10-05 the investment indicator had no actual since 1 Jan: only 0.5 a day.
    early = client.get("/", {"as_of": "2021-12-31"}).context["data"].total
    late = client.get("/", {"as_of": AS_OF.isoformat()}).context["data"].total
    # After 11-10 nothing more was done: the one ahead (2 a day) falls behind by year end.
    assert late.green == 1
    assert early.green == 0


def test_it_opens_on_today_clipped_into_the_quarter_not_on_the_last_day_with_figures(board):
    # Figures stop on AS_OF; today is later: the page opens on today (the quarter's end).
    assert selectors.resolve_as_of(None, date(2026, 11, 28)) == Q4[1]
    assert selectors.resolve_as_of(None, date(2021, 11, 20)) == date(2021, 11, 20)
    assert selectors.resolve_as_of("2022-03-01", date(2026, 11, 28)) == Q4[1]
    assert selectors.resolve_as_of("2021-06-01", date(2026, 11, 28)) == Q4[0]
    assert selectors.resolve_as_of("not-a-date", date(2021, 10, 5)) == date(2021, 10, 5)


def test_it_opens_on_today_clipped_when_there_is_no_data(tree):
    assert selectors.resolve_as_of(None, date(2021, 10, 20)) == date(2021, 10, 20)
    assert selectors.resolve_as_of(None, date(2026, 1, 1)) == Q4[1]


def test_it_switches_the_indicator_page_between_periods(client, official, board):
    client.force_login(official)
    url = f"/targets/indicators/{board['ahead'].pk}/"
    dekads = client.get(url, {"period": "dekad", "as_of": AS_OF.isoformat()})
    months = client.get(url, {"period": "month", "as_of": AS_OF.isoformat()})
    assert len(dekads.context["figures"]["bars"]["data"][0]["x"]) == 9
    assert months.context["figures"]["bars"]["data"][0]["x"] == ["10月", "11月", "12月"]
    html = months.content.decode()
    # The table shows the month's plan and actual: October 31 planned, 62 done.
    assert '<td class="num">62</td>' in html and '<td class="num">31</td>' in html
    assert client.get(url, {"period": "week"}).status_code == 404


def test_it_draws_the_burn_up_to_the_as_of_date(client, official, board):
    client.force_login(official)
    response = client.get(f"/targets/indicators/{board['ahead'].pk}/", {"as_of": AS_OF.isoformat()})
    fig = response.context["figures"]["burnup"]
    plan, actual = fig["data"]
    assert len(plan["x"]) == 92
    assert actual["y"][40] == 82.0 and actual["y"][41] is None  # 11-10 is day 41
    assert any(shape["x0"] == "2021-11-10" for shape in fig["layout"]["shapes"])
    assert "同步/超前" in response.content.decode()


def test_it_lists_department_indicators_and_statuses(client, official, board):
    client.force_login(official)
    response = client.get("/targets/departments/econ/", {"as_of": AS_OF.isoformat()})
    html = response.content.decode()
    assert "签约项目" in html and "重点项目投资" in html and "发现隐患" not in html
    listing = client.get("/targets/departments/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "经济发展局" in listing and "应急管理局" in listing


def test_it_shows_the_goal_tree_with_statuses(client, official, board):
    client.force_login(official)
    html = client.get("/targets/goals/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "坚持项目为王" in html and "签约项目" in html and "严重滞后" in html


def test_it_needs_login(client, board):
    for url in ("/", "/targets/goals/", f"/targets/indicators/{board['far'].pk}/", "/targets/departments/"):
        assert client.get(url).status_code == 302


def _bulk_indicators(tree, n: int):
    """n indicators with a figure each on AS_OF (what the overview reads), rolled up."""
    existing = Indicator.objects.count()
    new = [
        Indicator(
            code=f"bulk-{existing + i}",
            name=f"指标{existing + i}",
            unit="个",
            kind="amount",
            target_value=Decimal(100),
            plan_start=Q4[0],
            plan_end=Q4[1],
            department=tree["econ"] if i % 2 else tree["safety"],
            goal=tree["line"] if i % 3 else tree["risk"],
            plan_id=tree["line"].plan_id,
        )
        for i in range(n)
    ]
    Indicator.objects.bulk_create(new)
    created = Indicator.objects.filter(code__in=[i.code for i in new])
    # 30–49 done by AS_OF against a plan of about 44.6: green, yellow and red ones.
    Entry.objects.bulk_create(
        Entry(indicator=indicator, date=AS_OF, value=Decimal(30 + k % 20))
        for k, indicator in enumerate(created)
    )
    rollups.refresh([indicator.id for indicator in created])


@pytest.mark.parametrize(
    "url", ["/", "/targets/departments/", "/projects/key/", "/projects/safety/", "/projects/recovery/"]
)
def test_it_reads_with_the_same_number_of_queries_at_20_and_2000_indicators(
    client, official, tree, url, django_assert_num_queries
):
    client.force_login(official)
    _bulk_indicators(tree, 20)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"as_of": AS_OF.isoformat()}).status_code == 200
    _bulk_indicators(tree, 1980)
    assert Indicator.objects.count() == 2000
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    if url == "/":
        assert response.context["data"].total.total == 2000
        assert len(response.context["data"].behind) == 15


def test_it_shows_the_hazard_rectification_rate_over_all_campaigns(client, official, board, tree):
    rectified = make_indicator(
        "safety-sites-rectified", name="整改隐患", goal=tree["risk"], department=tree["safety"], target=None
    )
    roll_up(rectified, even(Q4[0], AS_OF, "0.5"), until=AS_OF)
    client.force_login(official)
    response = client.get("/", {"as_of": AS_OF.isoformat()})
    hazards = response.context["data"].hazards
    # 41 days: found 0.95 a day = 38.95, rectified 0.5 a day = 20.5 → 52.6 %.
    assert (hazards.found, hazards.rectified) == (Decimal("38.95"), Decimal("20.5"))
    assert "52.6<small>%</small>" in response.content.decode()


def test_it_shows_new_figures_after_the_next_roll_up(client, official, tree):
    from targets import rollups
    from targets.models import Entry

    indicator = make_indicator(
        "sci-projects-signed", name="签约项目", goal=tree["line"], department=tree["econ"]
    )
    Entry.objects.create(indicator=indicator, date=date(2021, 10, 1), value=Decimal(1))
    rollups.refresh(today=Q4[1])
    client.force_login(official)
    with CaptureQueriesContext(connection) as computed:
        first = client.get("/", {"as_of": "2021-10-02"}).content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get("/", {"as_of": "2021-10-02"}).content.decode()
    # The second reader gets the same body without the roll-up queries.
    assert len(cached.captured_queries) < len(computed.captured_queries)
    body = again[again.index('<section class="headlines"') : again.index("</main>")]
    assert body in first and "50.0%" in body  # 1 done of 2 planned by 10-02
    Entry.objects.create(indicator=indicator, date=date(2021, 10, 2), value=Decimal(3))
    rollups.refresh([indicator.pk], date(2021, 10, 2), today=Q4[1])
    later = client.get("/", {"as_of": "2021-10-02"}).content.decode()
    assert "4<small>个</small>" in later and "同步/超前" in later


def test_it_shows_a_department_reporting_timeliness(client, official, board, tree):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from targets.models import Submission

    Submission.objects.create(
        department=tree["econ"],
        week_start=date(2021, 11, 1),
        status=Submission.Status.SUBMITTED,
        submitted_at=datetime(2021, 11, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    client.force_login(official)
    response = client.get("/targets/departments/econ/", {"as_of": AS_OF.isoformat()})
    row = response.context["timeliness"]
    assert row.on_time == 1 and row.missing >= 1
    html = response.content.decode()
    assert "按时" in html and "未报" in html and "2021-11-01" in html


def test_it_reads_a_plan_that_ended_before_the_as_of_date_on_its_last_day(client, official, tree):
    batch = make_indicator(
        "rec-repair-25-done",
        name="25个项目完成修复",
        target="25",
        kind="level",
        goal=tree["line"],
        department=tree["econ"],
        end=date(2021, 10, 31),
    )
    roll_up(batch, {date(2021, 10, 20): Decimal(25)})
    client.force_login(official)
    html = client.get("/targets/departments/econ/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "同步/超前" in html and "25个" in html
