"""The weekly entry reminder is the daily deadline notice (08:30): on Monday morning the
clerks of a unit that has not submitted last week are told it is due at 12:00, in one
message a day that also lists the unit's earlier weeks still missing. There is no
separate Monday e-mail."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail

from targets import services
from targets.notifications.models import Notification
from targets.notifications.tasks import send_due_notices
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 18 October 2021, 08:30 Shanghai: the week of 11 October is due at 12:00 today.
MONDAY_MORNING = datetime(2021, 10, 18, 8, 30, tzinfo=SHANGHAI)
# The plan starts on Friday 1 October: the weeks of 27 September and 4 October are owed too.
EARLIER_WEEKS = (date(2021, 9, 27), date(2021, 10, 4))


@pytest.fixture
def clerks(clerk, clerk2):
    clerk.email, clerk2.email = "clerk@example.cn", "clerk2@example.cn"
    clerk.save()
    clerk2.save()
    return clerk, clerk2


def submit(user, indicator, monday):
    services.submit_week(user=user, department=indicator.department, week_start=monday, confirm_empty=True)


@pytest.fixture
def notices(django_capture_on_commit_callbacks):
    """The 08:30 task, its e-mails sent as after the commit; returns how many it wrote."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_notices.delay().get()

    return run


def messages_to(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_it_reminds_on_monday_morning_the_clerks_of_units_that_have_not_submitted_last_week(
    time_machine, clerks, indicators, notices
):
    clerk, clerk2 = clerks
    for monday in EARLIER_WEEKS:
        submit(clerk, indicators[0], monday)
        submit(clerk2, indicators[2], monday)
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    submit(clerk, indicators[0], WEEK)
    time_machine.move_to(MONDAY_MORNING, tick=False)

    assert notices() == 1
    assert messages_to(clerk) == []  # econ submitted it
    [reminder] = messages_to(clerk2)
    assert reminder.title == "【提醒】应急管理局 2021年10月11日—10月17日 数据将于10月18日 12:00截止"
    [email] = mail.outbox
    assert email.to == ["clerk2@example.cn"] and email.subject == reminder.title
    assert "2021年10月11日—10月17日（10月18日 12:00截止）" in email.body
    assert "http://127.0.0.1:8000/entry/2021-10-11/?dept=safety" in email.body


def test_it_sends_a_unit_one_message_a_day_listing_its_missing_weeks(
    time_machine, clerks, indicators, notices
):
    clerk, clerk2 = clerks
    for monday in (*EARLIER_WEEKS, WEEK):
        submit(clerk, indicators[0], monday)  # econ is up to date: only safety is told
    time_machine.move_to(MONDAY_MORNING, tick=False)
    notices()

    [today] = messages_to(clerk2)
    assert today.title == "【逾期】应急管理局 有2周数据逾期未报，另有1周将于10月18日 12:00截止"
    [email] = mail.outbox
    lines = email.body.splitlines()
    overdue, soon = lines.index("逾期未报的周："), lines.index("即将截止的周：")
    assert lines[overdue + 1 : soon] == ["- 2021年10月4日—10月10日", "- 2021年9月27日—10月3日"]
    assert lines[soon + 1] == "- 2021年10月11日—10月17日（10月18日 12:00截止）"
    assert messages_to(clerk) == []

    # Past the deadline the same day: nothing more today, though the week is now overdue.
    time_machine.move_to(datetime(2021, 10, 18, 12, 30, tzinfo=SHANGHAI), tick=False)
    assert notices() == 0
    assert len(mail.outbox) == 1
    # Tuesday: one message again, the three weeks overdue.
    time_machine.move_to(datetime(2021, 10, 19, 8, 30, tzinfo=SHANGHAI), tick=False)
    notices()
    [_monday, tuesday] = messages_to(clerk2)
    assert tuesday.title == "【逾期】应急管理局 有3周数据逾期未报"
    assert "2021年10月11日—10月17日" in tuesday.body and "即将截止" not in tuesday.body
    assert len(mail.outbox) == 2


def test_it_does_not_remind_units_of_a_week_with_nothing_to_report(time_machine, clerks, indicators, notices):
    time_machine.move_to(datetime(2022, 3, 7, 8, 30, tzinfo=SHANGHAI), tick=False)  # all plans ended
    notices()
    assert not Notification.objects.filter(kind="week_due").exists()
    assert not Notification.objects.filter(body__contains="2022年2月28日").exists()


def test_the_daily_notices_are_the_only_weekly_reminder_on_the_schedule():
    schedule = settings.CELERY_BEAT_SCHEDULE
    registered = set(current_app.tasks)
    assert [name for name, entry in schedule.items() if entry["task"] not in registered] == []
    reminders = [entry for entry in schedule.values() if "remind" in entry["task"]]
    assert reminders == []
    daily = schedule["daily-due-notices"]
    assert daily["task"] == "targets.notifications.tasks.send_due_notices"
    assert daily["schedule"].hour == {8} and daily["schedule"].minute == {30}
    assert daily["schedule"].day_of_week == set(range(7))
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_it_removes_the_stored_monday_schedule(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("notifications", "0001_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monday_noon = Crontab.objects.create(minute="0", hour="12", day_of_week="mon", timezone="Asia/Shanghai")
    PeriodicTask.objects.create(
        name="weekly-entry-reminders", task="targets.tasks.send_weekly_reminders", crontab=monday_noon
    )
    PeriodicTask.objects.create(
        name="daily-due-notices", task="targets.notifications.tasks.send_due_notices", crontab=monday_noon
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django_celery_beat.models import PeriodicTask as Stored

    assert list(Stored.objects.values_list("name", flat=True)) == ["daily-due-notices"]
