"""The suite's own layout: fixtures and factories live in tests/factories.py, tests/support/
and conftest.py files; no module imports from a test module (test_*.py), so a test module can
be moved, renamed or run alone without breaking another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_test_module(dotted: str) -> bool:
    return dotted.split(".")[0] == "tests" and dotted.rsplit(".", 1)[-1].startswith("test_")


def imported_test_modules(source: str, package: str) -> list[str]:
    """The test modules that `source` (a module of `package`) imports, as "line: module"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from .test_x import … / from . import test_x
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            # from tests.web.test_x import name, or from tests.web import test_x
            targets = [base] if _is_test_module(base) else [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found += [f"{node.lineno}: {t}" for t in targets if _is_test_module(t)]
    return found


def test_no_test_module_imports_another():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parts[:-1])
        if hits := imported_test_modules(path.read_text(encoding="utf-8"), package):
            offenders[str(path.relative_to(TESTS.parent))] = hits
    assert not offenders, (
        "import shared helpers from tests/factories.py or tests/support/, not from a test "
        f"module: {offenders}"
    )


def test_the_check_sees_every_form_of_import():
    assert imported_test_modules(SAMPLE, "tests.web") == [
        "2: tests.web.test_backoffice",
        "3: tests.web.test_backoffice",
        "4: tests.web.test_portal_pages",
        "5: tests.web.test_receipt",
        "6: tests.web.test_notices",
        "7: tests.unit.test_receipt",
    ]


SAMPLE = """
import tests.web.test_backoffice
from tests.web.test_backoffice import AN
from tests.web import factories, test_portal_pages
from .test_receipt import PAGE
from . import test_notices
from ..unit.test_receipt import session
from tests.support import matrix
from tests.factories import AN
import pytest
"""
