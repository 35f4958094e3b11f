"""``common`` is the ground floor: every app may build on it, it builds on no app of the project."""
import ast
import sys
from pathlib import Path

import common

# Libraries, not apps: Django, Pillow and Pillow's HEIC plugin.
ALLOWED = {"django", "PIL", "pillow_heif", "common"}


def imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_common_imports_only_django_pillow_and_the_standard_library():
    modules = sorted(Path(common.__file__).parent.rglob("*.py"))
    foreign = {
        f"{path.name}: {root}"
        for path in modules
        for root in imported_roots(path)
        if root not in ALLOWED and root not in sys.stdlib_module_names
    }

    assert modules
    assert foreign == set()
