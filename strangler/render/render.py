"""Render: turn a plan into a ChangeSet of whole files (code and template), nothing written."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from strangler import deep
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.layout import RouteLayout, RouterModule
from strangler.analyse.facts import FactCache
from strangler.analyse.localmods import LocalModules
from strangler.errors import StranglerError
from strangler.load.files import as_written
from strangler.load.project import Project
from strangler.load.symlinks import copied_links, guard_links
from strangler.model import (
    ChangeSet,
    FileChange,
    Narrowing,
    Report,
    ResourceSplit,
    Routed,
    RoutePlan,
)
from strangler.plan.plan import ActionPlan, Plan
from strangler.plan.retirement import monolith_removal, still_imported
from strangler.progress import SILENT, Progress
from strangler.render import codegen, grouping
from strangler.render.narrowing import installed_distributions, narrow, summarise
from strangler.render.needs import Slice, function_files, monolith_slice, slice_action
from strangler.sources.route import plan_route, retire_events, retire_resources
from strangler.template import functions, sam
from strangler.template.dialect import Dialect, dialect_of
from strangler.template.document import (
    RenderedTemplate,
    StaleDump,
    StepDump,
    TemplateDocument,
    deep_copy,
    intended,
)
from strangler.template.invokers import Invoker
from strangler.template.watchers import retire_watchers, split_watchers

# How a group's line in the report names its actions, after its route.
GROUP_OF = "; group of "


@dataclass
class _Draft:
    """What a render accumulates before it is frozen into a ChangeSet."""

    files: dict[str, str | None] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    routed: list[Routed] = field(default_factory=list)
    # The resources edited since the template was last dumped (None: maybe any of them),
    # so that a run dumping it after each step serializes only those again.
    edited: set[str] | None = field(default_factory=set)
    # What freezing found of each file, kept for the next step's freeze: a run that
    # freezes after every action would otherwise look at every file written so far again.
    unlinked: set[str] = field(default_factory=set)  # paths no symlink reaches
    frozen: dict[str, tuple[str | None, FileChange | None]] = field(default_factory=dict)  # path -> (new, its change)

    def edit(self, *logical_ids: str) -> None:
        if self.edited is not None:
            self.edited.update(logical_ids)


def render(
    project: Project, analysis: Analysis, plan: Plan, facts: FactCache | None = None,
    progress: Progress = SILENT, consume_template: bool = False,
) -> ChangeSet:
    """The complete change for ``plan``: new folders, monolith module, template.

    ``progress`` is told the phases and each action as it is done, for long runs. With
    ``consume_template`` the loaded template is edited in place instead of a copy; the
    project must not be rendered again afterwards.
    """
    return render_all(project, ((analysis, plan),), facts, progress, consume_template)


def render_all(
    project: Project, work: Sequence[tuple[Analysis, Plan]], facts: FactCache | None = None,
    progress: Progress = SILENT, consume_template: bool = False,
) -> ChangeSet:
    """One change for several monoliths' plans: each edits the same template document in
    turn (their folders and ids were checked not to clash), then it is dumped once."""
    template = project.template
    data = template.data if consume_template else deep_copy(template.data)
    doc = TemplateDocument(template.path, template.text, data, template.is_json, template.json_indent)
    draft = _Draft()
    facts = facts or FactCache()
    progress.phase(RENDERING, _counted(work))
    for analysis, plan in work:
        _render_one(project, analysis, plan, doc, draft, facts, progress)
    progress.phase(ASSEMBLING)
    new_template = doc.dump()
    if new_template != project.template.text:
        draft.files[project.relative(project.template.path)] = new_template
    return _freeze(project, draft)


def _render_one(project: Project, analysis: Analysis, plan: Plan, doc: TemplateDocument, draft: _Draft,
                facts: FactCache, progress: Progress) -> None:
    monolith = plan.monolith
    extractor = _Extractor(project, analysis, doc, draft, facts)
    extractor.retiring = plan.retire
    placed = []
    for action in plan.actions:
        placed.append((action.logical_id, extractor.extract(action)))
        deep.settled()  # what the action made lives until the end of the run
        progress.advance(action.key)
    extractor.dialect.place_new_functions(doc.data["Resources"], monolith.logical_id, placed)
    draft.changed.extend(plan.notes)
    if plan.actions and not plan.retire:
        extractor.trim_monolith(plan.keys)
        leaving = set(plan.keys)
        staying = [a.key for a in analysis.dispatch.actions if a.key not in leaving]
        draft.changed.append(f"{monolith.logical_id} keeps serving: {', '.join(staying) or 'no action (migrate retires it)'}")
    if plan.retire:
        _retire(project, analysis, plan, doc, draft)
        progress.advance(_retirement(plan))


# The phases of a render, as a terminal shows them: true of a dry run too (nothing is
# "extracted" until it is written).
RENDERING = "Slicing and rendering"
ASSEMBLING = "Assembling the new template"


def _counted(work: Sequence[tuple[Analysis, Plan]]) -> int:
    """The items of the rendering phase: each action, and each monolith's retirement."""
    return sum(len(plan.actions) + plan.retire for _, plan in work)


