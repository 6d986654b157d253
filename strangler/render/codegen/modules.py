"""Write code: the extracted module with its specialised entrypoint, and the slimmer monolith.

Everything here works on the nodes of the one parse made during analysis; untouched
statements are printed from their original nodes, so comments and formatting survive byte
for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import libcst as cst

from strangler.analyse import locate
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.eventpath import constants_of
from strangler.analyse.dispatch.layout import NestedLayout, RouteLayout, RouterModule, TableLayout
from strangler.analyse.slicing import SymbolGraph
from strangler.errors import StranglerError, at
from strangler.render.codegen.branches import SpecialiseBranches, branches_without
from strangler.render.codegen.lookup import SpecialiseLookup, drop_elements, take_guard
from strangler.render.codegen.text import module_code

ENTRYPOINT = "lambda_handler"
# Stands for the handler in a table dispatcher specialised once for every action.
_PLACEHOLDER = "__strangler_action_handler__"


def specialise(analysis: Analysis, key: str) -> cst.FunctionDef:
    """The entrypoint of the new function for ``key``, named ``lambda_handler``."""
    layout = analysis.layout
    if analysis.helper_index is not None:
        function = analysis.entrypoint  # the dispatch is in the helper: see specialised_helper
    elif isinstance(layout, TableLayout) and layout.guard is not None and layout.guard[0] == key:
        function = take_guard(analysis.entrypoint, layout.name, layout.guard[1], layout.assignment)
    elif isinstance(layout, TableLayout):
        function = _table_template(analysis)[0].deep_replace(_placeholder(analysis), _callable(layout.handler(key)))
    elif isinstance(layout, RouteLayout):
        function = analysis.entrypoint  # the resolver routes; it will simply know one route
    elif isinstance(layout, NestedLayout):
        function = analysis.entrypoint.visit(SpecialiseBranches(*layout.levels(key)))
    else:
        function = analysis.entrypoint.visit(SpecialiseBranches((layout, layout.branch(key))))
    assert isinstance(function, cst.FunctionDef)
    return function.with_changes(name=function.name.with_changes(value=ENTRYPOINT))


def specialised_helper(analysis: Analysis, key: str) -> cst.FunctionDef | None:
    """The helper the entrypoint hands the event to, cut down to ``key``'s branch."""
    if analysis.helper_index is None:
        return None
    helper = analysis.graph.statements[analysis.helper_index]
    layout = analysis.layout
    if isinstance(layout, TableLayout):
        return _table_template(analysis)[0]  # the handler goes in as text, as for an entrypoint
    levels = layout.levels(key) if isinstance(layout, NestedLayout) else [(layout, layout.branch(key))]  # type: ignore[union-attr]
    function = helper.visit(SpecialiseBranches(*levels))
    assert isinstance(function, cst.FunctionDef)
    return function


def _callable(value: cst.BaseExpression) -> cst.BaseExpression:
    """A lambda called in place needs parentheses: ``(lambda e: ...)(event)``."""
    if isinstance(value, cst.Lambda) and not value.lpar:
        return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return value


def _placeholder(analysis: Analysis) -> cst.Name:
    return _table_template(analysis)[2]


def _table_template(analysis: Analysis) -> tuple[cst.FunctionDef, frozenset[str], cst.Name]:
    """The dispatcher specialised once, with a placeholder where the handler goes.

    The same for every action of a table, so a migration visits the dispatcher once, not
    once per action. Also the names it uses, without the placeholder.
    """
    cached = analysis.cache.get("table template")
    if cached is None:
        layout = analysis.layout
        assert isinstance(layout, TableLayout)
        placeholder = cst.Name(_PLACEHOLDER)
        helper = analysis.helper_index is not None
        dispatcher = analysis.graph.statements[analysis.helper_index] if helper else analysis.entrypoint  # type: ignore[index]
        function = dispatcher.visit(SpecialiseLookup(layout.name, placeholder, layout.assignment, bool(layout.inner)))
        assert isinstance(function, cst.FunctionDef)
        if layout.assignment is not None:
            _refuse_leftover_table(analysis, function, layout.name)
        collector = _Names()
        function.visit(collector)
        named = function if helper else function.with_changes(name=function.name.with_changes(value=ENTRYPOINT))
        cached = (named, frozenset(collector.names - {_PLACEHOLDER}), placeholder)
        analysis.cache["table template"] = cached
    return cached


