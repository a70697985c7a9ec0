"""Benchmarks on a throw-away copy of the configured database (never the real one)."""

import importlib

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from targets.bench import SECTIONS


class Command(BaseCommand):
    help = "Measure roll-up, dashboard and export speed; prints BENCH <name> <value> <unit> lines."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000, help="daily entries to generate")
        parser.add_argument(
            "--only", choices=sorted(SECTIONS), action="append", help="run only these sections"
        )

    def handle(self, *args, **options):
        old_name = connection.settings_dict["NAME"]
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        self.stdout.write(f"BENCH database {connection.vendor} {test_name}")
        try:
            for section in options["only"] or SECTIONS:
                # Each section builds its own data on an empty database.
                call_command("flush", interactive=False, verbosity=0)
                module = importlib.import_module(SECTIONS[section])
                module.run(out=self.stdout, rows=options["rows"], options=options)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
