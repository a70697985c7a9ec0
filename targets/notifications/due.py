"""Deadlines approaching and overdue, checked once a day (``tasks.send_due_notices``).

A check is a function ``(today, now) -> iterable of Notice``; this module brings the
weeks' (due the next Monday at 12:00, as ``targets.entry.timeliness`` judges them: the
one weekly reminder, at most one message a day to a clerk about the unit's weeks) and
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


def _due_soon(today: date, now: datetime) -> dict[Department, tuple[date, datetime]]:
    """{department: (Monday, due time)} of the week whose due time (the next Monday at
    12:00) falls today or tomorrow, for the units owing it and not yet submitted."""
    from targets.entry import timeliness

    soon: dict[Department, tuple[date, datetime]] = {}
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
            soon[department] = (monday, due)
    return soon


def _clerks_notice(department: Department, late: list[date], soon: tuple[date, datetime] | None) -> Notice:
    """The unit's one notice of the day about its weeks: those overdue (listed, newest
    first) and the one due today or tomorrow. A unit has one or the other, or both."""
    due_line = f"{_week_label(soon[0])}（{soon[1]:%m月%d日 %H:%M}截止）" if soon else ""
    if late:
        kind, link = Kind.WEEK_OVERDUE, _entry_link(late[0], department)
        title = f"【逾期】{department.name} 有{len(late)}周数据逾期未报"
        body = "逾期未报的周：\n" + listing([_week_label(m) for m in late])
        if soon:
            title += f"，另有1周将于{soon[1]:%m月%d日 %H:%M}截止"
            body += f"\n即将截止的周：\n- {due_line}"
        body += "\n请尽快填报并提交。"
    else:
        monday, due = soon
        kind, link = Kind.WEEK_DUE, _entry_link(monday, department)
        title = f"【提醒】{department.name} {_week_label(monday)} 数据将于{due:%m月%d日 %H:%M}截止"
        body = f"尚未提交的周：\n- {due_line}\n请在截止前填报并提交。"
    return Notice(
        kind=kind,
        key=f"weeks:{department.pk}",  # one a day, whichever it is
        recipients=services.clerks_of(department),
        title=title,
        body=body,
        link=link,
        department=department,
        audience=Audience.CLERKS,
    )


@register
def weeks(today: date, now: datetime) -> Iterable[Notice]:
    """Each unit's clerks: one notice a day naming its weeks past due and not submitted
    and the week due today or tomorrow, not yet submitted (the weekly reminder: no other
    message about weeks). The managers: one summary of the units with weeks overdue."""
    from targets.entry import timeliness

    late: dict[Department, list[date]] = defaultdict(list)
    for department, monday in timeliness.overdue(now):
        late[department].append(monday)
    soon = _due_soon(today, now)
    for department in sorted(late.keys() | soon.keys(), key=lambda d: (d.order, d.code)):
        yield _clerks_notice(department, late.get(department, []), soon.get(department))
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
