"""Routing one action at its event sources: how it is reached without a Lambda calling a Lambda.

Each event of the monolith goes to the source that recognises its Type (``registry.py``),
which says what the new function gets and what the monolith keeps; this module refuses
what no source can split and gathers the answers into one :class:`RoutePlan`. Routing never
touches the template; the template dialect applies the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strangler.model import EventPath, RoutePlan
from strangler.sources.base import EventSplit, Refusal
from strangler.sources.by_type import is_by_type, plan_by_type
from strangler.sources.direct import direct_invoke
from strangler.sources.registry import source_for
from strangler.template.invokers import Invoker


def plan_route(
    events: Mapping[str, Any] | None, key: str, path: EventPath, where: str, custom_resources: tuple[str, ...] = (),
    invokers: tuple[Invoker, ...] = (),
) -> RoutePlan:
    """How the action ``key``, selected by ``path``, leaves a function with ``events``.

    ``custom_resources`` are the custom resources whose ServiceToken is the function;
    ``invokers`` the other resources that deliver events to it outside ``events``.
    """
    if custom_resources:
        raise Refusal(
            f"the function is the ServiceToken of {', '.join(custom_resources)}: CloudFormation sends every "
            "RequestType to that one function and cannot be pointed at one function per action",
            where=where,
            hint="keep the custom resource's handler whole",
        )
    if path.parts == ("RequestType",):
        raise Refusal(
            "the key is a custom resource's RequestType: CloudFormation sends Create, Update and Delete "
            "of one resource to one ServiceToken, so they cannot go to different functions",
            where=where,
            hint="keep the custom resource's handler whole",
        )
    if path.startswith("request", "intent") or path.parts[:2] == ("request", "type"):
        raise Refusal(
            "the key is an Alexa request's type or intent: a skill has one endpoint for all of them",
            where=where,
            hint="keep the skill's handler whole",
        )
    if invokers:
        raise outside_events(invokers, where)
    if is_by_type(path):
        return plan_by_type(events, key, path, where)
    if not events:
        return direct_invoke()
    splits: list[tuple[str, str, EventSplit]] = []
    for name, event in events.items():
        kind = str((event or {}).get("Type"))
        source = source_for(kind)
        if source is None or source.refusal is not None:
            advice = source.refusal if source is not None else f"strangler cannot split a {kind} event source"
            raise Refusal(f"event {name} ({kind}) cannot be split safely: {advice}", where=where)
        splits.append((name, kind, source.split(name, event, key, path, f"{where} event {name}")))
    if any(split.new_event is not None and not split.fallback for _, _, split in splits):
        splits = [(n, k, s) for n, k, s in splits if not s.fallback]
    new: dict[str, Any] = {}
    monolith: dict[str, Any] = {}
    kinds: set[str] = set()
    notes: list[str] = []
    for name, kind, split in splits:
        kinds.add(kind)
        if split.new_event is not None:
            new[name] = split.new_event
        if split.monolith_event is not None:
            monolith[name] = split.monolith_event
        if split.note:
            notes.append(split.note)
    if not new:
        raise Refusal(
            f"no event source routes {key!r} (selected by {path}) to this function, so a new function would get nothing",
            where=where,
            hint="add the key to the event source first, or leave this action in the monolith",
        )
    return RoutePlan("/".join(sorted(kinds)), new, monolith, tuple(notes))


def outside_events(invokers: tuple[Invoker, ...], where: str) -> Refusal:
    """Events that reach the function through resources strangler does not route yet would
    keep going to the monolith after the split, and to nothing once it is retired."""
    first = invokers[0]
    described = "; ".join(invoker.describe() for invoker in invokers)
    prefix = where.partition("Resources.")[0] if "Resources." in where else ""
    return Refusal(
        f"{described}. strangler routes only the function's own Events: after the split "
        f"{'this resource' if len(invokers) == 1 else 'these resources'} would still send every action's events "
        f"to {first.function_id}, and to nothing once migrate retires it",
        where=f"{prefix}Resources.{first.logical_id}",
        hint=first.advice,
    )
