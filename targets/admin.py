from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuditEvent, Department, Entry, Goal, Indicator, PeriodValue, Submission, UserProfile


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "is_assumption", "order")
    search_fields = ("code", "name", "name_en")
    list_filter = ("is_assumption",)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "order")
    search_fields = ("code", "name", "name_en")
    list_filter = ("level",)
    filter_horizontal = ("supports",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "target_display", "unit", "plan_start", "plan_end", "department")
    search_fields = ("code", "name", "name_en")
    list_filter = ("kind", "department", "goal__parent")
    list_select_related = ("department",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "department")
    search_fields = ("user__username",)
    list_filter = ("department",)


class DepartmentScopedAdmin(SimpleHistoryAdmin):
    """Read-only admin for department-owned rows, with their history. Figures and weeks
    change only through the entry pages, the XLSX import and the API, which all go through
    ``targets.services`` (validation, locked weeks, versions, roll-ups). Clerks with admin
    access see only their own department's rows; managers and superusers see all."""

    department_path = "indicator__department"

    def get_queryset(self, request):
        from . import roles

        qs = super().get_queryset(request)
        if roles.is_manager(request.user):
            return qs
        return qs.filter(**{self.department_path: roles.user_department(request.user)})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(DepartmentScopedAdmin):
    list_display = ("indicator", "date", "value", "version", "updated_by", "updated_at", "is_demo")
    search_fields = ("indicator__code", "indicator__name", "note")
    list_filter = ("is_demo", "indicator__department", "date")
    date_hierarchy = "date"
    list_select_related = ("indicator", "updated_by")
    raw_id_fields = ("indicator",)
    readonly_fields = ("version", "created_by", "updated_by", "created_at", "updated_at")


@admin.register(Submission)
class SubmissionAdmin(DepartmentScopedAdmin):
    department_path = "department"
    list_display = ("department", "week_start", "status", "submitted_at", "reviewed_by", "is_demo")
    list_filter = ("status", "department", "is_demo")
    search_fields = ("department__name", "comment")
    date_hierarchy = "week_start"


@admin.register(PeriodValue)
class PeriodValueAdmin(admin.ModelAdmin):
    list_display = (
        "indicator",
        "period_type",
        "period_start",
        "actual",
        "cumulative_actual",
        "planned",
        "cumulative_planned",
        "status",
        "computed_at",
    )
    list_filter = ("period_type", "status", "indicator__department")
    search_fields = ("indicator__code", "indicator__name")
    list_select_related = ("indicator",)

    def has_add_permission(self, request):
        return False  # written only by the roll-up

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "target", "ip")
    list_filter = ("action",)
    search_fields = ("username", "target")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
