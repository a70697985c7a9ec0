import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """After 0004 turned the typed statuses into milestones (its own transaction: on
    PostgreSQL an index cannot be built on rows whose foreign-key checks are pending)."""

    dependencies = [
        ("projects", "0004_project_figures_derived_stage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="keyproject",
            name="projects_keyproject_plan_ordered",
        ),
        migrations.RemoveField(
            model_name="keyproject",
            name="actual_completion",
        ),
        migrations.RemoveField(
            model_name="keyproject",
            name="actual_start",
        ),
        migrations.RemoveField(
            model_name="keyproject",
            name="planned_completion",
        ),
        migrations.RemoveField(
            model_name="keyproject",
            name="planned_start",
        ),
        migrations.RemoveField(
            model_name="keyproject",
            name="status",
        ),
        migrations.AddConstraint(
            model_name="milestone",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "other"), _negated=True),
                fields=("project", "kind"),
                name="projects_milestone_one_per_kind",
            ),
        ),
        migrations.AddField(
            model_name="progressnote",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="填报人",
            ),
        ),
        migrations.AddField(
            model_name="progressnote",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="progress_notes",
                to="projects.keyproject",
                verbose_name="项目",
            ),
        ),
        migrations.AddConstraint(
            model_name="progressnote",
            constraint=models.UniqueConstraint(
                fields=("project", "date"), name="projects_progressnote_one_per_day"
            ),
        ),
    ]
