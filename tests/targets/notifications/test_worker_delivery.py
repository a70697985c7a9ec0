"""A group-robot message through a real Celery worker on Redis: the robot answers 500
twice, the worker retries after its backoff (2 s, then 4 s) and the third try is sent.
PostgreSQL and Redis only (the `redis_worker` fixture, tests/worker_helpers.py)."""

import pytest

from targets.notifications import services
from targets.notifications.models import Delivery, Kind, WebhookTarget
from tests.targets.notifications.helpers import FakeRobot
from tests.worker_helpers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_retries_a_failing_robot_in_the_worker_with_backoff(redis_worker, manager):
    with FakeRobot() as robot:
        robot.answer_next((500, {}), (500, {}))
        WebhookTarget.objects.create(
            name="管理员群", kind="wecom", url=robot.url("/send?key=k"), role="managers"
        )
        services.notify(kind=Kind.WEEK_CHANGED, recipients=[manager], title="周报被修改", audience="managers")
        delivery = Delivery.objects.get(channel="wecom")

        def delivered() -> bool:
            delivery.refresh_from_db()
            return delivery.status != "pending"

        wait_for(delivered, 60, "the delivery is still pending", worker=redis_worker)
        assert delivery.status == "sent", redis_worker.output()[-3000:]
        assert delivery.attempts == 3 and delivery.last_error == "HTTP 500"
        first, second, third = (r["at"] for r in robot.requests)
        assert second - first >= 2 and third - second >= 4  # the backoff, waited in the worker
