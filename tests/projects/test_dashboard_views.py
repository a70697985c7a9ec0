from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import (
    CoreBlock,
    KeyProject,
    Milestone,
    Problem,
    ProgressNote,
    RecoveryField,
    RecoveryProject,
    SafetyCampaign,
)
from tests.targets.dashboards.dashboard_fixtures import Q4, even, make_indicator, make_tree, roll_up

pytestmark = pytest.mark.django_db

AS_OF = date(2021, 11, 10)


@pytest.fixture
def tree(db):
    return make_tree()


def key_project(tree, code, *, block=None, level="city", behind=False, annual="40"):
    project = KeyProject.objects.create(
        code=code,
        name=f"项目{code}",
        level=level,
        core_block=block,
        annual_planned_investment=Decimal(annual),
        department=tree["econ"],
    )
    investment = make_indicator(
        f"{code}-investment",
        unit="亿元",
        target=annual,
        goal=tree["line"],
        department=tree["econ"],
        decimals=2,
    )
    roll_up(investment, even(Q4[0], AS_OF, "0.1" if behind else "0.5"), until=AS_OF)
    project.investment_indicator = investment
    project.save()
    return project


def test_it_lists_key_projects_with_investment_light_and_open_problems(client, official, tree):
    block = CoreBlock.objects.create(code="kunpeng", name="鲲鹏软件小镇")
    late = key_project(tree, "late", block=block, behind=True)
    key_project(tree, "fine", level="province")
    Milestone.objects.create(project=late, kind="start", name="开工", planned_date=date(2021, 10, 15))
    Problem.objects.create(key_project=late, title="征地未完成", department=tree["econ"], raised_on=Q4[0])
    client.force_login(official)
    response = client.get("/projects/key/", {"as_of": AS_OF.isoformat()})
    html = response.content.decode()
    rows = {p.code: p for p in response.context["table"].data}
    # 0.1 亿元 a day for 41 days = 4.1 of 40 planned; 0.5 a day: 20.5 ahead of plan.
    assert rows["late"].investment_done == Decimal("4.1")
    assert rows["late"].light == "red" and rows["fine"].light == "green"
    assert rows["late"].open_problems == 1
    assert "严重滞后" in html and "同步/超前" in html and "逾期" in html
    filtered = client.get("/projects/key/", {"as_of": AS_OF.isoformat(), "core_block": block.pk})
    assert [p.code for p in filtered.context["table"].data] == ["late"]
    by_level = client.get("/projects/key/", {"level": "province"})
    assert [p.code for p in by_level.context["table"].data] == ["fine"]
    ordered = client.get("/projects/key/", {"as_of": AS_OF.isoformat(), "sort": "-investment_done"})
    assert [row.record.code for row in ordered.context["table"].rows] == ["fine", "late"]


def test_it_shows_a_project_with_its_milestone_timeline_and_problems(client, official, tree):
    project = key_project(tree, "hq", behind=True)
    Milestone.objects.create(
        project=project,
        kind="start",
        name="开工",
        planned_date=date(2021, 10, 15),
        actual_date=date(2021, 10, 20),
    )
    Milestone.objects.create(project=project, kind="complete", name="建成", planned_date=date(2021, 12, 31))
    Problem.objects.create(
        key_project=project,
        title="管线迁改",
        owner="张三",
        department=tree["econ"],
        raised_on=Q4[0],
        due_date=date(2021, 11, 30),
    )
    client.force_login(official)
    response = client.get(f"/projects/key/{project.pk}/", {"as_of": AS_OF.isoformat()})
    html = response.content.decode()
    fig = response.context["figures"]["timeline"]
    assert fig["data"][0]["x"] == ["2021-10-15", "2021-12-31"]
    assert fig["data"][1]["x"] == ["2021-10-20", None]
    assert "逾期完成" in html and "未到期" in html
    assert "管线迁改" in html and "张三" in html and "2021-11-30" in html
    assert "plotly/plotly.min.js" in html


def safety_area(tree, code, name, kind, found, rectified, inspected=3):
    campaign = SafetyCampaign.objects.create(code=code, name=name, kind=kind, department=tree["safety"])
    parts = {}
    for measure, per_day in (("inspected", inspected), ("found", found), ("rectified", rectified)):
        indicator = make_indicator(
            f"safety-{code}-{measure}", goal=tree["risk"], department=tree["safety"], target=None
        )
        roll_up(indicator, even(Q4[0], AS_OF, per_day), until=AS_OF)
        campaign.indicators.add(indicator)
        parts[measure] = indicator
    return campaign


def test_it_shows_each_safety_area_with_rate_and_a_chart(client, official, tree):
    safety_area(tree, "nine-small", "“九小”场所", "rectification", found=2, rectified=1)
    safety_area(tree, "hazchem", "危化品", "sweep", found=1, rectified=1)
    client.force_login(official)
    response = client.get("/projects/safety/", {"as_of": AS_OF.isoformat()})
    html = response.content.decode()
    areas = {a.campaign.code: a for a in response.context["areas"]}
    assert areas["nine-small"].found == Decimal(82) and areas["nine-small"].rate == Decimal(50)
    assert areas["hazchem"].rate == Decimal(100)
    totals = response.context["totals"]
    # Σ rectified 82 ÷ Σ found 123 = 66.7 %.
    assert round(totals["rate"], 1) == Decimal("66.7")
    assert "66.7%" in html and "专项整治" in html and "拉网式排查整治" in html
    # One chart per area, by 旬 up to 11-10: 10月上旬, 中旬, 下旬, 11月上旬.
    assert html.count('data-chart="chart-area-') == 2
    assert len(areas["nine-small"].figure["data"][0]["x"]) == 4


