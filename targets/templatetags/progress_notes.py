"""``{% progress_notes indicators %}``: the 进展·问题·措施 of one or more indicators, the
latest of each first and its earlier ones folded below; for the indicator, department
and key-project pages."""

from django import template

from targets import selectors

register = template.Library()


@register.inclusion_tag("targets/_notes.html")
def progress_notes(indicators, as_of=None, heading=True):
    """``indicators``: an indicator, or several (a queryset or list); one query."""
    if hasattr(indicators, "pk"):
        indicators = [indicators]
    indicators = list(indicators)
    notes = selectors.progress_notes([ind.pk for ind in indicators], as_of)
    items = [
        {"indicator": ind, "latest": notes[ind.pk][0], "history": notes[ind.pk][1:]}
        for ind in indicators
        if ind.pk in notes
    ]
    items.sort(key=lambda item: (item["latest"].period_start, item["latest"].created_at), reverse=True)
    return {"items": items, "heading": heading, "single": len(indicators) == 1}
