"""Routing one action at its event sources: how it is reached without a Lambda calling a Lambda.

Each event of the monolith goes to the source that recognises its Type (``registry.py``),
which says what the new function gets and what the monolith keeps; this module refuses
what no source can split and gathers the answers into one :class:`RoutePlan`. Routing never
touches the template; the template dialect applies the plan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from strangler.model import DELETE, EventPath, ResourceSplit, RoutePlan
from strangler.sources.base import EventSplit, Refusal
from strangler.sources.by_type import is_by_type, plan_by_type
from strangler.sources.direct import direct_invoke
from strangler.sources.registry import source_for
from strangler.sources.resources.base import resource_where
from strangler.sources.resources.registry import route_for
from strangler.template.document import TemplateDocument
from strangler.template.invokers import Invoker


def plan_route(
    events: Mapping[str, Any] | None, key: str, path: EventPath, where: str, custom_resources: tuple[str, ...] = (),
    invokers: tuple[Invoker, ...] = (), doc: TemplateDocument | None = None, new_id: str = "",
) -> RoutePlan:
    """How the action ``key``, selected by ``path``, leaves a function with ``events``.

    ``custom_resources`` are the custom resources whose ServiceToken is the function;
    ``invokers`` the other resources that deliver events to it outside ``events``, split
    by their resource routes as ``doc`` holds them now, for the new function ``new_id``.
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
    outside = _split_resources(invokers, doc, key, path, new_id, where)
    if is_by_type(path):
        if outside:
            raise outside_events(invokers, where, "a dispatch on the kind of event is routed through Events only")
        return plan_by_type(events, key, path, where)
    if not events and not invokers:
        return direct_invoke()
    splits: list[tuple[str, str, EventSplit]] = []
    for name, event in (events or {}).items():
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
    monolith_notes: list[str] = []
    for name, kind, split in splits:
        kinds.add(kind)
        if split.new_event is not None:
            new[name] = split.new_event
        if split.monolith_event is not None:
            monolith[name] = split.monolith_event
        if split.monolith_beside is not None:
            _add_beside(events or {}, monolith, name, split.monolith_beside)
        if split.note:
            (monolith_notes if split.about_monolith else notes).append(split.note)
    if not new and not any(split.delivers for split in outside):
        if invokers:
            raise outside_events(invokers, where, f"none of these resources carries {key!r} apart from the rest")
        raise Refusal(
            f"no event source routes {key!r} (selected by {path}) to this function, so a new function would get nothing",
            where=where,
            hint="add the key to the event source first, or leave this action in the monolith",
        )
    return RoutePlan("/".join(sorted(kinds)), new, monolith, tuple(notes), tuple(outside), tuple(monolith_notes))


def _add_beside(events: Mapping[str, Any], monolith: dict[str, Any], name: str, beside: Any) -> None:
    """Give the monolith ``beside`` under a new name after ``name`` (``ProxyBooks``),
    unless one of its events already is that event."""
    if any(_plain(event) == _plain(beside) for event in (*events.values(), *monolith.values())):
        return
    stem = name + "".join(part[:1].upper() + part[1:] for part in re.findall(r"[A-Za-z0-9]+", _path_of(beside)))
    new_name, number = stem, 1
    while new_name in events or new_name in monolith:
        number += 1
        new_name = f"{stem}{number}"
    monolith[new_name] = beside


def _path_of(event: Any) -> str:
    properties = event.get("Properties") if isinstance(event, Mapping) else None
    return str((properties or {}).get("Path", ""))


def _plain(value: Any) -> Any:
    """An event as plain data, to compare events whatever node types hold them."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value if value is DELETE else str(value)


def _split_resources(
    invokers: tuple[Invoker, ...], doc: TemplateDocument | None, key: str, path: EventPath, new_id: str, where: str
) -> list[ResourceSplit]:
    """Each resource outside Events split by its route; any resource no route knows refuses."""
    if not invokers:
        return []
    if doc is None:
        raise outside_events(invokers, where)
    resources = doc.data.get("Resources") or {}
    unrouted = tuple(invoker for invoker in invokers if route_for(invoker.kind, resources.get(invoker.logical_id)) is None)
    if unrouted:
        raise outside_events(unrouted, where)
    splits = []
    for invoker in invokers:
        if invoker.logical_id not in resources:
            continue  # an earlier action of this run emptied and deleted it
        route = route_for(invoker.kind, resources[invoker.logical_id])
        split = route.split(doc, invoker, key, path, new_id, resource_where(where, invoker.logical_id))
        splits.append(split)
    return splits


def retire_resources(invokers: tuple[Invoker, ...], doc: TemplateDocument, where: str) -> list[ResourceSplit]:
    """What becomes of the resources that still deliver to the monolith when it retires;
    refused when any of them would go on delivering to nothing."""
    splits, left = [], []
    for invoker in invokers:
        route = route_for(invoker.kind, (doc.data.get("Resources") or {}).get(invoker.logical_id))
        split = route.retire(doc, invoker, resource_where(where, invoker.logical_id)) if route is not None else None
        if split is None:
            left.append(invoker)
        else:
            splits.append(split)
    if left:
        raise outside_events(tuple(left), where, "it still delivers events no action took")
    return splits


def retire_events(events: Mapping[str, Any] | None, where: str) -> None:
    """Refuse when an event the monolith still declares must not be deleted with it."""
    for name, event in (events or {}).items():
        source = source_for(str((event or {}).get("Type")))
        if source is not None:
            source.retire(name, event, where)


_UNROUTED = "strangler does not route this kind of resource"


def outside_events(invokers: tuple[Invoker, ...], where: str, why: str = _UNROUTED) -> Refusal:
    """Events that reach the function through resources strangler cannot route (``why``)
    would keep going to the monolith after the split, and to nothing once it is retired."""
    first = invokers[0]
    described = "; ".join(invoker.describe() for invoker in invokers)
    return Refusal(
        f"{described}. {why}: after the split "
        f"{'this resource' if len(invokers) == 1 else 'these resources'} would still send every action's events "
        f"to {first.function_id}, and to nothing once migrate retires it",
        where=resource_where(where, first.logical_id),
        hint=first.advice,
    )

