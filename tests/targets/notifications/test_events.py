"""Who is told what: a returned week (its unit's clerks, with the reason), figures
changed in a submitted week (the managers), a published report, and the daily deadline
check of the weeks (overdue and due soon), once a day. The projects' milestones and
problems in the same daily notice: tests/projects/test_notices.py."""

from datetime import date, datetime, time

import pytest
from django.core import mail

from targets import services
from targets.entry.timeliness import TZ
from targets.notifications import due
from targets.notifications.models import Notification
from targets.services import EntryInput, EntryRejected
from tests.api_helpers import make_world
from tests.conftest import make_user

MONDAY = date(2021, 10, 4)


@pytest.fixture
def world(departments, clerk, clerk2, manager, official):
    world = make_world(*departments)
    services.record_entries(user=clerk, rows=[EntryInput(world["invest"], MONDAY, "1.5")])
    world["week"] = services.submit_week(user=clerk, department=world["econ"], week_start=MONDAY)
    return world


def inbox(user):
    return list(Notification.objects.for_user(user))


def test_it_tells_the_units_clerks_a_week_was_returned_with_the_reason(
    world, clerk, clerk2, manager, official
):
    other_econ_clerk = make_user("clerk3", "clerks", world["econ"], email="c3@zd.example")
    services.return_week(user=manager, submission=world["week"], comment="周二数据缺失，请补报")

    [note] = inbox(clerk)
    assert note.kind == "week_returned"
    assert "经济发展局" in note.title and "退回" in note.title
    assert "周二数据缺失，请补报" in note.body
    assert note.link == "/entry/2021-10-04/?dept=econ"
    assert len(inbox(other_econ_clerk)) == 1
    # Nobody else: not the other unit's clerk, not the manager who returned it, not officials.
    assert inbox(clerk2) == inbox(manager) == inbox(official) == []


def test_it_tells_nobody_when_a_return_is_refused(world, clerk, manager):
    with pytest.raises(EntryRejected):
        services.return_week(user=manager, submission=world["week"], comment="")
    with pytest.raises(EntryRejected):
        services.return_week(user=clerk, submission=world["week"], comment="越权")
    assert Notification.objects.count() == 0


def test_it_tells_the_managers_when_a_submitted_week_is_edited(world, clerk, manager, official):
    other_manager = make_user("manager2", "managers")
    services.record_entries(
        user=clerk,
        rows=[EntryInput(world["invest"], MONDAY, "2.5", expected_version=1)],
        reason="更正",
    )
    [note] = inbox(manager)
    assert note.kind == "week_changed"
    assert "经济发展局" in note.title and "已提交" in note.title
    assert "修改人：clerk" in note.body and "修改格数：1" in note.body and "原因：更正" in note.body
    assert len(inbox(other_manager)) == 1
    assert inbox(clerk) == inbox(official) == []


def test_it_tells_nobody_about_edits_to_a_draft_week_or_a_refused_or_unchanged_save(world, clerk, manager):
    # A draft week (the week after) is the clerk's own business.
    services.record_entries(user=clerk, rows=[EntryInput(world["invest"], date(2021, 10, 11), "1")])
    # Saving the same value changes nothing.
    services.record_entries(user=clerk, rows=[EntryInput(world["invest"], MONDAY, "1.5", expected_version=1)])
    # A refused batch (a stale version) writes nothing, tells nobody.
    with pytest.raises(EntryRejected):
        stale = EntryInput(world["invest"], MONDAY, "9", expected_version=7)
        services.record_entries(user=clerk, rows=[stale])
    # The import preview (dry run) rolls back: nothing either.
    services.record_entries(
        user=clerk, rows=[EntryInput(world["invest"], MONDAY, "3", expected_version=1)], dry_run=True
    )
    assert inbox(manager) == []


def test_it_tells_the_managers_when_a_report_is_published_once_per_period(
    world, manager, settings, tmp_path, monkeypatch
):
    from targets.reporting import reports

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(reports, "render_pdf", lambda data: b"%PDF-1.4\n%%EOF\n")
    report = reports.archive_report(reports.WEEK, MONDAY)
    reports.archive_report(reports.WEEK, MONDAY)  # rebuilt: not news
    [note] = inbox(manager)
    assert note.kind == "report_published" and report.title in note.title
    assert note.link.startswith("/reports/files/")


def test_it_emails_recipients_with_an_address_after_the_commit(
    world, clerk, manager, django_capture_on_commit_callbacks
):
    clerk.email = "clerk@zd.example"
    clerk.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.return_week(user=manager, submission=world["week"], comment="请补报")
    assert mail.outbox == []  # nothing leaves inside the request's transaction
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["clerk@zd.example"] and "请补报" in message.body
    assert "http://127.0.0.1:8000/entry/2021-10-04/?dept=econ" in message.body


# ---- The daily deadline check.

NOV_19 = date(2021, 11, 19)  # a Friday


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def test_it_tells_clerks_and_managers_of_overdue_weeks_once_a_day(world, clerk, clerk2, manager):
    sent = due.run(today=NOV_19, now=at(NOV_19))
    [econ] = [n for n in inbox(clerk) if n.kind == "week_overdue"]
    # The plan starts on Friday 2021-10-01: the week of 09-27 is owed too. 10-04 was
    # submitted; 09-27 and 10-11 … 11-08 are overdue (11-15 is due on 11-22).
    assert "6周数据逾期未报" in econ.title
    assert "2021年10月11日—10月17日" in econ.body and "2021年10月4日" not in econ.body
    [safety] = [n for n in inbox(clerk2) if n.kind == "week_overdue"]
    assert "7周" in safety.title
    [summary] = [n for n in inbox(manager) if n.kind == "week_overdue"]
    assert "2个单位" in summary.title and "经济发展局（6周）" in summary.body
    assert sent == 3

    # Again the same day: nothing new. The next day: told again.
    assert due.run(today=NOV_19, now=at(NOV_19, 17)) == 0
    assert due.run(today=date(2021, 11, 20), now=at(date(2021, 11, 20))) == 3


def test_it_reminds_clerks_of_a_week_due_tomorrow_until_it_is_submitted(world, clerk, clerk2):
    sunday = date(2021, 10, 10)  # the week of 10-04 … 10-10 is due Monday 10-11 12:00
    services.submit_week(
        user=clerk2, department=world["safety"], week_start=date(2021, 9, 27), confirm_empty=True
    )
    due.run(today=sunday, now=at(sunday))
    assert [n for n in inbox(clerk) if n.kind == "week_due"] == []  # econ submitted it
    [reminder] = inbox(clerk2)
    assert reminder.kind == "week_due" and "10月11日 12:00" in reminder.title
    assert reminder.link == "/entry/2021-10-04/?dept=safety"
    # A unit with a week overdue as well is told both in one message.
    econ_clerk = make_user("clerk3", "clerks", world["econ"])
    services.return_week(user=make_user("manager2", "managers"), submission=world["week"], comment="请补报")
    Notification.objects.all().delete()
    due.run(today=sunday, now=at(sunday))
    [both] = inbox(econ_clerk)
    assert both.kind == "week_overdue"
    assert both.title == "【逾期】经济发展局 有1周数据逾期未报，另有1周将于10月11日 12:00截止"
    assert (
        "- 2021年9月27日—10月3日\n即将截止的周：\n- 2021年10月4日—10月10日（10月11日 12:00截止）" in both.body
    )
    # Friday: nothing is due within a day.
    Notification.objects.all().delete()
    due.run(today=date(2021, 10, 8), now=at(date(2021, 10, 8)))
    assert Notification.objects.filter(kind="week_due").count() == 0
