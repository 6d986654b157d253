"""Detector for a module-level mapping table: ``HANDLERS = {"OrderPlaced": on_placed}``.

The table must be a dict literal of string keys and module-level functions, looked up in
the entrypoint with ``TABLE[key]``, ``TABLE.get(key[, default])`` or guarded by
``key in TABLE``, and never changed at run time.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import libcst as cst

from strangler.analyse import locate, slicing
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, constant, resolve
from strangler.analyse.dispatch.layout import TableLayout
from strangler.errors import StranglerError, at
from strangler.model import NESTED_SEPARATOR, Action, Dispatch, EventPath, FunctionRef
from strangler.sources.registry import source_for

_MUTATORS = {"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"}
class NoDispatch(StranglerError):
    """The handler does not dispatch through a table: not an error when scanning many functions."""


LOOKED_FOR = (
    "a module-level dict of string keys to functions, looked up in {entry}() with "
    "TABLE[key], TABLE.get(key) or `key in TABLE`"
)


def detect_table(
    function: FunctionRef, source: str, path: str, module: cst.Module, known: bool = False, events: Any = None,
) -> Analysis:
    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    entry_line = locate.top_level_line(source, entry.name.value, "def")
    # Earlier runs may have emptied a table built in the handler: ``routes = {}`` looked up
    # by the event's key is still the dispatch, and its default or guard may be an action.
    local = _LocalTables(minimum=0 if known else 2)
    entry.body.visit(local)
    tables = {name: (index, node, None) for name, (index, node) in _dict_assignments(module)}
    tables.update({name: (None, node, statement) for name, (node, statement) in local.tables.items()})
    lookups = _Lookups(set(tables))
    entry.body.visit(lookups)
    if not lookups.found:
        raise NoDispatch("no dispatch found: looked for " + LOOKED_FOR.format(entry=entry.name.value), where=at(path, entry_line))
    names = {name for name, _, _ in lookups.found}
    if len(names) > 1:  # a one-entry local dict is a table only when nothing else is
        names -= {name for name, (node, _) in local.tables.items() if len(node.elements) < 2}
    if len(names) > 1:
        raise StranglerError(
            f"{entry.name.value}() looks up several tables ({', '.join(sorted(names))}); strangler splits one",
            where=at(path, entry_line),
        )
    table = names.pop()
    found = [lookup for lookup in lookups.found if lookup[0] == table]
    table_index, table_dict, assignment = tables[table]
    if table_index is not None:
        anchor, anchor_line = module.body[table_index], locate.top_level_line(source, table, "assign")
    else:
        anchor, anchor_line = entry, entry_line
    lines = locate.Lines(anchor, anchor_line)
    table_line = lines.of(table_dict) if table_index is None else anchor_line
    entries = _entries(table, table_dict, path, lines)
    inner = _inner_tables(table, entries, path, lines)
    if inner:
        entries = {
            f"{outer}{NESTED_SEPARATOR}{key}": element
            for outer, node in inner.items()
            for key, element in _entries(f"{table}[{outer!r}]", node, path, lines).items()
        }
    layout = TableLayout(table, table_dict, entries, table_index, assignment, inner)
    graph = slicing.build(module, layout.unit_nodes(), entry_index if table_index is None else table_index, source)
    if not inner:
        default = _default_action(entry, found, set(entries), graph, events)
        layout = dataclasses.replace(layout, default=default) if default is not None else layout
        guard = _guard_action(entry, found, set(entries), events) if default is None else None
        layout = dataclasses.replace(layout, guard=guard) if guard is not None else layout
    if table_index is not None:
        _check_static(graph, table, path, table_line)
    elif local.count[table] > 1:
        raise StranglerError(f"{table} is assigned more than once in {entry.name.value}()", where=at(path, table_line))
    _check_mutations(entry if table_index is None else None, graph, table, path, table_line)
    event_path = _event_path(entry, found, path, entry_line) if not inner else _nested_path(entry, table, found, path, entry_line)
    actions = tuple(
        Action(key, _short(module.code_for_node(element.value)), lines.of(element))
        for key, element in entries.items()
    )
    for action, (key, element) in zip(actions, entries.items(), strict=True):
        _check_value(key, element, graph, path, action.line, local=table_index is None)
    if layout.default is not None:
        key, handler = layout.default
        line = locate.line_within(entry, entry_line, handler)
        actions += (Action(key, "default: " + _short(module.code_for_node(handler)), line),)
    if layout.guard is not None:
        key, guard = layout.guard
        line = locate.line_within(entry, entry_line, guard)
        actions += (Action(key, "default: if " + _short(module.code_for_node(guard.test)), line),)
    shape = ("table" if table_index is not None else "table in the handler") + (" of tables" if inner else "")
    dispatch = Dispatch(shape, table, table_line, entry.name.value, event_path, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def _default_action(
    entry: cst.FunctionDef, found, handled: set[str], graph: slicing.SymbolGraph, events: Any,
) -> tuple[str, cst.BaseExpression] | None:
    """The lookup's default as the action of the one key it can still see.

    ``TABLE.get(k, on_other)`` or ``TABLE.get(k) or on_other``: when the function's event
    filters list every key they let through (an EventBridge rule's detail-types) and the
    table handles all but one of them, the default handles exactly that one. It must be a
    module-level function (or one it imports) or a lambda; otherwise it stays the monolith's.
    """
    finder = _Defaults({id(node) for _, _, node in found})
    entry.body.visit(finder)
    codes = {cst.Module([]).code_for_node(d) for d in finder.defaults}
    # Every lookup falls back to it: a ``key in TABLE`` guard or a bare ``TABLE[key]``
    # elsewhere would stop the key before the default runs.
    if len(codes) != 1 or len(finder.defaults) != len(found) or not isinstance(events, Mapping) or not events:
        return None
    default = finder.defaults[0]
    if not _is_function(default, graph):
        return None
    key = _one_key_left(entry, found, handled, events)
    return (key, default) if key is not None else None


def _one_key_left(entry: cst.FunctionDef, found, handled: set[str], events: Any) -> str | None:
    """The one key the function's event filters let through that the table does not list,
    when the filters list every key they let through; else None."""
    if not isinstance(events, Mapping) or not events:
        return None
    try:
        event_path = _event_path(entry, found, "", 0)
    except StranglerError:
        return None
    allowed = listed_keys(events, event_path)
    rest = set(allowed - handled) if allowed is not None else set()
    return rest.pop() if len(rest) == 1 else None


def listed_keys(events: Mapping[str, Any], event_path: EventPath) -> frozenset[str] | None:
    """Every key the function's events let through, when each event's filter lists them;
    None when one does not (or is malformed: validation names that, not this)."""
    allowed: set[str] = set()
    for event in events.values():
        if not isinstance(event, Mapping) or not isinstance(event.get("Properties") or {}, Mapping):
            return None
        source = source_for(event.get("Type"))
        listed = source.listed_keys(event, event_path) if source is not None else None
        if listed is None:
            return None
        allowed |= listed
    return frozenset(allowed)


def _guard_action(entry: cst.FunctionDef, found, handled: set[str], events: Any) -> tuple[str, cst.If] | None:
    """The guard that catches the one key the table does not list, as that key's action.

    ``handler = TABLE.get(k)`` then ``if handler is None: ...`` (or ``if not handler``), or
    ``if k not in TABLE: ...``, as a statement of the entrypoint itself whose body always
    leaves it (return or raise), with no other lookup before it: for the one key the
    filters still let through, the monolith runs the code before the guard, then the
    guard's body, and nothing after. Anything else stays the monolith's.
    """
    if not isinstance(entry.body, cst.IndentedBlock):
        return None
    lookups = {id(node) for _, _, node in found}
    handlers: set[str] = set()  # names bound to TABLE.get(k) before the guard
    for statement in entry.body.body:
        if (
            isinstance(statement, cst.If) and statement.orelse is None and _always_leaves(statement.body)
            and _catches_missing(statement.test, lookups, handlers)
        ):
            break
        # A name the code touches between its lookup and the guard may no longer hold the
        # lookup's answer (``handler = handler or fallback``): it guards nothing for sure.
        handlers -= _names_in(statement)
        name = _bound_to_get(statement, lookups)
        if name is not None:
            handlers.add(name)
            continue
        if _lookups_in(statement, lookups):
            return None  # TABLE[k] (or the table) before the guard: it would fail or act first
    else:
        return None
    key = _one_key_left(entry, found, handled, events)
    return (key, statement) if key is not None else None


def _always_leaves(body: cst.BaseSuite) -> bool:
    """The block ends with a return or a raise at its own level."""
    last = body.body[-1] if isinstance(body, cst.IndentedBlock) and body.body else body
    if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and last.body:
        return isinstance(last.body[-1], (cst.Return, cst.Raise))
    return False


def _catches_missing(test: cst.BaseExpression, lookups: set[int], handlers: set[str]) -> bool:
    """``k not in TABLE``, ``handler is None`` or ``not handler``."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if id(test) in lookups:
            return isinstance(target.operator, cst.NotIn)
        return (
            isinstance(test.left, cst.Name) and test.left.value in handlers and isinstance(target.operator, cst.Is)
            and isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
        )
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return isinstance(test.expression, cst.Name) and test.expression.value in handlers
    return False


def _bound_to_get(statement: cst.BaseStatement, lookups: set[int]) -> str | None:
    """``name = TABLE.get(k)``: the name bound to the lookup (None for a missing key)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if not isinstance(small, cst.Assign) or len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
        return None
    value = small.value
    if id(value) in lookups and isinstance(value, cst.Call) and len(value.args) == 1:
        return small.targets[0].target.value
    return None


def _names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Name(self, child: cst.Name) -> None:
            found.add(child.value)

    node.visit(Finder())
    return found


def _lookups_in(node: cst.CSTNode, lookups: set[int]) -> set[int]:
    found: set[int] = set()

    class Finder(cst.CSTVisitor):
        def on_visit(self, child: cst.CSTNode) -> bool:
            if id(child) in lookups:
                found.add(id(child))
            return True

    node.visit(Finder())
    return found


def _is_function(node: cst.BaseExpression, graph: slicing.SymbolGraph) -> bool:
    if isinstance(node, cst.Lambda):
        return True
    root = node
    while isinstance(root, cst.Attribute):
        root = root.value
    return isinstance(root, cst.Name) and root.value in graph.definers


class _Defaults(cst.CSTVisitor):
    """What a lookup falls back to: ``TABLE.get(k, D)`` and ``TABLE.get(k) or D``."""

    def __init__(self, lookups: set[int]):
        self.lookups = lookups
        self.defaults: list[cst.BaseExpression] = []

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self.lookups and len(node.args) == 2:
            self.defaults.append(node.args[1].value)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if isinstance(node.operator, cst.Or) and id(node.left) in self.lookups:
            self.defaults.append(node.right)


def _short(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= 60 else code[:57] + "..."


class _LocalTables(cst.CSTVisitor):
    """``name = {...}`` statements directly in the entrypoint (not in nested functions)."""

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum
        self.tables: dict[str, tuple[cst.Dict, cst.SimpleStatementLine]] = {}
        self.count: dict[str, int] = defaultdict(int)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        for small in node.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                name = small.targets[0].target.value
                self.count[name] += 1
                if len(node.body) == 1 and _looks_like_table(small.value, self.minimum):
                    self.tables[name] = (small.value, node)


def _looks_like_table(value: cst.BaseExpression, minimum: int) -> bool:
    """A local dict is a dispatch table when it maps strings to callables (two or more,
    unless earlier runs already took entries out of it: then even none)."""
    if not isinstance(value, cst.Dict) or len(value.elements) < minimum:
        return False
    return all(
        isinstance(e, cst.DictElement) and _string(e.key) is not None
        and isinstance(e.value, (cst.Name, cst.Attribute, cst.Lambda))
        for e in value.elements
    )


def entrypoint_index(module: cst.Module, function: FunctionRef, path: str) -> int:
    found = [
        index
        for index, statement in enumerate(module.body)
        if isinstance(statement, cst.FunctionDef) and statement.name.value == function.function_name
    ]
    if not found:
        raise StranglerError(
            f"Handler {function.handler} of {function.logical_id} names {function.function_name}(), "
            "which is not a function defined at module level",
            where=path,
        )
    return found[-1]


def _dict_assignments(module: cst.Module) -> Iterator[tuple[str, tuple[int, cst.Dict]]]:
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target, value = small.targets[0].target, small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            target, value = small.target, small.value
        else:
            continue
        if isinstance(target, cst.Name) and isinstance(value, cst.Dict):
            yield target.value, (index, value)


class _Lookups(cst.CSTVisitor):
    """``TABLE[key]``, ``TABLE.get(key, ...)`` and ``key in TABLE`` inside the entrypoint."""

    def __init__(self, tables: set[str]):
        self.tables = tables
        self.found: list[tuple[str, cst.BaseExpression, cst.CSTNode]] = []

    def _table(self, node: cst.BaseExpression) -> str | None:
        return node.value if isinstance(node, cst.Name) and node.value in self.tables else None

    # A lookup with a constant key (``response["body"] = ...``, ``response.get("body")``)
    # reads or fills a record, as a response accumulator does: it selects nothing by the
    # event, so it is no dispatch lookup.
    def visit_Subscript(self, node: cst.Subscript) -> None:
        table = self._table(node.value)
        if table and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = node.slice[0].slice.value
            if _string(key) is None:
                self.found.append((table, key, node))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            table = self._table(func.value)
            if table and _string(node.args[0].value) is None:
                self.found.append((table, node.args[0].value, node))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            table = self._table(target.comparator)
            if table and isinstance(target.operator, (cst.In, cst.NotIn)) and len(node.comparisons) == 1:
                self.found.append((table, node.left, node))


def _entries(table: str, node: cst.Dict, path: str, lines: locate.Lines) -> dict[str, cst.DictElement]:
    entries: dict[str, cst.DictElement] = {}
    for element in node.elements:
        where = at(path, lines.of(element))
        if not isinstance(element, cst.DictElement):
            raise StranglerError(f"{table} unpacks another mapping (**...), so its keys are not static", where=where)
        key = _string(element.key)
        if key is None:
            raise StranglerError(
                f"{table} has a key that is not a string literal: {cst.Module([]).code_for_node(element.key)}",
                where=where,
            )
        if key in entries:
            raise StranglerError(f"{table} lists {key!r} twice; the later entry silently wins", where=where)
        entries[key] = element
    return entries


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return constant(node)  # HANDLERS = {GET_POST: get_post}


def _event_path(entry: cst.FunctionDef, found, path: str, entry_line: int):
    try:
        scope = Locals.of(entry)
        paths = {resolve(key, scope) for _, key, _ in found}
    except Unresolvable as exc:
        raise StranglerError(
            f"cannot tell statically which part of the event selects the handler: {exc.reason}",
            where=at(path, locate.line_within(entry, entry_line, exc.node)),
            hint="read the key straight from the event (event['detail-type'], json.loads(...)['kind'])",
        ) from None
    if len(paths) > 1:
        shown = ", ".join(sorted(str(p) for p in paths))
        raise StranglerError(f"the table is looked up with keys from different places ({shown})", where=at(path, entry_line))
    return paths.pop()


def _inner_tables(table: str, entries: dict[str, cst.DictElement], path: str, lines: locate.Lines) -> dict[str, cst.Dict]:
    """The dicts of a table of tables (``{"shop.orders": {"OrderPlaced": ...}}``), or {}."""
    dicts = {key: e.value for key, e in entries.items() if isinstance(e.value, cst.Dict)}
    if not dicts:
        return {}
    if len(dicts) != len(entries):
        other = next(e for key, e in entries.items() if key not in dicts)
        raise StranglerError(
            f"{table} mixes tables and handlers as values; strangler splits one or the other",
            where=at(path, lines.of(other)),
        )
    for outer in dicts:
        if NESTED_SEPARATOR in outer:
            raise StranglerError(
                f"the outer key {outer!r} contains {NESTED_SEPARATOR!r}, which joins the two keys of an action",
                where=at(path, lines.of(entries[outer])),
            )
    return dicts


def _nested_path(entry: cst.FunctionDef, table: str, found, path: str, entry_line: int) -> EventPath:
    """``TABLE[outer][inner]`` or ``TABLE.get(outer, {}).get(inner)``: both keys' paths."""
    finder = _InnerLookups({id(node) for _, _, node in found})
    entry.body.visit(finder)
    if not finder.found or len(finder.found) < len([n for _, _, n in found if not isinstance(n, cst.Comparison)]):
        raise StranglerError(
            f"{table} is a table of tables, but {entry.name.value}() does not look up both levels in one expression",
            where=at(path, entry_line),
            hint=f"look it up as {table}[outer][inner] or {table}.get(outer, {{}}).get(inner)",
        )
    outer = _event_path(entry, found, path, entry_line)
    inner = _event_path(entry, [(table, key, node) for key, node in finder.found], path, entry_line)
    return EventPath.nested(outer, inner)


class _InnerLookups(cst.CSTVisitor):
    """Lookups into what a lookup of the outer table returned, and ``key in TABLE[outer]``."""

    def __init__(self, outer: set[int]):
        self.outer = outer
        self.found: list[tuple[cst.BaseExpression, cst.CSTNode]] = []

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node.value) in self.outer and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            self.found.append((node.slice[0].slice.value, node))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args and id(func.value) in self.outer:
            self.found.append((node.args[0].value, node))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            if id(target.comparator) in self.outer and isinstance(target.operator, (cst.In, cst.NotIn)):
                self.found.append((node.left, node))


