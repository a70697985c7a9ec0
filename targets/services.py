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
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, freshness, roles
from .models import VALUE_DIGITS, VALUE_PLACES, Entry, Indicator, Submission
from .periods import week_start as monday_of

# A value above OUTLIER_FACTOR × the indicator's recent daily median needs confirmation.
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


def recent_median(indicator_id: int, before: date) -> Decimal | None:
    """The median of the indicator's last positive daily figures before ``before``
    (at most OUTLIER_SAMPLE within OUTLIER_DAYS days), or None with too few of them."""
    values = list(
        Entry.objects.filter(
            indicator_id=indicator_id,
            date__lt=before,
            date__gte=before - timedelta(days=OUTLIER_DAYS),
            value__gt=0,
        )
        .order_by("-date")
        .values_list("value", flat=True)[:OUTLIER_SAMPLE]
    )
    if len(values) < OUTLIER_MIN_SAMPLE:
        return None
    return Decimal(statistics.median(Decimal(v) for v in values))


@dataclass
class _Row:
    key: tuple
    indicator: Indicator
    date: date
    value: Decimal | None  # None: delete
    note: str | None
    expected_version: int | None
    errors: list[str] = field(default_factory=list)


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
    the recent daily median without ``confirm_outliers`` (``confirm``).

    Rows whose value and note equal the stored ones are left alone (no new version). A
    draft ``Submission`` is created for each department-week touched. Returns the
    entries written (created or updated; deleted ones are not returned). The roll-up of
    the touched indicators and days is queued once the transaction commits.

    ``dry_run``: validate and write exactly as above, then roll everything back (the
    import preview uses it, so the preview and the real save apply the same rules).
    """
    errors: dict = defaultdict(list)
    codes: set[str] = set()
    if not rows:
        return []
    indicators = _load_indicators(rows)

    # 1. Checks that need no lock: the indicator, the user's department, the day, the value.
    parsed: list[_Row] = []
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
        item = _Row(key, indicator, row.date, None, note, row.expected_version)
        if not roles.can_edit_department(user, indicator.department):
            item.errors.append(_("无权填报“%(dept)s”的指标。") % {"dept": indicator.department.name})
            codes.add("forbidden")
        if indicator.kind == Indicator.Kind.RATIO:
            item.errors.append(_("比率指标由分子、分母自动计算，不能直接填报。"))
            codes.add("invalid")
        if not indicator.in_plan(row.date):
            item.errors.append(
                _("%(day)s 不在填报期内（%(start)s 至 %(end)s）。")
                % {"day": row.date.isoformat(), "start": indicator.entry_start, "end": indicator.plan_end}
            )
            codes.add("invalid")
        raw = row.value
        if raw is not None and not (isinstance(raw, str) and not raw.strip()):
            try:
                item.value = parse_value(indicator, raw)
            except ValidationError as exc:
                item.errors.extend(exc.messages)
                codes.add("invalid")
        errors[key].extend(item.errors)
        parsed.append(item)

    if codes:
        raise EntryRejected(_pick(codes), _clean(errors))

    # 2. Checks against the stored state, under lock, then the writes.
    weeks = {(r.indicator.department_id, monday_of(r.date)) for r in parsed}
    conflicts: list[Entry] = []
    written: list[Entry] = []
    with transaction.atomic():
        submissions = _lock_weeks(weeks)
        locked = {k for k, s in submissions.items() if s.is_locked}
        current = _lock_entries(parsed)
        for item in parsed:
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
                median = recent_median(item.indicator.pk, item.date) if changed else None
                if median and median > 0 and item.value > OUTLIER_FACTOR * median:
                    item.errors.append(
                        _("%(value)s 超过近期日中位数 %(median)s 的5倍，请确认无误后勾选“确认异常值”。")
                        % {"value": _fmt(item.value), "median": _fmt(median)}
                    )
                    codes.add("confirm")
        for item in parsed:
            if item.errors:
                errors[item.key].extend(item.errors)
        if codes:
            raise EntryRejected(_pick(codes), _clean(errors), conflicts)

        change_reason = reason.strip() or SOURCE_LABELS.get(source, source)
        touched: set[int] = set()
        days: list[date] = []
        changed: dict[int, list[date]] = {}
        touched_weeks: set[tuple] = set()
        for item in parsed:
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

        for key in touched_weeks:
            sub = submissions[key]
            sub.version += 1
            sub.save(update_fields=["version", "updated_at"])

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
        if dry_run:
            transaction.set_rollback(True)
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


def _lock_entries(parsed: list[_Row]) -> dict[tuple, Entry]:
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


def submit_week(
    *,
    user,
    department,
    week_start: date,
    expected_version: int | None = None,
    confirm_empty: bool = False,
) -> Submission:
    """Submit a department's week (Monday ``week_start``) for approval. Clerks of the
    department and managers may; an approved week cannot be submitted again;
    ``expected_version`` (the Submission.version the user saw) guards against
    submitting figures changed since.

    A week without a single figure is refused (``EntryRejected`` code ``empty``, nothing
    saved) unless ``confirm_empty``: an empty report is usually a forgotten one.

    ``first_submitted_at`` is set on the first submission only and kept through returns
    and resubmissions: timeliness counts from it (a return is the manager's doing)."""
    if week_start.weekday() != 0:
        raise _week_error(_("周报必须从周一开始。"))
    if not roles.can_edit_department(user, department):
        raise _week_error(_("无权提交该单位的周报。"), "forbidden")
    with transaction.atomic():
        sub = _lock_weeks({(department.pk, week_start)})[(department.pk, week_start)]
        if sub.is_locked:
            raise _week_error(_("该周已审核锁定。"), "locked")
        if sub.status == Submission.Status.SUBMITTED:
            raise _week_error(_("该周已提交，等待审核。"))
        _check_version(sub, expected_version)
        if not confirm_empty and not week_has_entries(department, week_start):
            raise _week_error(_("本周尚未填报任何数据，确认提交空报吗？"), "empty")
        sub.status = Submission.Status.SUBMITTED
        sub.submitted_by = user
        sub.submitted_at = timezone.now()
        if sub.first_submitted_at is None:
            sub.first_submitted_at = sub.submitted_at
        sub.version += 1
        sub._change_reason = _("提交")
        sub._history_user = user
        sub.save()
        audit.record("submit", user=user, target=str(sub), submission=sub.pk)
    return sub


def _review(user, submission: Submission, *, allowed: tuple, expected_version=None) -> Submission:
    if not roles.is_manager(user):
        raise _week_error(_("只有管理员可以审核周报。"), "forbidden")
    sub = Submission.objects.select_for_update().get(pk=submission.pk)
    if sub.status not in allowed:
        raise _week_error(
            _("该周报当前状态为“%(status)s”，不能执行此操作。") % {"status": sub.get_status_display()}
        )
    _check_version(sub, expected_version)
    return sub


def approve_week(
    *, user, submission: Submission, comment: str = "", expected_version: int | None = None
) -> Submission:
    """A manager approves a submitted week; its figures are locked from then on."""
    with transaction.atomic():
        sub = _review(
            user, submission, allowed=(Submission.Status.SUBMITTED,), expected_version=expected_version
        )
        sub.status = Submission.Status.APPROVED
        sub.comment = comment.strip()
        sub.reviewed_by = user
        sub.reviewed_at = timezone.now()
        sub.version += 1
        sub._change_reason = comment.strip() or _("审核通过")
        sub._history_user = user
        sub.save()
        audit.record("approve", user=user, target=str(sub), submission=sub.pk, comment=sub.comment)
    return sub


def return_week(
    *, user, submission: Submission, comment: str, expected_version: int | None = None
) -> Submission:
    """A manager sends a submitted week back to the clerks with a comment (required)."""
    if not (comment or "").strip():
        raise _week_error(_("退回时请填写意见。"))
    with transaction.atomic():
        sub = _review(
            user, submission, allowed=(Submission.Status.SUBMITTED,), expected_version=expected_version
        )
        sub.status = Submission.Status.RETURNED
        sub.comment = comment.strip()
        sub.reviewed_by = user
        sub.reviewed_at = timezone.now()
        sub.version += 1
        sub._change_reason = comment.strip()
        sub._history_user = user
        sub.save()
        audit.record("return", user=user, target=str(sub), submission=sub.pk, comment=sub.comment)
    return sub


def unlock_week(*, user, submission: Submission, reason: str) -> Submission:
    """A manager unlocks an approved week (reason required, kept in its history); the week
    goes back to draft and must be submitted and approved again."""
    if not (reason or "").strip():
        raise _week_error(_("解锁时请填写原因。"))
    with transaction.atomic():
        sub = _review(user, submission, allowed=(Submission.Status.APPROVED,))
        sub.status = Submission.Status.DRAFT
        sub.comment = _("解锁：%(reason)s") % {"reason": reason.strip()}
        sub.version += 1
        sub._change_reason = reason.strip()
        sub._history_user = user
        sub.save()
        audit.record("unlock", user=user, target=str(sub), submission=sub.pk, reason=reason.strip())
    return sub
