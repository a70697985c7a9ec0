from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("目标任务")

    def ready(self):
        from . import clock, signals  # noqa: F401  (clock: its deploy check; signals: audit of logins)
