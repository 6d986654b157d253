"""``start_lines`` gives each node the start line ``PositionProvider`` gives it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from strangler.analyse.locate import Lines, start_lines

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

SOURCES = {
    "decorated-and-commented": (
        "import os\n\n\n# the handler\n@tracer.capture_lambda_handler  # traced\n@logger.inject_lambda_context\n"
        "def handler(event, context):\n    kind = event[\"detail-type\"]\n\n    # orders first\n"
        "    if kind == \"A\":\n        return a(event)\n    elif kind == \"B\":  # b\n        return b(\n            event,\n        )\n"
        "    else:\n        raise ValueError(kind)\n"
    ),
    "crlf": "def handler(event, context):\r\n    match event['k']:\r\n        case 'A':\r\n            return 1\r\n        case _:\r\n            return 2\r\n",
    "strings-over-lines": 'X = """a\nb\n"""\n\n\ndef f(e):\n    return {\n        "k": \'\'\'c\nd\'\'\',\n    }[e]\n',
    "lone-cr": "def f(e):\r    if e:\r        return 1\r    return 2\r",
}


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES)
def test_every_node_starts_where_the_position_provider_says(source: str) -> None:
    module = cst.parse_module(source)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = start_lines(module)
    assert {id(node): where.start.line for node, where in positions.items()} == {
        key: value for key, value in lines.items() if key in {id(node) for node in positions}
    }
    assert len(positions) > 20


def test_a_fixture_handlers_clauses_are_found_on_their_lines() -> None:
    source = (FIXTURES / "eventbridge-orders" / "before" / "src" / "app.py").read_text(encoding="utf-8")
    module = cst.parse_module(source)
    handler = next(s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == "lambda_handler")
    line = source.splitlines().index(next(text for text in source.splitlines() if text.startswith("def lambda_handler"))) + 1
    lines = Lines(handler, line)
    ifs = []
    handler.visit(type("Ifs", (cst.CSTVisitor,), {"visit_If": lambda self, node: ifs.append(node)})())
    assert ifs
    for node in ifs:
        text = source.splitlines()[lines.of(node) - 1].strip()
        assert text.startswith(("if ", "elif ")), text


def test_a_top_level_def_is_found_on_its_last_line_at_column_zero() -> None:
    from strangler.analyse.locate import top_level_line

    source = (
        "import os\r\n\r\nasync def fetch(e):\r\n    def inner():\r\n        pass\r\n\r\n"
        "def handler(e, c):\r\n    return 1\r\n\r\n\r\ndef handler(e, c):  # redefined: this one runs\r\n    return 2\r\n"
        "def handler_v2(e, c):\r\n    return 3\r\n"
    )
    assert top_level_line(source, "fetch", "def") == 3
    assert top_level_line(source, "inner", "def") == 0  # not at column 0
    assert top_level_line(source, "handler", "def") == 11
    assert top_level_line(source, "handler_v2", "def") == 13
    assert top_level_line(source, "missing", "def") == 0
