"""HTTP APIs (``HttpApi``) and REST APIs (``Api``): the new function gets the action's route
(method and path); a catch-all route stays with the monolith, behind the exact route."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.model import ANY_CASE, DELETE, EventPath
from strangler.sources.base import EventSource, EventSplit, Refusal


class HttpApi(EventSource):
    types = ("HttpApi",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        return _http_api(name, event, key, path, where)

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The one route key (or method) an HTTP API route delivers."""
        return _listed(event, path, http_api=True)


class RestApi(EventSource):
    types = ("Api",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        return _rest_api(name, event, key, path, where)

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The one method and resource (or method, or resource) a REST API event delivers."""
        return _listed(event, path, http_api=False)


HTTP_API = HttpApi()
REST_API = RestApi()


_CATCH_ALL = {None, "$default", "/{proxy+}"}


# Where REST (payload 1.0, ALB too) and HTTP APIs (payload 2.0) carry the request's method.
_METHOD_ONLY = {("httpMethod",), ("requestContext", "httpMethod"), ("requestContext", "http", "method")}
_HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def _listed(event: Any, path: EventPath, http_api: bool) -> frozenset[str] | None:
    """The key every request of one API event carries, when the event names it exactly.

    An event is one route: the function sees only requests of its method on its path, so
    the monolith's events together list every key it can receive. A catch-all route
    (``$default``, ``/{proxy+}``) or ``ANY`` method lists nothing: the set is open. A path
    with parameters lists nothing when the key may be the request's path rather than the
    resource (``method+path`` covers both): ``/orders/{id}`` arrives as ``/orders/42``.
    """
    properties = event.get("Properties") if isinstance(event, Mapping) else None
    if not isinstance(properties, Mapping):
        return None
    route_path, method = properties.get("Path"), properties.get("Method", "ANY")
    if not isinstance(route_path, str) or not isinstance(method, str) or route_path == "$default":
        return None
    method = method.upper()
    if _method_only(path):  # /{proxy+} with one method still delivers that method only
        return frozenset({method}) if method in _HTTP_METHODS else None
    if route_path in _CATCH_ALL:
        return None
    route_keys = (("routeKey",), ("requestContext", "routeKey")) if http_api else ()
    if path.parts in route_keys:
        return frozenset({f"{method} {route_path}"})  # the route's own key, ANY included
    if path.parts == ("method+path",):
        if method not in _HTTP_METHODS or "{" in route_path:
            return None
        return frozenset({f"{method} {route_path}"})
    if not http_api and path.parts in (("resource",), ("requestContext", "resourcePath")):
        return frozenset({route_path})
    return None


def _method_only(path: EventPath) -> bool:
    # API Gateway sends the method in upper case, so .upper()/.lower() in the code changes nothing
    parts = path.parts[:-1] if path.parts[-1:] == (ANY_CASE,) else path.parts
    return parts in _METHOD_ONLY


def _split_by_method(name: str, event: Any, key: str, where: str, catch_all: set[Any]) -> EventSplit:
    """The action is a method: the new function takes every event with that method. An event
    naming that method moves; an ``ANY`` event gives the new function the same event with
    the explicit method (API Gateway prefers an exact method to ``ANY`` on a path, on REST
    and HTTP APIs), and the monolith keeps ``ANY`` for the methods it still handles."""
    method = key.upper()
    if method not in _HTTP_METHODS:
        raise Refusal(f"{key!r} is not an HTTP method, so API Gateway cannot route it", where=where)
    properties = event.get("Properties") or {}
    event_path, event_method = properties.get("Path"), str(properties.get("Method", "ANY")).upper()
    if event_method == method:
        return EventSplit(copy.deepcopy(event), DELETE)
    if event_method != "ANY":
        return EventSplit()
    if event_path in catch_all:
        raise Refusal(
            f"event {name} is the API's $default route, which has no path: a route for the method {method} needs one",
            where=where,
            hint="give the event a Path (/{proxy+} catches every path but /)",
        )
    new_event = copy.deepcopy(event)
    new_event["Properties"]["Method"] = method.lower()
    return EventSplit(new_event, None, f"{name}: {method} {event_path} added beside ANY {event_path}",
                      about_monolith=True)


def _http_api(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    if _method_only(path):
        return _split_by_method(name, event, key, where, {None, "$default"})
    if path.parts not in (("routeKey",), ("requestContext", "routeKey"), ("method+path",)):
        raise Refusal(
            f"the dispatch key comes from {path}, but an HTTP API routes on method and path (routeKey) only: "
            "requests that differ by query string, header or body cannot go to different functions",
            where=where,
        )
    method, _, route_path = key.partition(" ")
    if not route_path.startswith("/"):
        raise Refusal(f"{key!r} is not a route key of the form 'METHOD /path'", where=where)
    properties = event.get("Properties") or {}
    event_path, event_method = properties.get("Path"), str(properties.get("Method", "ANY")).upper()
    if event_path == route_path and event_method == method.upper():
        return EventSplit(copy.deepcopy(event), DELETE)
    if event_path in _CATCH_ALL and event_method == "ANY":
        new_event = copy.deepcopy(event)
        new_event.setdefault("Properties", {})
        new_event["Properties"]["Path"] = route_path
        new_event["Properties"]["Method"] = method.lower()
        return EventSplit(new_event, None, f"{name}: exact route {key} added in front of the catch-all", fallback=True,
                          about_monolith=True)
    return EventSplit()


def _rest_api(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    if _method_only(path):
        return _split_by_method(name, event, key, where, set())
    if path.parts == ("method+path",):
        method, _, resource = key.partition(" ")
    elif path.parts in (("resource",), ("requestContext", "resourcePath")):
        method, resource = "ANY", key
    else:
        raise Refusal(
            f"the dispatch key comes from {path}, but a REST API routes on method and resource path only: "
            "requests that differ by query string, header or body cannot go to different functions",
            where=where,
        )
    properties = event.get("Properties") or {}
    event_path, event_method = properties.get("Path"), str(properties.get("Method", "ANY")).upper()
    if event_path == resource and method in ("ANY", event_method):
        return EventSplit(copy.deepcopy(event), DELETE)
    if event_path == resource and event_method == "ANY":
        # On one resource an explicit method wins over ANY, which keeps the other methods.
        return EventSplit(_with(event, resource, method.lower()), None,
                          f"{name}: {method} {resource} added beside ANY {resource}", about_monolith=True)
    if event_path == "/{proxy+}" and event_method == "ANY":
        return _in_front_of_proxy(name, event, key, method, resource)
    return EventSplit()


def _in_front_of_proxy(name: str, event: Any, key: str, method: str, resource: str) -> EventSplit:
    """A resource carved out of the monolith's ``/{proxy+}``. REST APIs match the resource
    first and never fall back to ``/{proxy+}`` for a method the resource lacks, so for one
    method the monolith gets ``ANY`` on the resource beside it: its other methods stay."""
    if method == "ANY":
        return EventSplit(_with(event, resource, "ANY"), None, f"{name}: resource {key} added in front of /{{proxy+}}",
                          fallback=True, about_monolith=True)
    return EventSplit(
        _with(event, resource, method.lower()), None,
        f"{name}: resource {key} added in front of /{{proxy+}}, with ANY {resource} kept for the monolith",
        fallback=True, about_monolith=True, monolith_beside=_with(event, resource, "ANY"),
    )


def _with(event: Any, resource: str, method: str) -> Any:
    """A copy of the API event on another resource or method."""
    copied = copy.deepcopy(event)
    copied["Properties"]["Path"] = resource
    copied["Properties"]["Method"] = method
    return copied
