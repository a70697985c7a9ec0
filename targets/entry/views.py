"""Weekly data entry (clerks), the approvals queue (managers), XLSX template and import,
cell history, overdue list and timeliness table. Views parse, call ``services`` and
render; every figure is written by ``services.record_entries``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from targets import audit, clock, params, periods, roles, rollups, selectors, services
from targets.dashboards.tables import TimelinessRankingTable, TimelinessTable
from targets.entry import imports, timeliness
from targets.entry import review as week_review
from targets.entry.forms import ImportForm, ReviewForm, UnlockForm
from targets.models import (
    Department,
    Entry,
    Indicator,
    PeriodValue,
    Submission,
    SubmissionEvent,
)
from targets.periods import QUARTER, period_of, week_days, week_start
from targets.reporting import exports
from targets.services import ALL, EntryInput, EntryRejected

WEEKDAYS = (  # column heads of the week form (the XLSX template keeps imports.WEEKDAYS_ZH)
    pgettext_lazy("weekday", "周一"),
    pgettext_lazy("weekday", "周二"),
    pgettext_lazy("weekday", "周三"),
    pgettext_lazy("weekday", "周四"),
    pgettext_lazy("weekday", "周五"),
    pgettext_lazy("weekday", "周六"),
    pgettext_lazy("weekday", "周日"),
)
SESSION_IMPORT = "entry_import"


# ---- who, which department, which week


def _monday(text: str) -> date:
    day = params.path_day(text)
    if day.weekday() != 0:
        raise Http404(_("填报周必须从周一开始。"))
    return day


def _department(request, code: str | None = None) -> Department:
    """The department the page is about: a clerk's own (another one is 403); a manager
    picks one with ?dept=<code> (default: the first)."""
    user = request.user
    code = code if code is not None else (request.POST.get("dept") or request.GET.get("dept"))
    if roles.can(user, roles.ENTER_ANY):
        if code:
            return get_object_or_404(Department, code=code)
        department = Department.objects.first()
        if department is None:
            raise Http404(_("尚未设置责任单位。"))
        return department
    if not roles.can(user, roles.ENTER_OWN):
        raise PermissionDenied(_("只有填报员和管理员可以填报数据。"))
    own = roles.user_department(user)
    if own is None:
        raise PermissionDenied(_("您的账号尚未关联责任单位，请联系管理员。"))
    if code and code != own.code:
        raise PermissionDenied(_("只能填报本单位的数据。"))
    return own


def _week_url(monday: date, department: Department, user) -> str:
    url = reverse("entry_week", args=[monday.isoformat()])
    return f"{url}?dept={department.code}" if roles.can(user, roles.ENTER_ANY) else url


# Pages of the managers' review (approvals, timeliness, moving a week).
reviewers_only = roles.capability_required(roles.REVIEW, gettext_lazy("只有管理员可以审核。"))


# ---- the week grid


def _key(ind_id: int, day: date) -> str:
    return f"{ind_id}_{day:%Y%m%d}"


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


@dataclass
class Cell:
    """One figure of the week: an indicator's value for the period ending on ``day``."""

    day: date
    name: str  # form field suffix
    editable: bool
    value: str = ""  # what the input shows
    original: str = ""  # the saved value the form was loaded with
    version: str = ""  # the saved entry's version the form was loaded with
    errors: list[str] = field(default_factory=list)
    theirs: Entry | None = None  # a conflicting figure saved by someone else
    theirs_value: str = ""
    has_history: bool = False
    label: str = ""  # the period and, for a stock, 截至本期末 (a phone's line label)
    period: str = ""  # the period the figure covers, under the input ("" for a day)
    legacy: bool = False  # saved on a day that is not a report day (before the cadence)

    @property
    def anchor(self) -> str:
        return f"c_{self.name}"

    @property
    def col(self) -> int:
        """The weekday's column (0 Monday … 6 Sunday): Enter moves down it."""
        return self.day.weekday()

    @property
    def day_key(self) -> str:
        return f"{self.day:%Y%m%d}"


@dataclass
class Milestone:
    """A milestone's one cell of the week: the day it was done, picked from the week's
    days in its plan (``cells`` carry each day's saved value and version)."""

    field: str  # the select's name
    cells: list[Cell]
    editable: bool
    chosen: str = ""  # the picked day as YYYYMMDD, "" for not done

    @property
    def errors(self) -> list[str]:
        return [m for c in self.cells for m in c.errors]


