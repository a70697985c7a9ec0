"""``{% rollup_pending %}``: the "数据更新中" notice on every page that shows roll-up figures,
when entries were saved that the roll-up has not summarised yet (``targets.freshness``).
One query on a table of one row per indicator."""

from django import template

from targets import freshness

register = template.Library()


@register.inclusion_tag("targets/_pending.html")
def rollup_pending():
    return {"pending": freshness.pending()}
