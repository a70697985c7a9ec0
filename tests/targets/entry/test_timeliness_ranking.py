"""The on-time ranking to 通报: per unit, weeks due over the plan so far, sent on time,
late, missing, the rate and the rank (并列 for equal rates); on the timeliness page and in
its XLSX/CSV."""

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from targets import services
from targets.entry import timeliness
from targets.models import AuditEvent, Department, Plan, Submission
from tests.targets.entry.entry_helpers import indicators_fixture  # noqa: F401
from tests.targets.entry.timeliness_helpers import (
    NOW,
    OCT4,
    OCT11,
    OCT25,
    SEP27,
    at,
    calendar_fixture,  # noqa: F401
    due,
    sent,
)

pytestmark = pytest.mark.django_db


def standings(now=NOW):
    return {s.department.code: s for s in timeliness.ranking(now=now).standings}


def test_it_counts_on_time_late_and_missing_over_the_weeks_due(calendar):
    result = timeliness.ranking(now=NOW)
    assert (result.first, result.last, result.weeks) == (SEP27, OCT25, 5)
    rows = standings()
    assert (rows["econ"].due, rows["econ"].on_time, rows["econ"].late, rows["econ"].missing) == (5, 3, 1, 1)
    assert (rows["safety"].on_time, rows["safety"].late, rows["safety"].missing) == (3, 1, 1)
    assert (rows["urban"].on_time, rows["urban"].due) == (5, 5)
    assert (rows["culture"].missing, rows["culture"].due) == (5, 5)
    assert rows["econ"].rate == Decimal(60) and rows["urban"].rate == Decimal(100)
    assert rows["culture"].rate == Decimal(0)


def test_it_keeps_a_week_resent_after_return_on_time_by_its_first_submission(calendar):
    resent = Submission.objects.get(department=calendar["econ"], week_start=OCT4)
    assert resent.submitted_at > timeliness.due_at(OCT4) >= resent.first_submitted_at
    assert standings()["econ"].on_time == 3  # 27 Sep, 4 Oct (resent), 18 Oct


def test_it_counts_a_returned_week_not_yet_resent_as_missing(calendar, manager):
    services.return_week(
        user=manager,
        submission=Submission.objects.get(department=calendar["safety"], week_start=OCT11),
        comment="缺数",
    )
    assert (standings()["safety"].on_time, standings()["safety"].missing) == (2, 2)


def test_it_does_not_count_a_week_before_its_due_time(calendar):
    assert standings()["econ"].due == 5  # the week of 1 November is sent but not due
    before_noon = at(due(OCT25), 11, 59)
    rows = standings(before_noon)
    assert rows["econ"].due == 4 and rows["econ"].missing == 0  # 25 Oct is not due yet
    assert standings(at(due(OCT25), 12))["econ"].due == 5


def test_it_judges_as_things_stood_at_the_moment_asked(calendar):
    # On 20 October the late week of 11 Oct had not been sent at all: it was missing.
    sent(calendar["culture"], OCT11, at(date(2021, 10, 25), 9))
    rows = standings(at(date(2021, 10, 20), 9))
    assert rows["culture"].missing == 3 and rows["culture"].late == 0
    assert standings()["culture"].late == 1


def test_it_ranks_best_first_and_ties_share_a_rank_listed_by_name(calendar):
    ranked = [(s.rank, s.tied, s.department.name, s.rate) for s in timeliness.ranking(now=NOW).standings]
    assert ranked == [
        (1, False, "城市建设局", Decimal(100)),
        (2, True, "应急管理局", Decimal(60)),  # 应 sorts before 经
        (2, True, "经济发展局", Decimal(60)),
        (4, False, "文化旅游局", Decimal(0)),
    ]


def test_it_compares_rates_exactly_not_rounded():
    def standing(code, on_time, late):
        return timeliness.Standing(Department(code=code, name=code), on_time, late, 0)

    ranked = timeliness.rank([standing("b", 2, 1), standing("a", 4, 2), standing("c", 667, 333)])
    assert [(s.department.code, s.rank, s.tied) for s in ranked] == [
        ("c", 1, False),
        ("a", 2, True),
        ("b", 2, True),
    ]


