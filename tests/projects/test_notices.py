"""Milestones (项目节点) and problems (问题清单) near or past their date reach a unit's clerks
and the managers in the day's one notice (``targets.notifications.due``), next to the
weeks: one message a day per recipient group, in the inbox, by e-mail and to the group's
企业微信/钉钉 robot, each section with the page to act on it."""

from datetime import date, datetime, time

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import KeyProject, Milestone, Problem
from targets import services
from targets.entry.timeliness import TZ
from targets.notifications import due
from targets.notifications.models import Notification, WebhookTarget
from targets.services import EntryInput
from tests.api_helpers import make_world
from tests.targets.notifications.helpers import FakeRobot

MONDAY = date(2021, 10, 4)
NOV_19 = date(2021, 11, 19)  # a Friday
NOV_20 = date(2021, 11, 20)


def at(day: date) -> datetime:
    return datetime.combine(day, time(8, 30), tzinfo=TZ)


def inbox(user) -> list[Notification]:
    return list(Notification.objects.for_user(user))


@pytest.fixture
def world(departments, clerk, clerk2, manager):
    """经济发展局 submitted the week of 4 October and owes six more by 19 November; 应急管理局
    owes seven. A key project of 经济发展局."""
    world = make_world(*departments)
    services.record_entries(user=clerk, rows=[EntryInput(world["invest"], MONDAY, "1.5")])
    services.submit_week(user=clerk, department=world["econ"], week_start=MONDAY)
    world["project"] = KeyProject.objects.create(code="kp1", name="中原科技城项目", department=world["econ"])
    return world


def late_milestone(world, name="开工", planned=date(2021, 11, 10), **extra):
    return Milestone.objects.create(
        project=world["project"], kind=extra.pop("kind", "start"), name=name, planned_date=planned, **extra
    )


def late_problem(world, title="征地未完成", due_date=date(2021, 11, 15), **extra):
    return Problem.objects.create(
        key_project=world["project"],
        title=title,
        department=world["econ"],
        raised_on=MONDAY,
        due_date=due_date,
        severity=Problem.Severity.GENERAL,
        **extra,
    )


def test_a_unit_with_a_late_week_milestone_and_problem_gets_one_notice_a_day_in_three_sections(
    world, clerk, clerk2, manager, django_capture_on_commit_callbacks
):
    clerk.email, manager.email = "clerk@zd.example", "manager@zd.example"
    clerk.save()
    manager.save()
    late_milestone(world)
    late_problem(world)
    entry_link = "/entry/2021-11-08/?dept=econ"  # the newest week overdue
    with FakeRobot() as robot:
        WebhookTarget.objects.create(
            name="经发局群", kind="wecom", url=robot.url("/econ?key=k"), department=world["econ"]
        )
        WebhookTarget.objects.create(
            name="管理员群", kind="dingtalk", url=robot.url("/managers"), role="managers"
        )
        with django_capture_on_commit_callbacks(execute=True):
            sent = due.run(today=NOV_19, now=at(NOV_19))
            again = due.run(today=NOV_19, now=datetime.combine(NOV_19, time(17), tzinfo=TZ))

        # 经济发展局's clerk: one notice, its weeks, its milestone and its problem.
        [notice] = inbox(clerk)
        assert (
            notice.title == "【逾期】经济发展局 有6周数据逾期未报；有1项项目节点逾期未完成；有1项问题整改逾期"
        )
        assert notice.get_kind_display() == "每日提醒"
        weeks, milestones, problems = notice.sections
        assert weeks["heading"] == "一、有6周数据逾期未报" and "2021年10月11日—10月17日" in weeks["body"]
        assert weeks["link"] == notice.link == entry_link
        assert milestones["heading"] == "二、有1项项目节点逾期未完成"
        assert "中原科技城项目 · 开工（计划2021-11-10）" in milestones["body"]
        assert milestones["link"] == reverse("projects:key_list")
        assert problems["heading"] == "三、有1项问题整改逾期" and "征地未完成" in problems["body"]
        assert problems["link"] == reverse("problems:list")
        # 应急管理局 has weeks only: its notice reads as before, without sections.
        [other] = inbox(clerk2)
        assert other.title == "【逾期】应急管理局 有7周数据逾期未报" and other.sections == []
        # The managers: one notice, the units by section.
        [summary] = inbox(manager)
        assert [part["heading"] for part in summary.sections] == [
            "一、2个单位有周报逾期未报",
            "二、1个单位有项目节点逾期未完成",
            "三、1个单位有问题整改逾期",
        ]
        assert "经济发展局（1项）" in summary.sections[2]["body"]
        assert (sent, again) == (3, 0)

        # One post a day to each robot, with each section's own link.
        assert sorted(r["path"] for r in robot.requests) == ["/econ", "/managers"]
        [econ_post] = [r["json"]["markdown"]["content"] for r in robot.requests if r["path"] == "/econ"]
        for text in ("**一、有6周数据逾期未报**", "**二、有1项项目节点逾期未完成**", "征地未完成"):
            assert text in econ_post
        for link in (entry_link, "/projects/key/", "/problems/"):
            assert f"[查看详情](http://127.0.0.1:8000{link})" in econ_post
        [managers_post] = [r["json"]["markdown"] for r in robot.requests if r["path"] == "/managers"]
        assert (
            managers_post["title"] == summary.title
            and "[查看详情](http://127.0.0.1:8000/problems/)" in (managers_post["text"])
        )
        # One e-mail a day to each, every section's page spelled out.
        assert sorted(m.to[0] for m in mail.outbox) == ["clerk@zd.example", "manager@zd.example"]
        [clerk_mail] = [m for m in mail.outbox if m.to == ["clerk@zd.example"]]
        assert clerk_mail.subject == notice.title
        assert "三、有1项问题整改逾期\n- 征地未完成" in clerk_mail.body
        assert "http://127.0.0.1:8000/projects/key/" in clerk_mail.body

        # The next day: one notice each again.
        with django_capture_on_commit_callbacks(execute=True):
            assert due.run(today=NOV_20, now=at(NOV_20)) == 3
        assert len(inbox(clerk)) == len(inbox(manager)) == 2
        assert len(inbox(clerk)[0].sections) == len(inbox(manager)[0].sections) == 3
        assert len(robot.requests) == 4 and len(mail.outbox) == 4