def _retirement(plan: Plan) -> str:
    return f"retirement of {plan.monolith.logical_id}"


def render_steps(project: Project, analysis: Analysis, plan: Plan, facts: FactCache | None = None,
                 progress: Progress = SILENT) -> list[ChangeSet]:
    """Cumulative change sets, one after each action (and one after retiring), for a
    commit each: one pass over the actions, the template and monolith written after each."""
    return render_steps_all(project, ((analysis, plan),), facts, progress)


def render_steps_all(project: Project, work: Sequence[tuple[Analysis, Plan]], facts: FactCache | None = None,
                     progress: Progress = SILENT) -> list[ChangeSet]:
    """``render_steps`` for several monoliths, one after the other: each one's actions,
    then its retirement.

    Each step's template is dumped serializing again only what the step edited
    (``StepDump``); should a step have edited more than it said, the run is rendered
    again dumping the whole template after every step."""
    template = project.template
    try:
        return _render_steps(project, work, facts or FactCache(), progress, stepwise=True)
    except StaleDump:
        # The first attempt edited the loaded template: start again from the file's text.
        fresh = TemplateDocument.parse(template.path, template.text)
        project = dataclasses.replace(project, template=fresh)
        return _render_steps(project, work, facts or FactCache(), progress, stepwise=False)


def _render_steps(project: Project, work: Sequence[tuple[Analysis, Plan]], facts: FactCache,
                  progress: Progress, stepwise: bool) -> list[ChangeSet]:
    template = project.template
    doc = TemplateDocument(template.path, template.text, template.data, template.is_json, template.json_indent)
    dumper = StepDump(doc, stepwise)
    draft = _Draft()
    steps = []
    progress.phase(RENDERING, _counted(work))
    for analysis, plan in work:
        monolith = plan.monolith
        extractor = _Extractor(project, analysis, doc, draft, facts)
        extractor.retiring = plan.retire
        if extractor.dialect is not sam:
            draft.edited = None  # plain CloudFormation writes roles beside each function
        draft.changed.extend(plan.notes)
        for count, action in enumerate(plan.actions, 1):
            resource = extractor.extract(action)
            extractor.dialect.place_new_functions(doc.data["Resources"], monolith.logical_id, [(action.logical_id, resource)])
            extractor.trim_monolith([key for a in plan.actions[:count] for key in a.keys])
            steps.append(_snapshot(project, dumper, draft))
            deep.settled()  # the step's change set lives until the end of the run
            progress.advance(action.key)
        if plan.retire:
            dumper.verify()
            draft.edited = None
            _retire(project, analysis, plan, doc, draft)
            steps.append(_snapshot(project, dumper, draft))
            progress.advance(_retirement(plan))
    progress.phase(ASSEMBLING)
    dumper.verify()
    _mean_last(project, doc, steps)
    return steps


def _snapshot(project: Project, dumper: StepDump, draft: _Draft) -> ChangeSet:
    # Only the last step's template is checked against what it means (``_mean_last``).
    new_template = dumper.dump(draft.edited, meant=False)
    draft.edited = set()
    if new_template != project.template.text:
        draft.files[project.relative(project.template.path)] = new_template
    return _freeze(project, draft)


