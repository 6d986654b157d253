"""Every kind of resource strangler routes outside ``Events``: a new kind is one line here."""

from __future__ import annotations

from typing import Any

from strangler.sources.resources import (
    apigateway_method,
    appsync,
    event_source_mapping,
    events_rule,
    http_integration,
    openapi,
    permission,
    scheduler,
    sns_subscription,
    user_pool,
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
    scheduler.SCHEDULES,
    user_pool.USER_POOLS,
    event_source_mapping.EVENT_SOURCE_MAPPINGS,
)


def route_for(kind: str, resource: Any = None) -> ResourceRoute | None:
    """The route of a resource Type; None when strangler cannot route that kind yet.

    ``resource`` tells apart resources of one Type that different routes split: an
    ``AWS::Events::Rule`` on a schedule is not split like one that matches a pattern.
    """
    if scheduler.is_scheduled_rule(resource):
        return scheduler.SCHEDULED_RULES
    return next((route for route in ROUTES if route.recognises(kind)), None)
