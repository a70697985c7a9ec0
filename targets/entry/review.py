"""What a manager reads before approving a week (the review page): the week's figures,
what moved since the department's last approved week, figures far from an indicator's
usual, and the lagging indicators with their 进展·问题·措施."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from targets import rollups, services
from targets.models import Indicator, PeriodValue, ProgressNote, Submission
from targets.periods import week_days

# A day's figure is an outlier when it is at least REVIEW_FACTOR × the indicator's recent
# median (``services.recent_medians``: its last positive figures on its report days before
# the week), or, for a stock (存量, which should not collapse overnight), at most the
# median ÷ REVIEW_FACTOR.
REVIEW_FACTOR = Decimal("3")


def text(value: Decimal | None, *, signed: bool = False) -> str:
    """A figure as entered (1.5, not 1.5000); "—" for none; ``signed``: +0.45 / -2."""
    if value is None:
        return "—"
    shown = f"{value.normalize():f}"
    return f"+{shown}" if signed and value > 0 else shown


def outlier_reason(indicator: Indicator, value: Decimal | None, median: Decimal | None) -> str:
    """Why ``value`` is far from the indicator's usual (``""`` when it is not)."""
    if value is None or not median or median <= 0 or indicator.kind == Indicator.Kind.MILESTONE:
        return ""
    if value >= REVIEW_FACTOR * median:
        return "high"
    if indicator.kind == Indicator.Kind.LEVEL and value <= median / REVIEW_FACTOR:
        return "low"
    return ""


@dataclass
class Outlier:
    indicator: Indicator
    day: date
    value: Decimal
    median: Decimal
    direction: str  # "high" or "low"

    @property
    def ratio(self) -> Decimal:
        return self.value / self.median

    @property
    def value_text(self) -> str:
        return text(self.value)

    @property
    def median_text(self) -> str:
        return text(self.median.quantize(Decimal("0.0001")))


@dataclass
class Change:
    """One indicator this week against the department's last approved week."""

    indicator: Indicator
    this_week: Decimal | None
    last_week: Decimal | None
    status: str = ""
    last_status: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.this_week is None or self.last_week is None:
            return None
        return self.this_week - self.last_week

    @property
    def this_text(self) -> str:
        return text(self.this_week)

    @property
    def last_text(self) -> str:
        return text(self.last_week)

    @property
    def difference_text(self) -> str:
        return text(self.difference, signed=True)

    @property
    def status_label(self) -> str:
        return PeriodValue.Status(self.status).label if self.status else "—"

    @property
    def last_status_label(self) -> str:
        return PeriodValue.Status(self.last_status).label if self.last_status else "—"

    @property
    def status_moved(self) -> bool:
        return bool(self.last_status) and self.status != self.last_status


@dataclass
class Lagging:
    indicator: Indicator
    status: str
    note: ProgressNote | None
    history: list[ProgressNote] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return PeriodValue.Status(self.status).label


def week_total(indicator: Indicator, days) -> Decimal | None:
    """An amount's week adds up its days; a stock's is its latest day's value."""
    actuals = [day.actual for day in days if day.actual is not None]
    if not actuals:
        return None
    if indicator.kind == Indicator.Kind.AMOUNT:
        return sum(actuals, Decimal(0))
    return actuals[-1]


def last_approved(submission: Submission) -> Submission | None:
    """The department's latest approved week before this one."""
    return (
        Submission.objects.filter(
            department_id=submission.department_id,
            status=Submission.Status.APPROVED,
            week_start__lt=submission.week_start,
        )
        .order_by("-week_start")
        .first()
    )


def outliers(indicators: list[Indicator], monday: date, days: dict) -> list[Outlier]:
    """The week's figures far from each indicator's usual (``outlier_reason``). The
    medians come from one query, whatever the number of indicators."""
    with_figures = [
        ind
        for ind in indicators
        if ind.kind != Indicator.Kind.MILESTONE
        and any(day.actual is not None for day in days.get(ind.pk, []))
    ]
    medians = services.recent_medians(with_figures, monday)
    found = []
    for ind in indicators:
        for day in days.get(ind.pk, []):
            if day.actual is None or ind.kind == Indicator.Kind.MILESTONE:
                continue
            median = medians[ind.pk] or Decimal(0)
            direction = outlier_reason(ind, day.actual, median)
            if direction:
                found.append(Outlier(ind, day.period_start, day.actual, median, direction))
    return found


def changes(indicators: list[Indicator], submission: Submission, days: dict, previous: Submission | None):
    """Each indicator's week total and status now and in the last approved week."""
    monday = submission.week_start
    statuses = services.week_statuses(submission.department, monday)
    before, before_status = {}, {}
    if previous is not None:
        before = rollups.day_values(
            [i.pk for i in indicators], previous.week_start, previous.week_start + timedelta(days=6)
        )
        before_status = services.week_statuses(submission.department, previous.week_start)
    return [
        Change(
            ind,
            week_total(ind, days.get(ind.pk, [])),
            week_total(ind, before.get(ind.pk, [])) if previous else None,
            statuses.get(ind.pk, ""),
            before_status.get(ind.pk, ""),
        )
        for ind in indicators
    ]


def lagging(submission: Submission) -> list[Lagging]:
    """The indicators behind time progress at the week's end, with this week's note
    (latest) and the earlier versions of it."""
    needed = services.notes_needed(submission.department, submission.week_start)
    indicators = Indicator.objects.in_bulk(list(needed))
    notes: dict[int, list[ProgressNote]] = {}
    for note in ProgressNote.objects.filter(
        indicator_id__in=list(needed), period_start=submission.week_start
    ).select_related("author"):
        notes.setdefault(note.indicator_id, []).append(note)
    ordered = sorted(needed, key=lambda pk: (indicators[pk].order, indicators[pk].code))
    return [
        Lagging(indicators[pk], needed[pk], (notes.get(pk) or [None])[0], (notes.get(pk) or [])[1:])
        for pk in ordered
    ]


def week_days_of(submission: Submission) -> list[date]:
    return week_days(submission.week_start)
