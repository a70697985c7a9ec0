"""Deadlines approaching and overdue, checked once a day (``tasks.send_due_notices``),
sent as one daily notice per recipient group: a unit's clerks, the managers.

A check is a function ``(today, now) -> iterable of Section``; this module brings the
weeks' (due the next Monday at 12:00, as ``targets.entry.timeliness`` judges them: the
weekly reminder) and other apps register theirs (``register``: ``projects`` adds
milestones and problems). ``run`` gathers every section by recipient group (audience and
unit) and sends each group one notice a day carrying all its sections, each with its own
link: the weeks, the milestones and the problems of a unit reach its clerks, its inbox
and its group robot in one message, not three. The notice's ``dedupe_key`` names the
group and the day, so a rerun the same day sends nothing twice."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
class Section:
    """One part of a recipient group's daily notice, as a check returns it.

    ``audience`` and ``department`` name the group: ``Audience.CLERKS`` with a unit (its
    clerks), or ``Audience.MANAGERS`` without one (the managers and superusers).
    ``summary`` says it in one line ("有2项项目节点逾期未完成"): the notice's title names
    the unit, then every section's summary. ``body`` lists the items, ``link`` is the
    page to act on them; ``overdue`` marks the notice 【逾期】 rather than 【提醒】."""

    kind: str
    audience: str
    summary: str
    body: str = ""
    link: str = ""
    department: Department | None = None
    overdue: bool = False


Check = Callable[[date, datetime], Iterable[Section]]
CHECKS: list[Check] = []

# Section headings in a notice of several: 一、二、三…
NUMERALS = "一二三四五六七八九十"


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


def _clerks_section(department: Department, late: list[date], soon: tuple[date, datetime] | None) -> Section:
    """The unit's weeks: those overdue (listed, newest first) and the one due today or
    tomorrow. A unit has one or the other, or both."""
    due_line = f"{_week_label(soon[0])}（{soon[1]:%m月%d日 %H:%M}截止）" if soon else ""
    if late:
        kind, link = Kind.WEEK_OVERDUE, _entry_link(late[0], department)
        summary = f"有{len(late)}周数据逾期未报"
        body = "逾期未报的周：\n" + listing([_week_label(m) for m in late])
        if soon:
            summary += f"，另有1周将于{soon[1]:%m月%d日 %H:%M}截止"
            body += f"\n即将截止的周：\n- {due_line}"
        body += "\n请尽快填报并提交。"
    else:
        monday, due = soon
        kind, link = Kind.WEEK_DUE, _entry_link(monday, department)
        summary = f"{_week_label(monday)} 数据将于{due:%m月%d日 %H:%M}截止"
        body = f"尚未提交的周：\n- {due_line}\n请在截止前填报并提交。"
    return Section(
        kind=kind,
        audience=Audience.CLERKS,
        department=department,
        summary=summary,
        body=body,
        link=link,
        overdue=bool(late),
    )


@register
def weeks(today: date, now: datetime) -> Iterable[Section]:
    """Each unit's clerks: its weeks past due and not submitted, and the week due today or
    tomorrow, not yet submitted (the weekly reminder: no other message about weeks). The
    managers: the units with weeks overdue."""
    from targets.entry import timeliness

    late: dict[Department, list[date]] = defaultdict(list)
    for department, monday in timeliness.overdue(now):
        late[department].append(monday)
    soon = _due_soon(today, now)
    for department in sorted(late.keys() | soon.keys(), key=lambda d: (d.order, d.code)):
        yield _clerks_section(department, late.get(department, []), soon.get(department))
    if late:
        ordered = sorted(late.items(), key=lambda pair: (pair[0].order, pair[0].code))
        names = [f"{d.name}（{len(m)}周）" for d, m in ordered]
        yield Section(
            kind=Kind.WEEK_OVERDUE,
            audience=Audience.MANAGERS,
            summary=f"{len(late)}个单位有周报逾期未报",
            body=listing(names),
            link=reverse("timeliness"),
            overdue=True,
        )


def recipients(audience: str, department: Department | None):
    """The users of a recipient group: a unit's active clerks, or the managers."""
    if audience == Audience.CLERKS and department is not None:
        return services.clerks_of(department)
    if audience == Audience.MANAGERS:
        return services.managers()
    raise ValueError(f"no recipients for audience {audience!r} and department {department!r}")


