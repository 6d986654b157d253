"""Every kind of resource strangler routes outside ``Events``: a new kind is one line here."""

from __future__ import annotations

from strangler.sources.resources import appsync, permission
from strangler.sources.resources.base import ResourceRoute

ROUTES: tuple[ResourceRoute, ...] = (
    permission.PERMISSIONS,
    appsync.DATA_SOURCES,
    appsync.GRAPHQL_APIS,
)


def route_for(kind: str) -> ResourceRoute | None:
    """The route of a resource Type; None when strangler cannot route that kind yet."""
    return next((route for route in ROUTES if route.recognises(kind)), None)
