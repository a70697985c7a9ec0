"""Load the Q4 2021 briefing (/work/shared/briefing/FACTS.md) into the database."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand

from targets.seed import briefing


class Command(BaseCommand):
    help = "载入简报：目标体系、指标、责任单位（假设）、用户组；再载入项目、灾后重建与安全专项。可重复运行。"

    def handle(self, *args, **options):
        counts = briefing.load()
        self.stdout.write("seed_briefing: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        # The projects app depends on targets, not the reverse: it loads its own part.
        if apps.is_installed("projects"):
            call_command("seed_briefing_projects", stdout=self.stdout, verbosity=options["verbosity"])
