"""Progress reports (week, month, quarter): data from ``PeriodValue`` (never raw entries),
HTML from one template, PDF through WeasyPrint, and the archive of stored PDFs.

A report is about one period (a Monday–Sunday week, a calendar month or quarter) and is
read "as of" its last day, or today when the period is still running.
Charts are hand-built SVG (vector in the PDF, no browser needed, a few milliseconds).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from targets import clock, periods, roles, rollups, selectors
from targets.entry import timeliness
from targets.models import Goal, Indicator, PeriodValue, Plan, ProgressNote, Report
from targets.notifications import events
from targets.reporting import sections as extra_sections

WEEK = "week"
KINDS = (WEEK, periods.MONTH, periods.QUARTER)
Status = PeriodValue.Status
STATUS_COLORS = {
    "green": "#15803d",
    "yellow": "#ca8a04",
    "red": "#b91c1c",
    "pending": "#cbd5e1",
    "none": "#94a3b8",
}
FONT = "Noto Sans CJK SC"
# Base URL of the PDF's HTML: relative links resolve under it and the fetcher maps only
# its static files to local files. Nothing is ever fetched from a network.
PDF_BASE_URL = "https://report.invalid/"


# ---- The period and its words ----------------------------------------------------------


def report_period(kind: str, day: date) -> periods.Period:
    """The week (Monday–Sunday), month or quarter of ``kind`` that contains ``day``."""
    if kind == WEEK:
        start = periods.week_start(day)
        return periods.Period(WEEK, start, start + timedelta(days=6))
    if kind in (periods.MONTH, periods.QUARTER):
        return periods.period_of(kind, day)
    raise ValueError(f"unknown report kind {kind!r}")


def _date_zh(day: date) -> str:
    """2021年11月30日 (30 Nov 2021 in English)."""
    return date_format(day, _("Y年n月j日"))


def period_label(period: periods.Period) -> str:
    """2021年第47周 · 2021年11月 · 2021年第四季度."""
    if period.type == WEEK:
        year, week, _weekday = period.start.isocalendar()
        return _("%(year)s年第%(week)s周") % {"year": year, "week": week}
    return periods.label(period.type, period.start, get_language())


def report_plan(period: periods.Period, plan: Plan | None = None) -> Plan | None:
    """The plan a report reads: the one given, else the default plan of the period's
    first day (``Plan.objects.for_day``)."""
    return plan if plan is not None else Plan.objects.for_day(period.start)


def plan_period_label(plan: Plan) -> str | None:
    """The words of a quarter's or a year's plan period as its title writes them
    (2021年第四季度, 2022年), None for another range."""
    kinds = {Plan.Kind.QUARTER: periods.QUARTER, Plan.Kind.YEAR: periods.YEAR}
    if plan.kind not in kinds:
        return None
    return periods.label(kinds[plan.kind], plan.start, get_language())


def report_title(period: periods.Period, plan: Plan | None = None) -> str:
    """The plan's title for the report's period: 郑东新区2021年第四季度目标任务进展报告 for
    the plan 郑东新区2021年第四季度目标任务, 郑东新区2021年11月目标任务进展报告 for one of
    its months (the plan's period words replaced by the report's)."""
    if plan is None:
        return _("郑东新区%(period)s目标任务进展报告") % {"period": period_label(period)}
    title = plan.display_title
    own = plan_period_label(plan)
    if own and own in title:
        return _("%(title)s进展报告") % {"title": title.replace(own, period_label(period))}
    return _("%(title)s（%(period)s）进展报告") % {"title": title, "period": period_label(period)}


def report_filename(period: periods.Period, plan: Plan | None = None) -> str:
    """The PDF's download name, e.g. 郑东新区2021年11月目标任务进展报告_2021-11-01.pdf."""
    return f"{report_title(period, plan)}_{period.start.isoformat()}.pdf"


def report_as_of(period: periods.Period, plan: Plan | None = None) -> date:
    """The period's last day, or today (``targets.clock``) while the period is still
    running (a week not yet over is read as of today, not as of its latest entry); within
    the plan's period."""
    day = periods.clip(clock.today(), period.start, period.end)
    return periods.clip(day, plan.start, plan.end) if plan else day


# ---- The data -------------------------------------------------------------------------


