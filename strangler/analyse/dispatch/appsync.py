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

from strangler.analyse import locate
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.eventpath import constant
from strangler.analyse.dispatch.resolvers import ResolverKind, detect
from strangler.analyse.dispatch.routers import Included, Neighbours
from strangler.errors import StranglerError, at
from strangler.model import FunctionRef
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
    return detect(APPSYNC_RESOLVERS, function, source, path, module, neighbours)


def _included_key(included: Included, key: str) -> str:
    if included.prefix:
        raise StranglerError("an AppSync router is included with a prefix", where=included.display)
    return key


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


APPSYNC_RESOLVERS = ResolverKind(
    {RESOLVER_CLASS: "AppSync"}, _registrations, _included_key, lambda resolved: "Powertools AppSync resolver",
    TYPE_AND_FIELD, noun="resolver", kept="last", calls_itself=True,
)
