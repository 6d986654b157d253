"""Routers a Powertools resolver includes from other modules of the code folder.

::

    from routes import orders
    app.include_router(orders.router, prefix="/orders")

The router expression is followed through the handler module's imports to a file of the
code folder, which is parsed once; its ``Router()`` must be a module-level name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import libcst.helpers

from strangler.errors import StranglerError, at
from strangler.model import FunctionRef


@dataclass(frozen=True)
class Neighbours:
    """The other files of the project, for detectors that follow imports."""

    sources: Mapping[Path, str]
    relative: Callable[[Path], str]


@dataclass(frozen=True)
class Included:
    path: Path
    display: str
    source: str
    module: cst.Module
    router: str
    index: int  # the include_router statement in the handler module
    prefix: str
    importers: tuple[tuple[Path, frozenset[str] | None], ...]  # other local modules and what they import


def included_routers(
    module: cst.Module, app: str, function: FunctionRef, path: str, source: str, neighbours: Neighbours | None
) -> list[Included]:
    """Every ``app.include_router(...)`` of the handler module, resolved and parsed."""
    from strangler.analyse.dispatch import parse

    statements = [(i, call) for i, call in _includes(module, app)]
    if source.count(f"{app}.include_router(") != len(statements):
        raise StranglerError(
            f"{app}.include_router(...) is called somewhere other than at module level, so the routes "
            "cannot be known statically",
            where=path,
            hint="include routers at module level, right after creating the resolver",
        )
    if statements and neighbours is None:
        raise StranglerError(f"{app} includes routers from other modules, which were not given", where=path)
    imports = _import_bindings(module, function.package)
    lines = [source.count("\n", 0, m.start()) + 1 for m in re.finditer(rf"^{re.escape(app)}\.include_router\(", source, re.M)]
    found = []
    for (index, call), line in zip(statements, lines, strict=True):
        where = at(path, line)
        dotted = _dotted(call.args[0].value if call.args else None, imports)
        if dotted is None:
            raise StranglerError(
                f"cannot tell which module's router {app}.include_router() includes", where=where,
                hint="include a router imported from a module of the code folder (app.include_router(orders.router))",
            )
        module_name, _, router = dotted.rpartition(".")
        file = _module_file(function.code_dir, module_name, neighbours.sources)  # type: ignore[union-attr]
        if file is None:
            raise StranglerError(
                f"{app}.include_router() includes {dotted}, but {module_name or router} is not a module of "
                f"{neighbours.relative(function.code_dir) or '.'}/",  # type: ignore[union-attr]
                where=where,
            )
        display = neighbours.relative(file)  # type: ignore[union-attr]
        text = neighbours.sources[file]  # type: ignore[union-attr]
        parsed = parse(text, display)
        if not _defines_router(parsed, router):
            raise StranglerError(f"{display} has no module-level {router} = Router()", where=where)
        importers = _importers(file, module_name, function, neighbours)  # type: ignore[arg-type]
        found.append(Included(file, display, text, parsed, router, index, _prefix(call, where), importers))
    return found


def _importers(
    file: Path, module: str, function: FunctionRef, neighbours: Neighbours
) -> tuple[tuple[Path, frozenset[str] | None], ...]:
    """The code folder's other modules that import from ``module``, each with the names it
    imports (None when it imports the module object: then anything may be used)."""
    found = []
    for path, text in neighbours.sources.items():
        if path == file or path.suffix != ".py" or function.code_dir not in path.parents:
            continue
        if module.rpartition(".")[2] not in text:
            continue  # cannot import it: spare the parse
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue  # reported with its line when the module is needed
        package = ".".join(path.relative_to(function.code_dir).parts[:-1])
        # The handler module imports routers' modules to include them: only names it takes count.
        names = _names_imported(tree, module, package, objects=path != function.module_path)
        if names is None or names:
            found.append((path, names))
    return tuple(found)


def _names_imported(tree: ast.Module, module: str, package: str, objects: bool = True) -> frozenset[str] | None:
    """Names ``tree`` imports from ``module``; None if it imports the module object (and
    ``objects`` says that counts)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == module or a.name.startswith(module + ".") for a in node.names):
            if objects:
                return None
        if isinstance(node, ast.ImportFrom):
            base = absolute_module(node.module or "", node.level, package)
            if base == module:
                if any(a.name == "*" for a in node.names):
                    return None
                names.update(a.name for a in node.names)
            elif objects and any(f"{base}.{a.name}".lstrip(".") == module for a in node.names):
                return None
    return frozenset(names)


def absolute_module(module: str, level: int, package: str) -> str:
    """The dotted name ``from <level dots><module> import ...`` made in ``package`` means."""
    if not level:
        return module
    parts = package.split(".") if package else []
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, *([module] if module else [])])


def _includes(module: cst.Module, app: str):
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                func = small.value.func
                if (
                    isinstance(func, cst.Attribute) and func.attr.value == "include_router"
                    and isinstance(func.value, cst.Name) and func.value.value == app
                ):
                    yield index, small.value


def _prefix(call: cst.Call, where: str) -> str:
    for position, arg in enumerate(call.args):
        if (arg.keyword is not None and arg.keyword.value == "prefix") or (arg.keyword is None and position == 1):
            value = arg.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                return value.evaluated_value
            if isinstance(value, cst.Name) and value.value == "None":
                return ""
            raise StranglerError("the prefix of an included router is not a literal string", where=where)
    return ""


def _import_bindings(module: cst.Module, package: str) -> dict[str, str]:
    """Module-level names bound by imports, to the dotted thing they are."""
    bound: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = libcst.helpers.get_full_name_for_node(alias.name) or ""
                    if alias.asname is not None:
                        bound[alias.asname.name.value] = name  # type: ignore[union-attr]
                    else:
                        bound[name.split(".")[0]] = name.split(".")[0]
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                base = absolute_module(
                    libcst.helpers.get_full_name_for_node(small.module) or "" if small.module else "", len(small.relative), package
                )
                for alias in small.names:
                    name = libcst.helpers.get_full_name_for_node(alias.name) or ""
                    local = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
                    bound[local] = f"{base}.{name}" if base else name
    return bound


def _dotted(expression: cst.BaseExpression | None, imports: dict[str, str]) -> str | None:
    """``orders.router`` -> ``routes.orders.router`` through ``from routes import orders``."""
    if expression is None:
        return None
    full = libcst.helpers.get_full_name_for_node(expression)
    if not full:
        return None
    head, _, rest = full.partition(".")
    if head not in imports:
        return None
    dotted = imports[head] + (f".{rest}" if rest else "")
    return dotted if "." in dotted else None


def _module_file(code_dir: Path, module: str, sources: Mapping[Path, str]) -> Path | None:
    if not module:
        return None
    target = code_dir.joinpath(*module.split("."))
    return next((p for p in (target.with_suffix(".py"), target / "__init__.py") if p in sources), None)


def _defines_router(module: cst.Module, name: str) -> bool:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            assign = statement.body[0]
            targets = [t.target for t in assign.targets]
            if any(isinstance(t, cst.Name) and t.value == name for t in targets) and isinstance(assign.value, cst.Call):
                called = libcst.helpers.get_full_name_for_node(assign.value.func) or ""
                if called.split(".")[-1] == "Router":
                    return True
    return False