def _fmt(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


@dataclass
class Line:
    """One indicator in a report: its position on the as-of date and the period's figure."""

    row: selectors.Row
    period_actual: Decimal | None
    period_start: date | None = None
    note: ProgressNote | None = None  # the latest 进展·问题·措施 (lagging lines)

    @property
    def name(self) -> str:
        return self.row.display_name

    @property
    def unit(self) -> str:
        return self.row.display_unit

    @property
    def target(self) -> str:
        if self.row.kind == Indicator.Kind.MILESTONE:
            return self.row.plan_end.isoformat()  # done by that day
        return self.row.target_display

    @property
    def period_actual_text(self) -> str:
        if self.row.kind == Indicator.Kind.MILESTONE:  # done in this period, or not
            done = self.row.done_on
            return str(_("已完成")) if done and self.period_start <= done else "—"
        return selectors.figure_text(self.period_actual, self.row.decimals)

    @property
    def cumulative_text(self) -> str:
        return self.row.cumulative_text

    @property
    def planned_text(self) -> str:
        return self.row.planned_text

    @property
    def plan_percent_text(self) -> str:
        return _fmt(self.row.plan_percent, 1)

    @property
    def target_percent_text(self) -> str:
        return _fmt(self.row.target_percent, 1)

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def status_label(self) -> str:
        return self.row.status_label


@dataclass
class Section:
    goal: Goal
    lines: list[Line]
    counts: selectors.StatusCount
    chart: SafeString = mark_safe("")  # noqa: S308 (empty)
    number: str = ""


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (section numbers up to 99)."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def section_number(n: int) -> str:
    """The heading's number: 三、 in Chinese, "3. " in English."""
    return f"{n}. " if get_language() == "en" else f"{chinese_number(n)}、"


@dataclass
class Headline:
    label: str
    value: str
    unit: str
    note: str
    status: str = "none"


@dataclass
class ReportData:
    kind: str
    period: periods.Period
    title: str
    period_label: str
    as_of: date
    computed_at: datetime | None
    generated_at: datetime
    totals: selectors.StatusCount
    headlines: list[Headline]
    behind: list[Line]
    sections: list[Section]
    status_chart: SafeString
    plan: Plan | None = None
    extra: dict = field(default_factory=dict)
    # Sections other apps contribute (key projects, problems), numbered after 二.
    contributed: list = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return Report.Kind(self.kind).label

    @property
    def period_range(self) -> str:
        return _("%(start)s至%(end)s") % {
            "start": _date_zh(self.period.start),
            "end": _date_zh(self.period.end),
        }

    @property
    def as_of_text(self) -> str:
        return _date_zh(self.as_of)

    @property
    def behind_without_note(self) -> list[str]:
        """The lagging indicators whose unit has not said why yet (named once, below the
        table, rather than a line each)."""
        return [line.name for line in self.behind if line.note is None]


def period_actuals(period: periods.Period, indicators: list[selectors.Row]) -> dict[int, Decimal | None]:
    """What each indicator achieved within the period. Month and quarter: their
    ``PeriodValue`` row (one query). Week (not a roll-up period): its days read through
    ``rollups.day_values``, summed for amounts as Decimal in Python, the last day's value
    for levels."""
    if period.type != WEEK:
        return dict(
            PeriodValue.objects.filter(period_type=period.type, period_start=period.start).values_list(
                "indicator_id", "actual"
            )
        )
    kinds = {row.id: row.kind for row in indicators}
    result: dict[int, Decimal | None] = {}
    summed = (Indicator.Kind.AMOUNT, Indicator.Kind.SUM)
    counted = [pk for pk, kind in kinds.items() if kind in (*summed, Indicator.Kind.LEVEL)]
    days = rollups.day_values(counted, period.start, period.end) if counted else {}
    for indicator_id, rows in days.items():
        actuals = [day.actual for day in rows if day.actual is not None]
        if not actuals:
            continue
        if kinds[indicator_id] in summed:
            result[indicator_id] = sum(actuals, Decimal(0))
        else:
            result[indicator_id] = actuals[-1]  # a level: the latest day's value
    return result


def _section_of(goals: dict[int, Goal]):
    def section(goal_id: int) -> Goal | None:
        goal = goals.get(goal_id)
        while goal is not None and goal.level != Goal.Level.SECTION:
            goal = goals.get(goal.parent_id)
        return goal

    return section


def build(kind: str, day: date, plan: Plan | None = None) -> ReportData:
    """Everything a report of the plan (by default the plan of the period's first day)
    shows, read from ``PeriodValue`` (a handful of queries)."""
    period = report_period(kind, day)
    plan = report_plan(period, plan)
    as_of = report_as_of(period, plan)
    goals = {goal.pk: goal for goal in Goal.objects.filter(plan=plan)} if plan else {}
    section_of = _section_of(goals)
    rows = selectors.rows(selectors.in_force(plan), as_of)
    actuals = period_actuals(period, rows)
    lines = [Line(row, actuals.get(row.id), period.start) for row in rows]
    by_id = {line.row.id: line for line in lines}

    totals = selectors.StatusCount()
    sections: dict[int, Section] = {
        goal.pk: Section(goal, [], selectors.StatusCount())
        for goal in sorted(goals.values(), key=lambda g: (g.order, g.code))
        if goal.level == Goal.Level.SECTION
    }
    for line in lines:
        status = line.row.count_key
        totals.counts[status] += 1
        section = section_of(line.row.goal_id)
        if section is not None and section.pk in sections:
            sections[section.pk].lines.append(line)
            sections[section.pk].counts.counts[status] += 1
    filled = [section for section in sections.values() if section.lines]
    for section in filled:
        section.chart = progress_chart(section.lines)

    behind = [by_id[row.id] for row in selectors.behind_schedule(as_of, plan, limit=20) if row.id in by_id]
    notes = selectors.latest_notes([line.row.id for line in behind], as_of)
    for line in behind:
        line.note = notes.get(line.row.id)
    contributed = extra_sections.build(period, as_of)
    # 一 is the overall progress, 二 the lagging indicators; then the contributed
    # sections and the work sections, numbered on.
    for n, part in enumerate([*contributed, *filled], start=3):
        part.number = section_number(n)
    computed = [row.computed_at for row in rows if row.computed_at is not None]
    return ReportData(
        kind=kind,
        period=period,
        title=report_title(period, plan),
        period_label=period_label(period),
        plan=plan,
        as_of=as_of,
        computed_at=max(computed, default=None),
        generated_at=clock.now(),
        totals=totals,
        headlines=headlines(rows, as_of, totals, plan),
        behind=behind,
        sections=filled,
        contributed=contributed,
        status_chart=status_chart([(s.goal.display_name, s.counts.counts) for s in filled]),
        extra={"timeliness": week_timeliness(period, as_of)} if kind == WEEK else {},
    )


def week_timeliness(period: periods.Period, as_of: date) -> timeliness.Ranking:
    """The week report's ranking of on-time reporting: the weeks past due at the end of
    its as-of day (the report's own week is due the next Monday, so it counts from the
    next report on), judged as they stood then, from the start of the plan in force."""
    return timeliness.ranking(
        now=min(clock.now(), timeliness.end_of(as_of)), start=timeliness.plan_start(as_of)
    )


def headlines(
    rows: list[selectors.Row], as_of: date, totals: selectors.StatusCount, plan: Plan | None = None
) -> list[Headline]:
    """The cover page's figures: the briefing's headline indicators, the hazard
    rectification rate and how many indicators keep pace with time."""
    by_code = {row.code: row for row in rows}
    items = []
    for code in selectors.HEADLINE_CODES.values():
        row = by_code.get(code)
        if row is None:
            continue
        note = _("目标 %(target)s，完成 %(percent)s%%，时间进度 %(time)s%%") % {
            "target": row.target_text,
            "percent": _fmt(row.target_percent, 1),
            "time": _fmt(row.time_percent, 1),
        }
        items.append(Headline(row.display_name, row.cumulative_text, row.display_unit, note, row.status))
    hazards = selectors.hazards(as_of, plan)
    if hazards.found:
        items.append(
            Headline(
                _("隐患整改率"),
                _fmt(hazards.rate, 1),
                "%",
                hazards.summary,
            )
        )
    items.append(
        Headline(
            _("同步/超前指标"),
            str(totals.green),
            _("项"),
            _(
                "共 %(total)s 项；滞后 %(yellow)s 项，严重滞后 %(red)s 项，"
                "未到期 %(pending)s 项，无计划或无数据 %(none)s 项"
            )
            % {
                "total": totals.total,
                "yellow": totals.yellow,
                "red": totals.red,
                "pending": totals.pending,
                "none": totals.none,
            },
            "green",
        )
    )
    return items


# ---- Charts: inline SVG ---------------------------------------------------------------


def _svg(width: int, height: int, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 (every text inside is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{FONT}" font-size="11" role="img">'
        f"{body}</svg>"
    )


def _clip_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_chart(groups: list[tuple[str, dict]]) -> SafeString:
    """Stacked bars: per section, how many indicators are green, yellow, red or not yet
    due, with the count written on each segment and a legend in words. Indicators without
    a plan (the fifty count-only safety measures) are judged against nothing: they are
    not drawn (they would dwarf the rest) but counted in words after the bar."""
    width, left, bar, gap = 640, 230, 18, 10
    plot = width - left - 90
    top = 28
    height = top + len(groups) * (bar + gap) + 10
    order = ("green", "yellow", "red", selectors.PENDING_KEY)
    labels = {selectors.PENDING_KEY: selectors.PENDING}
    parts = []
    x = left
    for status in order:
        parts.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{STATUS_COLORS[status]}"/>'
            f'<text x="{x + 14}" y="15">{escape(labels.get(status) or Status(status).label)}</text>'
        )
        x += 80
    most = max((sum(c.get(status, 0) for status in order) for _n, c in groups), default=0) or 1
    for i, (name, counts) in enumerate(groups):
        y = top + i * (bar + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar - 5}" text-anchor="end">{escape(_clip_text(name, 19))}</text>'
        )
        x = float(left)
        for status in order:
            n = counts.get(status, 0)
            if not n:
                continue
            w = plot * n / most
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{STATUS_COLORS[status]}"/>'
            )
            if w >= 14:
                ink = "#334155" if status == selectors.PENDING_KEY else "#fff"  # dark on the pale bar
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar - 5}" text-anchor="middle"'
                    f' fill="{ink}">{n}</text>'
                )
            x += w
        if counts.get("none"):
            note = _("无计划 %(n)s 项") % {"n": counts["none"]}
            parts.append(f'<text x="{x + 6:.1f}" y="{y + bar - 5}" fill="#555">{escape(note)}</text>')
    return _svg(width, height, "".join(parts))


