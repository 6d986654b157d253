"""``AWS::Serverless::Api`` / ``AWS::Serverless::HttpApi`` whose OpenAPI definition routes to
the monolith: ``x-amazon-apigateway-integration`` entries whose ``uri`` names it
(``!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Monolith.Arn}/invocations``,
the ``!Sub [template, {vars}]`` form, or a ``!Join``).

For one action, each operation of the definition that carries it (its method on its path,
every method of the path for a REST resource key, its method on every path for a
method-only key) gets a uri naming the new function instead; the rest stays on the
monolith. An ``x-amazon-apigateway-any-method`` that covers the action is copied into an
explicit method of the same path for the new function: API Gateway prefers an exact
method to ANY on a path, on REST and HTTP APIs, so the monolith keeps ANY for the rest.

The definition is inline (the API resource is replaced by an edited copy, so the merge
keeps every untouched line) or ``Fn::Transform: AWS::Include`` of a file beside the
template (edited in place the same way and returned as a changed file; ``sam deploy``
uploads it and CloudFormation inserts it). SAM adds no ``AWS::Lambda::Permission`` for a
route of a definition: when the monolith's own permission for this API exists, the
permission route copies it for the new function; otherwise one is added here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, TaggedScalar

from strangler.model import EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.http import _HTTP_METHODS, _method_only
from strangler.sources.resources.base import ResourceRoute
from strangler.template import document
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import ApiDefinition, Invoker, api_definition, naming

ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
_HTTP_API = "AWS::Serverless::HttpApi"
_ROUTE_KEYS = {("routeKey",), ("requestContext", "routeKey"), ("method+path",)}
_RESOURCE_KEYS = {("resource",), ("requestContext", "resourcePath")}
_CATCH_ALL = re.compile(r"(^\$default$)|(\+\}$)")


class OpenApi(ResourceRoute):
    kinds = ("AWS::Serverless::Api", _HTTP_API)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        resource = doc.data["Resources"][invoker.logical_id]
        properties = resource.get("Properties") or {}
        names = naming(doc.data, invoker.function_id, doc.read_file)
        _refuse_other_mentions(properties, None, names, invoker, where)  # an authorizer first: it refuses anyway
        definition = _readable(properties, doc, invoker, where)
        _refuse_other_mentions(properties, definition, names, invoker, where)
        method, route_path = _wanted(key, path, resource.get("Type") == _HTTP_API, invoker, where)
        if definition.document is not None:
            edited = TemplateDocument.parse(doc.path.parent / definition.included, definition.document.text)
            body, replacement, shown = edited.data, None, f"{definition.included}:"
        else:
            edited = None
            replacement = copy.deepcopy(resource)
            body, shown = replacement["Properties"]["DefinitionBody"], f"{where}.Properties.DefinitionBody"
        repoint = _repointer(doc, invoker.function_id, new_id, edited is not None)
        moved = _move(body, method, route_path, names, repoint, shown)
        if not moved:
            return ResourceSplit(invoker.logical_id)
        added = () if _has_permission(doc, invoker, names) else (_permission(doc, invoker, key, new_id),)
        note = f"{'; '.join(moved)} now reach{'es' if len(moved) == 1 else ''} {new_id}"
        if added:
            note += f"; {added[0][0]} lets API Gateway invoke it"
        if edited is not None:
            return ResourceSplit(
                invoker.logical_id, added=added, files=((definition.included, str(edited.dump())),),
                note=f"{note} (in {definition.included})", delivers=True,
            )
        return ResourceSplit(invoker.logical_id, replacement=replacement, added=added, note=note, delivers=True)

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        # Still an invoker once every action left: an integration, an authorizer or a
        # definition strangler cannot read still names the monolith.
        return None


OPENAPI = OpenApi()


# --- what the API holds ------------------------------------------------------------------
def _readable(properties: Mapping[str, Any], doc: TemplateDocument, invoker: Invoker, where: str) -> ApiDefinition:
    definition = api_definition(properties, doc.read_file)
    if definition.hidden is not None or definition.body is None:
        raise Refusal(
            f"{invoker.describe()}; without reading its {definition.hidden or 'definition'} strangler cannot tell "
            f"which of its routes reach {invoker.function_id}",
            where=where,
            hint=invoker.advice,
        )
    if not isinstance(definition.body, Mapping) or not isinstance(definition.body.get("paths", {}), Mapping):
        raise Refusal(
            f"the OpenAPI definition of {invoker.logical_id} has no paths mapping",
            where=definition.included or f"{where}.Properties.DefinitionBody",
            hint="write the routes under paths: (OpenAPI 3 or Swagger 2), then run again",
        )
    return definition


def _refuse_other_mentions(
    properties: Mapping[str, Any], definition: ApiDefinition | None, names: Callable[[Any], bool], invoker: Invoker,
    where: str,
) -> None:
    """The monolith named anywhere but an integration's uri (an authorizer, a stage
    variable, a model) is a job strangler cannot split between functions. Without
    ``definition``, only the API's ``Auth`` is looked at."""
    found = [f"Properties.Auth.{_dotted(how)}" for how, value in _walk(properties.get("Auth")) if names(value)]
    definition = definition or ApiDefinition()
    shown = f"{definition.included}: " if definition.included else f"{where}.Properties.DefinitionBody."
    for how, value in _walk(definition.body):
        if len(how) == 5 and how[0] == "paths" and how[3] == INTEGRATION and how[4] == "uri":
            continue
        if names(value):
            found.append(shown + _dotted(how))
    if found:
        raise Refusal(
            f"{invoker.logical_id} names {invoker.function_id} outside its integrations' uri, at {', '.join(found[:3])}: "
            "an authorizer (or any other job) of the whole API cannot be split between functions",
            where=where,
            hint="give the authorizer its own function, then run again",
        )


