"""``{% problem_card %}``: the problem counts by status and the overdue list, for the
overview, a department's page and a key project's page (the dashboards are in ``targets``,
which never imports ``projects``; their templates load this tag)."""

from django import template
from django.db.models import Count

from projects.models import Problem
from targets import clock

register = template.Library()

OVERDUE_SHOWN = 5


@register.inclusion_tag("projects/problems/_card.html")
def problem_card(department=None, key_project=None):
    """Counts per status and up to five overdue problems (two queries)."""
    problems = Problem.objects.all()
    query = ""
    if department is not None:
        problems = problems.filter(department=department)
        query = f"department={department.pk}&"
    if key_project is not None:
        problems = problems.filter(key_project=key_project)
    counts = dict(problems.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    today = clock.today()
    overdue = list(problems.overdue(today).select_related("department").order_by("due_date", "pk"))
    return {
        "statuses": [(value, label, counts.get(value, 0)) for value, label in Problem.Status.choices],
        "open_count": sum(n for status, n in counts.items() if status != Problem.Status.CLOSED),
        "overdue": overdue[:OVERDUE_SHOWN],
        "overdue_count": len(overdue),
        "query": query,
        "key_project": key_project,
    }
