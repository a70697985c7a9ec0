"""The week page: what a clerk sees and what a save does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from targets import services
from targets.models import Entry, Submission
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

URL = reverse("entry_week", args=[WEEK.isoformat()])
MON, TUE = WEEK, WEEK + timedelta(days=1)


def key(indicator, day):
    return f"{indicator.pk}_{day:%Y%m%d}"


def form_of(client, url=URL):
    """The week form as the browser would post it back: every cell input with its
    loaded value, original and version."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    for row in response.context["rows"]:
        for cell in row.cells:
            if cell.editable:
                data[f"c_{cell.name}"] = cell.value
                data[f"o_{cell.name}"] = cell.original
                data[f"v_{cell.name}"] = cell.version
    return data


def test_it_redirects_entry_to_this_week_or_the_departments_last_week(
    client, clerk, indicators, time_machine
):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    client.force_login(clerk)
    wednesday = datetime(2021, 10, 13, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(wednesday, tick=False)
    assert client.get(reverse("entry_current"))["Location"] == URL
    # Once every plan of the department has ended, its last week stays in view.
    indicators[2].plan_end = date(2022, 5, 31)  # another department's plan runs longer
    indicators[2].save()
    time_machine.move_to(datetime(2026, 11, 28, tzinfo=ZoneInfo("UTC")), tick=False)
    assert client.get(reverse("entry_current"))["Location"] == reverse("entry_week", args=["2021-12-27"])


def test_it_shows_the_clerks_indicators_and_saved_values(client, clerk, indicators):
    invest, signed, hazards = indicators
    services.record_entries(user=clerk, rows=[EntryInput(invest, TUE, "1.25")])
    client.force_login(clerk)
    page = client.get(URL).content.decode()
    assert "固定资产投资" in page and "签约项目" in page
    assert "排查隐患" not in page  # another department's
    assert f'name="c_{key(invest, TUE)}" value="1.25"' in page
    assert f'name="v_{key(invest, TUE)}" value="1"' in page
    assert "≥" not in page and "15亿元" in page  # the target


def test_it_saves_changed_cells_and_redirects(client, clerk, indicators):
    invest, signed, _ = indicators
    client.force_login(clerk)
    data = form_of(client)
    data[f"c_{key(invest, MON)}"] = "2.5"
    data[f"c_{key(signed, TUE)}"] = "3"
    response = client.post(URL, data)
    assert response.status_code == 302
    assert {(e.indicator_id, e.date, e.value) for e in Entry.objects.all()} == {
        (invest.pk, MON, Decimal("2.5")),
        (signed.pk, TUE, Decimal("3")),
    }
    assert "已保存 2 个数值" in client.get(response["Location"]).content.decode()


def test_it_saves_nothing_when_one_cell_is_bad_and_names_the_cell(client, clerk, indicators):
    invest, signed, _ = indicators
    client.force_login(clerk)
    data = form_of(client)
    data[f"c_{key(invest, MON)}"] = "2.5"
    data[f"c_{key(signed, TUE)}"] = "1e309"
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not Entry.objects.exists()
    page = response.content.decode()
    assert "本次未保存任何数据" in page
    assert "签约项目 · 周二 10/12" in page  # the cell, in the summary
    assert "“1e309”不是数字" in page
    # The bad cell is marked and keeps what the clerk typed; the good one too.
    assert f'id="e_{key(signed, TUE)}"' in page
    assert f'name="c_{key(invest, MON)}" value="2.5"' in page


def test_it_gives_the_second_of_two_editors_a_conflict_not_an_overwrite(client, clerk, manager, indicators):
    invest = indicators[0]
    services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "1")])
    client.force_login(clerk)
    stale = form_of(client)  # the clerk loads the week (version 1)
    services.record_entries(user=manager, rows=[EntryInput(invest, MON, "2", expected_version=1)])
    stale[f"c_{key(invest, MON)}"] = "3"
    response = client.post(URL, stale)
    assert response.status_code == 409
    assert Entry.objects.get().value == Decimal("2")
    page = response.content.decode()
    assert "他人的值：2（manager" in page
    assert "您的值：3" in page
    # Saving again, having seen both, overwrites knowingly.
    again = {k: v for k, v in stale.items()}
    again[f"o_{key(invest, MON)}"] = "2"
    again[f"v_{key(invest, MON)}"] = "2"
    assert client.post(URL, again).status_code == 302
    assert Entry.objects.get().value == Decimal("3")


def test_it_lets_two_clerks_change_different_cells_of_one_week(client, clerk, manager, indicators):
    invest, signed, _ = indicators
    client.force_login(clerk)
    stale = form_of(client)
    services.record_entries(user=manager, rows=[EntryInput(signed, MON, "4")])
    stale[f"c_{key(invest, MON)}"] = "1"
    assert client.post(URL, stale).status_code == 302
    assert Entry.objects.count() == 2


def test_it_forbids_a_clerk_posting_for_another_department(client, clerk, indicators):
    hazards = indicators[2]
    client.force_login(clerk)
    # Smuggling another department's cell into one's own week form writes nothing.
    response = client.post(URL, {f"c_{key(hazards, MON)}": "5", f"o_{key(hazards, MON)}": ""})
    assert response.status_code == 302
    assert not Entry.objects.exists()
    response = client.post(URL + "?dept=safety", {"dept": "safety", f"c_{key(hazards, MON)}": "5"})
    assert response.status_code == 403
    assert client.get(URL + "?dept=safety").status_code == 403
    assert not Entry.objects.exists()


