"""Whether the roll-up has caught up with the entries (``RollupStamp``), and the refresh
that keeps count.

A save queues its roll-up once it commits; if the broker is down, or a worker is killed
with the task in hand, that roll-up is late. The stamps make the lateness visible
("数据更新中") and repairable: whichever refresh runs next for an indicator (the next save's,
the catch-up task every few minutes, the nightly job) covers every day saved since the
indicator's roll-up last caught up, not only its own days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from . import rollups
from .models import RollupStamp

PENDING = Q(saved__gt=F("rolled_up"))


@dataclass(frozen=True)
class Pending:
    """Entries saved that no committed roll-up has seen yet."""

    entries: int
    indicators: int

    def __bool__(self) -> bool:
        return self.entries > 0


def note_saved(changed: Mapping[int, Iterable[date]]) -> None:
    """Count a save's changed entries (indicator id → the days changed) into the stamps.
    Call it inside the save's transaction: the count commits with the entries or not at
    all. Two statements whatever the number of indicators; rows are locked in id order,
    as the entries are, so two saves cannot deadlock here."""
    days = {pk: sorted(set(changed[pk])) for pk in sorted(changed) if changed[pk]}
    if not days:
        return
    RollupStamp.objects.bulk_create([RollupStamp(indicator_id=pk) for pk in days], ignore_conflicts=True)
    now = timezone.now()

    def per_indicator(values: dict[int, object], field) -> Case:
        return Case(*(When(indicator_id=pk, then=Value(v)) for pk, v in values.items()), output_field=field)

    first = per_indicator({pk: d[0] for pk, d in days.items()}, RollupStamp._meta.get_field("pending_from"))
    last = per_indicator({pk: d[-1] for pk, d in days.items()}, RollupStamp._meta.get_field("pending_to"))
    count = per_indicator({pk: len(d) for pk, d in days.items()}, RollupStamp._meta.get_field("saved"))
    RollupStamp.objects.filter(indicator_id__in=list(days)).update(
        saved=F("saved") + count,
        saved_at=now,
        # An empty span (caught up) takes the save's days; a pending one widens.
        pending_from=Case(
            When(pending_from__isnull=True, then=first), default=Least(F("pending_from"), first)
        ),
        pending_to=Case(When(pending_to__isnull=True, then=last), default=Greatest(F("pending_to"), last)),
    )


def refresh(
    indicator_ids: list[int] | None = None,
    start: date | None = None,
    end: date | None = None,
    *,
    today: date | None = None,
    full_rebuild: bool = False,
    progress=None,
) -> int:
    """``rollups.refresh`` (or ``rollups.rebuild`` when ``full_rebuild``) of the indicators
    (all when None), widened to every day saved since their roll-up last caught up, and
    the stamps moved on in the same transaction, which commits without waiting for the
    disk (``rollups.commit_lazily``) when it is the roll-up's own. Returns the number of
    rows written."""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            rollups.commit_lazily()
        # Read before the roll-up reads any entry: a save committed after this read is
        # counted in ``saved`` but not in ``taken``, so it stays pending even if the
        # roll-up happened to see it (a needless refresh later, never a missed one).
        stamps = RollupStamp.objects.filter(PENDING)
        if indicator_ids is not None:
            stamps = stamps.filter(indicator_id__in=indicator_ids)
        taken = {pk: (saved, first, last) for pk, saved, first, last in stamps.values_list(
            "indicator_id", "saved", "pending_from", "pending_to"
        )}  # fmt: skip
        if indicator_ids is not None and start is not None and taken:
            start = min([start, *(first for _, first, _ in taken.values() if first)])
            if end is not None:
                end = max([end, *(last for _, _, last in taken.values() if last)])
        when = {"today": today} if today else {}  # default: the roll-up's own today
        if full_rebuild:
            written = rollups.rebuild(progress=progress, **when)
        else:
            written = rollups.refresh(indicator_ids, start, end, **when)
        _caught_up(taken)
    return written


def _caught_up(taken: dict[int, tuple[int, date | None, date | None]]) -> None:
    """The roll-up has seen ``taken`` saves of these indicators: move ``rolled_up`` on
    (never back: a slower, older refresh may commit last) and empty the span where no
    save came in meanwhile."""
    if not taken:
        return
    field = RollupStamp._meta.get_field("rolled_up")
    seen = Case(
        *(When(indicator_id=pk, then=Value(n)) for pk, (n, _, _) in taken.items()), output_field=field
    )
    RollupStamp.objects.filter(indicator_id__in=sorted(taken)).update(
        rolled_up=Greatest(F("rolled_up"), seen),
        pending_from=Case(When(saved=seen, then=Value(None)), default=F("pending_from")),
        pending_to=Case(When(saved=seen, then=Value(None)), default=F("pending_to")),
    )


def pending(indicator_ids: Iterable[int] | None = None) -> Pending:
    """Entries saved and not rolled up yet, of these indicators (all when None). One query."""
    stamps = RollupStamp.objects.filter(PENDING)
    if indicator_ids is not None:
        stamps = stamps.filter(indicator_id__in=list(indicator_ids))
    totals = stamps.aggregate(entries=Sum(F("saved") - F("rolled_up")), indicators=Count("indicator_id"))
    return Pending(entries=int(totals["entries"] or 0), indicators=totals["indicators"])


def overdue(older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Indicators with saves the roll-up has not seen for longer than ``older_than``: their
    own task was lost (or is very late). Ids in order."""
    cutoff = (now or timezone.now()) - older_than
    return list(
        RollupStamp.objects.filter(PENDING, saved_at__lt=cutoff)
        .order_by("indicator_id")
        .values_list("indicator_id", flat=True)
    )
