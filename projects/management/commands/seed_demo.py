"""Demo progress from 1 October 2021 to a chosen day (removable)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.seed import demo as project_demo
from targets import rollups
from targets.models import Indicator
from targets.seed import demo, demo_inbox, demo_notes


class Command(BaseCommand):
    help = (
        "生成演示数据（可重复、确定性）：2021-10-01 至指定日期的每日填报、每周报送、期初累计、"
        "重点项目投资计划与月度完成投资、前期手续、形象进度、项目节点与问题清单、"
        "滞后指标的进展·问题·措施和站内通知；"
        "全部标记为演示数据，--remove 一键删除。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=demo.DEFAULT_UNTIL,
            help="最后一天（YYYY-MM-DD，默认 2021-11-19）",
        )
        parser.add_argument("--remove", action="store_true", help="删除全部演示数据，其他数据不动")

    def handle(self, *args, until, remove, **options):
        if remove:
            with transaction.atomic():
                counts = {**project_demo.remove(), **demo.remove()}
            rollups.refresh()
            self.stdout.write("seed_demo --remove: " + _fmt(counts))
            return
        if not Indicator.objects.exists():
            raise CommandError("没有指标：请先运行 manage.py seed_briefing。")
        if until < demo.DEMO_START:
            raise CommandError("--until 不能早于 2021-10-01。")
        with transaction.atomic():
            project_demo.remove()
            planned = project_demo.set_plans()
            counts = demo.load(until, extra=project_demo.figures(until))
            counts.update(project_demo.load(until), project_plans=planned)
        rollups.refresh()
        # The units' reasons are for what the roll-up finds behind; the inbox, for the
        # weeks and deadlines as they stand.
        with transaction.atomic():
            counts["notes"] = demo_notes.load_notes(until, extra=project_demo.note_texts())
            counts["inbox"] = demo_inbox.load_inbox(until)
        self.stdout.write(f"seed_demo (until {until}): " + _fmt(counts))


def _fmt(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())
