"""The day level is no longer copied into ``PeriodValue``: a day's figures are read from the
entries, the plan and the stored 旬 rows (``targets.rollups.day_values``). Deletes the day
rows written by earlier versions."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("targets", "0008_rollupstamp")]

    operations = [
        migrations.RunSQL(
            "DELETE FROM targets_periodvalue WHERE period_type = 'day'",
            # Going back, the next full roll-up (``manage.py rollup --full``) writes them again.
            migrations.RunSQL.noop,
        ),
    ]
