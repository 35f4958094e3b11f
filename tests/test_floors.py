"""The apps stand on floors, and an app imports only from the floors below its own.

The rule is written once, here: ``FLOORS`` lists the project's packages from the ground up. An app
may import its own modules and those of any lower floor; an import of the same floor or of a floor
above fails, with the file and the line. Every module is read (ast, without importing it), function
bodies included, so that an import tucked inside a function to get round the order is seen too.
"""
import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

# From the ground up. Apps of one floor do not import each other either.
FLOORS = (
    ("common",),
    ("programmes", "outbox"),
    ("ambassadors",),
    ("sessions", "cases"),
    ("docs", "accounts"),
    ("transfo",),
    ("bench", "faults"),
)
FLOOR_OF = {package: level for level, packages in enumerate(FLOORS) for package in packages}


def imported_packages(path):
    """(line, package) of every absolute import of one of our packages in the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            package = name.split(".")[0]
            if package in FLOOR_OF:
                yield node.lineno, package


def modules_of(package):
    return sorted((PROJECT / package).rglob("*.py"))


def test_every_package_of_the_project_has_a_floor():
    packages = {path.parent.name for path in PROJECT.glob("*/__init__.py")} - {"tests"}
    assert packages - set(FLOOR_OF) == set(), "give each new package its floor in FLOORS"


@pytest.mark.parametrize("package", sorted(FLOOR_OF))
def test_imports_go_down_the_floors_only(package):
    wrong_way = [
        f"{path.relative_to(PROJECT)}:{line} imports {imported}"
        for path in modules_of(package)
        for line, imported in imported_packages(path)
        if imported != package and FLOOR_OF[imported] >= FLOOR_OF[package]
    ]
    assert wrong_way == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def late():\n    from docs.models import LabPage\n    import sessions.models\n")
    assert list(imported_packages(module)) == [(2, "docs"), (3, "sessions")]
