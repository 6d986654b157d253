"""Dispatch in a helper: the handler unwraps the event (loops over its records, unmarshalls
it) and calls a module-level function that dispatches on what it was given.

``for record in event["Records"]: process_record(record)`` with ``process_record``
comparing ``record["body"]``'s kind is a dispatch on ``Records[*].body...``: the event path
joins what the handler passes with what the helper reads from its parameter. Each new
function keeps the handler and the helper cut down to its one branch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import libcst as cst

from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, argument, parameter_typed_as
from strangler.analyse.dispatch.routers import Neighbours, absolute_module
from strangler.analyse.dispatch.table import NoDispatch, entrypoint_index
from strangler.errors import StranglerError, at
from strangler.model import THEN, EventPath, FunctionRef


def detect_in_helper(
    function: FunctionRef, source: str, path: str, module: cst.Module, earlier: frozenset[str]
) -> Analysis | None:
    """The dispatch of the one module-level function the handler hands the event to, if any."""
    from strangler.analyse.dispatch.branches import detect_branches
    from strangler.analyse.dispatch.layout import TableLayout
    from strangler.analyse.dispatch.table import detect_table

    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    found: list[Analysis] = []
    for helper, passed in _helper_calls(entry, module, entry_index):
        try:
            scope = Locals.of(entry)
            prefix, typed_as = argument(passed, scope)
        except Unresolvable:
            continue  # what it is given is not read from the event
        if THEN in prefix.parts:
            continue
        as_helper = dataclasses.replace(function, function_name=helper)
        try:
            with parameter_typed_as(typed_as):
                try:
                    analysis = detect_table(as_helper, source, path, module, bool(earlier))
                except NoDispatch:
                    analysis = detect_branches(as_helper, source, path, module, earlier)
        except NoDispatch:
            continue
        if len(analysis.dispatch.actions) < 2 and not earlier:
            continue
        event_path = _under(prefix, analysis.dispatch.event_path)
        # a table keeps its name there (code generation looks it up); a chain says where it is
        where = analysis.dispatch.table if isinstance(analysis.layout, TableLayout) else f"{analysis.dispatch.table} in {helper}()"
        dispatch = dataclasses.replace(analysis.dispatch, table=where, entrypoint=entry.name.value, event_path=event_path)
        found.append(dataclasses.replace(
            analysis, function=function, dispatch=dispatch, entry_index=entry_index, helper_index=analysis.entry_index,
        ))
    return found[0] if len(found) == 1 else None


def _under(prefix: EventPath, path: EventPath) -> EventPath:
    """``path``, read from what the handler passed, as read from the event: each level of a
    nested dispatch reads from the same passed value."""
    if path.is_nested:
        outer, inner = path.levels
        return EventPath.nested(_under(prefix, outer), _under(prefix, inner))
    return EventPath((*prefix.parts, *path.parts))


def _helper_calls(entry: cst.FunctionDef, module: cst.Module, entry_index: int) -> Iterator[tuple[str, cst.BaseExpression]]:
    """``helper(x, ...)`` calls in the handler of module-level functions, with ``x``; each helper once."""
    defined = {
        statement.name.value for index, statement in enumerate(module.body)
        if isinstance(statement, cst.FunctionDef) and index != entry_index
        and (statement.params.params or statement.params.posonly_params)
    }
    calls: dict[str, list[cst.BaseExpression]] = {}

    class Calls(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value in defined and node.args and node.args[0].keyword is None and not node.args[0].star:
                calls.setdefault(node.func.value, []).append(node.args[0].value)

    entry.body.visit(Calls())
    for name, passed in calls.items():
        if len(passed) == 1:  # called from two places with maybe different values: not followed
            yield name, passed[0]


def refuse_sibling_helper(
    function: FunctionRef, source: str, path: str, module: cst.Module, neighbours: Neighbours | None,
) -> None:
    """Say where the dispatch is when it is in a function another local module defines.

    ``from router import process_record`` (or ``import router as r`` and
    ``r.process_record(record)``) with the helper comparing the record's kind: the
    handler looks like a monolith, but its branches live in another file, which strangler
    does not rewrite yet. Saying where the dispatch is beats "no dispatch found".
    """
    if neighbours is None:
        return
    from strangler.analyse import locate

    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    entry_line = locate.top_level_line(source, entry.name.value, "def")
    names, modules = _imported(module, function.package)
    for call in _calls(entry):
        target = _target(call.func, names, modules)
        if target is None:
            continue
        dotted, helper = target
        found = _module_file(function, neighbours, dotted)
        if found is None:
            continue
        file, text = found
        actions = _dispatches(function, helper, text, neighbours.relative(file))
        if actions:
            shown = neighbours.relative(file)
            # Not a refusal that stops a run over many functions: a helper elsewhere that
            # compares strings may be validation rather than dispatch. Scan says why.
            raise NoDispatch(
                f"{entry.name.value}() calls {helper}() of {shown}, which dispatches on "
                f"{len(actions)} actions ({', '.join(actions[:3])}{', ...' if len(actions) > 3 else ''}); "
                "strangler follows a dispatching helper only in the handler's own module",
                where=at(path, locate.line_within(entry, entry_line, call)),
                hint=f"move {helper}() (and what only it uses) into {path}, or split {shown} by hand",
            )


def _imported(module: cst.Module, package: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Module-level imports: names bound to a function of a module (``from m import f as g``:
    g -> (m, f)) and names bound to a module (``import m as r``: r -> m)."""
    names: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                base = cst.Module([]).code_for_node(small.module) if small.module is not None else ""
                dotted = absolute_module(base, len(small.relative), package)
                for alias in small.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    if isinstance(bound, cst.Name) and isinstance(alias.name, cst.Name):
                        names[bound.value] = (dotted, alias.name.value)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = cst.Module([]).code_for_node(alias.name)
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        modules[alias.asname.name.value] = dotted
                    elif "." not in dotted:
                        modules[dotted] = dotted
    return names, modules