def test_it_refuses_the_week_page_to_officials_and_outsiders(client, official, outsider, indicators):
    for user in (official, outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_it_lets_a_manager_pick_a_department(client, manager, indicators):
    client.force_login(manager)
    page = client.get(URL + "?dept=safety").content.decode()
    assert "排查隐患" in page and "固定资产投资" not in page


def test_it_asks_to_confirm_an_outlier_then_saves_it(client, clerk, indicators):
    invest = indicators[0]
    services.record_entries(
        user=clerk, rows=[EntryInput(invest, MON - timedelta(days=d), "1") for d in range(1, 6)]
    )
    client.force_login(clerk)
    data = form_of(client)
    data[f"c_{key(invest, MON)}"] = "9"
    response = client.post(URL, data)
    assert response.status_code == 409
    assert 'name="confirm_outliers"' in response.content.decode()
    assert not Entry.objects.filter(date=MON).exists()
    data["confirm_outliers"] = "on"
    assert client.post(URL, data).status_code == 302
    assert Entry.objects.get(date=MON).value == Decimal("9")


def test_it_submits_the_week_and_shows_it_read_only_once_approved(client, clerk, manager, indicators):
    invest = indicators[0]
    client.force_login(clerk)
    data = form_of(client)
    data[f"c_{key(invest, MON)}"] = "1"
    client.post(URL, data)
    response = client.post(reverse("entry_submit", args=[WEEK.isoformat()]), {"version": "2"})
    assert response.status_code == 302
    sub = Submission.objects.get()
    assert sub.status == "submitted"
    services.approve_week(user=manager, submission=sub)
    page = client.get(URL).content.decode()
    assert "已审核锁定" in page
    assert 'class="cell-input"' not in page
    assert "提交本周数据" not in page
    # Posting anyway changes nothing.
    response = client.post(URL, {**data, f"c_{key(invest, MON)}": "7", f"o_{key(invest, MON)}": "1"})
    assert response.status_code == 409
    assert Entry.objects.get().value == Decimal("1")


SUBMIT = reverse("entry_submit", args=[WEEK.isoformat()])


def test_it_asks_before_submitting_a_week_without_figures(client, clerk, indicators):
    client.force_login(clerk)
    assert "确认提交空报" not in client.get(URL).content.decode()
    response = client.post(SUBMIT, {"version": ""})
    assert response.status_code == 302 and response["Location"] == f"{URL}?confirm_empty=1"
    assert not Submission.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "本周尚未填报任何数据，确认提交空报吗？" in page
    assert 'name="confirm_empty" value="on"' in page
    assert 'id="submit-week"' not in page  # the confirmation replaces the plain button
    response = client.post(SUBMIT, {"version": "", "confirm_empty": "on"}, follow=True)
    assert "本周数据已提交" in response.content.decode()
    assert Submission.objects.get().status == "submitted"
    assert "确认提交空报" not in client.get(f"{URL}?confirm_empty=1").content.decode()


def test_it_asks_a_manager_too_and_keeps_the_department(client, manager, indicators):
    client.force_login(manager)
    response = client.post(SUBMIT, {"dept": "safety", "version": ""})
    assert response["Location"] == f"{URL}?dept=safety&confirm_empty=1"
    page = client.get(response["Location"]).content.decode()
    assert "确认提交空报" in page and 'name="dept" value="safety"' in page
    assert not Submission.objects.exists()


def test_it_submits_a_week_with_figures_without_asking(client, clerk, indicators):
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], MON, "1")])
    client.force_login(clerk)
    assert "确认提交空报" not in client.get(f"{URL}?confirm_empty=1").content.decode()
    response = client.post(SUBMIT, {"version": "2"})
    assert response.status_code == 302 and response["Location"] == URL
    assert Submission.objects.get().status == "submitted"


def test_it_shows_a_cells_history(client, clerk, indicators):
    invest = indicators[0]
    services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "1")])
    services.record_entries(
        user=clerk, rows=[EntryInput(invest, MON, "1.5", expected_version=1)], reason="补录"
    )
    client.force_login(clerk)
    assert reverse("entry_history", args=[invest.pk, MON.isoformat()]) in client.get(URL).content.decode()
    page = client.get(
        reverse("entry_history", args=[invest.pk, MON.isoformat()]) + "?partial=1"
    ).content.decode()
    assert "补录" in page and "1.5" in page and "clerk" in page


def test_it_hides_another_departments_history_from_a_clerk(client, clerk2, indicators):
    client.force_login(clerk2)
    url = reverse("entry_history", args=[indicators[0].pk, MON.isoformat()])
    assert client.get(url).status_code == 403


def test_it_updates_the_rollups_when_a_week_is_saved(
    client, clerk, indicators, django_capture_on_commit_callbacks
):
    from targets.models import PeriodValue

    invest = indicators[0]
    client.force_login(clerk)
    data = form_of(client)
    data[f"c_{key(invest, MON)}"] = "2.5"
    data[f"c_{key(invest, TUE)}"] = "1.25"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, data).status_code == 302
    month = PeriodValue.objects.get(indicator=invest, period_type="month", period_start=MON.replace(day=1))
    assert month.actual == Decimal("3.75")
    # The week page now shows the week's total and the cumulative from the roll-up.
    row = client.get(URL).context["rows"][0]
    assert (row.indicator, row.week_total, row.cumulative) == (invest, "3.75", "3.75")
    assert row.planned_to_date != ""
    # Changing one figure moves the roll-up with it.
    data = form_of(client)
    data[f"c_{key(invest, TUE)}"] = "0.25"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, data)
    month.refresh_from_db()
    assert month.actual == Decimal("2.75")
