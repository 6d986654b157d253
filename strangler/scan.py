"""Scan: what strangler sees in each dispatching function, without changing anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from strangler.analyse.dispatch import Analysis
from strangler.analyse.facts import FactCache
from strangler.analyse.importtime import import_seconds
from strangler.analyse.localmods import LocalModules
from strangler.load.project import Project
from strangler.model import ActionNeeds, Decision
from strangler.plan import naming
from strangler.progress import SILENT, Progress
from strangler.render.narrowing import installed_distributions, narrow
from strangler.render.needs import function_files, slice_action
from strangler.scan_graph import Wiring, action_wiring, monolith_wiring
from strangler.sources.base import Refusal
from strangler.sources.route import plan_route
from strangler.template.dialect import dialect_of
from strangler.template.document import TemplateDocument


@dataclass(frozen=True)
class Gain:
    """What the new function would carry, against the monolith."""

    policies: tuple[Decision, ...]
    environment: tuple[Decision, ...]
    requirements: tuple[Decision, ...]
    settings: dict[str, Any]
    package_bytes: int
    monolith_package_bytes: int
    import_seconds: float | None = None
    monolith_import_seconds: float | None = None
    # Module-level statements kept because they may have effects (``patch_all()``).
    code: tuple[Decision, ...] = ()


@dataclass(frozen=True)
class ActionScan:
    key: str
    handler: str
    line: int
    module: str | None  # the handler's module, when not the handler module
    needs: ActionNeeds
    route: str
    refusal: str | None
    gain: Gain
    # For the picture (scan --format mermaid|dot), not in --json: the route and what it reaches.
    wiring: Wiring | None = None
    # What people should know about the route, one thing each (an event moved whole, a rule
    # copied without its Name): beside the route, never inside it in parentheses.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeLocation:
    """Where a function's code is read from (its folder, relative to the project) and, when
    the template deploys it from elsewhere (``CodeUri: s3://...``, read through --code),
    from where: a split's new code must be built from the folder and uploaded there."""

    folder: str
    deployed_from: str | None = None


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
    wiring: Wiring | None = None  # the monolith's events and resources, for the picture
    code: CodeLocation | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("wiring", None)
        for action in data["actions"]:
            action.pop("wiring", None)
        data["extracted"] = [{"key": k, "function": f} for k, f in self.extracted]
        data["groups"] = [asdict(group) for group in self.groups()]
        return data

    def groups(self) -> tuple[Group, ...]:
        """Actions whose functions would keep exactly the same policies and environment
        variables, so one function could serve them with no wider privilege than either."""
        alike: dict[tuple[Any, ...], list[ActionScan]] = {}
        for action in self.actions:
            if action.refusal is None:
                alike.setdefault(_privilege(action.gain), []).append(action)
        return tuple(
            Group(
                tuple(action.key for action in members),
                tuple(d.item for d in members[0].gain.policies if d.kept),
                tuple(d.item for d in members[0].gain.environment if d.kept),
                tuple(access.logical_id for access in members[0].wiring.reaches) if members[0].wiring else (),
            )
            for members in alike.values() if len(members) > 1
        )


@dataclass(frozen=True)
class Group:
    """Actions that could share one function: the same policies, variables and resources."""

    actions: tuple[str, ...]
    policies: tuple[str, ...]
    environment: tuple[str, ...]
    resources: tuple[str, ...]

    def describe(self) -> str:
        reached = ", ".join(self.resources) or "no template resource"
        return (f"could share a function: {', '.join(self.actions)} (same resources: {reached}; same policies "
                f"and environment): {len(self.actions) - 1} function{'s' if len(self.actions) > 2 else ''} fewer, "
                "no wider privilege")


def _privilege(gain: Gain) -> tuple[Any, ...]:
    """What a function is allowed: which of the monolith's policies and variables it keeps.
    Every action's decisions list the monolith's items in the same order, so the kept flags
    in order say which items are kept, even when two policies have the same label."""
    return (tuple((d.item, d.kept) for d in gain.policies), tuple((d.item, d.kept) for d in gain.environment))


def group_lines(result: FunctionScan) -> list[str]:
    """The text of ``scan`` for the groups of one function: one line each, then a blank line."""
    lines = [f"  {group.describe()}" for group in result.groups()]
    return [*lines, ""] if lines else []


def _declared_env(project: Project, properties: Any) -> dict[str, str]:
    """The function's variables: literal values as written, a placeholder for intrinsics."""
    globals_ = ((project.template.data.get("Globals") or {}).get("Function") or {})
    declared = {**((globals_.get("Environment") or {}).get("Variables") or {}),
                **((properties.get("Environment") or {}).get("Variables") or {})}
    return {name: value if isinstance(value, str) and not hasattr(value, "tag") else "placeholder"
            for name, value in declared.items()}


def scan_function(
    project: Project, analysis: Analysis, facts: FactCache | None = None, import_time: bool = False,
    progress: Progress = SILENT,
) -> FunctionScan:
    """Scan one dispatching function; ``import_time`` also imports every handler module.
    ``progress`` is told each action as it is scanned (sliced, routed, narrowed)."""
    facts = facts or FactCache()
    function = analysis.function
    modules = LocalModules(function.code_dir, project.sources, project.relative)
    resource = project.resources[function.logical_id]
    dialect = dialect_of(project.template.data)
    events = dialect.events_of(resource)
    custom = dialect.custom_resources_using(project.template.data, function.logical_id)
    invokers = dialect.invokers_of(project.template.data, function.logical_id, project.template.read_file)
    template = project.template
    document = TemplateDocument(template.path, template.text, template.data, template.is_json, template.json_indent)
    properties = resource.get("Properties") or {}
    requirements = project.sources.get(function.code_dir / "requirements.txt")
    installed = installed_distributions() if requirements is not None else {}
    monolith_files = {
        path.relative_to(function.code_dir).as_posix(): text
        for path, text in project.sources.items() if function.code_dir in path.parents
    }
    monolith_bytes = sum(len(text.encode()) for text in monolith_files.values())
    env_names = _declared_env(project, properties)
    monolith_import = import_seconds(monolith_files, function.module_name, env_names) if import_time else None
    actions = []
    wiring = monolith_wiring(project.template.data, function.logical_id, events,
                             (invoker.logical_id for invoker in invokers))
    progress.phase(f"Scanning {function.logical_id}", len(analysis.dispatch.actions))
    for action in analysis.dispatch.actions:
        piece = slice_action(analysis, action.key, modules, facts)
        symbols, imports = piece.symbols(analysis)
        needs = ActionNeeds(symbols, imports, tuple(project.relative(p) for p in piece.local_files), piece.env_vars)
        route = None
        try:
            route = plan_route(
                events, action.key, analysis.dispatch.event_path, function.logical_id, custom, invokers,
                document, naming.logical_id(action.key),
            )
            description = route.summary(compact=True)  # "direct invoke" for one, its note says what to do
            notes = (*route.notes, *route.monolith_notes,
                     *(f"{split.logical_id}: {split.note}" for split in route.resources if split.note))
            refusal = None
        except Refusal as exc:
            description, refusal, notes = "refused", exc.message, ()
        narrowing = narrow(properties, piece, requirements, installed)
        files = function_files(analysis, piece, narrowing.requirements_text, project.sources)
        size = sum(len(text.encode()) for text in files.values())
        gain = Gain(
            narrowing.policies, narrowing.env, narrowing.requirements,
            project.settings.for_action(action.key).properties(), size, monolith_bytes,
            import_seconds(files, function.module_name, env_names) if import_time else None, monolith_import,
            narrowing.code,
        )
        drawn = action_wiring(project.template.data, function.logical_id, naming.logical_id(action.key), route, narrowing)
        actions.append(ActionScan(
            action.key, action.handler, action.line, action.module, needs, description, refusal, gain, drawn, notes,
        ))
        progress.advance(action.key)
    extracted = tuple(
        (key, f.logical_id) for f in project.functions if f.extracted_from == function.logical_id for key in f.actions or ("",)
    )
    dispatch = analysis.dispatch
    return FunctionScan(
        function.logical_id, function.handler, analysis.path, dispatch.shape, dispatch.table, dispatch.line,
        str(dispatch.event_path), tuple(actions), extracted, wiring,
        CodeLocation(project.relative(function.code_dir) or ".", function.code_elsewhere),
    )
