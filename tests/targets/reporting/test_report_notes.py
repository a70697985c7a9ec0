"""The reports carry the why: each lagging indicator's 进展·问题·措施, and the sections
other apps register (numbered after the lagging indicators)."""

from datetime import date, timedelta

import pytest

from targets.models import ProgressNote
from targets.reporting import reports, sections
from tests.targets.reporting import test_report
from tests.targets.reporting.test_report import pdf_text

world = test_report.world  # the report tests' figures (a fixture)

pytestmark = pytest.mark.django_db
REASON = "汛后排查人手不足"
MEASURES = "抽调街道力量集中整改"


def _note(indicator, monday, problems, measures=MEASURES):
    return ProgressNote.objects.create(
        indicator=indicator,
        period_start=monday,
        period_end=monday + timedelta(days=6),
        problems=problems,
        measures=measures,
        status="red",
    )


def test_the_month_pdf_gives_each_lagging_indicators_reason_and_measures(client, manager, world, tmp_path):
    hazards = world["hazards"]
    _note(hazards, date(2021, 11, 8), "旧原因")
    _note(hazards, date(2021, 11, 15), REASON)
    _note(hazards, date(2021, 11, 22), "月底之后的原因")  # about a week after the as-of date
    client.force_login(manager)
    response = client.get("/reports/month/2021-11-01.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "二、滞后指标及原因、措施" in text
    lagging = text[text.index("二、滞后指标及原因、措施") :]
    assert "隐患整改（示例）" in lagging
    assert f"存在问题：{REASON}" in lagging and f"下步措施：{MEASURES}" in lagging
    assert "旧原因" not in text and "月底之后的原因" not in text


def test_a_lagging_indicator_without_a_note_says_so(world):
    data = reports.build("month", date(2021, 11, 1))
    html = reports.render_html(data, for_pdf=True)
    said = html[html.index("尚未填写原因和措施：") :]
    assert "隐患整改（示例）" in said[: said.index("</p>")]


def test_registered_sections_come_numbered_after_the_lagging_indicators(world):
    def builder(period, as_of):
        return sections.ReportSection(
            title="测试板块",
            template="reports/_paragraphs.html",
            context={"paragraphs": [f"{period.start}至{as_of}"]},
        )

    sections.register("zz-test", builder, order=1)
    try:
        data = reports.build("month", date(2021, 11, 1))
        html = reports.render_html(data, for_pdf=True)
    finally:
        sections.unregister("zz-test")
    titles = [(part.number, getattr(part, "title", None)) for part in data.contributed]
    assert titles[0] == ("三、", "测试板块")
    assert [s.number for s in data.sections][0] == f"{reports.chinese_number(3 + len(data.contributed))}、"
    assert html.index("三、测试板块") < html.index(data.sections[0].number + data.sections[0].goal.name)
    assert "2021-11-01至2021-11-19" in html


def test_it_numbers_sections_in_chinese():
    assert [reports.chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