@dataclass
class Row:
    """One indicator's line; the roll-up columns are formatted text ("" until computed).
    ``cells`` are the figures the week asks for (one per period of the indicator's
    cadence ending in the week; a milestone's done day); ``slots`` places them under the
    weekdays (``None`` where nothing is reported)."""

    indicator: Indicator
    cells: list[Cell]
    slots: list[Cell | None] = field(default_factory=list)
    milestone: Milestone | None = None
    week_total: str = ""
    cumulative: str = ""
    reported_through: date | None = None  # the cumulative is as of this earlier report day
    planned_to_date: str = ""
    planned_share: str = ""

    @property
    def week_label(self) -> str:
        """An amount's week adds up (a 旬's or month's figure reported this week is that
        period's); a level's (a stock, 截至本期末) is its latest value."""
        ind = self.indicator
        if ind.kind != Indicator.Kind.AMOUNT:
            return str(_("最新"))
        labels = {Indicator.Cadence.DEKAD: _("本旬"), Indicator.Cadence.MONTHLY: _("本月")}
        return str(labels.get(ind.cadence, _("合计")))

    @property
    def target_text(self) -> str:
        ind = self.indicator
        if ind.kind == Indicator.Kind.MILESTONE:
            return _("%(day)s前完成") % {"day": ind.plan_end.isoformat()}
        return ind.target_display or str(_("无目标"))

    @property
    def input_count(self) -> int:
        """The figures a clerk may type in this row this week (a milestone's pick is one)."""
        if self.milestone is not None:
            return int(self.milestone.editable)
        return sum(1 for c in self.cells if c.editable)


@dataclass
class Later:
    """An indicator with nothing to report this week, and its next report day."""

    indicator: Indicator
    next_day: date | None


def _week_total(indicator: Indicator, days: list[rollups.DayValue]) -> Decimal | None:
    actuals = [pv.actual for pv in days if pv.actual is not None]
    if not actuals:
        return None
    if indicator.kind == Indicator.Kind.AMOUNT:
        return sum(actuals, Decimal(0))
    return actuals[-1]  # level / milestone: the latest value in the week


def _planned_text(indicator: Indicator, planned: Decimal | None) -> str:
    """The plan to date with its unit (385.73亿元); "—" without a target (nothing is
    planned: the safety counts)."""
    if indicator.kind == Indicator.Kind.MILESTONE:
        return _("%(day)s前完成") % {"day": indicator.plan_end.isoformat()}
    if indicator.target_value is None or planned is None:
        return "—"
    return selectors.figure_text(planned, indicator.decimals, plan=True) + indicator.display_unit


def _planned_share(indicator: Indicator, planned: Decimal | None) -> str:
    """The plan to date as a share of the target: 目标的 89.0%."""
    if indicator.kind == Indicator.Kind.MILESTONE or not indicator.target_value or planned is None:
        return ""
    return _("目标的 %(share)s%%") % {"share": f"{planned / indicator.target_value * 100:.1f}"}


def _period_text(indicator: Indicator, day: date) -> str:
    """What the figure dated on ``day`` covers: "" for a day (the column says it), 本周
    (11/15–11/21), 2021年10月下旬, 2021年11月; a stock adds 截至本期末."""
    cadence = indicator.cadence
    if cadence in (Indicator.Cadence.DAILY, Indicator.Cadence.ONCE):
        text = ""
    elif cadence == Indicator.Cadence.WEEKLY:
        first = max(week_start(day), indicator.entry_start)
        text = _("本周（%(first)s–%(last)s）") % {
            "first": f"{first.month}/{first.day}",
            "last": f"{day.month}/{day.day}",
        }
    else:
        period_type = periods.CADENCE_PERIOD[cadence]
        text = periods.label(period_type, day, get_language() or "zh-hans")
    if indicator.is_stock:
        text = f"{text} {_('截至本期末')}".strip()
    return text


