"""A handler that already keeps a dedupe record: what it does after the record is guarded.

The common hand-written guard writes a record keyed on the delivery's id with
``ConditionExpression="attribute_not_exists(...)"`` and stops when that fails:

    if not _journal(sku, delivery):        # put_item(..., ConditionExpression=...) -> False on a repeat
        return {"duplicate": True}
    table.update_item(... ADD on_hand :q ...)

or inline, ``try: table.put_item(..., ConditionExpression=...) except ...: return``. Writes
after such a guard (lower in the function, or in functions called after it) repeat nothing.
"""

from __future__ import annotations

import libcst as cst

from strangler.check.idempotency_scope import Resolver, Text, keyword

_STOPS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
# A handler that stops on the failed condition: ``raise`` there re-raises other errors and
# lets a repeat carry on (as the ConditionExpression fix itself does), so it is no guard.
_SKIPS = (cst.Return, cst.Continue, cst.Break)


def guard_line(resolver: Resolver, function: cst.FunctionDef, positions: dict) -> int | None:
    """The first line of ``function`` after which a dedupe record guards what follows."""
    lines: list[int] = []

    class _Look(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_If(self, node: cst.If) -> None:
            if _stops(node.body, _STOPS) and any(_records(resolver, call) for call in calls_under(node.test)):
                lines.append(positions[node].end.line)

        def visit_Try(self, node: cst.Try) -> None:
            conditional = any(_conditional_put(resolver, call) for call in calls_under(node.body))
            if conditional and any(_stops(handler.body, _SKIPS) for handler in node.handlers):
                lines.append(positions[node].end.line)

    function.visit(_Look())
    return min(lines) if lines else None


def _records(resolver: Resolver, call: cst.Call) -> bool:
    """``call`` is of a module function that writes a conditional put_item."""
    if not isinstance(call.func, cst.Name) or call.func.value not in resolver.scope.functions:
        return False
    helper = resolver.scope.functions[call.func.value]
    inner = Resolver(resolver.scope)
    return any(_conditional_put(inner, node) for node in calls_under(helper))


def _conditional_put(resolver: Resolver, call: cst.Call) -> bool:
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "put_item"):
        return False
    condition = resolver.value(keyword(call, "ConditionExpression"))
    return isinstance(condition, Text) and "attribute_not_exists" in condition.value


def _stops(node: cst.CSTNode, kinds: tuple[type, ...]) -> bool:
    found = False

    class _Look(cst.CSTVisitor):
        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return False

        def on_visit(self, inner: cst.CSTNode) -> bool:
            nonlocal found
            found = found or isinstance(inner, kinds)
            return super().on_visit(inner)

    node.visit(_Look())
    return found


def calls_under(node: cst.CSTNode) -> list[cst.Call]:
    """Every call in ``node``, outermost first."""
    found: list[cst.Call] = []

    class _Collect(cst.CSTVisitor):
        def visit_Call(self, inner: cst.Call) -> None:
            found.append(inner)

    node.visit(_Collect())
    return found
