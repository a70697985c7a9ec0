"""Error pages that say what went wrong: the message of a 400 (a bad date in the query
string) or a 404 (a date or object that does not exist), in the site's layout."""

from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.template import loader
from django.utils.translation import gettext as _


def _message(exception, default: str) -> str:
    message = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(message, str) or not message or "matches the given query" in message:
        return default  # a URL that matched nothing, or Django's English "No … matches"
    return message


def bad_request(request, exception=None):
    template = loader.get_template("400.html")
    message = _message(exception, _("请求有误。"))
    return HttpResponseBadRequest(template.render({"message": message}, request))


def page_not_found(request, exception=None):
    template = loader.get_template("404.html")
    message = _message(exception, _("页面不存在。"))
    return HttpResponseNotFound(template.render({"message": message}, request))
