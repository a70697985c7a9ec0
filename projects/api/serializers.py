"""REST API representations of key projects, recovery projects and safety campaigns.

Key projects and recovery projects are listed by one endpoint; a project's ``id`` is its
kind and number (``key-3``, ``recovery-12``), so one id names one project whatever its kind.
Fields that belong to the other kind are null."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.evidence import may_view_problem
from projects.models import (
    KeyProject,
    Milestone,
    Problem,
    ProblemEvent,
    ProgressNote,
    RecoveryProject,
    SafetyCampaign,
)
from targets.evidence.models import Evidence
from targets.models import VALUE_DIGITS, VALUE_PLACES, Department, Indicator, PeriodValue

KEY = "key"
RECOVERY = "recovery"
KINDS = ((KEY, _("重点项目")), (RECOVERY, _("灾后重建项目")))


def decimal_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, coerce_to_string=True, read_only=True, **kwargs
    )


def project_id(project) -> str:
    return f"{KEY if isinstance(project, KeyProject) else RECOVERY}-{project.pk}"


class ProgressSerializer(serializers.ModelSerializer):
    """The physical progress (形象进度) of a key project on a day."""

    class Meta:
        model = ProgressNote
        fields = ["date", "text"]


class ProjectSerializer(serializers.Serializer):
    """A key project (重点项目) or a recovery project (灾后重建项目)."""

    id = serializers.SerializerMethodField(help_text=_("key-<n> 或 recovery-<n>。"))
    kind = serializers.SerializerMethodField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    department = serializers.CharField(source="department.code", help_text=_("责任单位代码。"))
    status = serializers.SerializerMethodField(
        help_text=_(
            "重点项目：阶段 planning/preparing/building/completed/in_use（由已完成节点得出，同 stage）；"
            "灾后重建：planned/in_progress/done。"
        )
    )
    indicators = serializers.SerializerMethodField(help_text=_("衡量该项目的指标 id。"))
    # Key projects only.
    level = serializers.SerializerMethodField()
    batch = serializers.SerializerMethodField()
    core_block = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField(
        help_text=_("阶段（谋划→前期→在建→建成→投用），由截至当天已完成的节点与手续得出。")
    )
    light = serializers.SerializerMethodField(
        help_text=_("项目自身进度：green 同步/超前、yellow 滞后、red 严重滞后、none 无从判断。")
    )
    as_of = serializers.SerializerMethodField(help_text=_("以下完成数的截至日期（今天）。"))
    total_investment = decimal_field(allow_null=True, required=False, help_text=_("总投资（亿元）。"))
    annual_planned_investment = decimal_field(
        allow_null=True, required=False, help_text=_("年度计划投资（亿元）。")
    )
    quarter_target_investment = decimal_field(
        allow_null=True, required=False, help_text=_("本季度目标投资（亿元）。")
    )
    investment_indicator = serializers.SerializerMethodField(help_text=_("项目完成投资指标的 id。"))
    investment_done = decimal_field(
        allow_null=True, required=False, help_text=_("本年累计完成投资（亿元）。")
    )
    investment_percent = decimal_field(
        allow_null=True, required=False, help_text=_("完成率：累计完成 ÷ 年度计划，%。")
    )
    time_percent = decimal_field(allow_null=True, required=False, help_text=_("时间进度，%。"))
    quarter_done = decimal_field(allow_null=True, required=False, help_text=_("本季度完成投资（亿元）。"))
    progress = serializers.SerializerMethodField(help_text=_("最新形象进度（日期、内容）。"))
    planned_start = serializers.SerializerMethodField(help_text=_("开工节点的计划日期。"))
    actual_start = serializers.SerializerMethodField(help_text=_("开工节点的实际日期。"))
    planned_completion = serializers.SerializerMethodField(help_text=_("建成节点的计划日期。"))
    actual_completion = serializers.SerializerMethodField(help_text=_("建成节点的实际日期。"))
    # Recovery projects only.
    field = serializers.SerializerMethodField()
    planned_count = serializers.IntegerField(allow_null=True, required=False)
    investment = decimal_field(allow_null=True, required=False, help_text=_("投资（亿元）。"))
    due_date = serializers.DateField(allow_null=True, required=False)

    def get_id(self, project) -> str:
        return project_id(project)

    def get_indicators(self, project) -> list[int]:
        return [indicator.pk for indicator in project.indicators.all()]

    @extend_schema_field(serializers.ChoiceField(choices=KINDS))
    def get_kind(self, project) -> str:
        return KEY if isinstance(project, KeyProject) else RECOVERY

    def get_level(self, project) -> str | None:
        return project.level or None if isinstance(project, KeyProject) else None

    def get_batch(self, project) -> str | None:
        return project.batch or None if isinstance(project, KeyProject) else None

    def get_core_block(self, project) -> str | None:
        block = getattr(project, "core_block", None)
        return block.code if block else None

    def _key(self, project) -> bool:
        return isinstance(project, KeyProject)

    def get_status(self, project) -> str:
        return project.stage_code if self._key(project) else project.status

    @extend_schema_field(serializers.ChoiceField(choices=KeyProject.Stage.choices, allow_null=True))
    def get_stage(self, project) -> str | None:
        return project.stage_code if self._key(project) else None

    @extend_schema_field(serializers.ChoiceField(choices=PeriodValue.Status.choices, allow_null=True))
    def get_light(self, project) -> str | None:
        return str(project.light) if self._key(project) else None

    def get_as_of(self, project) -> date | None:
        return self.context.get("as_of") if self._key(project) else None

    def get_investment_indicator(self, project) -> int | None:
        return project.investment_indicator_id if self._key(project) else None

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, project):
        note = getattr(project, "latest_progress", None) if self._key(project) else None
        return ProgressSerializer(note).data if note else None

    def _milestone_date(self, project, kind: str, planned: bool) -> date | None:
        if not self._key(project):
            return None
        for m in project.milestone_views:
            if m.kind == kind:
                return m.planned if planned else (m.actual if m.reached else None)
        return None

    def get_planned_start(self, project) -> date | None:
        return self._milestone_date(project, Milestone.Kind.START, True)

    def get_actual_start(self, project) -> date | None:
        return self._milestone_date(project, Milestone.Kind.START, False)

    def get_planned_completion(self, project) -> date | None:
        return self._milestone_date(project, Milestone.Kind.COMPLETE, True)

    def get_actual_completion(self, project) -> date | None:
        return self._milestone_date(project, Milestone.Kind.COMPLETE, False)

    def get_field(self, project) -> str | None:
        recovery_field = getattr(project, "field", None) if isinstance(project, RecoveryProject) else None
        return recovery_field.code if recovery_field else None

    def to_representation(self, project):
        data = super().to_representation(project)
        for name in KEY_ONLY | RECOVERY_ONLY:  # the other kind's fields: present, null
            data.setdefault(name, None)
        return data


KEY_ONLY = {
    "level",
    "batch",
    "core_block",
    "stage",
    "light",
    "as_of",
    "total_investment",
    "annual_planned_investment",
    "quarter_target_investment",
    "investment_indicator",
    "investment_done",
    "investment_percent",
    "time_percent",
    "quarter_done",
    "progress",
    "planned_start",
    "actual_start",
    "planned_completion",
    "actual_completion",
}
RECOVERY_ONLY = {"field", "planned_count", "investment", "due_date"}


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "kind", "name", "planned_date", "actual_date", "note", "indicator"]


class ProblemSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "department",
            "severity",
            "raised_on",
            "due_date",
            "closed_on",
            "status",
            "key_project",
            "indicator",
            "campaign",
        ]


class ProjectDetailSerializer(ProjectSerializer):
    """A project with its milestones (key projects; empty for recovery) and problems."""

    milestones = serializers.SerializerMethodField(
        help_text=_("节点与前期手续（签约、立项审批、用地手续、规划许可、施工许可、开工、建成、投用）。")
    )
    progress_history = serializers.SerializerMethodField(help_text=_("形象进度，最新在前。"))
    problems = ProblemSerializer(many=True, read_only=True)

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, project):
        if not isinstance(project, KeyProject):
            return []
        return MilestoneSerializer(project.milestones.all(), many=True).data

    @extend_schema_field(ProgressSerializer(many=True))
    def get_progress_history(self, project):
        if not isinstance(project, KeyProject):
            return []
        return ProgressSerializer(project.notes_to_date, many=True).data


class ProjectFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=KINDS, required=False, help_text=_("不传：两类都列出，重点项目在前。")
    )


class CampaignSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SafetyCampaign
        fields = ["id", "code", "name", "name_en", "kind", "department", "deadline", "indicators"]
        read_only_fields = fields


# ---- the problem list (问题清单): /api/v1/problems/


class ProblemListSerializer(ProblemSerializer):
    overdue = serializers.SerializerMethodField(help_text=_("已过整改时限且未销号。"))

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "overdue"]

    def get_overdue(self, problem) -> bool:
        return problem.is_overdue(self.context["today"])


class ProblemEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ProblemEvent
        fields = ["move", "from_status", "to_status", "comment", "actor", "at"]


class EvidenceSerializer(serializers.ModelSerializer):
    """One evidence file: ``url`` and ``thumbnail_url`` need the same login and are
    refused (403) to users who may not see the problem's files."""

    name = serializers.CharField(source="original_name")
    uploaded_by = serializers.CharField(source="uploaded_by_name")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "purpose",
            "name",
            "mime_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "url",
            "thumbnail_url",
        ]

    def _absolute(self, path: str) -> str | None:
        if not path:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, evidence) -> str:
        return self._absolute(evidence.get_absolute_url())

    def get_thumbnail_url(self, evidence) -> str | None:
        return self._absolute(evidence.thumbnail_url())


