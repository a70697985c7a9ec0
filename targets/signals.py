from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import Signal, receiver

from . import audit
from .models import Indicator

# A plan was copied to another period (``targets.plans.services.plan_copy``), inside the
# copy's transaction: ``source`` and ``copy`` (plans), ``indicators`` ({old id: new id}).
# Apps that link their objects to indicators (``projects``) carry the links to the copies,
# so the copy's pages find them; ``targets`` never needs to know who listens.
plan_copied = Signal()


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record("login", user=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    audit.record("login_failed", request=request, username=credentials.get("username", "")[:150])


@receiver(m2m_changed, sender=Indicator.parts.through)
def refresh_changed_sum(sender, instance, action, reverse, pk_set, **kwargs):
    """A sum's parts changed (admin, seed): its figures are recomputed from its plan start
    once the change commits (a sum's rows are its parts' added up)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a part's sums changed: those sums (all of them when cleared)
        sums = pk_set if pk_set is not None else set()
    else:
        sums = {instance.pk}
    if sums:
        from .tasks import schedule_refresh

        schedule_refresh(sums)
