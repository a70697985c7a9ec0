"""Dates read from paths and query strings: one parser and one message for every page.

A date must be a real calendar day (YYYY-MM-DD) between ``MIN_DAY`` and ``MAX_DAY``: the
product's plans start in 2021, and days near ``date.max`` would overflow the calendar
maths (a week, a quarter after them). A bad date in a path is a page that does not exist
(404); a bad date in a query string is a bad request (400); both say what is wrong.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

MIN_DAY = date(2000, 1, 1)
MAX_DAY = date(2100, 12, 31)


class BadDate(ValueError):
    """Not a real day in the range the product handles; ``str()`` is the message."""


def parse_day(text: str) -> date:
    """``text`` (YYYY-MM-DD) as a date; BadDate with a message for people otherwise."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not MIN_DAY <= day <= MAX_DAY:
        raise BadDate(
            _("日期“%(text)s”无效：应为 %(min)s 至 %(max)s 之间的真实日期，格式 YYYY-MM-DD。")
            % {"text": text[:20], "min": MIN_DAY.isoformat(), "max": MAX_DAY.isoformat()}
        )
    return day


def path_day(text: str) -> date:
    """A date from the URL path: Http404 with the message when it is not a usable day."""
    try:
        return parse_day(text)
    except BadDate as error:
        raise Http404(str(error)) from None


def query_day(request, name: str) -> date | None:
    """The date in ``?name=`` (None when absent or empty): BadRequest (400) with the
    message when it is not a usable day."""
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_day(text)
    except BadDate as error:
        raise BadRequest(str(error)) from None
