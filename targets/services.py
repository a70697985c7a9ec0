"""The one way figures are written: validate a batch of daily values, then save them in
one transaction with history, and move a department's week through
draft → submitted → approved (locked) / returned.

Every write path (week form, XLSX import, API) calls ``record_entries``; nothing else
creates, changes or deletes ``Entry`` rows.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import audit, clock, freshness, periods, roles, rollups
from .models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    Entry,
    Indicator,
    PeriodValue,
    ProgressNote,
    Submission,
    SubmissionEvent,
)
from .notifications import events
from .periods import week_start as monday_of

# A value above OUTLIER_FACTOR × the indicator's recent median (of figures at its cadence)
# needs confirmation.
OUTLIER_FACTOR = Decimal("5")
# "Recent": the last OUTLIER_SAMPLE positive entries before the day, within OUTLIER_DAYS.
OUTLIER_SAMPLE = 28
OUTLIER_DAYS = 90
# Fewer positive entries than this: no median, no outlier check.
OUTLIER_MIN_SAMPLE = 3

ALL = "__all__"

# Plain decimal notation only: no exponent, no NaN/Infinity, no hex. Thousands commas are
# accepted only in proper groups of three ("1,234.5").
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")

SOURCE_LABELS = {"form": "网页填报", "import": "XLSX导入", "api": "API"}


@dataclass
class EntryInput:
    """One cell a client wants written: the indicator's value on one day.

    ``value`` is the raw cell text; ``None`` or ``""`` means the day is left empty
    (an existing entry is deleted). ``note``: ``None`` keeps the stored note (the week
    grid has no note field). ``expected_version`` is the ``Entry.version`` the client
    read, or ``None`` when it saw no entry for that day.
    """

    indicator: Indicator | int
    date: date
    value: str | Decimal | None
    note: str | None = ""
    expected_version: int | None = None


class EntryRejected(Exception):
    """A batch (or a week action) refused as a whole; nothing was written.

    ``code``: ``invalid`` (HTTP 400), ``forbidden`` (403), ``locked`` (409), ``conflict``
    (409), ``confirm`` (values over 5× the recent median need the user's confirmation) or
    ``empty`` (409, submitting a week without figures needs the user's confirmation).
    ``errors``: ``{(indicator_id, date): [messages]}`` plus ``"__all__": [messages]``.
    ``conflicts``: for ``conflict``, the current ``Entry`` rows someone else changed
    since the client read them (to show both values).
    """

    HTTP_STATUS = {
        "invalid": 400,
        "forbidden": 403,
        "locked": 409,
        "conflict": 409,
        "confirm": 409,
        "empty": 409,
    }

    def __init__(self, code: str, errors: dict | None = None, conflicts: list | None = None):
        self.code = code
        self.errors = errors or {}
        self.conflicts = conflicts or []
        first = next((msgs[0] for msgs in self.errors.values() if msgs), code)
        super().__init__(f"{code}: {first}")

    @property
    def http_status(self) -> int:
        return self.HTTP_STATUS.get(self.code, 400)

    def messages(self) -> list[str]:
        """Every message, flat (for a summary line)."""
        return [msg for msgs in self.errors.values() for msg in msgs]


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def parse_value(indicator: Indicator, raw) -> Decimal:
    """The cell text as a Decimal in the indicator's unit, or ValidationError in Chinese.

    Full-width digits and punctuation (``１２．５``, typed with a Chinese input method) are
    normalised to ASCII (NFKC) and accepted; so are surrounding spaces and thousands
    separators in groups of three. Refused: anything that is not plain decimal notation
    (``1e309``, ``NaN``, ``inf``, ``12万``), a negative value when the indicator's minimum is
    0 or more, a value outside [min_value, max_value], more decimal places than
    ``indicator.decimals``, more digits than the database keeps.
    """
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValidationError(_("不是有效数字。"), code="nan")
        value = raw
    else:
        if isinstance(raw, bool) or raw is None:
            raise ValidationError(_("请输入数值。"), code="required")
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
        text = text.replace("−", "-")  # U+2212 minus sign
        if not text:
            raise ValidationError(_("请输入数值。"), code="required")
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise ValidationError(
                _("“%(raw)s”不是数字：请填写阿拉伯数字，如 12 或 3.5。") % {"raw": str(raw)[:20]},
                code="not_a_number",
            )
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above already refuses
            raise ValidationError(_("不是有效数字。"), code="not_a_number") from None

    places = max(0, -value.normalize().as_tuple().exponent)
    allowed = min(indicator.decimals, VALUE_PLACES)
    if places > allowed:
        if allowed == 0:
            msg = _("应为整数，不能有小数。")
        else:
            msg = _("最多保留 %(n)d 位小数。") % {"n": allowed}
        raise ValidationError(msg, code="decimals")
    if abs(value) >= Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES):
        raise ValidationError(_("数值过大。"), code="too_large")

    minimum, maximum = indicator.min_value, indicator.max_value
    if value < 0 and minimum is not None and minimum >= 0:
        raise ValidationError(_("不能为负数。"), code="negative")
    if minimum is not None and value < minimum:
        raise ValidationError(
            _("不能小于 %(min)s%(unit)s。") % {"min": _fmt(minimum), "unit": indicator.unit},
            code="min_value",
        )
    if maximum is not None and value > maximum:
        raise ValidationError(
            _("不能大于 %(max)s%(unit)s。") % {"max": _fmt(maximum), "unit": indicator.unit},
            code="max_value",
        )
    return value.quantize(Decimal(1).scaleb(-VALUE_PLACES))


def recent_medians(indicators: Iterable[Indicator], before: date) -> dict[int, Decimal | None]:
    """Each indicator's recent median, in one query: {id: the median of its last
    OUTLIER_SAMPLE positive figures before ``before`` within OUTLIER_DAYS days, or None with
    fewer than OUTLIER_MIN_SAMPLE}. Only figures on the indicator's report days
    (``takes_figure_on``) count: a weekly figure is compared with weekly ones, not with the
    daily figures saved before its cadence changed."""
    by_id = {indicator.pk: indicator for indicator in indicators}
    if not by_id:
        return {}
    rows = (
        Entry.objects.filter(
            indicator_id__in=list(by_id),
            date__lt=before,
            date__gte=before - timedelta(days=OUTLIER_DAYS),
            value__gt=0,
        )
        .order_by("indicator_id", "-date")
        .values_list("indicator_id", "date", "value")
    )
    recent: dict[int, list[Decimal]] = defaultdict(list)
    for indicator_id, day, value in rows:
        if len(recent[indicator_id]) < OUTLIER_SAMPLE and by_id[indicator_id].takes_figure_on(day):
            recent[indicator_id].append(value)
    return {
        pk: Decimal(statistics.median(Decimal(v) for v in recent[pk]))
        if len(recent[pk]) >= OUTLIER_MIN_SAMPLE
        else None
        for pk in by_id
    }


def recent_median(indicator: Indicator, before: date) -> Decimal | None:
    """``recent_medians`` of one indicator."""
    return recent_medians([indicator], before)[indicator.pk]


@dataclass
class CheckedRow:
    """One row of a batch once parsed and checked: its indicator, day, value (``None``:
    delete the day's entry), note (``None``: keep the stored one), the version the client
    read, and the messages it earned."""

    key: tuple
    indicator: Indicator
    date: date
    value: Decimal | None  # None: delete
    note: str | None
    expected_version: int | None
    errors: list[str] = field(default_factory=list)


@dataclass
class StoredWeeks:
    """What ``compare_with_stored`` found under lock: the department-weeks' submissions
    and the stored entries of the batch's cells, both row-locked until the transaction
    ends."""

    submissions: dict[tuple, Submission]
    entries: dict[tuple, Entry]


def _load_indicators(rows: list[EntryInput]) -> dict[int, Indicator]:
    ids = {r.indicator if isinstance(r.indicator, int) else r.indicator.pk for r in rows}
    return Indicator.objects.select_related("department").in_bulk(ids)


def record_entries(
    *,
    user,
    rows: list[EntryInput],
    reason: str = "",
    confirm_outliers: bool = False,
    source: str = "form",
    dry_run: bool = False,
) -> list[Entry]:
    """Validate every row, then create, update or delete the entries in one transaction.

    Refuses the whole batch (``EntryRejected``, nothing written) when any row is bad:
    an indicator the user may not edit (``forbidden``), a value that does not parse or a
    day outside the indicator's entry window (``invalid``), a day in an approved week
    (``locked``), a version someone else has moved on (``conflict``), a value above 5×
    the recent median without ``confirm_outliers`` (``confirm``).

    Rows whose value and note equal the stored ones are left alone (no new version). A
    draft ``Submission`` is created for each department-week touched. Returns the
    entries written (created or updated; deleted ones are not returned). The roll-up of
    the touched indicators and days is queued once the transaction commits.

    ``dry_run``: validate and write exactly as above, then roll everything back (the
    import preview uses it, so the preview and the real save apply the same rules).

    Three steps, each callable on its own: ``check_rows`` (no lock, no write),
    ``compare_with_stored`` (locks, compares with the stored state) and ``apply_rows``
    (writes, versions, roll-up, audit).
    """
    if not rows:
        return []
    checked = check_rows(user=user, rows=rows)
    with transaction.atomic():
        stored = compare_with_stored(checked, confirm_outliers=confirm_outliers)
        written = apply_rows(checked, stored, user=user, reason=reason, source=source)
        if dry_run:
            transaction.set_rollback(True)
    return written


def check_rows(*, user, rows: list[EntryInput]) -> list[CheckedRow]:
    """Step 1: the checks that need no lock. Each row's indicator exists and is entered
    by hand (not a ratio), appears once, belongs to a department ``user`` may edit, its
    day lies in the indicator's entry window, a figure's day ends a period of the
    indicator's cadence (``Indicator.takes_figure_on``; clearing a figure saved on another
    day before cadences is allowed) and its value parses (``parse_value``).
    Raises ``EntryRejected`` (``forbidden`` before ``invalid``) with every message per
    cell; else returns the rows, parsed."""
    errors: dict = defaultdict(list)
    codes: set[str] = set()
    indicators = _load_indicators(rows)
    checked: list[CheckedRow] = []
    seen: set[tuple] = set()
    for row in rows:
        ind_id = row.indicator if isinstance(row.indicator, int) else row.indicator.pk
        key = (ind_id, row.date)
        indicator = indicators.get(ind_id)
        if indicator is None:
            errors[key].append(_("指标不存在。"))
            codes.add("invalid")
            continue
        if key in seen:
            errors[key].append(_("同一指标同一天出现了两次。"))
            codes.add("invalid")
            continue
        seen.add(key)
        note = None if row.note is None else row.note.strip()[:500]
        item = CheckedRow(key, indicator, row.date, None, note, row.expected_version)
        if not roles.can_edit_department(user, indicator.department):
            item.errors.append(_("无权填报“%(dept)s”的指标。") % {"dept": indicator.department.name})
            codes.add("forbidden")
        if indicator.kind == Indicator.Kind.RATIO:
            item.errors.append(_("比率指标由分子、分母自动计算，不能直接填报。"))
            codes.add("invalid")
        elif indicator.kind == Indicator.Kind.SUM:
            item.errors.append(_("汇总指标由组成指标自动合计，不能直接填报。"))
            codes.add("invalid")
        if not indicator.in_plan(row.date):
            item.errors.append(
                _("%(day)s 不在填报期内（%(start)s 至 %(end)s）。")
                % {"day": row.date.isoformat(), "start": indicator.entry_start, "end": indicator.plan_end}
            )
            codes.add("invalid")
        raw = row.value
        if raw is not None and not (isinstance(raw, str) and not raw.strip()):
            if indicator.in_plan(row.date) and not indicator.takes_figure_on(row.date):
                # Clearing a figure saved on such a day (before cadences) stays allowed.
                item.errors.append(cadence_refusal(indicator, row.date))
                codes.add("invalid")
            try:
                item.value = parse_value(indicator, raw)
            except ValidationError as exc:
                item.errors.extend(exc.messages)
                codes.add("invalid")
        errors[key].extend(item.errors)
        checked.append(item)
    if codes:
        raise EntryRejected(_pick(codes), _clean(errors))
    return checked


def period_end_for(indicator: Indicator, day: date) -> date:
    """The day a figure for the period holding ``day`` is dated on: the period's last
    day, or the plan's last day when the plan ends first."""
    return min(periods.cadence_period(indicator.cadence, day).end, indicator.plan_end)


def cadence_refusal(indicator: Indicator, day: date) -> str:
    """Why a figure cannot be dated on ``day`` (not the last day of a period of the
    indicator's cadence), naming the day it belongs on."""
    return _(
        "%(day)s 不是本指标的填报日：本指标%(cadence)s填报一次，数值记在每期最后一天；"
        "这一期的数值请填在 %(end)s。"
    ) % {
        "day": day.isoformat(),
        "cadence": indicator.get_cadence_display(),
        "end": period_end_for(indicator, day).isoformat(),
    }


def compare_with_stored(checked: list[CheckedRow], *, confirm_outliers: bool = False) -> StoredWeeks:
    """Step 2, inside the caller's transaction: lock the department-weeks (creating
    their draft submissions) and the stored entries of the rows, then compare. A row in
    an approved week is ``locked``; one whose stored version differs from the version
    the client read is a ``conflict`` (the stored entry goes in ``conflicts``); a new
    value above ``OUTLIER_FACTOR`` × the recent median needs ``confirm_outliers``
    (``confirm``). Raises ``EntryRejected`` with every message per cell; else returns
    the locked state for ``apply_rows``."""
    errors: dict = defaultdict(list)
    codes: set[str] = set()
    conflicts: list[Entry] = []
    weeks = {(r.indicator.department_id, monday_of(r.date)) for r in checked}
    submissions = _lock_weeks(weeks)
    locked = {k for k, s in submissions.items() if s.is_locked}
    current = _lock_entries(checked)
    for item in checked:
        entry = current.get(item.key)
        if (item.indicator.department_id, monday_of(item.date)) in locked:
            item.errors.append(_("该周已审核锁定，需管理员解锁后才能修改。"))
            codes.add("locked")
            continue
        stored_version = entry.version if entry else None
        if stored_version != item.expected_version:
            if entry is not None:
                item.errors.append(
                    _("此格已被 %(who)s 修改为 %(value)s，请核对后再保存。")
                    % {"who": _who(entry), "value": _fmt(entry.value)}
                )
                conflicts.append(entry)
            else:
                item.errors.append(_("此格已被他人清空，请核对后再保存。"))
            codes.add("conflict")
            continue
        checks_outlier = item.indicator.kind != Indicator.Kind.MILESTONE and not confirm_outliers
        if item.value is not None and checks_outlier:
            changed = entry is None or entry.value != item.value
            median = recent_median(item.indicator, item.date) if changed else None
            if median and median > 0 and item.value > OUTLIER_FACTOR * median:
                item.errors.append(
                    _("%(value)s 超过近期中位数 %(median)s 的5倍，请确认无误后勾选“确认异常值”。")
                    % {"value": _fmt(item.value), "median": _fmt(median)}
                )
                codes.add("confirm")
    for item in checked:
        if item.errors:
            errors[item.key].extend(item.errors)
    if codes:
        raise EntryRejected(_pick(codes), _clean(errors), conflicts)
    return StoredWeeks(submissions, current)


def apply_rows(
    checked: list[CheckedRow], stored: StoredWeeks, *, user, reason: str = "", source: str = "form"
) -> list[Entry]:
    """Step 3, inside the same transaction as ``compare_with_stored``: create, update or
    delete each row's entry (its history records ``user`` and ``reason``, else the
    source's name), leave rows equal to the stored ones alone, bump the version of each
    touched week's submission, queue the roll-up of the touched indicators and days for
    after the commit and audit the batch. Returns the entries created or updated."""
    current = stored.entries
    # The history's column holds HISTORY_REASON_MAX characters; the audit row keeps it all.
    change_reason = (reason.strip() or SOURCE_LABELS.get(source, source))[:HISTORY_REASON_MAX]
    written: list[Entry] = []
    touched: set[int] = set()
    days: list[date] = []
    changed: dict[int, list[date]] = {}
    touched_weeks: set[tuple] = set()
    week_cells: list[tuple] = []
    for item in checked:
        entry = current.get(item.key)
        if item.value is None:
            if entry is None:
                continue
            entry._change_reason = change_reason
            entry._history_user = user
            entry.delete()
        elif entry is None:
            entry = Entry(
                indicator=item.indicator,
                date=item.date,
                value=item.value,
                note=item.note or "",
                created_by=user,
                updated_by=user,
            )
            entry._change_reason = change_reason
            entry._history_user = user
            entry.save()
            written.append(entry)
        elif entry.value != item.value or (item.note is not None and entry.note != item.note):
            entry.value = item.value
            if item.note is not None:
                entry.note = item.note
            entry.version += 1
            entry.updated_by = user
            entry._change_reason = change_reason
            entry._history_user = user
            entry.save()
            written.append(entry)
        else:
            continue
        touched.add(item.indicator.pk)
        days.append(item.date)
        changed.setdefault(item.indicator.pk, []).append(item.date)
        touched_weeks.add((item.indicator.department_id, monday_of(item.date)))
        week_cells.append((item.indicator.department_id, item.date))

    for key in sorted(touched_weeks):
        sub = stored.submissions[key]
        sub.version += 1
        sub.save(update_fields=["version", "updated_at"])
        if sub.status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED):
            # The managers may have read (or approved) the old figures: tell them.
            cells = sum(1 for dept, day in week_cells if (dept, monday_of(day)) == key)
            events.week_changed(
                submission=sub,
                user=user,
                cells=cells,
                reason=reason.strip(),
                source=SOURCE_LABELS.get(source, source),
            )

    if touched:
        from .tasks import schedule_refresh

        freshness.note_saved(changed)
        schedule_refresh(touched, min(days), max(days))
        audit.record(
            "entries",
            user=user,
            target=",".join(str(i) for i in sorted(touched)),
            source=source,
            changed=len(days),
            start=min(days).isoformat(),
            end=max(days).isoformat(),
            reason=reason.strip(),
        )
    return written


