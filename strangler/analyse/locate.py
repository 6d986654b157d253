"""Line numbers for messages, without a position pass over the whole module.

A full ``PositionProvider`` run costs as much as parsing again. Top-level definitions are
found by their text (a module-level ``def``/assignment starts at column 0), and nodes
inside one statement by a position pass over that statement alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState


def top_level_line(source: str, name: str, kind: str = "any") -> int:
    """The line of ``def name`` / ``class name`` / ``name = ...`` at column 0 (0 if absent)."""
    if kind == "def":
        return _top_level_defs(source).get(name, 0)
    patterns = {
        "def": rf"^(?:async[ \t]+)?def[ \t]+{re.escape(name)}\b",
        "class": rf"^class[ \t]+{re.escape(name)}\b",
        "assign": rf"^{re.escape(name)}[ \t]*(?::[^=\n]*)?=(?!=)",
    }
    chosen = [patterns[kind]] if kind in patterns else list(patterns.values())
    last = 0
    for pattern in chosen:
        for match in re.finditer(pattern, source, re.MULTILINE):
            last = max(last, source.count("\n", 0, match.start()) + 1)
    return last


@functools.lru_cache(maxsize=8)
def _top_level_defs(source: str) -> dict[str, int]:
    """The last line of each ``def`` at column 0, by name: one pass over the module for all
    of them (a resolver's routes are one def each, hundreds of them)."""
    found: dict[str, int] = {}
    line, counted = 1, 0
    for match in _DEF.finditer(source):
        line += source.count("\n", counted, match.start())
        counted = match.start()
        found[match.group(1)] = line
    return found


_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)


class Lines:
    """Lines of nodes inside one statement, from one pass of code generation over it."""

    def __init__(self, statement: cst.BaseStatement, statement_line: int):
        self.statement = statement
        self.statement_line = statement_line
        self._lines: dict[int, int] | None = None
        self._anchor = 0

    def of(self, node: cst.CSTNode) -> int:
        if self._lines is None:
            self._lines = start_lines(cst.Module(body=[self.statement]))
            anchor_node = self.statement.name if isinstance(self.statement, (cst.FunctionDef, cst.ClassDef)) else self.statement
            self._anchor = self._lines[id(anchor_node)]
        line = self._lines.get(id(node))
        return self.statement_line + (line - self._anchor) if line is not None else self.statement_line


def start_lines(module: cst.Module) -> dict[int, int]:
    """The line each node of ``module`` starts on, by id: ``PositionProvider``'s start
    lines, for a fraction of its cost (it computes lines and columns token by token, and
    a range object per node; a branch dispatch of hundreds of branches is read several
    times a run)."""
    state = _StartTokens(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    newlines = [0]
    for token in state.tokens:
        newlines.append(newlines[-1] + len(_NEWLINE.findall(token)))
    return {node: 1 + newlines[index] for node, index in state.starts.items()}


_NEWLINE = re.compile(r"\r\n?|\n")


class _StartTokens(CodegenState):
    """Code generation noting the token each node starts at, as ``PositionProvider`` does:
    where the node's syntax starts when it says so, else where its code does."""

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.starts: dict[int, int] = {}
        self._open: list[int] = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._open.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.starts.setdefault(id(node), self._open.pop())

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = len(self.tokens)
        try:
            yield
        finally:
            self.starts[id(node)] = self.starts[id(start_node)] if start_node is not None else start


def line_within(statement: cst.BaseStatement, statement_line: int, node: cst.CSTNode) -> int:
    """The line of ``node`` inside ``statement``, which starts (its def/assign line) at ``statement_line``."""
    return Lines(statement, statement_line).of(node)
