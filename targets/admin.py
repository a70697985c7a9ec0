from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from . import roles
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
    list_display = (
        "code",
        "name",
        "kind",
        "cadence",
        "target_display",
        "unit",
        "plan_start",
        "plan_end",
        "department",
    )
    search_fields = ("code", "name", "name_en")
    list_filter = ("kind", "cadence", "department", "goal__parent")
    list_select_related = ("department",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "department")
    search_fields = ("user__username",)
    list_filter = ("department",)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's history pages, read-only. Its history form view saves any
    valid POST (a "revert") for anyone who may merely view the model, with no version, no
    audit event and no roll-up: every figure and week is written through
    ``targets.services`` or not at all. So an old version is shown with every field
    read-only and no Revert button, and a POST is refused for everyone, superusers
    included (``SIMPLE_HISTORY_REVERT_DISABLED`` only hides the button)."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.opts.fields if f.editable and not f.primary_key]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        self.check_history_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.check_history_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def check_history_scope(self, request, object_id) -> None:
        """Raise Http404 unless the row is one the user sees in the list. simple-history
        looks rows up by id in the history table, past ``get_queryset``; managers also
        see the history of deleted rows."""
        if roles.is_manager(request.user):
            return
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404


class DepartmentScopedAdmin(ReadOnlyHistoryAdmin):
    """Read-only admin for department-owned rows, with their history. Figures and weeks
    change only through the entry pages, the XLSX import and the API, which all go through
    ``targets.services`` (validation, locked weeks, versions, roll-ups). Anyone but a
    manager or superuser sees only their own department's rows (the admin site itself
    admits managers and superusers only: ``zhengdong.admin``)."""

    department_path = "indicator__department"

    def get_queryset(self, request):
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
