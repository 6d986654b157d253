"""Branch dispatch rewritten: one branch made the whole dispatch, or some branches removed."""

from __future__ import annotations

import libcst as cst

from strangler.codegen.blocks import non_empty, statements
from strangler.dispatch.branches import always_exits
from strangler.dispatch.layout import Branch, BranchLayout


class SpecialiseBranches(cst.CSTTransformer):
    """The dispatcher with its chain (or match) replaced by the one branch that stays."""

    def __init__(self, layout: BranchLayout, branch: Branch):
        self.layout = layout
        self.branch = branch
        self.inlined: list[cst.BaseStatement] = []

    def _body(self, original: cst.CSTNode) -> cst.FlattenSentinel:
        body = statements(self.branch.body)
        leading = getattr(original, "leading_lines", ())
        body[0] = body[0].with_changes(leading_lines=[*leading, *body[0].leading_lines])
        self.inlined = body
        return cst.FlattenSentinel(body)

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
        return non_empty(updated.with_changes(body=body))


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
        body = statements(block)
        body[0] = body[0].with_changes(leading_lines=getattr(original, "leading_lines", ()))
        return cst.FlattenSentinel(body)

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
        return non_empty(updated)


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


def branches_without(entry: cst.FunctionDef, layout: BranchLayout, removed: set[str]) -> cst.FunctionDef:
    function = entry.visit(_WithoutBranches(layout, removed))
    assert isinstance(function, cst.FunctionDef)
    return function
