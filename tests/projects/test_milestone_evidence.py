"""A milestone's proof (节点证明): uploaded by the project's unit or a manager from the
milestone's page (linked from the project page), seen by them and by officials; another
unit's clerk sees the page but not the files (403 on them)."""

from datetime import date

import pytest
from django.urls import reverse

from projects.models import KeyProject, Milestone
from targets.evidence.models import Evidence
from tests.targets.evidence import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone(departments):
    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])
    return Milestone.objects.create(
        project=project, kind="start", name="开工", planned_date=date(2021, 10, 20)
    )


def test_it_takes_milestone_proof_from_the_unit_and_links_it_from_the_project(
    client, media, clerk, clerk2, official, milestone
):
    url = reverse("projects:milestone_evidence", args=[milestone.pk])
    client.force_login(clerk)
    assert url in client.get(reverse("projects:key_detail", args=[milestone.project_id])).content.decode()
    response = client.post(
        url, {"files": [samples.upload("开工仪式.jpg", samples.jpeg_with_gps())]}, follow=True
    )
    (evidence,) = Evidence.objects.for_owner(milestone)
    assert (evidence.purpose, evidence.kind, evidence.original_name) == ("milestone", "photo", "开工仪式.jpg")
    assert f'src="/evidence/{evidence.pk}/thumb/"' in response.content.decode()
    client.force_login(official)
    assert client.get(evidence.get_absolute_url()).status_code == 200
    client.force_login(clerk2)
    page = client.get(url).content.decode()
    assert "证明材料仅责任单位" in page and f"/evidence/{evidence.pk}/" not in page
    assert client.get(evidence.get_absolute_url()).status_code == 403
    assert client.post(url, {"files": [samples.upload("x.jpg", samples.jpeg_with_gps())]}).status_code == 403
    assert Evidence.objects.count() == 1 and len(media()) == 2


def test_it_refuses_a_hostile_milestone_file_and_stores_nothing(client, media, clerk, milestone):
    client.force_login(clerk)
    url = reverse("projects:milestone_evidence", args=[milestone.pk])
    response = client.post(url, {"files": [samples.upload("shell.jpg", samples.PHP)]})
    assert response.status_code == 400 and "shell.jpg：文件类型不受支持" in response.content.decode()
    assert not Evidence.objects.exists() and media() == []
