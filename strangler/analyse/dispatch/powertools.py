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

from strangler.analyse import locate
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.resolvers import ResolverKind, detect
from strangler.analyse.dispatch.routers import Included, Neighbours
from strangler.errors import StranglerError, at
from strangler.model import EventPath, FunctionRef

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
    return detect(HTTP_RESOLVERS, function, source, path, module, neighbours)


def _prefixed(included: Included, key: str) -> str:
    """Powertools joins an include's prefix and a rule; the rule "/" is the prefix itself."""
    if not included.prefix:
        return key
    method, _, rule = key.partition(" ")
    joined = included.prefix if rule == "/" else included.prefix + rule
    return f"{method} {_api_gateway_path(joined)}"


def _api_gateway_path(rule: str) -> str:
    """``/tickets/<ticket_id>`` as API Gateway writes it: ``/tickets/{ticket_id}``."""
    return re.sub(r"<(\w+)>", r"{\1}", rule)


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


HTTP_RESOLVERS = ResolverKind(
    RESOLVERS, _registrations, _prefixed, lambda resolved: f"Powertools {resolved} router", ROUTE_PATH,
    noun="route", kept="first",
)
