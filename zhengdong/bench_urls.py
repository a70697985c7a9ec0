"""The product's URLs plus the benchmark's ceiling view (bench server only)."""

from django.urls import include, path

from targets.bench import ceiling

urlpatterns = [
    path("bench/ceiling/", ceiling.ceiling, name="bench_ceiling"),
    path("", include("zhengdong.urls")),
]
