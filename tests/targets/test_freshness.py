"""A late roll-up is never shown as fresh: with the broker down an entry still saves, the
pages say figures are pending, and the next save, the catch-up task or the nightly job
brings the roll-up up to date."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import F

from targets import freshness, rollups
from targets.models import Entry, PeriodValue, RollupStamp
from targets.services import EntryInput, record_entries
from targets.tasks import catch_up_rollups, rebuild_all_rollups
from tests.worker_helpers import celery_app_sending_to, investment_indicator

pytestmark = pytest.mark.django_db(transaction=True)

OCTOBER = date(2021, 10, 1)
BANNER = "数据更新中：部分数据尚未汇总"


@pytest.fixture
def investment(departments):
    return investment_indicator(departments[0])


def broker_down():
    """Tasks go to a broker nobody listens on (a closed port), as when Redis is down."""
    return celery_app_sending_to("redis://127.0.0.1:9/0")


def october(indicator) -> Decimal | None:
    row = PeriodValue.objects.filter(indicator=indicator, period_type="month", period_start=OCTOBER).first()
    return row.actual if row else None


def save(clerk, indicator, day, value):
    stored = Entry.objects.filter(indicator=indicator, date=day).first()
    version = stored.version if stored else None
    record_entries(
        user=clerk, rows=[EntryInput(indicator=indicator, date=day, value=value, expected_version=version)]
    )


def minutes_pass(minutes: int) -> None:
    RollupStamp.objects.update(saved_at=F("saved_at") - timedelta(minutes=minutes))


def test_it_saves_with_the_broker_down_and_says_figures_are_pending(client, clerk, official, investment):
    save(clerk, investment, date(2021, 10, 11), "2")
    assert october(investment) == Decimal("2")

    started = time.monotonic()
    with broker_down():
        save(clerk, investment, date(2021, 10, 12), "3.5")
    assert time.monotonic() - started < 10
    assert Entry.objects.filter(indicator=investment).count() == 2  # saved, good
    assert october(investment) == Decimal("2")  # not rolled up

    client.force_login(official)
    for url in ("/", f"/targets/indicators/{investment.pk}/", "/targets/departments/"):
        page = client.get(url).content.decode()
        assert f"{BANNER}（1条填报待汇总）" in page, url
    client.force_login(clerk)
    page = client.get("/entry/2021-10-11/").content.decode()
    assert f"{BANNER}（1条填报待汇总）" in page

    catch_up_rollups()  # right away: the save's own task may still come
    assert october(investment) == Decimal("2")
    minutes_pass(2)
    catch_up_rollups()  # Celery beat, every two minutes
    assert october(investment) == Decimal("5.5")
    client.force_login(official)
    assert BANNER not in client.get("/").content.decode()


def test_the_next_save_rolls_up_the_days_a_lost_task_missed(clerk, investment):
    save(clerk, investment, date(2021, 10, 5), "1")
    with broker_down():
        save(clerk, investment, date(2021, 10, 12), "3.5")
        save(clerk, investment, date(2021, 10, 5), "1.5")
    assert freshness.pending() == freshness.Pending(entries=2, indicators=1)

    save(clerk, investment, date(2021, 10, 20), "4")  # its task covers 10-20 and the missed days
    assert october(investment) == Decimal("9")  # 1.5 + 3.5 + 4
    last = date(2021, 10, 31)
    [day] = rollups.day_values([investment.pk], last, last)[investment.pk]
    assert day.cumulative_actual == Decimal("9")
    assert not freshness.pending()


def test_the_nightly_job_rolls_up_what_was_pending(clerk, investment):
    with broker_down():
        save(clerk, investment, date(2021, 10, 12), "3.5")
    assert freshness.pending().entries == 1
    rebuild_all_rollups()
    assert october(investment) == Decimal("3.5")
    assert not freshness.pending()


def test_a_save_committed_while_a_refresh_runs_stays_pending(clerk, investment, monkeypatch):
    save(clerk, investment, date(2021, 10, 12), "3.5")
    real_refresh = rollups.refresh

    def refresh_meanwhile_a_save(*args, **kwargs):
        written = real_refresh(*args, **kwargs)
        # Another clerk's save commits after this refresh read the stamps.
        RollupStamp.objects.filter(indicator=investment).update(
            saved=F("saved") + 1, pending_from=date(2021, 10, 13), pending_to=date(2021, 10, 13)
        )
        return written

    monkeypatch.setattr(rollups, "refresh", refresh_meanwhile_a_save)
    freshness.refresh([investment.pk], date(2021, 10, 12), date(2021, 10, 12))
    assert freshness.pending().entries == 1
    stamp = RollupStamp.objects.get(indicator=investment)
    assert stamp.pending_to == date(2021, 10, 13)  # its days are still to do


def test_it_runs_the_catch_up_every_few_minutes_and_the_nightly_job_on_its_own_queue():
    catch_up = settings.CELERY_BEAT_SCHEDULE["catch-up-rollups"]
    assert catch_up["task"] == "targets.tasks.catch_up_rollups"
    assert catch_up["schedule"].minute == set(range(0, 60, 2))
    # A worker killed whole: its short task goes to another worker after minutes, not hours.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 300
    assert settings.CELERY_TASK_ROUTES["targets.tasks.rebuild_all_rollups"] == {"queue": "rebuild"}
