"""The events the core announces, each to its recipients: called inside the transaction
of the write that makes them true (``targets.services``, ``targets.reporting``), so a
refused write announces nothing."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from . import services
from .models import Audience, Kind


def _who(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def _week(submission) -> str:
    monday = submission.week_start
    sunday = monday + timedelta(days=6)
    return f"{monday.year}年{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日"


def _entry_link(submission) -> str:
    monday = submission.week_start.isoformat()
    return reverse("entry_week", args=[monday]) + f"?dept={submission.department.code}"


def week_returned(*, submission, user, reason: str, dedupe_key: str = "") -> list:
    """A manager returned a week: its unit's clerks are told, with the reason. Returns
    the notifications written (``dedupe_key``: see ``services.notify``)."""
    department = submission.department
    return services.notify(
        kind=Kind.WEEK_RETURNED,
        recipients=services.clerks_of(department),
        title=f"【退回】{department.name} {_week(submission)} 周报被退回",
        body=f"退回人：{_who(user)}\n退回原因：{reason}\n请按意见修改后重新提交。",
        link=_entry_link(submission),
        department=department,
        audience=Audience.CLERKS,
        dedupe_key=dedupe_key,
    )


def week_changed(
    *, submission, user, cells: int, reason: str = "", source: str = "", dedupe_key: str = ""
) -> list:
    """Figures changed in a week already submitted (or approved): the managers are told
    who changed how many cells, since they may have read or approved the old figures.
    Returns the notifications written."""
    department = submission.department
    status = submission.get_status_display()
    lines = [f"修改人：{_who(user)}", f"修改格数：{cells}"]
    if source:
        lines.append(f"途径：{source}")
    if reason:
        lines.append(f"原因：{reason}")
    return services.notify(
        kind=Kind.WEEK_CHANGED,
        recipients=services.managers(),
        title=f"【修改】{department.name} {_week(submission)} 周报（{status}）数据被修改",
        body="\n".join(lines),
        link=_entry_link(submission),
        department=department,
        audience=Audience.MANAGERS,
        dedupe_key=dedupe_key,
    )


def report_published(*, report) -> None:
    """A report was archived: the managers (who may download it) are told. Archiving the
    same period again with the same as-of date is not news: sent once."""
    services.notify(
        kind=Kind.REPORT_PUBLISHED,
        recipients=services.managers(),
        title=f"【报告】{report.title} 已发布",
        body=f"数据截至{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日。",
        link=reverse("report_download", args=[report.pk]),
        audience=Audience.MANAGERS,
        dedupe_key=f"report_published:{report.kind}:{report.period_start}:{report.as_of}",
    )
