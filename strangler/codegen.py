"""Write code: the extracted module with its specialised entrypoint, and the slimmer monolith.

Everything here works on the nodes of the one parse made during analysis; untouched
statements are printed from their original nodes, so comments and formatting survive byte
for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from strangler import locate
from strangler.dispatch import Analysis
from strangler.dispatch.branches import always_exits
from strangler.dispatch.layout import Branch, BranchLayout, RouteLayout, TableLayout
from strangler.errors import StranglerError, at

ENTRYPOINT = "lambda_handler"


# --- the specialised entrypoint ---------------------------------------------------------
class _Specialise(cst.CSTTransformer):
    """The monolith's dispatcher, with the table lookup replaced by one handler.

    Guards that can no longer fire (``if key not in TABLE``, ``if handler is None``, a
    ``try/except KeyError`` around a lookup that cannot fail) are removed; everything else
    the dispatcher did stays.
    """

    def __init__(self, table: str, handler: cst.BaseExpression, binding: cst.BaseStatement | None = None):
        self.table = table
        self.handler = handler
        self.binding = binding  # a table built in the handler: its statement goes
        self.lookup_vars: set[str] = set()

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        return cst.RemoveFromParent() if original is self.binding else updated

    def _is_table(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.table

    def _is_lookup(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Subscript):
            return self._is_table(node.value)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            return node.func.attr.value == "get" and self._is_table(node.func.value)
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_lookup(node.value):
            self.lookup_vars.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        return self.handler if self._is_lookup(original) else updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self.handler if self._is_lookup(original) else updated

    # --- static truth of guards -----------------------------------------------------
    def _truth(self, test: cst.BaseExpression) -> bool | None:
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            (target,) = test.comparisons
            if self._is_table(target.comparator) and isinstance(target.operator, (cst.In, cst.NotIn)):
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
            return cst.FlattenSentinel(_statements(updated.body))
        if truth is False:
            if updated.orelse is None:
                return cst.RemoveFromParent()
            if isinstance(updated.orelse, cst.If):
                return updated.orelse.with_changes(leading_lines=updated.leading_lines)
            return cst.FlattenSentinel(_statements(updated.orelse.body))
        return updated

    def leave_Try(self, original: cst.Try, updated: cst.Try):
        if updated.finalbody is not None or not updated.handlers:
            return updated
        if not all(_catches_only_lookup_errors(h) for h in updated.handlers):
            return updated
        if not _contains_lookup(original.body, self) or not all(_cannot_raise(s) for s in _statements(updated.body)):
            return updated
        body = list(_statements(updated.body))
        if updated.orelse is not None:
            body.extend(_statements(updated.orelse.body))
        body[0] = body[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel(body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated


def _statements(block: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    assert isinstance(block, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=list(block.body))]


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


def _contains_lookup(block: cst.BaseSuite, spec: _Specialise) -> bool:
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


# Stands for the handler in a table dispatcher specialised once for every action.
_PLACEHOLDER = "__strangler_action_handler__"


def specialise(analysis: Analysis, key: str) -> cst.FunctionDef:
    """The entrypoint of the new function for ``key``, named ``lambda_handler``."""
    layout = analysis.layout
    if isinstance(layout, TableLayout):
        function = _table_template(analysis)[0].deep_replace(_placeholder(analysis), _callable(layout.elements[key].value))
    elif isinstance(layout, RouteLayout):
        function = analysis.entrypoint  # the resolver routes; it will simply know one route
    else:
        function = analysis.entrypoint.visit(_SpecialiseBranches(layout, layout.branch(key)))
    assert isinstance(function, cst.FunctionDef)
    return function.with_changes(name=function.name.with_changes(value=ENTRYPOINT))


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
        function = analysis.entrypoint.visit(_Specialise(layout.name, placeholder, layout.assignment))
        assert isinstance(function, cst.FunctionDef)
        if layout.assignment is not None:
            _refuse_leftover_table(analysis, function, layout.name)
        collector = _Names()
        function.visit(collector)
        cached = (function.with_changes(name=function.name.with_changes(value=ENTRYPOINT)), frozenset(collector.names - {_PLACEHOLDER}), placeholder)
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


class _SpecialiseBranches(cst.CSTTransformer):
    """The dispatcher with its chain (or match) replaced by the one branch that stays."""

    def __init__(self, layout: BranchLayout, branch: Branch):
        self.layout = layout
        self.branch = branch
        self.inlined: list[cst.BaseStatement] = []

    def _body(self, original: cst.CSTNode) -> cst.FlattenSentinel:
        statements = _statements(self.branch.body)
        leading = getattr(original, "leading_lines", ())
        statements[0] = statements[0].with_changes(leading_lines=[*leading, *statements[0].leading_lines])
        self.inlined = statements
        return cst.FlattenSentinel(statements)

    def leave_If(self, original: cst.If, updated: cst.If):
        if self.layout.kind == "if" and original is self.layout.nodes[0]:
            return self._body(original)
        if self.layout.kind == "sequence" and original is self.branch.clause:
            return self._body(original)
        if self.layout.kind == "sequence" and any(original is node for node in self.layout.nodes):
            return cst.RemoveFromParent()
        return updated

    def leave_Match(self, original: cst.Match, updated: cst.Match):
        return self._body(original) if original is self.layout.nodes[0] else updated

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        body = list(updated.body)
        if self.inlined and any(statement is self.inlined[-1] for statement in body):
            # What followed the dispatch (the default) cannot run after a branch that exits.
            end = next(i for i, statement in enumerate(body) if statement is self.inlined[-1]) + 1
            if always_exits(self.inlined) and end < len(body):
                body = body[:end]
            self.inlined = []
        return updated.with_changes(body=body) if body else updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])


class _WithoutBranches(cst.CSTTransformer):
    """The monolith's dispatcher once some branches left: the others stay as they were."""

    def __init__(self, layout: BranchLayout, removed: set[str]):
        self.layout = layout
        self.removed = removed

    def _keep(self, branch: Branch) -> set[str]:
        return set(branch.keys) - self.removed

    def leave_If(self, original: cst.If, updated: cst.If):
        if self.layout.kind == "if" and original is self.layout.nodes[0]:
            return self._chain(original)
        if self.layout.kind == "sequence":
            for branch in self.layout.branches:
                if original is branch.clause:
                    keep = self._keep(branch)
                    return updated.with_changes(test=_narrow_test(updated.test, keep)) if keep else cst.RemoveFromParent()
        return updated

    def _chain(self, head: cst.If):
        clauses, tail = [], head.orelse
        node: cst.If | None = head
        while node is not None:
            clauses.append(node)
            tail = node.orelse
            node = tail if isinstance(tail, cst.If) else None
        by_clause = {id(b.clause): b for b in self.layout.branches}
        kept = []
        for clause in clauses:
            branch = by_clause.get(id(clause))
            keep = self._keep(branch) if branch else None
            if branch is None or keep:
                kept.append(clause if branch is None or keep == set(branch.keys) else clause.with_changes(test=_narrow_test(clause.test, keep)))
        if not kept:
            if isinstance(tail, cst.Else):
                return self._flatten(tail.body, head)
            return cst.RemoveFromParent()
        chain: cst.If | cst.Else | None = tail
        for clause in reversed(kept):
            chain = clause.with_changes(orelse=chain)
        assert isinstance(chain, cst.If)
        return chain.with_changes(leading_lines=head.leading_lines)

    @staticmethod
    def _flatten(block: cst.BaseSuite, original: cst.CSTNode) -> cst.FlattenSentinel:
        statements = _statements(block)
        statements[0] = statements[0].with_changes(leading_lines=getattr(original, "leading_lines", ()))
        return cst.FlattenSentinel(statements)

    def leave_Match(self, original: cst.Match, updated: cst.Match):
        if original is not self.layout.nodes[0]:
            return updated
        by_case = {id(b.clause): b for b in self.layout.branches}
        cases = []
        for case in original.cases:
            branch = by_case.get(id(case))
            keep = self._keep(branch) if branch else None
            if branch is None or keep == set(branch.keys):
                cases.append(case)
            elif keep:
                cases.append(case.with_changes(pattern=_narrow_pattern(case.pattern, keep)))
        if not cases:
            return cst.RemoveFromParent()
        return updated.with_changes(cases=cases)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated if updated.body else updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])


