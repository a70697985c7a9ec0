"""The roll-up calendar's report days: for each day, the ordinals of the last Sunday, 旬
end and month end on or before it (``periods.calendar_rows``), so the roll-up judges a
weekly, 旬 or monthly indicator on the plan to its last report day (``targets.rollups``).
The columns are added, then every stored day is written again with them."""

from datetime import date, timedelta

from django.db import migrations

COLUMNS = ("last_sunday_n", "last_dekad_end_n", "last_month_end_n")


def refill(apps, schema_editor):
    from targets.rollups import fill_calendar

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT day FROM targets_calendar ORDER BY day")
        days = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM targets_calendar")
    days = [date.fromisoformat(day) if isinstance(day, str) else day for day in days]
    # The stored days in runs of consecutive days (2000–2050, and any added for plans outside).
    first = previous = None
    for day in days:
        if previous is not None and day != previous + timedelta(days=1):
            fill_calendar(connection, first, previous)
            first = None
        first = first or day
        previous = day
    if first is not None:
        fill_calendar(connection, first, previous)


class Migration(migrations.Migration):
    dependencies = [("targets", "0014_entry_indicator_index_in_unique")]

    operations = [
        *(
            migrations.RunSQL(
                f"ALTER TABLE targets_calendar ADD COLUMN {column} integer NOT NULL DEFAULT 0",
                f"ALTER TABLE targets_calendar DROP COLUMN {column}",
            )
            for column in COLUMNS
        ),
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