def progress_chart(lines: list[Line]) -> SafeString:
    """Per indicator with a target: a bar for cumulative actual ÷ target (%), coloured by
    status, and a black tick for time progress (%) — the bar should reach the tick."""
    items = [line for line in lines if line.row.target_percent is not None]
    if not items:
        return mark_safe("")  # noqa: S308 (empty)
    width, left, right, bar, gap = 640, 220, 60, 12, 8
    plot = width - left - right
    top = 26
    height = top + len(items) * (bar + gap) + 24
    scale = 120  # the axis runs to 120 %
    parts = [
        f'<rect x="{left}" y="6" width="10" height="10" fill="{STATUS_COLORS["green"]}"/>'
        f'<text x="{left + 14}" y="15">{escape(_("累计完成占目标比例"))}</text>'
        f'<line x1="{left + 170}" y1="4" x2="{left + 170}" y2="18" stroke="#111" stroke-width="2"/>'
        f'<text x="{left + 176}" y="15">{escape(_("时间进度"))}</text>'
    ]
    for tick in (0, 50, 100):
        x = left + plot * tick / scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 18}" stroke="#d0d5dd" '
            f'stroke-width="0.6"/><text x="{x:.1f}" y="{height - 6}" text-anchor="middle" '
            f'fill="#555">{tick}%</text>'
        )
    for i, line in enumerate(items):
        y = top + i * (bar + gap)
        percent = float(line.row.target_percent)
        w = plot * min(max(percent, 0), scale) / scale
        time_x = left + plot * min(float(line.row.time_percent), scale) / scale
        name = escape(_clip_text(line.name, 18))
        parts.append(
            f'<text x="{left - 6}" y="{y + bar - 2}" text-anchor="end">{name}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{STATUS_COLORS[line.status]}"/>'
            f'<line x1="{time_x:.1f}" y1="{y - 2}" x2="{time_x:.1f}" y2="{y + bar + 2}" stroke="#111" '
            f'stroke-width="2"/>'
            f'<text x="{left + plot + 4}" y="{y + bar - 2}">{percent:.1f}%</text>'
        )
    return _svg(width, height, "".join(parts))


