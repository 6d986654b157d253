"""Scan: what strangler sees in each dispatching function, without changing anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import libcst as cst

from strangler import codegen
from strangler.dispatch import Analysis
from strangler.facts import FactCache
from strangler.localmods import LocalModules
from strangler.model import ActionNeeds
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


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))


def scan_function(project: Project, analysis: Analysis, facts: FactCache | None = None) -> FunctionScan:
    facts = facts or FactCache()
    function = analysis.function
    modules = LocalModules(function.code_dir, project.sources, facts, project.relative)
    resource = project.resources[function.logical_id]
    events = (resource.get("Properties") or {}).get("Events")
    package = ".".join(function.module_path.relative_to(function.code_dir).parent.parts)
    custom = custom_resources_using(project.template.data, function.logical_id)
    actions = []
    for action in analysis.dispatch.actions:
        _, statements, names = codegen.extracted_module(analysis, action.key, '""""""')
        kept = [analysis.graph.statements[i] for i in sorted(statements)]
        imports = [item for statement in kept for item in facts.of(statement).imports]
        env = [var for statement in kept for var in facts.of(statement).env_vars]
        local = modules.files(imports, package)
        env += modules.env_vars(local)
        defined = [n for n in names if n in analysis.graph.definers]
        imported = {n for n in defined if all(_is_import(analysis.graph.statements[i]) for i in analysis.graph.definers[n])}
        needs = ActionNeeds(
            tuple(sorted(set(defined) - imported)), tuple(sorted(imported)),
            tuple(project.relative(p) for p in local), tuple(dict.fromkeys(env)),
        )
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
