"""Group robots in the admin: managers add and change them; the 钉钉 secret is written,
never shown back whole, and kept when the form leaves it empty."""

import pytest

from targets import roles
from targets.notifications.models import WebhookTarget
from tests.conftest import make_user

SECRET = "SEC0123456789abcdefSECRETTAIL"


@pytest.fixture
def admin_client(client, db):
    roles.sync_group_permissions()
    manager = make_user("boss", roles.MANAGERS, is_staff=True)
    client.force_login(manager)
    return client


def test_it_never_shows_the_secret_back(admin_client, departments):
    robot = WebhookTarget.objects.create(
        name="经发局钉钉群",
        kind="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret=SECRET,
        department=departments[0],
    )
    listing = admin_client.get("/admin/notifications/webhooktarget/").content.decode()
    assert "SEC01••••••" in listing and SECRET not in listing
    form = admin_client.get(f"/admin/notifications/webhooktarget/{robot.pk}/change/").content.decode()
    assert "SECRETTAIL" not in form

    # Saved without typing the secret again: kept.
    response = admin_client.post(
        f"/admin/notifications/webhooktarget/{robot.pk}/change/",
        {
            "name": "经发局钉钉群（新）",
            "kind": "dingtalk",
            "url": robot.url,
            "secret": "",
            "department": departments[0].pk,
            "role": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "经发局钉钉群（新）" and robot.secret == SECRET


def test_it_wants_a_unit_or_a_role(admin_client):
    response = admin_client.post(
        "/admin/notifications/webhooktarget/add/",
        {"name": "无范围", "kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
    )
    assert response.status_code == 200 and "请选择单位或角色" in response.content.decode()
    assert WebhookTarget.objects.count() == 0


def test_it_keeps_clerks_out(client, clerk):
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)
    assert client.get("/admin/notifications/webhooktarget/").status_code == 302
