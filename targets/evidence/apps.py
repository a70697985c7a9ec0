from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "targets.evidence"
    label = "evidence"
    verbose_name = _("证明材料")
    default_auto_field = "django.db.models.BigAutoField"
