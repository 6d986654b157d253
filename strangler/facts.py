"""Per-statement facts the plan reports and codegen needs: imports and environment reads.

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


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.imports: list[Import] = []
        self.env: list[str] = []

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.imports.append(Import(_dotted(alias.name), (), 0))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        names = () if isinstance(node.names, cst.ImportStar) else tuple(_dotted(a.name) for a in node.names)
        self.imports.append(Import(module, names, len(node.relative)))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if _is_environ(node.value) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            self._constant(node.slice[0].slice.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not node.args or not isinstance(func, cst.Attribute):
            return
        if (func.attr.value == "get" and _is_environ(func.value)) or (
            func.attr.value == "getenv" and isinstance(func.value, cst.Name) and func.value.value == "os"
        ):
            self._constant(node.args[0].value)

    def _constant(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
            self.env.append(node.evaluated_value)


def _is_environ(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Attribute):
        return node.attr.value == "environ" and isinstance(node.value, cst.Name) and node.value.value == "os"
    return isinstance(node, cst.Name) and node.value == "environ"


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""


class FactCache:
    """Facts per statement node, computed at most once."""

    def __init__(self) -> None:
        self._cache: dict[int, Facts] = {}

    def of(self, node: cst.CSTNode) -> Facts:
        facts = self._cache.get(id(node))
        if facts is None:
            collector = _Collector()
            node.visit(collector)
            facts = Facts(tuple(collector.imports), tuple(dict.fromkeys(collector.env)))
            self._cache[id(node)] = facts
        return facts
