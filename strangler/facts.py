"""Per-statement facts: imports, environment reads and the AWS services a statement uses.

Computed lazily and cached per statement, so a statement shared by many actions is
visited once per run.
"""

from __future__ import annotations

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


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.imports: list[Import] = []
        self.env: list[str] = []
        self.environ_uses = 0
        self.environ_reads = 0
        self.services: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if _is_environ(node):
            self.environ_uses += 1

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.imports.append(Import(_dotted(alias.name), (), 0))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        names = () if isinstance(node.names, cst.ImportStar) else tuple(_dotted(a.name) for a in node.names)
        self.imports.append(Import(module, names, len(node.relative)))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if _is_environ(node.value) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            self._constant(node.slice[0].slice.value, counts=True)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not node.args:
            return
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name in ("client", "resource") and isinstance(node.args[0].value, cst.SimpleString):
            service = node.args[0].value.evaluated_value
            if isinstance(service, str):
                self.services.append(service)
        if not isinstance(func, cst.Attribute):
            return
        if func.attr.value == "get" and _is_environ(func.value):
            self._constant(node.args[0].value, counts=True)
        elif func.attr.value == "getenv" and isinstance(func.value, cst.Name) and func.value.value == "os":
            if not self._constant(node.args[0].value, counts=False):
                self.environ_uses += 1  # os.getenv(name) with a computed name

    def _constant(self, node: cst.BaseExpression, counts: bool) -> bool:
        if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            self.env.append(node.evaluated_value)
            self.environ_reads += counts
            return True
        return False


def _is_environ(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Attribute):
        return node.attr.value == "environ" and isinstance(node.value, cst.Name) and node.value.value == "os"
    return isinstance(node, cst.Name) and node.value == "environ"


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""


class FactCache:
    """Facts per statement node, computed at most once.

    Keyed by identity; the node is kept with its facts so its id cannot be reused by
    another node while the cache lives.
    """

    def __init__(self) -> None:
        self._cache: dict[int, tuple[cst.CSTNode, Facts]] = {}

    def of(self, node: cst.CSTNode) -> Facts:
        cached = self._cache.get(id(node))
        facts = cached[1] if cached is not None and cached[0] is node else None
        if facts is None:
            collector = _Collector()
            node.visit(collector)
            facts = Facts(
                tuple(collector.imports),
                tuple(dict.fromkeys(collector.env)),
                collector.environ_uses > collector.environ_reads,
                tuple(dict.fromkeys(collector.services)),
            )
            self._cache[id(node)] = (node, facts)
        return facts
