"""A module's text written from cached statement texts is LibCST's own, byte for byte."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from strangler.render.codegen.text import module_code

ROOT = Path(__file__).resolve().parents[2]
EDGES = ["", "\n", "# c", "# c\n", "x=1", "x=1\n\n", "\n\n# end", "x = 1\r\n", "def f():\n  return 1", "\ufeffx = 1\n",
         "if a:\n\tpass\n# tail\n"]


@pytest.mark.parametrize("source", EDGES)
def test_edge_cases_are_written_as_libcst_writes_them(source: str) -> None:
    module = cst.parse_module(source)
    assert module_code(module) == module.code
    assert module_code(module) == module.code  # from the cache, the same


def test_every_fixture_module_is_written_as_libcst_writes_it() -> None:
    paths = sorted((ROOT / "fixtures").rglob("*.py"))
    assert paths
    for path in paths:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        assert module_code(module) == module.code, path


def test_a_changed_module_reuses_the_unchanged_statements_and_writes_the_new_ones() -> None:
    module = cst.parse_module("import os\n\n\ndef f():\n    return 1\n\n\nX = 2\n")
    assert module_code(module) == module.code
    changed = module.with_changes(body=[module.body[0], cst.parse_statement("Y = 3\n"), *module.body[2:]])
    assert module_code(changed) == changed.code == "import os\nY = 3\n\n\nX = 2\n"
    no_newline = changed.with_changes(has_trailing_newline=False)
    assert module_code(no_newline) == no_newline.code
