"""The plan list, create and detail pages, and who sees what: managers write plans and
see drafts; officials and clerks read published plans only."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from targets import clock
from targets.models import AuditEvent, Plan
from targets.plans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db, manager):
    call_command("seed_briefing", stdout=StringIO())
    q4 = Plan.objects.get(code="2021q4")
    draft = services.plan_copy(
        plan=q4, start=date(2022, 1, 1), end=date(2022, 3, 31), title="", carry_targets=False, user=manager
    )
    return q4, draft


def test_a_manager_creates_a_quarter_plan_with_the_quarter_picker(client, manager):
    year = clock.today().year
    client.force_login(manager)
    assert client.get(reverse("plans:create")).status_code == 200
    response = client.post(
        reverse("plans:create"),
        {"title": "第二季度目标任务", "kind": "quarter", "quarter": f"{year}-2", "source": "区委工作会议"},
    )
    plan = Plan.objects.get(title="第二季度目标任务")
    assert response.status_code == 302 and response["Location"] == reverse("plans:detail", args=[plan.code])
    assert (plan.code, plan.start, plan.end, plan.status, plan.created_by) == (
        f"{year}q2",
        date(year, 4, 1),
        date(year, 6, 30),
        Plan.Status.DRAFT,
        manager,
    )
    assert AuditEvent.objects.filter(action="plan_create", target=f"{year}q2").exists()
    # A range needs both dates; a year takes its start's year.
    response = client.post(reverse("plans:create"), {"title": "x", "kind": "range", "start": "2022-01-01"})
    assert response.status_code == 400 and "请填写日期" in response.content.decode()
    client.post(reverse("plans:create"), {"title": "2023年", "kind": "year", "start": "2023-05-05"})
    assert Plan.objects.get(title="2023年").period == (date(2023, 1, 1), date(2023, 12, 31))


def test_the_list_shows_periods_statuses_and_counts(client, manager, plans):
    q4, draft = plans
    client.force_login(manager)
    html = client.get(reverse("plans:list")).content.decode()
    assert q4.title in html and draft.title in html
    assert "草稿" in html and "已发布" in html
    assert f">{q4.indicators.count()}<" in html


def test_officials_and_clerks_read_published_plans_but_never_drafts_or_the_editor(
    client, official, clerk, plans
):
    q4, draft = plans
    for user in (official, clerk):
        client.force_login(user)
        listing = client.get(reverse("plans:list")).content.decode()
        assert q4.title in listing and draft.title not in listing
        assert client.get(reverse("plans:detail", args=[q4.code])).status_code == 200
        assert client.get(reverse("plans:detail", args=[draft.code])).status_code == 404
        assert client.get(reverse("plans:grid", args=[q4.code])).status_code == 403
        ind = q4.indicators.exclude(target_value=None).first()
        before = ind.target_value
        assert client.post(reverse("plans:grid", args=[q4.code]), {f"t_{ind.pk}": "1"}).status_code == 403
        assert client.post(reverse("plans:publish", args=[draft.code])).status_code == 403
        ind.refresh_from_db()
        assert ind.target_value == before
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


def test_publishing_an_empty_plan_is_refused(client, manager):
    plan = services.plan_create(
        user=manager, title="空计划", kind="quarter", start=date(2022, 4, 1), end=date(2022, 6, 30)
    )
    client.force_login(manager)
    response = client.post(reverse("plans:publish", args=[plan.code]), follow=True)
    assert "计划中还没有指标，不能发布" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
