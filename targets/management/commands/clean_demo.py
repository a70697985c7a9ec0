"""Delete the demo's SQLite database (``make clean-demo``): the next ``make run`` builds the
demo afresh. Only an SQLite file: a PostgreSQL database is never dropped from here."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

# SQLite's companions of a database file (write-ahead log, shared memory, rollback journal).
SUFFIXES = ("", "-wal", "-shm", "-journal")


class Command(BaseCommand):
    help = "删除演示用的 SQLite 数据库（含其中全部数据），下次 make run 重新生成演示。不处理 PostgreSQL。"

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_true", help="不询问，直接删除")

    def handle(self, *args, noinput=False, **options):
        database = settings.DATABASES["default"]
        name = str(database.get("NAME", ""))
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                f"make clean-demo 只删除 SQLite 演示数据库；当前数据库（{database['ENGINE']}，{name}）"
                "不会从这里删除，请用数据库自己的工具处理。"
            )
        if not name or name == ":memory:" or name.startswith("file:"):
            raise CommandError(f"当前 SQLite 数据库（{name or '未命名'}）不是文件，无需清理。")
        path = Path(name)
        files = [Path(f"{path}{suffix}") for suffix in SUFFIXES if Path(f"{path}{suffix}").exists()]
        if not files:
            self.stdout.write(f"演示数据库 {path} 不存在，无需清理；make run 会新建。")
            return
        if not noinput:
            self.stdout.write(f"将删除演示数据库 {path}，其中的全部数据（演示数据和您自己录入的）都会丢失。")
            try:
                answer = input("确定删除吗？输入 yes 继续：")
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                self.stdout.write("未删除。")
                return
        connections.close_all()
        for file in files:
            file.unlink()
        self.stdout.write(self.style.SUCCESS(f"已删除演示数据库 {path}；运行 make run 重新生成演示。"))
