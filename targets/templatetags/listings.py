"""Template filters of the listing tables (``templates/tables/listing.html``)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.utils import AttributeDict

register = template.Library()

PARITY = {"even", "odd"}


@register.filter
def html_attrs(attrs) -> str:
    """A tag's attributes as django-tables2 computes them, with a leading space, or nothing:
    ``<td class="num" data-label="检查">``, ``<tr>``. The even/odd classes django-tables2
    puts on every row are left out: the site's tables do not stripe rows by class."""
    attrs = AttributeDict(attrs)
    classes = [c for c in (attrs.get("class") or "").split() if c not in PARITY]
    if classes:
        attrs["class"] = " ".join(classes)
    else:
        attrs.pop("class", None)
    return format_html(" {}", attrs.as_html()) if attrs else mark_safe("")
