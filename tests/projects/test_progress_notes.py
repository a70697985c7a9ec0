"""形象进度 (a key project's physical progress): its unit's clerk or a manager adds a dated
entry from the project's page; it is a new row each time (the history stays), audited,
never in the future of the product's clock; another unit's clerk and officials get 403
and nothing is written."""

from datetime import date

import pytest
from django.urls import reverse

from projects.models import KeyProject, ProgressNote
from targets.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = date(2021, 11, 19)


@pytest.fixture(autouse=True)
def demo_day(settings):
    settings.DEMO_TODAY = TODAY


@pytest.fixture
def project(departments):
    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])
    ProgressNote.objects.create(project=project, date=date(2021, 10, 31), text="桩基施工完成60%")
    return project


def add(client, project, day, text):
    return client.post(reverse("projects:key_progress", args=[project.pk]), {"date": day, "text": text})


def test_the_units_clerk_adds_one_from_the_project_page_and_it_shows_first(client, clerk, project):
    client.force_login(clerk)
    detail = reverse("projects:key_detail", args=[project.pk])
    page = client.get(detail).content.decode()
    assert f'action="{reverse("projects:key_progress", args=[project.pk])}"' in page
    response = add(client, project, "2021-11-15", "  主体结构施工至3层  ")
    assert response.status_code == 302 and response.url == detail + "#progress"
    page = client.get(detail).content.decode()
    latest = page[page.index('class="progress-latest"') :]
    assert latest.index("主体结构施工至3层") < latest.index("2021-11-15") < latest.index("桩基施工完成60%")
    assert "形象进度已保存" in page
    note = ProgressNote.objects.get(text="主体结构施工至3层")
    assert (note.date, note.created_by, note.is_demo) == (date(2021, 11, 15), clerk, False)
    (event,) = AuditEvent.objects.filter(action="progress_note_add")
    assert (event.user, event.target, event.detail["note"]) == (clerk, f"key_project:{project.pk}", note.pk)


def test_a_new_entry_never_replaces_an_earlier_one(client, manager, project):
    client.force_login(manager)
    assert add(client, project, "2021-11-08", "主体结构施工至2层").status_code == 302
    assert add(client, project, "2021-11-19", "主体结构施工至4层").status_code == 302
    texts = list(ProgressNote.objects.filter(project=project).values_list("date", "text"))
    assert texts == [
        (date(2021, 11, 19), "主体结构施工至4层"),
        (date(2021, 11, 8), "主体结构施工至2层"),
        (date(2021, 10, 31), "桩基施工完成60%"),
    ]
    # The same day again is refused with a message, the first text kept.
    response = add(client, project, "2021-11-19", "主体结构施工至5层")
    assert response.status_code == 400 and "2021-11-19 已填报形象进度" in response.content.decode()
    assert ProgressNote.objects.get(project=project, date=TODAY).text == "主体结构施工至4层"


def test_another_units_clerk_and_an_official_get_403_and_nothing_is_written(
    client, clerk2, official, project
):
    for user in (clerk2, official):
        client.force_login(user)
        assert add(client, project, "2021-11-15", "主体结构封顶").status_code == 403
        assert client.get(reverse("projects:key_progress", args=[project.pk])).status_code == 403
        page = client.get(reverse("projects:key_detail", args=[project.pk])).content.decode()
        assert "保存形象进度" not in page
    assert list(ProgressNote.objects.values_list("text", flat=True)) == ["桩基施工完成60%"]
    assert not AuditEvent.objects.filter(action="progress_note_add").exists()


@pytest.mark.parametrize(
    ("day", "text", "message"),
    [
        ("2021-11-20", "主体结构封顶", "日期不能晚于今天（2021-11-19）"),
        ("2021-11-15", "   ", "该字段是必填项"),
        ("2021-11-15", "进" * 501, "501"),
        ("2021-13-01", "主体结构封顶", "输入一个有效的日期"),
    ],
)
def test_it_refuses_a_future_day_an_empty_or_overlong_text(client, clerk, project, day, text, message):
    client.force_login(clerk)
    response = add(client, project, day, text)
    assert response.status_code == 400 and message in response.content.decode()
    assert ProgressNote.objects.count() == 1
