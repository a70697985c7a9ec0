from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    CoreBlock,
    KeyProject,
    Milestone,
    Problem,
    ProblemEvent,
    ProgressNote,
    RecoveryField,
    RecoveryProject,
    SafetyCampaign,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Problems move only through the product's pages and API (``projects.services``), so
    every move is a history row and an audit row: the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoreBlock)
class CoreBlockAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")
    search_fields = ("code", "name", "name_en")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("kind", "name", "planned_date", "actual_date", "note", "indicator")


class ProgressNoteInline(admin.TabularInline):
    model = ProgressNote
    extra = 0
    fields = ("date", "text", "created_by")
    readonly_fields = ("created_by",)


class ProblemInline(admin.TabularInline):
    model = Problem
    extra = 0
    fk_name = "key_project"
    fields = ("title", "owner", "department", "severity", "raised_on", "due_date", "status", "closed_on")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KeyProject)
class KeyProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "core_block", "batch", "stage_label", "department")
    search_fields = ("code", "name", "name_en")
    list_filter = ("level", "core_block", "batch", "department")
    filter_horizontal = ("indicators",)
    readonly_fields = ("stage_label",)
    inlines = [MilestoneInline, ProgressNoteInline, ProblemInline]

    @admin.display(description=_("阶段（由节点得出）"))
    def stage_label(self, obj):
        return obj.get_stage_display()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The annual plan is the target of the project's investment indicator.
        services.sync_investment_plan(project=form.instance)


@admin.register(RecoveryField)
class RecoveryFieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")
    search_fields = ("code", "name", "name_en")


@admin.register(RecoveryProject)
class RecoveryProjectAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "field",
        "planned_count",
        "investment",
        "due_date",
        "status",
        "department",
    )
    search_fields = ("code", "name", "name_en")
    list_filter = ("field", "status", "department")
    filter_horizontal = ("indicators",)


@admin.register(SafetyCampaign)
class SafetyCampaignAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "department", "deadline")
    search_fields = ("code", "name", "name_en")
    list_filter = ("kind", "department")
    filter_horizontal = ("indicators",)


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("project", "kind", "name", "planned_date", "actual_date")
    search_fields = ("name", "project__name")
    list_filter = ("kind",)


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    fields = ("at", "move", "from_status", "to_status", "actor_name", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("title", "department", "severity", "raised_on", "due_date", "status", "closed_on")
    search_fields = ("title", "owner", "description")
    list_filter = ("status", "severity", "department")
    inlines = [ProblemEventInline]
