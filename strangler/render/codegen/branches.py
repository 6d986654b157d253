"""Branch dispatch rewritten: one branch made the whole dispatch, or some branches removed."""

from __future__ import annotations

import libcst as cst

from strangler.analyse.dispatch.branches import always_exits, key_test, pattern_keys
from strangler.analyse.dispatch.eventpath import constant, constants, named
from strangler.analyse.dispatch.layout import Branch, BranchLayout, NestedLayout
from strangler.render.codegen.blocks import non_empty, statements


class SpecialiseBranches(cst.CSTTransformer):
    """The dispatcher with its chain (or match) replaced by the one branch that stays.

    ``levels`` are the chain and branch taken at each level of a nested dispatch, outer
    first; inner chains are rewritten first, and the outer one takes its rewritten body.
    """

    def __init__(self, *levels: tuple[BranchLayout, Branch]):
        self.levels = levels
        self.inlined: list[cst.BaseStatement] = []
        # The heads and the sequence members, by identity: looked up for every If visited.
        self.heads = {id(layout.nodes[0]): branch for layout, branch in levels if layout.nodes and layout.kind != "sequence"}
        self.kept = {id(branch.clause) for layout, branch in levels if layout.kind == "sequence"}
        self.dropped = {
            id(node) for layout, branch in levels if layout.kind == "sequence" for node in layout.nodes if node is not branch.clause
        }
        self.members = [node for layout, _ in levels if layout.kind == "sequence" for node in layout.nodes]
        # Set by the first node visited, the root: ids of the nodes on the paths from it to
        # what changes (None: visit everything), and the blocks holding a sequence.
        self.spine: frozenset[int] | None = None
        self.sequence_blocks: frozenset[int] = frozenset()
        self.rooted = False

    # What changes is the heads, the sequence members and the blocks holding them; every
    # other subtree comes out as it went in, so only the paths down to them are walked:
    # an action costs the depth of its branch, not the size of the dispatcher around it.
    def on_visit(self, node: cst.CSTNode) -> bool:
        if not self.rooted:
            self.rooted = True
            self.spine, self.sequence_blocks = _spine(node, self.targets(), self.members)
        if self.spine is not None and id(node) not in self.spine:
            return False
        return super().on_visit(node)

    def targets(self) -> list[cst.CSTNode]:
        return [layout.nodes[0] for layout, _ in self.levels if layout.nodes and layout.kind != "sequence"]

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        # A sequence's block is walked by hand: its dropped members are not visited at all.
        return id(node) not in self.sequence_blocks

    def _sequence_body(self, block: cst.IndentedBlock) -> list[cst.BaseStatement]:
        body: list[cst.BaseStatement] = []
        for statement in block.body:
            if id(statement) in self.dropped:
                continue
            new = statement.visit(self)
            if isinstance(new, cst.FlattenSentinel):
                body.extend(new.nodes)  # type: ignore[arg-type]
            elif not isinstance(new, cst.RemovalSentinel):
                body.append(new)
        return body

    def _body(self, original: cst.CSTNode, block: cst.BaseSuite) -> cst.FlattenSentinel:
        body = statements(block)
        leading = getattr(original, "leading_lines", ())
        body[0] = body[0].with_changes(leading_lines=[*leading, *body[0].leading_lines])
        self.inlined = body
        return cst.FlattenSentinel(body)

    # Only the branch that stays is visited (in leave_*): one action costs the size of its
    # branch, not of the whole chain, and a long chain is not walked once per action.
    def visit_If(self, node: cst.If) -> bool:
        return id(node) not in self.heads and id(node) not in self.dropped

    def visit_Match(self, node: cst.Match) -> bool:
        return id(node) not in self.heads

    def leave_If(self, original: cst.If, updated: cst.If):
        if id(original) in self.heads:
            return self._kept_body(original, self.heads[id(original)])
        if id(original) in self.kept:
            return self._body(original, updated.body)
        if id(original) in self.dropped:
            return cst.RemoveFromParent()
        return updated

    def leave_Match(self, original: cst.Match, updated: cst.Match):
        if id(original) in self.heads:
            return self._kept_body(original, self.heads[id(original)])
        return updated

    def _kept_body(self, head: cst.CSTNode, branch: Branch) -> cst.FlattenSentinel:
        body = branch.clause.body.visit(self)  # inner levels are rewritten inside it
        assert isinstance(body, cst.BaseSuite)
        return self._body(head, body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if id(original) in self.sequence_blocks:
            updated = updated.with_changes(body=self._sequence_body(original))
        body = list(updated.body)
        if self.inlined and any(statement is self.inlined[-1] for statement in body):
            # What followed the dispatch (the default) cannot run after a branch that exits.
            end = next(i for i, statement in enumerate(body) if statement is self.inlined[-1]) + 1
            if always_exits(self.inlined) and end < len(body):
                body = body[:end]
            if body[0] is self.inlined[0]:
                # A later branch of a sequence now opens the block: the blank line that
                # parted it from the branch before has nothing left to part.
                lines = body[0].leading_lines
                while lines and lines[0].comment is None:
                    lines = lines[1:]
                body[0] = body[0].with_changes(leading_lines=lines)
            self.inlined = []
        return non_empty(updated.with_changes(body=body))


# The parents of every node under a dispatcher, by id: computed once per dispatcher (a
# migration specialises the same one for every action). A few are kept, with their roots
# (ids are only unique while the node lives).
_PARENTS: dict[int, tuple[cst.CSTNode, dict[int, cst.CSTNode]]] = {}
_PARENTS_KEPT = 4


def _parents(root: cst.CSTNode) -> dict[int, cst.CSTNode]:
    cached = _PARENTS.get(id(root))
    if cached is not None and cached[0] is root:
        return cached[1]
    parents: dict[int, cst.CSTNode] = {}
    pending = [root]
    while pending:  # iterative: an elif chain is as deep as it is long
        node = pending.pop()
        for child in node.children:
            parents[id(child)] = node
            pending.append(child)
    while len(_PARENTS) >= _PARENTS_KEPT:
        _PARENTS.pop(next(iter(_PARENTS)))
    _PARENTS[id(root)] = (root, parents)
    return parents


def _spine(
    root: cst.CSTNode, heads: list[cst.CSTNode], members: list[cst.CSTNode]
) -> tuple[frozenset[int] | None, frozenset[int]]:
    """The ids of ``root`` and of every node between it and the ``heads`` and sequence
    ``members`` (not themselves), and the blocks that hold the members; (None, none) when
    one of them is not under ``root``."""
    parents = _parents(root)
    spine = {id(root)}
    blocks = set()
    for node, member in [*((head, False) for head in heads), *((member, True) for member in members)]:
        parent = parents.get(id(node))
        if parent is None:
            return None, frozenset()
        if member and isinstance(parent, cst.IndentedBlock):
            blocks.add(id(parent))
        while id(parent) not in spine:
            spine.add(id(parent))
            parent = parents.get(id(parent))
            if parent is None:
                return None, frozenset()
    return frozenset(spine), frozenset(blocks)


def _clauses(head: cst.If) -> tuple[list[cst.If], cst.Else | None]:
    """The clauses of an if/elif chain and its else."""
    clauses, node = [], head
    while True:
        clauses.append(node)
        if not isinstance(node.orelse, cst.If):
            return clauses, node.orelse
        node = node.orelse


def _unchanged_suffix(clauses: list[cst.If], default: cst.Else | None, kept: list[cst.If], tail: cst.Else | None) -> int:
    """How many of the last ``kept`` clauses are the original last clauses, unchanged and
    still followed by the original else."""
    if tail is not default:
        return 0
    count = 0
    while count < len(kept) and count < len(clauses) and kept[-1 - count] is clauses[-1 - count]:
        count += 1
    return count


class _WithoutBranches(cst.CSTTransformer):
    """The monolith's dispatcher once some branches left: the others stay as they were.

    ``levels`` pairs each chain with the keys that leave it (one pair for a flat dispatch,
    the outer chain and every inner one for a nested dispatch).
    """

    def __init__(self, levels: list[tuple[BranchLayout, set[str]]]):
        self.heads = {id(layout.nodes[0]): (layout, removed) for layout, removed in levels if layout.nodes}
        self.clauses = {
            id(branch.clause): (branch, removed)
            for layout, removed in levels
            if layout.kind == "sequence"
            for branch in layout.branches
        }
        self.targets = [layout.nodes[0] for layout, _ in levels if layout.nodes and layout.kind != "sequence"]
        self.members = [node for layout, _ in levels if layout.kind == "sequence" for node in layout.nodes]
        self.spine: frozenset[int] | None = None
        self.rooted = False

    # As in SpecialiseBranches, only the paths down to the chains and sequence members are
    # walked: ``--commit`` trims the monolith after every action, and walking every branch
    # of a long chain each time made the run quadratic.
    def on_visit(self, node: cst.CSTNode) -> bool:
        if not self.rooted:
            self.rooted = True
            self.spine, _ = _spine(node, self.targets, self.members)
        if self.spine is not None and id(node) not in self.spine:
            return False
        return super().on_visit(node)

    def leave_If(self, original: cst.If, updated: cst.If):
        level = self.heads.get(id(original))
        if level is not None and level[0].kind == "if":
            return self._chain(original, updated, *level)
        if id(original) in self.clauses:
            branch, removed = self.clauses[id(original)]
            keep = set(branch.keys) - removed
            return updated.with_changes(test=_narrow_test(updated.test, keep)) if keep else cst.RemoveFromParent()
        return updated

    def _chain(self, head: cst.If, updated: cst.If, layout: BranchLayout, removed: set[str]):
        clauses, default = _clauses(head)
        new_clauses, tail = _clauses(updated)
        by_clause = {id(b.clause): b for b in layout.branches}
        served = by_clause.get(id(default))
        if served is not None and set(served.keys) <= removed:
            tail = None  # the else was the action of the one key its filter let through
        kept = []
        for clause, new in zip(clauses, new_clauses, strict=True):
            branch = by_clause.get(id(clause))
            keep = set(branch.keys) - removed if branch else None
            if branch is None or keep:
                kept.append(new if branch is None or keep == set(branch.keys) else new.with_changes(test=_narrow_test(new.test, keep)))
        if not kept and served is not None and tail is not None:
            # Only the else is left, and it is the action of one key: it becomes that key's
            # branch, so a later run still finds the action (the filter lets nothing else in).
            key = key_test(head.test)
            assert key is not None and len(served.keys) == 1
            test = cst.Comparison(key[1], [cst.ComparisonTarget(cst.Equal(), _string(served.keys[0]))])
            return cst.If(test=test, body=tail.body, leading_lines=head.leading_lines)
        if not kept:
            if isinstance(tail, cst.Else):
                return self._flatten(tail.body, head)
            return cst.RemoveFromParent()
        chain: cst.If | cst.Else | None = tail
        # The clauses after the last one that left or changed are the chain's own nodes,
        # with what follows them: they are reused whole, not rebuilt one by one.
        reused = _unchanged_suffix(clauses, default, kept, tail)
        if reused:
            chain = kept[-reused]
            kept = kept[:-reused]
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
        level = self.heads.get(id(original))
        if level is None:
            return updated
        layout, removed = level
        by_case = {id(b.clause): b for b in layout.branches}
        cases = []
        for case, new in zip(original.cases, updated.cases, strict=True):
            branch = by_case.get(id(case))
            keep = set(branch.keys) - removed if branch else None
            if branch is None or keep == set(branch.keys):
                cases.append(new)
            elif keep:
                cases.append(new.with_changes(pattern=_narrow_pattern(new.pattern, keep)))
        if not cases:
            return cst.RemoveFromParent()
        if len(cases) == 1 and pattern_keys(cases[0].pattern) == ():
            served = next((b for b in layout.branches if pattern_keys(b.clause.pattern) == ()), None)  # type: ignore[attr-defined]
            if served is not None:  # the default is one key's action: see _chain
                cases = [cases[0].with_changes(pattern=cst.MatchValue(_string(served.keys[0])))]
        return updated.with_changes(cases=cases)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return non_empty(updated)


def _string(value: str) -> cst.SimpleString:
    return cst.SimpleString('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _literal(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return constant(node)


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
        if isinstance(target.operator, cst.In) and constants(container):
            # k in WRITE_FIELDS, some of them extracted: the names of those left
            left = [named(value) for value in constants(container) or () if value in keep]
            if len(left) == 1:
                operator = cst.Equal(whitespace_before=target.operator.whitespace_before, whitespace_after=target.operator.whitespace_after)
                return test.with_changes(comparisons=[target.with_changes(operator=operator, comparator=left[0])])
            return test.with_changes(comparisons=[target.with_changes(comparator=cst.Tuple([cst.Element(v) for v in left]))])
    return test


def _tests_any(test: cst.BaseExpression, keep: set[str]) -> bool:
    found: list[str] = []

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            if _literal(node) is not None:
                found.append(_literal(node) or "")

        def visit_Name(self, node: cst.Name) -> None:
            found.extend(constants(node) or [constant(node) or ""])

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            found.append(constant(node) or "")
            return True

    test.visit(Strings())
    return bool(set(found) & keep)


def _narrow_pattern(pattern: cst.MatchPattern, keep: set[str]) -> cst.MatchPattern:
    """``case "A" | "B":`` (or ``case ("GET", "/a") | ("GET", "/b"):``) for the keys in ``keep``."""
    if isinstance(pattern, cst.MatchOr):
        kept = [e for e in pattern.patterns if set(pattern_keys(e.pattern) or ()) & keep]
        if len(kept) == 1:
            return kept[0].pattern
        kept[-1] = kept[-1].with_changes(separator=cst.MaybeSentinel.DEFAULT)
        return pattern.with_changes(patterns=kept)
    return pattern


def branches_without(entry: cst.FunctionDef, layout: BranchLayout | NestedLayout, removed: set[str]) -> cst.FunctionDef:
    levels = layout.removals(removed) if isinstance(layout, NestedLayout) else [(layout, removed)]
    function = entry.visit(_WithoutBranches(levels))
    assert isinstance(function, cst.FunctionDef)
    return function
