"""Load the Q4 2021 briefing (/work/shared/briefing/FACTS.md) into the database."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand

from targets.seed import briefing


class Command(BaseCommand):
    help = "载入简报：目标体系、指标、责任单位（假设）、用户组；再载入项目、灾后重建与安全专项。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="只补充缺少的行，已有的（可能已被用户修改）一律不动；打印新建的行数",
        )

    def handle(self, *args, missing_only=False, **options):
        counts = briefing.load(missing_only=missing_only)
        label = "seed_briefing --missing-only (created)" if missing_only else "seed_briefing"
        self.stdout.write(f"{label}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        # The projects app depends on targets, not the reverse: it loads its own part.
        if apps.is_installed("projects"):
            extra = ["--missing-only"] if missing_only else []
            call_command("seed_briefing_projects", *extra, stdout=self.stdout, verbosity=options["verbosity"])
