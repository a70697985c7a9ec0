"""Pagination, throttling and JSON parsing of the REST API. Kept apart from the views: DRF imports
these classes from its settings while it defines its own views."""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, parsers
from rest_framework.authentication import TokenAuthentication
from rest_framework.throttling import SimpleRateThrottle


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(_("请求体过大：最多 %(mb)d MB。") % {"mb": limit // (1024 * 1024)})


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with Django's request body limit (DRF reads a JSON body as a
    stream, past ``DATA_UPLOAD_MAX_MEMORY_SIZE``), and JSON nested too deep for Python's
    parser (thousands of ``[``) answered as a parse error rather than a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 解析错误：嵌套层次过深。")) from None


class Pagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (default 50, at most 500)."""

    page_size_query_param = "page_size"
    max_page_size = 500


class TokenRateThrottle(SimpleRateThrottle):
    """Throttles requests authenticated by an API token (scripts), per user; browser
    sessions are not throttled. Rate from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]``,
    read on each request so a deployment (or a test) can change it."""

    scope = "token"

    def __init__(self):
        pass  # the rate is read per request in allow_request

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
