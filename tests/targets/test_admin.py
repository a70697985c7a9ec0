from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from targets.models import Entry, Goal, Indicator
from targets.seed.briefing import plan as briefing_plan


@pytest.fixture
def entry(departments, clerk):
    goal = Goal.objects.create(plan=briefing_plan(), code="g", name="目标", level=Goal.Level.SECTION)
    indicator = Indicator.objects.create(
        code="inv",
        name="投资",
        unit="亿元",
        kind=Indicator.Kind.AMOUNT,
        target_value=Decimal("10"),
        plan_start=date(2021, 10, 1),
        plan_end=date(2021, 12, 31),
        department=departments[0],
        goal=goal,
    )
    return Entry.objects.create(indicator=indicator, date=date(2021, 10, 4), value=Decimal("1.5"))


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="pw-root")


def test_it_shows_a_figure_and_its_history_in_the_admin_but_never_edits_it(client, superuser, entry):
    client.force_login(superuser)
    change_url = f"/admin/targets/entry/{entry.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode(), "the figure must be read-only in the admin"
    assert client.get(f"/admin/targets/entry/{entry.pk}/history/").status_code == 200

    client.post(change_url, {"indicator": entry.indicator_id, "date": "2021-10-04", "value": "99"})
    client.post(f"/admin/targets/entry/{entry.pk}/delete/", {"post": "yes"})
    entry.refresh_from_db()
    assert entry.value == Decimal("1.5")
    assert client.get("/admin/targets/entry/add/").status_code == 403
