"""进展·问题·措施: required for a lagging indicator when its week is submitted, optional
for the rest, kept with their history, refused whole."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from targets import rollups, services
from targets.models import AuditEvent, Indicator, ProgressNote, Submission
from targets.services import EntryInput, EntryRejected, NoteInput
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture, make_indicator  # noqa: F401

pytestmark = pytest.mark.django_db
REASON = "土地报批滞后，两个项目未能按期开工"
MEASURES = "协调自然资源局，11月底前完成报批"


@pytest.fixture
def lagging_week(clerk, indicators):
    """The clerk's week of 11 October: investment 2.6亿元 against 2.77 planned to Sunday
    (滞后), signings 10 against 9.24 (on pace)."""
    invest, signed, _hazards = indicators
    services.record_entries(
        user=clerk, rows=[EntryInput(invest, WEEK, "2.6"), EntryInput(signed, WEEK, "10")]
    )
    rollups.refresh([invest.pk, signed.pk], today=date(2021, 11, 19))
    return invest, signed


def _url(name, monday=WEEK):
    return reverse(name, args=[monday.isoformat()])


def test_it_says_which_indicators_lag_at_the_weeks_end(clerk, lagging_week):
    invest, signed = lagging_week
    assert services.notes_needed(invest.department, WEEK) == {invest.pk: "yellow"}
    assert services.week_statuses(invest.department, WEEK)[signed.pk] == "green"


def test_a_lagging_sum_of_the_unit_asks_no_note_nobody_could_write(clerk, lagging_week):
    """A sum (汇总) is computed, never entered: the week page offers no note for it, so
    its lag never holds the week back."""
    invest, signed = lagging_week
    total = make_indicator(invest.department, "total", name="投资合计", kind=Indicator.Kind.SUM, order=3)
    total.parts.set([invest])
    rollups.refresh([total.pk], today=date(2021, 11, 19))
    assert rollups.day_values([total.pk], WEEK + timedelta(days=6))[total.pk][-1].status == "yellow"
    assert services.notes_needed(invest.department, WEEK) == {invest.pk: "yellow"}
    services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=WEEK,
        notes=[NoteInput(invest, problems=REASON, measures=MEASURES)],
    )
    assert Submission.objects.get(department=invest.department, week_start=WEEK).status == "submitted"


def test_it_refuses_to_submit_a_lagging_week_without_its_reason_and_saves_nothing(clerk, lagging_week):
    invest, signed = lagging_week
    with pytest.raises(EntryRejected) as refused:
        services.submit_week(
            user=clerk,
            department=invest.department,
            week_start=WEEK,
            # A note on the indicator that keeps pace, and only progress on the lagging one.
            notes=[NoteInput(signed, progress="签约10个"), NoteInput(invest, progress="推进中")],
        )
    assert refused.value.errors == {
        ("note", invest.pk): [
            "“指标invest”滞后，请填写存在问题和下步措施后再提交。".replace("指标invest", invest.name)
        ]
    }
    assert not ProgressNote.objects.exists()
    assert Submission.objects.get(department=invest.department, week_start=WEEK).status == "draft"


def test_it_submits_with_the_reason_and_keeps_every_version(clerk, manager, lagging_week):
    invest, _signed = lagging_week
    services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=WEEK,
        notes=[NoteInput(invest, progress="完成2.6亿元", problems=REASON, measures=MEASURES)],
    )
    sub = Submission.objects.get(department=invest.department, week_start=WEEK)
    assert sub.status == "submitted"
    note = ProgressNote.objects.get()
    assert (note.problems, note.measures, note.status, note.author) == (REASON, MEASURES, "yellow", clerk)
    assert (note.period_start, note.period_end) == (WEEK, WEEK + timedelta(days=6))
    # Returned, then resubmitted with a sharper reason: both versions stay, latest first.
    services.return_week(user=manager, submission=sub, comment="原因写具体些")
    services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=WEEK,
        notes=[
            NoteInput(invest, progress="完成2.6亿元", problems=REASON + "（涉及2宗地）", measures=MEASURES)
        ],
    )
    assert list(ProgressNote.objects.values_list("problems", flat=True)) == [REASON + "（涉及2宗地）", REASON]
    assert AuditEvent.objects.filter(action="notes").count() == 2
    with pytest.raises(ValueError):
        ProgressNote.objects.first().save()


def test_it_takes_an_optional_note_on_an_indicator_that_keeps_pace(clerk, lagging_week):
    invest, signed = lagging_week
    ProgressNote.objects.create(
        indicator=invest,
        period_start=WEEK,
        period_end=WEEK + timedelta(days=6),
        problems=REASON,
        measures=MEASURES,
    )
    services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=WEEK,
        notes=[NoteInput(signed, progress="签约10个")],
    )
    assert ProgressNote.objects.filter(indicator=signed).get().progress == "签约10个"


def test_it_refuses_notes_on_another_departments_indicator(clerk, lagging_week, indicators):
    hazards = indicators[2]
    with pytest.raises(EntryRejected):
        services.record_progress_notes(
            user=clerk,
            department=indicators[0].department,
            week_start=WEEK,
            notes=[NoteInput(hazards, problems="x")],
        )
    assert not ProgressNote.objects.exists()


def test_the_week_page_marks_the_required_notes_before_submission(client, clerk, lagging_week):
    invest, signed = lagging_week
    client.force_login(clerk)
    page = client.get(_url("entry_week")).content.decode()
    assert "以下 1 项指标滞后于时间进度，提交前须填写存在问题和下步措施" in page
    required = page[page.index(f'id="note-{invest.pk}"') :]
    assert "必填" in required[: required.index("</legend>")]
    optional = page[page.index(f'id="note-{signed.pk}"') :]
    assert "必填" not in optional[: optional.index("</legend>")]


def test_the_week_page_refuses_the_submission_per_indicator_and_keeps_the_text(client, clerk, lagging_week):
    invest, signed = lagging_week
    client.force_login(clerk)
    response = client.post(
        _url("entry_submit"),
        {f"n_{invest.pk}_progress": "推进中", f"n_{signed.pk}_progress": "签约10个"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"“{invest.name}”滞后，请填写存在问题和下步措施后再提交。" in page
    assert "签约10个" in page and "推进中" in page  # what was typed comes back
    assert not ProgressNote.objects.exists()
    assert Submission.objects.get(week_start=WEEK).status == "draft"
    response = client.post(
        _url("entry_submit"),
        {f"n_{invest.pk}_problems": REASON, f"n_{invest.pk}_measures": MEASURES},
    )
    assert response.status_code == 302
    assert Submission.objects.get(week_start=WEEK).status == "submitted"
    # Submitted: the page shows the week's notes read-only.
    page = client.get(_url("entry_week")).content.decode()
    assert REASON in page and f'name="n_{invest.pk}_problems"' not in page


def test_the_indicator_department_and_overview_pages_show_the_reason(client, clerk, official, lagging_week):
    invest, _signed = lagging_week
    services.submit_week(
        user=clerk,
        department=invest.department,
        week_start=WEEK,
        notes=[NoteInput(invest, problems="旧的原因", measures=MEASURES)],
    )
    services.record_progress_notes(
        user=clerk,
        department=invest.department,
        week_start=WEEK + timedelta(days=7),
        notes=[NoteInput(invest, problems=REASON, measures=MEASURES)],
    )
    client.force_login(official)
    as_of = "?as_of=2021-10-24"
    page = client.get(reverse("indicator_detail", args=[invest.pk]) + as_of).content.decode()
    assert page.index(REASON) < page.index("旧的原因")  # latest first, history kept
    page = client.get(reverse("department_detail", args=[invest.department.code]) + as_of).content.decode()
    assert REASON in page
    page = client.get(reverse("home") + as_of).content.decode()
    behind = page[page.index('class="table behind') :]
    assert REASON in behind and "查看原因" in behind
    # As of a day before the later week, the page reads the note of that time.
    page = client.get(reverse("indicator_detail", args=[invest.pk]) + "?as_of=2021-10-17").content.decode()
    assert "旧的原因" in page and REASON not in page
