"""``manage.py rollup [--full] [--indicator CODE …]``: recompute the roll-ups now."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from targets import freshness, rollups
from targets.models import Indicator, PeriodValue

BATCH = 200  # indicators per statement batch: a progress step of a few seconds at most


class Command(BaseCommand):
    help = "Recompute the PeriodValue roll-ups (旬, month, quarter, year) from the entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="rebuild the roll-ups from scratch (of the chosen indicators, or the whole table)",
        )
        parser.add_argument(
            "--indicator",
            action="append",
            metavar="CODE",
            help="only this indicator (repeatable); default: every indicator",
        )

    def handle(self, *args, full=False, indicator=None, verbosity=1, **options):
        if full and not indicator:
            steps = rollups.REBUILD_STEPS
            with tqdm(total=steps, unit="step", disable=verbosity == 0, file=sys.stderr) as bar:
                written = freshness.refresh(full_rebuild=True, progress=bar.update)
            if verbosity:
                self.stdout.write(f"every indicator rebuilt, {written} rows written")
            return
        indicators = Indicator.objects.order_by("id")
        if indicator:
            indicators = indicators.filter(code__in=indicator)
            missing = sorted(set(indicator) - set(indicators.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"unknown indicator code(s): {', '.join(missing)}")
        # Parts before the sums and ratios built on them; each batch also refreshes the
        # dependent sums and ratios.
        ids = list(indicators.exclude(kind__in=Indicator.COMPUTED_KINDS).values_list("id", flat=True))
        ids += list(indicators.filter(kind=Indicator.Kind.SUM).values_list("id", flat=True))
        ids += list(indicators.filter(kind=Indicator.Kind.RATIO).values_list("id", flat=True))
        written = 0
        # One transaction: pages keep reading the old figures until the new ones are complete.
        with (
            transaction.atomic(),
            tqdm(total=len(ids), unit="indicator", disable=verbosity == 0, file=sys.stderr) as bar,
        ):
            if full:
                PeriodValue.objects.filter(indicator_id__in=ids).delete()
            for offset in range(0, len(ids), BATCH):
                batch = ids[offset : offset + BATCH]
                written += freshness.refresh(batch)
                bar.update(len(batch))
        if verbosity:
            self.stdout.write(f"{len(ids)} indicators, {written} rows written")
