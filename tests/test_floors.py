"""The apps stand on floors, and an app imports only from the floors below its own.

The rule is written once, here: ``FLOORS`` lists the project's packages from the ground up. An app
may import its own modules and those of any lower floor; an import of the same floor or of a floor
above fails, with the file and the line. Every module is read (ast, without importing it), function
bodies included, so that an import tucked inside a function to get round the order is seen too.

Naming a model of such an app by string (``apps.get_model("cases", "Case")``, a lazy relation to
``"cases.Case"``) gets round the order as well, and fails the same way outside migrations. What a
lower app needs from a higher one, the higher one registers (``programmes/contributions.py``).

Relations follow the floors too, checked on the app registry: every foreign key, one-to-one and
many-to-many points at a model of its own app or of a lower floor; reading one the other way is
its reverse accessor. So do migrations: one depends only on migrations of its app or of lower
floors, but for the few listed below. sessions stands on cases: sessions declares every relation
between the two (see sessions/models.py).
"""
import ast
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

# From the ground up. Apps of one floor do not import each other either.
FLOORS = (
    ("common",),
    ("programmes", "outbox"),
    ("ambassadors",),
    ("cases",),
    ("sessions",),  # sessions work on cases: Session.cases, AgendaItem.case, EntrySession
    ("docs", "dashboards"),  # dashboards read Labs, sessions and cases
    ("accounts", "espace"),  # a person's data export and erasure read every app below; Mon espace too
    ("transfo",),
    ("bench", "faults"),
)
FLOOR_OF = {package: level for level, packages in enumerate(FLOORS) for package in packages}
# App labels that are not their package's name.
PACKAGE_OF_LABEL = {"lab_sessions": "sessions"}
# Migrations of old that depend on a migration above them, kept because databases ran them: cases
# 0002 added the journal entry's session column, before sessions declared that link itself.
HISTORICAL_DEPENDENCIES = {(("cases", "0002_initial"), ("lab_sessions", "0001_initial"))}
# A column moving up a floor: the lower app drops it only once the higher one has copied its rows.
# The higher app declares that order (``run_before``): the lower one's files name nothing above.
MOVES_ORDERED_FROM_ABOVE = {
    (("cases", "0006_entry_session_moves_to_sessions"), ("lab_sessions", "0006_copy_entry_sessions")),
}
MODEL_REFERENCE = re.compile(r"^(?P<label>[a-z_]+)\.(?P<model>[A-Z][A-Za-z0-9]*)$")


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


def package_of_label(label):
    package = PACKAGE_OF_LABEL.get(label, label)
    return package if package in FLOOR_OF else None


def models_named(path):
    """(line, package) of every model of our packages that the module at ``path`` names by string:
    ``get_model("<label>", ...)``, ``get_model("<label>.<Model>")`` and ``"<label>.<Model>"``."""
    return sorted(set(_models_named(path)))


def _models_named(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "get_model":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                package = package_of_label(first.value.split(".")[0])
                if package:
                    yield node.lineno, package
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODEL_REFERENCE.match(node.value)
            if match and (package := package_of_label(match["label"])):
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


@pytest.mark.parametrize("package", sorted(FLOOR_OF))
def test_models_are_named_down_the_floors_only(package):
    # Migrations name the models of their dependencies: their order is checked on the graph below.
    wrong_way = [
        f"{path.relative_to(PROJECT)}:{line} names a model of {named}"
        for path in modules_of(package)
        if "migrations" not in path.relative_to(PROJECT).parts
        for line, named in models_named(path)
        if named != package and FLOOR_OF[named] >= FLOOR_OF[package]
    ]
    assert wrong_way == []


def test_the_check_sees_models_named_by_string(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "from django.apps import apps\n"
        "Session = apps.get_model('lab_sessions', 'Session')\n"
        "Case = apps.get_model('cases.Case')\n"
        "relation = ForeignKey('docs.LabPage')\n"
        "permission = 'programmes.enter_lab'\n"
        "Tag = apps.get_model('taggit', 'Tag')\n"
    )
    assert models_named(module) == [(2, "sessions"), (3, "cases"), (4, "docs")]


def floor_of_label(label):
    package = package_of_label(label)
    return None if package is None else FLOOR_OF[package]


def test_relations_point_down_the_floors_only():
    from django.apps import apps

    wrong_way = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_models()
        if floor_of_label(model._meta.app_label) is not None
        for field in model._meta.get_fields()
        # Declared on this model (not a reverse accessor), to a model of ours.
        if field.is_relation and field.concrete or field.many_to_many and not field.auto_created
        if field.related_model is not None and (target := floor_of_label(field.related_model._meta.app_label)) is not None
        if field.related_model._meta.app_label != model._meta.app_label and target >= floor_of_label(model._meta.app_label)
    ]
    assert wrong_way == []


def migration_edges():
    """(migration, the migration it runs after, how that is declared) over every migration on disk."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key, migration in loader.disk_migrations.items():
        for dependency in migration.dependencies:
            yield key, dependency, "dependencies"
        for later in migration.run_before:
            yield later, key, "run_before"


def test_migrations_depend_down_the_floors_only():
    wrong_way = [
        f"{migration} after {earlier} ({declared})"
        for migration, earlier, declared in migration_edges()
        if floor_of_label(migration[0]) is not None and floor_of_label(earlier[0]) is not None
        and migration[0] != earlier[0]
        and floor_of_label(earlier[0]) >= floor_of_label(migration[0])
        and (migration, earlier) not in HISTORICAL_DEPENDENCIES | MOVES_ORDERED_FROM_ABOVE
    ]
    assert wrong_way == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def late():\n    from docs.models import LabPage\n    import sessions.models\n")
    assert list(imported_packages(module)) == [(2, "docs"), (3, "sessions")]