def _pick(codes: set[str]) -> str:
    for code in ("forbidden", "invalid", "locked", "conflict", "confirm"):
        if code in codes:
            return code
    return "invalid"


def _clean(errors: dict) -> dict:
    return {k: v for k, v in errors.items() if v}


def _who(entry: Entry) -> str:
    user = entry.updated_by
    if user is None:
        return _("他人")
    return user.get_full_name() or user.get_username()


def _lock_weeks(weeks: set[tuple]) -> dict[tuple, Submission]:
    """The department-weeks' submissions, created as drafts if missing, row-locked (this
    lock serialises concurrent writers of one week, including new entries)."""
    result = {}
    for dept_id, monday in sorted(weeks):
        sub, _created = Submission.objects.get_or_create(department_id=dept_id, week_start=monday)
        result[(dept_id, monday)] = Submission.objects.select_for_update().get(pk=sub.pk)
    return result


def _lock_entries(parsed: list[CheckedRow]) -> dict[tuple, Entry]:
    if not parsed:
        return {}
    ids = {r.indicator.pk for r in parsed}
    start = min(r.date for r in parsed)
    end = max(r.date for r in parsed)
    wanted = {r.key for r in parsed}
    qs = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(indicator_id__in=ids, date__range=(start, end))
        .order_by("pk")
    )
    return {(e.indicator_id, e.date): e for e in qs if (e.indicator_id, e.date) in wanted}


