"""Every kind of resource strangler routes outside ``Events``: a new kind is one line here."""

from __future__ import annotations

from strangler.sources.resources import (
    apigateway_method,
    appsync,
    events_rule,
    http_integration,
    openapi,
    permission,
    sns_subscription,
)
from strangler.sources.resources.base import ResourceRoute

ROUTES: tuple[ResourceRoute, ...] = (
    permission.PERMISSIONS,
    events_rule.EVENT_RULES,
    sns_subscription.SNS_SUBSCRIPTIONS,
    http_integration.HTTP_INTEGRATIONS,
    openapi.OPENAPI,
    apigateway_method.METHODS,
    appsync.DATA_SOURCES,
    appsync.GRAPHQL_APIS,
)


def route_for(kind: str) -> ResourceRoute | None:
    """The route of a resource Type; None when strangler cannot route that kind yet."""
    return next((route for route in ROUTES if route.recognises(kind)), None)