def _check_value(key: str, element: cst.DictElement, graph: slicing.SymbolGraph, path: str, line: int, local: bool) -> None:
    """A handler strangler can carry on its own: a function, an attribute of a module, a lambda."""
    value = element.value
    if isinstance(value, cst.Lambda):
        return
    root = value
    while isinstance(root, cst.Attribute):
        root = root.value
    if isinstance(root, cst.Name) and (local or root.value in graph.definers):
        return
    raise StranglerError(
        f"the handler for {key!r} is not a function of this module, one it imports, or a lambda",
        where=at(path, line),
        hint="point the table at a module-level function",
    )


def _check_static(graph: slicing.SymbolGraph, table: str, path: str, line: int) -> None:
    """Refuse a module-level table that is bound more than once: its entries would not be what we read."""
    if len(graph.definers.get(table, ())) > 1:
        raise StranglerError(f"{table} is assigned more than once at module level", where=at(path, line))
    if table in graph.rebound:
        raise StranglerError(f"{table} is rebound inside a function (global {table})", where=at(path, line))


def _check_mutations(entry: cst.FunctionDef | None, graph: slicing.SymbolGraph, table: str, path: str, line: int) -> None:
    """Refuse a table that is changed at run time (in the entrypoint, or anywhere for a module table)."""
    places = [entry] if entry is not None else [
        statement for index, statement in enumerate(graph.statements) if table in graph.uses.get(index, ())
    ]
    for place in places:
        finder = _Mutation(table)
        place.visit(finder)
        if finder.how:
            raise StranglerError(
                f"{table} is changed at run time ({finder.how}), so its entries are not static", where=at(path, line)
            )


class _Mutation(cst.CSTVisitor):
    def __init__(self, table: str):
        self.table = table
        self.how: str | None = None

    def _is_table(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.table

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Subscript) and self._is_table(node.target.value):
            self.how = f"{self.table}[...] = ..."

    def visit_Del(self, node: cst.Del) -> None:
        if isinstance(node.target, cst.Subscript) and self._is_table(node.target.value):
            self.how = f"del {self.table}[...]"

    def visit_Global(self, node: cst.Global) -> None:
        if any(name.name.value == self.table for name in node.names):
            self.how = f"global {self.table}"

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and self._is_table(func.value) and func.attr.value in _MUTATORS:
            self.how = f"{self.table}.{func.attr.value}(...)"
