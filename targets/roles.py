"""Who may do what. Groups: officials (read all), clerks (enter for their own
department), managers (approve, lock, export, edit plans); superusers may do all."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

OFFICIALS = "officials"
CLERKS = "clerks"
MANAGERS = "managers"
GROUPS = (OFFICIALS, CLERKS, MANAGERS)


def _groups(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_zd_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._zd_groups = cached
    return cached


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
    if is_manager(user):
        return True
    if not is_clerk(user):
        return False
    own = user_department(user)
    return own is not None and department is not None and own.pk == department.pk
