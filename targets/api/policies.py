"""Pagination and throttling of the REST API. Kept apart from the views: DRF imports
these classes from its settings while it defines its own views."""

from django.conf import settings
from rest_framework import pagination
from rest_framework.authentication import TokenAuthentication
from rest_framework.throttling import SimpleRateThrottle


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
