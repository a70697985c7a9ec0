"""The inbox (every signed-in user) and, for managers, the deliveries that failed."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from targets import roles

from . import services
from .models import Delivery, Notification

PAGE_SIZE = 30
FAILED_SHOWN = 50

manager_only = roles.capability_required(roles.REVIEW, _lazy("只有管理员可以重新发送。"))


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first (``?unread=1``: unread only), 30 a page;
    managers also see the deliveries that failed for good, each with a retry button."""
    only_unread = request.GET.get("unread") == "1"
    items = Notification.objects.for_user(request.user)
    if only_unread:
        items = items.unread()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    failed = None
    if roles.can(request.user, roles.REVIEW):
        failed = list(
            Delivery.objects.filter(status=Delivery.Status.FAILED)
            .select_related("notification__recipient", "target")
            .order_by("-updated_at", "-pk")[:FAILED_SHOWN]
        )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "only_unread": only_unread, "failed": failed},
    )


def _back(request: HttpRequest):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notifications:inbox")


@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read (someone else's: 404), then go to its
    link when asked (``open=1``; ``part=N``: the link of a daily notice's section N),
    else back."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    link = notification.part_link(request.POST.get("part", 0))
    if request.POST.get("open") == "1" and url_has_allowed_host_and_scheme(link, {request.get_host()}):
        return redirect(link)
    return _back(request)


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(user=request.user)
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
    return _back(request)


@require_POST
@manager_only
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    if delivery.status != Delivery.Status.FAILED:
        messages.info(request, _("该记录不是发送失败状态，无需重发。"))
        return redirect("notifications:inbox")
    services.retry_delivery(user=request.user, delivery=delivery)
    delivery.refresh_from_db()
    if delivery.status == Delivery.Status.SENT:
        messages.success(request, _("已重新发送。"))
    elif delivery.status == Delivery.Status.FAILED:
        messages.error(request, _("重新发送仍然失败：%(error)s") % {"error": delivery.last_error})
    else:
        messages.success(request, _("已重新排队发送。"))
    return redirect("notifications:inbox")
