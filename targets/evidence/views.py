"""Serving evidence: only through these views, only to users who may see the owner
(MEDIA_ROOT is never served as such)."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import registry
from .models import Evidence


def _serve(request, pk: int, *, thumbnail: bool):
    evidence = get_object_or_404(Evidence.objects.select_related("owner_type"), pk=pk)
    if not registry.can_view(request.user, evidence.owner):
        raise PermissionDenied(_("无权查看该证明材料。"))
    field = evidence.thumbnail if thumbnail else evidence.file
    if not field:
        raise Http404
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=evidence.mime_type,
        as_attachment=not evidence.is_photo,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing in it may run, even if a browser were talked into rendering it as a page.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def evidence_file(request, pk: int):
    """The file: inline for photos (re-encoded by the app), an attachment for documents."""
    return _serve(request, pk, thumbnail=False)


@require_safe
def evidence_thumb(request, pk: int):
    return _serve(request, pk, thumbnail=True)
