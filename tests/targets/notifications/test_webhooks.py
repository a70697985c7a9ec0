"""Webhooks to 企业微信 and 钉钉 group robots, against a local fake robot that records what
it receives: the payloads in their documented formats, 钉钉's signature, retries of a 500
and the final failure shown to managers (with a retry that works)."""

import base64
import hashlib
import hmac
import time
from datetime import date

import pytest
from django.core import mail

from targets import services
from targets.notifications import tasks
from targets.notifications.models import Delivery, Notification, WebhookTarget
from targets.services import EntryInput
from tests.api_helpers import make_world
from tests.targets.notifications.helpers import FakeRobot

MONDAY = date(2021, 10, 4)


@pytest.fixture
def robot():
    with FakeRobot() as server:
        yield server


@pytest.fixture
def world(departments, clerk, manager):
    clerk.email = "clerk@zd.example"
    clerk.save()
    world = make_world(*departments)
    services.record_entries(user=clerk, rows=[EntryInput(world["invest"], MONDAY, "1.5")])
    world["week"] = services.submit_week(user=clerk, department=world["econ"], week_start=MONDAY)
    return world


def return_week(world, manager, capture, reason="周二数据缺失，请补报"):
    with capture(execute=True):
        services.return_week(user=manager, submission=world["week"], comment=reason)


def test_it_posts_a_returned_week_to_the_units_wecom_robot_as_documented_markdown(
    world, manager, robot, django_capture_on_commit_callbacks
):
    WebhookTarget.objects.create(
        name="经发局群",
        kind="wecom",
        url=robot.url("/cgi-bin/webhook/send?key=k-1"),
        department=world["econ"],
    )
    return_week(world, manager, django_capture_on_commit_callbacks)

    [request] = robot.requests
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == {"key": ["k-1"]}
    assert request["content_type"].startswith("application/json")
    body = request["json"]
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert "周报被退回" in content and "周二数据缺失，请补报" in content
    assert "http://127.0.0.1:8000/entry/2021-10-04/?dept=econ" in content
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    # The clerk with an address also got the e-mail, with the reason.
    assert [m.to for m in mail.outbox] == [["clerk@zd.example"]]
    assert "周二数据缺失" in mail.outbox[0].body


def test_it_signs_dingtalk_requests_and_sends_the_documented_markdown(
    world, manager, robot, django_capture_on_commit_callbacks
):
    secret = "SECa1b2c3d4e5f6"
    WebhookTarget.objects.create(
        name="填报员群",
        kind="dingtalk",
        url=robot.url("/robot/send?access_token=t-9"),
        secret=secret,
        role="clerks",
    )
    before = round(time.time() * 1000)
    return_week(world, manager, django_capture_on_commit_callbacks)
    after = round(time.time() * 1000)

    [request] = robot.requests
    assert request["query"]["access_token"] == ["t-9"]
    timestamp = request["query"]["timestamp"][0]
    assert before <= int(timestamp) <= after
    # Checked the way 钉钉 checks it: HMAC-SHA256 of "timestamp\nsecret" keyed by the secret.
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request["query"]["sign"] == [expected]
    body = request["json"]
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    notification = Notification.objects.get(recipient__username="clerk")
    assert body["markdown"]["title"] == notification.title
    assert "周二数据缺失" in body["markdown"]["text"]


def test_it_sends_nothing_to_an_inactive_robot_or_another_units(
    world, manager, robot, django_capture_on_commit_callbacks
):
    WebhookTarget.objects.create(
        name="停用", kind="wecom", url=robot.url("/a"), department=world["econ"], is_active=False
    )
    WebhookTarget.objects.create(name="应急局", kind="wecom", url=robot.url("/b"), department=world["safety"])
    WebhookTarget.objects.create(name="管理员群", kind="wecom", url=robot.url("/c"), role="managers")
    return_week(world, manager, django_capture_on_commit_callbacks)
    assert robot.requests == []


def test_it_retries_a_500_then_shows_the_failure_to_managers_who_can_retry(
    world, manager, clerk, robot, client, django_capture_on_commit_callbacks
):
    robot.answer_always(500, {"errcode": -1, "errmsg": "system busy"})
    WebhookTarget.objects.create(
        name="经发局群", kind="wecom", url=robot.url("/cgi-bin/webhook/send?key=k"), department=world["econ"]
    )
    return_week(world, manager, django_capture_on_commit_callbacks)

    # One try and MAX_RETRIES retries, then kept as failed: never dropped silently.
    assert len(robot.requests) == 1 + tasks.MAX_RETRIES == 6
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 6, "HTTP 500")

    client.force_login(manager)
    page = client.get("/notifications/").content.decode()
    section = page[page.index("发送失败") :]
    assert "周报被退回" in section and "经发局群" in section and "HTTP 500" in section
    assert f'action="/notifications/deliveries/{delivery.pk}/retry/"' in section

    client.force_login(clerk)
    assert "failed-deliveries" not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 403

    # The robot is fixed; the manager retries from the page: sent.
    robot.answer_always(200, {"errcode": 0, "errmsg": "ok"})
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notifications/deliveries/{delivery.pk}/retry/", follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(robot.requests) == 7
    assert "HTTP 500" not in client.get("/notifications/").content.decode()


def test_it_counts_a_robots_errcode_as_a_failure(world, manager, robot, django_capture_on_commit_callbacks):
    robot.answer_always(200, {"errcode": 310000, "errmsg": "sign not match"})
    WebhookTarget.objects.create(
        name="钉钉", kind="dingtalk", url=robot.url("/robot/send?token=x"), secret="SECx", role="clerks"
    )
    return_week(world, manager, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="dingtalk")
    assert delivery.status == "failed" and "310000" in delivery.last_error


def test_it_sends_nothing_when_the_robot_is_unreachable_until_retried(
    world, manager, django_capture_on_commit_callbacks
):
    WebhookTarget.objects.create(
        name="断网", kind="wecom", url="http://127.0.0.1:9/nothing", department=world["econ"]
    )
    return_week(world, manager, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="wecom")
    assert delivery.status == "failed" and delivery.attempts == 6 and delivery.last_error


def test_it_reports_failed_deliveries_in_healthz(
    world, manager, robot, client, django_capture_on_commit_callbacks
):
    robot.answer_always(500, {})
    WebhookTarget.objects.create(name="群", kind="wecom", url=robot.url("/x"), department=world["econ"])
    return_week(world, manager, django_capture_on_commit_callbacks)
    body = client.get("/healthz").json()
    assert body["notifications"] == {"failed": 1, "pending": 0}
    assert body["status"] == "ok"
