from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext

from targets.reporting.exports import TRIGGER_PARAM


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user picked English with the language switcher: the browser's
    Accept-Language is ignored, so every official sees the same Chinese page by default."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ExportRequestMiddleware:
    """``?_export=…`` asks for a file. A page without an export (the overview, a form) would
    answer with its HTML, which a browser then saves as "….xlsx": any successful answer to
    such a request that is not a file download becomes 400 instead. Pages with an export
    answer with the file (``exports.table_response``), or 400 for a format they do not
    offer, or 403 for a reader who may not export."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            TRIGGER_PARAM in request.GET
            and 200 <= response.status_code < 300
            and not response.get("Content-Disposition", "").startswith("attachment")
        ):
            return HttpResponseBadRequest(
                gettext("此页面不提供导出。"), content_type="text/plain; charset=utf-8"
            )
        return response


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user and on
    every API answer: figures, names and tokens must not stay in a shared proxy's or the
    browser's cache (a shared office computer). Static files are served before this
    (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie",))
        return response
