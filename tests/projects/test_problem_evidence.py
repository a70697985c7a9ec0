"""Evidence on problems, through the pages and the API: photos with the raise form, proof
with 申请销号 (required, or said to be missing on purpose), thumbnails on the problem
page, files listed by the API; hostile files refused quickly with a clear message and
nothing stored; another unit's clerk sees the problem but not its files."""

import time
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import KeyProject, Problem
from projects.services import ProblemRefused, move_problem, raise_problem
from targets.evidence.models import Evidence
from targets.models import AuditEvent
from tests.targets.evidence import samples

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture
def project(departments):
    return KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])


@pytest.fixture
def problem(project, clerk):
    return raise_problem(
        user=clerk,
        department=project.department,
        title="征地未完成",
        due_date=date(2021, 12, 1),
        key_project=project,
    )


def raise_form(project, **files):
    return {
        "title": "围挡破损",
        "department": project.department_id,
        "severity": "general",
        "due_date": "2021-12-01",
        "key_project": project.pk,
        **files,
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_raises_a_problem_with_photos_shown_as_thumbnails(client, media, clerk, project):
    client.force_login(clerk)
    photos = [
        samples.upload("工地东侧.jpg", samples.jpeg_with_gps()),
        samples.upload("b.png", samples.image_bytes("PNG")),
    ]
    response = client.post(reverse("problems:raise"), raise_form(project, photos=photos), follow=True)
    problem = Problem.objects.get()
    evidence = list(Evidence.objects.for_owner(problem))
    assert [(e.purpose, e.kind) for e in evidence] == [("problem_photo", "photo")] * 2
    page = response.content.decode()
    for e in evidence:
        assert f'src="/evidence/{e.pk}/thumb/"' in page and f'href="/evidence/{e.pk}/"' in page
    assert "问题照片" in page and "(2)" in page
    assert len(media()) == 4  # two photos, two thumbnails


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("shell.jpg", samples.PHP, "文件类型不受支持"),
        ("page.jpg", samples.HTML, "文件类型不受支持"),
        ("bomb.png", samples.png_bomb(), "图片像素过多"),
    ],
)
def test_it_refuses_a_hostile_file_on_the_raise_form_and_raises_nothing(
    client, media, clerk, project, name, data, message
):
    client.force_login(clerk)
    start = time.perf_counter()
    response = client.post(
        reverse("problems:raise"), raise_form(project, photos=[samples.upload(name, data)])
    )
    elapsed = time.perf_counter() - start
    print(f"refused {name} ({len(data)} bytes) on the raise form in {elapsed * 1000:.1f} ms")
    assert elapsed < 1
    assert message in response.content.decode() and name in response.content.decode()
    assert not Problem.objects.exists() and not Evidence.objects.exists() and media() == []


def test_it_refuses_a_100_mb_upload_from_its_length_without_reading_it(
    client, media, clerk, project, tmp_path
):
    client.force_login(clerk)
    stream = samples.MultipartStream(
        {k: v for k, v in raise_form(project).items()},
        "photos",
        "big.jpg",
        samples.sparse_file(tmp_path / "big", 100 * MB),
    )
    start = time.perf_counter()
    response = samples.post_stream(client, reverse("problems:raise"), stream)
    elapsed = time.perf_counter() - start
    stream.close()
    print(
        f"refused a 100 MB upload on the raise form in {elapsed * 1000:.1f} ms, {stream.consumed} bytes read"
    )
    assert response.status_code == 413
    assert "文件过大：每个文件不能超过 10 MB" in response.content.decode()
    assert stream.consumed == 0 and elapsed < 1
    assert not Problem.objects.exists() and media() == []


def test_it_drops_a_file_past_the_cap_while_it_streams(client, media, clerk, project, tmp_path, settings):
    """A body small enough to be read (the cap plus the form's margin) with one file just
    over the cap: the file is dropped as it streams and named in the answer."""
    client.force_login(clerk)
    size = settings.EVIDENCE_MAX_BYTES + 1
    stream = samples.MultipartStream(
        dict(raise_form(project)), "photos", "大图.jpg", samples.sparse_file(tmp_path / "big", size)
    )
    start = time.perf_counter()
    response = samples.post_stream(client, reverse("problems:raise"), stream)
    elapsed = time.perf_counter() - start
    stream.close()
    print(f"refused a {size} byte file while streaming in {elapsed * 1000:.1f} ms")
    page = response.content.decode()
    assert "大图.jpg：文件过大" in page and elapsed < 2
    assert not Problem.objects.exists() and media() == []


