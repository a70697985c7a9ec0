"""Keep a week's first submission time: timeliness counts from it, so a week sent on time,
returned by a manager and resubmitted after the deadline stays on time. Existing weeks
take the earliest submission time in their history (a returned and resubmitted week had
its first time overwritten), else their current one."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Submission = apps.get_model("targets", "Submission")
    HistoricalSubmission = apps.get_model("targets", "HistoricalSubmission")
    earliest = (
        HistoricalSubmission.objects.filter(id=OuterRef("pk"), submitted_at__isnull=False)
        .values("id")
        .annotate(first=Min("submitted_at"))
        .values("first")
    )
    Submission.objects.filter(submitted_at__isnull=False).update(
        first_submitted_at=Coalesce(Subquery(earliest), "submitted_at")
    )


class Migration(migrations.Migration):
    dependencies = [("targets", "0005_periodvalue_fillfactor")]

    operations = [
        migrations.AddField(
            model_name="historicalsubmission",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="首次提交时间"),
        ),
        migrations.AddField(
            model_name="submission",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="首次提交时间"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