# ---- HTML and PDF ---------------------------------------------------------------------


def render_html(data: ReportData, *, request=None, for_pdf: bool = False) -> str:
    return render_to_string(
        "reports/report.html", {"report": data, "for_pdf": for_pdf}, request=None if for_pdf else request
    )


def static_file_path(relative: str) -> Path | None:
    """The file on disk behind a static URL path: from the finders (the source folders,
    as with DEBUG on), else from what collectstatic gathered, where the hashed names of
    production (``reports/report.3cd872b79772.css``) live."""
    try:
        found = finders.find(relative)
        if isinstance(found, str) and Path(found).is_file():
            return Path(found)
        collected = Path(staticfiles_storage.path(relative))
    except (NotImplementedError, SuspiciousFileOperation):  # a storage without files; "../"
        return None
    return collected if collected.is_file() else None


def _local_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 (heavy import)

    class LocalStaticFetcher(URLFetcher):
        """Serves the report's own static files from disk; refuses every other URL, so a
        PDF build never touches a network."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if f"{parts.scheme}://{parts.netloc}/" != PDF_BASE_URL or not parts.path.startswith(prefix):
                raise ValueError(f"refused (reports fetch only local static files): {url}")
            relative = unquote(parts.path[len(prefix) :])
            found = static_file_path(relative)
            if found is None:
                raise ValueError(f"no such static file: {relative}")
            mime = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mime})

    return LocalStaticFetcher()


def render_pdf(data: ReportData) -> bytes:
    """The report as an A4 PDF (WeasyPrint; fonts from Debian's fonts-noto-cjk)."""
    from weasyprint import HTML  # noqa: PLC0415 (heavy import, only where a PDF is made)

    html = render_html(data, for_pdf=True)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_local_fetcher()).write_pdf()


