"""Where the actions sit in the code: the nodes that code generation rewrites.

A detector describes the dispatch it found with one of these; the symbol graph gives each
action's nodes a unit of their own, and code generation specialises or removes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class TableLayout:
    """A dict of keys to handlers: at module level, or built inside the entrypoint."""

    name: str
    node: cst.Dict
    elements: Mapping[str, cst.DictElement]
    statement_index: int | None  # the module-level statement that binds it
    assignment: cst.BaseStatement | None = None  # the statement in the entrypoint that binds it

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        return {key: [element] for key, element in self.elements.items()}

    def label(self, key: str) -> str:
        return key


@dataclass(frozen=True)
class Branch:
    keys: tuple[str, ...]
    clause: cst.CSTNode  # the If (or elif) clause, or the MatchCase
    body: cst.BaseSuite

    @property
    def label(self) -> str:
        return " | ".join(self.keys)


@dataclass(frozen=True)
class BranchLayout:
    """An if/elif chain, a sequence of ifs that each return, or a match statement."""

    kind: str  # "if", "sequence" or "match"
    nodes: tuple[cst.CSTNode, ...]  # the chain's first If, the Ifs of a sequence, or the Match
    branches: tuple[Branch, ...]

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        return {branch.label: [branch.body] for branch in self.branches}

    def branch(self, key: str) -> Branch:
        return next(b for b in self.branches if key in b.keys)

    def label(self, key: str) -> str:
        return self.branch(key).label


@dataclass(frozen=True)
class Route:
    keys: tuple[str, ...]  # "GET /tickets/{ticket_id}", one per method
    index: int  # the module-level def that registers it


@dataclass(frozen=True)
class RouteLayout:
    """Routes registered on a resolver by decorators (AWS Lambda Powertools event handler).

    Each route is a module-level def of its own; the app's hooks (exception handlers,
    not-found handlers) go with every new function, the other routes never do.
    """

    app: str
    routes: tuple[Route, ...]
    hooks: tuple[int, ...]

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        return {}

    def route(self, key: str) -> Route:
        return next(r for r in self.routes if key in r.keys)

    def label(self, key: str) -> str:
        return " | ".join(self.route(key).keys)


Layout = TableLayout | BranchLayout | RouteLayout
