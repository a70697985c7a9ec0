"""PostgreSQL keeps nearly a third of each PeriodValue page free (fillfactor 70), so that the
roll-up's updates of a row (its figures and status, no indexed column) stay on the page
as heap-only tuples: no new entries in the table's three indexes, and no trail of dead
ones for the next refresh to step over. The full rebuild fills pages to that mark."""

from django.db import migrations

TABLE = "targets_periodvalue"


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = 70)")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("targets", "0015_calendar_report_days")]

    operations = [migrations.RunPython(leave_room, fill_pages)]
