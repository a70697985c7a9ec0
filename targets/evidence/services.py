"""Attaching evidence: the one way an ``Evidence`` row and its files are written."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from targets import audit, clock

from . import registry
from .files import EvidenceRefused, PreparedFile
from .models import Evidence


def _storage():
    return Evidence._meta.get_field("file").storage


def _path(extension: str, suffix: str = "") -> str:
    """A name the app makes: never the uploader's (no traversal, no guessing, no clash)."""
    now = clock.now()
    return f"evidence/{now:%Y/%m}/{secrets.token_hex(16)}{suffix}.{extension}"


def attach_evidence(*, user, owner, prepared: PreparedFile, purpose: str, request=None) -> Evidence:
    """Store ``prepared`` (from ``files.prepare``) as evidence of ``owner`` for
    ``purpose`` (``Evidence.Purpose``): the file and its thumbnail through the default
    storage, one ``Evidence`` row and one audit row. Raises ``EvidenceRefused``
    (``forbidden``) unless the owner's registered rule lets ``user`` attach. If the row
    cannot be written, the stored files are removed again."""
    if purpose not in Evidence.Purpose.values:
        raise EvidenceRefused("invalid", _("未知的材料用途。"))
    if not registry.can_attach(user, owner):
        raise EvidenceRefused("forbidden", _("无权为此添加证明材料。"))
    storage = _storage()
    stored: list[str] = []
    try:
        with transaction.atomic():
            name = storage.save(_path(prepared.extension), ContentFile(prepared.content))
            stored.append(name)
            thumb = ""
            if prepared.thumbnail:
                thumb = storage.save(
                    _path(prepared.thumbnail_extension, "-thumb"), ContentFile(prepared.thumbnail)
                )
                stored.append(thumb)
            evidence = Evidence.objects.create(
                owner=owner,
                file=name,
                thumbnail=thumb,
                original_name=prepared.original_name,
                mime_type=prepared.mime_type,
                size=prepared.size,
                kind=prepared.kind,
                purpose=purpose,
                sha256=prepared.sha256,
                kept_location=prepared.kept_location,
                uploaded_by=user if user.is_authenticated else None,
                uploaded_by_name=user.get_username() if user.is_authenticated else "",
                uploaded_at=clock.now(),
            )
            audit.record(
                "evidence_attach",
                user=user,
                request=request,
                target=f"{owner._meta.label_lower}:{owner.pk}",
                evidence=evidence.pk,
                sha256=evidence.sha256,
                size=evidence.size,
                purpose=purpose,
            )
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise
    return evidence
