"""Who may do what, in one table. Groups: officials (read all), clerks (enter for their
own department), managers (approve, lock, export, edit plans); superusers may do all.

``CAPABILITIES`` says what each group may do; pages, the API and the services ask
``can(user, capability)`` (or decorate a view with ``capability_required``). The groups'
Django model permissions, which only the admin reads, are derived from the same table
(``MODEL_PERMISSIONS``, written by ``sync_group_permissions`` when the briefing is
seeded), so the product and the admin cannot disagree."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

OFFICIALS = "officials"
CLERKS = "clerks"
MANAGERS = "managers"
GROUPS = (OFFICIALS, CLERKS, MANAGERS)

# Capabilities.
READ = "read"  # the dashboards, reports pages and the API's reads (indicators, series, projects)
VIEW_ALL = "view_all"  # every department's figures and their history (the API's entries too)
ENTER_OWN = "enter_own"  # enter and submit the figures of one's own department
ENTER_ANY = "enter_any"  # enter and submit any department's figures
REVIEW = "review"  # approve, return and unlock weeks; the approvals and timeliness pages
EXPORT = "export"  # XLSX/CSV exports, PDF reports and their archive
PLAN = "plan"  # change plans, indicators, goals, departments and projects (in the admin)
WRITE_PLANS = "write_plans"  # create, copy, edit, publish, close, import and export work plans
CAPABILITY_NAMES = (READ, VIEW_ALL, ENTER_OWN, ENTER_ANY, REVIEW, EXPORT, PLAN, WRITE_PLANS)

CAPABILITIES: dict[str, frozenset[str]] = {
    OFFICIALS: frozenset({READ, VIEW_ALL}),
    CLERKS: frozenset({READ, ENTER_OWN}),
    MANAGERS: frozenset({READ, VIEW_ALL, ENTER_ANY, REVIEW, EXPORT, PLAN, WRITE_PLANS}),
}

# The Django model permissions ("app_label.codename") each capability carries in the
# admin; "app_label.view_*" is every view permission of the app. Figures and weeks are
# written only through targets.services, so entering carries none.
MODEL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    READ: (),
    VIEW_ALL: ("targets.view_*", "projects.view_*"),
    ENTER_OWN: (),
    ENTER_ANY: ("targets.change_entry",),
    REVIEW: ("targets.change_submission",),
    EXPORT: (),
    # Plans are written through targets.plans.services only (the product's plan pages).
    WRITE_PLANS: (),
    PLAN: (
        "targets.add_indicator",
        "targets.change_indicator",
        "targets.change_goal",
        "targets.change_department",
        "targets.change_userprofile",
        "projects.add_keyproject",
        "projects.change_keyproject",
        "projects.add_milestone",
        "projects.change_milestone",
        "projects.change_recoveryproject",
        "projects.change_safetycampaign",
        "notifications.view_webhooktarget",
        "notifications.add_webhooktarget",
        "notifications.change_webhooktarget",
    ),
}


def _groups(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_zd_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._zd_groups = cached
    return cached


def can(user: AbstractBaseUser | AnonymousUser, capability: str) -> bool:
    """Whether ``user`` has ``capability`` through one of their groups (superusers have
    every capability)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(capability in CAPABILITIES.get(name, ()) for name in _groups(user))


def capability_required(capability: str, message: str = ""):
    """A view decorator: 403 (``PermissionDenied(message)``) unless the user ``can``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or MANAGERS in _groups(user))


def is_clerk(user) -> bool:
    return user.is_authenticated and CLERKS in _groups(user)


def is_official(user) -> bool:
    return user.is_authenticated and OFFICIALS in _groups(user)


def user_department(user):
    """The department a clerk reports for, or None."""
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.department if profile else None


def can_edit_department(user, department) -> bool:
    """Clerks edit their own department's figures; managers and superusers edit all."""
    if can(user, ENTER_ANY):
        return True
    if not can(user, ENTER_OWN):
        return False
    own = user_department(user)
    return own is not None and department is not None and own.pk == department.pk


# ---- the admin's side, derived from the table above


def model_permissions(group: str) -> set[str]:
    """The "app_label.codename" permissions ``group`` gets, wildcards unexpanded."""
    return {perm for cap in CAPABILITIES[group] for perm in MODEL_PERMISSIONS[cap]}


def _expand(wanted: set[str], available) -> list:
    chosen = []
    for perm in available:
        app, codename = perm.content_type.app_label, perm.codename
        action = codename.split("_", 1)[0]
        if f"{app}.{codename}" in wanted or f"{app}.{action}_*" in wanted:
            chosen.append(perm)
    return chosen


def sync_group_permissions() -> dict:
    """Create the groups of ``CAPABILITIES`` if missing and set each one's Django model
    permissions to exactly those ``MODEL_PERMISSIONS`` derives (idempotent). Returns the
    groups by name."""
    from django.contrib.auth.models import Group, Permission

    apps = {perm.split(".", 1)[0] for perms in MODEL_PERMISSIONS.values() for perm in perms}
    available = list(
        Permission.objects.filter(content_type__app_label__in=apps).select_related("content_type")
    )
    groups = {}
    for name in CAPABILITIES:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(_expand(model_permissions(name), available))
        groups[name] = group
    return groups
