"""The roll-up through a real Celery worker on Redis: a clerk's figure saved through the
service reaches the worker process over the broker, and the worker writes the roll-up.

PostgreSQL and Redis only (the `redis_worker` fixture, tests/worker_helpers.py): the
worker is another process and must share the test database.
"""

from datetime import date
from decimal import Decimal

import pytest

from targets.models import PeriodValue
from targets.services import EntryInput, record_entries
from tests.worker_helpers import investment_indicator, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_S = 90


def test_it_rolls_up_a_saved_figure_in_the_worker_process(redis_worker, clerk, departments):
    indicator = investment_indicator(departments[0])
    # The service saves in one committed transaction and queues the roll-up on commit.
    record_entries(user=clerk, rows=[EntryInput(indicator=indicator, date=date(2021, 10, 12), value="3.5")])

    month = wait_for(
        lambda: PeriodValue.objects.filter(
            indicator=indicator, period_type="month", period_start=date(2021, 10, 1)
        ).first(),
        WAIT_S,
        "no roll-up",
        worker=redis_worker,
    )
    assert month.actual == Decimal("3.5")
    assert month.cumulative_actual == Decimal("3.5")
    assert month.planned == Decimal("31")  # 92 over 92 days: 1 a day
    assert "targets.tasks.refresh_rollups" in redis_worker.output()
