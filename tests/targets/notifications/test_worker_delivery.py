"""A group-robot message through a real Celery worker on Redis: the robot answers 500
twice, the worker retries after its backoff (2 s, then 4 s) and the third try is sent.
PostgreSQL and Redis only, like tests/targets/test_worker.py (whose worker it reuses)."""

import time

import pytest

from targets.notifications import services
from targets.notifications.models import Delivery, Kind, WebhookTarget
from tests.targets.notifications.helpers import FakeRobot
from tests.targets.test_worker import celery_worker_process  # noqa: F401 (fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_retries_a_failing_robot_in_the_worker_with_backoff(celery_worker_process, manager):  # noqa: F811
    worker, log = celery_worker_process
    with FakeRobot() as robot:
        robot.answer_next((500, {}), (500, {}))
        WebhookTarget.objects.create(
            name="管理员群", kind="wecom", url=robot.url("/send?key=k"), role="managers"
        )
        services.notify(kind=Kind.WEEK_CHANGED, recipients=[manager], title="周报被修改", audience="managers")
        delivery = Delivery.objects.get(channel="wecom")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            delivery.refresh_from_db()
            if delivery.status != "pending":
                break
            time.sleep(0.3)
        assert delivery.status == "sent", log.read_text()[-3000:]
        assert delivery.attempts == 3 and delivery.last_error == "HTTP 500"
        first, second, third = (r["at"] for r in robot.requests)
        assert second - first >= 2 and third - second >= 4  # the backoff, waited in the worker
