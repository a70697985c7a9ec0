"""REST API v1 for the measurement core: indicators, their roll-up series, entries and
roll-up refreshes.

Who reads what:
- every endpoint needs a signed-in user (session with CSRF, or ``Authorization: Token …``)
  in a role: official, clerk, manager (or a superuser); an account without a role gets 403;
- indicators, series, projects and campaigns are the dashboard's figures: every role
  reads all of them;
- entries (the raw daily figures): officials and managers read all; a clerk reads only
  their own department's (a list is filtered; another department's entry by id is 403).

Writes go through ``targets.services.record_entries`` (the same service as the weekly
form), with ``source="api"``: the same checks, the same history and the same roll-up
after a successful write. Outliers (above 5× the recent median) are refused with
409 ``confirm`` unless the request carries ``"confirm": true``, as the form asks the user
to tick a box: a script must state that it means an unusual figure.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from targets import clock, periods, roles, rollups, tasks
from targets.api.common import ID_REGEX, ApiViewMixin, raise_for_rejection
from targets.api.filters import EntryFilter, IndicatorFilter, ListFilterBackend
from targets.api.serializers import (
    EntryCreateSerializer,
    EntrySerializer,
    EntryUpdateSerializer,
    IndicatorSerializer,
    RefreshAcceptedSerializer,
    RefreshRequestSerializer,
    RollupStatusSerializer,
    SeriesPointSerializer,
    SeriesQuerySerializer,
)
from targets.models import Entry, Indicator, PeriodValue
from targets.periods import label_zh
from targets.plan import time_progress
from targets.services import EntryInput, EntryRejected, parse_value, record_entries


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def readable_entries(user):
    """The entries ``user`` may read: all for officials and managers, their own
    department's for a clerk, none otherwise."""
    entries = Entry.objects.all()
    if roles.can(user, roles.VIEW_ALL):
        return entries
    department = roles.user_department(user)
    if roles.can(user, roles.ENTER_OWN) and department is not None:
        return entries.filter(indicator__department=department)
    return entries.none()


@extend_schema_view(
    list=extend_schema(summary=_("指标列表")),
    retrieve=extend_schema(summary=_("指标详情")),
)
class IndicatorViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Indicators with their targets, plan period, department and goal."""

    serializer_class = IndicatorSerializer
    lookup_value_regex = ID_REGEX
    queryset = Indicator.objects.select_related("department", "goal")
    filter_backends = [ListFilterBackend]
    filterset_class = IndicatorFilter

    @extend_schema(
        summary=_("指标的汇总序列（日、旬、月、季度、年）"),
        parameters=[SeriesQuerySerializer],
        responses=SeriesPointSerializer(many=True),
    )
    @action(detail=True, pagination_class=None)
    def series(self, request, pk=None):
        """The indicator's roll-up rows (``PeriodValue``; days through
        ``rollups.day_values``) of one period type that overlap [start, end], oldest
        first. ``time_progress`` is the share of the plan's days elapsed at the period's
        end, or today for the current period; ``planned`` and ``cumulative_planned`` are
        null for an indicator without a target (the pages show —)."""
        indicator = self.get_object()
        query = _query(SeriesQuerySerializer, request)
        today = clock.today()
        if query["period"] == periods.DAY:  # not stored: read from the entries, plan and 旬 rows
            first = max(query.get("start", indicator.plan_start), indicator.plan_start)
            last = min(query.get("end", indicator.plan_end), indicator.plan_end)
            rows = rollups.day_values([indicator.pk], first, last, today=today).get(indicator.pk, [])
        else:
            rows = PeriodValue.objects.filter(indicator=indicator, period_type=query["period"])
            if "start" in query:
                rows = rows.filter(period_end__gte=query["start"])
            if "end" in query:
                rows = rows.filter(period_start__lte=query["end"])
            rows = rows.order_by("period_start")
        planned = indicator.has_plan  # else its rows' plan of 0 means "no target", not zero
        points = [
            {
                "period_start": row.period_start,
                "period_end": row.period_end,
                "label": label_zh(row.period_type, row.period_start),
                "actual": row.actual,
                "cumulative_actual": row.cumulative_actual,
                "planned": row.planned if planned else None,
                "cumulative_planned": row.cumulative_planned if planned else None,
                "time_progress": time_progress(
                    indicator.plan_start, indicator.plan_end, min(row.period_end, today)
                ),
                "status": row.status,
                "computed_at": row.computed_at,
            }
            for row in rows
        ]
        return Response(SeriesPointSerializer(points, many=True).data)


def _invalid_fields(row: EntryInput, indicator: Indicator, messages: list[str]) -> dict[str, list[str]]:
    """Which request field each of the service's messages is about (one row)."""
    value_messages: list[str] = []
    if row.value is not None:
        try:
            parse_value(indicator, row.value)
        except Exception as exc:  # django ValidationError: the very messages the service gave
            value_messages = list(getattr(exc, "messages", []))
    fields: dict[str, list[str]] = {}
    rest = [m for m in messages if m not in value_messages]
    if len(rest) < len(messages):
        fields["value"] = [m for m in messages if m in value_messages]
    if rest and indicator.is_computed:
        fields["indicator"] = [rest.pop(0)]
    if rest and not indicator.takes_figure_on(row.date):  # outside the plan, or not a report day
        fields["date"] = rest
    elif rest:
        fields["non_field_errors"] = rest
    return fields