def _walk(node: Any, how: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(keys, value) of every leaf and intrinsic under ``node``."""
    if intrinsic(node) is not None or not isinstance(node, (Mapping, list)):
        if node is not None and how:
            yield how, node
        return
    items = node.items() if isinstance(node, Mapping) else enumerate(node)
    for key, value in items:
        yield from _walk(value, (*how, key))


def _dotted(how: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in how)


# --- which operations carry the action ----------------------------------------------------
def _wanted(key: str, path: EventPath, http_api: bool, invoker: Invoker, where: str) -> tuple[str, str | None]:
    """(method or ANY, path or None for every path) of the requests of the action."""
    if _method_only(path):
        method = key.upper()
        if method not in _HTTP_METHODS:
            raise Refusal(f"{key!r} is not an HTTP method, so API Gateway cannot route it", where=where)
        return method, None
    if path.parts == ("method+path",) or (http_api and path.parts in _ROUTE_KEYS):
        method, _, route_path = key.partition(" ")
        if not route_path.startswith("/"):
            raise Refusal(f"{key!r} is not a route key of the form 'METHOD /path'", where=where)
        return method.upper(), route_path
    if not http_api and path.parts in _RESOURCE_KEYS:
        return "ANY", key
    api = "an HTTP API routes on method and path (routeKey)" if http_api else "a REST API routes on method and resource path"
    raise Refusal(
        f"{invoker.describe()}, but the dispatch key comes from {path}, and {api} only: requests that differ by "
        "query string, header or body cannot go to different functions",
        where=where,
        hint="dispatch on the route (event['resource'], event['routeKey'] or method and path), or split this function by hand",
    )


def _operations(item: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(key in the path item, method or ANY) of each operation."""
    for name in item:
        if name == ANY_METHOD:
            yield name, "ANY"
        elif isinstance(name, str) and name.upper() in _HTTP_METHODS:
            yield name, name.upper()


def _uri(operation: Any) -> Any:
    integration = operation.get(INTEGRATION) if isinstance(operation, Mapping) else None
    return integration.get("uri") if isinstance(integration, Mapping) else None


def _move(
    body: Any, method: str, route_path: str | None, names: Callable[[Any], bool],
    repoint: Callable[[Any, str, str], Any], shown: str,
) -> list[str]:
    """Re-point, in ``body`` (a copy), each operation of the monolith that carries the
    action; what moved, for people."""
    paths = body.get("paths") or {}
    moved: list[str] = []
    for item_path, item in list(paths.items()):
        if not isinstance(item, Mapping) or (route_path is not None and item_path != route_path):
            continue
        operations = dict(_operations(item))  # key -> method
        explicit = {m for m in operations.values() if m != "ANY"}
        for name, op_method in list(operations.items()):
            if not names(_uri(item[name])):
                continue
            where = f"{shown}.paths.{item_path}.{name}" if not shown.endswith(":") else f"{shown} paths.{item_path}.{name}"
            if method in ("ANY", op_method):
                item[name][INTEGRATION]["uri"] = repoint(_uri(item[name]), where, f"{op_method} {item_path}")
                moved.append(f"{op_method} {item_path}")
            elif op_method == "ANY" and method not in explicit:
                if route_path is None and item_path == "$default":
                    raise Refusal(
                        f"the HTTP API's $default route ({where}) has no path: a route for the method {method} needs one",
                        where=where,
                        hint="give the route a path (/{proxy+} catches every path but /)",
                    )
                new_operation = copy_node(item[name])
                new_operation[INTEGRATION]["uri"] = repoint(_uri(item[name]), where, f"{op_method} {item_path}")
                _insert_after(item, name, method.lower(), new_operation)
                moved.append(f"{method} {item_path} (added beside ANY)")
    if route_path is not None and route_path not in paths:
        _refuse_catch_all(paths, method, route_path, names, shown)
    return moved


def _refuse_catch_all(
    paths: Mapping[str, Any], method: str, route_path: str, names: Callable[[Any], bool], shown: str,
) -> None:
    """The action's path is not in the definition: a greedy path or ``$default`` of the
    monolith would go on taking its requests."""
    for item_path, item in paths.items():
        catch_all = isinstance(item, Mapping) and _CATCH_ALL.search(str(item_path))
        if catch_all and any(names(_uri(item[name])) for name, _ in _operations(item)):
            raise Refusal(
                f"{method} {route_path} reaches the monolith through the catch-all {item_path} of the definition, "
                "which has no path of its own for it",
                where=f"{shown} paths.{item_path}" if shown.endswith(":") else f"{shown}.paths.{item_path}",
                hint=f"add the path {route_path} (with its method) to the definition, integrated with the "
                     "monolith like the catch-all, then run again",
            )


def _insert_after(mapping: Any, anchor: str, key: str, value: Any) -> None:
    """``key: value`` right after ``anchor``; what followed the anchor (a blank line, the
    next path's comment) now follows the new entry."""
    if isinstance(mapping, CommentedMap):
        separator = document.trailing_comment(mapping[anchor])
        mapping.insert(list(mapping).index(anchor) + 1, key, value)
        if separator is not None:
            document.set_trailing_comment(value, separator)
            document.set_trailing_comment(mapping[anchor], None)
        return
    items = list(mapping.items())
    items.insert([k for k, _ in items].index(anchor) + 1, (key, value))
    mapping.clear()
    mapping.update(items)


# --- re-pointing a uri ----------------------------------------------------------------------
def _repointer(doc: TemplateDocument, function_id: str, new_id: str, included: bool) -> Callable[[Any, str, str], Any]:
    """Rewrites a uri so that where it names the monolith (``${Monolith.Arn}``,
    ``${Monolith}``, ``!GetAtt Monolith.Arn``, ``!Ref Monolith``) it names the new function;
    refuses a uri that still names the monolith some other way."""
    still_names = naming(doc.data, function_id, doc.read_file, also_declared=(new_id,))
    sub_name = re.compile(r"\$\{" + re.escape(function_id) + r"(\.Arn)?\}")

    def repoint(uri: Any, where: str, route: str) -> Any:
        new = _renamed(copy.deepcopy(uri), function_id, new_id, sub_name)
        ids = {name.split(".", 1)[0] for name in referenced_ids(new)}
        if new_id not in ids or still_names(new):
            raise Refusal(
                f"the integration uri of {route} names {function_id} in a way strangler does not understand"
                f"{' (' + _shown(uri) + ')' if _shown(uri) else ''}, so it cannot point it at {new_id}",
                where=where,
                hint=f"write it as Fn::Sub arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/"
                     f"functions/${{{function_id}.Arn}}/invocations{' (long form: an included file takes no short tags)' if included else ''}, "
                     "then run again",
            )
        return new

    return repoint


def _renamed(node: Any, old: str, new: str, sub_name: re.Pattern[str]) -> Any:
    found = intrinsic(node)
    if isinstance(node, TaggedScalar) and found is not None:
        node.value = _renamed_arg(found[0], node.value, old, new, sub_name)
        return node
    if found is not None and isinstance(node, Mapping):
        (long_name, arg), = node.items()
        node[long_name] = _renamed_arg(found[0], arg, old, new, sub_name)
        return node
    if isinstance(node, list):
        for index, item in enumerate(node):
            node[index] = _renamed(item, old, new, sub_name)
    elif isinstance(node, Mapping):
        for name in list(node):
            node[name] = _renamed(node[name], old, new, sub_name)
    return node


def _renamed_arg(name: str, arg: Any, old: str, new: str, sub_name: re.Pattern[str]) -> Any:
    if name == "Ref":
        return _same_kind(arg, new) if arg == old else arg
    if name == "GetAtt":
        if isinstance(arg, str) and arg == f"{old}.Arn":
            return _same_kind(arg, f"{new}.Arn")
        if isinstance(arg, list) and list(arg) == [old, "Arn"]:
            arg[0] = _same_kind(arg[0], new)
        return arg
    if name == "Sub":
        if isinstance(arg, str):
            return _same_kind(arg, sub_name.sub(lambda m: "${" + new + (m.group(1) or "") + "}", arg))
        if isinstance(arg, list) and arg:
            arg[0] = _renamed_arg("Sub", arg[0], old, new, sub_name)
            for index in range(1, len(arg)):
                arg[index] = _renamed(arg[index], old, new, sub_name)
        return arg
    return _renamed(arg, old, new, sub_name)


def _same_kind(original: Any, text: str) -> Any:
    """``text`` as the same kind of string (quoted or plain) as ``original``."""
    if type(original) is str or not isinstance(original, str):
        return text
    try:
        return type(original)(text)
    except TypeError:
        return text


def _shown(value: Any) -> str:
    found = intrinsic(value)
    if isinstance(value, str):
        return value
    if found is not None and isinstance(found[1], str):
        return f"{found[0]} {found[1]}"
    return ""


# --- the permission SAM does not add --------------------------------------------------------
def _has_permission(doc: TemplateDocument, invoker: Invoker, names: Callable[[Any], bool]) -> bool:
    """A permission of the monolith for this API: the permission route copies it."""
    for resource in (doc.data.get("Resources") or {}).values():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Lambda::Permission":
            continue
        properties = resource.get("Properties") or {}
        sources = {name.split(".", 1)[0] for name in referenced_ids(properties.get("SourceArn"))}
        if invoker.logical_id in sources and names(properties.get("FunctionName")):
            return True
    return False


def _permission(doc: TemplateDocument, invoker: Invoker, key: str, new_id: str) -> tuple[str, Any]:
    api = doc.data["Resources"][invoker.logical_id]
    permission = doc.new_map({"Type": "AWS::Lambda::Permission"})
    if "Condition" in api:
        permission["Condition"] = copy_node(api["Condition"])
    permission["Metadata"] = doc.new_map({"Strangler": doc.new_map({"SplitFrom": invoker.logical_id, "Action": key})})
    source = f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{invoker.logical_id}}}/*"
    permission["Properties"] = doc.new_map({
        "Action": "lambda:InvokeFunction",
        "FunctionName": doc.ref(new_id),
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": source} if doc.is_json else TaggedScalar(value=source, tag="!Sub"),
    })
    return f"{new_id}{invoker.logical_id}Permission", permission
