"""``AWS::ApiGateway::Method``: one method of a REST API whose integration calls the monolith.

API Gateway routes a request to a resource (its path: the ``PathPart`` chain of
``AWS::ApiGateway::Resource`` up to the API's ``RootResourceId``) and then to a method of
that resource (an explicit method wins over ``ANY``). So the action ``METHOD /path`` read
from ``httpMethod`` and ``resource`` is exactly one method: the method of that path and
method moves whole (its ``Integration.Uri`` re-pointed at the new function); an ``ANY``
method there gets an explicit method beside it for the new function, and keeps the other
methods for the monolith. A key read from the method alone moves that method of every
path; one read from the resource alone moves every method of that path.

A method that carries the action but whose URI strangler cannot re-point (a literal ARN,
an alias, an ARN built otherwise than from the function's ``Arn``) is refused. Changed
methods are served only once the API is deployed again: the template writer replaces the
API's ``AWS::ApiGateway::Deployment`` (see ``template/redeploy.py``), and says so.
"""

from __future__ import annotations

import copy
from typing import Any

from strangler.model import ANY_CASE, EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.resources.base import ResourceRoute
from strangler.template import document
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import Invoker
from strangler.template.redeploy import deployments_of, repointed, rest_api_of

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
# Where a REST API (payload 1.0) request carries its method, and its resource path.
_METHOD_ONLY = {("httpMethod",), ("requestContext", "httpMethod")}
_RESOURCE_ONLY = {("resource",), ("requestContext", "resourcePath")}
_URI_HINT = (
    "write the Uri as !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
    "${<Function>.Arn}/invocations (or with !GetAtt <Function>.Arn in a !Join), or point the method at the "
    "new function by hand after extracting"
)

_KEY_HINT = (
    "dispatch on event['httpMethod'] and event['resource'] (what API Gateway matched), or split this "
    "function by hand"
)


