"""Permissions from one source: targets.roles says what each role may do; the pages ask it
and the groups' Django model permissions (the admin's) are derived from it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from targets import roles
from targets.seed import briefing

pytestmark = pytest.mark.django_db


def declared(group: str) -> set[str]:
    """What roles.py declares for ``group``, wildcards expanded against the database."""
    result = set()
    for perm in roles.model_permissions(group):
        app, codename = perm.split(".", 1)
        if codename.endswith("_*"):
            codes = Permission.objects.filter(
                content_type__app_label=app, codename__startswith=codename[:-1]
            ).values_list("codename", flat=True)
            result |= {f"{app}.{c}" for c in codes}
        else:
            result.add(perm)
    return result


def granted(group: str) -> set[str]:
    perms = Group.objects.get(name=group).permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def test_it_gives_each_group_exactly_the_permissions_roles_declares():
    briefing.ensure_groups()
    for group in roles.GROUPS:
        assert granted(group) == declared(group), group
    assert "targets.change_submission" in granted(roles.MANAGERS)
    assert "projects.view_keyproject" in granted(roles.OFFICIALS)
    assert granted(roles.CLERKS) == set()


def test_it_declares_only_permissions_that_exist():
    existing = {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    for perms in roles.MODEL_PERMISSIONS.values():
        for perm in perms:
            if not perm.endswith("_*"):
                assert perm in existing, perm


def test_it_takes_back_a_permission_granted_by_hand():
    groups = briefing.ensure_groups()
    groups[roles.CLERKS].permissions.add(Permission.objects.get(codename="delete_entry"))
    briefing.ensure_groups()
    assert granted(roles.CLERKS) == set()


def test_it_lets_each_role_do_what_the_table_says(clerk, manager, official, outsider, admin_user):
    assert {c for c in roles.CAPABILITY_NAMES if roles.can(official, c)} == {roles.READ, roles.VIEW_ALL}
    assert {c for c in roles.CAPABILITY_NAMES if roles.can(clerk, c)} == {roles.READ, roles.ENTER_OWN}
    assert {c for c in roles.CAPABILITY_NAMES if roles.can(manager, c)} == set(
        roles.CAPABILITIES[roles.MANAGERS]
    )
    assert not any(roles.can(outsider, c) for c in roles.CAPABILITY_NAMES)
    assert all(roles.can(admin_user, c) for c in roles.CAPABILITY_NAMES)


def test_it_opens_pages_and_admin_rights_by_the_table_alone(client, official, monkeypatch):
    client.force_login(official)
    assert client.get(reverse("approvals")).status_code == 403
    assert client.get(reverse("report_archive")).status_code == 403
    more = roles.CAPABILITIES[roles.OFFICIALS] | {roles.REVIEW, roles.EXPORT}
    monkeypatch.setitem(roles.CAPABILITIES, roles.OFFICIALS, more)
    official = type(official).objects.get(pk=official.pk)
    client.force_login(official)
    assert client.get(reverse("approvals")).status_code == 200
    assert client.get(reverse("report_archive")).status_code == 200
    briefing.ensure_groups()
    assert type(official).objects.get(pk=official.pk).has_perm("targets.change_submission")
