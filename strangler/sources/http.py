"""HTTP APIs (``HttpApi``) and REST APIs (``Api``): the new function gets the action's route
(method and path); a catch-all route stays with the monolith, behind the exact route."""

from __future__ import annotations

import copy
from typing import Any

from strangler.model import DELETE, EventPath
from strangler.sources.base import EventSource, EventSplit, Refusal


class HttpApi(EventSource):
    types = ("HttpApi",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        return _http_api(name, event, key, path, where)


class RestApi(EventSource):
    types = ("Api",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        return _rest_api(name, event, key, path, where)


HTTP_API = HttpApi()
REST_API = RestApi()


_CATCH_ALL = {None, "$default", "/{proxy+}"}


def _http_api(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
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
        return EventSplit(new_event, None, f"{name}: exact route {key} added in front of the catch-all", fallback=True)
    return EventSplit()


def _rest_api(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
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
    if event_path == "/{proxy+}" and event_method == "ANY":
        new_event = copy.deepcopy(event)
        new_event["Properties"]["Path"] = resource
        new_event["Properties"]["Method"] = method.lower() if method != "ANY" else "ANY"
        return EventSplit(new_event, None, f"{name}: resource {key} added in front of /{{proxy+}}", fallback=True)
    return EventSplit()