class Methods(ResourceRoute):
    kinds = ("AWS::ApiGateway::Method",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        method_id = invoker.logical_id
        method = doc.data["Resources"][method_id]
        properties = method.get("Properties") or {}
        wanted_method, wanted_path = _wanted(invoker, key, path, where)
        http_method = str(properties.get("HttpMethod", "")).upper()
        path_here = resource_path(doc, properties, method_id, where)
        if wanted_path is not None and path_here != wanted_path:
            _refuse_catch_all(doc, invoker, path_here, wanted_method, http_method, wanted_path, where)
            return ResourceSplit(method_id)
        if wanted_method in ("ANY", http_method):
            moved = _repointed_method(doc, method, invoker, new_id, where)
            return ResourceSplit(
                method_id, replacement=moved, delivers=True,
                note=f"{http_method} {resource_path(doc, properties, method_id, where)} re-pointed at {new_id}"
                     f"{_redeployed(doc, method)}",
            )
        if http_method != "ANY":
            return ResourceSplit(method_id)
        added_id = f"{method_id}{wanted_method.title()}"
        if added_id in doc.data["Resources"]:
            raise Refusal(
                f"{method_id} is the ANY method of {resource_path(doc, properties, method_id, where)}: the {wanted_method} "
                f"method strangler would add beside it for {new_id} would be {added_id}, which the template already has",
                where=where, hint=f"rename {added_id}, then run again",
            )
        added = _repointed_method(doc, method, invoker, new_id, where, in_place=False)
        added["Properties"]["HttpMethod"] = wanted_method
        _mark(doc, added, method_id, key)
        return ResourceSplit(
            method_id, added=((added_id, added),), delivers=True,
            note=f"{wanted_method} {resource_path(doc, properties, method_id, where)} added beside ANY as {added_id} "
                 f"for {new_id}{_redeployed(doc, method)}",
        )


def _wanted(invoker: Invoker, key: str, path: EventPath, where: str) -> tuple[str, str | None]:
    """(method or ANY, resource path or None for every path) the action ``key`` names."""
    parts = path.parts[:-1] if path.parts[-1:] == (ANY_CASE,) else path.parts
    if parts in _METHOD_ONLY:
        method = key.upper()
        if method not in _METHODS:
            raise Refusal(f"{invoker.describe()}, and {key!r} is not an HTTP method, so API Gateway cannot route it",
                          where=where, hint=_KEY_HINT)
        return method, None
    if path.parts == ("method+path",):
        method, _, route = key.partition(" ")
        if not route.startswith("/") or method.upper() not in _METHODS | {"ANY"}:
            raise Refusal(f"{invoker.describe()}, and {key!r} is not a route of the form 'METHOD /path'",
                          where=where, hint=_KEY_HINT)
        return method.upper(), route
    if path.parts in _RESOURCE_ONLY:
        return "ANY", key
    raise Refusal(
        f"{invoker.describe()}, but the dispatch key comes from {path}, and a REST API routes on method and "
        "resource path only: requests that differ by query string, header or body cannot go to different functions",
        where=where, hint=_KEY_HINT,
    )


def _refuse_catch_all(
    doc: TemplateDocument, invoker: Invoker, path_here: str, wanted_method: str, http_method: str, route: str, where: str,
) -> None:
    """A ``{proxy+}`` method that serves the route, which no method of its own serves: the
    route can leave only with a resource of its own, which strangler does not create."""
    prefix = path_here.removesuffix("{proxy+}")
    if not path_here.endswith("/{proxy+}") or not route.startswith(prefix) or route == prefix.rstrip("/"):
        return
    if http_method not in ("ANY", wanted_method) or _served_exactly(doc, route):
        return
    raise Refusal(
        f"{invoker.describe()}: {wanted_method} {route} reaches it through the catch-all {http_method} {path_here}, "
        "and no method of its own serves that route",
        where=where,
        hint=("give the route its own AWS::ApiGateway::Resource chain and Method calling the function (API Gateway "
              "matches it before {proxy+}), then run again"),
    )


def _served_exactly(doc: TemplateDocument, route: str) -> bool:
    for logical_id, resource in doc.data["Resources"].items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::ApiGateway::Method":
            try:
                if resource_path(doc, resource.get("Properties") or {}, logical_id, "") == route:
                    return True
            except Refusal:
                continue
    return False


def resource_path(doc: TemplateDocument, properties: Any, method_id: str, where: str) -> str:
    """The method's resource path, from the ``PathPart`` chain up to the API's root."""
    parts: list[str] = []
    resources = doc.data["Resources"]
    node, seen = properties.get("ResourceId"), set()
    while True:
        found = intrinsic(node)
        if found is not None and found[0] == "GetAtt" and str(found[1]).endswith(".RootResourceId"):
            return "/" + "/".join(reversed(parts))
        target = found[1] if found is not None and found[0] == "Ref" else None
        resource = resources.get(target) if isinstance(target, str) else None
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::ApiGateway::Resource" or target in seen:
            raise Refusal(
                f"the resource of {method_id} is not a chain of AWS::ApiGateway::Resource (ParentId, PathPart) up to "
                "the API's RootResourceId in this template, so strangler cannot tell its path",
                where=where,
                hint="declare the API's resources in this template, or point the method at the new function by hand",
            )
        seen.add(target)
        resource_properties = resource.get("Properties") or {}
        parts.append(str(resource_properties.get("PathPart")))
        node = resource_properties.get("ParentId")


def _repointed_method(
    doc: TemplateDocument, method: Any, invoker: Invoker, new_id: str, where: str, *, in_place: bool = True
) -> Any:
    """A copy of the method whose integration calls ``new_id`` instead of the monolith;
    ``in_place``: it replaces the method, and keeps what followed it."""
    monolith = invoker.function_id
    integration = (method.get("Properties") or {}).get("Integration") or {}
    uri = integration.get("Uri") if isinstance(integration, dict) else None
    new_uri, count = repointed(uri, monolith, new_id)
    still = {name.split(".", 1)[0] for name in referenced_ids(new_uri)}
    if not count or monolith in still or not _names_only_new(invoker, new_uri, integration):
        raise Refusal(
            f"the Integration.Uri of {invoker.logical_id} calls {monolith} in a way strangler cannot re-point "
            "(only ${" + monolith + ".Arn} in a !Sub, or !GetAtt " + monolith + ".Arn, are understood)",
            where=where,
            hint=_URI_HINT,
        )
    moved = copy_node(method)
    moved["Properties"]["Integration"]["Uri"] = copy_node(new_uri)
    trailing = document.trailing_comment(method) if in_place and hasattr(method, "ca") else None
    if trailing is not None:
        # What followed the method (a blank line, the next resource's comment) stays after it.
        document.set_trailing_comment(moved, copy.copy(trailing))
    return moved


def _names_only_new(invoker: Invoker, new_uri: Any, integration: Any) -> bool:
    """The rest of the integration (credentials, parameters) must not name the monolith either."""
    rest = {name: value for name, value in integration.items() if name != "Uri"}
    return invoker.function_id not in {name.split(".", 1)[0] for name in referenced_ids(rest)}


def _mark(doc: TemplateDocument, resource: Any, split_from: str, key: str) -> None:
    metadata = doc.new_map()
    for name, value in (resource.get("Metadata") or {}).items():
        if name != "Strangler":
            metadata[name] = value
    metadata["Strangler"] = doc.new_map({"SplitFrom": split_from, "Action": key})
    ordered = doc.new_map()
    for name, value in resource.items():
        if name == "Properties":
            ordered["Metadata"] = metadata
        if name != "Metadata":
            ordered[name] = value
    resource.clear()
    resource.update(ordered)


def _redeployed(doc: TemplateDocument, method: Any) -> str:
    api = rest_api_of(method)
    deployments = deployments_of(doc.data["Resources"], api) if api else []
    if deployments:
        return f"; {', '.join(deployments)} replaced by a new deployment of {api} so its stage serves the change"
    return (f"; no AWS::ApiGateway::Deployment of {api or 'its API'} in this template: deploy the API's stage again "
            "after the stack update, or the old integration stays live")


METHODS = Methods()