def week_indicators(department, monday: date):
    """What the department's week asks for: ``(indicators with cells, report days by
    indicator id, the indicators with nothing to report this week)``. An indicator has
    cells for each period of its cadence ending in the week (``Indicator.report_days``);
    a milestone has its week until it is done (a week after the one it was done in has
    none); figures saved on other days before the cadence changed show read-only."""
    days = week_days(monday)
    indicators = list(imports.entry_indicators(department, monday))
    milestones = [i.pk for i in indicators if i.kind == Indicator.Kind.MILESTONE]
    done_before = set(
        Entry.objects.filter(indicator_id__in=milestones, date__lt=days[0])
        .exclude(value=0)
        .values_list("indicator_id", flat=True)
    )
    legacy = set(
        Entry.objects.filter(indicator__in=indicators, date__range=(days[0], days[-1])).values_list(
            "indicator_id", "date"
        )
    )
    shown, report_days, later = [], {}, []
    for ind in indicators:
        if ind.kind == Indicator.Kind.MILESTONE:
            mine = [d for d in days if ind.in_plan(d)] if ind.pk not in done_before else []
        else:
            mine = ind.report_days(days[0], days[-1])
        old = [d for d in days if (ind.pk, d) in legacy and d not in mine]
        if mine or old:
            shown.append(ind)
            report_days[ind.pk] = mine
        elif ind.pk not in done_before and days[-1] < ind.plan_end:
            horizon = min(ind.plan_end, days[-1] + timedelta(days=62))
            upcoming = ind.report_days(days[-1] + timedelta(days=1), horizon)
            later.append(Later(ind, upcoming[0] if upcoming else None))
    return shown, report_days, later


def build_grid(department, monday, *, editable: bool, posted=None, rejection=None):
    """The rows of the week page: saved values (or what the user posted, after a refused
    save), per-cell errors and conflicting figures, and the roll-up columns: the week's
    days read through ``rollups.day_values``. Returns ``(rows, computed_at, later)``."""
    days = week_days(monday)
    indicators, report_days, later = week_indicators(department, monday)
    entries = {
        (e.indicator_id, e.date): e
        for e in Entry.objects.filter(
            indicator__in=indicators, date__range=(days[0], days[-1])
        ).select_related("updated_by")
    }
    with_history = set(
        Entry.history.filter(indicator_id__in=[i.pk for i in indicators], date__range=(days[0], days[-1]))
        .values_list("indicator_id", "date")
        .distinct()
    )
    pvs = rollups.day_values([i.pk for i in indicators], days[0], days[-1]) if indicators else {}
    as_of = min(days[-1], clock.today())
    errors = rejection.errors if rejection else {}
    conflicts = {(e.indicator_id, e.date): e for e in (rejection.conflicts if rejection else [])}
    computed_at = None
    rows = []
    for ind in indicators:
        mine_days = report_days[ind.pk]
        milestone = ind.kind == Indicator.Kind.MILESTONE
        cells, slots = [], []
        for offset, day in enumerate(days):
            key = (ind.pk, day)
            entry = entries.get(key)
            reported = day in mine_days
            if not reported and entry is None:
                slots.append(None)
                continue
            name = _key(ind.pk, day)
            period = _period_text(ind, day) if reported else ""
            weekday = f"{WEEKDAYS[offset]} {day.month}/{day.day}"
            cell = Cell(
                day=day,
                name=name,
                editable=editable and reported,
                value=_fmt(entry.value) if entry else "",
                original=_fmt(entry.value) if entry else "",
                version=str(entry.version) if entry else "",
                errors=list(errors.get(key, [])),
                has_history=key in with_history,
                label=period or weekday,
                period=period,
                legacy=not reported,
            )
            if posted is not None and f"c_{name}" in posted:
                mine = posted.get(f"c_{name}", "")
                loaded = posted.get(f"o_{name}", "")
                if mine.strip() != loaded.strip():  # the user changed this cell: keep it
                    cell.value = mine
                    removed = rejection.code == "conflict" and key in errors and entry is None
                    if key in conflicts:
                        # Show both values; the form now carries their version, so saving
                        # again overwrites knowingly.
                        cell.theirs = conflicts[key]
                        cell.theirs_value = _fmt(cell.theirs.value)
                    elif not removed:
                        cell.original = loaded
                        cell.version = posted.get(f"v_{name}", "")
            cells.append(cell)
            slots.append(cell)
        row = Row(ind, cells, slots)
        if milestone:
            done = next((c for c in cells if c.value not in ("", "0")), None)
            row.milestone = Milestone(
                field=f"m_{ind.pk}",
                cells=cells,
                editable=editable and bool(mine_days),
                chosen=f"{done.day:%Y%m%d}" if done else "",
            )
            if posted is not None and row.milestone.field in posted:
                row.milestone.chosen = posted.get(row.milestone.field, "")
                for cell in cells:  # the form posts back what it was loaded with
                    cell.original = posted.get(f"o_{cell.name}", cell.original)
                    cell.version = posted.get(f"v_{cell.name}", cell.version)
        mine = pvs.get(ind.pk, [])
        row.week_total = _fmt(_week_total(ind, mine))
        upto = [pv for pv in mine if pv.period_start <= as_of]
        if upto:
            row.cumulative = _fmt(upto[-1].cumulative_actual)
            if milestone:
                row.cumulative = str(_("已完成") if upto[-1].cumulative_actual else _("未完成"))
            elif ind.in_plan(as_of):
                row.reported_through = periods.reported_through(ind.cadence, as_of)
            row.planned_to_date = _planned_text(ind, upto[-1].cumulative_planned)
            row.planned_share = _planned_share(ind, upto[-1].cumulative_planned)
        elif ind.target_value is None and not milestone:
            row.planned_to_date = "—"
        for pv in mine:
            computed_at = max(computed_at, pv.computed_at) if computed_at else pv.computed_at
        rows.append(row)
    return rows, computed_at, later


