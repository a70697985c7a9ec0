from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目与专项行动")

    def ready(self):
        from targets.notifications import due

        from . import notices

        due.register(notices.milestones)
        due.register(notices.problems)
