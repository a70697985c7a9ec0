"""Append-only audit trail."""

from .models import AuditEvent


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(action: str, *, user=None, request=None, target: str = "", **detail) -> AuditEvent:
    """Write one audit row: ``action`` is a short verb such as ``login``, ``approve``,
    ``unlock``, ``export``, ``import``."""
    if user is None and request is not None:
        user = request.user
    authenticated = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else detail.pop("username", "")),
        action=action,
        target=str(target)[:300],
        detail=detail,
        ip=client_ip(request),
    )
