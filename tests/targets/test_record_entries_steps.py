"""The three steps of record_entries, each called on its own: check_rows (no lock, no
write), compare_with_stored (under lock, against what is stored), apply_rows (write,
version, roll-up, audit)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation

from targets import services
from targets.models import AuditEvent, Entry, Submission
from targets.services import EntryInput, EntryRejected
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

MON, TUE = WEEK, WEEK + timedelta(days=1)


def test_it_checks_rows_without_touching_the_database(clerk, indicators, django_assert_num_queries):
    invest, signed, _hazards = indicators
    rows = [EntryInput(invest, MON, " １２.5 "), EntryInput(signed.pk, TUE, "")]
    with django_assert_num_queries(2):  # the indicators with their department; the clerk's groups
        checked = services.check_rows(user=clerk, rows=rows)
    assert [(r.indicator, r.date, r.value) for r in checked] == [
        (invest, MON, Decimal("12.5")),
        (signed, TUE, None),  # an empty cell deletes the day's figure
    ]
    assert not Submission.objects.exists() and not Entry.objects.exists()


def test_it_reports_every_bad_cell_at_once_and_forbidden_first(clerk, indicators):
    invest, _signed, hazards = indicators
    rows = [
        EntryInput(invest, MON, "abc"),
        EntryInput(invest, MON, "2"),  # the same cell twice
        EntryInput(hazards, MON, "3"),  # another department's
    ]
    with translation.override("zh-hans"), pytest.raises(EntryRejected) as exc:
        services.check_rows(user=clerk, rows=rows)
    assert exc.value.code == "forbidden"
    assert "不是数字" in exc.value.errors[(invest.pk, MON)][0]
    assert "出现了两次" in exc.value.errors[(invest.pk, MON)][1]
    assert "无权填报" in exc.value.errors[(hazards.pk, MON)][0]


def test_it_compares_with_the_stored_figure_and_names_the_conflict(clerk, manager, indicators):
    invest = indicators[0]
    services.record_entries(user=manager, rows=[EntryInput(invest, MON, "5")])
    stale = services.check_rows(user=clerk, rows=[EntryInput(invest, MON, "6")])  # saw no entry
    with transaction.atomic(), pytest.raises(EntryRejected) as exc:
        services.compare_with_stored(stale, confirm_outliers=True)
    assert exc.value.code == "conflict"
    assert [e.value for e in exc.value.conflicts] == [Decimal("5")]
    assert "manager" in exc.value.errors[(invest.pk, MON)][0]


def test_it_finds_an_approved_week_locked(clerk, manager, indicators):
    invest = indicators[0]
    services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "1")])
    sub = services.submit_week(user=clerk, department=invest.department, week_start=WEEK)
    services.approve_week(user=manager, submission=sub)
    checked = services.check_rows(user=manager, rows=[EntryInput(invest, TUE, "2")])
    with transaction.atomic(), pytest.raises(EntryRejected) as exc:
        services.compare_with_stored(checked)
    assert exc.value.code == "locked"


def test_it_returns_the_locked_week_and_entries_to_apply(clerk, indicators):
    invest = indicators[0]
    services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "1")])
    entry = Entry.objects.get()
    checked = services.check_rows(user=clerk, rows=[EntryInput(invest, MON, "2", "", entry.version)])
    with transaction.atomic():
        stored = services.compare_with_stored(checked)
    assert list(stored.entries.values()) == [entry]
    assert [(s.department, s.week_start) for s in stored.submissions.values()] == [(invest.department, WEEK)]


def test_it_applies_changes_bumps_the_week_and_audits_once(clerk, indicators):
    invest, signed, _hazards = indicators
    services.record_entries(user=clerk, rows=[EntryInput(invest, MON, "1"), EntryInput(signed, MON, "4")])
    week_version = Submission.objects.get().version
    entries = {e.indicator_id: e for e in Entry.objects.all()}
    rows = [
        EntryInput(invest, MON, "1", "", entries[invest.pk].version),  # unchanged: left alone
        EntryInput(signed, MON, "", "", entries[signed.pk].version),  # cleared: deleted
        EntryInput(invest, TUE, "3"),  # new
    ]
    with transaction.atomic():
        checked = services.check_rows(user=clerk, rows=rows)
        stored = services.compare_with_stored(checked)
        written = services.apply_rows(checked, stored, user=clerk, reason="补录", source="api")
    assert [(e.date, e.value) for e in written] == [(TUE, Decimal("3"))]
    assert set(Entry.objects.values_list("indicator_id", "date")) == {(invest.pk, MON), (invest.pk, TUE)}
    assert Entry.objects.get(date=MON).version == entries[invest.pk].version
    assert Submission.objects.get().version == week_version + 1
    last = AuditEvent.objects.filter(action="entries").latest("pk")
    assert (last.detail["source"], last.detail["changed"], last.detail["reason"]) == ("api", 2, "补录")
    assert Entry.history.filter(date=TUE).get().history_change_reason == "补录"
