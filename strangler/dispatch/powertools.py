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
"""

from __future__ import annotations

import re

import libcst as cst
import libcst.helpers

from strangler import locate, slicing
from strangler.dispatch import Analysis
from strangler.dispatch.layout import Route, RouteLayout
from strangler.dispatch.table import entrypoint_index
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


def detect_routes(function: FunctionRef, source: str, path: str, module: cst.Module) -> Analysis | None:
    """The routes of a Powertools resolver the entrypoint hands the event to, or None."""
    if "aws_lambda_powertools" not in source:
        return None
    apps = dict(_resolvers(module))
    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    app = _resolved_app(entry, apps)
    if app is None:
        return None
    entry_line = locate.top_level_line(source, entry.name.value, "def")
    if f"{app}.include_router(" in source:
        raise StranglerError(
            f"{app} includes routes from Router objects of other modules; strangler splits routes defined "
            "in the handler module only, for now",
            where=at(path, entry_line),
            hint="move those routes into the handler module, or split by hand",
        )
    routes, hooks = [], []
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.FunctionDef) or index == entry_index:
            continue
        keys, is_hook = _registrations(statement, app, path, source)
        if keys:
            routes.append(Route(tuple(keys), index))
        elif is_hook:
            hooks.append(index)
    if not routes:
        return None
    seen: dict[str, int] = {}
    for route in routes:
        for key in route.keys:
            if key in seen:
                line = locate.top_level_line(source, module.body[route.index].name.value, "def")
                raise StranglerError(f"route {key} is registered twice; Powertools uses the first", where=at(path, line))
            seen[key] = route.index
    layout = RouteLayout(app, tuple(routes), tuple(hooks))
    graph = slicing.build(module, source=source)
    actions = tuple(
        Action(key, module.body[route.index].name.value, locate.top_level_line(source, module.body[route.index].name.value, "def"))
        for route in routes
        for key in route.keys
    )
    app_line = locate.top_level_line(source, app, "assign")
    dispatch = Dispatch(f"Powertools {apps[app]} router", app, app_line, entry.name.value, ROUTE_PATH, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


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
    return re.sub(r"<(\w+)>", r"{\1}", value)


def _route_methods(call: cst.Call) -> list[str]:
    for arg in call.args[1:]:
        if arg.keyword is None or arg.keyword.value == "method":
            value = arg.value
            if isinstance(value, cst.SimpleString):
                return [str(value.evaluated_value)]
            if isinstance(value, (cst.List, cst.Tuple)):
                return [str(e.value.evaluated_value) for e in value.elements if isinstance(e.value, cst.SimpleString)]
    return ["GET"]