def test_it_asks_proof_to_request_close_and_takes_it_with_the_request(client, media, clerk, manager, problem):
    url = reverse("problems:detail", args=[problem.pk])
    client.force_login(clerk)
    client.post(url, {"move": "start"})
    response = client.post(url, {"move": "request_close", "comment": "已完成征地"})
    assert response.status_code == 400 and "申请销号须附整改证明" in response.content.decode()
    proof = samples.upload("协议.pdf", samples.PDF, "application/pdf")
    response = client.post(
        url, {"move": "request_close", "comment": "已完成征地", "files": [proof]}, follow=True
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSE_REQUESTED
    (evidence,) = Evidence.objects.for_owner(problem)
    assert (evidence.purpose, evidence.kind, evidence.original_name) == ("close", "document", "协议.pdf")
    assert "销号证明" in response.content.decode() and "协议.pdf" in response.content.decode()
    audit = AuditEvent.objects.get(action="problem_request_close")
    assert audit.detail["evidence"] == [evidence.pk] and not audit.detail["without_evidence"]


def test_it_lets_request_close_without_proof_only_when_said_on_purpose(problem, clerk):
    move_problem(user=clerk, problem=problem, move="start")
    with pytest.raises(ProblemRefused) as refused:
        move_problem(user=clerk, problem=problem, move="request_close", comment="完成")
    assert refused.value.fields == {"evidence": [refused.value.message]}
    problem = move_problem(
        user=clerk,
        problem=problem,
        move="request_close",
        comment="现场已拆除，无法拍照",
        without_evidence=True,
    )
    assert problem.status == Problem.Status.CLOSE_REQUESTED
    assert AuditEvent.objects.get(action="problem_request_close").detail["without_evidence"] is True


def test_it_counts_proof_uploaded_while_rectifying(client, media, clerk, problem):
    url = reverse("problems:detail", args=[problem.pk])
    client.force_login(clerk)
    client.post(url, {"move": "start"})
    client.post(url, {"move": "attach", "files": [samples.upload("a.jpg", samples.jpeg_with_gps())]})
    assert [e.purpose for e in Evidence.objects.for_owner(problem)] == ["rectification"]
    client.post(url, {"move": "request_close", "comment": "完成"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSE_REQUESTED


def test_it_keeps_the_photo_location_only_when_ticked(client, media, clerk, problem):
    from PIL import ExifTags, Image

    url = reverse("problems:detail", args=[problem.pk])
    client.force_login(clerk)
    client.post(url, {"move": "attach", "files": [samples.upload("a.jpg", samples.jpeg_with_gps())]})
    client.post(
        url,
        {
            "move": "attach",
            "keep_location": "on",
            "files": [samples.upload("b.jpg", samples.jpeg_with_gps())],
        },
    )
    stripped, kept = Evidence.objects.for_owner(problem)
    assert dict(Image.open(stripped.file.open("rb")).getexif()) == {}
    assert dict(Image.open(kept.file.open("rb")).getexif().get_ifd(ExifTags.IFD.GPSInfo)) == samples.GPS
    assert (stripped.kept_location, kept.kept_location) == (False, True)
    page = client.get(url).content.decode()
    assert page.count("含拍摄位置") == 1


def test_it_shows_another_units_clerk_the_problem_but_not_its_files(
    client, media, clerk, clerk2, official, problem
):
    client.force_login(clerk)
    url = reverse("problems:detail", args=[problem.pk])
    client.post(url, {"move": "attach", "files": [samples.upload("a.jpg", samples.jpeg_with_gps())]})
    evidence = Evidence.objects.get()
    client.force_login(clerk2)
    page = client.get(url).content.decode()
    assert "证明材料仅责任单位、管理员和领导可见" in page and f"/evidence/{evidence.pk}/" not in page
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 403
    assert client.get(f"/evidence/{evidence.pk}/thumb/").status_code == 403
    assert (
        client.post(
            url, {"move": "attach", "files": [samples.upload("b.jpg", samples.jpeg_with_gps())]}
        ).status_code
        == 403
    )
    assert api(clerk2).get(f"/api/v1/problems/{problem.pk}/").json()["evidence"] == []
    assert len(api(official).get(f"/api/v1/problems/{problem.pk}/").json()["evidence"]) == 1
    assert Evidence.objects.count() == 1


def test_it_takes_evidence_through_the_api_and_lists_it(media, clerk, clerk2, official, problem):
    url = f"/api/v1/problems/{problem.pk}/evidence/"
    response = api(clerk).post(
        url, {"file": samples.upload("现场.jpg", samples.jpeg_with_gps())}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["purpose"], body["name"], body["mime_type"]) == (
        "photo",
        "problem_photo",
        "现场.jpg",
        "image/jpeg",
    )
    assert body["url"] == f"http://testserver/evidence/{body['id']}/"
    assert body["thumbnail_url"] == f"http://testserver/evidence/{body['id']}/thumb/"
    listed = api(clerk).get(f"/api/v1/problems/{problem.pk}/").json()["evidence"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert (
        api(clerk2)
        .post(url, {"file": samples.upload("x.jpg", samples.jpeg_with_gps())}, format="multipart")
        .status_code
        == 403
    )
    assert (
        api(official)
        .post(url, {"file": samples.upload("x.jpg", samples.jpeg_with_gps())}, format="multipart")
        .status_code
        == 403
    )
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("shell.jpg", samples.PHP, 400, "文件类型不受支持"),
        ("page.jpg", samples.HTML, 400, "文件类型不受支持"),
        ("bomb.png", samples.png_bomb(), 400, "图片像素过多"),
    ],
)
def test_it_refuses_a_hostile_file_through_the_api(media, clerk, problem, name, data, status, message):
    start = time.perf_counter()
    response = api(clerk).post(
        f"/api/v1/problems/{problem.pk}/evidence/", {"file": samples.upload(name, data)}, format="multipart"
    )
    elapsed = time.perf_counter() - start
    print(f"API refused {name} in {elapsed * 1000:.1f} ms")
    assert response.status_code == status and elapsed < 1
    assert message in response.json()["error"]["message"]
    assert not Evidence.objects.exists() and media() == []


def test_it_refuses_a_100_mb_api_upload_from_its_length(media, clerk, problem, tmp_path, client):
    client.force_login(clerk)
    stream = samples.MultipartStream({}, "file", "big.jpg", samples.sparse_file(tmp_path / "big", 100 * MB))
    start = time.perf_counter()
    response = samples.post_stream(client, f"/api/v1/problems/{problem.pk}/evidence/", stream)
    elapsed = time.perf_counter() - start
    stream.close()
    print(f"API refused a 100 MB upload in {elapsed * 1000:.1f} ms, {stream.consumed} bytes read")
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert "不能超过 10 MB" in response.json()["error"]["message"]
    assert stream.consumed == 0 and elapsed < 1
    assert not Evidence.objects.exists() and media() == []


def test_it_takes_no_file_for_a_closed_problem(media, clerk, manager, problem):
    move_problem(user=clerk, problem=problem, move="start")
    move_problem(user=clerk, problem=problem, move="request_close", comment="完成", without_evidence=True)
    move_problem(user=manager, problem=problem, move="close")
    response = api(manager).post(
        f"/api/v1/problems/{problem.pk}/evidence/",
        {"file": samples.upload("a.jpg", samples.jpeg_with_gps())},
        format="multipart",
    )
    assert response.status_code == 409 and media() == []


def test_it_still_checks_csrf_on_the_pages_that_take_files(media, clerk, problem, project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    photo = samples.upload("a.jpg", samples.jpeg_with_gps())
    assert client.post(reverse("problems:raise"), raise_form(project, photos=[photo])).status_code == 403
    url = reverse("problems:detail", args=[problem.pk])
    assert client.post(url, {"move": "attach", "files": [photo]}).status_code == 403
    assert Problem.objects.count() == 1 and media() == []


@pytest.mark.django_db(transaction=True)
def test_it_answers_a_100_mb_upload_over_http_before_the_body_is_sent(live_server, media, departments, clerk):
    """Through a real HTTP server and socket: the headers and the first 64 KB of a 100 MB
    body are sent, and the refusal is read back at once; the rest is never sent."""
    import http.client
    from urllib.parse import urlsplit

    from rest_framework.authtoken.models import Token

    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=departments[0])
    problem = raise_problem(
        user=clerk, department=project.department, title="围挡", due_date=None, key_project=project
    )
    token = Token.objects.create(user=clerk).key
    address = urlsplit(live_server.url)
    warm = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    warm.request("GET", f"/api/v1/problems/{problem.pk}/", headers={"Authorization": f"Token {token}"})
    assert warm.getresponse().status == 200  # the server's first answer loads the URL conf
    warm.close()
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    start = time.perf_counter()
    connection.putrequest("POST", f"/api/v1/problems/{problem.pk}/evidence/")
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", "multipart/form-data; boundary=zd")
    connection.putheader("Content-Length", str(100 * MB))
    connection.endheaders()
    connection.send(b'--zd\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n')
    connection.send(b"\xff\xd8\xff" + b"\x00" * (64 * 1024))
    response = connection.getresponse()
    elapsed = time.perf_counter() - start
    body = response.read().decode()
    print(f"HTTP: a 100 MB upload refused in {elapsed * 1000:.1f} ms, 64 KB of it sent")
    connection.close()
    assert response.status == 413 and "不能超过 10 MB" in body
    assert elapsed < 1
    assert not Evidence.objects.exists() and media() == []


def test_it_answers_413_for_an_api_file_dropped_while_streaming(
    client, media, clerk, problem, tmp_path, settings
):
    client.force_login(clerk)
    size = settings.EVIDENCE_MAX_BYTES + 1
    stream = samples.MultipartStream({}, "file", "big.jpg", samples.sparse_file(tmp_path / "big", size))
    response = samples.post_stream(client, f"/api/v1/problems/{problem.pk}/evidence/", stream)
    stream.close()
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert not Evidence.objects.exists() and media() == []
