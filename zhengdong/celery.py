"""Celery application. Without CELERY_BROKER_URL every task runs inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengdong.settings")

app = Celery("zhengdong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
