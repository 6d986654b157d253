"""Scan: what strangler sees in each dispatching function, without changing anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from strangler.dispatch import Analysis
from strangler.facts import FactCache
from strangler.localmods import LocalModules
from strangler.model import ActionNeeds
from strangler.needs import slice_action
from strangler.project import Project
from strangler.sam.functions import custom_resources_using
from strangler.sam.routes import Refusal, plan_route


@dataclass(frozen=True)
class ActionScan:
    key: str
    handler: str
    line: int
    needs: ActionNeeds
    route: str
    refusal: str | None


@dataclass(frozen=True)
class FunctionScan:
    logical_id: str
    handler: str
    module: str
    shape: str
    table: str
    line: int
    event_path: str
    actions: tuple[ActionScan, ...]
    extracted: tuple[tuple[str, str], ...]  # (action, function) made by earlier runs

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["extracted"] = [{"key": k, "function": f} for k, f in self.extracted]
        return data


def scan_function(project: Project, analysis: Analysis, facts: FactCache | None = None) -> FunctionScan:
    facts = facts or FactCache()
    function = analysis.function
    modules = LocalModules(function.code_dir, project.sources, facts, project.relative)
    resource = project.resources[function.logical_id]
    events = (resource.get("Properties") or {}).get("Events")
    custom = custom_resources_using(project.template.data, function.logical_id)
    actions = []
    for action in analysis.dispatch.actions:
        piece = slice_action(analysis, action.key, modules, facts)
        symbols, imports = piece.symbols(analysis)
        needs = ActionNeeds(symbols, imports, tuple(project.relative(p) for p in piece.local_files), piece.env_vars)
        try:
            route = plan_route(events, action.key, analysis.dispatch.event_path, function.logical_id, custom)
            description = "direct invoke (callers must switch)" if route.direct else f"{route.kind} " + ", ".join(route.new_events)
            if route.notes:
                description += " (" + "; ".join(route.notes) + ")"
            refusal = None
        except Refusal as exc:
            description, refusal = "refused", exc.message
        actions.append(ActionScan(action.key, action.handler, action.line, needs, description, refusal))
    extracted = tuple(
        (f.strangler_action or "", f.logical_id) for f in project.functions if f.extracted_from == function.logical_id
    )
    dispatch = analysis.dispatch
    return FunctionScan(
        function.logical_id, function.handler, analysis.path, dispatch.shape, dispatch.table, dispatch.line,
        str(dispatch.event_path), tuple(actions), extracted,
    )