def _mean_last(project: Project, doc: TemplateDocument, steps: list[ChangeSet]) -> None:
    """The last step's template carries what SAM must read from it, as ``render`` gives it."""
    if not steps:
        return
    path = project.relative(project.template.path)
    for change in steps[-1].changes:
        if change.path == path and isinstance(change.new, RenderedTemplate):
            change.new.meant = intended(doc.data)


class _Extractor:
    """Moves one action after another out of the monolith, into ``doc`` and ``draft``."""

    def __init__(self, project: Project, analysis: Analysis, doc: TemplateDocument, draft: _Draft, facts: FactCache):
        self.project, self.analysis, self.doc, self.draft, self.facts = project, analysis, doc, draft, facts
        monolith = analysis.function
        self.monolith = monolith
        # Set by a run that retires the monolith: notes on its own events are then moot.
        self.retiring = False
        self.resource = doc.data["Resources"][monolith.logical_id]
        self.modules = LocalModules(monolith.code_dir, project.sources, project.relative)
        self.original_properties = project.resources[monolith.logical_id].get("Properties") or {}
        self.requirements = project.sources.get(monolith.code_dir / "requirements.txt")
        self.installed = installed_distributions()
        self.dialect: Dialect = dialect_of(doc.data)
        # From the template as it was: once per run, not per action.
        self.invokers = self.dialect.invokers_of(doc.data, monolith.logical_id, doc.read_file)

    def extract(self, action: ActionPlan) -> Any:
        """The new function's resource; its code goes into the draft, the monolith narrows.

        A group's function keeps the monolith's module for the group's actions only (its
        dispatch specialised to them, as the monolith is to the actions that stay), the
        routes of all of them, and what they need together."""
        draft, monolith = self.draft, self.monolith
        draft.edit(monolith.logical_id, action.logical_id)
        if action.group:
            route, piece, handler = self._group_route(action), self._group_slice(action), monolith.handler
        else:
            route = _route(self.dialect, self.doc, self.resource, self.analysis, action, self.invokers)
            piece, handler = slice_action(self.analysis, action.key, self.modules, self.facts), _handler(monolith)
        narrowing = narrow(self.original_properties, piece, self.requirements, self.installed)
        _write_function_code(self.project, self.analysis, action, piece, narrowing, draft)
        resource, notes = self.dialect.new_function(
            self.doc, monolith.logical_id, self.resource, action.key, _code_uri(monolith, action), handler
        )
        if action.group:
            self._mark_group(action, resource)
        self.dialect.apply_narrowing(resource["Properties"], narrowing)
        self._apply_settings(action, resource)
        draft.narrowed.extend(f"{action.logical_id}: {line}" for line in summarise(narrowing))
        self.dialect.set_events(self.doc, resource, route)
        if not action.group:  # a group's route narrowed the monolith action by action
            self.dialect.narrow_monolith(self.resource, route)
            _apply_resources(self.dialect, self.doc, route.resources, draft)
        watched, reported = split_watchers(self.doc, monolith.logical_id, action.key, action.logical_id, resource,
                                           f"{self.doc.path.name}: Resources.{monolith.logical_id}")
        _apply_resources(self.dialect, self.doc, watched, draft)
        draft.manual.extend(reported)
        self._report_new(action, route, notes)
        return resource

    def _mark_group(self, action: ActionPlan, resource: Any) -> None:
        """Metadata.Strangler.Actions, and the settings of the group's actions that the
        group's function does not take."""
        functions.mark_group(self.doc, resource, action.group)
        settings = self.project.settings
        self.draft.manual.extend(
            f"{action.logical_id}: the settings of {settings.place(key)} ([actions.{key}]) are not applied to the group's "
            f"function: set them under [actions.{action.key}]" for key in action.group if key in settings.actions
        )

    def _report_new(self, action: ActionPlan, route: RoutePlan, notes: list[str]) -> None:
        """What the run says of a new function: its route, the monolith's events it
        changed, what is left to do (a direct invoke's callers)."""
        draft, monolith = self.draft, self.monolith
        group = f"{GROUP_OF}{', '.join(action.group)}" if action.group else ""
        draft.created.append(f"{action.logical_id} ({action.folder}/) for {action.key!r}: {route.summary()}{group}")
        draft.routed.append(Routed(action.key, action.logical_id, route.summary(), route.direct))
        said = (*route.notes, *(() if self.retiring else route.monolith_notes))
        draft.changed.extend(f"{monolith.logical_id} event {note}" for note in said if not route.direct)
        draft.manual.extend(f"{action.logical_id}: {note}" for note in notes)
        if route.direct:
            output = self.dialect.add_name_output(self.doc, action.logical_id, action.key)
            callers = (f"switch the callers of {', '.join(map(repr, action.group))}" if action.group
                       else "switch its callers")
            draft.manual.append(f"{action.key!r} is invoked directly: {callers} to {action.logical_id} (Output {output})")

    def _group_route(self, action: ActionPlan) -> RoutePlan:
        """Each action of the group routed in turn, the monolith and the resources outside
        Events narrowed after each, then the new function's events combined."""
        where = f"{self.doc.path.name}: Resources.{self.monolith.logical_id}"
        plans, made = [], set()
        for key in action.group:
            single = dataclasses.replace(action, key=key, group=())
            try:
                # Each action routes as if alone: what the group's earlier actions added is
                # out of its sight (it would read as a resource in the way), then folded.
                with grouping.hidden(self.doc.data["Resources"], made):
                    route = _route(self.dialect, self.doc, self.resource, self.analysis, single, self.invokers)
            except StranglerError as refusal:
                raise _joining(refusal, action, key) from None
            self.dialect.narrow_monolith(self.resource, route)
            folded = grouping.fold_added(self.doc, route.resources, action.key, made, self.doc.path.name)
            _apply_resources(self.dialect, self.doc, folded, self.draft)
            plans.append(route)
        return grouping.combined(plans, action.group, where)

    def _group_slice(self, action: ActionPlan) -> Slice:
        """The monolith's module without the actions outside the group (and its routers'
        modules without their routes): what the group's function runs and needs."""
        others = [a.key for a in self.analysis.dispatch.actions if a.key not in action.group]
        code, _ = codegen.monolith_module(self.analysis, others)
        rewritten = {router.path: text for router, (text, _) in _routers_without(self.analysis, others).items()}
        piece = monolith_slice(self.analysis, code, self.modules, rewritten)
        return dataclasses.replace(piece, key=action.key)

    def trim_monolith(self, keys: list[str]) -> None:
        """The monolith's module without those actions, and its function narrowed to what
        the code left in it still uses."""
        analysis, draft = self.analysis, self.draft
        # A group's function keeps the list of the actions it still serves.
        functions.set_group(self.resource, tuple(a.key for a in analysis.dispatch.actions if a.key not in keys))
        code, gone = codegen.monolith_module(analysis, keys)
        routers = _routers_without(analysis, keys)
        if code == analysis.source and not routers:
            return
        draft.files[analysis.path] = code
        if self.monolith.code_elsewhere:
            draft.manual.append(_rebuild_note(self.project, self.monolith))
        left = ", ".join(gone) if gone else "nothing else"
        draft.changed.append(f"{analysis.path}: {', '.join(keys)} taken out of the dispatch; code only they used removed: {left}")
        rewritten = {router.path: text for router, (text, _) in routers.items()}
        remaining = monolith_slice(analysis, code, self.modules, rewritten)
        for router, (text, router_gone) in routers.items():
            if router.path not in remaining.local_files and not self._shared_code_dir() \
                    and not still_imported(self.project, self.monolith, [router.path]):
                draft.files[router.display] = None  # its last route left: nothing imports it any more
                draft.removed.append(router.display)
                continue
            draft.files[router.display] = text
            draft.changed.append(f"{router.display}: routes taken out of {router.router}; code only they used removed: "
                                 f"{', '.join(router_gone) or 'nothing else'}")
        # From the monolith's properties as they are now: earlier steps may have narrowed them.
        properties = self.resource["Properties"]
        narrowing = narrow(properties, remaining, None, {})
        self.dialect.apply_narrowing(properties, narrowing)
        draft.narrowed.extend(f"{self.monolith.logical_id}: {line}" for line in summarise(narrowing))

    def _shared_code_dir(self) -> bool:
        return bool(_sharing_code(self.project, self.monolith))

    def _apply_settings(self, action: ActionPlan, resource: Any) -> None:
        chosen = self.project.settings.for_action(action.key).properties()
        self.dialect.apply_settings(resource["Properties"], chosen)
        if chosen:
            listed = ", ".join(f"{k} {v}" for k, v in chosen.items())
            self.draft.narrowed.append(f"{action.logical_id}: {listed} (from {self.project.settings.source})")


