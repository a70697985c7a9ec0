"""The layout's import direction, checked on the source: pages and the API → services and
selectors → roll-ups and tasks → models → plan → periods; `projects` uses `targets`, never
the reverse; no app imports `zhengdong/`. A newcomer can trust the tree."""

import ast
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("targets", "projects")


def _modules(app: str):
    for path in sorted((BASE_DIR / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def _imports(path: Path) -> set[str]:
    """Absolute names of every module the file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _offending(app: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(BASE_DIR)} imports {name}"
        for path in _modules(app)
        for name in sorted(_imports(path))
        if name == forbidden or name.startswith(forbidden)
    ]


@pytest.mark.parametrize("app", APPS)
def test_it_keeps_the_apps_free_of_the_site_package(app):
    assert _offending(app, ("zhengdong",)) == []


def test_it_keeps_targets_free_of_projects():
    assert _offending("targets", ("projects",)) == []


@pytest.mark.parametrize("module", ["periods", "plan"])
def test_it_keeps_the_calendar_and_plan_maths_free_of_models_and_django_orm(module):
    imports = _imports(BASE_DIR / "targets" / f"{module}.py")
    assert not [name for name in imports if name.startswith(("django.db", "targets.models"))]


@pytest.mark.parametrize("module", ["models", "rollups", "services", "selectors"])
def test_it_keeps_the_core_free_of_pages_and_the_api(module):
    pages = (
        "targets.entry",
        "targets.dashboards",
        "targets.reporting",
        "targets.api",
        "targets.seed",
        "targets.plans",
    )
    imports = _imports(BASE_DIR / "targets" / f"{module}.py")
    assert not [name for name in imports if name.startswith(pages)]


def test_it_gives_every_capability_with_pages_its_own_url_module():
    for package in ("entry", "dashboards", "reporting", "notifications", "plans"):
        assert (BASE_DIR / "targets" / package / "urls.py").exists(), package
