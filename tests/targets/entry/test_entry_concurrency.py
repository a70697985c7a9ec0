"""Two people saving the same week at the same moment, on a database with real row
locks: one wins, the other gets a conflict, no figure is lost or doubled."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections

from targets import services
from targets.models import Entry, Submission
from targets.services import EntryInput, EntryRejected
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def race(*jobs):
    """Run the jobs in threads released together; returns each job's result or error."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_it_lets_one_of_two_simultaneous_first_saves_win(clerk, manager, indicators):
    invest = indicators[0]
    results = race(
        lambda: services.record_entries(user=clerk, rows=[EntryInput(invest, WEEK, "1")]),
        lambda: services.record_entries(user=manager, rows=[EntryInput(invest, WEEK, "2")]),
    )
    refused = [r for r in results if isinstance(r, EntryRejected)]
    assert len(refused) == 1 and refused[0].code == "conflict"
    entry = Entry.objects.get()
    assert entry.version == 1 and entry.history.count() == 1
    assert Submission.objects.count() == 1


def test_it_lets_one_of_two_simultaneous_edits_win(clerk, manager, indicators):
    invest = indicators[0]
    services.record_entries(user=clerk, rows=[EntryInput(invest, WEEK + timedelta(days=1), "1")])
    results = race(
        lambda: services.record_entries(
            user=clerk, rows=[EntryInput(invest, WEEK + timedelta(days=1), "3", expected_version=1)]
        ),
        lambda: services.record_entries(
            user=manager, rows=[EntryInput(invest, WEEK + timedelta(days=1), "4", expected_version=1)]
        ),
    )
    winners = [r for r in results if isinstance(r, list)]
    assert len(winners) == 1
    entry = Entry.objects.get()
    assert entry.version == 2
    assert entry.value == winners[0][0].value in (Decimal("3"), Decimal("4"))