def _literal(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _narrow_test(test: cst.BaseExpression, keep: set[str]) -> cst.BaseExpression:
    """``k in ("A", "B")`` or ``k == "A" or k == "B"`` for only the keys in ``keep``."""
    if isinstance(test, cst.BooleanOperation):
        left, right = _narrow_test(test.left, keep), _narrow_test(test.right, keep)
        left_keeps, right_keeps = _tests_any(test.left, keep), _tests_any(test.right, keep)
        if left_keeps and right_keeps:
            return test.with_changes(left=left, right=right)
        return left if left_keeps else right
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        container = target.comparator
        if isinstance(target.operator, cst.In) and isinstance(container, (cst.Tuple, cst.List, cst.Set)):
            elements = [e for e in container.elements if _literal(e.value) in keep]
            if len(elements) == 1:  # k in ("A",) reads better as k == "A"
                operator = cst.Equal(whitespace_before=target.operator.whitespace_before, whitespace_after=target.operator.whitespace_after)
                return test.with_changes(comparisons=[target.with_changes(operator=operator, comparator=elements[0].value)])
            elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT if len(elements) > 1 or not isinstance(container, cst.Tuple) else cst.Comma())
            return test.with_changes(comparisons=[target.with_changes(comparator=container.with_changes(elements=elements))])
    return test


def _tests_any(test: cst.BaseExpression, keep: set[str]) -> bool:
    found: list[str] = []

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            if _literal(node) is not None:
                found.append(_literal(node) or "")

    test.visit(Strings())
    return bool(set(found) & keep)