def _joining(refusal: StranglerError, action: ActionPlan, key: str) -> StranglerError:
    """A refusal met routing one action of a group: said as the group's, and when an earlier
    action of the group already took the route, that one function cannot take it twice."""
    first = action.group.index(key) == 0
    why = "" if first else f" (after {', '.join(map(repr, action.group[:action.group.index(key)]))} joined it)"
    return StranglerError(
        f"group {action.key}: {key!r} cannot be routed to {action.logical_id}{why}: {refusal.message}",
        where=refusal.where,
        hint=refusal.hint if first else "extract these actions in separate functions, or group the others without it",
    )


def _routers_without(analysis: Analysis, keys: list[str]) -> dict[RouterModule, tuple[str, tuple[str, ...]]]:
    """The included routers' modules that lose routes, as the monolith keeps them."""
    layout = analysis.layout
    if not isinstance(layout, RouteLayout):
        return {}
    leaving: dict[RouterModule, set[int]] = {}
    for key in keys:
        route = layout.route(key)
        if route.router is not None:
            leaving.setdefault(route.router, set()).add(route.index)
    return {router: codegen.router_module_without(router, indices) for router, indices in leaving.items()}


def _route(dialect: Dialect, doc: TemplateDocument, monolith_resource, analysis: Analysis, action: ActionPlan,
           invokers: tuple[Invoker, ...]) -> RoutePlan:
    events = dialect.events_of(monolith_resource)
    where = f"{doc.path.name}: Resources.{analysis.function.logical_id}"
    custom = dialect.custom_resources_using(doc.data, analysis.function.logical_id)
    return plan_route(
        events, action.key, analysis.dispatch.event_path, where, custom, invokers, doc, action.logical_id
    )


