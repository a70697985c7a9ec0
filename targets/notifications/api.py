"""REST API v1 for the inbox: ``GET /api/v1/notifications/`` (the caller's own, newest
first, paginated like every list) and ``POST /api/v1/notifications/{id}/read/``. Someone
else's notification is a 404, as if it did not exist."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from targets.api.common import ID_REGEX, ApiViewMixin

from . import services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "body",
            "link",
            "sections",
            "department",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true：只列未读；false：只列已读。")
    )


@extend_schema_view(
    list=extend_schema(summary=_("我的通知"), parameters=[NotificationFilterSerializer]),
)
class NotificationViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """The caller's inbox: every role reads its own notifications only."""

    serializer_class = NotificationSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user).select_related("department")

    def list(self, request):
        query = NotificationFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        items = self.get_queryset()
        unread = query.validated_data.get("unread")
        if unread is True:
            items = items.filter(read_at__isnull=True)
        elif unread is False:
            items = items.filter(read_at__isnull=False)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    @extend_schema(
        summary=_("标为已读"),
        request=None,
        responses={200: NotificationSerializer},
        description=_("只能标记自己的通知；他人的通知：404。已读的再标一次不变。"),
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)
