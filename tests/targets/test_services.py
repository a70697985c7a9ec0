"""The one write path for figures: targets.services."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from targets import services
from targets.models import AuditEvent, Entry, Indicator, Submission
from targets.services import EntryInput, EntryRejected, parse_value
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture, make_indicator  # noqa: F401

pytestmark = pytest.mark.django_db

MON, TUE = WEEK, WEEK + timedelta(days=1)


def save(user, *rows, **kwargs):
    return services.record_entries(user=user, rows=[EntryInput(*r) for r in rows], **kwargs)


# ---- parse_value


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12.5", "12.5"),
        (" 3 ", "3"),
        ("１２．５", "12.5"),  # full-width digits from a Chinese input method: normalised
        ("1,234.25", "1234.25"),
        ("0", "0"),
        (".5", "0.5"),
        ("12.50", "12.5"),  # trailing zeros are not extra decimals
        (Decimal("7.25"), "7.25"),
    ],
)
def test_it_reads_plain_and_full_width_numbers(indicators, raw, expected):
    invest = indicators[0]
    invest.max_value = Decimal("5000")
    assert parse_value(invest, raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["1e309", "1E3", "NaN", "nan", "inf", "-Infinity", "abc", "12万", "1,23", "0x10", "--1"]
)
def test_it_refuses_what_is_not_a_plain_number(indicators, raw):
    with pytest.raises(ValidationError) as exc:
        parse_value(indicators[0], raw)
    assert "不是数字" in exc.value.messages[0]


def test_it_refuses_decimal_nan_and_infinity(indicators):
    for raw in (Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValidationError):
            parse_value(indicators[0], raw)


def test_it_refuses_negative_values_when_the_minimum_is_zero(indicators):
    with pytest.raises(ValidationError) as exc:
        parse_value(indicators[0], "-1")
    assert exc.value.messages == ["不能为负数。"]


def test_it_allows_negative_values_without_a_minimum(indicators):
    invest = indicators[0]
    invest.min_value = None
    assert parse_value(invest, "-2.5") == Decimal("-2.5")


def test_it_refuses_values_outside_the_range(indicators):
    invest = indicators[0]
    with pytest.raises(ValidationError) as exc:
        parse_value(invest, "100.01")
    assert exc.value.messages == ["不能大于 100亿元。"]
    invest.min_value = Decimal("1")
    with pytest.raises(ValidationError) as exc:
        parse_value(invest, "0.5")
    assert exc.value.messages == ["不能小于 1亿元。"]


def test_it_refuses_more_decimals_than_the_indicator_keeps(indicators):
    invest, signed, _ = indicators
    with pytest.raises(ValidationError) as exc:
        parse_value(invest, "1.234")
    assert exc.value.messages == ["最多保留 2 位小数。"]
    with pytest.raises(ValidationError) as exc:
        parse_value(signed, "2.5")
    assert exc.value.messages == ["应为整数，不能有小数。"]


# ---- record_entries


def test_it_saves_a_week_with_history_who_and_why(clerk, indicators):
    invest, signed, _ = indicators
    written = save(clerk, (invest, MON, "1.5"), (signed, TUE, "3"), reason="周报")
    assert {(e.indicator_id, e.date, e.value) for e in written} == {
        (invest.pk, MON, Decimal("1.5")),
        (signed.pk, TUE, Decimal("3")),
    }
    entry = Entry.objects.get(indicator=invest, date=MON)
    assert entry.version == 1 and entry.created_by == clerk
    record = entry.history.get()
    assert record.history_user == clerk and record.history_change_reason == "周报"
    sub = Submission.objects.get(department=invest.department, week_start=WEEK)
    assert sub.status == Submission.Status.DRAFT


def test_it_updates_in_place_and_bumps_the_version(clerk, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1.5"))
    save(clerk, (invest, MON, "2", "修正", 1), reason="更正")
    entry = Entry.objects.get(indicator=invest, date=MON)
    assert (entry.value, entry.version, entry.note) == (Decimal("2"), 2, "修正")
    old, new = entry.history.order_by("history_id")
    assert (old.value, new.value, new.history_change_reason) == (Decimal("1.5"), Decimal("2"), "更正")


def test_it_leaves_unchanged_cells_alone(clerk, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1.5"))
    assert save(clerk, (invest, MON, "1.50", "", 1)) == []
    assert Entry.objects.get(indicator=invest, date=MON).version == 1


def test_it_deletes_an_emptied_cell_with_history(clerk, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1.5"))
    save(clerk, (invest, MON, "", "", 1), reason="误填")
    assert not Entry.objects.filter(indicator=invest).exists()
    deleted = Entry.history.filter(history_type="-").get()
    assert deleted.history_user == clerk and deleted.history_change_reason == "误填"


def test_it_saves_nothing_when_one_cell_is_bad(clerk, indicators):
    invest, signed, _ = indicators
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (invest, MON, "1.5"), (signed, TUE, "abc"), (signed, MON, "2"))
    assert exc.value.code == "invalid"
    assert list(exc.value.errors) == [(signed.pk, TUE)]
    assert "不是数字" in exc.value.errors[(signed.pk, TUE)][0]
    assert not Entry.objects.exists()
    assert not Submission.objects.exists()


def test_it_forbids_a_clerk_another_departments_indicator(clerk, indicators):
    invest, _, hazards = indicators
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (invest, MON, "1"), (hazards, MON, "4"))
    assert exc.value.code == "forbidden"
    assert exc.value.http_status == 403
    assert "应急管理局" in exc.value.errors[(hazards.pk, MON)][0]
    assert not Entry.objects.exists()


def test_it_forbids_officials_and_outsiders(official, outsider, indicators):
    for user in (official, outsider):
        with pytest.raises(EntryRejected) as exc:
            save(user, (indicators[0], MON, "1"))
        assert exc.value.code == "forbidden"


def test_it_lets_a_manager_enter_for_any_department(manager, indicators):
    save(manager, (indicators[2], MON, "4"))
    assert Entry.objects.get().updated_by == manager


def test_it_refuses_a_day_outside_the_entry_window(clerk, departments):
    late = make_indicator(departments[0], "late", tracking_start=date(2021, 10, 13))
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (late, MON, "1"), (late, date(2022, 1, 3), "1"))
    assert exc.value.code == "invalid"
    assert "不在填报期内" in exc.value.errors[(late.pk, MON)][0]
    assert (late.pk, date(2022, 1, 3)) in exc.value.errors


def test_it_refuses_ratio_indicators(clerk, indicators):
    invest, signed, _ = indicators
    ratio = make_indicator(invest.department, "rate", kind="ratio", numerator=invest, denominator=signed)
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (ratio, MON, "1"))
    assert "自动计算" in exc.value.errors[(ratio.pk, MON)][0]


def test_it_refuses_the_second_of_two_concurrent_edits(clerk, manager, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1"))
    # Both loaded version 1; the manager saves first.
    save(manager, (invest, MON, "2", "", 1))
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (invest, MON, "3", "", 1))
    assert exc.value.code == "conflict"
    assert [e.value for e in exc.value.conflicts] == [Decimal("2")]
    assert "manager" in exc.value.errors[(invest.pk, MON)][0]
    assert Entry.objects.get().value == Decimal("2")


def test_it_refuses_a_new_value_where_someone_already_entered_one(clerk, manager, indicators):
    invest = indicators[0]
    save(manager, (invest, MON, "2"))
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (invest, MON, "3"))  # the clerk's form showed an empty cell
    assert exc.value.code == "conflict"
    assert exc.value.conflicts[0].value == Decimal("2")


def test_it_asks_to_confirm_a_value_far_above_the_recent_median(clerk, indicators):
    invest = indicators[0]
    earlier = [(invest, MON - timedelta(days=d), "2") for d in range(1, 6)]
    save(clerk, *earlier)
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (invest, MON, "10.01"))
    assert exc.value.code == "confirm"
    assert "5倍" in exc.value.errors[(invest.pk, MON)][0]
    assert not Entry.objects.filter(date=MON).exists()
    save(clerk, (invest, MON, "10"))  # exactly 5× is fine
    save(clerk, (invest, TUE, "50"), confirm_outliers=True)
    assert Entry.objects.get(date=TUE).value == Decimal("50")


def test_it_compares_a_weekly_figure_with_weekly_ones_not_the_daily_ones_before(clerk, indicators):
    """Reported daily from 1 to 10 October (2亿元 a day), weekly since (14 on the Sundays
    17, 24 and 31 October): 70.01 on 7 November is over 5× the usual week of 14; 50 is
    not, though 25× the 2 of a day."""
    invest = indicators[0]
    save(clerk, *[(invest, date(2021, 10, d), "2") for d in range(1, 11)])
    invest.cadence = Indicator.Cadence.WEEKLY
    invest.save()
    save(clerk, *[(invest, date(2021, 10, d), "14") for d in (17, 24, 31)])
    with pytest.raises(EntryRejected) as exc:
        save(clerk, (invest, date(2021, 11, 7), "70.01"))
    assert exc.value.code == "confirm"
    assert "14" in exc.value.errors[(invest.pk, date(2021, 11, 7))][0]
    save(clerk, (invest, date(2021, 11, 7), "50"))
    assert Entry.objects.get(date=date(2021, 11, 7)).value == Decimal("50")


def test_it_queues_the_rollup_of_the_touched_indicators_and_days(
    clerk, indicators, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr("targets.rollups.refresh", lambda ids, start, end: calls.append((ids, start, end)))
    invest, signed, _ = indicators
    with django_capture_on_commit_callbacks(execute=True):
        save(clerk, (invest, MON, "1"), (signed, TUE + timedelta(days=1), "2"))
    assert calls == [(sorted([invest.pk, signed.pk]), MON, TUE + timedelta(days=1))]


# ---- the week's life


def test_it_walks_a_week_through_submit_approve_and_lock(clerk, manager, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1"))
    sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    assert sub.status == "submitted" and sub.submitted_by == clerk
    services.approve_week(user=manager, submission=sub, comment="好")
    sub.refresh_from_db()
    assert sub.is_locked and sub.reviewed_by == manager
    for user in (clerk, manager):
        with pytest.raises(EntryRejected) as exc:
            save(user, (invest, MON, "2", "", 1))
        assert exc.value.code == "locked"
    assert Entry.objects.get().value == Decimal("1")
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "entries",
        "submit",
        "approve",
    ]


def test_it_lets_a_manager_unlock_with_a_reason_and_then_change(clerk, manager, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1"))
    sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    services.approve_week(user=manager, submission=sub)
    with pytest.raises(EntryRejected):
        services.unlock_week(user=manager, submission=sub, reason=" ")
    with pytest.raises(EntryRejected) as exc:
        services.unlock_week(user=clerk, submission=sub, reason="想改")
    assert exc.value.code == "forbidden"
    services.unlock_week(user=manager, submission=sub, reason="统计局口径调整")
    save(manager, (invest, MON, "1.2", "", 1), reason="统计局口径调整")
    assert Entry.objects.get().value == Decimal("1.2")
    sub.refresh_from_db()
    assert sub.status == "draft"
    assert sub.history.filter(history_change_reason="统计局口径调整").exists()
    assert AuditEvent.objects.filter(action="unlock", detail__reason="统计局口径调整").exists()


def test_it_returns_a_week_with_a_comment_and_lets_the_clerk_resubmit(clerk, manager, indicators):
    invest = indicators[0]
    sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK, confirm_empty=True)
    with pytest.raises(EntryRejected):
        services.return_week(user=manager, submission=sub, comment="")
    services.return_week(user=manager, submission=sub, comment="周二数据缺失")
    sub.refresh_from_db()
    assert (sub.status, sub.comment) == ("returned", "周二数据缺失")
    save(clerk, (invest, TUE, "1"))
    services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    sub.refresh_from_db()
    assert sub.status == "submitted"


def test_it_refuses_week_actions_to_the_wrong_people(clerk, clerk2, indicators):
    econ = indicators[0].department
    with pytest.raises(EntryRejected) as exc:
        services.submit_week(user=clerk2, department=econ, week_start=WEEK, confirm_empty=True)
    assert exc.value.code == "forbidden"
    sub = services.submit_week(user=clerk, department=econ, week_start=WEEK, confirm_empty=True)
    with pytest.raises(EntryRejected) as exc:
        services.approve_week(user=clerk, submission=sub)
    assert exc.value.code == "forbidden"


def test_it_refuses_to_submit_an_empty_week_unless_confirmed(clerk, indicators):
    econ = indicators[0].department
    with pytest.raises(EntryRejected) as exc:
        services.submit_week(user=clerk, department=econ, week_start=WEEK)
    assert (exc.value.code, exc.value.http_status) == ("empty", 409)
    assert exc.value.messages() == ["本周尚未填报任何数据，确认提交空报吗？"]
    assert not Submission.objects.exists()  # refused: nothing saved, not even a draft
    assert not AuditEvent.objects.exists()
    sub = services.submit_week(user=clerk, department=econ, week_start=WEEK, confirm_empty=True)
    assert sub.status == "submitted" and sub.first_submitted_at == sub.submitted_at
    assert AuditEvent.objects.filter(action="submit").count() == 1


def test_it_counts_only_the_departments_own_figures_in_the_week(clerk, clerk2, indicators):
    invest, _, hazards = indicators
    save(clerk2, (hazards, MON, "3"))  # another department's figure
    save(clerk, (invest, WEEK - timedelta(days=1), "1"))  # the Sunday before
    save(clerk, (invest, WEEK + timedelta(days=7), "1"))  # the Monday after
    with pytest.raises(EntryRejected) as exc:
        services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    assert exc.value.code == "empty"
    draft = Submission.objects.get(department=invest.department, week_start=WEEK + timedelta(days=7))
    save(clerk, (invest, WEEK + timedelta(days=6), "2"))  # Sunday of the week: not empty any more
    sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    assert sub.status == "submitted"
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_keeps_an_emptied_draft_unchanged_when_refusing_it(clerk, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1"))
    save(clerk, (invest, MON, "", "", 1))  # the only figure cleared again
    sub = Submission.objects.get()
    with pytest.raises(EntryRejected) as exc:
        services.submit_week(
            user=clerk, department=invest.department, week_start=WEEK, expected_version=sub.version
        )
    assert exc.value.code == "empty"
    after = Submission.objects.get()
    assert (after.status, after.version, after.submitted_at) == ("draft", sub.version, None)


FIRST = datetime(2021, 10, 18, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
AGAIN = datetime(2021, 10, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def submitted_returned_resubmitted(clerk, manager, invest) -> Submission:
    """The clerk's week sent at FIRST, returned by the manager, sent again at AGAIN."""
    save(clerk, (invest, MON, "1"))
    with time_machine.travel(FIRST, tick=False):
        sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
        services.return_week(user=manager, submission=sub, comment="周二缺数")
    with time_machine.travel(AGAIN, tick=False):
        services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    return sub


