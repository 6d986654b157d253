"""``AWS::ApiGatewayV2::Integration`` of the monolith behind raw ``AWS::ApiGatewayV2::Route``s.

An HTTP API written as plain resources reaches the monolith through one integration that
several routes target (``Target: integrations/<id>``). The action's route (its
``RouteKey`` is the action, as an ``HttpApi`` event's method and path would be) gets an
integration of its own, a copy of the monolith's with the URI re-pointed, and is re-pointed
at it; the new function gets the permission API Gateway needs. The monolith's integration
stays for the routes it still serves and goes when it retires with none left.

Refused: dispatch on anything but the route key, an action that a catch-all route of the
integration (``$default``, ``ANY``, a greedy path) would serve without a route of its own,
a URI that names the monolith through an alias or a physical ARN, and an API whose changes do
not go live by themselves (an ``AWS::ApiGatewayV2::Deployment`` is a snapshot; a stage without
``AutoDeploy: true``, or none in the template, waits for a deployment by hand).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from strangler.model import DELETE, EventPath, ResourceSplit
from strangler.sources.base import Refusal
from strangler.sources.resources.base import ResourceRoute
from strangler.sources.resources.repoint import (
    copied_resource,
    ending_like,
    invoke_permission,
    names_directly,
    refuse_indirect,
    repointed,
    sub,
)
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import Invoker

ROUTE = "AWS::ApiGatewayV2::Route"
_ROUTE_KEY_PATHS = {("routeKey",), ("requestContext", "routeKey"), ("method+path",)}


class HttpIntegrations(ResourceRoute):
    kinds = ("AWS::ApiGatewayV2::Integration",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        resources = doc.data["Resources"]
        integration = resources[invoker.logical_id]
        properties = integration.get("Properties") or {}
        if not names_directly(properties.get("IntegrationUri"), invoker.function_id):
            raise refuse_indirect(invoker, "IntegrationUri", where)
        if path.parts not in _ROUTE_KEY_PATHS:
            raise Refusal(
                f"{invoker.describe()}, but the dispatch key comes from {path}: an HTTP API routes on method "
                "and path (the route key) only",
                where=where,
                hint=invoker.advice,
            )
        routes = list(_routes_of(resources, invoker.logical_id))
        exact = [(route_id, route) for route_id, route in routes if _route_key(route) == key]
        if not exact:
            catching = [route_id for route_id, route in routes if _catches(_route_key(route), key)]
            if catching:
                raise Refusal(
                    f"{invoker.describe()}, and {key!r} reaches it through {', '.join(catching)} "
                    f"({_route_key(resources[catching[0]])}), a route that serves other requests too",
                    where=where,
                    hint=f"add a route {key!r} to the API with the same integration, then run again",
                )
            return ResourceSplit(invoker.logical_id)
        if len(exact) > 1:
            raise Refusal(f"{invoker.describe()}, and several routes ({', '.join(r for r, _ in exact)}) have the "
                          f"route key {key!r}", where=where, hint="keep one route per route key")
        _refuse_snapshot(resources, invoker, properties, where)
        route_id, route = exact[0]
        api_id = _api_id(invoker, properties, where)
        new_integration_id = f"{new_id}{invoker.logical_id}"
        # The new integration and the permission are placed after the route they serve.
        new_integration = copied_resource(doc, integration, route_id, key)
        new_integration["Properties"]["IntegrationUri"] = repointed(
            properties["IntegrationUri"], invoker.function_id, new_id)
        permission = invoke_permission(
            doc, new_id, "apigateway.amazonaws.com",
            sub(doc, "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + api_id + "}/*"),
            route_id, key, integration.get("Condition"),
        )
        replacement = copy.deepcopy(route)
        replacement["Properties"]["Target"] = repointed(route["Properties"]["Target"], invoker.logical_id, new_integration_id)
        ending_like(route, replacement, True)
        return ResourceSplit(
            route_id, replacement,
            ((new_integration_id, new_integration), (f"{new_integration_id}Permission", permission)),
            delivers=True,
            note=f"{key} now targets {new_integration_id} (integration of {new_id}) instead of {invoker.logical_id}",
        )

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        """Once no route targets it, the monolith's integration goes with it."""
        resources = doc.data["Resources"]
        if any(True for _ in _routes_of(resources, invoker.logical_id)):
            return None
        return ResourceSplit(invoker.logical_id, DELETE, note="removed with the monolith: no route targets it any more")

    def permission_sources(self, doc: TemplateDocument, invoker: Invoker) -> frozenset[str]:
        """A permission lets this integration in when its SourceArn names the API."""
        properties = doc.data["Resources"][invoker.logical_id].get("Properties") or {}
        return frozenset(name.split(".", 1)[0] for name in referenced_ids(properties.get("ApiId")))