def _rows_from_post(post, department, monday) -> list[EntryInput]:
    """The cells the user changed (value differs from the value the form was loaded
    with); unchanged cells are not sent, so two people editing different cells of one
    week do not collide. A milestone's pick becomes 1 on the picked day and clears a
    done day picked before."""
    rows = []
    for ind in imports.entry_indicators(department, monday):
        chosen = post.get(f"m_{ind.pk}") if ind.kind == Indicator.Kind.MILESTONE else None
        for day in week_days(monday):
            name = _key(ind.pk, day)
            loaded = post.get(f"o_{name}", "").strip()
            if chosen is not None and f"o_{name}" in post:
                value = "1" if chosen == f"{day:%Y%m%d}" else ("" if loaded not in ("", "0") else loaded)
            elif f"c_{name}" in post:
                value = post.get(f"c_{name}", "").strip()
            else:
                continue
            if value == loaded:
                continue
            version = post.get(f"v_{name}", "").strip()
            rows.append(
                EntryInput(
                    indicator=ind,
                    date=day,
                    value=value,
                    note=None,
                    expected_version=int(version) if version.isdigit() else None,
                )
            )
    return rows


@require_safe
def entry_current(request):
    """This week's page (clipped to the last week any plan takes figures, once all end)."""
    department = _department(request)
    today = timeliness.reference_day(department=department)
    return redirect(_week_url(week_start(today), department, request.user))


def entry_week(request, monday: str):
    """The department's week: one cell per indicator per period of its cadence that ends
    in the week (a daily indicator's seven days, a weekly one's Sunday, a 旬's or month's
    last day when it falls in the week, a milestone's done day until it is done), saved
    with one POST."""
    monday = _monday(monday)
    department = _department(request)
    rejection = None
    status = 200
    if request.method == "POST":
        if not roles.can_edit_department(request.user, department):
            raise PermissionDenied(_("无权填报该单位的数据。"))
        rows = _rows_from_post(request.POST, department, monday)
        try:
            written = services.record_entries(
                user=request.user,
                rows=rows,
                reason=request.POST.get("reason", "")[:200],
                confirm_outliers=request.POST.get("confirm_outliers") == "on",
                source="form",
            )
        except EntryRejected as exc:
            if exc.code == "forbidden":
                raise PermissionDenied(exc.messages()[0]) from None
            rejection = exc
            status = exc.http_status
        else:
            if rows:
                messages.success(request, _("已保存 %(n)d 个数值。") % {"n": len(rows)})
            else:
                messages.info(request, _("没有需要保存的修改。"))
            del written
            return redirect(_week_url(monday, department, request.user))
    return _week_page(request, monday, department, rejection=rejection, status=status)


