"""Nested dispatch: a chain on one field whose branches each dispatch on another.

::

    if source == "shop.orders":
        if detail_type == "OrderPlaced":
            return on_order_placed(event)
        elif detail_type == "OrderCancelled":
            ...
    elif source == "shop.payments":
        match detail_type:
            case "PaymentCaptured": ...

Each (outer key, inner key) pair is an action, keyed ``shop.orders/OrderPlaced``; EventBridge
routes on both fields at once, so each pair can have a function of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import libcst as cst

from strangler.analyse import locate
from strangler.analyse.dispatch.layout import Branch, BranchLayout, NestedBranch, NestedLayout
from strangler.errors import StranglerError, at
from strangler.model import NESTED_SEPARATOR


class Candidate(Protocol):
    """A dispatch the branch detector found (a chain, an if sequence or a match)."""

    kind: str
    key: cst.BaseExpression
    nodes: tuple[cst.CSTNode, ...]
    branches: tuple[Branch, ...]

    @property
    def key_code(self) -> str: ...


def nested_layout(
    outer: BranchLayout, outer_key: str, entry: str, path: str, lines: locate.Lines,
    finder_of: Callable[[list[cst.BaseStatement]], Sequence[Candidate]], known: bool = False,
) -> tuple[NestedLayout, cst.BaseExpression] | None:
    """The nested layout under ``outer`` and the inner dispatch's key, or None when its
    branches do not dispatch again.

    ``finder_of(statements)`` gives the dispatch candidates among a block's own statements.
    With ``known`` (earlier runs extracted from this function), a branch without an inner
    dispatch is what those runs left of one; otherwise it is refused.
    """
    inner: list[tuple[Branch, Candidate | None]] = []
    for branch in outer.branches:
        statements = suite_statements(branch.body)
        if _only_pass(statements):
            inner.append((branch, None))  # every action of this branch left in earlier runs
            continue
        candidates = _best(finder_of(statements))
        inner.append((branch, candidates))
    found = [c for _, c in inner if c is not None]
    if not found:
        return None
    inner_keys = {c.key_code for c in found}
    if len(inner_keys) > 1 or outer_key in inner_keys:
        return None
    (inner_key,) = inner_keys
    missing = [b for b, c in inner if c is None and not _only_pass(suite_statements(b.body))]
    if missing and not known and all(len(c.branches) < 2 for c in found):
        return None  # a flat chain with a guard inside one branch
    for branch, candidate in inner:
        if candidate is None and not (known or _only_pass(suite_statements(branch.body))):
            raise StranglerError(
                f"nested dispatch in {entry}(): the branch for {branch.label!r} handles every {inner_key} itself, "
                f"while the others dispatch on {inner_key} again",
                where=at(path, lines.of(branch.clause)),
                hint=f"dispatch on {inner_key} in that branch too, or split the outer dispatch by hand first",
            )
        if len(branch.keys) > 1:
            raise StranglerError(
                f"nested dispatch in {entry}(): the outer branch for {branch.label!r} tests several values; "
                "strangler splits nested dispatch whose outer branches test one value each",
                where=at(path, lines.of(branch.clause)),
                hint="give each value its own branch",
            )
        if NESTED_SEPARATOR in branch.keys[0]:
            raise StranglerError(
                f"the outer key {branch.keys[0]!r} contains {NESTED_SEPARATOR!r}, which joins the two keys of an action",
                where=at(path, lines.of(branch.clause)),
            )
    branches = []
    for branch, candidate in inner:
        if candidate is None:  # its actions all left; what is left of it stays
            layout = BranchLayout("if", (), ())
            preamble: tuple[cst.BaseStatement, ...] = tuple(suite_statements(branch.body))
        else:
            layout = BranchLayout(candidate.kind, candidate.nodes, candidate.branches)
            own = {id(node) for node in candidate.nodes}
            preamble = tuple(s for s in suite_statements(branch.body) if id(s) not in own)
        branches.append(NestedBranch(branch.keys[0], branch, layout, preamble))
    return NestedLayout(outer, tuple(branches)), found[0].key


def _best(candidates: Sequence[Candidate]) -> Candidate | None:
    """The one dispatch among a block's statements: several ifs that each return beat one."""
    if not candidates:
        return None
    if len({c.key_code for c in candidates}) > 1:
        return None
    return max(candidates, key=lambda c: len(c.branches))


def suite_statements(body: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of an indented block, or the one-line suite itself."""
    return list(body.body) if isinstance(body, cst.IndentedBlock) else [body]  # type: ignore[list-item]


def _only_pass(statements: list[cst.BaseStatement]) -> bool:
    return all(
        isinstance(s, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and all(isinstance(x, cst.Pass) for x in s.body)
        for s in statements
    )
