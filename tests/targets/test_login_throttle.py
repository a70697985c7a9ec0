"""Login throttling: five wrong passwords for a user name, or from one address, lock the
login for the cool-off (the right password is refused with a message in Chinese); a
manager unlocks it at once; API tokens and the tests' own logins are not affected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from targets.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
LOCKED = "登录失败次数过多（5 次），该账号或本机地址已被暂时锁定。请 15 分钟后再试，或请管理员解锁。"


def attempt(client, username, password, *, url=LOGIN, ip="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def fail(client, username, times=5, **kwargs):
    for _ in range(times):
        response = attempt(client, username, "wrong-password", **kwargs)
        assert response.status_code in (200, 429)
    return response


def test_it_refuses_the_right_password_after_five_wrong_ones(client, clerk):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(client, "clerk", times=4)
    response = fail(client, "clerk", times=1)
    assert response.status_code == 429
    response = attempt(client, "clerk", "pw-clerk")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert 'name="password"' in page  # the login page itself, saying why
    assert not signed_in(client)


def test_it_lets_the_user_in_after_the_cooloff(client, clerk):
    fail(client, "clerk")
    assert attempt(client, "clerk", "pw-clerk").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))
    response = attempt(client, "clerk", "pw-clerk")
    assert response.status_code == 302
    assert signed_in(client)


def test_it_locks_an_address_that_tries_many_user_names(client, clerk, official):
    for name in ("a", "b", "c", "d", "e"):
        attempt(client, name, "wrong", ip="10.0.0.9")
    assert attempt(client, "official", "pw-official", ip="10.0.0.9").status_code == 429
    other = Client()
    assert attempt(other, "official", "pw-official", ip="10.0.0.10").status_code == 302


def test_it_locks_a_user_name_tried_from_many_addresses(client, clerk):
    for n in range(5):
        attempt(client, "clerk", "wrong", ip=f"10.0.1.{n}")
    assert attempt(client, "clerk", "pw-clerk", ip="10.0.1.99").status_code == 429


def test_it_throttles_the_admin_login_too(client, manager):
    manager.is_staff = True
    manager.save()
    fail(client, "manager", url=ADMIN_LOGIN)
    response = attempt(client, "manager", "pw-manager", url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_a_manager_unlocks_a_user_and_it_is_audited(client, clerk, manager):
    fail(client, "clerk")
    desk = Client()
    desk.force_login(manager)
    page = desk.get(reverse("login_lockouts")).content.decode()
    assert "<code>clerk</code>" in page and "<code>10.0.0.1</code>" in page
    assert "已锁定" in page and "解锁" in page
    response = desk.post(reverse("login_unlock"), {"kind": "username", "value": "clerk"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login_unlock", target="username:clerk", user=manager).exists()
    # The address is still locked for other user names; the user name is free from another one.
    assert attempt(client, "clerk", "pw-clerk", ip="10.0.0.2").status_code == 302
    desk.post(reverse("login_unlock"), {"kind": "ip", "value": "10.0.0.1"})
    assert attempt(Client(), "clerk", "pw-clerk").status_code == 302


def test_only_managers_see_and_unlock_lockouts(client, clerk, official):
    fail(Client(), "official")
    client.force_login(clerk)
    assert client.get(reverse("login_lockouts")).status_code == 403
    assert client.post(reverse("login_unlock"), {"kind": "username", "value": "official"}).status_code == 403
    assert attempt(Client(), "official", "pw-official", ip="10.0.0.5").status_code == 429


def test_api_tokens_and_test_logins_are_not_affected(client, clerk, official):
    fail(client, "official")
    token = Token.objects.create(user=official)
    api = Client()
    response = api.get("/api/v1/indicators/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    # Django's test client logs in through authenticate(): axes needs the request.
    other = Client()
    assert other.login(request=HttpRequest(), username="clerk", password="pw-clerk")
    assert other.get("/api/v1/indicators/").status_code == 200
