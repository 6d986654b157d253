"""Detector for dispatch by branches: if/elif chains, sequences of ifs, match statements.

Each branch tests one key expression against string constants (``k == "A"``,
``k in ("A", "B")``, ``k == "A" or k == "B"``, ``case "A" | "B":``); an ``else``,
``case _:`` or the code after the chain is the monolith's default. A branch's body, a
call or inline code, becomes the action's code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst

from strangler import deep
from strangler.analyse import locate, slicing
from strangler.analyse.dispatch import Analysis, nothing_left
from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, constant, constants, resolve
from strangler.analyse.dispatch.layout import Branch, BranchLayout, NestedLayout
from strangler.analyse.dispatch.nested import nested_layout, suite_statements
from strangler.analyse.dispatch.table import NoDispatch, entrypoint_index, listed_keys
from strangler.errors import StranglerError, at
from strangler.model import NESTED_SEPARATOR, Action, Dispatch, EventPath, FunctionRef

LOOKED_FOR = (
    "an if/elif chain, a sequence of ifs that each return, or a match statement in {entry}() "
    "comparing one value from the event with string constants"
)
_ENDS = (cst.Return, cst.Raise, cst.Continue)


@dataclass(frozen=True)
class _Candidate:
    kind: str
    key: cst.BaseExpression
    nodes: tuple[cst.CSTNode, ...]
    branches: tuple[Branch, ...]
    falls_through: bool = False  # a sequence whose branches set results for a shared tail

    @property
    def key_code(self) -> str:
        return _code(self.key)


def detect_branches(
    function: FunctionRef, source: str, path: str, module: cst.Module, earlier: frozenset[str] = frozenset(),
    events: Any = None,
) -> Analysis:
    known = bool(earlier)
    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    entry_line = locate.top_level_line(source, entry.name.value, "def")
    lines = locate.Lines(entry, entry_line)
    finder = _Finder()
    entry.body.visit(finder)
    # Ifs that set results and fall through are a dispatch only on a value from the event:
    # two ``if stage == "prod":`` blocks that tune settings are not one.
    found = [c for c in finder.candidates if not c.falls_through or _reads_event(c.key, entry)]
    nested = _nested(found, entry, source, path, module, lines, entry_index, function, earlier)
    if nested is not None:
        return nested
    candidates = [c for c in found if len(c.branches) >= 2]
    if not candidates:
        # One branch on a value from the event: what earlier runs left of a dispatch, or a
        # handler with one action (``if method == "GET": ...`` and a default), which a scan
        # reports as such. A lone ``if STAGE == "prod":`` selects nothing by the event.
        candidates = [c for c in found if _reads_event(c.key, entry)]
        if len(candidates) > 1 and not known:
            candidates = []  # several lone tests (a warm-up guard, a method check): no dispatch
    if not candidates:
        raise NoDispatch("no dispatch found: looked for " + LOOKED_FOR.format(entry=entry.name.value), where=at(path, entry_line))
    keys_of = {_code(c.key) for c in candidates}
    if len(candidates) > 1:
        where = at(path, lines.of(candidates[1].nodes[0]))
        what = "nested dispatch" if len(keys_of) > 1 else "several dispatches"
        raise StranglerError(
            f"{what} in {entry.name.value}() (on {', '.join(sorted(keys_of))}): strangler splits one chain per handler",
            where=where,
            hint="split the outer dispatch by hand first, so each handler dispatches once",
        )
    (chosen,) = candidates
    line = lines.of(chosen.nodes[0])
    _check_unique_keys(chosen, path, lines)
    event_path = _resolved(chosen.key, Locals.of(entry), path, lines)
    default = _default_action(chosen, event_path, events)
    branches = chosen.branches + default
    layout = BranchLayout(chosen.kind, chosen.nodes, branches)
    graph = _graph(module, layout, entry_index, source, at(path, line), f"the {_SHAPES[chosen.kind]} of {len(branches)} branches")
    actions = tuple(
        Action(key, ("else: " if branch in default else "") + _handler_of(branch), lines.of(branch.clause))
        for branch in branches
        for key in branch.keys
    )
    shape = _SHAPES[chosen.kind]
    dispatch = Dispatch(shape, f"on {_code(chosen.key)}", line, entry.name.value, event_path, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def _nested(
    all_candidates: list[_Candidate], entry: cst.FunctionDef, source: str, path: str, module: cst.Module,
    lines: locate.Lines, entry_index: int, function: FunctionRef, earlier: frozenset[str],
) -> Analysis | None:
    """The analysis of a nested dispatch, if the outermost chain is one.

    Branches that earlier nested extractions emptied are recognised by the outer keys of
    those extractions, so a flat chain is never taken for what is left of a nested one.
    """
    outermost = _outermost(all_candidates)
    nested_before = {key.partition(NESTED_SEPARATOR)[0] for key in earlier if NESTED_SEPARATOR in key}
    for outer in outermost:
        leftovers = bool(nested_before & {key for branch in outer.branches for key in branch.keys})
        layout = BranchLayout(outer.kind, outer.nodes, outer.branches)
        found = nested_layout(layout, outer.key_code, entry.name.value, path, lines, direct_candidates, leftovers)
        if found is None and leftovers:
            return nothing_left(function, source, path, module)
        if found is None:
            continue
        nested, inner_key = found
        actions = tuple(
            Action(f"{b.key}{NESTED_SEPARATOR}{key}", _handler_of(branch), lines.of(branch.clause))
            for b in nested.branches
            for branch in b.inner.branches
            for key in branch.keys
        )
        if len(actions) < 2 and not earlier:
            return None
        _check_unique_keys(outer, path, lines)
        for b in nested.branches:
            _check_unique_keys(_Candidate(b.inner.kind, inner_key, b.inner.nodes, b.inner.branches), path, lines)
        levels = {id(outer.nodes[0]), *(id(b.inner.nodes[0]) for b in nested.branches if b.inner.nodes)}
        for other in all_candidates:
            if id(other.nodes[0]) not in levels and len(other.branches) >= 2:
                raise StranglerError(
                    f"a third dispatch (on {other.key_code}) in {entry.name.value}(); strangler splits two levels",
                    where=at(path, lines.of(other.nodes[0])),
                    hint="split one level by hand first",
                )
        scope = Locals.of(entry)
        event_path = EventPath.nested(_resolved(outer.key, scope, path, lines), _resolved(inner_key, scope, path, lines))
        where = at(path, lines.of(outer.nodes[0]))
        graph = _graph(module, nested, entry_index, source, where, f"the nested dispatch of {len(actions)} actions")
        kinds = " / ".join(dict.fromkeys(_SHAPES[b.inner.kind] for b in nested.branches if b.inner.nodes))
        dispatch = Dispatch(
            f"nested {_SHAPES[outer.kind]}, then {kinds}", f"on {outer.key_code}, then {_code(inner_key)}",
            lines.of(outer.nodes[0]), entry.name.value, event_path, actions,
        )
        return Analysis(function, path, source, module, graph, dispatch, entry_index, nested)
    return None


def _default_action(candidate: _Candidate, event_path: EventPath, events: Any) -> tuple[Branch, ...]:
    """The chain's ``else`` (or ``case _``) as the action of the one key it can still see.

    When the function's event filters list every key they let through (an EventBridge
    rule's detail-types) and the branches handle all but one of them, the default handles
    exactly that one: it is that key's action, extracted like any other. Otherwise the
    default stays the monolith's, as before.
    """
    default = _default_clause(candidate)
    if default is None or not isinstance(events, Mapping) or not events:
        return ()
    allowed = listed_keys(events, event_path)
    if allowed is None:
        return ()
    rest = allowed - {key for branch in candidate.branches for key in branch.keys}
    if len(rest) != 1:
        return ()
    return (Branch(tuple(rest), default, default.body),)


def _default_clause(candidate: _Candidate) -> cst.Else | cst.MatchCase | None:
    if candidate.kind == "if":
        last = candidate.nodes[0]
        while isinstance(last, cst.If) and isinstance(last.orelse, cst.If):
            last = last.orelse
        return last.orelse if isinstance(last, cst.If) and isinstance(last.orelse, cst.Else) else None
    if candidate.kind == "match":
        match = candidate.nodes[0]
        assert isinstance(match, cst.Match)
        return next((case for case in match.cases if pattern_keys(case.pattern) == ()), None)
    return None


def _outermost(candidates: list[_Candidate]) -> list[_Candidate]:
    """Candidates that sit in no other candidate's branches. The finder lists them outer
    first, so each subtree is walked once: linear in the handler's size."""
    heads = {id(c.nodes[0]) for c in candidates}
    inside: set[int] = set()
    found = []
    for candidate in candidates:
        if id(candidate.nodes[0]) in inside:
            continue
        found.append(candidate)
        for branch in candidate.branches:
            inside |= _heads_under(branch.body, heads)
    return found