@dataclass
class NoteRow:
    """One indicator's 进展·问题·措施 on the week page: required when it lags at the week's
    end; the texts shown are those posted (after a refused submission) or the latest
    saved for the week."""

    indicator: Indicator
    status: str
    required: bool
    latest: object = None  # ProgressNote | None
    progress: str = ""
    problems: str = ""
    measures: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return PeriodValue.Status(self.status).label if self.status else ""

    @property
    def field_prefix(self) -> str:
        return f"n_{self.indicator.pk}_"


def _note_rows(department, monday, *, posted=None, errors=None) -> list[NoteRow]:
    """Every entered indicator of the week with its note; the lagging ones (required) first."""
    indicators = list(imports.entry_indicators(department, monday))
    statuses = services.week_statuses(department, monday)
    latest = services.week_notes([i.pk for i in indicators], monday)
    errors = errors or {}
    result = []
    for ind in indicators:
        status = statuses.get(ind.pk, "")
        row = NoteRow(ind, status, status in services.LAGGING, latest.get(ind.pk))
        for name in services.NOTE_FIELDS:
            if posted is not None:
                value = posted.get(f"{row.field_prefix}{name}", "")
            else:
                value = getattr(row.latest, name, "") if row.latest else ""
            setattr(row, name, value)
        row.errors = list(errors.get(services.note_key(ind.pk), []))
        result.append(row)
    result.sort(key=lambda row: not row.required)  # stable: display order within each group
    return result


def _notes_from_post(post, department, monday) -> list[services.NoteInput]:
    """The notes typed on the submission form (blank ones left out)."""
    notes = [
        services.NoteInput(
            ind,
            **{
                name: post.get(f"n_{ind.pk}_{name}", "")[: services.NOTE_MAX + 1]
                for name in services.NOTE_FIELDS
            },
        )
        for ind in imports.entry_indicators(department, monday)
    ]
    return [note for note in notes if not note.is_blank]


def _week_page(request, monday, department, *, rejection=None, note_rejection=None, status=200):
    """The week page: the grid (with a refused save's cells and messages) and the
    进展·问题·措施 of the submission form (with a refused submission's texts)."""
    submission = Submission.objects.filter(department=department, week_start=monday).first()
    can_edit = roles.can_edit_department(request.user, department)
    locked = bool(submission and submission.is_locked)
    rows, computed_at, later = build_grid(
        department,
        monday,
        editable=can_edit and not locked,
        posted=request.POST if rejection else None,
        rejection=rejection,
    )
    note_rows = _note_rows(
        department,
        monday,
        posted=request.POST if note_rejection else None,
        errors=note_rejection.errors if note_rejection else None,
    )
    departments = Department.objects.all() if roles.can(request.user, roles.ENTER_ANY) else None
    context = {
        "department": department,
        "departments": departments,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "days": [(d, WEEKDAYS[i]) for i, d in enumerate(week_days(monday))],
        "rows": rows,
        "later": later,
        "cell_count": sum(r.input_count for r in rows),
        "note_rows": note_rows,
        "notes_required": [row for row in note_rows if row.required],
        "notes_optional": [row for row in note_rows if not row.required],
        "note_rejection": note_rejection,
        "note_general_errors": note_rejection.errors.get(ALL, []) if note_rejection else [],
        "note_max": services.NOTE_MAX,
        "week_has_notes": any(row.latest for row in note_rows),
        "as_of": min(monday + timedelta(days=6), clock.today()),
        "computed_at": computed_at,
        "submission": submission,
        "locked": locked,
        "editable": can_edit and not locked and any(r.input_count for r in rows),
        "can_submit": can_edit
        and not locked
        and (
            submission is None or submission.status in (Submission.Status.DRAFT, Submission.Status.RETURNED)
        ),
        "can_review": roles.can(request.user, roles.REVIEW),
        "rejection": rejection,
        "confirm_empty": request.GET.get("confirm_empty") == "1"
        and not services.week_has_entries(department, monday),
        "general_errors": rejection.errors.get(ALL, []) if rejection else [],
        "week_url": _week_url(monday, department, request.user),
        "prev_url": _week_url(monday - timedelta(days=7), department, request.user),
        "next_url": _week_url(monday + timedelta(days=7), department, request.user),
        "dept_query": f"?dept={department.code}" if roles.can(request.user, roles.ENTER_ANY) else "",
        "events": list(submission.events.select_related("user")) if submission else [],
    }
    return render(request, "targets/entry/week.html", context, status=status)


