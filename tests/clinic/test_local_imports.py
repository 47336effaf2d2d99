"""Issue #17: no function-local import of our own code whose only purpose is to
dodge an import cycle. One is allowed where Django requires it (an
``AppConfig.ready()``) or with a comment saying why, right above it or on its line;
anything else fails here, named, so the import moves to the top of its module (and
the cycle, if there is one, is broken for real: a hook, a dotted job path)."""

import ast
from pathlib import Path

from django.conf import settings

from tests.conftest import ROOT

APPS = tuple(settings.PROJECT_APPS)


def _module_level(tree) -> set[int]:
    """Nodes at module level (also inside a module-level if/try)."""
    top = set()
    for node in tree.body:
        top.add(id(node))
        if isinstance(node, ast.If | ast.Try):
            top.update(id(inner) for inner in ast.walk(node))
    return top


def unexplained_local_imports(path: Path, root: Path = ROOT) -> list[str]:
    lines = path.read_text().splitlines()
    tree = ast.parse("\n".join(lines), str(path))
    top = _module_level(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
        elif isinstance(node, ast.Import):
            module = node.names[0].name
        else:
            continue
        if id(node) in top or module.split(".")[0] not in APPS:
            continue
        if path.name == "apps.py":
            continue
        nearby = lines[max(0, node.lineno - 4) : node.end_lineno]
        if any("#" in line for line in nearby):
            continue
        found.append(f"{path.relative_to(root)}:{node.lineno} {module}")
    return found


def test_no_function_local_import_is_left_unexplained():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found += unexplained_local_imports(path)
    assert found == []


def test_the_check_sees_an_unexplained_local_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from clinic.models import AccessLog\n\n    return AccessLog\n"
    )
    assert unexplained_local_imports(sample, tmp_path) == ["sample.py:2 clinic.models"]
    sample.write_text(
        "def f():\n    # Here: why.\n    from clinic.models import AccessLog\n"
    )
    assert unexplained_local_imports(sample, tmp_path) == []
