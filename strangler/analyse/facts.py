"""Per-statement facts: imports, environment reads and the AWS services a statement uses.

Read from the standard library's ``ast`` (fast), computed lazily and cached per statement,
so a statement shared by many actions is walked once per run.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
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


@dataclass(frozen=True)
class Walk:
    """What :func:`facts_of` reads from one tree, each item with the depth it was found at.

    The facts of a module's statements, walked one by one, combine (:func:`combined`) into
    exactly the facts of the whole module: ``ast.walk`` goes breadth first, so it meets the
    items of every statement at one depth before any item one level deeper.
    """

    imports: tuple[tuple[int, Import], ...]
    env_vars: tuple[tuple[int, str], ...]
    services: tuple[tuple[int, str], ...]
    environ_uses: int
    environ_reads: int


def facts_of(tree: ast.AST) -> Facts:
    """Imports, environment reads and AWS services anywhere under ``tree``."""
    return combined((walk(tree),))


def walk(tree: ast.AST) -> Walk:
    """The items of ``tree`` in ``ast.walk``'s order (breadth first), with their depth."""
    imports: list[tuple[int, Import]] = []
    env: list[str] = []
    env_at: list[tuple[int, str]] = []
    services: list[str] = []
    services_at: list[tuple[int, str]] = []
    environ_uses = environ_reads = 0
    level: list[ast.AST] = [tree]
    depth = 0
    while level:
        deeper: list[ast.AST] = []
        for node in level:
            deeper.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.Import):
                imports.extend((depth, Import(alias.name, (), 0)) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names = tuple(alias.name for alias in node.names if alias.name != "*")
                imports.append((depth, Import(node.module or "", names, node.level)))
            elif isinstance(node, ast.Attribute) and _is_environ(node):
                environ_uses += 1
            elif isinstance(node, ast.Subscript) and _is_environ(node.value):
                if _constant(node.slice, env):
                    environ_reads += 1
                    env_at.append((depth, env.pop()))
            elif isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in ("client", "resource") and _constant(node.args[0], services):
                    services_at.append((depth, services.pop()))
                # ``setdefault``/``pop`` name the variable as ``get`` does.
                elif isinstance(func, ast.Attribute) and func.attr in ("get", "setdefault", "pop") and _is_environ(func.value):
                    if _constant(node.args[0], env):
                        environ_reads += 1
                        env_at.append((depth, env.pop()))
                elif name == "getenv" and isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "os":
                    if _constant(node.args[0], env):
                        env_at.append((depth, env.pop()))
                    else:
                        environ_uses += 1  # os.getenv(name) with a computed name
        level = deeper
        depth += 1
    return Walk(tuple(imports), tuple(env_at), tuple(services_at), environ_uses, environ_reads)


def combined(walks: Sequence[Walk]) -> Facts:
    """The facts of trees side by side at the same depth (a module's statements, each in an
    ``ast.Module`` of its own), as one walk of their parent gives them: by depth, then by
    tree. Environment uses and reads are counted over all of them, as one walk counts."""
    def ordered(field: str) -> list:
        found = [(depth, position, item) for position, one in enumerate(walks) for depth, item in getattr(one, field)]
        found.sort(key=lambda entry: (entry[0], entry[1]))  # stable: each tree's own order stays
        return [item for _, _, item in found]

    uses = sum(one.environ_uses for one in walks)
    reads = sum(one.environ_reads for one in walks)
    return Facts(
        tuple(ordered("imports")),
        tuple(dict.fromkeys(ordered("env_vars"))),
        uses > reads,
        tuple(dict.fromkeys(ordered("services"))),
    )


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

    def of(self, node: cst.CSTNode, tree: ast.AST | None = None, text: Callable[[], str] | None = None) -> Facts:
        """``text``: how to have the node's code, when the caller has it cheaper than printing."""
        cached = self._cache.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        if tree is None:
            tree = ast.parse(text() if text is not None else cst.Module([]).code_for_node(node))
        facts = facts_of(tree)
        self._cache[id(node)] = (node, facts)
        return facts
