"""What a name in a handler's code stands for: the imports, module-level bindings and local
assignments the idempotency rule resolves a client, a table or a key through.

Values are kept abstract: ``Qual("boto3.client")`` for an imported name, ``Client("sqs")``,
``Table(<name expression>)``, ``Env("ORDERS_TABLE")`` for ``os.environ[...]``, ``Text`` for
a literal. Anything else resolves to None (unknown: never a finding by guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst


@dataclass(frozen=True)
class Qual:
    name: str  # dotted: "boto3", "requests.post", "os.environ"


@dataclass(frozen=True)
class Client:
    service: str  # boto3.client("dynamodb")


@dataclass(frozen=True)
class Resource:
    service: str  # boto3.resource("dynamodb")


@dataclass(frozen=True)
class Env:
    name: str  # os.environ["X"], os.environ.get("X"), os.getenv("X")


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Table:
    name: Env | Text | None  # what the table's name resolved to


@dataclass(frozen=True)
class Writer:
    table: Table  # table.batch_writer()


Value = Qual | Client | Resource | Env | Text | Table | Writer


@dataclass
class ModuleScope:
    """One parsed module: its imports, module-level bindings, functions and sibling modules."""

    path: Path
    module: cst.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted name
    bindings: dict[str, cst.BaseExpression] = field(default_factory=dict)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    siblings: dict[str, Path] = field(default_factory=dict)  # alias -> sibling module file
    sibling_names: dict[str, tuple[Path, str]] = field(default_factory=dict)  # from sibling import f as g

    @classmethod
    def of(cls, path: Path, module: cst.Module, code_dir: Path) -> ModuleScope:
        scope = cls(path, module)
        for statement in module.body:
            scope._read(statement, code_dir)
        scope._read_lazy_imports(code_dir)
        return scope

    def _read_lazy_imports(self, code_dir: Path) -> None:
        """Imports inside functions (kept out of the cold start) name modules too; a name the
        module binds itself is not overridden."""
        lazy = ModuleScope(self.path, self.module)
        module_level = set(self.module.body)

        class _Imports(cst.CSTVisitor):
            def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
                if node in module_level:
                    return
                for small in node.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        lazy._read_small(small, code_dir)

        self.module.visit(_Imports())
        for name, value in lazy.imports.items():
            self.imports.setdefault(name, value)
        for name, path in lazy.siblings.items():
            self.siblings.setdefault(name, path)
        for name, target in lazy.sibling_names.items():
            self.sibling_names.setdefault(name, target)

    def _read(self, statement: cst.CSTNode, code_dir: Path) -> None:
        if isinstance(statement, cst.FunctionDef):
            self.functions[statement.name.value] = statement
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._read_small(small, code_dir)
        elif isinstance(statement, (cst.If, cst.Try)):
            # ``try: import x except ImportError: ...`` and ``if TYPE_CHECKING``: read the body.
            for inner in statement.body.body:
                self._read(inner, code_dir)

    def _read_small(self, small: cst.BaseSmallStatement, code_dir: Path) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
                self.imports[local or dotted.split(".")[0]] = dotted if local else dotted.split(".")[0]
                sibling = _sibling(code_dir, dotted)
                if sibling is not None:
                    self.siblings[local or dotted] = sibling
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            self._read_from(small, code_dir)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    self.bindings[target.target.value] = small.value
                    self._alias(target.target.value, small.value)
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
            self.bindings[small.target.value] = small.value

    def _alias(self, name: str, value: cst.BaseExpression) -> None:
        """``handler = lambda_handler``: the name is the function defined so far, even when a
        later ``def`` takes the old name (a wrapper around the handler)."""
        if isinstance(value, cst.Name) and value.value in self.functions:
            self.functions[name] = self.functions[value.value]

    def _read_from(self, small: cst.ImportFrom, code_dir: Path) -> None:
        base = _dotted(small.module) if small.module is not None else ""
        for alias in small.names:  # type: ignore[union-attr]
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports[local] = f"{base}.{name}" if base else name
            module_file = _sibling(code_dir, base) if base else None
            if module_file is not None:
                self.sibling_names[local] = (module_file, name)
            elif small.relative or not base:
                sibling = _sibling(code_dir, name)
                if sibling is not None:
                    self.siblings[local] = sibling


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _sibling(code_dir: Path, dotted: str) -> Path | None:
    """The module file ``dotted`` names inside the function's code folder, if any."""
    if not dotted:
        return None
    candidate = code_dir.joinpath(*dotted.split("."))
    for path in (candidate.with_suffix(".py"), candidate / "__init__.py"):
        if path.is_file():
            return path
    return None


