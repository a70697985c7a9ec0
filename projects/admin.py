from django.contrib import admin

from .models import (
    CoreBlock,
    KeyProject,
    Milestone,
    Problem,
    ProblemEvent,
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
    list_display = ("code", "name", "level", "core_block", "batch", "status", "department")
    search_fields = ("code", "name", "name_en")
    list_filter = ("level", "core_block", "batch", "status", "department")
    filter_horizontal = ("indicators",)
    inlines = [MilestoneInline, ProblemInline]


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
