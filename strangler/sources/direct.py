"""Direct invoke: a function without events is called by name (the SDK, a test, another
service configured by hand). Nothing routes the action: its callers switch to the new
function, whose name the template's Outputs give them."""

from __future__ import annotations

from strangler.model import RoutePlan


def direct_invoke() -> RoutePlan:
    return RoutePlan("direct invoke", notes=(
        "no event source: callers invoke the function directly and must switch to the new "
        "function for this action (its name is in the template's Outputs)",
    ))
