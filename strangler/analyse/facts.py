"""Per-statement facts: imports, environment reads and the AWS services a statement uses.

Read from the standard library's ``ast`` (fast), computed lazily and cached per statement,
so a statement shared by many actions is walked once per run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Import:
    module: str  # dotted, "" for ``from . import x``
    names: tuple[str, ...]  # for ``from m import a, b``; () for ``import m``
    level: int  # leading dots of a relative import


@dataclass(frozen=True)
class Facts:
    imports: tuple[Import, ...]
    env_vars: tuple[str, ...]
    # ``os.environ`` used other than ``[...]``/``.get`` with a constant name: the
    # variables read cannot be known, so nothing may be dropped.
    dynamic_env: bool
    services: tuple[str, ...]  # first argument of client("s3") / resource("dynamodb")


def facts_of(tree: ast.AST) -> Facts:
    """Imports, environment reads and AWS services anywhere under ``tree``."""
    imports: list[Import] = []
    env: list[str] = []
    services: list[str] = []
    environ_uses = environ_reads = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.extend(Import(alias.name, (), 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names if alias.name != "*")
            imports.append(Import(node.module or "", names, node.level))
        elif isinstance(node, ast.Attribute) and _is_environ(node):
            environ_uses += 1
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            if _constant(node.slice, env):
                environ_reads += 1
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("client", "resource") and _constant(node.args[0], services):
                continue
            # ``setdefault``/``pop`` name the variable as ``get`` does.
            if isinstance(func, ast.Attribute) and func.attr in ("get", "setdefault", "pop") and _is_environ(func.value):
                environ_reads += _constant(node.args[0], env)
            elif name == "getenv" and isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "os":
                if not _constant(node.args[0], env):
                    environ_uses += 1  # os.getenv(name) with a computed name
    return Facts(tuple(imports), tuple(dict.fromkeys(env)), environ_uses > environ_reads, tuple(dict.fromkeys(services)))


def _constant(node: ast.AST, into: list[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        into.append(node.value)
        return True
    return False


def _is_environ(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


class FactCache:
    """Facts per node, computed at most once.

    Top-level statements come with their ``ast`` from the analysis; a LibCST node made by
    code generation (a specialised entrypoint) is printed and parsed, which is cheap for
    one function. Keyed by identity, the node kept alive with its facts.
    """

    def __init__(self) -> None:
        self._cache: dict[int, tuple[object, Facts]] = {}

    def of(self, node: cst.CSTNode, tree: ast.AST | None = None) -> Facts:
        cached = self._cache.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        if tree is None:
            tree = ast.parse(cst.Module([]).code_for_node(node))
        facts = facts_of(tree)
        self._cache[id(node)] = (node, facts)
        return facts
