"""The inbox page, the header's unread count and the API: each user sees and marks only
their own notifications (someone else's is a 404, as if it did not exist)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.notifications import services
from targets.notifications.models import Kind, Notification
from tests.api_helpers import client_for


def send(user, title="【退回】经济发展局 周报被退回", **extra):
    [note] = services.notify(kind=Kind.WEEK_RETURNED, recipients=[user], title=title, **extra)
    return note


@pytest.fixture
def notes(clerk, clerk2):
    first = send(clerk, body="退回原因：周二数据缺失", link="/entry/2021-10-04/?dept=econ")
    second = send(clerk, title="【逾期】经济发展局 有2周数据逾期未报")
    others = send(clerk2, title="应急管理局的通知")
    return first, second, others


def badge(client) -> str:
    page = client.get("/").content.decode()
    start = page.index('class="inbox-link"')
    return page[start : page.index("</a>", start)]


def test_it_counts_unread_notifications_in_the_header(client, clerk, clerk2, manager, notes):
    client.force_login(clerk)
    assert '<span class="badge" aria-hidden="true">2</span>' in badge(client)
    assert 'aria-label="通知：2 条未读"' in badge(client)
    client.force_login(manager)
    assert "badge" not in badge(client)


def test_it_counts_with_one_query(rf, clerk, notes):
    from targets.notifications.context_processors import unread

    request = rf.get("/")
    request.user = clerk
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {"unread_notifications": 2}
    assert len(queries) == 1 and "COUNT" in queries[0]["sql"].upper()


def test_it_lists_the_users_own_notifications_newest_first(client, clerk, notes):
    client.force_login(clerk)
    page = client.get("/notifications/").content.decode()
    assert page.index("有2周数据逾期未报") < page.index("周报被退回")
    assert "退回原因：周二数据缺失" in page
    assert "应急管理局的通知" not in page
    assert page.count('class="note unread"') == 2


def test_it_marks_one_read_and_opens_its_link(client, clerk, notes):
    first, second, _others = notes
    client.force_login(clerk)
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/entry/2021-10-04/?dept=econ"
    first.refresh_from_db()
    assert first.read_at is not None
    assert '<span class="badge" aria-hidden="true">1</span>' in badge(client)
    unread_page = client.get("/notifications/?unread=1").content.decode()
    assert "有2周数据逾期未报" in unread_page and "周报被退回" not in unread_page


def test_it_marks_all_read(client, clerk, clerk2, notes):
    client.force_login(clerk)
    response = client.post("/notifications/read-all/", follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert "badge" not in badge(client)
    assert Notification.objects.filter(recipient=clerk2, read_at__isnull=True).count() == 1


def test_it_refuses_someone_elses_notification_with_404(client, clerk, notes):
    others = notes[2]
    client.force_login(clerk)
    assert client.post(f"/notifications/{others.pk}/read/").status_code == 404
    others.refresh_from_db()
    assert others.read_at is None


def test_it_never_redirects_off_site(client, clerk):
    note = send(clerk, link="https://evil.example/phish")
    client.force_login(clerk)
    response = client.post(f"/notifications/{note.pk}/read/", {"open": "1", "next": "//evil.example/"})
    assert response["Location"] == "/notifications/"


# ---- The API.


def test_the_api_lists_only_the_callers_notifications_paginated(clerk, notes):
    api = client_for(clerk)
    body = api.get("/api/v1/notifications/", {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    item = body["results"][0]
    assert item["title"] == "【逾期】经济发展局 有2周数据逾期未报"
    assert item["kind"] == "week_returned" and item["kind_label"] == "周报退回"
    assert item["is_read"] is False and item["read_at"] is None
    assert api.get("/api/v1/notifications/", {"unread": "false"}).json()["count"] == 0


def test_the_api_marks_one_read_and_refuses_someone_elses(clerk, notes):
    first, _second, others = notes
    api = client_for(clerk)
    response = api.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 1
    refused = api.post(f"/api/v1/notifications/{others.pk}/read/")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    others.refresh_from_db()
    assert others.read_at is None


def test_the_api_needs_a_login(notes):
    assert client_for(None).get("/api/v1/notifications/").status_code == 401
