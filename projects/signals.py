"""What ``projects`` does when the core announces something (``targets.signals``)."""

from django.dispatch import receiver

from targets.signals import plan_copied

from .models import KeyProject, RecoveryProject, SafetyCampaign

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
