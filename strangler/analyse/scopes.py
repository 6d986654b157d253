"""Which module-level names each top-level statement binds and uses, from ``ast`` and ``symtable``.

The standard library's parser and symbol tables answer this several times faster than a
scope resolution over the LibCST tree, which strangler keeps for the code it writes. The
two trees are matched statement by statement: a LibCST ``SimpleStatementLine`` holds as many
``ast`` statements as it has small statements, every compound statement one.
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class StatementNames:
    binds: frozenset[str]
    uses: frozenset[str]  # every name it reads, before filtering to module-level ones
    global_uses: frozenset[str] | None  # for a def: the global names its body reads
    rebinds: frozenset[str]  # names it assigns through ``global`` inside functions
    imports: bool  # has an import anywhere, also inside functions


def analyse_statements(
    source: str, statements: Sequence[cst.BaseStatement]
) -> tuple[list[StatementNames], list[ast.Module]]:
    """Names per LibCST statement, and the ``ast`` of each (for its facts)."""
    tree = ast.parse(source)
    table = symtable.symtable(source, "<module>", "exec")
    children = {(child.get_name(), child.get_lineno()): child for child in table.get_children()}
    groups = _group(tree.body, statements)
    return [_names(group, children) for group in groups], [ast.Module(body=group, type_ignores=[]) for group in groups]


def _group(nodes: list[ast.stmt], statements: Sequence[cst.BaseStatement]) -> list[list[ast.stmt]]:
    groups, position = [], 0
    for statement in statements:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        groups.append(nodes[position : position + count])
        position += count
    if position != len(nodes):
        raise ValueError("the ast and LibCST trees of the module do not line up")
    return groups


def _names(group: list[ast.stmt], children: dict) -> StatementNames:
    binds: set[str] = set()
    uses: set[str] = set()
    global_uses: set[str] | None = None
    rebinds: set[str] = set()
    imports = False
    for node in group:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
            for part in _header(node):
                uses.update(_loads(part))
            child = children.get((node.name, node.lineno))
            if child is not None:
                body_globals, body_rebinds = _table_globals(child)
                global_uses = (global_uses or set()) | body_globals
                rebinds |= body_rebinds
            imports = imports or any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(node))
            continue
        for sub, nested in _walk(node):
            if isinstance(sub, ast.Name):
                (binds if isinstance(sub.ctx, ast.Store) and not nested else uses).add(sub.id)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                imports = True
                if not nested:
                    binds.update(alias.asname or alias.name.split(".")[0] for alias in sub.names if alias.name != "*")
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not nested:
                binds.add(sub.name)
            elif isinstance(sub, ast.ExceptHandler) and sub.name and not nested:
                binds.add(sub.name)
    return StatementNames(frozenset(binds), frozenset(uses), None if global_uses is None else frozenset(global_uses),
                          frozenset(rebinds), imports)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)


def _walk(node: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under ``node``, and whether it sits in a nested scope (where a name
    that is stored binds nothing at module level; what it reads still counts as a use)."""
    stack: list[tuple[ast.AST, bool]] = [(node, False)]
    while stack:
        current, nested = stack.pop()
        yield current, nested
        inner = nested or (isinstance(current, _SCOPES) and current is not node)
        stack.extend((child, inner) for child in ast.iter_child_nodes(current))


def _header(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Iterator[ast.AST]:
    yield from node.decorator_list
    if isinstance(node, ast.ClassDef):
        yield from node.bases
        yield from (k.value for k in node.keywords)
        return
    args = node.args
    yield from (d for d in args.defaults)
    yield from (d for d in args.kw_defaults if d is not None)
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None and arg.annotation is not None:
            yield arg.annotation
    if node.returns is not None:
        yield node.returns


def _loads(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id


def _table_globals(table: symtable.SymbolTable) -> tuple[set[str], set[str]]:
    """Global names a function or class body (and everything nested in it) reads, and the
    ones it assigns through ``global``."""
    reads, rebinds = set(), set()
    stack = [table]
    while stack:
        current = stack.pop()
        for symbol in current.get_symbols():
            if symbol.is_global() or (current.get_type() == "class" and not symbol.is_assigned() and not symbol.is_imported()):
                if symbol.is_referenced():
                    reads.add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                rebinds.add(symbol.get_name())
        stack.extend(current.get_children())
    return reads, rebinds