def _refuse_leftover_table(analysis: Analysis, function: cst.FunctionDef, table: str) -> None:
    names = _Names()
    function.visit(names)
    if table in names.names:
        raise StranglerError(
            f"{analysis.entrypoint.name.value}() uses its table {table} for more than the lookup",
            where=at(analysis.path, analysis.dispatch.line),
        )


def written(module: cst.Module, source: str) -> str:
    """The text of ``module``, parsed from ``source``, ending as ``source`` ends.

    LibCST keeps every line's own ending (LF, CRLF, a lone CR) and writes new lines with
    the first one; but a last line ended by a lone CR (old Mac files) loses that CR.
    """
    code = module_code(module)  # module.code, reusing the text of statements written before
    if source.endswith("\r") and code and not code.endswith(("\r", "\n")):
        code += "\r"
    return code


# --- the extracted module ----------------------------------------------------------------
class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _names_of(node: cst.CSTNode) -> frozenset[str]:
    collector = _Names()
    node.visit(collector)
    return frozenset(collector.names)


def _names_reusing(analysis: Analysis, function: cst.CSTNode) -> frozenset[str]:
    """The names in ``function``, the monolith's dispatcher specialised to one action.

    Specialising makes new nodes only on the path down to the dispatch; every other subtree
    is the monolith's own node, untouched. Their names are found once a run and looked up
    after that, so an action costs the nodes it changed, not the whole function again.
    """
    own = _dispatcher_nodes(analysis)
    known: dict[int, tuple[cst.CSTNode, frozenset[str]]] = analysis.cache.setdefault("subtree names", {})
    names: set[str] = set()
    pending = [function]
    while pending:  # iterative: a chain is as deep as it is long
        node = pending.pop()
        if id(node) in own:
            hit = known.get(id(node))
            if hit is None or hit[0] is not node:
                hit = known[id(node)] = (node, _names_of(node))
            names |= hit[1]
            continue
        if isinstance(node, cst.Name):
            names.add(node.value)
        pending.extend(node.children)
    return frozenset(names)


def _dispatcher_nodes(analysis: Analysis) -> frozenset[int]:
    """The ids of every node of the monolith's entrypoint and of the helper it dispatches in
    (the analysis holds them, so the ids stay theirs)."""
    found = analysis.cache.get("dispatcher nodes")
    if found is None:
        roots = [analysis.entrypoint]
        if analysis.helper_index is not None:
            roots.append(analysis.graph.statements[analysis.helper_index])
        ids: set[int] = set()
        pending: list[cst.CSTNode] = list(roots)
        while pending:
            node = pending.pop()
            ids.add(id(node))
            pending.extend(node.children)
        found = analysis.cache["dispatcher nodes"] = frozenset(ids)
    return found


