"""One evidence file (证明材料) and the thing it belongs to (any registered model)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EvidenceQuerySet(models.QuerySet):
    def for_owner(self, owner):
        """The evidence of one owner (a problem, a milestone …), oldest first."""
        return self.filter(
            owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
        ).select_related("uploaded_by")


class Evidence(models.Model):
    """A photo or a document attached to an owner. The file is stored under a name the app
    makes (``evidence/<year>/<month>/<random>.<ext>``), never the uploader's; the
    uploader's name is kept only to label the download. Written by
    ``targets.evidence.services.attach_evidence`` only."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文件")

    class Purpose(models.TextChoices):
        PROBLEM_PHOTO = "problem_photo", _("问题照片")
        RECTIFICATION = "rectification", _("整改证明")
        CLOSE = "close", _("销号证明")
        PROGRESS = "progress", _("进度照片")
        MILESTONE = "milestone", _("节点证明")

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("所属类型"))
    owner_id = models.PositiveBigIntegerField(_("所属编号"))
    owner = GenericForeignKey("owner_type", "owner_id")
    file = models.FileField(_("文件"), max_length=300)
    thumbnail = models.FileField(_("缩略图"), max_length=300, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    mime_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    kind = models.CharField(_("种类"), max_length=20, choices=Kind.choices)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kept_location = models.BooleanField(_("保留拍摄位置"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_by_name = models.CharField(_("上传人"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        indexes = [
            # A problem's or milestone's page and API: WHERE owner_type = … AND owner_id = ….
            models.Index(fields=["owner_type", "owner_id"], name="evidence_owner"),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def get_absolute_url(self) -> str:
        return reverse("evidence:file", args=[self.pk])

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO

    def thumbnail_url(self) -> str:
        return reverse("evidence:thumb", args=[self.pk]) if self.thumbnail else ""
