"""The review page: what a manager sees before approving a week."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import rollups, services
from targets.entry import review
from targets.models import Indicator, Submission
from targets.services import EntryInput, NoteInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture, make_indicator  # noqa: F401

pytestmark = pytest.mark.django_db
PREVIOUS = WEEK - timedelta(days=7)


@pytest.fixture
def reviewed(clerk, manager, indicators):
    """An approved week (4–10 Oct: 0.15亿元 a day), then the week of 11 Oct with 0.6 on
    Wednesday and the investment lagging (2.55 against 2.77 planned) with its reason."""
    invest, signed, _h = indicators
    rows = [EntryInput(invest, PREVIOUS + timedelta(days=i), "0.15") for i in range(7)]
    rows += [EntryInput(signed, PREVIOUS, "6")]
    services.record_entries(user=clerk, rows=rows)
    rollups.refresh([invest.pk, signed.pk], today=date(2021, 11, 19))
    services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=PREVIOUS,
        notes=[NoteInput(invest, problems="开工推迟", measures="加快")],
    )
    services.approve_week(user=manager, submission=Submission.objects.get(week_start=PREVIOUS))
    rows = [EntryInput(invest, WEEK + timedelta(days=i), "0.15") for i in range(7) if i != 2]
    rows += [EntryInput(invest, WEEK + timedelta(days=2), "0.6"), EntryInput(signed, WEEK, "4")]
    services.record_entries(user=clerk, rows=rows, confirm_outliers=True)
    rollups.refresh([invest.pk, signed.pk], today=date(2021, 11, 19))
    sub = services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=WEEK,
        notes=[NoteInput(invest, problems="征地拆迁未完成", measures="下周召开协调会")],
    )
    return sub, invest, signed


def test_it_defines_an_outlier_as_three_times_the_usual_or_a_collapsed_stock():
    amount = Indicator(kind=Indicator.Kind.AMOUNT)
    level = Indicator(kind=Indicator.Kind.LEVEL)
    median = Decimal("0.3")
    assert review.outlier_reason(amount, Decimal("0.9"), median) == "high"
    assert review.outlier_reason(amount, Decimal("0.89"), median) == ""
    assert review.outlier_reason(amount, Decimal("0"), median) == ""  # a quiet day is no outlier
    assert review.outlier_reason(level, Decimal("0.1"), median) == "low"
    assert review.outlier_reason(amount, Decimal("9"), None) == ""  # too few figures to judge


def test_the_list_links_to_the_review_not_to_a_blind_approval(client, manager, reviewed):
    sub, *_ = reviewed
    client.force_login(manager)
    page = client.get(reverse("approvals")).content.decode()
    assert reverse("review_week", args=[sub.pk]) in page
    assert 'name="comment"' not in page.split("逾期未报")[0]


def test_the_review_shows_figures_changes_outliers_and_reasons(client, manager, reviewed):
    sub, invest, signed = reviewed
    client.force_login(manager)
    page = client.get(reverse("review_week", args=[sub.pk])).content.decode()
    # The lagging indicator's 进展·问题·措施.
    lagging = page[page.index('id="lagging"') : page.index('id="figures"')]
    assert invest.name in lagging and "征地拆迁未完成" in lagging and "下步措施" in lagging
    # Against the last approved week: 1.05 → 1.5 (+0.45); signings 6 → 4 (-2).
    figures = page[page.index('id="figures"') : page.index('id="outliers"')]
    assert "2021-10-04 当周" in figures
    invest_row = figures[figures.index(invest.name) :]
    invest_row = invest_row[: invest_row.index("</tr>")]
    assert ">1.5<" in invest_row and ">1.05<" in invest_row and "+0.45" in invest_row
    assert "异常" in invest_row  # 0.6 on Wednesday, 4× the usual 0.15
    signed_row = figures[figures.index(signed.name) :]
    assert "-2<" in signed_row[: signed_row.index("</tr>")]
    outliers = page[page.index('id="outliers"') : page.index('id="decision"')]
    assert "2021-10-13" in outliers and "0.6" in outliers and "4.0 倍" in outliers
    assert reverse("approve_week", args=[sub.pk]) in page and reverse("return_week", args=[sub.pk]) in page


def test_it_returns_only_with_a_reason_and_approves_from_the_review(client, manager, reviewed):
    sub, *_ = reviewed
    client.force_login(manager)
    response = client.post(reverse("return_week", args=[sub.pk]), {"comment": "", "version": sub.version})
    assert response.url == reverse("review_week", args=[sub.pk])  # back to the week to say why
    sub.refresh_from_db()
    assert sub.status == "submitted"
    response = client.post(reverse("approve_week", args=[sub.pk]), {"version": sub.version})
    assert response.url == reverse("approvals")
    sub.refresh_from_db()
    assert sub.status == "approved"


def test_it_refuses_the_review_to_clerks_and_officials(client, clerk, official, reviewed):
    sub, *_ = reviewed
    for user in (clerk, official):
        client.force_login(user)
        assert client.get(reverse("review_week", args=[sub.pk])).status_code == 403


def _busy_week(clerk, department, count: int) -> Submission:
    """A submitted week of ``department`` with ``count`` daily indicators, each with its
    usual 0.15 the week before and one figure of 0.9 this week."""
    rows, ids = [], []
    for n in range(count):
        ind = make_indicator(department, f"{department.code}{n}", name=f"日报指标{n}", order=10 + n)
        ids.append(ind.pk)
        rows += [EntryInput(ind, PREVIOUS + timedelta(days=i), "0.15") for i in range(7)]
        rows += [EntryInput(ind, WEEK + timedelta(days=i), "0.15") for i in range(7) if i != n % 7]
        rows += [EntryInput(ind, WEEK + timedelta(days=n % 7), "0.9")]
    services.record_entries(user=clerk, rows=rows, confirm_outliers=True)
    rollups.refresh(ids, today=date(2021, 11, 19))
    return services.submit_week(user=clerk, department=department, week_start=WEEK)


def test_the_review_reads_as_many_queries_for_12_indicators_as_for_2(
    client, clerk, clerk2, manager, departments, django_assert_max_num_queries
):
    econ, safety = departments
    weeks = {2: _busy_week(clerk, econ, 2), 12: _busy_week(clerk2, safety, 12)}
    client.force_login(manager)
    counted = {}
    for count, sub in weeks.items():
        client.get(reverse("review_week", args=[sub.pk]))  # the session and caches warmed
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("review_week", args=[sub.pk])).content.decode()
        outliers = page[page.index('id="outliers"') : page.index('id="decision"')]
        assert outliers.count("6.0 倍") == count  # each indicator's 0.9 against its usual 0.15
        medians = [q["sql"] for q in queries.captured_queries if '"value" > ' in q["sql"]]
        assert len(medians) == 1, medians
        counted[count] = len(queries.captured_queries)
    assert counted[12] == counted[2]
    with django_assert_max_num_queries(counted[2]):
        client.get(reverse("review_week", args=[weeks[12].pk]))


def test_it_finds_the_medians_of_several_indicators_in_one_query(
    clerk, departments, django_assert_num_queries
):
    econ, _safety = departments
    rising = make_indicator(econ, "rising", name="逐日增长")
    sparse = make_indicator(econ, "sparse", name="偶有填报")
    old = make_indicator(econ, "old", name="早已停报")
    monday = date(2021, 11, 22)
    rows = [EntryInput(rising, monday - timedelta(days=40 - i), str(1 + i)) for i in range(40)]
    rows += [EntryInput(sparse, monday - timedelta(days=d), "2") for d in (3, 9)]  # too few to judge
    rows += [EntryInput(old, date(2021, 10, 1) + timedelta(days=i), "5") for i in range(5)]
    rows += [EntryInput(rising, monday + timedelta(days=1), "99")]  # that week's own: not counted
    services.record_entries(user=clerk, rows=rows, confirm_outliers=True)
    with django_assert_num_queries(1):
        medians = services.recent_medians([rising, sparse, old], monday)
    assert medians == {rising.pk: Decimal("26.5"), sparse.pk: None, old.pk: Decimal(5)}
    assert services.recent_median(rising, monday) == Decimal("26.5")


def test_a_weekly_figure_is_judged_against_weekly_ones_not_the_daily_ones_before(
    client, clerk, manager, departments
):
    """Two indicators reported daily from 1 to 10 October (0.15亿元 a day), weekly since
    (1.05 on the Sundays 17, 24 and 31 October). In the week of 1 November, 1.2 is a usual
    week and 3.3 is 3.1× the usual 1.05; against the old daily figures both would be
    8× or 22× the 0.15 of a day."""
    econ, _safety = departments
    usual = make_indicator(econ, "usual", name="周报如常", order=1)
    high = make_indicator(econ, "high", name="周报偏高", order=2)
    monday = date(2021, 11, 1)
    rows = [EntryInput(ind, date(2021, 10, d), "0.15") for ind in (usual, high) for d in range(1, 11)]
    services.record_entries(user=clerk, rows=rows)
    for ind in (usual, high):
        ind.cadence = Indicator.Cadence.WEEKLY
        ind.save()
    sundays = [date(2021, 10, 17), date(2021, 10, 24), date(2021, 10, 31)]
    rows = [EntryInput(ind, day, "1.05") for ind in (usual, high) for day in sundays]
    rows += [EntryInput(usual, date(2021, 11, 7), "1.2"), EntryInput(high, date(2021, 11, 7), "3.3")]
    services.record_entries(user=clerk, rows=rows, confirm_outliers=True)
    rollups.refresh([usual.pk, high.pk], today=date(2021, 11, 19))
    notes = [NoteInput(ind, problems="改为周报", measures="按周填报") for ind in (usual, high)]
    sub = services.submit_week(user=clerk, department=econ, week_start=monday, notes=notes)
    client.force_login(manager)
    page = client.get(reverse("review_week", args=[sub.pk])).content.decode()
    outliers = page[page.index('id="outliers"') : page.index('id="decision"')]
    assert usual.name not in outliers
    assert high.name in outliers and "2021-11-07" in outliers
    assert "1.05" in outliers and "3.1 倍" in outliers
