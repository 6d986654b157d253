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

import libcst as cst

from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, argument, parameter_typed_as
from strangler.analyse.dispatch.table import NoDispatch, entrypoint_index
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
