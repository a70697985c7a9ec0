"""REST API v1 for projects and campaigns: read-only, every role reads all of them
(the same as the project pages)."""

import re

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from projects import selectors as project_selectors
from projects.api.serializers import (
    KEY,
    RECOVERY,
    CampaignSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    ProblemCreateSerializer,
    ProblemDetailSerializer,
    ProblemFilterSerializer,
    ProblemListSerializer,
    ProblemMoveSerializer,
    ProjectDetailSerializer,
    ProjectFilterSerializer,
    ProjectSerializer,
)
from projects.models import KeyProject, Problem, ProblemEvent, RecoveryProject, SafetyCampaign
from projects.services import ProblemRefused, add_problem_evidence, may_act_for, move_problem, raise_problem
from targets import clock, selectors
from targets.api.common import ID_REGEX, ApiError, ApiViewMixin
from targets.evidence import uploads
from targets.evidence.files import EvidenceRefused, prepare, too_large_message

PROJECT_ID = re.compile(rf"^({KEY}|{RECOVERY})-([1-9][0-9]{{0,17}})$")


def key_projects(as_of, queryset=None):
    """Key projects with their figures on ``as_of`` (as the key-project pages read them)."""
    return project_selectors.key_projects(as_of, queryset)


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
        as_of = selectors.resolve_as_of(None)
        if kind in (None, KEY):
            projects += key_projects(as_of)
        if kind in (None, RECOVERY):
            projects += list(recovery_projects())
        page = self.paginate_queryset(projects)
        return self.get_paginated_response(ProjectSerializer(page, many=True, context={"as_of": as_of}).data)

    def retrieve(self, request, pk=None):
        match = PROJECT_ID.match(pk or "")
        if not match:
            raise Http404
        kind, number = match.group(1), int(match.group(2))
        as_of = selectors.resolve_as_of(None)
        if kind == KEY:
            found = key_projects(
                as_of, KeyProject.objects.filter(pk=number).prefetch_related("problems__department")
            )
            project = found[0] if found else None
        else:
            project = recovery_projects().prefetch_related("problems__department").filter(pk=number).first()
        if project is None:
            raise Http404
        return Response(ProjectDetailSerializer(project, context={"as_of": as_of}).data)

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


REFUSAL_STATUS = {
    "forbidden": (403, "permission_denied"),
    "state": (409, "conflict"),
    "invalid": (400, "invalid"),
}


def _refused(exc: ProblemRefused):
    http_status, code = REFUSAL_STATUS[exc.code]
    raise ApiError(http_status, code, exc.message, fields=exc.fields)


def _move_schema(summary):
    return extend_schema(
        summary=summary,
        request=ProblemMoveSerializer,
        responses={200: ProblemDetailSerializer},
        description=_("当前状态不允许该操作：409 conflict；无权操作（非本单位或非管理员）：403。"),
    )


