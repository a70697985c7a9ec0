import os, time
os.environ["DJANGO_SETTINGS_MODULE"] = "targets.bench.settings"
os.environ.setdefault("DEBUG", "false"); os.environ.setdefault("SECRET_KEY", "x"*50)
os.environ["SECURE_SSL_REDIRECT"]="false"; os.environ["ALLOWED_HOSTS"]="testserver"; os.environ["BENCH_STATIC_ROOT"]="/tmp/zd-dash-static"
import django; django.setup()
from django.test import Client
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
c = Client(); c.force_login(User.objects.get(username="bench-official"))
for url in ["/bench/ceiling/", "/"]:
    c.get(url)
    t = time.perf_counter(); n=20
    for _ in range(n): r = c.get(url)
    print(url, r.status_code, (time.perf_counter()-t)/n*1000, "ms")
    with CaptureQueriesContext(connection) as q:
        c.get(url)
    for x in q.captured_queries: print("  ", x["time"], x["sql"][:120])
