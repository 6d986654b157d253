"""The dispatcher specialised to one table entry: the lookup becomes the handler.

Guards that can no longer fire (``if key not in TABLE``, ``if handler is None``, a
``try/except KeyError`` around a lookup that cannot fail) are removed; everything else the
dispatcher did stays. Also: removing entries from a dict, comments and all.
"""

from __future__ import annotations

import libcst as cst

from strangler.render.codegen.blocks import non_empty, statements


class SpecialiseLookup(cst.CSTTransformer):
    """The monolith's dispatcher, with the table lookup replaced by one handler.

    Guards that can no longer fire (``if key not in TABLE``, ``if handler is None``, a
    ``try/except KeyError`` around a lookup that cannot fail) are removed; everything else
    the dispatcher did stays.
    """

    def __init__(self, table: str, handler: cst.BaseExpression, binding: cst.BaseStatement | None = None, nested: bool = False):
        self.table = table
        self.handler = handler
        self.binding = binding  # a table built in the handler: its statement goes
        self.nested = nested  # a table of tables: the lookup is TABLE[outer][inner]
        self.lookup_vars: set[str] = set()

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        return cst.RemoveFromParent() if original is self.binding else updated

    def _is_table(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.table

    def _is_lookup(self, node: cst.BaseExpression) -> bool:
        """A lookup that yields the handler: ``TABLE[k]`` / ``TABLE.get(k)``, or for a table
        of tables ``TABLE[a][b]`` / ``TABLE.get(a, {}).get(b)``."""
        container = _looked_up(node)
        if container is None:
            return False
        return self._is_outer_lookup(container) if self.nested else self._is_table(container)

    def _is_outer_lookup(self, node: cst.BaseExpression) -> bool:
        container = _looked_up(node)
        return container is not None and self._is_table(container)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_lookup(node.value):
            self.lookup_vars.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        return self.handler if self._is_lookup(original) else updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self.handler if self._is_lookup(original) else updated

    def leave_BooleanOperation(self, original: cst.BooleanOperation, updated: cst.BooleanOperation) -> cst.BaseExpression:
        # ``TABLE.get(k) or on_other``: a handler is a function, never false, so the
        # default after ``or`` is never reached (the new function calls its handler).
        if isinstance(original.operator, cst.Or) and self._is_lookup(original.left):
            return updated.left  # ``(TABLE.get(k) or on_other)(event)``: a name needs no parentheses
        return updated

    # --- static truth of guards -----------------------------------------------------
    def _truth(self, test: cst.BaseExpression) -> bool | None:
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            (target,) = test.comparisons
            container = target.comparator
            if (self._is_table(container) or (self.nested and self._is_outer_lookup(container))) and isinstance(
                target.operator, (cst.In, cst.NotIn)
            ):
                return isinstance(target.operator, cst.In)
            if self._is_handler(test.left) and isinstance(target.comparator, cst.Name) and target.comparator.value == "None":
                if isinstance(target.operator, cst.Is):
                    return False
                if isinstance(target.operator, cst.IsNot):
                    return True
            return None
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._truth(test.expression)
            return None if inner is None else not inner
        if isinstance(test, cst.BooleanOperation):
            left, right = self._truth(test.left), self._truth(test.right)
            if isinstance(test.operator, cst.And):
                return False if False in (left, right) else (True if left and right else None)
            return True if True in (left, right) else (False if left is False and right is False else None)
        if self._is_handler(test):
            return True
        return None

    def _is_handler(self, node: cst.BaseExpression) -> bool:
        return (isinstance(node, cst.Name) and node.value in self.lookup_vars) or self._is_lookup(node)

    def leave_If(self, original: cst.If, updated: cst.If):
        truth = self._truth(original.test)
        if truth is True:
            return cst.FlattenSentinel(statements(updated.body))
        if truth is False:
            if updated.orelse is None:
                return cst.RemoveFromParent()
            if isinstance(updated.orelse, cst.If):
                return updated.orelse.with_changes(leading_lines=updated.leading_lines)
            return cst.FlattenSentinel(statements(updated.orelse.body))
        return updated

    def leave_Try(self, original: cst.Try, updated: cst.Try):
        if updated.finalbody is not None or not updated.handlers:
            return updated
        if not all(_catches_only_lookup_errors(h) for h in updated.handlers):
            return updated
        if not _contains_lookup(original.body, self) or not all(_cannot_raise(s) for s in statements(updated.body)):
            return updated
        body = list(statements(updated.body))
        if updated.orelse is not None:
            body.extend(statements(updated.orelse.body))
        body[0] = body[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel(body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return non_empty(updated)


def take_guard(
    function: cst.FunctionDef, table: str, guard: cst.If, binding: cst.BaseStatement | None = None,
) -> cst.FunctionDef:
    """The dispatcher for the one key its table does not list: its lookup finds nothing,
    so the guard that catches that runs and what follows it is never reached.

    The code before the guard stays; ``handler = TABLE.get(k)`` goes (or becomes
    ``handler = None`` when something still reads ``handler``); the guard's body takes its
    place in the function; everything after it goes.
    """
    assert isinstance(function.body, cst.IndentedBlock)
    before: list[cst.BaseStatement] = []
    for statement in function.body.body:
        if statement is guard:
            break
        before.append(statement)
    body = statements(guard.body)
    # ``if handler is None:  # why`` keeps its comment above the body it explained
    header = guard.body.header if isinstance(guard.body, cst.IndentedBlock) else None
    said = [cst.EmptyLine(comment=header.comment)] if header is not None and header.comment is not None else []
    body[0] = body[0].with_changes(leading_lines=[*guard.leading_lines, *said, *body[0].leading_lines])
    read = _read_names([s for s in before if _got_from(s, table) is None and s is not binding] + body)
    kept: list[cst.BaseStatement] = []
    pending: list[cst.EmptyLine] = []  # the comments above a statement that went
    for statement in [*before, *body]:
        name = _got_from(statement, table)
        unread = name is not None and name not in read
        if unread or (statement is binding and table not in read):  # a table built in the handler, now unread
            pending.extend(statement.leading_lines)  # type: ignore[union-attr]
            continue
        if name is not None:
            assign = statement.body[0]  # type: ignore[union-attr]
            statement = statement.with_changes(body=[assign.with_changes(value=cst.Name("None"))])  # type: ignore[union-attr]
        if pending:
            statement = statement.with_changes(leading_lines=[*pending, *statement.leading_lines])
            pending = []
        kept.append(statement)
    return function.with_changes(body=function.body.with_changes(body=kept))


def _got_from(statement: cst.BaseStatement, table: str) -> str | None:
    """``name = TABLE.get(k)``: the name."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if not isinstance(small, cst.Assign) or len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
        return None
    value = small.value
    if (
        isinstance(value, cst.Call) and len(value.args) == 1 and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "get" and isinstance(value.func.value, cst.Name) and value.func.value.value == table
    ):
        return small.targets[0].target.value
    return None


def _read_names(nodes: list[cst.BaseStatement]) -> set[str]:
    names: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    for node in nodes:
        node.visit(Finder())
    return names


def _looked_up(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """What ``node[k]`` or ``node.get(k, ...)`` looks into, or None."""
    if isinstance(node, cst.Subscript):
        return node.value
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
        return node.func.value
    return None


def _catches_only_lookup_errors(handler: cst.ExceptHandler) -> bool:
    kinds = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = [getattr(getattr(k, "value", k), "value", None) if isinstance(k, cst.Element) else getattr(k, "value", None) for k in kinds]
    return bool(names) and all(n in ("KeyError", "LookupError") for n in names)


def _cannot_raise(statement: cst.BaseStatement) -> bool:
    """An assignment of a plain name: what a lookup becomes once it is a handler."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        value = getattr(small, "value", None)
        if not isinstance(small, (cst.Assign, cst.AnnAssign)) or not isinstance(value, (cst.Name, cst.Attribute)):
            return False
    return True


def _contains_lookup(block: cst.BaseSuite, spec: SpecialiseLookup) -> bool:
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            if spec._is_lookup(node):
                found.append(node)

        def visit_Call(self, node: cst.Call) -> None:
            if spec._is_lookup(node):
                found.append(node)

    block.visit(Finder())
    return bool(found)



def drop_elements(node: cst.Dict, doomed: set[int]) -> cst.Dict:
    """Remove elements, taking their own comments along and keeping everyone else's.

    The whitespace between elements is a list of gaps: gap ``i`` precedes element ``i``
    and the last gap precedes the closing brace. A gap's first line holds the trailing
    comment of the element before it, its empty lines the comments above the next one.
    """
    elements = list(node.elements)
    had_trailing_comma = isinstance(elements[-1].comma, cst.Comma)
    gaps = [node.lbrace.whitespace_after]
    gaps += [e.comma.whitespace_after for e in elements[:-1]]  # type: ignore[union-attr]
    gaps.append(node.rbrace.whitespace_before)
    index = len(elements) - 1
    while index >= 0:
        if id(elements[index]) in doomed:
            is_last = index == len(elements) - 1
            gaps[index] = _merge_gaps(gaps[index], gaps[index + 1], is_last)
            del elements[index], gaps[index + 1]
        index -= 1
    if not elements:
        empty = cst.SimpleWhitespace("")
        return node.with_changes(
            elements=[], lbrace=node.lbrace.with_changes(whitespace_after=empty),
            rbrace=node.rbrace.with_changes(whitespace_before=empty),
        )
    rebuilt = []
    for position, element in enumerate(elements):
        if position < len(elements) - 1:
            comma = element.comma if isinstance(element.comma, cst.Comma) else cst.Comma()
            rebuilt.append(element.with_changes(comma=comma.with_changes(whitespace_after=gaps[position + 1])))
        elif had_trailing_comma:
            comma = element.comma if isinstance(element.comma, cst.Comma) else cst.Comma()
            rebuilt.append(element.with_changes(comma=comma.with_changes(whitespace_after=cst.SimpleWhitespace(""))))
        else:
            rebuilt.append(element.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    return node.with_changes(
        elements=rebuilt,
        lbrace=node.lbrace.with_changes(whitespace_after=gaps[0]),
        rbrace=node.rbrace.with_changes(whitespace_before=gaps[-1]),
    )


def _merge_gaps(before: cst.BaseParenthesizableWhitespace, after: cst.BaseParenthesizableWhitespace, is_last: bool):
    if isinstance(before, cst.ParenthesizedWhitespace) and isinstance(after, cst.ParenthesizedWhitespace):
        own = list(before.empty_lines)
        while own and own[-1].comment is not None:
            own.pop()  # the comment block right above the removed entry is its own
        following = list(after.empty_lines)
        while own and own[-1].comment is None and (is_last or (following and following[0].comment is None)):
            own.pop()  # no blank line left dangling before the brace, none doubled
        return before.with_changes(empty_lines=[*own, *following], indent=after.indent, last_line=after.last_line)
    if is_last and isinstance(before, cst.ParenthesizedWhitespace) and before.first_line.comment is not None:
        # {"A": a,  # kept\n "B": b}: the brace closes on a line of its own after A's comment
        return before.with_changes(empty_lines=[], last_line=cst.SimpleWhitespace(""))
    return after if is_last else before
