"""Work tables of the roll-up engine (``targets.rollups``), plain SQL with no model:

- ``targets_calendar``: one row per day with its 旬, month, quarter and year (first and last
  day) and its ordinal, so roll-ups group by a join instead of date functions that differ
  between SQLite and PostgreSQL. Filled here for 2000–2050; ``rollups`` adds days outside.
- ``targets_plan_segment``: each indicator's plan as even stretches (``targets.plan``), so
  the daily plan is computed in SQL with integers.
- ``targets_rollup_state``: when the roll-up last ran (the "数据截至 …" line).
"""

from datetime import date

from django.db import migrations

FIRST, LAST = date(2000, 1, 1), date(2050, 12, 31)


def fill_calendar(apps, schema_editor):
    from targets.rollups import fill_calendar

    fill_calendar(schema_editor.connection, FIRST, LAST)


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]

    operations = [
        migrations.RunSQL(
            """
            CREATE TABLE targets_calendar (
                day date PRIMARY KEY,
                n integer NOT NULL,
                dekad_start date NOT NULL, dekad_end date NOT NULL,
                month_start date NOT NULL, month_end date NOT NULL,
                quarter_start date NOT NULL, quarter_end date NOT NULL,
                year_start date NOT NULL, year_end date NOT NULL
            )
            """,
            "DROP TABLE targets_calendar",
        ),
        migrations.RunPython(fill_calendar, migrations.RunPython.noop),
        migrations.RunSQL(
            """
            CREATE TABLE targets_plan_segment (
                indicator_id bigint NOT NULL,
                seg_start date NOT NULL,
                seg_end date NOT NULL,
                n0 integer NOT NULL,
                before_weight bigint NOT NULL,
                weight bigint NOT NULL,
                days integer NOT NULL,
                total_weight bigint NOT NULL,
                PRIMARY KEY (indicator_id, seg_start)
            )
            """,
            "DROP TABLE targets_plan_segment",
        ),
        migrations.RunSQL(
            "CREATE TABLE targets_rollup_state (id integer PRIMARY KEY, refreshed_at varchar(40) NOT NULL)",
            "DROP TABLE targets_rollup_state",
        ),
    ]
