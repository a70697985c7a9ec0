"""Refusing an oversized upload before its body is read.

Django parses a multipart body the first time ``request.POST`` or ``request.FILES`` is
read, and CsrfViewMiddleware reads ``request.POST`` before the view runs: by then a
100 MB body would already sit in a temporary file. So a view taking evidence is
``csrf_exempt`` on the outside and ``csrf_protect`` inside (Django's documented way to
change upload handlers), and before the body is touched:

1. ``Content-Length`` above what the view can accept (``max_files`` ×
   ``EVIDENCE_MAX_BYTES`` plus a margin for the form's fields) is refused at once (413),
   without reading a byte of the body;
2. ``SizeLimitHandler`` goes first among the upload handlers: a file that grows past
   ``EVIDENCE_MAX_BYTES`` while it streams is dropped (never written to memory or disk)
   and named in ``request.evidence_too_large``, for the form to say so."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .files import too_large_message

FORM_MARGIN = 256 * 1024  # room for the form's text fields and the multipart headers


class SizeLimitHandler(FileUploadHandler):
    """Drops a file past ``EVIDENCE_MAX_BYTES`` while it streams in."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_BYTES:
            self.request.evidence_too_large.append(self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def oversized(request, max_files: int) -> str | None:
    """The refusal of a request whose declared body is larger than ``max_files``
    evidence files can be, or None."""
    length = declared_length(request)
    if length > settings.EVIDENCE_MAX_BYTES * max_files + FORM_MARGIN:
        message = too_large_message(length)
        if max_files > 1:
            message += " " + _("一次最多上传 %(n)d 个文件。") % {"n": max_files}
        return message
    return None


def limit(request) -> None:
    """Put ``SizeLimitHandler`` first; call before the body is read."""
    request.evidence_too_large = []
    request.upload_handlers.insert(0, SizeLimitHandler(request))


def accepts_evidence(max_files: int):
    """Decorate a page view that takes evidence files in a POST: refuse an oversized body
    before reading it (413, a page saying why), limit each file while it streams, then
    check CSRF as usual."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                message = oversized(request, max_files)
                if message:
                    response = render(request, "evidence/too_large.html", {"message": message}, status=413)
                    response["Connection"] = "close"  # the unread body is not waited for
                    return response
                limit(request)
            return protected(request, *args, **kwargs)

        return wrapped

    return decorator
