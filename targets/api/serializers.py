"""REST API representations of indicators, their roll-up series and entries.

Decimals are strings (``"12.5000"``), dates ISO 8601, departments and goals by code."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from targets.api.common import MAX_ID
from targets.models import VALUE_DIGITS, VALUE_PLACES, Entry, Indicator, PeriodValue
from targets.periods import PERIOD_TYPES


def decimal_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, coerce_to_string=True, **kwargs
    )


class IndicatorSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    goal = serializers.SlugRelatedField(slug_field="code", read_only=True)
    target_value = decimal_field(read_only=True, allow_null=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "unit",
            "kind",
            "target_value",
            "target_op",
            "plan_start",
            "plan_end",
            "department",
            "goal",
        ]
        read_only_fields = fields


class SeriesQuerySerializer(serializers.Serializer):
    """Query parameters of an indicator's series."""

    period = serializers.ChoiceField(choices=PERIOD_TYPES, default="month", help_text=_("周期，默认 month。"))
    start = serializers.DateField(required=False, help_text=_("只返回结束日不早于此日的周期。"))
    end = serializers.DateField(required=False, help_text=_("只返回开始日不晚于此日的周期。"))

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": [_("结束日期不能早于开始日期。")]})
        return attrs


class SeriesPointSerializer(serializers.Serializer):
    """One period of an indicator's roll-up (a ``PeriodValue`` row)."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    label = serializers.CharField(help_text=_("中文周期名，如 2021年10月上旬。"))
    actual = decimal_field(allow_null=True, help_text=_("本期实际（单位同指标）；无数据为 null。"))
    cumulative_actual = decimal_field(allow_null=True, help_text=_("自计划开始累计实际。"))
    planned = decimal_field(allow_null=True, help_text=_("本期计划；指标无目标值为 null。"))
    cumulative_planned = decimal_field(
        allow_null=True, help_text=_("自计划开始累计计划；指标无目标值为 null。")
    )
    time_progress = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        coerce_to_string=True,
        help_text=_("时间进度 0–1：截至本期末（当前周期截至今天）已过天数 ÷ 计划总天数。"),
    )
    status = serializers.ChoiceField(choices=PeriodValue.Status.choices)
    computed_at = serializers.DateTimeField(help_text=_("本行汇总计算时间。"))


class EntrySerializer(serializers.ModelSerializer):
    """An entry as read back. Writes go through ``EntryCreateSerializer`` /
    ``EntryUpdateSerializer`` and ``targets.services.record_entries``."""

    value = decimal_field(read_only=True)

    class Meta:
        model = Entry
        fields = ["id", "indicator", "date", "value", "note", "version"]
        read_only_fields = fields


class _EntryWriteSerializer(serializers.Serializer):
    value = serializers.CharField(
        max_length=40,
        help_text=_('数值，按指标单位；建议传字符串（如 "12.5"），也接受数字。'),
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text=_("修改原因，记入历史。"),
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=_("确认异常值：数值超过近期中位数 5 倍时，不带 confirm=true 会被拒绝（409 confirm）。"),
    )


class EntryCreateSerializer(_EntryWriteSerializer):
    indicator = serializers.PrimaryKeyRelatedField(
        queryset=Indicator.objects.select_related("department"),
        pk_field=serializers.IntegerField(min_value=1, max_value=MAX_ID),
    )
    date = serializers.DateField()


class EntryUpdateSerializer(_EntryWriteSerializer):
    value = serializers.CharField(max_length=40, required=False, help_text=_("新数值；不传则保持不变。"))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text=_("读取时的 version；与当前不一致则 409。")
    )


class RefreshRequestSerializer(serializers.Serializer):
    indicators = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
        help_text=_("要重算的指标 id；不传：管理员为全部指标，填报员为本单位全部指标。"),
    )
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": [_("结束日期不能早于开始日期。")]})
        return attrs


class RefreshAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="queued")
    indicators = serializers.ListField(child=serializers.IntegerField())
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)


class RollupStatusSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text=_("最近一次汇总计算时间；从未计算为 null。")
    )
