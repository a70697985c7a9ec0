"""Progress reports: data from PeriodValue, printable HTML, A4 PDF with Chinese text,
the archive, the Monday job and who may see them."""

import subprocess
from datetime import date
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from targets.models import AuditEvent, Report
from targets.reporting import reports
from targets.tasks import build_weekly_report
from tests.targets.dashboards.dashboard_fixtures import even, make_indicator, make_tree, roll_up

pytestmark = pytest.mark.django_db

UNTIL = date(2021, 11, 19)


@pytest.fixture
def world(settings, tmp_path, departments):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_TODAY = UNTIL  # figures are entered up to today
    tree = make_tree()
    investment = make_indicator(
        "kp-investment",
        name="省市重点项目完成投资",
        goal=tree["line"],
        department=tree["econ"],
        target="433.2",
        unit="亿元",
        start=date(2021, 1, 1),
        end=date(2021, 12, 31),
        tracking_start=date(2021, 10, 1),
        opening_value=Decimal("300"),
        decimals=2,
    )
    roll_up(investment, even(date(2021, 10, 1), UNTIL, "1.5"), until=UNTIL)
    hazards = make_indicator(
        "hazards-fixed", name="隐患整改（示例）", goal=tree["risk"], department=tree["safety"], target="920"
    )
    roll_up(hazards, even(date(2021, 10, 1), UNTIL, "2"), until=UNTIL)  # 2 a day of 10 planned
    return {"investment": investment, "hazards": hazards}


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(data: bytes, tmp_path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def test_it_reads_the_period_figures_from_the_rollup(world):
    week = reports.build("week", date(2021, 11, 17))
    assert week.period.start == date(2021, 11, 15) and week.period.end == date(2021, 11, 21)
    assert week.as_of == UNTIL  # the week is still running on Friday: the report says so
    lines = {line.row.code: line for section in week.sections for line in section.lines}
    assert lines["kp-investment"].period_actual == Decimal("7.5")  # Mon–Fri × 1.5
    # 300 before October + 50 days × 1.5
    assert lines["kp-investment"].row.cumulative_actual == Decimal("375")
    month = reports.build("month", date(2021, 11, 30))
    lines = {line.row.code: line for section in month.sections for line in section.lines}
    assert lines["hazards-fixed"].period_actual == Decimal("38")  # 19 days × 2
    assert [line.row.code for line in month.behind] == ["hazards-fixed", "kp-investment"]


def test_it_titles_each_kind_of_report():
    assert reports.report_title(reports.report_period("quarter", date(2021, 11, 3))) == (
        "郑东新区2021年第四季度目标任务进展报告"
    )
    assert reports.report_title(reports.report_period("month", date(2021, 11, 3))) == (
        "郑东新区2021年11月目标任务进展报告"
    )
    assert reports.report_title(reports.report_period("week", date(2021, 11, 17))) == (
        "郑东新区2021年第46周目标任务进展报告"
    )


def test_it_makes_an_a4_pdf_with_the_chinese_title_and_figures(client, manager, world, tmp_path):
    client.force_login(manager)
    response = client.get("/reports/quarter/2021-10-01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert 'filename="report-quarter-2021-10-01.pdf"' in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "郑东新区2021年第四季度目标任务进展报告_2021-10-01.pdf"
    text = pdf_text(response.content, tmp_path)
    assert "郑东新区2021年第四季度目标任务进展报告" in text
    assert "数据截至" in text and "2021年11月19日" in text
    assert "433.2" in text  # the investment target
    assert "375.00" in text  # its cumulative figure on 19 November
    assert "滞后指标" in text and "隐患整改（示例）" in text
    assert "第 2 页，共" in text  # page numbers from the second page on
    info = pdf_info(response.content, tmp_path)
    assert "(A4)" in info
    assert AuditEvent.objects.filter(action="export", user=manager, detail__format="pdf").exists()


def test_it_shows_the_printable_html_report_to_managers(client, manager, world):
    client.force_login(manager)
    response = client.get("/reports/month/2021-11-01/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "郑东新区2021年11月目标任务进展报告" in page
    assert "<svg" in page  # charts are vector, inline
    assert 'href="/reports/month/2021-11-01.pdf"' in page
    assert "https://" not in page.replace("https://report.invalid", "")  # nothing external


def test_it_moves_any_day_to_the_start_of_its_period(client, manager, world):
    client.force_login(manager)
    response = client.get("/reports/week/2021-11-17/")
    assert response.status_code == 302
    assert response["Location"] == "/reports/week/2021-11-15/"
    assert client.get("/reports/week/2021-02-30/").status_code == 404


@pytest.mark.parametrize("who", ["clerk", "official", "outsider"])
def test_it_keeps_reports_from_everyone_but_managers(client, request, who, world):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/month/2021-11-01/").status_code == 403
    assert client.get("/reports/month/2021-11-01.pdf").status_code == 403


def test_it_never_fetches_anything_but_local_static_files():
    fetcher = reports._local_fetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch("https://example.com/evil.css")
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch("file:///etc/passwd")
    css = fetcher.fetch(reports.PDF_BASE_URL + settings.STATIC_URL.strip("/") + "/reports/report.css")
    assert b"@page" in css.read()


def test_it_styles_the_pdf_from_the_collected_hashed_stylesheet(settings, tmp_path):
    # Production pages name static files by hash (reports/report.<hash>.css): only the
    # folder collectstatic filled has them; no finder does.
    settings.STATIC_ROOT = tmp_path / "static"
    hashed = settings.STATIC_ROOT / "reports" / "report.0123456789ab.css"
    hashed.parent.mkdir(parents=True)
    hashed.write_text("@page { size: A4 }")
    fetcher = reports._local_fetcher()
    css = fetcher.fetch(
        reports.PDF_BASE_URL + settings.STATIC_URL.strip("/") + "/reports/report.0123456789ab.css"
    )
    assert css.read() == b"@page { size: A4 }"
    with pytest.raises(ValueError, match="no such static file"):
        fetcher.fetch(reports.PDF_BASE_URL + settings.STATIC_URL.strip("/") + "/reports/missing.css")
    with pytest.raises(ValueError, match="no such static file"):
        fetcher.fetch(reports.PDF_BASE_URL + settings.STATIC_URL.strip("/") + "/../../zhengdong/settings.py")


def test_the_monday_job_archives_the_week_and_emails_managers(client, manager, official, world, tmp_path):
    manager.email = "manager@example.com"
    manager.save()
    official.email = "official@example.com"
    official.save()
    report_id = build_weekly_report("2021-11-22")  # Monday 22 November → the week of the 15th
    report = Report.objects.get(pk=report_id)
    assert (report.kind, report.period_start, report.period_end) == (
        "week",
        date(2021, 11, 15),
        date(2021, 11, 21),
    )
    assert report.file.path.startswith(str(settings.MEDIA_ROOT))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["manager@example.com"]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    assert "郑东新区2021年第46周目标任务进展报告" in pdf_text(mail.outbox[0].attachments[0][1], tmp_path)

    build_weekly_report("2021-11-24")  # a rerun the same week replaces the copy
    assert Report.objects.filter(kind="week", period_start=date(2021, 11, 15)).count() == 1
    report = Report.objects.get()

    client.force_login(manager)
    archive = client.get("/reports/").content.decode()
    assert "郑东新区2021年第46周目标任务进展报告" in archive
    download = client.get(reverse("report_download", args=[report.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", detail__report=report.pk).exists()
    assert client.get("/" + settings.MEDIA_URL + report.file.name).status_code == 404  # never public
    client.force_login(official)
    assert client.get(reverse("report_download", args=[report.pk])).status_code == 403


def test_it_schedules_the_weekly_report_on_monday_at_nine():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-progress-report"]
    assert entry["task"] == "targets.tasks.build_weekly_report"
    schedule = entry["schedule"]
    assert schedule.hour == {9} and schedule.minute == {0} and schedule.day_of_week == {1}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_finds_a_report_from_the_menu(
    page, live_server, login_page, settings, tmp_path, departments
):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tests.conftest import make_user, screenshot

    manager = make_user("manager", "managers")
    tree = make_tree()
    investment = make_indicator(
        "kp-investment",
        name="省市重点项目完成投资",
        goal=tree["line"],
        department=tree["econ"],
        target="433.2",
    )
    roll_up(investment, even(date(2021, 10, 1), UNTIL, "1.5"), until=UNTIL)
    login_page(manager)
    page.click("nav.mainnav >> text=报告")
    screenshot(page, "report-archive")
    page.click("a[href='/reports/month/2021-11-01/']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "郑东新区2021年11月目标任务进展报告"
    assert page.locator("figure.chart svg").count() >= 2
    screenshot(page, "report-month-html")