def _is_note_refusal(exc: EntryRejected) -> bool:
    return any(isinstance(key, tuple) and key[0] == "note" for key in exc.errors)


@require_POST
def entry_submit(request, monday: str):
    """Submit the week with its 进展·问题·措施. A lagging indicator without its note (or a
    note too long) brings the page back with the texts posted and a message per
    indicator; nothing is saved. A week without figures comes back to the week page,
    which asks for confirmation (``confirm_empty=on`` posted again submits it); the
    notes posted with it are kept."""
    monday = _monday(monday)
    department = _department(request)
    version = request.POST.get("version", "")
    notes = _notes_from_post(request.POST, department, monday)
    try:
        services.submit_week(
            user=request.user,
            department=department,
            week_start=monday,
            expected_version=int(version) if version.isdigit() else None,
            confirm_empty=request.POST.get("confirm_empty") == "on",
            notes=notes,
        )
    except EntryRejected as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.messages()[0]) from None
        if _is_note_refusal(exc):
            return _week_page(request, monday, department, note_rejection=exc, status=400)
        if exc.code == "empty":
            if notes:  # optional on their own: keep them for the confirmed submission
                try:
                    services.record_progress_notes(
                        user=request.user, department=department, week_start=monday, notes=notes
                    )
                except EntryRejected as refused:
                    return _week_page(request, monday, department, note_rejection=refused, status=400)
            url = _week_url(monday, department, request.user)
            return redirect(f"{url}{'&' if '?' in url else '?'}confirm_empty=1")
        messages.error(request, "；".join(exc.messages()))
    else:
        messages.success(request, _("本周数据已提交，等待审核。"))
    return redirect(_week_url(monday, department, request.user))


@require_safe
def cell_history(request, indicator_id: int, day: str):
    """Every change of one figure: who, when, old → new, why. For the department's
    clerks, managers and officials."""
    indicator = get_object_or_404(Indicator.objects.select_related("department"), pk=indicator_id)
    user = request.user
    if not (roles.can_edit_department(user, indicator.department) or roles.can(user, roles.VIEW_ALL)):
        raise PermissionDenied(_("无权查看该单位的数据。"))
    day = params.path_day(day)
    records = list(
        Entry.history.filter(indicator=indicator, date=day)
        .select_related("history_user")
        .order_by("history_date")
    )
    changes = []
    previous = None
    for record in records:
        new = None if record.history_type == "-" else record.value
        changes.append({"record": record, "old": _fmt(previous), "new": _fmt(new), "deleted": new is None})
        previous = new
    changes.reverse()
    template = "targets/entry/_history.html" if request.GET.get("partial") else "targets/entry/history.html"
    return render(request, template, {"indicator": indicator, "day": day, "changes": changes})


# ---- XLSX template and import