def _heads_under(tree: cst.CSTNode, heads: set[int]) -> set[int]:
    found: set[int] = set()

    class Finder(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if id(node) in heads:
                found.add(id(node))
            return True

    tree.visit(Finder())
    return found


def _graph(
    module: cst.Module, layout: BranchLayout | NestedLayout, entry_index: int, source: str, where: str, what: str
) -> slicing.SymbolGraph:
    """The module's graph, or a refusal where Python's own parser gives up: it nests an
    elif chain one level per branch and stops at a fixed depth (~6,000 on 3.11) that no
    setting raises. LibCST parsed it, so this is the first ``ast`` parse of the module."""
    try:
        return slicing.build(module, layout.unit_nodes(), entry_index, source)
    except (MemoryError, RecursionError) as exc:
        raise deep.too_deep(where, what, exc) from None


_SHAPES = {"if": "if/elif chain", "sequence": "if sequence", "match": "match"}


def _resolved(key: cst.BaseExpression, scope: Locals, path: str, lines: locate.Lines) -> EventPath:
    try:
        return resolve(key, scope)
    except Unresolvable as exc:
        raise StranglerError(
            f"cannot tell statically which part of the event selects the branch: {exc.reason}",
            where=at(path, lines.of(exc.node)),
            hint="compare a value read straight from the event (event['detail-type'], json.loads(...)['kind'])",
        ) from None


def direct_candidates(statements: list[cst.BaseStatement]) -> list[_Candidate]:
    """Dispatches among a block's own statements (a lone ``if`` counts: an inner chain
    that earlier runs cut down to one branch)."""
    finder = _Finder(lone=True)
    for statement in statements:
        if isinstance(statement, cst.If):
            finder.visit_If(statement)
        elif isinstance(statement, cst.Match):
            finder.visit_Match(statement)
    finder.sequences(statements)
    return finder.candidates


def _reads_event(key: cst.BaseExpression, entry: cst.FunctionDef) -> bool:
    try:
        resolve(key, Locals.of(entry))
    except Unresolvable:
        return False
    return True


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _handler_of(branch: Branch) -> str:
    """The function a branch calls when it only calls one; otherwise its code is inline."""
    statements = branch.body.body if isinstance(branch.body, cst.IndentedBlock) else [branch.body]
    if len(statements) == 1 and isinstance(statements[0], (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        small = statements[0].body[0]
        value = getattr(small, "value", None)
        # results.append(handle(message)): the handler is the inner call
        if (
            isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in ("append", "extend", "add") and value.args
            and isinstance(value.args[0].value, cst.Call)
        ):
            value = value.args[0].value
        if isinstance(value, cst.Call):
            return _code(value.func)
    return "inline code"


def _check_unique_keys(candidate: _Candidate, path: str, lines: locate.Lines) -> None:
    seen: set[str] = set()
    for branch in candidate.branches:
        for key in branch.keys:
            if key in seen:
                line = lines.of(branch.clause)
                raise StranglerError(f"{key!r} is tested twice; the first branch wins and the second is dead code", where=at(path, line))
            seen.add(key)


# --- finding chains ---------------------------------------------------------------------------
def _literal(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return constant(node)  # GET_POST = "getPost" at module level, or Field.GET_POST


def key_test(test: cst.BaseExpression) -> tuple[str, cst.BaseExpression, tuple[str, ...]] | None:
    """``k == "A"``, ``"A" == k``, ``k in ("A", "B")``, or an ``or`` of those on one ``k``."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        left, right = key_test(test.left), key_test(test.right)
        if left and right and left[0] == right[0]:
            return left[0], left[1], left[2] + right[2]
        return None
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if isinstance(target.operator, cst.Equal):
        for key, constant in ((test.left, target.comparator), (target.comparator, test.left)):
            value = _literal(constant)
            if value is not None and _literal(key) is None:
                return _code(key), key, (value,)
    if isinstance(target.operator, cst.In) and isinstance(target.comparator, (cst.Tuple, cst.List, cst.Set)):
        values = [_literal(e.value) for e in target.comparator.elements]
        if values and all(v is not None for v in values):
            return _code(test.left), test.left, tuple(v for v in values if v is not None)
    if isinstance(target.operator, cst.In) and constants(target.comparator):
        return _code(test.left), test.left, constants(target.comparator) or ()  # k in WRITE_FIELDS
    return None


def _body_ends(body: cst.BaseSuite) -> bool:
    return always_exits(body.body if isinstance(body, cst.IndentedBlock) else [body])


def _assigns(body: cst.BaseSuite, key: str) -> bool:
    """Whether a branch rebinds the name it is keyed on (then a later if could run too)."""
    found = []

    class Targets(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value == key:
                found.append(node)

    class Binders(cst.CSTVisitor):
        def _check(self, target: cst.CSTNode | None) -> None:
            if target is not None and isinstance(target, (cst.Name, cst.Tuple, cst.List)):
                target.visit(Targets())

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            self._check(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            self._check(node.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            self._check(node.target)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            self._check(node.target)

        def visit_For(self, node: cst.For) -> None:
            self._check(node.target)

    body.visit(Binders())
    return bool(found)


def always_exits(statements) -> bool:
    """Whether running ``statements`` always ends in return, raise or continue."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return isinstance(last.body[-1], _ENDS)
    if isinstance(last, cst.If):
        # along the chain, not down it: an elif chain is as deep as it is long
        clause = last
        while True:
            if clause.orelse is None or not always_exits(suite_statements(clause.body)):
                return False
            if not isinstance(clause.orelse, cst.If):
                return always_exits(suite_statements(clause.orelse.body))
            clause = clause.orelse
    if isinstance(last, cst.Try):
        if last.finalbody is not None and always_exits(suite_statements(last.finalbody.body)):
            return True
        main = suite_statements(last.body) + (suite_statements(last.orelse.body) if last.orelse else [])
        return always_exits(main) and all(always_exits(suite_statements(h.body)) for h in last.handlers)
    if isinstance(last, cst.With):
        return always_exits(suite_statements(last.body))
    return False


class _Finder(cst.CSTVisitor):
    """Every chain, if sequence and match on a key in the entrypoint's body."""

    def __init__(self, lone: bool = False) -> None:
        self.lone = lone
        self.candidates: list[_Candidate] = []
        self._inside_chain: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.sequences(list(node.body))

    def visit_If(self, node: cst.If) -> None:
        if id(node) in self._inside_chain:
            return
        clauses, current = [], node
        while True:
            clauses.append(current)
            self._inside_chain.add(id(current))
            if not isinstance(current.orelse, cst.If):
                break
            current = current.orelse
        tests = [key_test(clause.test) for clause in clauses]
        if any(t is None for t in tests) or len({t[0] for t in tests if t}) != 1:
            return
        if len(clauses) == 1 and node.orelse is None and not self.lone:
            return  # a lone if: the sequence finder's case
        branches = tuple(Branch(t[2], clause, clause.body) for t, clause in zip(tests, clauses) if t)
        self.candidates.append(_Candidate("if", tests[0][1], (node,), branches))  # type: ignore[index]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        # Mapping error codes to statuses (``if code == "NoSuchKey": status = 404``) is
        # error handling around the dispatch, not a dispatch of its own.
        return False

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        return False

    def sequences(self, statements: list[cst.BaseStatement]) -> None:
        """Runs of ``if key == "A":`` blocks without else. Each body returns, or sets results
        for the code after the run (a shared tail) without touching the key: then at most
        one of them runs, as in an elif chain."""
        run: list[tuple[cst.If, tuple[str, cst.BaseExpression, tuple[str, ...]]]] = []
        for statement in [*statements, None]:
            test = None
            if isinstance(statement, cst.If) and statement.orelse is None:
                test = key_test(statement.test)
                if test and not _body_ends(statement.body) and _assigns(statement.body, test[0]):
                    test = None
            if test and (not run or run[0][1][0] == test[0]):
                run.append((statement, test))  # type: ignore[arg-type]
                continue
            if run:
                branches = tuple(Branch(t[2], node, node.body) for node, t in run)
                falls = not all(_body_ends(node.body) for node, _ in run)
                self.candidates.append(_Candidate("sequence", run[0][1][1], tuple(n for n, _ in run), branches, falls))
            run = [(statement, test)] if test else []  # type: ignore[list-item]

    def visit_Match(self, node: cst.Match) -> None:
        branches = []
        for case in node.cases:
            keys = pattern_keys(case.pattern)
            if keys is None:
                return
            if keys:
                branches.append(Branch(keys, case, case.body))
        if branches:
            self.candidates.append(_Candidate("match", node.subject, (node,), tuple(branches)))


def pattern_keys(pattern: cst.MatchPattern) -> tuple[str, ...] | None:
    """Keys of ``case "A":`` / ``case "A" | "B":``; () for ``case _:``; None for anything else."""
    if isinstance(pattern, cst.MatchAs) and pattern.pattern is None and pattern.name is None:
        return ()
    if isinstance(pattern, cst.MatchValue):
        value = _literal(pattern.value)
        return (value,) if value is not None else None
    if isinstance(pattern, cst.MatchOr):
        keys = [pattern_keys(element.pattern) for element in pattern.patterns]
        if all(k is not None and len(k) == 1 for k in keys):
            return tuple(k[0] for k in keys if k)
    if isinstance(pattern, cst.MatchSequence) and len(pattern.patterns) == 2:
        # case ("GET", "/orders"): a method and a path, keyed "GET /orders";
        # case ("shop.orders", "OrderPlaced"): a source and a detail-type, keyed "shop.orders/OrderPlaced"
        values = [_literal(e.value.value) if isinstance(e, cst.MatchSequenceElement) and isinstance(e.value, cst.MatchValue) else None for e in pattern.patterns]
        if all(isinstance(v, str) for v in values):
            joiner = " " if values[0] in _HTTP_METHODS else NESTED_SEPARATOR
            return (f"{values[0]}{joiner}{values[1]}",)
    return None


_HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
