"""Small helpers on blocks of statements shared by the rewriters."""

from __future__ import annotations

import libcst as cst


def statements(block: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of a block, a one-line suite made a line of its own."""
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    assert isinstance(block, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=list(block.body))]


def non_empty(block: cst.IndentedBlock) -> cst.IndentedBlock:
    """A block that lost all its statements gets a ``pass``."""
    return block if block.body else block.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