def _routes_of(resources: Mapping[str, Any], integration_id: str) -> Iterator[tuple[str, Any]]:
    for logical_id, resource in resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == ROUTE:
            target = (resource.get("Properties") or {}).get("Target")
            if integration_id in {name.split(".", 1)[0] for name in referenced_ids(target)}:
                yield logical_id, resource


def _route_key(route: Mapping[str, Any]) -> str:
    key = (route.get("Properties") or {}).get("RouteKey")
    return key if isinstance(key, str) else ""


def _catches(route_key: str, key: str) -> bool:
    """Whether a route that is not ``key`` would still serve ``key``'s requests (a
    ``$default``, an ``ANY`` on its path, a greedy path above it)."""
    if route_key == "$default":
        return True
    method, _, route_path = route_key.partition(" ")
    wanted_method, _, wanted_path = key.partition(" ")
    if method not in ("ANY", wanted_method):
        return False
    if route_path == wanted_path:
        return True
    if route_path.endswith("+}"):
        prefix = route_path.rsplit("/", 1)[0]
        return wanted_path.startswith(prefix + "/")
    return False


def _api_id(invoker: Invoker, properties: Mapping[str, Any], where: str) -> str:
    found = intrinsic(properties.get("ApiId"))
    if found is None or found[0] != "Ref" or not isinstance(found[1], str):
        raise Refusal(
            f"{invoker.describe()}, and its ApiId is not a !Ref to an API of this template: strangler cannot "
            "write the new function's permission for it",
            where=where,
            hint="declare the API in this template and refer to it with !Ref, or split this function by hand",
        )
    return found[1]


def _refuse_snapshot(resources: Mapping[str, Any], invoker: Invoker, properties: Mapping[str, Any], where: str) -> None:
    """A re-pointed route goes live only when the API is deployed again: a stage that
    deploys every change itself (``AutoDeploy: true``) does; a Deployment resource is a
    snapshot, and a stage without AutoDeploy waits for someone to deploy by hand."""
    api = set(referenced_ids(properties.get("ApiId")))
    hint = "deploy the API with a Stage that has AutoDeploy: true (and no Deployment), then run again"
    stages = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or not api & set(referenced_ids((resource.get("Properties") or {}).get("ApiId"))):
            continue
        if resource.get("Type") == "AWS::ApiGatewayV2::Deployment":
            raise Refusal(
                f"{invoker.describe()}, and the API is deployed by {logical_id} (AWS::ApiGatewayV2::Deployment), "
                "a snapshot of its routes: a re-pointed route would not go live until the API is deployed again",
                where=where, hint=hint,
            )
        if resource.get("Type") == "AWS::ApiGatewayV2::Stage":
            stages.append((logical_id, resource.get("Properties") or {}))
    manual = [logical_id for logical_id, stage in stages if str(stage.get("AutoDeploy", False)).lower() != "true"]
    if not stages or manual:
        found = f"its stage {', '.join(manual)} does not deploy changes itself" if manual else "no stage of this template deploys it"
        raise Refusal(
            f"{invoker.describe()}, and {found} (AutoDeploy is false by default): a re-pointed route "
            "would not go live until someone deploys the API again",
            where=where, hint=hint,
        )


HTTP_INTEGRATIONS = HttpIntegrations()