@require_safe
def entry_template(request, monday: str):
    monday = _monday(monday)
    department = _department(request)
    data = imports.build_template(department, monday)
    response = HttpResponse(data, content_type=imports.XLSX_CONTENT_TYPE)
    filename = f"entry-{department.code}-{monday.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def entry_import(request, monday: str):
    """Upload → preview (nothing saved) → confirm. The validated rows wait in the session
    under a one-time token; confirming validates them again."""
    monday = _monday(monday)
    department = _department(request)
    if not roles.can_edit_department(request.user, department):
        raise PermissionDenied(_("无权填报该单位的数据。"))
    context = {"department": department, "monday": monday, "dept_query": _dept_query(request, department)}
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > imports.settings.IMPORT_MAX_BYTES:
                    raise imports.ImportRefused(
                        _("文件超过 %(mb)d MB，请只上传本周的填报表。")
                        % {"mb": imports.settings.IMPORT_MAX_BYTES // (1024 * 1024)}
                    )
                data = upload.read()
                parsed = imports.read_upload(data, department, monday)
                result = imports.preview(
                    user=request.user, department=department, monday=monday, parsed=parsed
                )
            except imports.ImportRefused as exc:
                form.add_error("file", str(exc))
                status = 400
            except EntryRejected as exc:  # pragma: no cover - preview maps these itself
                form.add_error("file", "；".join(exc.messages()))
                status = 400
            else:
                context["preview"] = result
                if result.errors and not result.needs_confirmation:
                    status = 400
                elif result.changes:
                    token = secrets.token_urlsafe(16)
                    request.session[SESSION_IMPORT] = {
                        "token": token,
                        "department": department.pk,
                        "monday": monday.isoformat(),
                        "rows": result.rows,
                        "filename": upload.name[:100],
                    }
                    context["token"] = token
        else:
            status = 400
    else:
        form = ImportForm()
    context["form"] = form
    return render(request, "targets/entry/import.html", context, status=status)


@require_POST
def entry_import_confirm(request, monday: str):
    monday = _monday(monday)
    department = _department(request)
    pending = request.session.get(SESSION_IMPORT)
    token = request.POST.get("token", "")
    if (
        not pending
        or not secrets.compare_digest(pending["token"], token)
        or pending["department"] != department.pk
        or pending["monday"] != monday.isoformat()
    ):
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect(reverse("entry_import", args=[monday.isoformat()]) + _dept_query(request, department))
    del request.session[SESSION_IMPORT]
    try:
        written = services.record_entries(
            user=request.user,
            rows=imports.rows_from_session(pending["rows"]),
            reason=_("XLSX导入：%(name)s") % {"name": pending["filename"]},
            confirm_outliers=request.POST.get("confirm_outliers") == "on",
            source="import",
        )
    except EntryRejected as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.messages()[0]) from None
        messages.error(request, _("导入未保存：") + "；".join(exc.messages()))
        return redirect(reverse("entry_import", args=[monday.isoformat()]) + _dept_query(request, department))
    audit.record(
        "import",
        request=request,
        target=f"{department} {monday}",
        filename=pending["filename"],
        rows=len(pending["rows"]),
    )
    messages.success(request, _("导入完成：%(n)d 个数值已更新。") % {"n": len(pending["rows"])})
    del written
    return redirect(_week_url(monday, department, request.user))


def _dept_query(request, department) -> str:
    return f"?dept={department.code}" if roles.can(request.user, roles.ENTER_ANY) else ""


# ---- approvals (managers)


@require_safe
@reviewers_only
def approvals(request):
    """The managers' queue (submitted weeks, oldest first), recently approved weeks
    (to unlock), and the overdue list (逾期未报)."""
    now = clock.now()
    day = _quarter_day(request)
    quarter = period_of(QUARTER, day)
    history = Prefetch("events", SubmissionEvent.objects.select_related("user"))
    context = {
        "queue": Submission.objects.filter(status=Submission.Status.SUBMITTED)
        .select_related("department", "submitted_by")
        .prefetch_related(history)
        .order_by("week_start", "department__order"),
        "approved": Submission.objects.filter(status=Submission.Status.APPROVED)
        .select_related("department", "reviewed_by")
        .prefetch_related(history)
        .order_by("-reviewed_at")[:20],
        "overdue": timeliness.overdue(now, quarter.start, quarter.end),
        "quarter": quarter,
    }
    return render(request, "targets/entry/approvals.html", context)


def _quarter_day(request) -> date:
    return params.query_day(request, "quarter") or timeliness.reference_day()


RANKING = "ranking"


@require_safe
@reviewers_only
def timeliness_table(request):
    """The on-time ranking over the plan so far (to 通报), and on time / late / missing per
    department for a quarter (?quarter=YYYY-MM-DD). Each table exports on its own:
    ``?_export=xlsx`` the quarter's, ``?table=ranking&_export=xlsx`` the ranking."""
    standing = timeliness.ranking()
    ranking_table = TimelinessRankingTable(standing.standings)
    if request.GET.get("table") == RANKING and exports.TRIGGER_PARAM in request.GET:
        return exports.export_table(
            request,
            ranking_table,
            export_format=request.GET[exports.TRIGGER_PARAM],
            name=_("报送及时率排名"),
            ascii_name="timeliness-ranking",
            day=clock.today(),
        )
    day = _quarter_day(request)
    quarter = period_of(QUARTER, day)
    rows = timeliness.quarter_table(day)
    prev_q = period_of(QUARTER, quarter.start - timedelta(days=1))
    next_q = period_of(QUARTER, quarter.end + timedelta(days=1))
    return exports.table_response(
        request,
        TimelinessTable(rows),
        "targets/entry/timeliness.html",
        {
            "rows": rows,
            "quarter": quarter,
            "prev_q": prev_q,
            "next_q": next_q,
            "labels": timeliness.LABELS,
            "ranking": standing,
            "ranking_table": ranking_table,
            "ranking_query": RANKING,
        },
        name=f"{_('报送及时率')}_{quarter.label}",
        ascii_name=f"timeliness-{quarter.start.isoformat()}",
        day=min(timeliness.reference_day(), quarter.end),
    )


