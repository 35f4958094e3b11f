"""``common`` is the ground floor: every app may build on it, it builds on no app of the project."""
import ast
from pathlib import Path

import common

ROOT = Path(common.__file__).parent.parent


def project_packages():
    """Every top-level package of the repository (the apps, the wiring, the tools), but common."""
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"common"}


def imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_common_imports_no_package_of_the_project():
    packages = project_packages()
    modules = sorted(Path(common.__file__).parent.rglob("*.py"))
    upward = {
        f"{path.name}: {root}"
        for path in modules
        for root in imported_roots(path)
        if root in packages
    }

    assert {"programmes", "sessions", "cases", "docs", "transfo"} <= packages
    assert modules
    assert upward == set()
