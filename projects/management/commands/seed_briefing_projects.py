"""Load the briefing's projects, recovery work and safety campaigns (after the targets)."""

from django.core.management.base import BaseCommand

from projects.seed import briefing


class Command(BaseCommand):
    help = "载入简报中的重点项目、核心板块、灾后重建项目、安全专项行动及项目节点（先运行 seed_briefing）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing-only", action="store_true", help="只补充缺少的行，已有的一律不动；打印新建的行数"
        )

    def handle(self, *args, missing_only=False, **options):
        counts = briefing.load(missing_only=missing_only)
        label = (
            "seed_briefing_projects --missing-only (created)" if missing_only else "seed_briefing_projects"
        )
        self.stdout.write(f"{label}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
