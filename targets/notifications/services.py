"""The one way a notification is sent, read or retried.

``notify`` writes, inside the caller's transaction, one ``Notification`` per recipient
(the inbox: always), one e-mail ``Delivery`` per recipient with an address, and one
``Delivery`` per matching active group robot (``WebhookTarget``: the event's department,
or its audience role); each delivery is queued after the commit (``tasks.deliver``), so
a refused save sends nothing and a request never waits on a mail server or a robot. A
group robot gets each event once, whatever the number of recipients: its delivery hangs
on the first recipient's notification."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from targets import audit, clock, roles

from .models import Delivery, Notification, WebhookTarget

TITLE_MAX = 200


def clerks_of(department):
    """Active clerks of ``department``."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.CLERKS, profile__department=department)
        .distinct()
    )


def managers():
    """Active managers and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=roles.MANAGERS))
        .distinct()
    )


def notify(
    *,
    kind: str,
    recipients: Iterable,
    title: str,
    body: str = "",
    link: str = "",
    department=None,
    audience: str = "",
    dedupe_key: str = "",
    sections: list[dict] | None = None,
) -> list[Notification]:
    """Send one event: an inbox message to each recipient (once per ``dedupe_key`` when
    given: a recipient who already has a notification with that key is skipped), e-mails
    and group-robot posts queued for after the commit. ``audience`` (``Audience``) picks
    the robots of that role; ``department`` the robots of that unit. ``sections``: the
    parts of a notice of several (``Notification.sections``). Returns the notifications
    written."""
    users = {user.pk: user for user in recipients}
    if dedupe_key and users:
        seen = set(
            Notification.objects.filter(dedupe_key=dedupe_key, recipient_id__in=list(users)).values_list(
                "recipient_id", flat=True
            )
        )
        users = {pk: user for pk, user in users.items() if pk not in seen}
    if not users:
        return []
    title = str(title)[:TITLE_MAX]
    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=kind,
                title=title,
                body=str(body),
                link=link,
                sections=sections or [],
                department=department,
                dedupe_key=dedupe_key,
            )
            for _pk, user in sorted(users.items())
        )
        email = Delivery.Channel.EMAIL
        deliveries = [Delivery(notification=n, channel=email) for n in notifications if n.recipient.email]
        scope = Q(role=audience) if audience else Q(pk__in=[])
        if department is not None:
            scope |= Q(department=department)
        for target in WebhookTarget.objects.filter(scope, is_active=True).order_by("pk"):
            deliveries.append(Delivery(notification=notifications[0], channel=target.kind, target=target))
        deliveries = Delivery.objects.bulk_create(deliveries)
        queue([d.pk for d in deliveries])
    return notifications


def queue(delivery_ids: list[int]) -> None:
    """Send each delivery by a Celery task once the transaction commits (inline without a
    broker). A broker that cannot be reached leaves them pending, and logged."""
    if not delivery_ids:
        return
    from .tasks import deliver

    for pk in delivery_ids:
        transaction.on_commit(lambda pk=pk: deliver.delay(pk), robust=True)


def mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``notification_ids`` is
    None). Someone else's ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=clock.now())


def retry_delivery(*, user, delivery: Delivery) -> Delivery:
    """A manager sends a failed delivery again: back to pending, attempts counted anew,
    queued after the commit. Audited."""
    if not roles.can(user, roles.REVIEW):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != Delivery.Status.FAILED:
            return delivery
        delivery.status = Delivery.Status.PENDING
        delivery.attempts = 0
        delivery.save(update_fields=["status", "attempts", "updated_at"])
        audit.record("retry_delivery", user=user, target=str(delivery)[:300], delivery=delivery.pk)
        queue([delivery.pk])
    return delivery
