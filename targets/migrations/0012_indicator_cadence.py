"""Indicator.cadence: how often each indicator is reported (daily, weekly, 旬, monthly,
once). Existing indicators become daily (what every one was until now) and milestones
once, so every figure already saved stays valid where it is. Existing figures are not
moved: one dated on a day that is not a period end of a cadence chosen later stays
readable and counts in its day, 旬, month… as before; only new figures must fall on a
period end (``services.check_rows``). ``seed_briefing`` sets the briefing's cadences."""

from django.db import migrations, models


def milestones_once(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    Indicator.objects.filter(kind="milestone").update(cadence="once")


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0011_progress_note"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="cadence",
            field=models.CharField(
                choices=[
                    ("daily", "每日"),
                    ("weekly", "每周"),
                    ("dekad", "每旬"),
                    ("monthly", "每月"),
                    ("once", "一次性/节点"),
                ],
                default="daily",
                help_text="每期填报一次，数值记在该期最后一天。",
                max_length=10,
                verbose_name="填报频次",
            ),
        ),
        migrations.RunPython(milestones_once, migrations.RunPython.noop),
    ]
