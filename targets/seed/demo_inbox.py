"""The demo's inbox: a few notifications as the product would have sent them by the demo's
day, so the header's count and ``/notifications/`` are not empty on the first visit:

- the demo's returned week, to its unit's clerks with the manager's reason
  (``events.week_returned``);
- a figure changed after its week was submitted, to the managers (``events.week_changed``);
- the deadline checks of the demo's day (``due.run``: weeks overdue, project steps and
  problems due or overdue), to whom they concern.

Sent through the product's own functions, so titles, bodies, links and recipients are
what users would get; each carries a ``dedupe_key`` starting with ``KEY`` (the demo's mark:
``targets.seed.demo.remove`` deletes those) and is dated when it would have been sent."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from targets.models import Submission
from targets.notifications import due, events
from targets.notifications.models import Delivery, Notification
from targets.periods import week_start

from .demo import KEY, _at

# The figures-changed notice: a clerk corrects cells of the current week after sending it.
CHANGED_CELLS = 2
CHANGED_REASON = "核对工作台账后更正两项本周数据"


def _dated(notifications, at) -> int:
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(created_at=at)
    return len(notifications)


@transaction.atomic
def load_inbox(until: date) -> int:
    """Write the demo's notifications as of ``until``; returns how many. They stay in the
    inboxes: no e-mail or group-robot message leaves for them."""
    Notification.objects.filter(dedupe_key__startswith=KEY).delete()
    demo_weeks = Submission.objects.filter(is_demo=True).select_related(
        "department", "reviewed_by", "submitted_by"
    )
    written = 0
    returned = demo_weeks.filter(status=Submission.Status.RETURNED).order_by("-week_start").first()
    if returned is not None:
        sent = events.week_returned(
            submission=returned,
            user=returned.reviewed_by,
            reason=returned.comment,
            dedupe_key=f"{KEY}week_returned:{returned.department.code}:{returned.week_start}",
        )
        written += _dated(sent, returned.reviewed_at)
    changed = (
        demo_weeks.filter(status=Submission.Status.SUBMITTED, week_start=week_start(until))
        .order_by("department__order", "department__code")
        .first()
    )
    if changed is not None:
        sent = events.week_changed(
            submission=changed,
            user=changed.submitted_by,
            cells=CHANGED_CELLS,
            reason=CHANGED_REASON,
            source="网页填报",
            dedupe_key=f"{KEY}week_changed:{changed.department.code}:{changed.week_start}",
        )
        written += _dated(sent, changed.submitted_at + timedelta(hours=5))
    # The daily deadline checks, run on the demo's day at 8:30 as the beat schedule does.
    morning = _at(until, 8) + timedelta(minutes=30)
    due.run(until, morning, key_prefix=f"{KEY}due:")
    written += Notification.objects.filter(dedupe_key__startswith=f"{KEY}due:").update(created_at=morning)
    # Sending waits for the commit; a delivery gone by then is skipped (``tasks.deliver``).
    Delivery.objects.filter(notification__dedupe_key__startswith=KEY).delete()
    return written
