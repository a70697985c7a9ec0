"""The Monday 12:00 reminder e-mail is folded into the daily deadline notices
(``targets.notifications.due``): its task is gone, so its stored beat entry goes too
(django-celery-beat keeps the entries it once read from CELERY_BEAT_SCHEDULE)."""

from django.db import migrations
from django.utils import timezone

TASK = "targets.tasks.send_weekly_reminders"


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    deleted, _ = PeriodicTask.objects.filter(task=TASK).delete()
    if deleted:  # a running beat reloads its schedule when this moves
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(remove_schedule, migrations.RunPython.noop)]
