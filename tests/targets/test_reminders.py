"""Monday's reminder to clerks whose department has not submitted last week."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail

from targets import services, tasks
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

# Monday 18 October 2021, 12:00 Shanghai: the week of 11 October is due now.
REMINDER_TIME = datetime(2021, 10, 18, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(REMINDER_TIME, tick=False)


def test_it_emails_the_clerks_of_departments_that_have_not_submitted(frozen, clerk, clerk2, indicators):
    clerk.email, clerk2.email = "clerk@example.cn", "clerk2@example.cn"
    clerk.save()
    clerk2.save()
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    services.submit_week(user=clerk, department=indicators[0].department, week_start=WEEK)
    sent = tasks.send_weekly_reminders.delay()
    assert sent.get() == 1
    assert [m.to for m in mail.outbox] == [["clerk2@example.cn"]]
    message = mail.outbox[0]
    assert "应急管理局 2021-10-11 当周数据尚未提交" in message.subject
    assert "/entry/2021-10-11/" in message.body


def test_it_sends_nothing_when_every_department_has_submitted(frozen, clerk, clerk2, indicators):
    clerk.email = clerk2.email = "x@example.cn"
    clerk.save()
    clerk2.save()
    for user, ind in ((clerk, indicators[0]), (clerk2, indicators[2])):
        services.submit_week(user=user, department=ind.department, week_start=WEEK, confirm_empty=True)
    assert tasks.send_weekly_reminders() == 0
    assert mail.outbox == []


def test_it_does_not_remind_departments_with_nothing_to_report(time_machine, clerk, indicators):
    clerk.email = "clerk@example.cn"
    clerk.save()
    after = datetime(2022, 3, 7, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # all plans ended
    time_machine.move_to(after, tick=False)
    assert tasks.send_weekly_reminders() == 0


def test_it_is_scheduled_on_monday_at_noon_shanghai_time():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "targets.tasks.send_weekly_reminders"
    )
    schedule = entry["schedule"]
    assert schedule.hour == {12} and schedule.minute == {0} and schedule.day_of_week == {1}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