def test_it_keeps_the_first_submission_time_through_return_and_resubmission(clerk, manager, indicators):
    first, again = FIRST, AGAIN
    sub = submitted_returned_resubmitted(clerk, manager, indicators[0])
    sub.refresh_from_db()
    assert (sub.first_submitted_at, sub.submitted_at) == (first, again)


def test_it_backfills_the_first_submission_time_from_the_weeks_history(clerk, manager, indicators):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("targets.migrations.0006_submission_first_submitted_at")
    invest, _, hazards = indicators
    first, again = FIRST, AGAIN
    sub = submitted_returned_resubmitted(clerk, manager, invest)
    # A week stored directly with one submission time, and a draft never submitted.
    plain = Submission.objects.create(department=hazards.department, week_start=WEEK, submitted_at=again)
    draft = Submission.objects.create(department=invest.department, week_start=WEEK + timedelta(days=7))
    Submission.objects.update(first_submitted_at=None)
    migration.backfill(apps, None)
    assert Submission.objects.get(pk=sub.pk).first_submitted_at == first
    assert Submission.objects.get(pk=plain.pk).first_submitted_at == again
    assert Submission.objects.get(pk=draft.pk).first_submitted_at is None


def test_it_refuses_to_submit_figures_changed_since_they_were_read(clerk, manager, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1"))
    seen = Submission.objects.get().version
    save(manager, (invest, TUE, "1"))
    with pytest.raises(EntryRejected) as exc:
        services.submit_week(user=clerk, department=invest.department, week_start=WEEK, expected_version=seen)
    assert exc.value.code == "conflict"


def test_it_keeps_the_stored_note_when_the_grid_sends_none(clerk, indicators):
    invest = indicators[0]
    save(clerk, (invest, MON, "1", "含追加投资"))
    save(clerk, (invest, MON, "2", None, 1))
    entry = Entry.objects.get()
    assert (entry.value, entry.note) == (Decimal("2"), "含追加投资")


def test_it_writes_nothing_on_a_dry_run_but_applies_the_same_rules(clerk, indicators):
    invest, _, hazards = indicators
    written = services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "1")], dry_run=True)
    assert [e.value for e in written] == [Decimal("1")]
    assert not Entry.objects.exists() and not Submission.objects.exists()
    assert not AuditEvent.objects.exists()
    with pytest.raises(EntryRejected):
        services.record_entries(user=clerk, rows=[EntryInput(hazards, MON, "1")], dry_run=True)


def test_it_saves_a_long_reason_whole_in_the_audit_and_its_start_in_the_history(clerk, indicators):
    """The history's reason column holds 100 characters (PostgreSQL refuses more): a 200-
    character reason from the week form saves, and the audit row keeps every character."""
    from targets.models import AuditEvent

    invest = indicators[0]
    reason = "统计口径调整" * 33 + "止"
    save(clerk, (invest, MON, "1.5"), reason=reason)
    record = Entry.history.get(indicator=invest, date=MON)
    assert record.history_change_reason == reason[:100]
    assert AuditEvent.objects.filter(action="entries").latest("pk").detail["reason"] == reason