class ProblemDetailSerializer(ProblemListSerializer):
    """A problem with its history (one row per move, oldest first) and its evidence files
    (empty for a user who may not see them: another unit's clerk)."""

    history = ProblemEventSerializer(source="events", many=True, read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta(ProblemListSerializer.Meta):
        fields = [*ProblemListSerializer.Meta.fields, "history", "evidence"]

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, problem):
        request = self.context.get("request")
        if request is None or not may_view_problem(request.user, problem):
            return []
        return EvidenceSerializer(Evidence.objects.for_owner(problem), many=True, context=self.context).data


class EvidenceUploadSerializer(serializers.Serializer):
    """A multipart upload: one file, checked by its content."""

    file = serializers.FileField(
        help_text=_("照片（JPEG、PNG、WebP、GIF，重新编码并去除 EXIF）或 PDF、xlsx、docx，每个不超过 10 MB。")
    )
    purpose = serializers.ChoiceField(
        choices=Evidence.Purpose.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("不传：待整改时为问题照片，之后为整改证明。"),
    )
    keep_location = serializers.BooleanField(
        required=False, default=False, help_text=_("true：保留照片的 GPS 拍摄位置（默认去除）。")
    )


class ProblemFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Problem.Status.choices, required=False)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, help_text=_("责任单位代码。")
    )
    severity = serializers.ChoiceField(choices=Problem.Severity.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text=_("true：只列逾期问题。")
    )


class ProblemCreateSerializer(serializers.Serializer):
    """A new problem (待整改): one of key_project, indicator, campaign is required."""

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    owner = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), help_text=_("责任单位代码。")
    )
    severity = serializers.ChoiceField(choices=Problem.Severity.choices, default=Problem.Severity.GENERAL)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    key_project = serializers.PrimaryKeyRelatedField(
        queryset=KeyProject.objects.all(), required=False, allow_null=True, default=None
    )
    indicator = serializers.PrimaryKeyRelatedField(
        queryset=Indicator.objects.all(), required=False, allow_null=True, default=None
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=SafetyCampaign.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        if not (attrs.get("key_project") or attrs.get("indicator") or attrs.get("campaign")):
            raise serializers.ValidationError(_("请选择问题所属的项目、指标或专项行动。"))
        return attrs


class ProblemMoveSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text=_("申请销号、退回时必填。")
    )
    without_evidence = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "申请销号：问题还没有整改证明时须先上传（evidence/），或传 true 并在 comment 中说明原因。"
        ),
    )
