"""One command from a fresh clone to a browsable demo (``make run`` calls it).

Run again on the database it made (a second ``make run``), it keeps what is there: the
demo's figures and everything users did since (figures, weeks, plans, projects,
passwords). It brings the database up to date where that loses nothing: migrations, the
briefing's rows that are missing (added, never overwritten), demo users that are missing;
and says so. ``make clean-demo`` (``manage.py clean_demo``) starts over."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects.seed import briefing as project_briefing
from targets import clock, roles
from targets.models import Entry, Indicator, UserProfile
from targets.seed import briefing, demo
from targets.seed.briefing import PLAN_CODE

KEPT = "演示数据库已存在，保留现有数据；重新开始请运行 make clean-demo"

# The briefing's rows, as the console names them.
ROW_NAMES = {
    "plans": "计划",
    "departments": "单位",
    "goals": "目标",
    "indicators": "指标",
    "core_blocks": "核心板块",
    "key_projects": "重点项目",
    "milestones": "项目节点",
    "recovery_fields": "灾后重建领域",
    "recovery_projects": "灾后重建项目",
    "safety_campaigns": "安全专项行动",
}

# username, group, department (by the indicator whose unit they report for), staff.
# The clerk reports key-project investment; clerk2 another unit (work safety). Only the
# manager is staff: the admin is the managers' back office (zhengdong.admin); clerks and
# officials have every page they need in the product.
DEMO_USERS = [
    ("official", roles.OFFICIALS, None, False, "领导（只读）"),
    ("manager", roles.MANAGERS, None, True, "管理员（审核、导出、修改计划）"),
    ("clerk", roles.CLERKS, "kp-investment", False, "填报员"),
    ("clerk2", roles.CLERKS, "safety-nine-small-inspected", False, "填报员"),
]


class Command(BaseCommand):
    help = (
        "准备演示环境：迁移数据库、载入简报、生成演示数据、创建演示用户并打印登录信息。"
        "数据库已有填报数据时保留现有数据，只补充缺少的简报数据和演示账号（重新开始：make clean-demo）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-migrate", action="store_true", help="不运行 migrate")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="打印的访问地址")

    def handle(self, *args, skip_migrate=False, **options):
        quiet = {"verbosity": 0, "stdout": self.stdout}
        migrations = 0 if skip_migrate else self._migrate()
        # Figures, the demo's or the users' own: a database in use, whose data is kept.
        in_use = Entry.objects.exists()
        added = {**briefing.load(missing_only=True), **project_briefing.load(missing_only=True)}
        users = [self._user(*row) for row in DEMO_USERS]
        if in_use:
            self._kept(migrations, added, users)
        else:
            rows = "、".join(f"{n}个{ROW_NAMES.get(k, k)}" for k, n in added.items() if n)
            self.stdout.write(f"载入简报（{rows or '已齐全'}）和演示数据。")
            call_command("seed_demo", **quiet)
        if "rollup" in get_commands():
            call_command("rollup", "--full", **quiet)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"郑东新区目标任务跟踪：{options['url']}"))
        fixed = clock.fixed_today()
        if fixed:
            self.stdout.write(f"演示日期（DEMO_TODAY）：{fixed.isoformat()}，全站的“今天”均为这一天。")
        else:
            self.stdout.write(
                f"未设置 DEMO_TODAY：全站的“今天”为真实日期 {clock.today().isoformat()}"
                f"（演示数据截至 {demo.DEFAULT_UNTIL.isoformat()}；make run 会设置 DEMO_TODAY）。"
            )
        if any(not new for _line, new in users):
            self.stdout.write(
                f"演示账号（仅供演示，勿用于生产）— 新建时密码均为 {settings.DEMO_PASSWORD}，"
                "已有账号保留其密码："
            )
        else:
            self.stdout.write("演示账号（仅供演示，勿用于生产）— 密码均为 " + settings.DEMO_PASSWORD + "：")
        for line, _new in users:
            self.stdout.write("  " + line)
        self.stdout.write("")

    def _migrate(self) -> int:
        """Apply the migrations not yet applied; returns how many there were."""
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        call_command("migrate", interactive=False, verbosity=0)
        return len(pending)

    def _kept(self, migrations: int, added: dict[str, int], users: list[tuple[str, bool]]) -> None:
        """Say that the database was kept, and what was brought up to date."""
        self.stdout.write(self.style.WARNING(KEPT))
        self.stdout.write(
            f"  数据库结构：已应用 {migrations} 个新的迁移。" if migrations else "  数据库结构：已是最新。"
        )
        rows = "、".join(f"{n}个{ROW_NAMES.get(k, k)}" for k, n in added.items() if n)
        self.stdout.write(
            f"  简报数据：补充了缺少的 {rows}；已有的未改动。" if rows else "  简报数据：齐全，已有的未改动。"
        )
        created = [line.split()[0] for line, new in users if new]
        if created:
            self.stdout.write(f"  演示账号：新建 {', '.join(created)}；已有账号未改动（密码、角色、单位）。")
        else:
            self.stdout.write("  演示账号：均已存在，未改动（密码、角色、单位）。")
        if not demo.is_loaded():
            self.stdout.write("  演示数据：已删除（seed_demo --remove），不再载入；库中现有的数据照旧。")

    def _user(self, username, group, indicator_code, staff, role_label) -> tuple[str, bool]:
        """Create a missing demo user (the demo password, group, department, staff flag);
        leave one that exists as it is (its password, groups, department may be its
        user's own by now). Returns the console's line about it and whether it is new."""
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User.objects.create(username=username, password=self._password(), is_staff=staff)
            user.groups.set([Group.objects.get(name=group)])
            department = None
            if indicator_code:
                department = (
                    Indicator.objects.select_related("department")
                    .get(plan__code=PLAN_CODE, code=indicator_code)
                    .department
                )
            UserProfile.objects.update_or_create(user=user, defaults={"department": department})
        else:
            profile = UserProfile.objects.filter(user=user).select_related("department").first()
            department = profile.department if profile else None
        where = f"，{department.name}" if department else ""
        return f"{username:<9} {role_label}{where}", created

    def _password(self) -> str:
        """The demo password's hash, made once for all the users created (PBKDF2 costs
        ~0.5 s per call on a laptop)."""
        if not hasattr(self, "_hash"):
            self._hash = make_password(settings.DEMO_PASSWORD)
        return self._hash
