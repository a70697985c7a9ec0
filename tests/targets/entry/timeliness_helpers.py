"""A constructed reporting calendar for the timeliness tests: four units, five weeks due."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from targets import services
from targets.models import Department, Submission
from targets.services import EntryInput
from tests.targets.entry.entry_helpers import make_indicator

SH = ZoneInfo("Asia/Shanghai")

# The plan starts on Friday 1 October 2021: the weeks of 27 Sep, 4, 11, 18 and 25 Oct are
# due by Tuesday 2 November (the week of 25 Oct since Monday 1 November, 12:00); the week
# of 1 November is due on 8 November and is not counted yet.
SEP27, OCT4, OCT11, OCT18, OCT25, NOV1 = (date(2021, 9, 27) + timedelta(weeks=n) for n in range(6))
NOW = datetime(2021, 11, 2, 9, tzinfo=SH)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def due(monday: date) -> date:
    return monday + timedelta(days=7)


def sent(department, monday, moment, status="approved"):
    return Submission.objects.create(
        department=department,
        week_start=monday,
        status=status,
        submitted_at=moment,
        first_submitted_at=moment,
    )


@pytest.fixture(name="calendar")
def calendar_fixture(clerk, manager, indicators):
    """Four units over five due weeks:
    经济发展局 3 on time (one of them returned and sent again late), 1 late, 1 missing: 60 %;
    应急管理局 3 on time, 1 late, 1 missing: 60 % (并列 with 经济发展局);
    城市建设局 5 on time: 100 %; 文化旅游局 nothing sent: 0 %."""
    econ, safety = indicators[0].department, indicators[2].department
    urban = Department.objects.create(code="urban", name="城市建设局", order=3)
    culture = Department.objects.create(code="culture", name="文化旅游局", order=4)
    make_indicator(urban, "roads", name="道路建设")
    make_indicator(culture, "visitors", name="游客人数")

    sent(econ, SEP27, at(due(SEP27), 9))
    # 4 Oct: sent Monday 9:00, returned, sent again on Wednesday (after the due time).
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], OCT4, "1")])
    week = {"user": clerk, "department": econ, "week_start": OCT4}
    with time_machine.travel(at(due(OCT4), 9), tick=False):
        first = services.submit_week(**week)
    services.return_week(user=manager, submission=first, comment="周三缺数")
    with time_machine.travel(at(due(OCT4) + timedelta(days=2), 16), tick=False):
        services.submit_week(**week)
    sent(econ, OCT11, at(due(OCT11), 12, 1))  # one minute late
    sent(econ, OCT18, at(due(OCT18), 11, 59))
    # 25 Oct: nothing. 1 Nov: sent early, but not due yet.
    sent(econ, NOV1, at(NOV1 + timedelta(days=4), 17), status="submitted")

    sent(safety, SEP27, at(due(SEP27), 8))
    sent(safety, OCT4, at(due(OCT4), 8))
    sent(safety, OCT11, at(due(OCT11), 8), status="submitted")
    sent(safety, OCT25, at(due(OCT25) + timedelta(days=1), 8))  # late; 18 Oct missing

    for monday in (SEP27, OCT4, OCT11, OCT18, OCT25):
        sent(urban, monday, at(monday + timedelta(days=6), 20))
    return {"econ": econ, "safety": safety, "urban": urban, "culture": culture}