def _apply_resources(dialect: Dialect, doc: TemplateDocument, splits: Sequence[ResourceSplit], draft: _Draft) -> None:
    """The resources outside Events the route changed, and the files they include."""
    if splits:
        draft.edited = None  # a route may redeploy an API, repoint references: anywhere
    dialect.apply_resources(doc, splits)
    for split in splits:
        for path, text in split.files:
            draft.files[path] = text
        if split.note:
            draft.changed.append(f"{split.logical_id}: {split.note}")




def _rebuild_note(project: Project, monolith) -> str:
    """What to do about a monolith whose code strangler read from ``--code``: its CodeUri
    (or Code) still names the package in S3, which must be built from the trimmed folder."""
    folder = project.relative(monolith.code_dir) or "."
    return (f"{monolith.logical_id}'s code stays {monolith.code_elsewhere} in the template; its handler was trimmed in "
            f"{folder}/ (--code): build {folder}/ and upload it there before deploying (strangler cannot touch S3): "
            f"the template narrows the monolith's policies and environment to the trimmed code, which the package "
            f"in S3 must be")


def _code_uri(monolith, action: ActionPlan) -> str:
    return action.folder + ("/" if monolith.code_uri.endswith("/") else "")


def _handler(monolith) -> str:
    """Same module path and spelling (``pkg/mod`` or ``pkg.mod``) as the monolith's Handler."""
    module = monolith.handler.rpartition(".")[0]
    return f"{module}.{codegen.ENTRYPOINT}"


def _write_function_code(
    project: Project, analysis: Analysis, action: ActionPlan, piece: Slice, narrowing: Narrowing, draft: _Draft
) -> None:
    code_dir = analysis.function.code_dir
    for path, text in function_files(analysis, piece, narrowing.requirements_text, project.sources).items():
        # Each file is the monolith's file of that name (trimmed or not): it keeps its BOM.
        draft.files[f"{action.folder}/{path}"] = as_written(project.sources, code_dir / path, text)
    draft.manual.extend(copied_links(project, action.folder, code_dir, [*piece.local_files, code_dir / "requirements.txt"]))