def extracted_module(
    analysis: Analysis, key: str, docstring: str
) -> tuple[str, frozenset[int], frozenset[str], tuple[cst.CSTNode, ...]]:
    """Source of the new module for ``key``, the statements and names it kept, and the
    nodes its entrypoint is made of (for their facts)."""
    graph = analysis.graph
    layout = analysis.layout
    guarded = isinstance(layout, TableLayout) and layout.guard is not None and layout.guard[0] == key
    if isinstance(layout, TableLayout) and analysis.helper_index is None and not guarded:
        # One specialised dispatcher for all actions; the handler goes in as text.
        entry, entry_names, _ = _table_template(analysis)
        handler = _callable(layout.handler(key))
        parts: tuple[cst.CSTNode, ...] = (entry, handler)
    elif isinstance(layout, TableLayout) and not guarded:
        entry = specialise(analysis, key)  # the helper is the dispatcher; the handler stays
        collector = _Names()
        entry.visit(collector)
        handler = _callable(layout.handler(key))
        entry_names, parts = frozenset(collector.names), (entry, handler)
    else:
        entry = specialise(analysis, key)
        entry_names, handler, parts = _names_reusing(analysis, entry), None, (entry,)
    roots = (entry_names & graph.uses.get(analysis.entry_index, frozenset())) | graph.uses.get(analysis.unit(key), frozenset())
    replace: dict[int, cst.BaseStatement] = {analysis.entry_index: entry}
    helper = specialised_helper(analysis, key)
    skip: frozenset[int] = frozenset()
    if helper is not None and analysis.helper_index is not None:
        # Only what the helper's one branch still reads: not the constants other branches compared with.
        roots |= _names_reusing(analysis, helper) & graph.uses.get(analysis.helper_index, frozenset())
        replace[analysis.helper_index] = helper
        skip = frozenset({analysis.helper_index})
        parts = (*parts, helper)
    if isinstance(layout, TableLayout) and key not in layout.elements and not guarded:
        # A lookup's default handles the key: its names belong to no entry, so ask for them.
        roots |= _names_of(layout.handler(key)) & frozenset(graph.definers)
    own = _own_statements(analysis, key)
    for index in own:
        roots |= graph.uses.get(index, frozenset())
    table = analysis.dispatch.table if analysis.table_index is not None else None
    if table is not None and table in roots:
        line = locate.top_level_line(analysis.source, analysis.entrypoint.name.value, "def")
        raise StranglerError(
            f"{analysis.entrypoint.name.value}() uses {table} for more than the lookup, "
            "so the new function would need the whole table",
            where=at(analysis.path, line),
        )
    statements, names = graph.name_closure(roots, skip=skip)
    statements |= skip
    _check_entrypoint_name(analysis, statements, names)
    statements, names = graph.with_companions(statements, names, _others_own(analysis, key))
    if table is not None and table in names:
        raise StranglerError(
            f"a module-level statement that the action's code needs also uses {table}",
            where=at(analysis.path, analysis.dispatch.line),
        )
    statements = statements | graph.always | {analysis.entry_index} | own
    docstring_line = cst.SimpleStatementLine([cst.Expr(cst.SimpleString(docstring))])
    body = _first_without_blank_lines([docstring_line, *_kept(graph, statements, names, replace)])
    code = written(analysis.module.with_changes(body=body), analysis.source)
    if handler is not None:
        code = code.replace(_PLACEHOLDER, analysis.module.code_for_node(handler))
    return code, statements, names, parts


def _kept(
    graph: SymbolGraph, statements: frozenset[int], names: frozenset[str], replace: Mapping[int, cst.BaseStatement]
) -> list[cst.BaseStatement]:
    """The module's ``statements`` in order, imports trimmed to ``names``, groups kept apart."""
    body: list[cst.BaseStatement] = []
    previous = -1
    for index in sorted(statements):
        statement = replace.get(index) or _trim_import(graph.statements[index], names | graph.unread_imports, keep_unused=False)
        body.append(_keep_separation(statement, graph.statements[previous + 1 : index]))
        previous = index
    return body


def trimmed_imports(graph: SymbolGraph, statements: Iterable[int], names: frozenset[str]) -> dict[int, cst.BaseStatement]:
    """The import lines among ``statements`` that lose names, as the new module writes them
    (``from routes import books, loans`` needing only ``books`` imports one module)."""
    found = {}
    for index in statements:
        statement = graph.statements[index]
        trimmed = _trim_import(statement, names | graph.unread_imports, keep_unused=False)
        if trimmed is not statement and not isinstance(trimmed, cst.RemovalSentinel):
            found[index] = trimmed
    return found


def router_module(router: RouterModule, own: Iterable[int], wanted: frozenset[str] | None = frozenset()) -> str:
    """An included router's module for a new function: the routes ``own`` (none when the
    function only imports helpers from it) with the router's hooks, the names ``wanted``
    by the function's other modules (None: they import the module object, so all of it)
    and what all that needs; the module's docstring stays."""
    if wanted is None:
        return router.source
    graph = router.graph
    own = frozenset(own)
    own = own | frozenset(router.hooks) if own else own
    statements, names = graph.name_closure([*(n for u in own for n in graph.uses.get(u, ())), *wanted])
    statements, names = graph.with_companions(statements, names)
    statements = statements | graph.always | own | _docstring(router.module)
    return written(router.module.with_changes(body=_kept(graph, statements, names, {})), router.source)


