"""Per action of a monolith: which of its deliveries can repeat, and which writes it reaches.

A monolith is delivered events by several sources, each for some of its actions: a write
reached only from the action an API calls is no pitfall, and a write reached from the
action a queue delivers is one because of that queue. The dispatch is read as ``extract``
reads it (``analyse_function``) and each action's route as ``extract`` would plan it
(``plan_route``), so the sources named are the ones a split would give the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from strangler.analyse.dispatch import Analysis
from strangler.analyse.function import analyse_function
from strangler.check.app import CheckedApp, Delivery
from strangler.check.idempotency_find import HandlerReader, Write, names_in
from strangler.check.idempotency_sources import AtLeastOnce, repeating
from strangler.model import FunctionRef
from strangler.plan import naming
from strangler.sources.route import plan_route
from strangler.template.dialect import dialect_of

Position = tuple[Path, int, int]


@dataclass(frozen=True)
class ActionWrites:
    """One action: its key, the deliveries of it that can repeat, the writes it reaches."""

    key: str
    sources: tuple[AtLeastOnce, ...]
    writes: frozenset[Position]


def actions_of(app: CheckedApp, function: FunctionRef, reader: HandlerReader) -> tuple[ActionWrites, ...] | None:
    """The actions of a monolith, None for a function that does not dispatch (or whose
    dispatch or routes strangler cannot read: then the function is checked whole)."""
    dialect = dialect_of(app.template)
    try:
        analysis = analyse_function(app.project, function)
        events = dialect.events_of(app.resource(function.logical_id))
        invokers = dialect.invokers_of(app.template, function.logical_id, app.project.template.read_file)
    except Exception:  # noqa: BLE001  (extract's analysis refusing or failing: check the function whole)
        return None
    if len(analysis.dispatch.actions) < 2:
        return None
    positions = MetadataWrapper(analysis.module, unsafe_skip_copy=True).resolve(PositionProvider)
    found = []
    for action in analysis.dispatch.actions:
        try:
            route = plan_route(events, action.key, analysis.dispatch.event_path, function.logical_id, (), invokers,
                               app.project.template, naming.logical_id(action.key))
        except Exception:  # noqa: BLE001  (an action without a route: its sources are not known)
            return None
        deliveries = [Delivery(str((entry or {}).get("Type")), str(name)) for name, entry in route.new_events.items()]
        deliveries += [Delivery(_kind(app, split.logical_id), split.logical_id, outside_events=True)
                       for split in route.resources if split.delivers]
        sources = tuple(s for s in (repeating(app, function.logical_id, d) for d in deliveries) if s is not None)
        writes = _action_writes(analysis, positions, action.key, function, reader)
        if writes is None:
            return None
        found.append(ActionWrites(action.key, sources, frozenset((w.path, w.line, w.col) for w in writes)))
    return tuple(found)


def _kind(app: CheckedApp, logical_id: str) -> str:
    return str(app.resource(logical_id).get("Type", ""))


def _action_writes(analysis: Analysis, positions: Mapping[cst.CSTNode, CodeRange], key: str, function: FunctionRef,
                   reader: HandlerReader) -> tuple[Write, ...] | None:
    """The writes an action's code reaches: the lines of its branch (and what they call), or
    the functions its table entry names; None when its code is not in the handler module."""
    layout = analysis.layout
    label = layout.label(key) if hasattr(layout, "label") else key
    nodes = layout.unit_nodes().get(label)
    if not nodes:
        return None
    writes: list[Write] = []
    for node in nodes:
        span = positions.get(node)
        if span is None:
            return None
        owner = _function_around(reader, function.module_path, span.start.line)
        if owner is not None:
            writes += reader.writes_within(function.module_path, owner, (span.start.line, span.end.line))
        else:
            writes += reader.writes_of_names(function.module_path, names_in(node))
    return tuple(writes)


def _function_around(reader: HandlerReader, path: Path, line: int) -> str | None:
    found = reader.scope(path)
    if found is None:
        return None
    scope, positions = found
    for name, node in scope.functions.items():
        span = positions[node]
        if span.start.line <= line <= span.end.line:
            return name
    return None