def test_it_shows_recovery_by_field_with_counts_due_dates_and_bonds(client, official, tree):
    roads = RecoveryField.objects.create(code="transport", name="交通基础设施")
    batch = RecoveryProject.objects.create(
        code="repair-25",
        name="雁鸣路等25个项目",
        field=roads,
        planned_count=25,
        due_date=date(2021, 10, 31),
        department=tree["econ"],
    )
    done = make_indicator(
        "rec-repair-25-done",
        target="25",
        kind="level",
        goal=tree["line"],
        department=tree["econ"],
        end=date(2021, 10, 31),
    )
    roll_up(done, {date(2021, 10, 20): Decimal(25)}, until=AS_OF)
    batch.indicators.add(done)
    RecoveryProject.objects.create(
        code="bonds",
        name="灾后重建债券",
        bond_projects=81,
        bond_amount=Decimal("14.2"),
        department=tree["econ"],
    )
    client.force_login(official)
    html = client.get("/projects/recovery/", {"as_of": "2021-10-31"}).content.decode()
    assert "交通基础设施" in html and "雁鸣路等25个项目" in html and "2021-10-31" in html
    assert "81个 / 14.20亿元" in html  # the batch row: what is to be applied for
    assert "目标 14.20亿元" in html  # the card: a target, nothing applied for yet


def test_it_reads_key_projects_with_the_same_number_of_queries_at_5_and_50_projects(
    client, official, tree, django_assert_num_queries
):
    client.force_login(official)
    for i in range(5):
        key_project(tree, f"p{i}")
    with CaptureQueriesContext(connection) as small:
        client.get("/projects/key/", {"as_of": AS_OF.isoformat()})
    for i in range(5, 50):
        project = KeyProject.objects.create(code=f"p{i}", name=f"项目{i}", department=tree["econ"])
        ProgressNote.objects.create(project=project, date=AS_OF, text="主体施工")
        Milestone.objects.create(project=project, kind="start", name="开工", planned_date=date(2021, 10, 15))
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/projects/key/", {"as_of": AS_OF.isoformat()})


def test_it_exports_key_projects_and_an_indicator_table_for_managers_only(client, official, manager, tree):
    project = key_project(tree, "late", behind=True)
    indicator = project.investment_indicator
    client.force_login(official)
    assert client.get("/projects/key/", {"_export": "csv"}).status_code == 403
    assert client.get(f"/targets/indicators/{indicator.pk}/", {"_export": "xlsx"}).status_code == 403
    assert "导出 Excel" not in client.get("/projects/key/").content.decode()
    client.force_login(manager)
    assert "导出 Excel" in client.get("/projects/key/").content.decode()
    csv = client.get("/projects/key/", {"_export": "csv", "as_of": AS_OF.isoformat()})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "项目late" in text and "严重滞后" in text and "4.1" in text
    xlsx = client.get(f"/targets/indicators/{indicator.pk}/", {"_export": "xlsx", "period": "month"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_project_whose_milestones_are_still_to_come_says_so_not_no_plan(client, official, manager, tree):
    from targets import rollups

    project = KeyProject.objects.create(code="later", name="项目later", department=tree["econ"])
    Milestone.objects.create(project=project, kind="start", name="开工", planned_date=Q4[1])
    start = make_indicator(
        "later-start",
        name="项目later开工",
        kind="milestone",
        target=None,
        goal=tree["line"],
        department=tree["econ"],
    )
    project.indicators.add(start)
    rollups.refresh(today=date(2026, 1, 1))
    client.force_login(official)
    response = client.get("/projects/key/", {"as_of": AS_OF.isoformat()})
    (row,) = response.context["table"].rows
    assert row.record.light == "none"  # nothing to judge yet …
    assert row.get_cell("light") == '<span class="status status-none">未到期</span>'  # … and it says why
    goals = client.get("/targets/goals/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "项目later开工" in goals and "未到期" in goals and "无计划" not in goals
    # Once the due day has passed undone, it is overdue (the roll-up's red), not pending.
    overdue = client.get("/projects/key/", {"as_of": "2022-01-05"}).context["table"].rows
    assert "未到期" not in overdue[0].get_cell("light")
    client.force_login(manager)
    export = client.get("/projects/key/", {"as_of": AS_OF.isoformat(), "_export": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert "未到期" in lines[1]


def test_milestones_still_to_come_are_counted_apart_from_no_plan(client, official, tree):
    from targets import rollups, selectors
    from targets.reporting import reports

    for n, due in enumerate((Q4[1], Q4[1], date(2021, 11, 1))):
        make_indicator(
            f"m{n}", kind="milestone", target=None, end=due, goal=tree["line"], department=tree["econ"]
        )
    make_indicator("found", target=None, goal=tree["line"], department=tree["econ"])  # a count, no plan
    rollups.refresh(today=date(2026, 1, 1))
    counts, _ = selectors.status_counts_by("goal_id", AS_OF)
    line = counts[tree["line"].pk]
    # Two due on 31 December are still to come; the one due on 1 November is overdue.
    assert (line["pending"], line["none"], line["red"]) == (2, 1, 1)
    client.force_login(official)
    cards = '<li class="status status-none">未到期 <b>2</b></li>'
    assert cards in client.get("/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert cards in client.get("/targets/departments/econ/", {"as_of": AS_OF.isoformat()}).content.decode()
    report = reports.build("month", AS_OF)
    assert (report.totals.pending, report.totals.none, report.totals.total) == (2, 1, 4)
    assert "未到期 2 项，无计划或无数据 1 项" in reports.render_html(report)
