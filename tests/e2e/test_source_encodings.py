"""Property: whatever the line endings, BOM and encoding line of the Python files, an
extract leaves every line it does not change byte for byte, and what it writes follows
the monolith's line ending.

The app is generated: a monolith dispatching through a dict table of handlers, a local
module its handlers import and a requirements.txt, each with its own endings (LF, CRLF, or
a mix), BOM or not, shebang and encoding line or not. One action is extracted by the CLI.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.hostile import cli

BOM = b"\xef\xbb\xbf"
ACTIONS = ("place", "cancel", "ship", "refund")
COOKIES = ("# -*- coding: utf-8 -*-", "# coding=utf8", "# vim: set fileencoding=utf-8 :")
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
"""


@dataclass(frozen=True)
class Style:
    """How one file is written: a line ending per line, a BOM, a header."""

    endings: tuple[str, ...]
    bom: bool
    header: tuple[str, ...]  # shebang and encoding line, kept on top

    def write(self, lines: list[str]) -> bytes:
        lines = [*self.header, *lines]
        text = "".join(line + self.endings[i % len(self.endings)] for i, line in enumerate(lines))
        return (BOM if self.bom else b"") + text.encode("utf-8")


@st.composite
def styles(draw, python: bool = True) -> Style:
    mode = draw(st.sampled_from(["lf", "crlf", "mixed"]))
    if mode == "mixed":
        endings = tuple(draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=2, max_size=7)))
    else:
        endings = ("\n",) if mode == "lf" else ("\r\n",)
    bom = draw(st.booleans())
    header: tuple[str, ...] = ()
    if python:
        shebang = draw(st.booleans())
        # With a BOM Python accepts only an encoding line that says utf-8 exactly.
        cookie = draw(st.sampled_from((None, *(c for c in COOKIES if not bom or "utf-8" in c))))
        header = (*(("#!/usr/bin/env python3",) if shebang else ()), *((cookie,) if cookie else ()))
    return Style(endings, bom, header)


def monolith(actions: tuple[str, ...]) -> tuple[list[str], dict[str, set[int]]]:
    """The monolith's lines, and for each action the lines that are its own (its def with
    the blank lines above it, its table entry)."""
    lines = ['"""Orders: one entry point, a table of handlers (déjà vu, 10 €)."""', "import json", "import os", "",
             "from helpers import wrap", "", 'PREFIX = os.environ.get("PREFIX", "")']
    own: dict[str, set[int]] = {}
    for action in actions:
        start = len(lines)
        lines += ["", "", f"def on_{action}(event):", f'    """{action.title()} – ünïcode in a docstring."""',
                  f'    return wrap({{"{action}": PREFIX + json.dumps(event)}})']
        own[action] = set(range(start, len(lines)))
    lines += ["", "", "HANDLERS = {"]
    for action in actions:
        own[action].add(len(lines))
        lines.append(f'    "{action}": on_{action},')
    lines += ["}", "", "", "def lambda_handler(event, context):", '    return HANDLERS[event["action"]](event)']
    return lines, own


HELPERS = ['"""Shared by every handler."""', "", "", "def wrap(body):", '    return {"ok": True, "body": body}  # ½']
REQUIREMENTS = ["# runtime", "requests>=2.31", "boto3>=1.34"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(min_value=2, max_value=len(ACTIONS)),
    chosen=st.integers(min_value=0, max_value=len(ACTIONS) - 1),
    app_style=styles(),
    helper_style=styles(),
    requirements_style=styles(python=False),
)
def test_an_extract_keeps_every_untouched_line_and_the_monolith_line_ending(
    count: int, chosen: int, app_style: Style, helper_style: Style, requirements_style: Style
) -> None:
    actions = ACTIONS[:count]
    action = actions[chosen % count]
    lines, own = monolith(actions)
    source = {
        "src/app.py": app_style.write(lines),
        "src/helpers.py": helper_style.write(HELPERS),
        "src/requirements.txt": requirements_style.write(REQUIREMENTS),
    }
    with tempfile.TemporaryDirectory() as temp:
        app = Path(temp)
        (app / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
        for name, data in source.items():
            (app / name).parent.mkdir(exist_ok=True)
            (app / name).write_bytes(data)
        result = cli(app, "extract", action)
        assert result.exit_code == 0, result.output
        written = {name: (app / name).read_bytes() for name in source}
        new = {name: (app / "functions" / action / Path(name).name).read_bytes() for name in source}

    original = _lines(source["src/app.py"], app_style.bom)
    header = len(app_style.header)
    gone = {header + i for i in own[action]}
    # The trimmed monolith: exactly the lines that were not the action's, byte for byte.
    assert _lines(written["src/app.py"], app_style.bom) == [line for i, line in enumerate(original) if i not in gone]
    # Files strangler does not change stay as they were; the copy is the same bytes.
    assert written["src/helpers.py"] == source["src/helpers.py"]
    assert written["src/requirements.txt"] == source["src/requirements.txt"]
    assert new["src/helpers.py"] == source["src/helpers.py"]
    # The new function's requirements: lines of the monolith's, unchanged, BOM kept.
    kept = _lines(new["src/requirements.txt"], requirements_style.bom)
    assert kept and all(line in _lines(source["src/requirements.txt"], requirements_style.bom) for line in kept)

    # The new module: the monolith's BOM and header lines; the line strangler adds (its
    # docstring) ends as the monolith's first line does; a line copied from the monolith
    # keeps its ending there, one rewritten (the dispatch) one of the monolith's endings.
    module = _lines(new["src/app.py"], app_style.bom)
    compile(new["src/app.py"], "app.py", "exec", dont_inherit=True)
    assert module[:header] == original[:header]
    ending = app_style.endings[0]
    assert module[header].startswith('"""') and module[header].endswith(ending)
    endings_of: dict[str, set[str]] = {}
    for line in original:
        content = line.rstrip("\r\n")
        endings_of.setdefault(content, set()).add(line[len(content):])
    for line in module[header + 1:]:
        content = line.rstrip("\r\n")
        assert line[len(content):] in endings_of.get(content, set(app_style.endings)), repr(line)
    if len(set(app_style.endings)) == 1:
        assert all(line.endswith(ending) and not line.endswith("\r\r\n") for line in module)


def _lines(data: bytes, bom: bool) -> list[str]:
    """The lines of a file with their endings, after checking its BOM is as it was."""
    assert data.startswith(BOM) == bom
    text = data[len(BOM):].decode("utf-8") if bom else data.decode("utf-8")
    return text.splitlines(keepends=True)
