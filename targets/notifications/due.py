"""Deadlines approaching and overdue, checked once a day (``tasks.send_due_notices``).

A check is a function ``(today, now) -> iterable of Notice``; this module brings the
weeks' (due the next Monday at 12:00, as ``targets.entry.timeliness`` judges them) and
other apps register theirs (``register``: ``projects`` adds milestones and problems).
Each notice carries a key naming the thing; with the day appended it is the
notification's ``dedupe_key``, so a rerun the same day sends nothing twice."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError
from django.urls import reverse

from targets import clock
from targets.models import Department, Submission
from targets.periods import week_start

from . import services
from .models import Audience, Kind

logger = logging.getLogger(__name__)

# "Approaching": due today or within this many days.
SOON_DAYS = 1
# At most this many items are named in one notice; the rest are counted.
LIST_MAX = 10


@dataclass
class Notice:
    kind: str
    key: str  # names the thing (and the recipients' scope), without the day
    recipients: Iterable
    title: str
    body: str = ""
    link: str = ""
    department: Department | None = None
    audience: str = ""
    extra: dict = field(default_factory=dict)


Check = Callable[[date, datetime], Iterable[Notice]]
CHECKS: list[Check] = []


def register(check: Check) -> Check:
    """Add a deadline check (idempotent); usable as a decorator."""
    if check not in CHECKS:
        CHECKS.append(check)
    return check


def listing(items: list[str]) -> str:
    """Items one per line, at most ``LIST_MAX``, then "等N项"."""
    shown = [f"- {item}" for item in items[:LIST_MAX]]
    if len(items) > LIST_MAX:
        shown.append(f"- ……等{len(items)}项")
    return "\n".join(shown)


def _week_label(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return f"{monday.year}年{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日"


def _entry_link(monday: date, department: Department) -> str:
    return reverse("entry_week", args=[monday.isoformat()]) + f"?dept={department.code}"


@register
def weeks(today: date, now: datetime) -> Iterable[Notice]:
    """Weeks past due and not submitted (to the unit's clerks, and one summary to the
    managers), and weeks due today or tomorrow not yet submitted (to the clerks)."""
    from targets.entry import timeliness

    late: dict[Department, list[date]] = defaultdict(list)
    for department, monday in timeliness.overdue(now):
        late[department].append(monday)
    for department, mondays in late.items():
        yield Notice(
            kind=Kind.WEEK_OVERDUE,
            key=f"week_overdue:{department.pk}",
            recipients=services.clerks_of(department),
            title=f"【逾期】{department.name} 有{len(mondays)}周数据逾期未报",
            body="逾期未报的周：\n" + listing([_week_label(m) for m in mondays]) + "\n请尽快填报并提交。",
            link=_entry_link(mondays[0], department),
            department=department,
            audience=Audience.CLERKS,
        )
    if late:
        ordered = sorted(late.items(), key=lambda pair: (pair[0].order, pair[0].code))
        names = [f"{d.name}（{len(m)}周）" for d, m in ordered]
        yield Notice(
            kind=Kind.WEEK_OVERDUE,
            key="week_overdue:managers",
            recipients=services.managers(),
            title=f"【逾期】{len(late)}个单位有周报逾期未报",
            body=listing(names),
            link=reverse("timeliness"),
            audience=Audience.MANAGERS,
        )

    # Due soon: the weeks whose due time (next Monday 12:00) falls today or tomorrow.
    this_monday = week_start(today)
    for monday in (this_monday - timedelta(days=7), this_monday):
        due = timeliness.due_at(monday)
        if not (now <= due and due.date() <= today + timedelta(days=SOON_DAYS)):
            continue
        owed = timeliness.owed_weeks(monday, monday + timedelta(days=6))
        submitted = {
            s.department_id
            for s in Submission.objects.filter(week_start=monday, department_id__in=list(owed))
            if timeliness.week_status(s, monday, now) != timeliness.PENDING
        }
        for department in Department.objects.filter(pk__in=[d for d in owed if d not in submitted]):
            yield Notice(
                kind=Kind.WEEK_DUE,
                key=f"week_due:{department.pk}:{monday.isoformat()}",
                recipients=services.clerks_of(department),
                title=f"【提醒】{department.name} {_week_label(monday)} 数据将于{due:%m月%d日 %H:%M}截止",
                body="本周数据尚未提交，请在截止前填报并提交。",
                link=_entry_link(monday, department),
                department=department,
                audience=Audience.CLERKS,
            )


def run(today: date | None = None, now: datetime | None = None, *, key_prefix: str = "") -> int:
    """Run every check; send each notice once per recipient and day. Returns the number
    of notifications written. A check that fails is logged and the others still run.
    ``key_prefix`` goes before every ``dedupe_key`` (the demo marks its notices so)."""
    now = now or clock.now()
    today = today or clock.today()
    written = 0
    for check in list(CHECKS):
        try:
            notices = list(check(today, now))
        except Exception:
            logger.exception("deadline check %s failed", getattr(check, "__name__", check))
            continue
        for notice in notices:
            try:
                sent = services.notify(
                    kind=notice.kind,
                    recipients=notice.recipients,
                    title=notice.title,
                    body=notice.body,
                    link=notice.link,
                    department=notice.department,
                    audience=notice.audience,
                    dedupe_key=f"{key_prefix}{notice.key}:{today.isoformat()}",
                )
            except IntegrityError:  # a second run sent it meanwhile (the key is unique)
                continue
            written += len(sent)
    return written
