"""Analyse: find how a handler module dispatches, and the graph of what each action needs.

Each detector returns the same :class:`Analysis`, so planning, code generation and routing
never care which shape the dispatch had.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from strangler import deep
from strangler.analyse.dispatch.layout import BranchLayout, Layout, RouteLayout, TableLayout
from strangler.analyse.dispatch.routers import Neighbours
from strangler.analyse.slicing import SymbolGraph
from strangler.errors import StranglerError
from strangler.model import Dispatch, EventPath, FunctionRef


@dataclass(frozen=True)
class Analysis:
    """A handler module, its dispatch, and its symbol graph: everything later stages need."""

    function: FunctionRef
    path: str
    source: str
    module: cst.Module
    graph: SymbolGraph
    dispatch: Dispatch
    entry_index: int
    layout: Layout
    # Work shared by every action of this analysis (code generation fills it).
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    # The module-level function the entrypoint hands the event to, when the dispatch is in it.
    helper_index: int | None = None

    @property
    def table_index(self) -> int | None:
        """The module-level statement of a dispatch table, if the dispatch has one."""
        return self.layout.statement_index if isinstance(self.layout, TableLayout) else None

    def unit(self, key: str) -> int | tuple[str, str]:
        """The graph unit of the code that belongs to ``key`` alone (or to its branch, or
        the module-level def of its route)."""
        if isinstance(self.layout, RouteLayout):
            return self.layout.unit(key)
        return ("entry", self.layout.label(key))

    @property
    def entrypoint(self) -> cst.FunctionDef:
        statement = self.graph.statements[self.entry_index]
        assert isinstance(statement, cst.FunctionDef)
        return statement


def nothing_left(function: FunctionRef, source: str, path: str, module: cst.Module) -> Analysis:
    """A monolith whose every action was extracted: only its default path remains."""
    from strangler.analyse import slicing
    from strangler.analyse.dispatch.table import entrypoint_index

    entry_index = entrypoint_index(module, function, path)
    dispatch = Dispatch("nothing left", "", 0, function.function_name, EventPath(()), ())
    layout = BranchLayout("if", (), ())
    return Analysis(function, path, source, module, slicing.build(module, source=source), dispatch, entry_index, layout)


def parse(source: str, path: str) -> cst.Module:
    """Parse once, turning a syntax error into a refusal that names file and line."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise syntax_error(source, path, exc) from None


def syntax_error(source: str, path: str, exc: cst.ParserSyntaxError) -> StranglerError:
    """Python's own message and line where it has one: it points where the mistake is."""
    message, line = exc.message, exc.raw_line
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as python:
        message, line = python.msg, python.lineno or line
    return StranglerError(
        f"syntax error: {message}", where=f"{path}:{line}", hint="fix the module (python -m py_compile) and run again"
    )


def analyse(
    function: FunctionRef, source: str, path: str, earlier: Collection[str] = (), neighbours: Neighbours | None = None,
    events: Any = None,
) -> Analysis:
    """Try each detector on the one parse of the module; say what was looked for if none fits.

    ``earlier`` are the actions earlier runs extracted from this function: a dispatch they
    cut down to one branch, or to none, is still the dispatch. ``neighbours`` are the
    project's other files (a Powertools resolver may include routers from them).
    ``events`` are the function's SAM events: an ``else`` that handles the one key their
    filters still let through is that key's action.
    """
    from strangler.analyse.dispatch.eventpath import constants_of

    module = parse(source, path)
    # The tree lives as long as the run: later full collections (the ast parse's, the
    # detectors') need not scan it again (a tenth of a long chain's migration).
    deep.settled()
    with constants_of(module):
        return _detect(function, source, path, module, earlier, neighbours, events)


def _detect(
    function: FunctionRef, source: str, path: str, module: cst.Module, earlier: Collection[str],
    neighbours: Neighbours | None, events: Any,
) -> Analysis:
    known = bool(earlier)
    from strangler.analyse.dispatch.branches import LOOKED_FOR as BRANCHES
    from strangler.analyse.dispatch.branches import detect_branches
    from strangler.analyse.dispatch.by_source import NotByType, detect_by_source
    from strangler.analyse.dispatch.powertools import detect_routes
    from strangler.analyse.dispatch.table import LOOKED_FOR as TABLE
    from strangler.analyse.dispatch.table import NoDispatch, detect_table

    routes = detect_routes(function, source, path, module, neighbours)
    if routes is not None:
        return routes
    from strangler.analyse.dispatch.appsync import detect_appsync

    resolvers = detect_appsync(function, source, path, module, neighbours)
    if resolvers is not None:
        return resolvers
    try:  # before the others: a branch of it may hold a table or chain of its own
        return detect_by_source(function, source, path, module, frozenset(earlier), events)
    except NotByType:
        pass
    try:
        return detect_table(function, source, path, module, known, events)
    except NoDispatch as no_table:
        from strangler.analyse.dispatch.helper import detect_in_helper

        try:
            branches = detect_branches(function, source, path, module, frozenset(earlier), events)
        except NoDispatch:
            branches = None
        if branches is not None and (known or len(branches.dispatch.actions) >= 2):
            return branches
        # One branch: a guard in front of a helper that dispatches, or one action only.
        in_helper = detect_in_helper(function, source, path, module, frozenset(earlier))
        if in_helper is not None:
            return in_helper
        if branches is not None:
            return branches
        entry = function.function_name
        if known:
            return nothing_left(function, source, path, module)
        from strangler.analyse.dispatch.helper import refuse_sibling_helper

        refuse_sibling_helper(function, source, path, module, neighbours)
        raise NoDispatch(
            f"no dispatch found: looked for {TABLE.format(entry=entry)}, and for {BRANCHES.format(entry=entry)}",
            where=no_table.where,
        ) from None
