"""The ceiling the overview is measured against: a bare Django view on the same server,
through the same middleware (session, login), that runs one query and renders a 10-line
template. Mounted only by ``zhengdong.bench_settings``."""

from django.shortcuts import render

from targets.models import Department


def ceiling(request):
    return render(request, "bench/ceiling.html", {"departments": Department.objects.count()})
