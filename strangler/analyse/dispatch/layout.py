"""Where the actions sit in the code: the nodes that code generation rewrites.

A detector describes the dispatch it found with one of these; the symbol graph gives each
action's nodes a unit of their own, and code generation specialises or removes them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pathlib import Path

import libcst as cst

from strangler.analyse.slicing import SymbolGraph
from strangler.model import NESTED_SEPARATOR


@dataclass(frozen=True)
class TableLayout:
    """A dict of keys to handlers: at module level, or built inside the entrypoint."""

    name: str
    node: cst.Dict
    elements: Mapping[str, cst.DictElement]
    statement_index: int | None  # the module-level statement that binds it
    assignment: cst.BaseStatement | None = None  # the statement in the entrypoint that binds it
    # A table of tables (``TABLE[source][detail_type]``): each outer key's dict; the keys of
    # ``elements`` are then ``outer/inner``.
    inner: Mapping[str, cst.Dict] = field(default_factory=dict)
    # The lookup's default (``TABLE.get(k, on_other)``, ``TABLE.get(k) or on_other``) when
    # it handles exactly one key the function's filters let through: that key's handler.
    # It has no unit: the monolith keeps its default, which still receives no other key.
    default: tuple[str, cst.BaseExpression] | None = None
    # The guard that catches a key the table does not list (``if handler is None: ...``,
    # ``if key not in TABLE: ...``, directly in the entrypoint and always leaving it) when
    # that key is the one the function's filters still let through: its body is the key's
    # action. The monolith keeps the guard; the table's own entries drop it (it cannot fire).
    guard: tuple[str, cst.If] | None = None

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        return {key: [element] for key, element in self.elements.items()}

    def handler(self, key: str) -> cst.BaseExpression:
        """What the entry of ``key`` (or the default that handles it) calls."""
        if key in self.elements:
            return self.elements[key].value
        assert self.default is not None and self.default[0] == key
        return self.default[1]

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
        return self._by_key[key]

    @functools.cached_property
    def _by_key(self) -> dict[str, Branch]:
        # Looked up for every action, and for every action left at each --commit step.
        found: dict[str, Branch] = {}
        for branch in self.branches:
            for key in branch.keys:
                found.setdefault(key, branch)
        return found

    def label(self, key: str) -> str:
        return self.branch(key).label

    @property
    def has_default(self) -> bool:
        """Whether unmatched keys run code of the chain's own (``else``, ``case _``)."""
        if not self.nodes:
            return False
        if self.kind == "if":
            last = self.nodes[0]
            while isinstance(last, cst.If) and isinstance(last.orelse, cst.If):
                last = last.orelse
            return isinstance(last, cst.If) and isinstance(last.orelse, cst.Else)
        if self.kind == "match":
            return any(_is_wildcard(case.pattern) for case in self.nodes[0].cases)  # type: ignore[attr-defined]
        return False


def _is_wildcard(pattern: cst.MatchPattern) -> bool:
    return isinstance(pattern, cst.MatchAs) and pattern.pattern is None and pattern.name is None


@dataclass(frozen=True)
class NestedBranch:
    """One outer branch (one key, ``source == "shop.orders"``) and the dispatch in its body."""

    key: str
    branch: Branch
    inner: BranchLayout
    preamble: tuple[cst.BaseStatement, ...]  # the outer body's other statements