def _narrow_pattern(pattern: cst.MatchPattern, keep: set[str]) -> cst.MatchPattern:
    if isinstance(pattern, cst.MatchOr):
        kept = [e for e in pattern.patterns if isinstance(e.pattern, cst.MatchValue) and _literal(e.pattern.value) in keep]
        if len(kept) == 1:
            return kept[0].pattern
        kept[-1] = kept[-1].with_changes(separator=cst.MaybeSentinel.DEFAULT)
        return pattern.with_changes(patterns=kept)
    return pattern


def _branches_without(entry: cst.FunctionDef, layout: BranchLayout, removed: set[str]) -> cst.FunctionDef:
    function = entry.visit(_WithoutBranches(layout, removed))
    assert isinstance(function, cst.FunctionDef)
    return function


# --- the extracted module ----------------------------------------------------------------
class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def extracted_module(
    analysis: Analysis, key: str, docstring: str
) -> tuple[str, frozenset[int], frozenset[str], tuple[cst.CSTNode, ...]]:
    """Source of the new module for ``key``, the statements and names it kept, and the
    nodes its entrypoint is made of (for their facts)."""
    graph = analysis.graph
    layout = analysis.layout
    if isinstance(layout, TableLayout):
        # One specialised dispatcher for all actions; the handler goes in as text.
        entry, entry_names, _ = _table_template(analysis)
        handler = _callable(layout.elements[key].value)
        parts: tuple[cst.CSTNode, ...] = (entry, handler)
    else:
        entry = specialise(analysis, key)
        collector = _Names()
        entry.visit(collector)
        entry_names, handler, parts = frozenset(collector.names), None, (entry,)
    roots = (entry_names & graph.uses.get(analysis.entry_index, frozenset())) | graph.uses.get(analysis.unit(key), frozenset())
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
    statements, names = graph.name_closure(roots)
    _check_entrypoint_name(analysis, statements, names)
    statements, names = graph.with_companions(statements, names)
    if table is not None and table in names:
        raise StranglerError(
            f"a module-level statement that the action's code needs also uses {table}",
            where=at(analysis.path, analysis.dispatch.line),
        )
    statements = statements | graph.always | {analysis.entry_index} | own
    body: list[cst.BaseStatement] = [cst.SimpleStatementLine([cst.Expr(cst.SimpleString(docstring))])]
    for index in sorted(statements):
        if index == analysis.entry_index:
            body.append(entry)
        else:
            body.append(_trim_import(graph.statements[index], names, keep_unused=False))
    body = _first_without_blank_lines(body)
    code = analysis.module.with_changes(body=body).code
    if handler is not None:
        code = code.replace(_PLACEHOLDER, analysis.module.code_for_node(handler))
    return code, statements, names, parts


def _own_statements(analysis: Analysis, key: str) -> frozenset[int]:
    """Module-level statements that are the action's code itself: a route's def and the
    resolver's hooks (exception handlers), which nothing references by name."""
    layout = analysis.layout
    if isinstance(layout, RouteLayout):
        return frozenset({layout.route(key).index, *layout.hooks})
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
    leaving, leaving_names = graph.closure(leaving_units)
    leaving = (leaving | {u for u in leaving_units if isinstance(u, int)}) - {analysis.entry_index, analysis.table_index}
    staying = [i for i in range(len(graph.statements)) if i not in leaving]
    live, live_names = graph.closure([*staying, *staying_units])
    body: list[cst.BaseStatement] = []
    for index, statement in enumerate(graph.statements):
        if index == analysis.table_index:
            body.append(_without_entries(statement, analysis, removed))
        elif index == analysis.entry_index:
            body.append(_entrypoint_without(analysis, removed))
        elif index not in leaving:
            body.append(statement)
        elif index in live:
            trimmed = _trim_import(statement, live_names, keep_unused=True, unused=leaving_names - live_names)
            if not isinstance(trimmed, cst.RemovalSentinel):
                body.append(trimmed)
    gone = sorted((leaving_names - live_names) & set(graph.definers))
    return analysis.module.with_changes(body=body).code, tuple(gone)


def _without_entries(statement: cst.BaseStatement, analysis: Analysis, removed: set[str]) -> cst.BaseStatement:
    layout = analysis.layout
    assert isinstance(layout, TableLayout)
    doomed = {id(layout.elements[key]) for key in removed if key in layout.elements}
    if not doomed:
        return statement
    return statement.deep_replace(layout.node, _drop_elements(layout.node, doomed))  # type: ignore[return-value]


def _entrypoint_without(analysis: Analysis, removed: set[str]) -> cst.BaseStatement:
    """The monolith's entrypoint once ``removed`` left: only changes when the dispatch lives in it."""
    layout, entry = analysis.layout, analysis.entrypoint
    if isinstance(layout, RouteLayout):
        return entry
    if isinstance(layout, TableLayout):
        if layout.statement_index is not None:
            return entry
        return _without_entries(entry, analysis, removed)
    return _branches_without(entry, layout, removed)


def _drop_elements(node: cst.Dict, doomed: set[int]) -> cst.Dict:
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
    return after if is_last else before
