"""The managers' queue, approve / return / unlock, overdue list and timeliness."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from targets import services
from targets.entry import timeliness
from targets.models import AuditEvent, Submission
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def submitted(clerk, indicators):
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    return services.submit_week(user=clerk, department=indicators[0].department, week_start=WEEK)


def test_it_refuses_the_approvals_page_to_clerks_and_officials(client, clerk, official):
    for user in (clerk, official):
        client.force_login(user)
        assert client.get(reverse("approvals")).status_code == 403
        assert client.get(reverse("timeliness")).status_code == 403


def test_it_lists_submitted_weeks_for_managers(client, manager, submitted):
    client.force_login(manager)
    page = client.get(reverse("approvals")).content.decode()
    assert "经济发展局" in page and "2021-10-11" in page
    # The list opens the week's review; approving happens there, not in one blind click.
    assert reverse("review_week", args=[submitted.pk]) in page
    assert reverse("approve_week", args=[submitted.pk]) not in page


def test_it_approves_from_the_queue_and_records_it(client, manager, submitted):
    client.force_login(manager)
    response = client.post(
        reverse("approve_week", args=[submitted.pk]), {"comment": "数据齐全", "version": submitted.version}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "approved" and submitted.comment == "数据齐全"
    assert AuditEvent.objects.filter(action="approve", user=manager).exists()


def test_it_refuses_to_approve_figures_changed_after_the_manager_looked(
    client, clerk, manager, submitted, indicators
):
    seen = submitted.version
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK + timedelta(days=1), "2")])
    client.force_login(manager)
    response = client.post(reverse("approve_week", args=[submitted.pk]), {"version": seen}, follow=True)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert "已被他人更新" in response.content.decode()


def test_it_needs_a_comment_to_return_a_week(client, manager, submitted):
    client.force_login(manager)
    response = client.post(reverse("return_week", args=[submitted.pk]), {"comment": ""}, follow=True)
    assert "退回时请填写意见" in response.content.decode()
    client.post(reverse("return_week", args=[submitted.pk]), {"comment": "周三缺数"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.comment) == ("returned", "周三缺数")


def test_it_forbids_clerks_to_approve_by_posting(client, clerk, submitted):
    client.force_login(clerk)
    assert client.post(reverse("approve_week", args=[submitted.pk])).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_it_unlocks_with_a_reason_only(client, manager, submitted):
    services.approve_week(user=manager, submission=submitted)
    client.force_login(manager)
    client.post(reverse("unlock_week", args=[submitted.pk]), {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.is_locked
    client.post(reverse("unlock_week", args=[submitted.pk]), {"reason": "统计口径调整"})
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    assert AuditEvent.objects.filter(action="unlock", detail__reason="统计口径调整").exists()


# ---- timeliness


def at(day, hour):
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def test_it_counts_a_week_due_the_next_monday_at_noon():
    assert timeliness.due_at(WEEK) == at(WEEK + timedelta(days=7), 12)


def test_it_tells_on_time_late_missing_and_pending(indicators):
    econ = indicators[0].department
    sub = Submission(department=econ, week_start=WEEK, status="submitted")
    sub.submitted_at = at(WEEK + timedelta(days=7), 11)
    assert timeliness.week_status(sub, WEEK, at(date(2021, 12, 1), 0)) == timeliness.ON_TIME
    sub.submitted_at = at(WEEK + timedelta(days=7), 13)
    assert timeliness.week_status(sub, WEEK, at(date(2021, 12, 1), 0)) == timeliness.LATE
    assert timeliness.week_status(None, WEEK, at(WEEK + timedelta(days=7), 12)) == timeliness.MISSING
    assert timeliness.week_status(None, WEEK, at(WEEK + timedelta(days=7), 11)) == timeliness.PENDING
    sub.status = "returned"
    assert timeliness.week_status(sub, WEEK, at(date(2021, 12, 1), 0)) == timeliness.MISSING


def submit_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return services.submit_week(**kwargs)


def test_it_counts_a_returned_week_from_its_first_submission(clerk, manager, indicators):
    econ = indicators[0].department
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    week = {"user": clerk, "department": econ, "week_start": WEEK}
    sub = submit_at(at(WEEK + timedelta(days=7), 9), **week)  # Monday 9:00: on time
    services.return_week(user=manager, submission=sub, comment="周三缺数")
    sub.refresh_from_db()
    later = at(date(2021, 11, 1), 9)
    assert timeliness.week_status(sub, WEEK, later) == timeliness.MISSING  # returned, not yet resent
    submit_at(at(WEEK + timedelta(days=9), 16), **week)  # resent Wednesday: after the due time
    sub.refresh_from_db()
    assert sub.submitted_at > timeliness.due_at(WEEK)
    assert timeliness.week_status(sub, WEEK, later) == timeliness.ON_TIME
    services.approve_week(user=manager, submission=sub)
    sub.refresh_from_db()
    assert timeliness.week_status(sub, WEEK, later) == timeliness.ON_TIME
    row = next(r for r in timeliness.quarter_table(WEEK, later) if r.department == econ)
    assert (WEEK, timeliness.ON_TIME) in row.weeks
    assert (row.on_time, row.late) == (1, 0)


def test_it_still_counts_a_week_first_submitted_late_as_late(clerk, manager, indicators):
    econ = indicators[0].department
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    week = {"user": clerk, "department": econ, "week_start": WEEK}
    sub = submit_at(at(WEEK + timedelta(days=7), 13), **week)  # Monday 13:00: late
    services.return_week(user=manager, submission=sub, comment="周三缺数")
    submit_at(at(WEEK + timedelta(days=8), 9), **week)
    sub.refresh_from_db()
    later = at(date(2021, 11, 1), 9)
    assert timeliness.week_status(sub, WEEK, later) == timeliness.LATE
    assert timeliness.week_status(None, WEEK, later) == timeliness.MISSING  # never submitted


def test_it_shows_the_first_submission_time_to_managers_and_clerks(client, clerk, manager, indicators):
    econ = indicators[0].department
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    week = {"user": clerk, "department": econ, "week_start": WEEK}
    sub = submit_at(at(WEEK + timedelta(days=7), 9), **week)
    services.return_week(user=manager, submission=sub, comment="周三缺数")
    submit_at(at(WEEK + timedelta(days=9), 16), **week)
    client.force_login(manager)
    assert "首次提交：2021-10-18 09:00" in client.get(reverse("approvals")).content.decode()
    page = client.get(reverse("timeliness") + "?quarter=2021-10-01").content.decode()
    assert "按首次提交时间计算是否按时" in page
    client.force_login(clerk)
    page = client.get(reverse("entry_week", args=[WEEK.isoformat()])).content.decode()
    assert "首次提交于 2021-10-18 09:00" in page


def test_it_builds_the_quarter_table_per_department(clerk, indicators):
    econ = indicators[0].department
    on_time = Submission.objects.create(department=econ, week_start=WEEK, status="approved")
    on_time.submitted_at = at(WEEK + timedelta(days=3), 9)
    on_time.save()
    late = Submission.objects.create(department=econ, week_start=WEEK + timedelta(days=7), status="submitted")
    late.submitted_at = at(WEEK + timedelta(days=20), 9)
    late.save()
    now = at(date(2021, 11, 2), 9)  # Tuesday: the week of 25 Oct is due since Monday noon
    rows = {r.department.code: r for r in timeliness.quarter_table(date(2021, 11, 1), now)}
    econ_row = rows["econ"]
    # Q4 weeks starting 27 Sep (holds 1 Oct), 4, 11, 18, 25 Oct are due; later ones pending.
    assert (econ_row.on_time, econ_row.late, econ_row.missing) == (1, 1, 3)
    assert econ_row.pending == 14 - 5
    assert rows["safety"].missing == 5


def test_it_lists_overdue_departments(client, manager, indicators):
    econ = indicators[0].department
    now = at(date(2021, 10, 19), 9)  # Tuesday after the week of 11 Oct
    Submission.objects.create(department=econ, week_start=WEEK, status="submitted", submitted_at=now)
    overdue = timeliness.overdue(now, date(2021, 10, 1), date(2021, 12, 31))
    assert [(d.code, m) for d, m in overdue] == [
        ("safety", date(2021, 10, 11)),
        ("econ", date(2021, 10, 4)),
        ("safety", date(2021, 10, 4)),
        ("econ", date(2021, 9, 27)),
        ("safety", date(2021, 9, 27)),
    ]


def test_it_shows_overdue_and_timeliness_pages(client, manager, indicators):
    client.force_login(manager)
    page = client.get(reverse("approvals") + "?quarter=2021-10-01").content.decode()
    assert "逾期未报" in page and "应急管理局 · 2021-12-27" in page
    page = client.get(reverse("timeliness") + "?quarter=2021-10-01").content.decode()
    assert "2021年第四季度" in page and "经济发展局" in page
