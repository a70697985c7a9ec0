"""Migration 0004: the typed status of a key project becomes the milestones it implied,
and the stage is read from them from then on."""

from datetime import date

from projects.models import KeyProject, Milestone


def test_it_turns_each_typed_status_into_the_steps_it_implied(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    old = [("projects", "0003_problem_open_to_todo"), ("targets", "0013_indicator_sum_parts")]
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    Department = apps.get_model("targets", "Department")
    OldKeyProject = apps.get_model("projects", "KeyProject")
    OldMilestone = apps.get_model("projects", "Milestone")
    dep = Department.objects.create(code="d", name="单位")

    def project(code, status, **dates):
        return OldKeyProject.objects.create(code=code, name=code, department=dep, status=status, **dates)

    # Typed 谋划中 while its 开工 milestone was reached on 10-20: the bug the stage fixes.
    bus = project("bus", "planned")
    OldMilestone.objects.create(
        project=bus,
        kind="start",
        name="开工",
        planned_date=date(2021, 12, 31),
        actual_date=date(2021, 10, 20),
    )
    project("lab", "building")
    project("dated", "building", planned_start=date(2021, 8, 1), actual_start=date(2021, 8, 3))
    project("town", "completed")
    project("signed", "signed")
    project("idea", "planned")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    stages = {p.code: p.stage for p in KeyProject.objects.prefetch_related("milestones")}
    assert stages == {
        "bus": KeyProject.Stage.BUILDING,
        "lab": KeyProject.Stage.BUILDING,
        "dated": KeyProject.Stage.BUILDING,
        "town": KeyProject.Stage.COMPLETED,
        "signed": KeyProject.Stage.PREPARING,
        "idea": KeyProject.Stage.PLANNING,
    }
    dated = Milestone.objects.get(project__code="dated", kind="start")
    assert (dated.planned_date, dated.actual_date, dated.note) == (date(2021, 8, 1), date(2021, 8, 3), "")
    lab = Milestone.objects.get(project__code="lab", kind="start")
    assert lab.actual_date == date(2021, 9, 29) and "日期不详" in lab.note
    assert Milestone.objects.get(project__code="bus").actual_date == date(2021, 10, 20)
