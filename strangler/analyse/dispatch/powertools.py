"""Detector for AWS Lambda Powertools event handler routers.

::

    app = APIGatewayHttpResolver()

    @app.get("/tickets/<ticket_id>")
    def get_ticket(ticket_id): ...

    @logger.inject_lambda_context
    def lambda_handler(event, context):
        return app.resolve(event, context)

Each route (method and path, ``<param>`` written ``{param}`` as API Gateway does) is an
action; its def is the action's code. The entrypoint stays as it is: in a new function
the resolver simply knows one route.

Routes may also sit in other modules of the code folder, on a ``Router`` the resolver
includes (``app.include_router(orders.router, prefix="/orders")``); such a module is
parsed once and rewritten for each of its routes like the handler module.
"""

from __future__ import annotations

import re

import libcst as cst
import libcst.helpers

from strangler.analyse import locate, slicing
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.layout import Route, RouteLayout, RouterModule
from strangler.analyse.dispatch.routers import Included, Neighbours, included_routers
from strangler.analyse.dispatch.table import entrypoint_index
from strangler.errors import StranglerError, at
from strangler.model import Action, Dispatch, EventPath, FunctionRef

RESOLVERS = {
    "APIGatewayHttpResolver": "HTTP API",
    "APIGatewayRestResolver": "REST API",
    "ApiGatewayResolver": "REST API",
}
_METHODS = {"get", "post", "put", "delete", "patch", "head", "options"}
# The key is the request's method and path as API Gateway matched them.
ROUTE_PATH = EventPath(("method+path",))


def detect_routes(
    function: FunctionRef, source: str, path: str, module: cst.Module, neighbours: Neighbours | None = None
) -> Analysis | None:
    """The routes of a Powertools resolver the entrypoint hands the event to, or None.

    ``neighbours`` reads the other modules of the code folder (for included routers).
    """
    if "aws_lambda_powertools" not in source:
        return None
    apps = dict(_resolvers(module))
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
    dispatch = Dispatch(f"Powertools {apps[app]} router", app, app_line, entry.name.value, ROUTE_PATH, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def _router_routes(included: Included) -> list[Route]:
    """The routes of an included router, keyed with the include's prefix."""
    found, hooks = _decorated(included.module, included.router, included.display, included.source)
    router = RouterModule(
        included.path, included.display, included.source, included.module,
        slicing.build(included.module, source=included.source), included.router, included.index, tuple(hooks),
        included.importers,
    )
    return [Route(tuple(_prefixed(included.prefix, key) for key in r.keys), r.index, router) for r in found]


def _actions(routes: list[Route], path: str, source: str, module: cst.Module) -> tuple[Action, ...]:
    """One action per method and path; a route registered twice is refused (Powertools
    would silently use the first)."""
    actions = []
    seen: set[str] = set()
    for route in routes:
        router = route.router
        where, text, code = (router.display, router.source, router.module) if router else (path, source, module)
        name = code.body[route.index].name.value  # type: ignore[attr-defined]
        line = locate.top_level_line(text, name, "def")
        for key in route.keys:
            if key in seen:
                raise StranglerError(f"route {key} is registered twice; Powertools uses the first", where=at(where, line))
            seen.add(key)
            actions.append(Action(key, name, line, router.display if router else None))
    return tuple(actions)


def _decorated(module: cst.Module, owner: str, path: str, source: str, skip: int = -1) -> tuple[list[Route], list[int]]:
    """The routes registered on ``owner`` by decorated module-level defs, and its other hooks."""
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


def _prefixed(prefix: str, key: str) -> str:
    """Powertools joins an include's prefix and a rule; the rule "/" is the prefix itself."""
    if not prefix:
        return key
    method, _, rule = key.partition(" ")
    joined = prefix if rule == "/" else prefix + rule
    return f"{method} {_api_gateway_path(joined)}"


def _api_gateway_path(rule: str) -> str:
    """``/tickets/<ticket_id>`` as API Gateway writes it: ``/tickets/{ticket_id}``."""
    return re.sub(r"<(\w+)>", r"{\1}", rule)


def _resolvers(module: cst.Module):
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            assign = statement.body[0]
            value = assign.value
            if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name) and isinstance(value, cst.Call):
                name = cst.helpers.get_full_name_for_node(value.func) or ""
                kind = RESOLVERS.get(name.split(".")[-1])
                if kind is not None:
                    yield assign.targets[0].target.value, kind


def _resolved_app(entry: cst.FunctionDef, apps: dict[str, str]) -> str | None:
    found: list[str] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "resolve" and isinstance(func.value, cst.Name):
                if func.value.value in apps:
                    found.append(func.value.value)

    entry.body.visit(Calls())
    return found[0] if found else None


def _registrations(function: cst.FunctionDef, app: str, path: str, source: str) -> tuple[list[str], bool]:
    """The route keys a def's decorators register on ``app``, and whether it is another hook."""
    keys: list[str] = []
    hook = False
    for decorator in function.decorators:
        call = decorator.decorator
        func = call.func if isinstance(call, cst.Call) else call
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == app):
            continue
        method = func.attr.value
        if method in _METHODS and isinstance(call, cst.Call):
            keys += [f"{method.upper()} {_rule(call, path, source, function)}"]
        elif method == "route" and isinstance(call, cst.Call):
            rule = _rule(call, path, source, function)
            keys += [f"{m.upper()} {rule}" for m in _route_methods(call)]
        else:
            hook = True
    return keys, hook


def _rule(call: cst.Call, path: str, source: str, function: cst.FunctionDef) -> str:
    first = call.args[0].value if call.args else None
    value = first.evaluated_value if isinstance(first, cst.SimpleString) else None
    if not isinstance(value, str) or not value.startswith("/"):
        line = locate.top_level_line(source, function.name.value, "def")
        raise StranglerError(f"the route of {function.name.value}() is not a literal path", where=at(path, line))
    return _api_gateway_path(value)


def _route_methods(call: cst.Call) -> list[str]:
    for arg in call.args[1:]:
        if arg.keyword is None or arg.keyword.value == "method":
            value = arg.value
            if isinstance(value, cst.SimpleString):
                return [str(value.evaluated_value)]
            if isinstance(value, (cst.List, cst.Tuple)):
                return [str(e.value.evaluated_value) for e in value.elements if isinstance(e.value, cst.SimpleString)]
    return ["GET"]
