from django.contrib import admin

from .models import CoreBlock, KeyProject, Milestone, Problem, RecoveryField, RecoveryProject, SafetyCampaign


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
    fields = ("title", "owner", "department", "raised_on", "due_date", "status", "closed_on")


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


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "department", "raised_on", "due_date", "status", "closed_on")
    search_fields = ("title", "owner", "description")
    list_filter = ("status", "department")
