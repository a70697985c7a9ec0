"""Two refreshes of the same indicator at once, on a database with real locks: the second
starts while the first is still open inside its transaction. Whatever the order, the rows
end as a clean recomputation gives them (``rollups._lock``: one refresh of an indicator at
a time)."""

import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from targets import rollups
from targets.models import Department, Entry, Goal, Indicator
from targets.seed.briefing import plan as briefing_plan
from tests.targets.rollup_oracle import differences, expected_rows, stored_rows

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL locks and two connections"
    ),
]

TODAY = date(2021, 11, 19)
D = Decimal


@pytest.fixture
def investment():
    department = Department.objects.create(code="econ", name="经济发展局")
    goal = Goal.objects.create(plan=briefing_plan(), code="s4", name="抓好经济运行", level=Goal.Level.SECTION)
    indicator = Indicator.objects.create(
        code="kp-investment",
        name="省市重点项目完成投资",
        kind=Indicator.Kind.AMOUNT,
        target_value=D("433.2"),
        plan_start=date(2021, 1, 1),
        plan_end=date(2021, 12, 31),
        tracking_start=date(2021, 10, 1),
        opening_value=D("300.5"),
        department=department,
        goal=goal,
    )
    day = date(2021, 10, 1)
    while day <= TODAY:
        Entry.objects.create(indicator=indicator, date=day, value=D("0.75"))
        day += timedelta(days=1)
    rollups.rebuild(today=TODAY)
    return indicator


def _waiting_for_a_lock() -> bool:
    """Another connection to this database waits for a lock (ours, or a row we hold)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees one snapshot
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _overlap(first: tuple[date, date], second: tuple[date, date], indicator_id: int) -> list:
    """Refresh ``first`` inside a transaction held open until the refresh of ``second``
    has started and waits on it (or, at most, 3 s); then commit. Returns the errors."""
    first_done, errors = threading.Event(), []

    def run_first():
        try:
            with transaction.atomic():
                rollups.refresh([indicator_id], *first, today=TODAY)
                first_done.set()
                deadline = time.monotonic() + 3
                while not _waiting_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            first_done.set()
            connections.close_all()

    def run_second():
        try:
            first_done.wait(10)
            rollups.refresh([indicator_id], *second, today=TODAY)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


WEEK = (date(2021, 10, 11), date(2021, 10, 17))


@pytest.mark.parametrize(
    "second",
    [WEEK, (date(2021, 10, 25), date(2021, 10, 31))],
    ids=["the-same-week-again", "a-later-week-of-the-same-indicator"],
)
def test_two_overlapping_refreshes_of_one_indicator_end_as_a_clean_recompute(investment, second):
    # 12 October raised by 5 (the clerk's save), and a figure of the second week changed too.
    Entry.objects.filter(indicator=investment, date=date(2021, 10, 12)).update(value=D("5.75"))
    Entry.objects.filter(indicator=investment, date=second[1] - timedelta(days=1)).update(value=D("1.25"))

    assert _overlap(WEEK, second, investment.id) == []

    assert not differences(expected_rows(TODAY), stored_rows(TODAY))
    (day,) = rollups.day_values([investment.id], date(2021, 11, 18), date(2021, 11, 18), today=TODAY)[
        investment.id
    ]
    assert day.cumulative_actual == D("300.5") + 49 * D("0.75") + 5 + D("0.5")
