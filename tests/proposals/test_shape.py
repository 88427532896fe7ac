"""The shape of proposals/ (issue 13): rooms of readable size, services that never import
tasks, no import circle between its modules, and of the volunteers only their selectors."""

import ast
from pathlib import Path

import proposals

ROOT = Path(proposals.__file__).parent
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ("proposals", *path.relative_to(ROOT).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """Every module `path` imports ("from a.b import c" counts as a.b.c and a.b)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_python_file_of_proposals_is_longer_than_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules().values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_services_never_import_tasks_not_even_inside_a_function():
    offending = {
        name: sorted(
            imported for imported in _imports(path, top_level_only=False) if "tasks" in imported
        )
        for name, path in _modules().items()
        if name.endswith(".services")
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_modules_of_proposals_import_each_other_without_a_circle():
    modules = _modules()
    graph = {
        name: {dep for dep in _imports(path, top_level_only=True) if dep in modules and dep != name}
        for name, path in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError(" → ".join([*trail[trail.index(name) :], name]))
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_of_the_volunteers_proposals_read_only_their_selectors():
    read = {
        imported
        for path in _modules().values()
        for imported in _imports(path, top_level_only=False)
        if imported == "volunteers" or imported.startswith("volunteers.")
    }
    assert read and all(
        name.startswith("volunteers.selectors") or name == "volunteers" for name in read
    ), read


def test_every_process_knows_the_tasks_the_services_queue_by_name():
    """A web process imports no tasks module itself; the app's ready() registers them, so
    `proposals.dispatch` finds them by name (found only by autodiscovery in a worker)."""
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "print(sorted(n for n in current_app.tasks if n.startswith('proposals.')))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "covenant.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    for name in (
        "process_idea_photo",
        "process_waiting_photos",
        "close_due_votes",
        "regroup_estate_ideas",
        "regroup_all_estates",
    ):
        assert f"'proposals.tasks.{name}'" in out
