"""What ``projects`` does when the core announces something (``targets.signals``)."""

from django.dispatch import receiver

from targets.models import Indicator, Plan
from targets.signals import plan_copied

from .models import KeyProject, Milestone, Problem, RecoveryProject, SafetyCampaign

# The links from projects to the indicators that measure them (many-to-many).
LINKS = (KeyProject.indicators, RecoveryProject.indicators, SafetyCampaign.indicators)


@receiver(plan_copied)
def carry_links(sender, source, copy, indicators: dict[int, int], **kwargs):
    """A plan was copied: each project, recovery project and campaign linked to an
    indicator of the source is linked to its copy too, so the copy's pages show them
    (each page reads the links of its own plan; the source's pages are unchanged). A key
    project's investment indicator is found in the page's plan by its code
    (``selectors.investments_in``)."""
    for link in LINKS:
        through = link.through
        owner = link.field.m2m_field_name()
        rows = through.objects.filter(indicator_id__in=indicators).values_list(f"{owner}_id", "indicator_id")
        through.objects.bulk_create(
            (through(**{f"{owner}_id": obj, "indicator_id": indicators[old]}) for obj, old in rows),
            ignore_conflicts=True,
        )


@receiver(plan_copied)
def carry_open_items(sender, source, copy, indicators: dict[int, int], **kwargs):
    """A plan was copied to a later period: the work still open on the source's indicators
    follows them into the copy. A milestone not reached yet (no actual date) and a
    problem not 已销号 now name the copy of their indicator, so they are read against the
    plan in which they are still to be done. What is finished stays with the plan it was
    finished in, so the source's pages are unchanged for it.

    Only the indicator a row names moves: the row itself is kept (its planned date, its
    history of moves, its evidence files and the audit rows naming it are never copied or
    rewritten). An indicator the copy left running in the source (not in ``indicators``)
    keeps its items. A copy made again takes the items an earlier copy of the same source
    took while that one is still a draft (a draft being redone). A copy for an earlier or
    overlapping period takes nothing."""
    if not indicators or copy.start <= source.end:
        return
    moves = dict(indicators)
    by_code = dict(Indicator.objects.filter(pk__in=indicators.values()).values_list("code", "pk"))
    redone = (
        Indicator.objects.filter(plan__copied_from=source, plan__status=Plan.Status.DRAFT, code__in=by_code)
        .exclude(plan=copy)
        .values_list("pk", "code")
    )
    moves.update({pk: by_code[code] for pk, code in redone})
    open_items = (
        Milestone.objects.filter(indicator_id__in=moves, actual_date__isnull=True),
        Problem.objects.filter(indicator_id__in=moves).exclude(status=Problem.Status.CLOSED),
    )
    for items in open_items:
        for old in set(items.values_list("indicator_id", flat=True)):  # a handful: one UPDATE each
            items.filter(indicator_id=old).update(indicator_id=moves[old])