def local_bindings(function: cst.FunctionDef) -> dict[str, cst.BaseExpression]:
    """Names a function assigns (``x = ...``, ``with ... as x``), last one wins; nested
    functions and classes are not read."""
    found: dict[str, cst.BaseExpression] = {}

    class _Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    found[target.target.value] = node.value

        def visit_WithItem(self, node: cst.WithItem) -> None:
            if node.asname is not None and isinstance(node.asname.name, cst.Name):
                found[node.asname.name.value] = node.item

    function.visit(_Collect())
    return found


class Resolver:
    """Resolves expressions of one function (its locals) inside one module."""

    def __init__(self, scope: ModuleScope, local: dict[str, cst.BaseExpression] | None = None,
                 given: dict[str, Value] | None = None) -> None:
        self.scope = scope
        self.local = local or {}
        self.given = given or {}  # parameters: what the caller passed

    def value(self, node: cst.BaseExpression | None, depth: int = 0) -> Value | None:
        if node is None or depth > 8:
            return None
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            return Text(text) if isinstance(text, str) else None
        if isinstance(node, cst.Name):
            return self._name(node.value, depth)
        if isinstance(node, cst.Attribute):
            base = self.value(node.value, depth + 1)
            return Qual(f"{base.name}.{node.attr.value}") if isinstance(base, Qual) else None
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        return None

    def _name(self, name: str, depth: int) -> Value | None:
        if name in self.local:
            return self.value(self.local[name], depth + 1)
        if name in self.given:
            return self.given[name]
        if name in self.scope.bindings:
            return Resolver(self.scope).value(self.scope.bindings[name], depth + 1)
        if name in self.scope.imports:
            return Qual(self.scope.imports[name])
        return None

    def _subscript(self, node: cst.Subscript, depth: int) -> Value | None:
        base = self.value(node.value, depth + 1)
        if base == Qual("os.environ") and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = self.value(node.slice[0].slice.value, depth + 1)
            return Env(key.value) if isinstance(key, Text) else None
        return None

    def _call(self, node: cst.Call, depth: int) -> Value | None:
        first = self.value(node.args[0].value, depth + 1) if node.args else None
        if isinstance(node.func, cst.Attribute):
            base = self.value(node.func.value, depth + 1)
            method = node.func.attr.value
            if isinstance(base, Resource) and base.service == "dynamodb" and method == "Table":
                return Table(_name_value(first))
            if isinstance(base, Table) and method == "batch_writer":
                return Writer(base)
        callee = self.value(node.func, depth + 1)
        if not isinstance(callee, Qual):
            return None
        service = first.value if isinstance(first, Text) else keyword_text(self, node, "service_name")
        if callee.name in ("boto3.client", "boto3.session.Session.client") and service:
            return Client(service)
        if callee.name in ("boto3.resource", "boto3.session.Session.resource") and service:
            return Resource(service)
        if callee.name in ("os.environ.get", "os.getenv") and isinstance(first, Text):
            return Env(first.value)
        return None


def _name_value(value: Value | None) -> Env | Text | None:
    return value if isinstance(value, (Env, Text)) else None


def keyword(node: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def keyword_text(resolver: Resolver, node: cst.Call, name: str) -> str | None:
    found = resolver.value(keyword(node, name))
    return found.value if isinstance(found, Text) else None


def argument(node: cst.Call, position: int, name: str) -> cst.BaseExpression | None:
    """The argument passed as ``name=`` or at ``position`` (positional arguments only)."""
    named = keyword(node, name)
    if named is not None:
        return named
    positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
    return positional[position].value if position < len(positional) else None


def decorator_names(function: cst.FunctionDef) -> tuple[str, ...]:
    """The last dotted part of each decorator (``idempotent`` for ``@idempotency.idempotent(...)``)."""
    names = []
    for decorator in function.decorators:
        node = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        names.append(_dotted(node).rsplit(".", 1)[-1])
    return tuple(names)

