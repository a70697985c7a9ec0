"""Evidence is served only by /evidence/<id>/ and /evidence/<id>/thumb/, to users the
owner's registered rule lets see it: photos inline, documents as attachments, never
sniffed, never cached; an owner model nobody registered shows its files to no one."""

import pytest

from targets import roles
from targets.evidence import registry
from targets.evidence.files import prepare
from targets.evidence.models import Evidence
from targets.evidence.services import attach_evidence
from targets.models import Department

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def department_owner(monkeypatch, departments):
    """Departments may own evidence for this test: seen by their own clerks and by
    readers of every unit, attached by their clerks."""
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))
    registry.register(
        Department,
        can_view=lambda user, dept: roles.can(user, roles.VIEW_ALL) or roles.can_edit_department(user, dept),
        can_attach=roles.can_edit_department,
    )
    return departments[0]


def attach(user, owner, name, data, **kwargs):
    return attach_evidence(
        user=user, owner=owner, prepared=prepare(samples.upload(name, data), **kwargs), purpose="progress"
    )


def test_it_stores_a_photo_under_a_name_of_its_own_and_records_who_and_what(media, department_owner, clerk):
    evidence = attach(clerk, department_owner, "../../../static/css/site.css.jpg", samples.jpeg_with_gps())
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".jpg")
    assert "site" not in evidence.file.name
    assert sorted(media()) == sorted([evidence.file.name, evidence.thumbnail.name])
    assert (evidence.kind, evidence.uploaded_by, evidence.size) == ("photo", clerk, evidence.file.size)
    assert len(evidence.sha256) == 64 and evidence.original_name == "site.css.jpg"
    assert list(Evidence.objects.for_owner(department_owner)) == [evidence]


def test_it_serves_a_photo_inline_and_its_thumbnail_with_safe_headers(client, media, department_owner, clerk):
    evidence = attach(clerk, department_owner, "工地.jpg", samples.jpeg_with_gps())
    client.force_login(clerk)
    response = client.get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    body = b"".join(response.streaming_content)
    assert body == evidence.file.open("rb").read() and b"HUAWEI" not in body
    thumb = client.get(f"/evidence/{evidence.pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_it_serves_a_document_as_an_attachment_and_has_no_thumbnail_for_it(
    client, media, department_owner, clerk
):
    evidence = attach(clerk, department_owner, "整改报告.pdf", samples.PDF)
    client.force_login(clerk)
    response = client.get(f"/evidence/{evidence.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert client.get(f"/evidence/{evidence.pk}/thumb/").status_code == 404


def test_it_refuses_the_file_to_users_the_owner_rule_refuses(
    client, media, department_owner, clerk, clerk2, official, outsider
):
    evidence = attach(clerk, department_owner, "a.jpg", samples.jpeg_with_gps())
    for user, expected in ((clerk2, 403), (outsider, 403), (official, 200)):
        client.force_login(user)
        for url in (f"/evidence/{evidence.pk}/", f"/evidence/{evidence.pk}/thumb/"):
            assert client.get(url).status_code == expected, (user, url)
    client.logout()
    assert client.get(f"/evidence/{evidence.pk}/")["Location"].startswith("/accounts/login/")


def test_it_shows_no_file_of_an_owner_model_nobody_registered(
    client, media, department_owner, clerk, manager
):
    evidence = attach(clerk, department_owner, "a.jpg", samples.jpeg_with_gps())
    registry._RULES.pop(Department)
    client.force_login(manager)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 403


def test_it_refuses_to_attach_for_someone_the_rule_refuses(media, department_owner, clerk2):
    from targets.evidence.files import EvidenceRefused

    with pytest.raises(EvidenceRefused) as refused:
        attach(clerk2, department_owner, "a.jpg", samples.jpeg_with_gps())
    assert refused.value.code == "forbidden"
    assert media() == [] and not Evidence.objects.exists()


def test_it_answers_404_for_a_missing_file_and_never_serves_media_by_path(
    client, media, department_owner, clerk
):
    evidence = attach(clerk, department_owner, "a.jpg", samples.jpeg_with_gps())
    client.force_login(clerk)
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404
    assert client.get("/evidence/999999/").status_code == 404
