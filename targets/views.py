from django.db.models import Prefetch
from django.shortcuts import render

from .models import Goal, Indicator


def home(request):
    """The goal tree: framework goals, then each briefing section with its work lines and
    each indicator's target and responsible department."""
    indicators = Prefetch("indicators", queryset=Indicator.objects.for_dashboard())
    framework = Goal.objects.filter(level=Goal.Level.FRAMEWORK, parent=None).prefetch_related("children")
    sections = Goal.objects.filter(level=Goal.Level.SECTION).prefetch_related(
        indicators, Prefetch("children", queryset=Goal.objects.prefetch_related(indicators))
    )
    return render(request, "targets/home.html", {"framework": framework, "sections": sections})
