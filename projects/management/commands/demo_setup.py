"""One command from a fresh clone to a browsable demo (``make run`` calls it)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from targets import clock, roles
from targets.models import Indicator, UserProfile
from targets.seed import demo
from targets.seed.briefing import PLAN_CODE

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
    help = "准备演示环境：迁移数据库、载入简报、生成演示数据（仅首次）、创建演示用户并打印登录信息。"

    def add_arguments(self, parser):
        parser.add_argument("--skip-migrate", action="store_true", help="不运行 migrate")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="打印的访问地址")

    def handle(self, *args, skip_migrate=False, **options):
        quiet = {"verbosity": 0, "stdout": self.stdout}
        if not skip_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_briefing", **quiet)
        # One hash for the four users (PBKDF2 costs ~0.5 s per call on a laptop).
        password = make_password(settings.DEMO_PASSWORD)
        lines = [self._user(*row, password=password) for row in DEMO_USERS]
        if demo.is_loaded():
            self.stdout.write("演示数据已存在，跳过 seed_demo（重新生成：manage.py seed_demo）。")
        else:
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
        self.stdout.write("演示账号（仅供演示，勿用于生产）— 密码均为 " + settings.DEMO_PASSWORD + "：")
        for line in lines:
            self.stdout.write("  " + line)
        self.stdout.write("")

    def _user(self, username, group, indicator_code, staff, role_label, *, password) -> str:
        """Create or refresh one demo user: password (a ready hash), group, department,
        staff flag."""
        user, _ = User.objects.get_or_create(username=username)
        user.password = password
        user.is_staff = staff
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        department = None
        if indicator_code:
            department = (
                Indicator.objects.select_related("department")
                .get(plan__code=PLAN_CODE, code=indicator_code)
                .department
            )
        UserProfile.objects.update_or_create(user=user, defaults={"department": department})
        where = f"，{department.name}" if department else ""
        return f"{username:<9} {role_label}{where}"