# ---- The archive ----------------------------------------------------------------------


def archive_report(kind: str, day: date, *, user=None, plan: Plan | None = None) -> Report:
    """Build the PDF of the period containing ``day`` (of ``plan``, by default the plan of
    the period's first day) and keep it in the archive; an earlier copy of the same period
    is replaced (idempotent)."""
    data = build(kind, day, plan)
    pdf = render_pdf(data)
    with transaction.atomic():
        old = list(Report.objects.select_for_update().filter(kind=kind, period_start=data.period.start))
        report = Report(
            kind=kind,
            period_start=data.period.start,
            period_end=data.period.end,
            as_of=data.as_of,
            title=data.title,
            size=len(pdf),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        report.file.save(f"{kind}-{data.period.start.isoformat()}.pdf", ContentFile(pdf), save=False)
        report.save()
        for previous in old:
            previous.file.delete(save=False)
            previous.delete()
        events.report_published(report=report)
    return report


def manager_emails() -> list[str]:
    """E-mail addresses of active managers and superusers."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(groups__name=roles.MANAGERS)).distinct()
    return sorted(set(users.values_list("email", flat=True)))


def email_report(report: Report) -> int:
    """Send the archived PDF to every manager. Returns the number of recipients."""
    recipients = manager_emails()
    if not recipients:
        return 0
    message = EmailMessage(
        subject=report.title,
        body=_("%(title)s（数据截至%(as_of)s）见附件。")
        % {"title": report.title, "as_of": _date_zh(report.as_of)},
        to=recipients,
    )
    with report.file.open("rb") as pdf:
        message.attach(f"{report.title}.pdf", pdf.read(), "application/pdf")
    message.send()
    return len(recipients)


def recent_periods(today: date, plan: Plan | None) -> list[tuple[str, list[periods.Period]]]:
    """Periods offered on the archive page: the plan's quarters, months and weeks up to
    ``today`` (capped into the plan's period), newest first; none without a plan."""
    if plan is None:
        return []
    start, end = plan.period
    last = periods.clip(today, start, end)
    weeks = []
    monday = periods.week_start(start)
    while monday <= last:
        weeks.append(report_period(WEEK, monday))
        monday += timedelta(days=7)
    quarters = list(periods.periods_between(periods.QUARTER, start, last))
    months = list(periods.periods_between(periods.MONTH, start, last))
    return [
        (Report.Kind.QUARTER.label, quarters[::-1]),
        (Report.Kind.MONTH.label, months[::-1]),
        (Report.Kind.WEEK.label, weeks[::-1]),
    ]
