"""Detector for an AWS Lambda Powertools ``AppSyncResolver``.

::

    app = AppSyncResolver()
    app.include_router(comments.router)

    @app.resolver(type_name="Query", field_name="getPost")
    def get_post(id: str): ...

    def lambda_handler(event, context):
        return app.resolve(event, context)

Each resolver is an action keyed ``Type.field`` (``Query.getPost``), the key Powertools
itself registers it under, read from the event's ``info.parentTypeName`` and
``info.fieldName``; its def is the action's code. Resolvers may sit on a ``Router`` in
another module of the code folder that the resolver includes; such modules are rewritten
per resolver as for the HTTP resolvers (see ``powertools.py``), so the layout is theirs.

A resolver registered for every type (``type_name`` left out: ``"*"``) or without a
literal ``field_name`` is refused: its key, and so its route, cannot be known.
"""

from __future__ import annotations

import libcst as cst
import libcst.helpers

from strangler.analyse import locate, slicing
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.eventpath import constant
from strangler.analyse.dispatch.layout import Route, RouteLayout, RouterModule
from strangler.analyse.dispatch.routers import Included, Neighbours, included_routers
from strangler.analyse.dispatch.table import entrypoint_index
from strangler.errors import StranglerError, at
from strangler.model import Action, Dispatch, FunctionRef
from strangler.sources.resources.appsync import TYPE_AND_FIELD, type_and_field

RESOLVER_CLASS = "AppSyncResolver"
# Decorators that register a resolver for one type and field (batch ones get a list of events).
_REGISTRARS = ("resolver", "batch_resolver", "async_batch_resolver")


def detect_appsync(
    function: FunctionRef, source: str, path: str, module: cst.Module, neighbours: Neighbours | None = None
) -> Analysis | None:
    """The resolvers of a Powertools AppSyncResolver the entrypoint hands the event to, or None."""
    if "aws_lambda_powertools" not in source or RESOLVER_CLASS not in source:
        return None
    apps = set(_resolvers(module))
    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    app = _resolved_app(entry, apps)
    if app is None:
        return None
    routes, hooks = _decorated(module, app, path, source, skip=entry_index)
    for included in included_routers(module, app, function, path, source, neighbours):
        routes += _router_routes(included)
    if not routes:
        return None
    routers = tuple(dict.fromkeys(route.router for route in routes if route.router is not None))
    layout = RouteLayout(app, tuple(routes), tuple(hooks), routers)
    graph = slicing.build(module, source=source)
    app_line = locate.top_level_line(source, app, "assign")
    actions = _actions(routes, path, source, module)
    dispatch = Dispatch("Powertools AppSync resolver", app, app_line, entry.name.value, TYPE_AND_FIELD, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def _resolvers(module: cst.Module):
    """Module-level names bound to ``AppSyncResolver()``."""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            assign = statement.body[0]
            value = assign.value
            if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name) and isinstance(value, cst.Call):
                name = cst.helpers.get_full_name_for_node(value.func) or ""
                if name.split(".")[-1] == RESOLVER_CLASS:
                    yield assign.targets[0].target.value


def _resolved_app(entry: cst.FunctionDef, apps: set[str]) -> str | None:
    """The resolver the entrypoint calls: ``app.resolve(event, context)`` or ``app(event, context)``."""
    found: list[str] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "resolve" and isinstance(func.value, cst.Name):
                if func.value.value in apps:
                    found.append(func.value.value)
            elif isinstance(func, cst.Name) and func.value in apps:
                found.append(func.value)

    entry.body.visit(Calls())
    return found[0] if found else None


def _router_routes(included: Included) -> list[Route]:
    if included.prefix:
        raise StranglerError("an AppSync router is included with a prefix", where=included.display)
    found, hooks = _decorated(included.module, included.router, included.display, included.source)
    router = RouterModule(
        included.path, included.display, included.source, included.module,
        slicing.build(included.module, source=included.source), included.router, included.index, tuple(hooks),
        included.importers,
    )
    return [Route(r.keys, r.index, router) for r in found]


def _decorated(module: cst.Module, owner: str, path: str, source: str, skip: int = -1) -> tuple[list[Route], list[int]]:
    """The resolvers registered on ``owner`` by decorated module-level defs, and its other hooks."""
    routes, hooks = [], []
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.FunctionDef) or index == skip:
            continue
        keys, is_hook = _registrations(statement, owner, path, source)
        if keys:
            routes.append(Route(tuple(keys), index))
        elif is_hook:
            hooks.append(index)
    return routes, hooks


def _registrations(function: cst.FunctionDef, app: str, path: str, source: str) -> tuple[list[str], bool]:
    keys: list[str] = []
    hook = False
    for decorator in function.decorators:
        call = decorator.decorator
        func = call.func if isinstance(call, cst.Call) else call
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == app):
            continue
        if func.attr.value in _REGISTRARS:
            keys.append(_key(call, function, path, source))
        else:
            hook = True  # exception_handler and the like: they go with every new function
    return keys, hook


def _key(call: cst.BaseExpression, function: cst.FunctionDef, path: str, source: str) -> str:
    name = function.name.value
    where = at(path, locate.top_level_line(source, name, "def"))
    arguments = {"type_name": None, "field_name": None}
    if isinstance(call, cst.Call):
        for position, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword is not None else ("type_name", "field_name")[min(position, 1)]
            if keyword in arguments:
                arguments[keyword] = arg.value
    type_name, field_name = (_literal(arguments[n]) for n in ("type_name", "field_name"))
    if arguments["type_name"] is None or type_name == "*":
        raise StranglerError(
            f"{name}() resolves its field on every type (no type_name), so which resolvers of the template "
            "it answers cannot be told",
            where=where,
            hint='name the type: @app.resolver(type_name="Query", field_name=...)',
        )
    if type_name is None or field_name is None:
        raise StranglerError(
            f"the type_name or field_name {name}() is registered under is not a literal string",
            where=where,
            hint="write both as string literals or module-level constants",
        )
    return type_and_field(type_name, field_name)


def _literal(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return constant(node) if node is not None else None


def _actions(routes: list[Route], path: str, source: str, module: cst.Module) -> tuple[Action, ...]:
    """One action per type and field; a field registered twice is refused (Powertools
    silently keeps the last)."""
    actions = []
    seen: set[str] = set()
    for route in routes:
        router = route.router
        where, text, code = (router.display, router.source, router.module) if router else (path, source, module)
        name = code.body[route.index].name.value  # type: ignore[attr-defined]
        line = locate.top_level_line(text, name, "def")
        for key in route.keys:
            if key in seen:
                raise StranglerError(f"resolver {key} is registered twice; Powertools uses the last", where=at(where, line))
            seen.add(key)
            actions.append(Action(key, name, line, router.display if router else None))
    return tuple(actions)