@require_GET
@reviewers_only
def review_week(request, pk: int):
    """The week a manager is about to approve or return: its figures, what moved since
    the department's last approved week, figures far from their usual, the lagging
    indicators with their 进展·问题·措施; then 通过, or 退回 with a reason."""
    submission = get_object_or_404(
        Submission.objects.select_related("department", "submitted_by", "reviewed_by"), pk=pk
    )
    monday = submission.week_start
    days = week_days(monday)
    indicators = list(imports.entry_indicators(submission.department, monday))
    values = rollups.day_values([i.pk for i in indicators], days[0], days[-1]) if indicators else {}
    previous = week_review.last_approved(submission)
    changes = week_review.changes(indicators, submission, values, previous)
    outliers = week_review.outliers(indicators, monday, values)
    flagged = {(o.indicator.pk, o.day): o for o in outliers}
    table = []
    for change in changes:
        by_day = {day.period_start: day.actual for day in values.get(change.indicator.pk, [])}
        cells = [
            {"day": day, "value": _fmt(by_day.get(day)), "outlier": flagged.get((change.indicator.pk, day))}
            for day in days
        ]
        table.append({"change": change, "cells": cells})
    context = {
        "submission": submission,
        "department": submission.department,
        "monday": monday,
        "days": [(d, WEEKDAYS[i]) for i, d in enumerate(days)],
        "as_of": min(submission.week_end, clock.today()),
        "previous": previous,
        "table": table,
        "outliers": outliers,
        "review_factor": week_review.REVIEW_FACTOR,
        "lagging": week_review.lagging(submission),
        "events": list(submission.events.select_related("user")),
        "can_move": submission.status == Submission.Status.SUBMITTED,
        "comment_max": services.COMMENT_MAX,
    }
    return render(request, "targets/entry/review.html", context)


def _review_redirect(request, submission, *, refused: bool = False):
    """Back to the page posted from (``next``), else: a refused approval or return to the
    week's review page (to fix and post again), anything else to the approvals list."""
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    if refused and submission.status == Submission.Status.SUBMITTED:
        return redirect("review_week", submission.pk)
    return redirect("approvals")


# The moves a manager makes from the approvals and week pages: the form each posts and
# the message once done. Who may make them and from which status: ``services.MOVES``.
REVIEW_MOVES = {
    SubmissionEvent.Move.APPROVE: (ReviewForm, gettext_lazy("已审核通过：%(sub)s")),
    SubmissionEvent.Move.RETURN: (ReviewForm, gettext_lazy("已退回：%(sub)s")),
    SubmissionEvent.Move.UNLOCK: (UnlockForm, gettext_lazy("已解锁：%(sub)s")),
}


@require_POST
@reviewers_only
def review(request, pk: int, move: str):
    """Approve, return or unlock a week (``move``). A form that does not validate (a
    comment over 1,000 characters, a bad version) changes nothing and says why."""
    if move not in REVIEW_MOVES:
        raise Http404
    submission = get_object_or_404(Submission, pk=pk)
    form_class, done = REVIEW_MOVES[move]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _review_redirect(request, submission, refused=True)
    try:
        services.move_week(
            user=request.user,
            move=move,
            submission=submission,
            comment=form.move_comment(),
            expected_version=form.cleaned_data.get("version"),
        )
    except EntryRejected as exc:
        messages.error(request, "；".join(exc.messages()))
        submission.refresh_from_db()
        return _review_redirect(request, submission, refused=True)
    messages.success(request, done % {"sub": _sub_label(submission)})
    return _review_redirect(request, submission)


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[name].label}：{error}"
        if name in form.fields and form.fields[name].label
        else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def _sub_label(submission: Submission) -> str:
    return _("%(dept)s %(monday)s 当周") % {"dept": submission.department, "monday": submission.week_start}
