"""The module-level dependency graph of a Python module, and closures over it.

One LibCST parse and one ``ScopeProvider`` resolution per module give every access to a
module-level name. Each access is charged to the *unit* it sits in: a top-level statement,
or, for the dispatch table, one entry of it (so removing an entry removes exactly its
dependencies). Function and class bodies are never walked: an access inside them is charged
through its scope chain to the top-level ``def``/``class`` that owns the scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst
import libcst.helpers
from libcst.metadata import GlobalScope, MetadataWrapper, Scope, ScopeProvider

# A unit is a top-level statement index, or ("entry", label) for the code of one action
# (a table entry, a branch of a chain).
Unit = int | tuple[str, str]


@dataclass(frozen=True)
class SymbolGraph:
    module: cst.Module
    statements: tuple[cst.BaseStatement, ...]
    defines: tuple[frozenset[str], ...]
    uses: Mapping[Unit, frozenset[str]]
    definers: Mapping[str, tuple[int, ...]]
    scope: GlobalScope
    # Statements that bind nothing but act on module state (``logger.setLevel(...)``).
    floating: tuple[int, ...]
    # ``from __future__`` and star imports: what they bind is invisible to the scope graph.
    always: frozenset[int]
    imported: frozenset[str]  # names bound only by import statements
    # Statements that may import, read the environment or create AWS clients: the only
    # ones whose facts need a walk (facts.py); the rest have none.
    factful: frozenset[int]

    def closure(self, roots: Iterable[Unit]) -> tuple[frozenset[int], frozenset[str]]:
        """Statements and names reachable from ``roots`` (units)."""
        return self.name_closure(name for unit in roots for name in self.uses.get(unit, ()))

    def name_closure(self, roots: Iterable[str]) -> tuple[frozenset[int], frozenset[str]]:
        """Statements and names reachable from the names ``roots``."""
        names: set[str] = set()
        statements: set[int] = set()
        pending = list(roots)
        while pending:
            name = pending.pop()
            if name in names:
                continue
            names.add(name)
            for index in self.definers.get(name, ()):
                if index not in statements:
                    statements.add(index)
                    pending.extend(self.uses.get(index, ()))
        return frozenset(statements), frozenset(names)

    def with_companions(
        self, statements: frozenset[int], names: frozenset[str]
    ) -> tuple[frozenset[int], frozenset[str]]:
        """Add the module-level statements that bind nothing but act on what is kept.

        ``logger.setLevel(os.environ["LOG_LEVEL"])`` belongs with ``logger``: once a
        statement acts on kept module state (a kept name that is not an import) it comes
        along, with what it needs in turn. Touching only kept imports (``os``) is not
        enough, unless everything it uses is kept already (``logging.basicConfig()``).
        """
        statements, names = set(statements), set(names)
        waiting = [index for index in self.floating if index not in statements]
        changed = True
        while changed:
            changed = False
            for index in list(waiting):
                uses = self.uses[index]
                if (uses & names) - self.imported or uses <= names:
                    waiting.remove(index)
                    more_statements, more_names = self.name_closure(self.uses[index])
                    statements |= more_statements | {index}
                    names |= more_names
                    changed = True
        return frozenset(statements), frozenset(names)


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


def build(module: cst.Module, units: Mapping[str, Sequence[cst.CSTNode]] | None = None) -> SymbolGraph:
    """Build the graph of ``module``.

    ``units`` maps a label to the nodes that belong to one action alone (table entries,
    branch bodies); what they use is charged to ``("entry", label)``.
    """
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes[module]
    assert isinstance(global_scope, GlobalScope)
    statements = tuple(module.body)
    owner = _owners(statements, units or {})

    defines: list[set[str]] = [set() for _ in statements]
    uses: dict[Unit, set[str]] = defaultdict(set)
    definers: dict[str, set[int]] = defaultdict(set)
    for assignment in global_scope.assignments:
        name = assignment.name
        node = getattr(assignment, "node", None)
        unit = owner.get(id(node))
        if isinstance(unit, int):
            defines[unit].add(name)
            definers[name].add(unit)
        elif isinstance(unit, tuple):
            continue
        for access in assignment.references:
            user = _unit_of(access.node, access.scope, owner)
            if user is not None:
                uses[user].add(name)
    floating = tuple(
        index
        for index, statement in enumerate(statements)
        if not defines[index] and uses.get(index) and not _is_inert(statement)
    )
    factful = _factful(statements, scopes, owner, uses, definers)
    return SymbolGraph(
        module=module,
        statements=statements,
        defines=tuple(frozenset(d) for d in defines),
        uses={unit: frozenset(names) for unit, names in uses.items()},
        definers={name: tuple(sorted(units)) for name, units in definers.items()},
        scope=global_scope,
        floating=floating,
        always=_always_kept(statements),
        imported=frozenset(
            name for name, indexes in definers.items() if all(_is_import(statements[i]) for i in indexes)
        ),
        factful=factful,
    )


# Modules whose names lead to environment reads and AWS clients.
_SENSITIVE_MODULES = {"os", "boto3", "botocore", "aioboto3", "aiobotocore"}


def _factful(statements, scopes, owner, uses, definers) -> frozenset[int]:
    """Statements that import anything (also inside functions), or use a name that leads to
    ``os``/``boto3`` directly or through one module-level assignment (``session = boto3.Session()``)."""
    found = {index for index, statement in enumerate(statements) if _is_import(statement)}
    for scope in set(scopes.values()):
        if scope is None or isinstance(scope, GlobalScope):
            continue
        for assignment in scope.assignments:
            if isinstance(getattr(assignment, "node", None), (cst.Import, cst.ImportFrom)):
                unit = _unit_of(assignment.node, scope, owner)
                if isinstance(unit, int):
                    found.add(unit)
    sensitive = {
        name for name, indexes in definers.items()
        if any(_imports_from(statements[i], _SENSITIVE_MODULES) for i in indexes)
    }
    derived = {name for name, indexes in definers.items() if any(uses.get(i, frozenset()) & sensitive for i in indexes)}
    trigger = sensitive | derived
    found.update(index for index in range(len(statements)) if uses.get(index, frozenset()) & trigger)
    return frozenset(found)


def _imports_from(statement: cst.BaseStatement, modules: set[str]) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Import):
            if any(cst.helpers.get_full_name_for_node(a.name).split(".")[0] in modules for a in small.names):
                return True
        elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
            if cst.helpers.get_full_name_for_node(small.module).split(".")[0] in modules:
                return True
    return False


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


def _unit_of(node: cst.CSTNode, scope: Scope | None, owner: Mapping[int, Unit]) -> Unit | None:
    unit = owner.get(id(node))
    if unit is not None:
        return unit
    # Inside a function, class, lambda or comprehension: climb to the scope whose
    # parent is the module, and charge the statement that owns that scope.
    while scope is not None and not isinstance(scope, GlobalScope):
        if isinstance(scope.parent, GlobalScope):
            return owner.get(id(scope.node))
        scope = scope.parent
    return None


def _owners(statements: tuple[cst.BaseStatement, ...], units: Mapping[str, Sequence[cst.CSTNode]]) -> dict[int, Unit]:
    """Map the id of every node that lives in module scope (or in a unit) to its unit."""
    owner: dict[int, Unit] = {}
    for label, nodes in units.items():
        for node in nodes:
            _mark(node, ("entry", label), owner, whole=True)
    for index, statement in enumerate(statements):
        _mark(statement, index, owner)
    return owner


def _mark(node: cst.CSTNode, unit: Unit, owner: dict[int, Unit], whole: bool = False) -> None:
    """Record ``unit`` for ``node`` and its module-scope descendants.

    Bodies of functions and classes are skipped (their accesses reach the graph through
    their scope) unless ``whole``. Nodes already marked (an action's) keep their unit.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        key = id(current)
        if key in owner:
            continue
        owner[key] = unit
        if whole:
            stack.extend(current.children)
            continue
        if isinstance(current, cst.FunctionDef):
            stack.extend(current.decorators)
            stack.extend(_param_parts(current.params))
            if current.returns is not None:
                stack.append(current.returns)
            continue
        if isinstance(current, cst.ClassDef):
            stack.extend(current.decorators)
            stack.extend(current.bases)
            stack.extend(current.keywords)
            continue
        stack.extend(current.children)


def _param_parts(params: cst.Parameters) -> Iterable[cst.CSTNode]:
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.default is not None:
            yield param.default
        if param.annotation is not None:
            yield param.annotation
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param) and star.annotation is not None:
            yield star.annotation
