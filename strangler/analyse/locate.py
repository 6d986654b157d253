"""Line numbers for messages, without a position pass over the whole module.

A full ``PositionProvider`` run costs as much as parsing again. Top-level definitions are
found by their text (a module-level ``def``/assignment starts at column 0), and nodes
inside one statement by a position pass over that statement alone.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


def top_level_line(source: str, name: str, kind: str = "any") -> int:
    """The line of ``def name`` / ``class name`` / ``name = ...`` at column 0 (0 if absent)."""
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


class Lines:
    """Lines of nodes inside one statement, from one position pass over that statement."""

    def __init__(self, statement: cst.BaseStatement, statement_line: int):
        self.statement = statement
        self.statement_line = statement_line
        self._positions = None
        self._anchor = 0

    def of(self, node: cst.CSTNode) -> int:
        if self._positions is None:
            mini = cst.Module(body=[self.statement])
            self._positions = MetadataWrapper(mini, unsafe_skip_copy=True).resolve(PositionProvider)
            anchor_node = self.statement.name if isinstance(self.statement, (cst.FunctionDef, cst.ClassDef)) else self.statement
            self._anchor = self._positions[anchor_node].start.line
        where = self._positions.get(node)
        return self.statement_line + (where.start.line - self._anchor) if where else self.statement_line


def line_within(statement: cst.BaseStatement, statement_line: int, node: cst.CSTNode) -> int:
    """The line of ``node`` inside ``statement``, which starts (its def/assign line) at ``statement_line``."""
    return Lines(statement, statement_line).of(node)
