"""REST API v1 for projects and campaigns: read-only, every role reads all of them
(the same as the project pages)."""

import re

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from projects.api.serializers import (
    KEY,
    RECOVERY,
    CampaignSerializer,
    ProjectDetailSerializer,
    ProjectFilterSerializer,
    ProjectSerializer,
)
from projects.models import KeyProject, RecoveryProject, SafetyCampaign
from targets.api.common import ID_REGEX, ApiViewMixin

PROJECT_ID = re.compile(rf"^({KEY}|{RECOVERY})-([1-9][0-9]{{0,17}})$")


def key_projects():
    return KeyProject.objects.select_related("department", "core_block").prefetch_related("indicators")


def recovery_projects():
    return RecoveryProject.objects.select_related("department", "field").prefetch_related("indicators")


@extend_schema_view(
    list=extend_schema(summary=_("项目列表（重点项目、灾后重建项目）"), parameters=[ProjectFilterSerializer]),
    retrieve=extend_schema(
        summary=_("项目详情（含节点和问题清单）"),
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("key-<n> 或 recovery-<n>")
            )
        ],
    ),
)
class ProjectViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Key projects (重点项目) and post-flood recovery projects (灾后重建项目)."""

    lookup_value_regex = "[^/]+"

    def list(self, request):
        query = ProjectFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind = query.validated_data.get("kind")
        projects = []
        if kind in (None, KEY):
            projects += list(key_projects())
        if kind in (None, RECOVERY):
            projects += list(recovery_projects())
        page = self.paginate_queryset(projects)
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        match = PROJECT_ID.match(pk or "")
        if not match:
            raise Http404
        kind, number = match.group(1), int(match.group(2))
        if kind == KEY:
            project = (
                key_projects()
                .prefetch_related("milestones", "problems__department")
                .filter(pk=number)
                .first()
            )
        else:
            project = recovery_projects().prefetch_related("problems__department").filter(pk=number).first()
        if project is None:
            raise Http404
        return Response(ProjectDetailSerializer(project).data)

    def get_serializer_class(self):  # read by the schema generator
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer


@extend_schema_view(
    list=extend_schema(summary=_("安全专项行动列表")), retrieve=extend_schema(summary=_("安全专项行动"))
)
class CampaignViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Safety campaigns: special rectification (专项整治) and sweep inspection (拉网式排查整治)."""

    serializer_class = CampaignSerializer
    lookup_value_regex = ID_REGEX
    queryset = SafetyCampaign.objects.select_related("department").prefetch_related("indicators")