def test_it_names_milestones_and_problems_near_or_past_their_date_to_whom_they_concern(
    world, clerk, clerk2, manager
):
    late_milestone(world)
    late_milestone(world, "主体完工", date(2021, 11, 1), kind="complete", actual_date=NOV_19)  # reached
    late_milestone(world, "投用", date(2021, 11, 21), kind="operate")  # due in two days
    late_problem(world)
    late_problem(world, "已销号的问题", date(2021, 11, 1), status=Problem.Status.CLOSED, closed_on=NOV_19)
    due.run(today=NOV_19, now=at(NOV_19))

    [notice] = inbox(clerk)
    parts = {part["kind"]: part for part in notice.sections}
    assert list(parts) == ["week_overdue", "milestone_overdue", "milestone_due", "problem_overdue"]
    assert "开工" in parts["milestone_overdue"]["body"] and "主体完工" not in notice.body
    assert (
        "投用" in parts["milestone_due"]["body"]
        and parts["milestone_due"]["heading"] == "三、有1项项目节点即将到期"
    )
    assert "征地未完成" in parts["problem_overdue"]["body"] and "已销号的问题" not in notice.body
    # Approaching is the unit's business: the managers hear of what is overdue only.
    [summary] = inbox(manager)
    assert [p["kind"] for p in summary.sections] == ["week_overdue", "milestone_overdue", "problem_overdue"]
    # The other unit hears of its own weeks only.
    [other] = inbox(clerk2)
    assert other.kind == "week_overdue" and "中原科技城项目" not in other.body


def test_a_unit_with_only_a_milestone_due_soon_is_reminded_without_sections(world, clerk, manager):
    late_milestone(world, "投用", date(2021, 10, 8), kind="operate")
    friday = date(2021, 10, 8)  # nothing overdue yet: the week of 27 September was due on 4 October
    services.submit_week(
        user=clerk, department=world["econ"], week_start=date(2021, 9, 27), confirm_empty=True
    )
    due.run(today=friday, now=at(friday))
    [notice] = inbox(clerk)
    assert notice.title == "【提醒】经济发展局 有1项项目节点即将到期" and notice.kind == "milestone_due"
    assert notice.link == "/projects/key/" and "投用（计划2021-10-08）" in notice.body
    assert not [n for n in inbox(manager) if "项目节点" in n.title]


def test_the_inbox_opens_each_sections_own_page(client, world, clerk):
    late_milestone(world)
    late_problem(world)
    due.run(today=NOV_19, now=at(NOV_19))
    [notice] = inbox(clerk)
    client.force_login(clerk)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.count('class="note-part"') == 3 and "二、有1项项目节点逾期未完成" in page
    opened = [
        client.post(reverse("notifications:read", args=[notice.pk]), {"open": "1", "part": part})["Location"]
        for part in ("0", "1", "2", "9", "x")
    ]
    assert opened == [notice.link, "/projects/key/", "/problems/", notice.link, notice.link]
    notice.refresh_from_db()
    assert notice.is_read


def test_a_long_notice_reaches_a_wecom_robot_with_every_sections_heading_and_link(
    world, clerk, django_capture_on_commit_callbacks
):
    works = "地下综合管廊与给排水、燃气、电力管网配套工程竣工验收及移交"
    reason = "征地拆迁补偿款未足额到位，影响施工单位进场作业，需区财政局与街道办事处协调；"
    for n in range(10):
        late_milestone(world, f"第{n + 1}个节点：{works}", kind=f"k{n}")
        late_problem(world, f"第{n + 1}个问题：{reason * 2}")
    with FakeRobot() as robot:
        WebhookTarget.objects.create(
            name="经发局群", kind="wecom", url=robot.url("/econ"), department=world["econ"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            due.run(today=NOV_19, now=at(NOV_19))
        [post] = robot.requests
    content = post["json"]["markdown"]["content"]
    assert len(content.encode()) <= 4096
    for text in (
        "一、有6周数据逾期未报",
        "二、有10项项目节点逾期未完成",
        "三、有10项问题整改逾期",
        "第1个问题",
    ):
        assert text in content
    for link in ("/entry/2021-11-08/?dept=econ", "/projects/key/", "/problems/"):
        assert f"(http://127.0.0.1:8000{link})" in content
    # The inbox keeps every item, more than a robot takes.
    [notice] = inbox(clerk)
    assert "第10个问题" in notice.body and len(notice.body.encode()) > 4096