@dataclass(frozen=True)
class NestedLayout:
    """A dispatch on one field whose branches each dispatch on another: ``source``, then
    ``detail-type``. An action's key is ``outer/inner`` (``shop.orders/OrderPlaced``)."""

    outer: BranchLayout
    branches: tuple[NestedBranch, ...]

    def _split(self, key: str) -> tuple[NestedBranch, str]:
        outer, _, inner = key.partition(NESTED_SEPARATOR)
        return next(b for b in self.branches if b.key == outer), inner

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        # The outer branch's own statements go with each of its actions, so code only
        # one source needs is not charged to every action.
        return {
            f"{nested.key}{NESTED_SEPARATOR}{branch.label}": [branch.body, *nested.preamble]
            for nested in self.branches
            for branch in nested.inner.branches
        }

    def levels(self, key: str) -> tuple[tuple[BranchLayout, Branch], tuple[BranchLayout, Branch]]:
        """The branch taken at each level by ``key``, outer first."""
        nested, inner = self._split(key)
        return (self.outer, nested.branch), (nested.inner, nested.inner.branch(inner))

    def label(self, key: str) -> str:
        nested, inner = self._split(key)
        return f"{nested.key}{NESTED_SEPARATOR}{nested.inner.label(inner)}"

    def removals(self, removed: set[str]) -> list[tuple[BranchLayout, set[str]]]:
        """What leaves each chain when the actions ``removed`` leave.

        An outer branch goes too once all its actions left, if that changes nothing for
        other events: its body was only the inner dispatch, without a default of its own,
        and the outer dispatch has no default that those events would now reach.
        """
        levels: list[tuple[BranchLayout, set[str]]] = []
        gone_outer: set[str] = set()
        for nested in self.branches:
            inner_keys = {key for branch in nested.inner.branches for key in branch.keys}
            mine = {k.partition(NESTED_SEPARATOR)[2] for k in removed if k.partition(NESTED_SEPARATOR)[0] == nested.key}
            levels.append((nested.inner, mine & inner_keys))
            if inner_keys <= mine and not nested.preamble and not nested.inner.has_default and not self.outer.has_default:
                gone_outer.add(nested.key)
        return [(self.outer, gone_outer), *levels]


@dataclass(frozen=True, eq=False)  # one per module and run: compared by identity
class RouterModule:
    """A module of the code folder whose ``Router`` the resolver includes
    (``app.include_router(orders.router, prefix="/orders")``): its routes are actions too,
    and it is rewritten for each of them like the handler module."""

    path: Path  # the file
    display: str  # the file as messages name it
    source: str
    module: cst.Module
    graph: SymbolGraph
    router: str  # the Router's name in that module
    include_index: int  # the handler module's statement that includes it
    hooks: tuple[int, ...] = ()  # the router's own non-route handlers
    # Other local modules that import from it, and the names (None: the module object).
    importers: tuple[tuple[Path, frozenset[str] | None], ...] = ()

    def imported_by(self, files: Iterable[Path]) -> frozenset[str] | None:
        """What ``files`` import from this module (None: they import the module itself)."""
        files = set(files)
        names: set[str] = set()
        for path, imported in self.importers:
            if path in files:
                if imported is None:
                    return None
                names |= imported
        return frozenset(names)


@dataclass(frozen=True)
class Route:
    keys: tuple[str, ...]  # "GET /tickets/{ticket_id}", one per method
    index: int  # the module-level def that registers it (in ``router``'s module, if any)
    router: RouterModule | None = None


@dataclass(frozen=True)
class RouteLayout:
    """Routes registered on a resolver by decorators (AWS Lambda Powertools event handler).

    Each route is a module-level def of its own, in the handler module or in a router
    module the resolver includes; the app's hooks (exception handlers, not-found handlers)
    go with every new function, the other routes never do.
    """

    app: str
    routes: tuple[Route, ...]
    hooks: tuple[int, ...]
    routers: tuple[RouterModule, ...] = ()

    def unit_nodes(self) -> dict[str, list[cst.CSTNode]]:
        return {}

    def route(self, key: str) -> Route:
        return next(r for r in self.routes if key in r.keys)

    def label(self, key: str) -> str:
        return " | ".join(self.route(key).keys)

    def unit(self, key: str) -> int:
        """The handler module's statement that is this route's own: its def, or the
        ``include_router`` of the module it is in."""
        route = self.route(key)
        return route.router.include_index if route.router else route.index


Layout = TableLayout | BranchLayout | NestedLayout | RouteLayout