def heading(index: int, summary: str) -> str:
    """ "一、有2项问题整改逾期": a section's heading in a notice of several."""
    number = NUMERALS[index] if index < len(NUMERALS) else str(index + 1)
    return f"{number}、{summary}"


@dataclass
class Digest:
    """One group's notice of the day, put together from its sections."""

    audience: str
    department: Department | None
    sections: list[Section]

    @property
    def title(self) -> str:
        tag = "逾期" if any(s.overdue for s in self.sections) else "提醒"
        unit = f"{self.department.name} " if self.department else ""
        return f"【{tag}】{unit}" + "；".join(s.summary for s in self.sections)

    @property
    def kind(self) -> str:
        return self.sections[0].kind if len(self.sections) == 1 else Kind.DAILY

    @property
    def parts(self) -> list[dict]:
        """The sections as the notification stores them (``Notification.sections``):
        none for a notice of one, whose title says it all."""
        if len(self.sections) == 1:
            return []
        return [
            {"kind": s.kind, "heading": heading(i, s.summary), "body": s.body, "link": s.link}
            for i, s in enumerate(self.sections)
        ]

    @property
    def body(self) -> str:
        """The whole text: the one section's items, or each section under its heading."""
        if len(self.sections) == 1:
            return self.sections[0].body
        return "\n\n".join(f"{p['heading']}\n{p['body']}".rstrip() for p in self.parts)

    @property
    def link(self) -> str:
        return next((s.link for s in self.sections if s.link), "")


def collect(today: date, now: datetime) -> list[Digest]:
    """Every registered check's sections, one ``Digest`` per recipient group: the units'
    clerks in the units' order, then the managers. Within a notice the sections keep the
    checks' order (weeks, then what other apps registered). A check that fails is logged
    and the others still run."""
    groups: dict[tuple[str, int | None], Digest] = {}
    for check in list(CHECKS):
        try:
            sections = list(check(today, now))
        except Exception:
            logger.exception("deadline check %s failed", getattr(check, "__name__", check))
            continue
        for section in sections:
            department = section.department
            key = (section.audience, department.pk if department else None)
            if key not in groups:
                groups[key] = Digest(audience=section.audience, department=department, sections=[])
            groups[key].sections.append(section)
    return sorted(
        groups.values(),
        key=lambda d: (
            d.department is None,
            (d.department.order, d.department.code) if d.department else (0, ""),
            d.audience,
        ),
    )


def run(today: date | None = None, now: datetime | None = None, *, key_prefix: str = "") -> int:
    """Run every check; send each recipient group its one notice of the day, once per
    recipient. Returns the number of notifications written. ``key_prefix`` goes before
    every ``dedupe_key`` (the demo marks its notices so)."""
    now = now or clock.now()
    today = today or clock.today()
    written = 0
    for digest in collect(today, now):
        department = digest.department
        try:
            users = recipients(digest.audience, department)
        except ValueError:
            logger.exception("deadline notice for %s without recipients", digest.audience)
            continue
        try:
            sent = services.notify(
                kind=digest.kind,
                recipients=users,
                title=digest.title,
                body=digest.body,
                link=digest.link,
                sections=digest.parts,
                department=department,
                audience=digest.audience,
                dedupe_key=(
                    f"{key_prefix}daily:{digest.audience}:{department.pk if department else 'all'}:"
                    f"{today.isoformat()}"
                ),
            )
        except IntegrityError:  # a second run sent it meanwhile (the key is unique)
            continue
        written += len(sent)
    return written
