"""The inbox (``Notification``), the outside deliveries (``Delivery``) and the group robots
they go to (``WebhookTarget``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from targets import clock


class Kind(models.TextChoices):
    """What happened. Each kind has its recipients, chosen by the code that sends it."""

    WEEK_RETURNED = "week_returned", _("周报退回")
    WEEK_CHANGED = "week_changed", _("已提交周报被修改")
    WEEK_DUE = "week_due", _("周报即将到期")
    WEEK_OVERDUE = "week_overdue", _("周报逾期未报")
    MILESTONE_DUE = "milestone_due", _("项目节点即将到期")
    MILESTONE_OVERDUE = "milestone_overdue", _("项目节点逾期")
    PROBLEM_DUE = "problem_due", _("问题整改即将到期")
    PROBLEM_OVERDUE = "problem_overdue", _("问题整改逾期")
    REPORT_PUBLISHED = "report_published", _("报告已发布")
    # A unit's (or the managers') deadlines of the day in one notice, in sections: its
    # weeks, milestones, problems (``due.run``). A day with one section keeps its kind.
    DAILY = "daily", _("每日提醒")


class Audience(models.TextChoices):
    """Whom an event is for, as a group robot sees it (``WebhookTarget.role``)."""

    CLERKS = "clerks", _("填报员")
    MANAGERS = "managers", _("管理员")
    OFFICIALS = "officials", _("领导")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's own inbox, newest first."""
        return self.filter(recipient=user).order_by("-created_at", "-pk")

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in one user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    department = models.ForeignKey(
        "targets.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    # Deadline notices carry a key naming the thing and the day ("week_overdue:3:2021-11-19"):
    # the daily check never tells one user the same thing twice on one day.
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)
    # The daily notice of several deadlines: [{"kind", "heading", "body", "link"}, …], each
    # part with its own page to open; empty for every other notification (``parts``).
    sections = models.JSONField(_("分项"), default=list, blank=True)
    # The product's clock (the demo's fixed day in the demo), like the weeks' moves.
    created_at = models.DateTimeField(_("时间"), default=clock.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notifications_notification_once_per_key",
            )
        ]
        indexes = [
            # The header's unread count on every page: WHERE recipient_id = ? AND read_at IS NULL.
            models.Index(fields=["recipient", "read_at"], name="notifications_unread"),
            # The inbox: WHERE recipient_id = ? ORDER BY created_at DESC.
            models.Index(fields=["recipient", "-created_at"], name="notifications_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def parts(self) -> list[dict]:
        """What the message says, part by part, as the inbox, e-mail and group robots show
        it: a daily notice's sections (each a heading, its items and its link), or the
        notification's own body and link as one part without a heading."""
        if self.sections:
            return self.sections
        return [{"kind": self.kind, "heading": "", "body": self.body, "link": self.link}]

    def part_link(self, index) -> str:
        """The link of part ``index`` (from a form: any text); the notification's own link
        when there is no such part."""
        try:
            return self.parts[int(index)].get("link", "") or self.link
        except (TypeError, ValueError, IndexError):
            return self.link


class WebhookTarget(models.Model):
    """A 企业微信 or 钉钉 group robot: the messages for a department, or for a role, are
    posted to it."""

    class Type(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Type.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉机器人“加签”的密钥（SEC 开头）；企业微信留空。"),
    )
    department = models.ForeignKey(
        "targets.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
        help_text=_("发送与该单位有关的消息。"),
    )
    role = models.CharField(
        _("角色"),
        max_length=20,
        choices=Audience.choices,
        blank=True,
        help_text=_("发送给该角色的消息（如管理员群）。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | ~Q(role=""),
                name="notifications_webhook_has_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    @property
    def masked_secret(self) -> str:
        """The secret as the admin shows it: its first 5 characters, then dots."""
        return f"{self.secret[:5]}••••••" if self.secret else ""


class Delivery(models.Model):
    """One notification through one outside channel: an e-mail to its recipient, or a
    post to a group robot. Sent by ``tasks.deliver`` after the commit; a failure is
    retried with backoff, then kept as ``failed`` for the managers."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通知")
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    target = models.ForeignKey(
        WebhookTarget,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("群机器人"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        indexes = [
            # The managers' failed list and /healthz's counts: WHERE status = 'failed'.
            models.Index(fields=["status", "-updated_at"], name="notifications_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.notification}"
