"""``make clean-demo`` (``manage.py clean_demo``): deletes the demo's SQLite database after
asking, so the next ``make run`` starts afresh; never a PostgreSQL database. Run as
``make`` runs it, in its own process against a throw-away file (never the tests' own
database)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_demo(database_url: str, *args: str, answer: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", "clean_demo", *args],
        cwd=ROOT,
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_deletes_the_demo_database_only_when_told_yes(tmp_path):
    path = tmp_path / "demo.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE kept (x)")
    db.close()
    url = f"sqlite:///{path}"

    refused = clean_demo(url, answer="no\n")
    assert refused.returncode == 0 and "未删除" in refused.stdout and path.exists()

    done = clean_demo(url, answer="yes\n")
    assert done.returncode == 0 and "已删除演示数据库" in done.stdout
    assert not path.exists()

    again = clean_demo(url, "--noinput")
    assert again.returncode == 0 and "不存在" in again.stdout


def test_it_never_drops_a_postgresql_database():
    result = clean_demo("postgres://postgres@127.0.0.1:5432/zd_never_dropped", "--noinput")
    assert result.returncode != 0 and "只删除 SQLite 演示数据库" in result.stderr