def _write(request, row: EntryInput, indicator: Indicator, data: dict) -> Entry:
    """Save one entry through the service; its refusal becomes the API's error."""
    try:
        record_entries(
            user=request.user,
            rows=[row],
            reason=data.get("reason", ""),
            confirm_outliers=data.get("confirm", False),
            source="api",
        )
    except EntryRejected as exc:
        messages = exc.messages()
        if exc.code == "invalid":
            raise_for_rejection(exc, fields=_invalid_fields(row, indicator, messages))
        if exc.code == "confirm":
            raise_for_rejection(exc, fields={"value": messages})
        if exc.code == "conflict":
            entry = EntrySerializer(exc.conflicts[0]).data if exc.conflicts else None
            raise_for_rejection(exc, entry=entry)
        raise_for_rejection(exc)
    return Entry.objects.get(indicator=indicator, date=row.date)


@extend_schema_view(
    list=extend_schema(summary=_("填报数据列表")),
    retrieve=extend_schema(summary=_("一条填报数据")),
    create=extend_schema(
        summary=_("新增一条填报数据"),
        request=EntryCreateSerializer,
        responses={201: EntrySerializer},
        description=_(
            "同一指标同一天已有数据：409 conflict，error.entry 为已存储的数据（含 id 与 version），"
            "请改用 PATCH。他单位指标 403；该周已审核锁定 409 locked；数值或日期有误 400。"
        ),
    ),
    partial_update=extend_schema(
        summary=_("修改一条填报数据"),
        request=EntryUpdateSerializer,
        responses={200: EntrySerializer},
        description=_("必须带读取时的 version：与当前不一致为 409 conflict，error.entry 为当前数据。"),
    ),
)
class EntryViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Daily figures: one value per indicator per day, with a version for safe edits."""

    serializer_class = EntrySerializer
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    filter_backends = [ListFilterBackend]
    filterset_class = EntryFilter

    def get_queryset(self):
        return readable_entries(self.request.user).order_by("indicator_id", "date")

    def get_object(self):
        entry = get_object_or_404(Entry.objects.select_related("indicator__department"), pk=self.kwargs["pk"])
        if not readable_entries(self.request.user).filter(pk=entry.pk).exists():
            raise PermissionDenied(_("不能查看其他单位的填报数据。"))
        return entry

    def create(self, request, *args, **kwargs):
        serializer = EntryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        indicator = data["indicator"]
        row = EntryInput(indicator=indicator, date=data["date"], value=data["value"], note=data["note"])
        entry = _write(request, row, indicator, data)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = EntryUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = EntryInput(
            indicator=entry.indicator,
            date=entry.date,
            value=data.get("value", entry.value),
            note=data.get("note", entry.note),
            expected_version=data["version"],
        )
        entry = _write(request, row, entry.indicator, data)
        return Response(EntrySerializer(entry).data)


class RollupRefreshView(ApiViewMixin, APIView):
    @extend_schema(
        summary=_("重新计算汇总"),
        request=RefreshRequestSerializer,
        responses={202: OpenApiResponse(RefreshAcceptedSerializer, description=_("已排队。"))},
        description=_("管理员可重算任意指标（不传 indicators 为全部）；填报员只能重算本单位的指标。"),
    )
    def post(self, request):
        serializer = RefreshRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wanted = set(data.get("indicators") or [])
        existing = set(Indicator.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - existing:
            missing = ", ".join(str(pk) for pk in sorted(wanted - existing))
            raise ValidationError({"indicators": [_("指标不存在：%(ids)s") % {"ids": missing}]})
        user = request.user
        if roles.can(user, roles.ENTER_ANY):
            allowed = None
        elif roles.can(user, roles.ENTER_OWN) and roles.user_department(user) is not None:
            allowed = set(
                Indicator.objects.filter(department=roles.user_department(user)).values_list("pk", flat=True)
            )
        else:
            raise PermissionDenied(_("只有管理员和填报员可以重算汇总。"))
        if allowed is not None and not wanted <= allowed:
            raise PermissionDenied(_("填报员只能重算本单位的指标。"))
        if not wanted:
            wanted = allowed if allowed is not None else set(Indicator.objects.values_list("pk", flat=True))
        ids = sorted(wanted)
        if ids:
            # A requested recomputation is a repair: every row from ``start`` on is read from
            # the entries again. (A save's own refresh passes its last changed day too, and
            # the rows after it are shifted by the change instead, ``rollups._window``.)
            tasks.schedule_refresh(ids, data.get("start"))
        body = {"status": "queued", "indicators": ids, "start": data.get("start"), "end": data.get("end")}
        return Response(RefreshAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class RollupStatusView(ApiViewMixin, APIView):
    @extend_schema(summary=_("汇总计算时间"), responses=RollupStatusSerializer)
    def get(self, request):
        return Response(RollupStatusSerializer({"computed_at": rollups.latest_computed_at()}).data)


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other path under /api/v1/: 404 in the one error shape (after authentication,
    so it tells an anonymous caller nothing about which paths exist)."""

    def get(self, request, *args, **kwargs):
        raise NotFound()

    post = put = patch = delete = head = options = get
