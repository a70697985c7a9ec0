from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目与专项行动")

    def ready(self):
        from targets.notifications import due

        from . import evidence, notices, signals  # noqa: F401  (signals: links carried to a plan's copy)

        evidence.register()
        due.register(notices.milestones)
        due.register(notices.problems)
        # The reports (in targets, which never imports projects) gain the projects' sections.
        from .reporting import register_sections  # noqa: PLC0415 (models must be loaded first)

        register_sections()
