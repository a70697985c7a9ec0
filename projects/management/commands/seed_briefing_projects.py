"""Load the briefing's projects, recovery work and safety campaigns (after the targets)."""

from django.core.management.base import BaseCommand

from projects.seed import briefing


class Command(BaseCommand):
    help = "载入简报中的重点项目、核心板块、灾后重建项目、安全专项行动及项目节点（先运行 seed_briefing）。"

    def handle(self, *args, **options):
        counts = briefing.load()
        self.stdout.write("seed_briefing_projects: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