def _retire(project: Project, analysis: Analysis, plan: Plan, doc: TemplateDocument, draft: _Draft) -> None:
    monolith = analysis.function
    dialect = dialect_of(doc.data)
    invokers = dialect.invokers_of(doc.data, monolith.logical_id, doc.read_file)
    where = f"{doc.path.name}: Resources.{monolith.logical_id}"
    retire_events(dialect.events_of(doc.data["Resources"][monolith.logical_id]), where)
    _apply_resources(dialect, doc, retire_resources(invokers, doc, where), draft)
    _apply_resources(dialect, doc, retire_watchers(doc, monolith.logical_id, where, _answers_preflight(analysis)), draft)
    draft.removed.extend(dialect.retire(doc, monolith.logical_id))
    draft.removed.append(f"{monolith.logical_id} (the monolith) from the template")
    if monolith.code_elsewhere:
        draft.manual.append(
            f"{monolith.logical_id}'s code in {monolith.code_elsewhere} is no longer deployed by the template: strangler "
            f"cannot touch S3, delete it there when nothing else uses it; the files of "
            f"{project.relative(monolith.code_dir) or '.'}/ (--code) are removed under the rules of a local code "
            f"folder: only those nothing left in the template reaches (see Removed)")
    shared = _sharing_code(project, monolith)
    if shared:
        draft.manual.append(f"{project.relative(monolith.code_dir) or '.'}/ is also the code of {', '.join(shared)}: left in place")
        return
    # The Python files of the monolith's folder go (each new function has its own copy),
    # except those something left in the template still reaches.
    removal = monolith_removal(project, monolith, [a.folder for a in plan.actions], plan.functions_dir)
    for path in removal.files:
        draft.files[project.relative(path)] = None
        draft.removed.append(project.relative(path))
    draft.changed.extend(removal.kept)


def _answers_preflight(analysis: Analysis) -> bool:
    """The handler answers OPTIONS before its dispatch (an ``if`` on the method that returns):
    every new function keeps that code, so any of them can take the preflight route."""
    # The analysis parsed the module's top-level statements already (one ast per statement).
    top_level = (node for tree in analysis.graph.trees for node in tree.body)
    entry = next((node for node in top_level if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.name == analysis.dispatch.entrypoint), None)
    if entry is None:
        return False
    # A dispatch inside the handler bounds the guard; a table's line is where it is declared.
    inside = entry.lineno <= analysis.dispatch.line <= (entry.end_lineno or entry.lineno)
    for statement in entry.body:
        if inside and statement.lineno >= analysis.dispatch.line:
            break
        if isinstance(statement, ast.If) and any(isinstance(n, ast.Return) for n in ast.walk(statement)) and any(
            isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.upper() == "OPTIONS"
            for n in ast.walk(statement.test)
        ):
            return True
    return False


def _sharing_code(project: Project, monolith) -> list[str]:
    """Other functions whose code is the monolith's folder (then no file of it goes)."""
    return [f.logical_id for f in project.functions if f.code_dir == monolith.code_dir and f.logical_id != monolith.logical_id]


def _freeze(project: Project, draft: _Draft) -> ChangeSet:
    changes = []
    guard_links(project, draft.files, draft.removed, draft.manual, draft.unlinked)
    for path, new in sorted(draft.files.items()):
        known = draft.frozen.get(path)
        if known is not None and known[0] is new:
            if known[1] is not None:
                changes.append(known[1])
            continue
        change = _change(project, path, new)
        draft.frozen[path] = (new, change)
        if change is not None:
            changes.append(change)
    report = Report(tuple(draft.created), tuple(draft.narrowed), tuple(draft.changed), tuple(draft.removed), tuple(dict.fromkeys(draft.manual)))
    return ChangeSet(tuple(changes), report, tuple(draft.routed))


def _change(project: Project, path: str, new: str | None) -> FileChange | None:
    """The change to ``path`` (relative to the root) if it becomes ``new``, or None."""
    absolute = project.root / path
    old = project.sources.get(absolute)
    if old is not None:
        old = as_written(project.sources, absolute, old)
        new = None if new is None else as_written(project.sources, absolute, new)
    if old is None and absolute == project.template.path:
        old = project.template.text
    if old is None and absolute.is_file():
        old = absolute.read_text(encoding="utf-8")
    return FileChange(path, old, new) if old != new else None
