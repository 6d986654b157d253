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


def line_within(statement: cst.BaseStatement, statement_line: int, node: cst.CSTNode) -> int:
    """The line of ``node`` inside ``statement``, which starts (its def/assign line) at ``statement_line``."""
    mini = cst.Module(body=[statement])
    positions = MetadataWrapper(mini, unsafe_skip_copy=True).resolve(PositionProvider)
    anchor = positions[statement].start.line
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        anchor = _def_line(statement, positions)
    where = positions.get(node)
    return statement_line + (where.start.line - anchor) if where else statement_line


def _def_line(statement: cst.FunctionDef | cst.ClassDef, positions) -> int:
    return positions[statement.name].start.line