# ---- The week's life: submit, approve, return, unlock.


def _week_error(message: str, code: str = "invalid") -> EntryRejected:
    return EntryRejected(code, {ALL: [message]})


def _check_version(submission: Submission, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != submission.version:
        raise EntryRejected("conflict", {ALL: [_("该周数据已被他人更新，请刷新页面核对后再操作。")]}, [])


def week_has_entries(department, week_start: date) -> bool:
    """Whether the department has saved at least one figure in the week (Monday ``week_start``)."""
    return Entry.objects.filter(
        indicator__department=department, date__range=(week_start, week_start + timedelta(days=6))
    ).exists()


# Who may make a move: the department's clerks (and managers), or managers only.
DEPARTMENT = "department"
MANAGER = "manager"
# Longest comment or reason a move keeps (the review forms say the same).
COMMENT_MAX = 1000
# django-simple-history's history_change_reason column.
HISTORY_REASON_MAX = 100


@dataclass(frozen=True)
class WeekMove:
    """One allowed move of a week: from which statuses, to which, who may make it, and
    what it asks for and leaves behind."""

    sources: tuple[str, ...]
    target: str
    who: str  # DEPARTMENT or MANAGER
    forbidden: str  # the refusal when the user may not
    comment_required: str = ""  # the refusal of an empty comment, "" when optional
    history_reason: str = ""  # the history's change reason when the comment is empty
    audit_key: str = ""  # the audit detail key the comment goes in, "" for none
    # Refusals by the current status, else a generic "cannot in this status".
    refusals: dict = field(default_factory=dict)


_S = Submission.Status
_M = SubmissionEvent.Move

MOVES: dict[str, WeekMove] = {
    _M.SUBMIT: WeekMove(
        sources=(_S.DRAFT, _S.RETURNED),
        target=_S.SUBMITTED,
        who=DEPARTMENT,
        forbidden=_lazy("无权提交该单位的周报。"),
        history_reason=_lazy("提交"),
        refusals={
            _S.APPROVED: (_lazy("该周已审核锁定。"), "locked"),
            _S.SUBMITTED: (_lazy("该周已提交，等待审核。"), "invalid"),
        },
    ),
    _M.APPROVE: WeekMove(
        sources=(_S.SUBMITTED,),
        target=_S.APPROVED,
        who=MANAGER,
        forbidden=_lazy("只有管理员可以审核周报。"),
        history_reason=_lazy("审核通过"),
        audit_key="comment",
    ),
    _M.RETURN: WeekMove(
        sources=(_S.SUBMITTED,),
        target=_S.RETURNED,
        who=MANAGER,
        forbidden=_lazy("只有管理员可以审核周报。"),
        comment_required=_lazy("退回时请填写意见。"),
        audit_key="comment",
    ),
    _M.UNLOCK: WeekMove(
        sources=(_S.APPROVED,),
        target=_S.DRAFT,
        who=MANAGER,
        forbidden=_lazy("只有管理员可以审核周报。"),
        comment_required=_lazy("解锁时请填写原因。"),
        audit_key="reason",
    ),
}


def may_move(user, move: str, department) -> bool:
    """Whether ``user`` may make ``move`` on a week of ``department`` (not whether the
    week's status allows it)."""
    if MOVES[move].who == MANAGER:
        return roles.can(user, roles.REVIEW)
    return roles.can_edit_department(user, department)


def move_week(
    *,
    user,
    move: str,
    submission: Submission | None = None,
    department=None,
    week_start: date | None = None,
    comment: str = "",
    expected_version: int | None = None,
    confirm_empty: bool = False,
) -> Submission:
    """Move a department's week along ``MOVES`` (submit, approve, return, unlock) and
    keep the move as a ``SubmissionEvent`` with its own comment. The week is given as
    ``submission``, or as ``department`` and ``week_start`` (a Monday; submitting a week
    nobody has saved figures for yet creates its draft).

    Refused as a whole (``EntryRejected``, nothing written): an empty comment where the
    move needs one or one over ``COMMENT_MAX`` characters (``invalid``), a user who may
    not (``forbidden``), a status the move does not start from (``locked`` for an
    approved week being submitted, else ``invalid``), ``expected_version`` (the
    Submission.version the user saw) behind the stored one (``conflict``), a submit of a
    week without a single figure unless ``confirm_empty`` (``empty``: an empty report is
    usually a forgotten one).

    Submitting sets ``submitted_by``/``submitted_at`` (``first_submitted_at`` only the
    first time: timeliness counts from it, a return is the manager's doing); approving
    and returning set ``reviewed_by``/``reviewed_at``; ``Submission.comment`` holds the
    latest review comment (an unlock's as "解锁：reason"), while every move keeps its own
    in the week's events. Each move is audited under its own name."""
    rule = MOVES[move]
    comment = (comment or "").strip()
    if rule.comment_required and not comment:
        raise _week_error(str(rule.comment_required))
    if len(comment) > COMMENT_MAX:
        raise _week_error(_("意见不能超过 %(n)d 个字。") % {"n": COMMENT_MAX})
    if submission is not None:
        department, week_start = submission.department, submission.week_start
    if week_start.weekday() != 0:
        raise _week_error(_("周报必须从周一开始。"))
    if not may_move(user, move, department):
        raise _week_error(str(rule.forbidden), "forbidden")
    with transaction.atomic():
        sub = _lock_weeks({(department.pk, week_start)})[(department.pk, week_start)]
        if sub.status not in rule.sources:
            message, code = rule.refusals.get(
                sub.status,
                (
                    _("该周报当前状态为“%(status)s”，不能执行此操作。")
                    % {"status": sub.get_status_display()},
                    "invalid",
                ),
            )
            raise _week_error(str(message), code)
        _check_version(sub, expected_version)
        if move == _M.SUBMIT:
            # Every lagging indicator carries its 进展·问题·措施 before the week goes up.
            if missing := notes_missing(department, week_start):
                raise EntryRejected("invalid", missing)
            if not confirm_empty and not week_has_entries(department, week_start):
                raise _week_error(_("本周尚未填报任何数据，确认提交空报吗？"), "empty")
        now = clock.now()
        before = sub.status
        sub.status = rule.target
        if move == _M.SUBMIT:
            sub.submitted_by, sub.submitted_at = user, now
            if sub.first_submitted_at is None:
                sub.first_submitted_at = now
        elif move == _M.UNLOCK:
            sub.comment = _("解锁：%(reason)s") % {"reason": comment}
        else:
            sub.comment = comment
            sub.reviewed_by, sub.reviewed_at = user, now
        sub.version += 1
        # The history's reason column holds 100 characters; the whole comment is in the event.
        sub._change_reason = (comment or str(rule.history_reason))[:HISTORY_REASON_MAX]
        sub._history_user = user
        sub.save()
        SubmissionEvent.objects.create(
            submission=sub,
            move=move,
            from_status=before,
            to_status=sub.status,
            user=user,
            at=now,
            comment=comment,
        )
        detail = {rule.audit_key: comment} if rule.audit_key else {}
        audit.record(move, user=user, target=str(sub), submission=sub.pk, **detail)
        if move == _M.RETURN:
            events.week_returned(submission=sub, user=user, reason=comment)
    return sub


def submit_week(
    *,
    user,
    department,
    week_start: date,
    expected_version: int | None = None,
    confirm_empty: bool = False,
    notes: list[NoteInput] | None = None,
) -> Submission:
    """Submit a department's week for approval (``move_week`` ``submit``), with the
    进展·问题·措施 written on the same form (``notes``). The notes and the move are one
    transaction: a week refused (a lagging indicator without its note, a stale version,
    an empty week) keeps none of the notes posted with it."""
    with transaction.atomic():
        if notes:
            record_progress_notes(user=user, department=department, week_start=week_start, notes=notes)
        return move_week(
            user=user,
            move=_M.SUBMIT,
            department=department,
            week_start=week_start,
            expected_version=expected_version,
            confirm_empty=confirm_empty,
        )


def approve_week(
    *, user, submission: Submission, comment: str = "", expected_version: int | None = None
) -> Submission:
    """A manager approves a submitted week; its figures are locked from then on."""
    return move_week(
        user=user, move=_M.APPROVE, submission=submission, comment=comment, expected_version=expected_version
    )


def return_week(
    *, user, submission: Submission, comment: str, expected_version: int | None = None
) -> Submission:
    """A manager sends a submitted week back to the clerks with a comment (required)."""
    return move_week(
        user=user, move=_M.RETURN, submission=submission, comment=comment, expected_version=expected_version
    )


def unlock_week(*, user, submission: Submission, reason: str) -> Submission:
    """A manager unlocks an approved week (reason required); the week goes back to draft
    and must be submitted and approved again."""
    return move_week(user=user, move=_M.UNLOCK, submission=submission, comment=reason)


# ---- 进展·问题·措施: the why behind a week's figures.

# Longest text of one part of a note (进展情况, 存在问题 or 下步措施), in characters.
NOTE_MAX = 1000
NOTE_FIELDS = ("progress", "problems", "measures")
# The parts a lagging indicator's note must have: the reason and what is done about it.
NOTE_REQUIRED = ("problems", "measures")
LAGGING = (PeriodValue.Status.YELLOW, PeriodValue.Status.RED)


def note_key(indicator_id: int) -> tuple:
    """The key of a note's messages in ``EntryRejected.errors``."""
    return ("note", indicator_id)


@dataclass
class NoteInput:
    """What a unit writes about one indicator for a week: 进展情况, 存在问题, 下步措施."""

    indicator: Indicator | int
    progress: str = ""
    problems: str = ""
    measures: str = ""

    @property
    def indicator_id(self) -> int:
        return self.indicator if isinstance(self.indicator, int) else self.indicator.pk

    def cleaned(self) -> dict[str, str]:
        return {name: (getattr(self, name) or "").strip() for name in NOTE_FIELDS}

    @property
    def is_blank(self) -> bool:
        return not any(self.cleaned().values())


def week_statuses(department, week_start: date) -> dict[int, str]:
    """{indicator id: its time-progress status (PeriodValue.Status)} for the department's
    entered indicators that report in the week: judged on the last day in the week (up to
    today) a figure of theirs is due (``Indicator.report_days``), so a monthly figure is
    judged in the week its month ends, against the plan to that day, never against days
    it does not report yet. Indicators of draft plans, those with no report day in the
    week and the computed ones (a ratio, a sum: nobody enters them, nobody could write
    their note) have no status."""
    week_end = week_start + timedelta(days=6)
    last_day = min(week_end, clock.today())
    if last_day < week_start:
        return {}
    indicators = (
        Indicator.objects.filter(department=department, plan_start__lte=last_day, plan_end__gte=week_start)
        .exclude(kind__in=Indicator.COMPUTED_KINDS)
        .exclude(plan__status="draft")
    )
    by_day: dict[date, list[int]] = {}
    for indicator in indicators:
        if due := indicator.report_days(week_start, last_day):
            by_day.setdefault(due[-1], []).append(indicator.pk)
    statuses = {}
    for day, ids in by_day.items():
        days = rollups.day_values(ids, day)
        statuses.update({pk: rows[-1].status for pk, rows in days.items() if rows})
    return statuses


def notes_needed(department, week_start: date) -> dict[int, str]:
    """{indicator id: status} of the indicators that must carry a 进展·问题·措施 for the week:
    those 滞后 or 严重滞后 at its end."""
    return {pk: status for pk, status in week_statuses(department, week_start).items() if status in LAGGING}


def week_notes(indicator_ids, week_start: date) -> dict[int, ProgressNote]:
    """{indicator id: its latest note for the week of ``week_start``} (one query)."""
    found: dict[int, ProgressNote] = {}
    for note in ProgressNote.objects.filter(indicator_id__in=list(indicator_ids), period_start=week_start):
        found.setdefault(note.indicator_id, note)  # ordered latest first
    return found


def _note_complete(note) -> bool:
    return all((getattr(note, name) or "").strip() for name in NOTE_REQUIRED)


def notes_missing(department, week_start: date) -> dict:
    """The messages of the lagging indicators whose note for the week lacks 存在问题 or
    下步措施, keyed by ``note_key`` ({} when every one has its note)."""
    needed = notes_needed(department, week_start)
    if not needed:
        return {}
    notes = week_notes(needed, week_start)
    names = dict(Indicator.objects.filter(pk__in=needed).values_list("pk", "name"))
    missing = {}
    for pk, status in needed.items():
        note = notes.get(pk)
        if note is None or not _note_complete(note):
            missing[note_key(pk)] = [
                _("“%(name)s”%(status)s，请填写存在问题和下步措施后再提交。")
                % {"name": names[pk], "status": PeriodValue.Status(status).label}
            ]
    return missing


def record_progress_notes(
    *, user, department, week_start: date, notes: list[NoteInput]
) -> list[ProgressNote]:
    """Write the 进展·问题·措施 of a department's week: a new row for each indicator whose
    text differs from its latest note for the week (blank ones and unchanged ones are
    left alone), each part at most ``NOTE_MAX`` characters, dated to the week (Monday to
    Sunday) with the indicator's status at the week's end.

    Refused as a whole (``EntryRejected``, nothing written): a user who may not edit the
    department (``forbidden``), an indicator of another department, an approved week
    (``locked``), a text over ``NOTE_MAX`` (``invalid``)."""
    if week_start.weekday() != 0:
        raise _week_error(_("周报必须从周一开始。"))
    if not roles.can_edit_department(user, department):
        raise _week_error(_("无权填报该单位的数据。"), "forbidden")
    indicators = Indicator.objects.in_bulk([n.indicator_id for n in notes])
    errors: dict = defaultdict(list)
    for note in notes:
        indicator = indicators.get(note.indicator_id)
        if indicator is None or indicator.department_id != department.pk:
            errors[note_key(note.indicator_id)].append(_("只能为本单位的指标填写进展·问题·措施。"))
            continue
        if any(len(text) > NOTE_MAX for text in note.cleaned().values()):
            errors[note_key(note.indicator_id)].append(
                _("“%(name)s”的进展·问题·措施每项不能超过 %(n)d 个字。")
                % {"name": indicator.name, "n": NOTE_MAX}
            )
    if errors:
        raise EntryRejected("invalid", dict(errors))
    if all(note.is_blank for note in notes):
        return []
    week_end = week_start + timedelta(days=6)
    written = []
    with transaction.atomic():
        sub = _lock_weeks({(department.pk, week_start)})[(department.pk, week_start)]
        if sub.is_locked:
            raise _week_error(_("该周已审核锁定，需管理员解锁后才能修改。"), "locked")
        posted = [note for note in notes if not note.is_blank]
        current = week_notes([note.indicator_id for note in posted], week_start)
        statuses = week_statuses(department, week_start) if posted else {}
        for note in posted:
            text = note.cleaned()
            latest = current.get(note.indicator_id)
            if latest is not None and all(getattr(latest, name) == text[name] for name in NOTE_FIELDS):
                continue
            written.append(
                ProgressNote.objects.create(
                    indicator_id=note.indicator_id,
                    period_start=week_start,
                    period_end=week_end,
                    status=statuses.get(note.indicator_id, ""),
                    author=user,
                    created_at=clock.now(),
                    **text,
                )
            )
        if written:
            audit.record(
                "notes",
                user=user,
                target=f"{department} {week_start}",
                indicators=[note.indicator_id for note in written],
            )
    return written