def test_it_counts_nothing_before_the_first_week_is_due(indicators):
    result = timeliness.ranking(now=at(date(2021, 10, 4), 11))
    assert result.standings == [] and result.weeks == 0


def test_the_timeliness_page_shows_the_ranking(client, manager, calendar):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("timeliness")).content.decode()
    assert "按时报送率排名" in page
    assert "2021-09-27 至 2021-10-31 已过报送期限的 5 周" in page
    table = page[page.index('class="grid ranking') :]
    table = table[: table.index("</table>")]
    assert (
        table.index("城市建设局")
        < table.index("应急管理局")
        < table.index("经济发展局")
        < table.index("文化旅游局")
    )
    assert table.count("并列") == 2
    assert "60.0%" in table and "100.0%" in table
    assert "?table=ranking&amp;_export=xlsx" in page


def test_the_page_reads_in_english(client, manager, calendar):
    client.force_login(manager)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("timeliness")).content.decode()
    assert "On-time reporting ranking" in page and "Rank" in page and "On-time rate" in page
    assert "tied" in page and "并列" not in page


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_exports_the_ranking_as_xlsx(client, manager, calendar):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("timeliness"), {"table": "ranking", "_export": "xlsx"})
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert "报送及时率排名_2021-11-02.xlsx" in disposition
    assert 'filename="timeliness-ranking_2021-11-02.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body(response))).active
    assert [c.value for c in sheet[1]] == [
        "名次",
        "并列",
        "责任单位",
        "应报周数",
        "按时",
        "逾期提交",
        "未报",
        "按时率（%）",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[:3] for row in rows] == [
        (1, None, "城市建设局"),
        (2, "并列", "应急管理局"),
        (2, "并列", "经济发展局"),
        (4, None, "文化旅游局"),
    ]
    assert rows[2][3:] == (5, 3, 1, 1, 60)
    assert sheet["H2"].number_format == "#,##0.0"
    assert AuditEvent.objects.filter(action="export", detail__table="TimelinessRankingTable").exists()


def test_it_exports_the_ranking_as_csv_with_rates_as_shown(client, manager, calendar):
    Department.objects.filter(code="culture").update(name="=HYPERLINK(1)")
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("timeliness"), {"table": "ranking", "_export": "csv"})
    text = body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "名次" and rows[0][-1] == "按时率（%）"
    assert rows[1] == ["1", "", "城市建设局", "5", "5", "0", "0", "100.0"]
    assert rows[3] == ["2", "并列", "经济发展局", "5", "3", "1", "1", "60.0"]
    assert rows[4][2] == "'=HYPERLINK(1)"  # formula injection neutralised
    assert "报送及时率排名_2021-11-02.csv" in unquote(response["Content-Disposition"])


@pytest.mark.parametrize("who", ["clerk", "official"])
def test_it_refuses_the_ranking_and_its_export_to_non_managers(client, request, who, calendar):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("timeliness")).status_code == 403
    assert client.get(reverse("timeliness"), {"table": "ranking", "_export": "xlsx"}).status_code == 403


def test_it_counts_from_the_start_of_the_plan_in_force(calendar):
    # A plan published for the weeks from 11 October: the two weeks before it leave the count.
    Plan.objects.create(
        code="oct-sprint",
        title="十月攻坚",
        kind=Plan.Kind.RANGE,
        start=OCT11,
        end=date(2021, 12, 31),
        status=Plan.Status.PUBLISHED,
    )
    result = timeliness.ranking(now=NOW)
    assert (result.start, result.first, result.weeks) == (OCT11, OCT11, 3)
    econ = standings()["econ"]
    assert (econ.on_time, econ.late, econ.missing) == (1, 1, 1)
    Plan.objects.filter(code="oct-sprint").update(status=Plan.Status.DRAFT)  # drafts are not in force
    assert timeliness.ranking(now=NOW).weeks == 5
