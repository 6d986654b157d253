"""The module-level dependency graph of a Python module, and closures over it.

The names each top-level statement binds and reads come from the standard library's
``ast`` and ``symtable`` (scopes.py), matched to the LibCST statements strangler rewrites.
What a statement reads is charged to a *unit*: the statement, or, for the code that belongs
to one action (a table entry, a branch), that action's unit, so removing an action removes
exactly its dependencies.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from strangler.analyse.effects import Effects, describe
from strangler.analyse.scopes import analyse_statements

# A unit is a top-level statement index, or ("entry", label) for the code of one action
# (a table entry, a branch of a chain).
Unit = int | tuple[str, str]


@dataclass(frozen=True)
class SymbolGraph:
    statements: tuple[cst.BaseStatement, ...]
    defines: tuple[frozenset[str], ...]
    uses: Mapping[Unit, frozenset[str]]
    definers: Mapping[str, tuple[int, ...]]
    rebound: frozenset[str]  # names functions assign through ``global``
    # Statements that may act on the world when the module is imported (effects.py):
    # ``logger.setLevel(...)``, ``patch_all()``, ``client = init_everything()``, module-level
    # ``if``/``try`` blocks. Kept unless they act only on code a slice drops.
    floating: tuple[int, ...]
    # ``from __future__`` and star imports: what they bind is invisible to the scope graph.
    always: frozenset[int]
    imported: frozenset[str]  # names bound only by import statements
    trees: tuple[ast.Module, ...]  # each statement's ast, for its facts
    # Names some statement or action unit that is not an effect uses: a name an effect
    # statement acts on "belongs to code" when it is one of these.
    used_by_code: frozenset[str] = frozenset()
    # Names imported and read by nothing in the module: imported for the import's own
    # effect (``import ddtrace.auto``), so every slice keeps them.
    unread_imports: frozenset[str] = frozenset()
    descriptions: Mapping[int, str] = field(default_factory=dict)  # effect statements as reports show them
    callees: Mapping[int, frozenset[str]] = field(default_factory=dict)  # names an effect statement only calls

    def closure(self, roots: Iterable[Unit]) -> tuple[frozenset[int], frozenset[str]]:
        """Statements and names reachable from ``roots`` (units), as what leaves a module
        with them: a statement that may have effects (``client = init_everything()``) is
        never reached this way, so it stays where it is whoever used its names."""
        roots = (name for unit in roots for name in self.uses.get(unit, ()))
        return self.name_closure(roots, skip=frozenset(self.floating))

    def name_closure(
        self, roots: Iterable[str], skip: frozenset[int] = frozenset()
    ) -> tuple[frozenset[int], frozenset[str]]:
        """Statements and names reachable from the names ``roots``, not through ``skip``."""
        names: set[str] = set()
        statements: set[int] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            if name in names:
                continue
            names.add(name)
            for index in self.definers.get(name, ()):
                if index not in statements and index not in skip:
                    statements.add(index)
                    pending.extend(self.uses.get(index, ()))
        return frozenset(statements), frozenset(names)

    def with_companions(
        self, statements: frozenset[int], names: frozenset[str], exclude: frozenset[int] = frozenset()
    ) -> tuple[frozenset[int], frozenset[str]]:
        """Add the module-level statements that may have effects, unless they act only on
        code the slice drops.

        ``logger.setLevel(os.environ["LOG_LEVEL"])`` belongs with ``logger``: it comes along
        when ``logger`` is kept, and stays out when ``logger`` belongs to code the slice
        drops. ``patch_all()``, ``config.init()`` or ``client = init_everything()`` act on
        no name of dropped code, so they always come, with what they need in turn.
        Statements in ``exclude`` belong to other actions and never come along.
        """
        statements, names = set(statements), set(names)
        waiting = [index for index in self.floating if index not in statements and index not in exclude]
        changed = True
        while changed:
            changed = False
            for index in list(waiting):
                if self.acts_only_on_dropped(index, names):
                    continue
                waiting.remove(index)
                more_statements, more_names = self.name_closure([*self.uses.get(index, ()), *self.defines[index]])
                statements |= more_statements | {index}
                names |= more_names
                changed = True
        return frozenset(statements), frozenset(names)

    def targets(self, index: int) -> frozenset[str]:
        """The module-level names a statement acts on: what it reads that is neither an
        import, nor bound by the statement itself (a ``for`` loop's variable), nor only
        called (``warm_cache()`` runs a function, whoever else calls it)."""
        return self.uses.get(index, frozenset()) - self.imported - self.defines[index] - self.callees.get(index, frozenset())

    def acts_only_on_dropped(self, index: int, names: Collection[str]) -> bool:
        """Whether every name statement ``index`` acts on is code that a slice keeping
        ``names`` leaves out (a name only effect statements use belongs to no one's code)."""
        targets = self.targets(index)
        return bool(targets) and all(name not in names and name in self.used_by_code for name in targets)

    def kept_for_effect(self, statements: Iterable[int]) -> tuple[int, ...]:
        """The effect statements among ``statements`` that the rest of them does not need:
        kept because they may have effects (what a report should mention), not because
        they act on what the code uses (``logger.setLevel`` beside a kept ``logger``)."""
        statements = set(statements)
        effects = set(self.floating)
        used = {name for index in statements - effects for name in self.uses.get(index, ())}
        return tuple(
            index for index in sorted(statements & effects)
            if not (self.targets(index) & used) and not (self.defines[index] & used)
        )


def _only_called(tree: ast.AST) -> frozenset[str]:
    """Names that ``tree`` reads only as the function of a call (``setup()``)."""
    reads: dict[str, int] = {}
    calls: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls[node.func.id] = calls.get(node.func.id, 0) + 1
    return frozenset(name for name, count in calls.items() if reads.get(name) == count)


def _is_inert(statement: cst.BaseStatement) -> bool:
    """Docstrings and ``if __name__ == "__main__"`` are not companions."""
    if isinstance(statement, cst.SimpleStatementLine):
        small = statement.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            return True
    if isinstance(statement, cst.If):
        test = statement.test
        if isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__":
            return True
    return False


def build(
    module: cst.Module,
    units: Mapping[str, Sequence[cst.CSTNode]] | None = None,
    container: int | None = None,
    source: str | None = None,
) -> SymbolGraph:
    """Build the graph of ``module`` (whose text is ``source``).

    ``units`` maps a label to the nodes that belong to one action alone (table entries,
    branch bodies), all inside the top-level statement ``container``; what they use is
    charged to ``("entry", label)``, not to that statement.
    """
    statements = tuple(module.body)
    found, trees = analyse_statements(module.code if source is None else source, statements)
    defines = [set(names.binds) for names in found]
    definers: dict[str, set[int]] = defaultdict(set)
    for index, names in enumerate(defines):
        for name in names:
            definers[name].add(index)
    known = set(definers)
    uses: dict[Unit, set[str]] = {}
    for index, names in enumerate(found):
        used = (names.uses | (names.global_uses or frozenset())) & known
        if used:
            uses[index] = set(used)
    if units and container is None:
        container = _container_of(statements, next(node for nodes in units.values() for node in nodes))
    if units and container is not None:
        _charge_units(statements[container], container, found[container], units, known, uses)
    effects = Effects([tree.body for tree in trees])
    floating = tuple(
        index
        for index, statement in enumerate(statements)
        if not _is_inert(statement) and effects.of(trees[index].body)
    )
    lines = (module.code if source is None else source).splitlines() if floating else []
    effect_set = set(floating)
    used_by_code = {name for unit, names in uses.items() if unit not in effect_set for name in names}
    frozen_uses = {unit: frozenset(names) for unit, names in uses.items()}
    imported = frozenset(name for name, indexes in definers.items() if all(_is_import(statements[i]) for i in indexes))
    unread = (imported - {name for names in uses.values() for name in names}) & _non_stdlib_imports(trees)
    for_effect = {index for index, names in enumerate(defines) if names and names <= unread and _is_import(statements[index])}
    return SymbolGraph(
        statements=statements,
        defines=tuple(frozenset(d) for d in defines),
        uses=frozen_uses,
        definers={name: tuple(sorted(indexes)) for name, indexes in definers.items()},
        rebound=frozenset(name for names in found for name in names.rebinds),
        floating=floating,
        always=_always_kept(statements) | for_effect,
        imported=imported,
        unread_imports=unread,
        trees=tuple(trees),
        used_by_code=frozenset(used_by_code),
        descriptions={index: describe(lines, trees[index].body) for index in floating},
        callees={index: _only_called(trees[index]) for index in floating},
    )


class _Names(cst.CSTVisitor):
    """Every name read under a node, skipping the subtrees in ``skip``."""

    def __init__(self, skip: set[int]) -> None:
        self.skip = skip
        self.names: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.skip:
            return False
        if isinstance(node, cst.Name):
            self.names.add(node.value)
        return True


def _container_of(statements: tuple[cst.BaseStatement, ...], target: cst.CSTNode) -> int | None:
    """The top-level statement holding ``target`` (callers that know it say so instead)."""

    class Finder(cst.CSTVisitor):
        found = False

        def on_visit(self, node: cst.CSTNode) -> bool:
            if node is target:
                Finder.found = True
            return not Finder.found

    for index, statement in enumerate(statements):
        statement.visit(Finder())
        if Finder.found:
            return index
    return None


def _charge_units(statement, index, names, units, known, uses) -> None:
    """Split what ``statement`` uses between the actions' units and the statement itself.

    Inside a function only its global names count (the scope analysis says which).
    """
    scope = (names.uses | (names.global_uses or frozenset())) & known
    unit_nodes = {id(node) for nodes in units.values() for node in nodes}
    rest = _Names(unit_nodes)
    statement.visit(rest)
    uses[index] = set(rest.names & scope)
    if not uses[index]:
        del uses[index]
    for label, nodes in units.items():
        collector = _Names(set())
        for node in nodes:
            node.visit(collector)
        used = collector.names & scope
        if used:
            uses[("entry", label)] = set(used)


def _non_stdlib_imports(trees: Sequence[ast.Module]) -> frozenset[str]:
    """Names bound by imports of modules outside the standard library: importing those may
    act (``import ddtrace.auto``); an unread ``import hashlib`` is only dead code."""
    found = set()
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Import):
                found.update(a.asname or a.name.split(".")[0] for a in node.names
                             if a.name.split(".")[0] not in sys.stdlib_module_names)
            elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] not in sys.stdlib_module_names):
                found.update(a.asname or a.name for a in node.names)
    return frozenset(found)


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _always_kept(statements: tuple[cst.BaseStatement, ...]) -> frozenset[int]:
    kept = set()
    for index, statement in enumerate(statements):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and (
                    isinstance(small.names, cst.ImportStar)
                    or (isinstance(small.module, cst.Name) and small.module.value == "__future__")
                ):
                    kept.add(index)
    return frozenset(kept)


