"""Plan: which actions leave, under which names and folders, or why not."""

from __future__ import annotations

from dataclasses import dataclass

from strangler import naming
from strangler.dispatch import Analysis
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.project import Project

DEFAULT_FUNCTIONS_DIR = "functions"


@dataclass(frozen=True)
class ActionPlan:
    key: str
    logical_id: str
    folder: str  # relative to the project, posix
    function_name: str | None = None  # an explicit FunctionName from the settings


@dataclass(frozen=True)
class Plan:
    monolith: FunctionRef
    actions: tuple[ActionPlan, ...]
    already: tuple[str, ...]  # messages about actions extracted by an earlier run
    retire: bool
    functions_dir: str = DEFAULT_FUNCTIONS_DIR  # where new functions go unless a folder setting says


def extracted_by_earlier_runs(project: Project, monolith_id: str) -> dict[str, FunctionRef]:
    """Functions a previous run made from ``monolith_id``, by action key (from Metadata)."""
    return {
        f.strangler_action: f
        for f in project.functions
        if f.extracted_from == monolith_id and f.strangler_action is not None
    }


def plan_actions(
    project: Project,
    analysis: Analysis,
    keys: tuple[str, ...] | None,
    *,
    retire: bool,
    functions_dir: str = DEFAULT_FUNCTIONS_DIR,
) -> Plan:
    """``keys=None`` means every action still in the monolith (migrate)."""
    monolith = analysis.function
    earlier = extracted_by_earlier_runs(project, monolith.logical_id)
    known = [a.key for a in analysis.dispatch.actions]
    already = []
    chosen: list[str] = []
    if keys is None:
        already = [f"{key} is already extracted to {function.logical_id}" for key, function in earlier.items()]
    for key in known if keys is None else dict.fromkeys(keys):
        if key in earlier:
            already.append(f"{key} is already extracted to {earlier[key].logical_id}")
        elif key not in known:
            listed = ", ".join(known) or "none left"
            raise StranglerError(
                f"unknown action {key!r}; the actions of {monolith.logical_id} are: {listed}",
                where=f"{analysis.path}:{analysis.dispatch.line}",
            )
        else:
            chosen.append(key)
    actions = tuple(_name(project, analysis, key, functions_dir) for key in chosen)
    _check_unique(actions, analysis)
    return Plan(monolith, actions, tuple(already), retire, functions_dir.rstrip("/") or DEFAULT_FUNCTIONS_DIR)


def _name(project: Project, analysis: Analysis, key: str, functions_dir: str) -> ActionPlan:
    base = naming.pascal(key)
    if not base or not base[0].isalpha():
        base = "Action" + base
    logical_id = f"{base}Function"
    folder = project.settings.for_action(key).folder or f"{functions_dir.rstrip('/')}/{naming.snake(key) or 'action'}"
    folder = folder.rstrip("/")
    if logical_id in project.resources:
        raise StranglerError(
            f"the new function for {key!r} would be {logical_id}, but the template already has a resource with that id",
            where=f"{project.template.path.name}: Resources.{logical_id}",
            hint="rename that resource, or extract this action later",
        )
    if (project.root / folder).exists():
        raise StranglerError(
            f"the folder for {key!r} already exists and strangler did not make it for this action",
            where=folder,
            hint="move it away or choose another place with --functions-dir",
        )
    return ActionPlan(key, logical_id, folder, project.settings.for_action(key).FunctionName)


def _check_unique(actions: tuple[ActionPlan, ...], analysis: Analysis) -> None:
    seen: dict[str, str] = {}
    for action in actions:
        for name in (action.logical_id, action.folder, action.function_name):
            if name is None:
                continue
            if name in seen:
                raise StranglerError(
                    f"actions {seen[name]!r} and {action.key!r} both become {name}",
                    where=f"{analysis.path}:{analysis.dispatch.line}",
                    hint="extract one of them, rename its key, then the other",
                )
            seen[name] = action.key