def _calls(entry: cst.FunctionDef) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Call(self, node: cst.Call) -> None:
            if node.args and node.args[0].keyword is None and not node.args[0].star:
                found.append(node)

    entry.body.visit(Calls())
    return found


def _target(func: cst.BaseExpression, names: dict[str, tuple[str, str]], modules: dict[str, str]) -> tuple[str, str] | None:
    """The (module, function) a call goes to, when an import names both."""
    if isinstance(func, cst.Name) and func.value in names:
        return names[func.value]
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in modules:
        return modules[func.value.value], func.attr.value
    return None


def _module_file(function: FunctionRef, neighbours: Neighbours, dotted: str) -> tuple[Path, str] | None:
    """The local file of module ``dotted`` (imported from the code folder) and its text."""
    base = function.code_dir.joinpath(*dotted.split("."))
    for file in (base.with_suffix(".py"), base / "__init__.py"):
        if file in neighbours.sources and file != function.module_path:
            return file, neighbours.sources[file]
    return None


def _dispatches(function: FunctionRef, helper: str, text: str, shown: str) -> list[str]:
    """The actions of ``helper``'s dispatch in that module (none when it does not dispatch)."""
    from strangler.analyse.dispatch import parse
    from strangler.analyse.dispatch.branches import detect_branches
    from strangler.analyse.dispatch.eventpath import constants_of
    from strangler.analyse.dispatch.table import detect_table

    try:
        other = parse(text, shown)
    except StranglerError:
        return []
    as_helper = dataclasses.replace(function, function_name=helper)
    with constants_of(other):
        for detect in (detect_table, detect_branches):
            try:
                analysis = detect(as_helper, text, shown, other, frozenset())  # type: ignore[operator]
            except StranglerError:
                continue
            keys = [action.key for action in analysis.dispatch.actions]
            if len(keys) >= 2:
                return keys
    return []
