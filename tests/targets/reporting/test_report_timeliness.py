"""The week report's annex: the on-time ranking of the units, as it stood at the end of
the report's as-of day."""

from datetime import date

import pytest
import time_machine

from targets.reporting import reports
from tests.targets.entry.entry_helpers import indicators_fixture  # noqa: F401
from tests.targets.entry.timeliness_helpers import NOW, OCT18, calendar_fixture  # noqa: F401
from tests.targets.reporting.test_report import pdf_text

pytestmark = pytest.mark.django_db


def test_the_week_report_ranks_the_units_in_its_pdf(calendar, tmp_path):
    with time_machine.travel(NOW, tick=False):
        data = reports.build("week", date(2021, 11, 2))
        text = pdf_text(reports.render_pdf(data), tmp_path)
    assert "附：各单位按时报送率排名" in text
    assert "2021-09-27 至 2021-10-31 已过报送期限（次周一12:00）的 5 周" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "1 城市建设局 5 5 0 0 100.0%" in lines
    assert "2 并列 应急管理局 5 3 1 1 60.0%" in lines
    assert "2 并列 经济发展局 5 3 1 1 60.0%" in lines
    assert "4 文化旅游局 5 0 0 5 0.0%" in lines


def test_a_past_week_report_counts_the_weeks_due_by_its_end(calendar):
    # The week of 18 Oct, built on 2 November: as of Sunday 24 Oct, the weeks up to that of
    # 11 Oct were due; the late week of 25 Oct and later sendings do not count.
    with time_machine.travel(NOW, tick=False):
        data = reports.build("week", OCT18)
    ranking = data.extra["timeliness"]
    assert (ranking.weeks, ranking.last) == (3, date(2021, 10, 11))
    rows = [(s.rank, s.tied, s.department.code, s.on_time, s.late, s.missing) for s in ranking.standings]
    assert rows == [
        (1, True, "urban", 3, 0, 0),
        (1, True, "safety", 3, 0, 0),
        (3, False, "econ", 2, 1, 0),
        (4, False, "culture", 0, 0, 3),
    ]


def test_month_and_quarter_reports_have_no_ranking(calendar):
    with time_machine.travel(NOW, tick=False):
        assert "timeliness" not in reports.build("month", date(2021, 10, 1)).extra
        quarter = reports.render_html(reports.build("quarter", date(2021, 10, 1)))
    assert "附：各单位按时报送率排名" not in quarter
