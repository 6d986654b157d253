"""Routing a dispatch on the kind of event: the new function takes whole events, by Type.

When the code tells event sources apart (``"Records" in event``, ``"routeKey" in event``),
the action for a source is every event of the Types that reach its branch: those events
move to the new function unchanged and the monolith loses them. Nothing is filtered, so
moving an SQS event is safe too: the queue keeps one consumer, the new function.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.model import BY_TYPE, DELETE, NESTED_SEPARATOR, EventPath, RoutePlan
from strangler.sources.base import Refusal


def is_by_type(path: EventPath) -> bool:
    return path.parts[:1] == (BY_TYPE,)


def served(path: EventPath) -> dict[str, frozenset[str]]:
    """The SAM event Types each action serves, as the detector wrote them into the path."""
    found = {}
    for part in path.parts[1:]:
        action, _, types = part.partition("=")
        found[action] = frozenset(types.split("+"))
    return found


def plan_by_type(events: Mapping[str, Any] | None, key: str, path: EventPath, where: str) -> RoutePlan:
    """Every event of the Types ``key`` serves moves to the new function, unchanged."""
    types = served(path).get(key, frozenset())
    if NESTED_SEPARATOR in key and events:
        return _plan_keyed(events, key, types, where)
    if not events:
        raise Refusal(
            f"the code tells event sources apart, but the function declares no Events, so no {key} event reaches it",
            where=where,
            hint="declare the function's events in its Events, or leave this action in the monolith",
        )
    new: dict[str, Any] = {}
    monolith: dict[str, Any] = {}
    for name, event in events.items():
        kind = str((event or {}).get("Type"))
        if kind not in types:
            continue
        _refuse_reshaped(name, kind, event, where)
        new[name] = copy.deepcopy(event)
        monolith[name] = DELETE
    if not new:
        raise Refusal(
            f"no {' or '.join(sorted(types))} event of the function reaches the {key} branch, so a new function "
            "would get nothing",
            where=where,
            hint="add the event first, or leave this action in the monolith",
        )
    kinds = sorted({str(e.get("Type")) for e in new.values()})
    note = f"{', '.join(new)}: moved whole to the new function (the code tells {key} events apart by their shape)"
    return RoutePlan("/".join(kinds), new, monolith, (note,))


def _refuse_reshaped(name: str, kind: str, event: Any, where: str) -> None:
    """Events whose shape the template changes would not pass the test the code makes."""
    properties = (event or {}).get("Properties") or {}
    if kind == "Schedule" and any(k in properties for k in ("Input", "InputPath", "InputTransformer")):
        raise Refusal(
            f"event {name} (Schedule) delivers its Input instead of the scheduled event, so the code's test on "
            "the event's shape does not tell where it goes",
            where=f"{where} event {name}",
            hint="give the schedule its own function by hand",
        )
    if kind == "HttpApi" and str(properties.get("PayloadFormatVersion", "2.0")) == "1.0":
        raise Refusal(
            f"event {name} (HttpApi) uses payload format 1.0, whose events look like REST API events",
            where=f"{where} event {name}",
            hint="use payload format 2.0, or test the event's version",
        )


# The key a kind of event's branch may dispatch on again, by the Type whose source narrows on it.
_KEY_FIELDS = {"EventBridgeRule": "detail-type", "CloudWatchEvent": "detail-type", "HttpApi": "routeKey"}


def _plan_keyed(events: Mapping[str, Any], key: str, types: frozenset[str], where: str) -> RoutePlan:
    """``EventBridgeRule/OrderPlaced``: the branch of the kind of event only selects which
    events count; among them the Type's own source narrows to the inner key, exactly as for a
    dispatch on that key alone. Events of other Types stay with the monolith untouched."""
    from strangler.sources.route import plan_route  # route dispatches to this module

    _, _, inner = key.partition(NESTED_SEPARATOR)
    kinds = {str((event or {}).get("Type")) for event in events.values()} & types
    fields = {_KEY_FIELDS[kind] for kind in kinds if kind in _KEY_FIELDS}
    selected = {name: event for name, event in events.items() if str((event or {}).get("Type")) in _KEY_FIELDS}
    selected = {name: event for name, event in selected.items() if str(event.get("Type")) in types}
    if len(fields) != 1:
        raise Refusal(
            f"no {' or '.join(sorted(types))} event of the function can be narrowed to {inner!r}, so a new function "
            "would get nothing",
            where=where,
            hint="add the event first, or leave this action in the monolith",
        )
    for name, event in selected.items():
        _refuse_reshaped(name, str(event.get("Type")), event, where)
    return plan_route(selected, inner, EventPath((fields.pop(),)), where)
