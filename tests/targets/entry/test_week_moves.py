"""One way to move a week: the moves table (submit, approve, return, unlock), the review
form's errors shown with nothing changed, and every move kept with its own comment."""

from html import unescape

import pytest
from django.urls import reverse

from targets import services
from targets.models import AuditEvent, Submission, SubmissionEvent
from targets.services import EntryInput, EntryRejected
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
Move = SubmissionEvent.Move


@pytest.fixture
def submitted(clerk, indicators):
    services.record_entries(user=clerk, rows=[EntryInput(indicators[0], WEEK, "1")])
    return services.move_week(
        user=clerk, move=Move.SUBMIT, department=indicators[0].department, week_start=WEEK
    )


def approved(manager, submitted, comment="数据齐全"):
    return services.move_week(user=manager, move=Move.APPROVE, submission=submitted, comment=comment)


def page(response) -> str:
    return unescape(response.content.decode())


def test_it_refuses_a_reason_over_1000_characters_and_says_so(client, manager, submitted):
    approved(manager, submitted)
    client.force_login(manager)
    response = client.post(reverse("unlock_week", args=[submitted.pk]), {"reason": "口" * 1001}, follow=True)
    text = page(response)
    assert "1000" in text and "解锁时请填写原因" not in text
    submitted.refresh_from_db()
    assert submitted.is_locked
    assert not AuditEvent.objects.filter(action="unlock").exists()
    assert not submitted.events.filter(move=Move.UNLOCK).exists()


def test_it_refuses_a_return_comment_over_1000_characters_and_says_so(client, manager, submitted):
    client.force_login(manager)
    response = client.post(
        reverse("return_week", args=[submitted.pk]),
        {"comment": "缺" * 1001, "version": submitted.version},
        follow=True,
    )
    text = page(response)
    assert "审核意见" in text and "1000" in text and "退回时请填写意见" not in text
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_it_accepts_a_reason_of_exactly_1000_characters(client, manager, submitted):
    approved(manager, submitted)
    client.force_login(manager)
    client.post(reverse("unlock_week", args=[submitted.pk]), {"reason": "口" * 1000})
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    assert submitted.events.get(move=Move.UNLOCK).comment == "口" * 1000


def test_it_refuses_a_version_that_is_not_a_number(client, manager, submitted):
    client.force_login(manager)
    client.post(reverse("approve_week", args=[submitted.pk]), {"version": "abc"})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_it_keeps_the_approval_comment_after_an_unlock(client, manager, submitted):
    approved(manager, submitted, "数据齐全")
    client.force_login(manager)
    client.post(reverse("unlock_week", args=[submitted.pk]), {"reason": "统计口径调整"})
    moves = list(submitted.events.values_list("move", "from_status", "to_status", "comment"))
    assert moves == [
        ("submit", "draft", "submitted", ""),
        ("approve", "submitted", "approved", "数据齐全"),
        ("unlock", "approved", "draft", "统计口径调整"),
    ]
    week = page(client.get(reverse("entry_week", args=[WEEK.isoformat()]) + "?dept=econ"))
    assert "数据齐全" in week and "统计口径调整" in week
    assert week.index("数据齐全") < week.index("统计口径调整", week.index("周报记录"))


def test_it_shows_the_week_history_in_the_approvals_queue(client, clerk, manager, submitted, indicators):
    services.move_week(user=manager, move=Move.RETURN, submission=submitted, comment="周三缺数")
    services.move_week(user=clerk, move=Move.SUBMIT, department=indicators[0].department, week_start=WEEK)
    client.force_login(manager)
    queue = page(client.get(reverse("approvals")))
    assert "周报记录（3）" in queue and "周三缺数" in queue


@pytest.mark.parametrize(
    "move, status",
    [
        (Move.SUBMIT, "submitted"),  # already sent
        (Move.UNLOCK, "submitted"),  # only an approved week unlocks
        (Move.APPROVE, "approved"),
        (Move.RETURN, "approved"),
    ],
)
def test_it_refuses_a_move_the_table_does_not_allow(manager, indicators, move, status):
    sub = Submission.objects.create(department=indicators[0].department, week_start=WEEK, status=status)
    with pytest.raises(EntryRejected) as exc:
        services.move_week(user=manager, move=move, submission=sub, comment="理由", confirm_empty=True)
    assert exc.value.code in ("invalid", "locked")
    sub.refresh_from_db()
    assert sub.status == status and not sub.events.exists()


def test_it_lets_only_managers_review_and_only_the_department_submit(clerk, clerk2, manager, indicators):
    econ = indicators[0].department
    assert services.may_move(clerk, Move.SUBMIT, econ)
    assert not services.may_move(clerk2, Move.SUBMIT, econ)
    assert services.may_move(manager, Move.SUBMIT, econ)
    for move in (Move.APPROVE, Move.RETURN, Move.UNLOCK):
        assert services.may_move(manager, move, econ)
        assert not services.may_move(clerk, move, econ)


def test_it_writes_one_event_and_one_audit_row_per_move(clerk, manager, submitted):
    approved(manager, submitted, "好")
    services.move_week(user=manager, move=Move.UNLOCK, submission=submitted, comment="口径")
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "entries",
        "submit",
        "approve",
        "unlock",
    ]
    users = list(submitted.events.values_list("user__username", flat=True))
    assert users == ["clerk", "manager", "manager"]


def test_it_rebuilds_the_moves_of_weeks_from_their_history(clerk, manager, submitted):
    """Weeks moved before the history had its own rows get them back from
    django-simple-history (migration 0007)."""
    import importlib

    from django.apps import apps

    services.move_week(user=manager, move=Move.RETURN, submission=submitted, comment="缺")
    services.move_week(user=clerk, move=Move.SUBMIT, submission=submitted)
    approved(manager, submitted, "好")
    services.move_week(user=manager, move=Move.UNLOCK, submission=submitted, comment="口径")
    fields = ("move", "from_status", "to_status", "user__username", "comment")
    written = list(SubmissionEvent.objects.values_list(*fields))
    SubmissionEvent.objects.all().delete()
    importlib.import_module("targets.migrations.0007_submission_event").backfill(apps, None)
    assert list(SubmissionEvent.objects.values_list(*fields)) == written
    assert [row[0] for row in written] == ["submit", "return", "submit", "approve", "unlock"]