def _docstring(module: cst.Module) -> frozenset[int]:
    first = module.body[0] if module.body else None
    if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr):
        if isinstance(first.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            return frozenset({0})
    return frozenset()


def _keep_separation(statement: cst.BaseStatement, skipped: tuple[cst.BaseStatement, ...]) -> cst.BaseStatement:
    """A statement that followed left-out ones gets a blank line if one opened a group
    among them (between import groups, say), and it had no leading lines of its own.

    Any blank line in the gap counts, not only the first statement's: then leaving out
    statements in two runs gives what leaving them out in one run gives.
    """
    if statement.leading_lines:
        return statement
    for gone in skipped:
        if gone.leading_lines and gone.leading_lines[0].comment is None:
            return statement.with_changes(leading_lines=[gone.leading_lines[0]])
    return statement


def _own_statements(analysis: Analysis, key: str) -> frozenset[int]:
    """Module-level statements that are the action's code itself: a route's def and the
    resolver's hooks (exception handlers), which nothing references by name."""
    layout = analysis.layout
    if isinstance(layout, RouteLayout):
        return frozenset({layout.unit(key), *layout.hooks})
    return frozenset()


def _others_own(analysis: Analysis, key: str) -> frozenset[int]:
    """Statements that are other actions' own and would otherwise come along as companions
    (``app.include_router(users.router)`` acts on the kept ``app``)."""
    layout = analysis.layout
    if isinstance(layout, RouteLayout):
        return frozenset(router.include_index for router in layout.routers) - {layout.unit(key)}
    return frozenset()


def _first_without_blank_lines(body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    if len(body) > 1 and body[1].leading_lines and all(line.comment is None for line in body[1].leading_lines):
        body[1] = body[1].with_changes(leading_lines=[])
    if len(body) > 1 and not body[1].leading_lines:
        body[1] = body[1].with_changes(leading_lines=[cst.EmptyLine()])
    return body


def _check_entrypoint_name(analysis: Analysis, statements: frozenset[int], names: frozenset[str]) -> None:
    if ENTRYPOINT in names and analysis.entrypoint.name.value != ENTRYPOINT:
        raise StranglerError(
            f"the extracted code already uses a module-level name {ENTRYPOINT!r}, the new entrypoint's name",
            where=analysis.path,
            hint=f"rename that {ENTRYPOINT} in the monolith first",
        )


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _trim_import(statement: cst.BaseStatement, names: frozenset[str], keep_unused: bool, unused: frozenset[str] = frozenset()) -> cst.BaseStatement:
    """Drop the aliases of an import line that bind names no longer needed.

    With ``keep_unused``, only the aliases in ``unused`` may go (the monolith keeps
    imports that were unused before the run).
    """
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return statement
    small = statement.body[0]
    if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
        return statement
    if isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__":
        return statement

    def wanted(alias: cst.ImportAlias) -> bool:
        name = _bound_name(alias)
        return name in names or (keep_unused and name not in unused)

    aliases = [alias for alias in small.names if wanted(alias)]
    if len(aliases) == len(small.names):
        return statement
    if not aliases:
        return cst.RemovalSentinel.REMOVE  # type: ignore[return-value]
    if not (isinstance(small, cst.ImportFrom) and small.lpar):
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(body=[small.with_changes(names=aliases)])


# --- the monolith, after some actions left -------------------------------------------------
def monolith_module(analysis: Analysis, removed: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The monolith's module without ``removed`` entries and the code only they used.

    Returns the new source and the module-level names it no longer defines.
    """
    removed = set(removed)
    if not removed:
        return analysis.source, ()
    graph = analysis.graph
    keys = [a.key for a in analysis.dispatch.actions]
    staying_units = {analysis.unit(k) for k in keys if k not in removed}
    leaving_units = {analysis.unit(k) for k in removed} - staying_units
    own = {u for u in leaving_units if isinstance(u, int)} - {analysis.entry_index, analysis.table_index}
    replace = {analysis.entry_index: _entrypoint_without(analysis, removed)}
    if analysis.helper_index is not None:
        # The handler stays as it is; the helper loses the branches.
        replace = {analysis.helper_index: _entrypoint_without(analysis, removed, graph.statements[analysis.helper_index])}
    if analysis.table_index is not None:
        replace[analysis.table_index] = _without_entries(graph.statements[analysis.table_index], analysis, removed)
    code, gone, parts = _module_without(analysis.module, analysis.source, graph, leaving_units, own, staying_units, replace)
    analysis.cache["monolith statements"] = (code, parts)
    return code, gone


def monolith_statements(analysis: Analysis, code: str) -> tuple[tuple[int | None, cst.BaseStatement], ...] | None:
    """The statements of ``code``, the monolith's module as :func:`monolith_module` last
    wrote it, each with its index in the monolith when it is that statement unchanged
    (None for one rewritten); None for any other text.

    ``--commit`` reads what the trimmed monolith still needs after every action: statement
    by statement, each statement read once a run, not the whole module once a step."""
    last = analysis.cache.get("monolith statements")
    return last[1] if last is not None and last[0] is code else None


def router_module_without(router: RouterModule, removed: Iterable[int]) -> tuple[str, tuple[str, ...]]:
    """An included router's module once the routes defined by ``removed`` left."""
    removed = frozenset(removed)
    graph = router.graph
    # What the monolith's other modules import from it stays (all of it, when they import the module).
    wanted = router.imported_by(path for path, _ in router.importers)
    kept = frozenset(index for name in (graph.definers if wanted is None else wanted) for index in graph.definers.get(name, ()))
    kept -= removed
    code, gone, _ = _module_without(router.module, router.source, graph, removed, removed, set(), {}, kept)
    return code, gone


def _module_without(
    module: cst.Module, source: str, graph: SymbolGraph, leaving_units, own: Iterable[int], staying_units,
    replace: Mapping[int, cst.BaseStatement], kept: frozenset[int] = frozenset(),
) -> tuple[str, tuple[str, ...], tuple[tuple[int | None, cst.BaseStatement], ...]]:
    """``module`` without the statements ``own`` to the leaving units and the code only
    they used; ``replace`` gives the statements rewritten in place, ``kept`` those that
    stay whoever uses them. Also the statements written, each with its index when it is
    the original statement (its blank lines aside)."""
    leaving, leaving_names = graph.closure(leaving_units)
    leaving = (leaving | frozenset(own)) - frozenset(replace) - kept
    staying = [i for i in range(len(graph.statements)) if i not in leaving]
    live, live_names = graph.closure([*staying, *staying_units])
    body: list[cst.BaseStatement] = []
    origins: list[int | None] = []
    skipped: list[cst.BaseStatement] = []  # removed since the last statement kept
    for index, statement in enumerate(graph.statements):
        if index in replace:
            kept: cst.BaseStatement | None = replace[index]
        elif index not in leaving:
            kept = statement
        elif index in live:
            trimmed = _trim_import(statement, live_names, keep_unused=True, unused=leaving_names - live_names)
            kept = None if isinstance(trimmed, cst.RemovalSentinel) else trimmed
        else:
            kept = None
        if kept is None:
            skipped.append(statement)
            continue
        # Like the new module: a group whose first statement left keeps its blank line, so
        # extracting in several runs writes what one run writes.
        body.append(_keep_separation(kept, tuple(skipped)))
        origins.append(index if kept is statement else None)
        skipped = []
    still_defined = {name for index in staying for name in graph.defines[index]}
    gone = sorted((leaving_names - live_names - still_defined) & set(graph.definers))
    return written(module.with_changes(body=body), source), tuple(gone), tuple(zip(origins, body))


def _without_entries(statement: cst.BaseStatement, analysis: Analysis, removed: set[str]) -> cst.BaseStatement:
    layout = analysis.layout
    assert isinstance(layout, TableLayout)
    doomed = {id(layout.elements[key]) for key in removed if key in layout.elements}
    if not doomed:
        return statement
    if not layout.inner:
        return statement.deep_replace(layout.node, drop_elements(layout.node, doomed))  # type: ignore[return-value]
    # A table of tables: entries leave the inner dicts; an emptied one stays ({}), so a
    # lookup of its key fails as it did for the inner key before.
    touched = {id(node) for node in layout.inner.values() if any(id(e) in doomed for e in node.elements)}
    elements = [
        e.with_changes(value=drop_elements(e.value, doomed)) if id(e.value) in touched else e  # type: ignore[arg-type]
        for e in layout.node.elements
    ]
    return statement.deep_replace(layout.node, layout.node.with_changes(elements=elements))  # type: ignore[return-value]


def _entrypoint_without(analysis: Analysis, removed: set[str], dispatcher: cst.BaseStatement | None = None) -> cst.BaseStatement:
    """The monolith's entrypoint (or ``dispatcher``, the helper it calls) once ``removed``
    left: only changes when the dispatch lives in it."""
    layout, entry = analysis.layout, dispatcher or analysis.entrypoint
    if isinstance(layout, RouteLayout):
        return entry
    if isinstance(layout, TableLayout):
        if layout.statement_index is not None:
            return entry
        return _without_entries(entry, analysis, removed)
    with constants_of(analysis.module):  # keys compared with the module's constants
        return branches_without(entry, layout, removed)