@extend_schema_view(
    list=extend_schema(summary=_("问题清单"), parameters=[ProblemFilterSerializer]),
    retrieve=extend_schema(summary=_("问题详情（含处理记录）")),
    create=extend_schema(
        summary=_("提出问题"),
        request=ProblemCreateSerializer,
        responses={201: ProblemDetailSerializer},
        description=_("填报员只能为本单位提出问题（否则 403）；领导只读。"),
    ),
)
class ProblemViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """The problem list (问题清单): every role reads; the responsible unit's clerks and
    managers raise and work on problems; managers close or return them."""

    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return Problem.objects.for_list().order_by("pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": clock.today()}

    def initialize_request(self, request, *args, **kwargs):
        drf_request = super().initialize_request(request, *args, **kwargs)
        if self.action == "evidence" and request.method == "POST":
            uploads.limit(request)  # before anything (the session's CSRF check) reads the body
        return drf_request

    def initial(self, request, *args, **kwargs):
        if self.action == "evidence" and request.method == "POST":
            # Refused from the declared length, before the body is read (even before the
            # session's CSRF check, which would read it).
            message = uploads.oversized(request, 1)
            if message:
                raise ApiError(413, "too_large", message)
        super().initial(request, *args, **kwargs)

    def get_serializer_class(self):  # read by the schema generator
        return ProblemListSerializer if self.action == "list" else ProblemDetailSerializer

    def list(self, request):
        query = ProblemFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        problems = self.get_queryset()
        filters = query.validated_data
        if filters.get("status"):
            problems = problems.filter(status=filters["status"])
        if filters.get("department"):
            problems = problems.filter(department=filters["department"])
        if filters.get("severity"):
            problems = problems.filter(severity=filters["severity"])
        if filters.get("overdue") is True:
            problems = problems.overdue(clock.today())
        elif filters.get("overdue") is False:
            problems = problems.exclude(pk__in=Problem.objects.overdue(clock.today()).values("pk"))
        page = self.paginate_queryset(problems)
        return self.get_paginated_response(
            ProblemListSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def _detail(self, problem, status_code=status.HTTP_200_OK):
        problem = self.get_queryset().prefetch_related("events").get(pk=problem.pk)
        return Response(
            ProblemDetailSerializer(problem, context=self.get_serializer_context()).data, status=status_code
        )

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    def create(self, request):
        data = ProblemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            problem = raise_problem(user=request.user, request=request, **data.validated_data)
        except ProblemRefused as exc:
            _refused(exc)
        return self._detail(problem, status.HTTP_201_CREATED)

    def _move(self, request, move):
        problem = self.get_object()
        data = ProblemMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            problem = move_problem(
                user=request.user,
                problem=problem,
                move=move,
                comment=data.validated_data["comment"],
                without_evidence=data.validated_data["without_evidence"],
                request=request,
            )
        except ProblemRefused as exc:
            _refused(exc)
        return self._detail(problem)

    @_move_schema(_("开始整改（待整改 → 整改中）"))
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, ProblemEvent.Move.START)

    @_move_schema(_("申请销号（整改中 → 申请销号）"))
    @action(detail=True, methods=["post"], url_path="request-close")
    def request_close(self, request, pk=None):
        return self._move(request, ProblemEvent.Move.REQUEST_CLOSE)

    @_move_schema(_("销号（管理员）"))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, ProblemEvent.Move.CLOSE)

    @_move_schema(_("退回整改（管理员，须填原因）"))
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._move(request, ProblemEvent.Move.RETURN)

    @extend_schema(
        summary=_("上传证明材料（multipart，字段 file）"),
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer},
        description=_(
            "按内容识别类型（不看文件名）：照片重新编码并去除 EXIF（keep_location=true 时保留 GPS），"
            "PDF、xlsx、docx 原样保存；其他类型 400，超过大小上限 413，非本单位或已销号 403/409。"
        ),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        problem = self.get_object()
        if not may_act_for(request.user, problem.department):
            raise ApiError(403, "permission_denied", _("只能为本单位的问题上传材料。"))
        body = request.data  # parsed here, through SizeLimitHandler
        if request._request.evidence_too_large:
            raise ApiError(413, "too_large", too_large_message())
        data = EvidenceUploadSerializer(data=body)
        data.is_valid(raise_exception=True)
        try:
            prepared = prepare(
                data.validated_data["file"], keep_location=data.validated_data["keep_location"]
            )
        except EvidenceRefused as exc:
            status_code = 413 if exc.code == "too_large" else 400
            raise ApiError(
                status_code,
                exc.code if exc.code == "too_large" else "invalid",
                exc.message,
                fields={"file": [exc.message]},
            ) from exc
        try:
            (evidence,) = add_problem_evidence(
                user=request.user,
                problem=problem,
                files=[prepared],
                purpose=data.validated_data["purpose"],
                request=request,
            )
        except ProblemRefused as exc:
            _refused(exc)
        return Response(
            EvidenceSerializer(evidence, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
