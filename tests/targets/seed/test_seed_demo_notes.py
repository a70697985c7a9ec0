"""The demo's 进展·问题·措施 and inbox: the lagging indicators (as the roll-up has them on the
demo's day) carry their units' reasons over the last weeks, the overview's behind list
offers them, the demo users' inboxes are not empty; a second run writes nothing twice and
``seed_demo --remove`` takes them all away, leaving the units' own words."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import KeyProject
from targets import rollups
from targets.models import Indicator, ProgressNote
from targets.notifications.models import Notification
from targets.seed.briefing import PLAN_CODE

pytestmark = pytest.mark.django_db

UNTIL = date(2021, 11, 19)
LAGGING = {"yellow", "red"}


def run(*args):
    call_command(*args, stdout=StringIO())


@pytest.fixture
def seeded(db, settings, clerk, manager):
    """The briefing, the demo clerk of 经济发展局 and a manager (as ``make run`` has them),
    and the demo on its day."""
    settings.DEMO_TODAY = UNTIL
    run("seed_briefing")
    run("seed_demo")


def lagging_on(day: date) -> dict[int, str]:
    ids = list(
        Indicator.objects.filter(plan__code=PLAN_CODE).exclude(kind="ratio").values_list("pk", flat=True)
    )
    return {
        pk: rows[-1].status
        for pk, rows in rollups.day_values(ids, day).items()
        if rows and rows[-1].status in LAGGING
    }


def behind_list(client, official) -> str:
    client.force_login(official)
    page = client.get(reverse("home")).content.decode()
    return page[page.index('class="table behind') : page.index("</table>", page.index('class="table behind'))]


def notes_snapshot():
    return sorted(
        ProgressNote.objects.values_list(
            "indicator__code", "period_start", "progress", "problems", "measures", "status", "is_demo"
        )
    )


def inbox_snapshot():
    return sorted(
        Notification.objects.values_list("recipient__username", "kind", "title", "body", "dedupe_key")
    )


def test_the_overview_offers_the_reason_of_every_lagging_item(client, official, seeded):
    lagging = lagging_on(UNTIL)
    assert len(lagging) >= 5
    rows = behind_list(client, official)
    assert rows.count("查看原因") == min(len(lagging), 15) and "未填写" not in rows
    for pk in lagging:
        note = ProgressNote.objects.filter(indicator_id=pk).first()  # the latest
        assert note.is_demo and note.period_start == date(2021, 11, 15) and note.status == lagging[pk]
        assert note.problems in rows or len(lagging) > 15
    # The words are a unit's: 进展 carries the roll-up's figure, 问题 and 措施 are written out.
    kp = Indicator.objects.get(code="kp-investment")
    (row,) = rollups.day_values([kp.pk], UNTIL)[kp.pk]
    latest = kp.progress_notes.first()
    assert f"累计完成{row.cumulative_actual.normalize():f}亿元" in latest.progress
    assert "冬季施工" in latest.problems and latest.author.username == "clerk"


def test_it_writes_a_note_for_each_week_the_indicator_was_behind(seeded):
    weeks = {
        date(2021, 11, 1): date(2021, 11, 7),
        date(2021, 11, 8): date(2021, 11, 14),
        date(2021, 11, 15): UNTIL,
    }
    for monday, day in weeks.items():
        expected = lagging_on(day)
        written = dict(ProgressNote.objects.filter(period_start=monday).values_list("indicator_id", "status"))
        assert written == expected, monday
    # The history shows: three weeks of one indicator, each in its own words, latest first.
    signed = list(
        Indicator.objects.get(code="sci-projects-signed").progress_notes.values_list(
            "period_start", "measures"
        )
    )
    assert [day for day, _m in signed] == [date(2021, 11, 15), date(2021, 11, 8), date(2021, 11, 1)]
    assert len({measures for _d, measures in signed}) == 3
    assert not ProgressNote.objects.filter(period_start__lt=date(2021, 11, 1)).exists()


def test_a_key_projects_page_shows_its_investment_reasons(client, official, seeded):
    project = KeyProject.objects.get(code="yellow-river-research-centre")
    client.force_login(official)
    page = client.get(reverse("projects:key_detail", args=[project.pk])).content.decode()
    notes = page[page.index("进展·问题·措施") :]
    assert "施工许可进入审批公示阶段" in notes and "取得许可后立即组织桩基施工" in notes
    # Written by 建设局's demo clerk, named as a person reads it, not by a login name.
    assert "建设局填报员 填写于" in notes and "demo-construction" not in notes


def test_the_demo_users_find_a_returned_week_an_overdue_week_and_a_changed_week(
    client, clerk, manager, seeded
):
    client.force_login(clerk)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "【退回】经济发展局 2021年11月1日—11月7日 周报被退回" in inbox
    assert "退回原因：本周数据与台账不一致，请核实后重新提交。" in inbox
    assert "【逾期】经济发展局 有1周数据逾期未报" in inbox
    assert "通知：2 条未读" in inbox  # the header's count
    client.force_login(manager)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "【修改】经济发展局 2021年11月15日—11月21日 周报（已提交）数据被修改" in inbox
    assert "【逾期】1个单位有周报逾期未报" in inbox
    # Dated when they would have been sent, never after the demo's day.
    assert Notification.objects.latest("created_at").created_at.date() == UNTIL
    assert Notification.objects.get(kind="week_returned").created_at.date() == date(2021, 11, 9)


def test_a_second_run_writes_no_note_or_notification_twice(seeded):
    notes, inbox = notes_snapshot(), inbox_snapshot()
    assert len(notes) > 20 and len(inbox) >= 4
    run("seed_demo")
    assert notes_snapshot() == notes and inbox_snapshot() == inbox


def test_removing_the_demo_removes_its_notes_and_notifications_only(clerk, seeded):
    kp = Indicator.objects.get(code="kp-investment")
    own = ProgressNote.objects.create(
        indicator=kp,
        period_start=date(2021, 11, 8),
        period_end=date(2021, 11, 14),
        problems="征地",
        author=clerk,
    )
    mine = Notification.objects.create(recipient=clerk, kind="week_due", title="本周将于周一截止")
    run("seed_demo")
    assert not ProgressNote.objects.filter(
        indicator=kp, period_start=date(2021, 11, 8), is_demo=True
    ).exists()
    run("seed_demo", "--remove")
    assert list(ProgressNote.objects.all()) == [own]
    assert list(Notification.objects.all()) == [mine]


def test_the_demo_notices_never_leave_by_mail_or_group_robot(settings, clerk, manager, mailoutbox):
    from targets.notifications.models import Delivery, WebhookTarget

    settings.DEMO_TODAY = UNTIL
    run("seed_briefing")
    clerk.email, manager.email = "clerk@example.gov.cn", "manager@example.gov.cn"
    clerk.save()
    manager.save()
    WebhookTarget.objects.create(name="经发局群", kind="wecom", url="http://127.0.0.1:9/robot", role="clerks")
    run("seed_demo")
    assert Notification.objects.filter(recipient=clerk).count() == 2
    assert not Delivery.objects.exists() and mailoutbox == []
