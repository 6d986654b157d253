"""Plan: which actions leave, under which names and folders, or why not."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from strangler.analyse.dispatch import Analysis
from strangler.analyse.function import analyse_function
from strangler.errors import StranglerError, did_you_mean
from strangler.load.project import Project, extracted_by_earlier_runs
from strangler.model import FunctionRef
from strangler.plan import groups, naming

DEFAULT_FUNCTIONS_DIR = "functions"


@dataclass(frozen=True)
class ActionPlan:
    key: str
    logical_id: str
    folder: str  # relative to the project, posix
    function_name: str | None = None  # an explicit FunctionName from the settings
    # A group's function: the actions it takes (``key`` is then the group's name).
    group: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The dispatch keys that leave the monolith for this function."""
        return self.group or (self.key,)


@dataclass(frozen=True)
class Plan:
    monolith: FunctionRef
    actions: tuple[ActionPlan, ...]
    already: tuple[str, ...]  # messages about actions extracted by an earlier run
    retire: bool
    functions_dir: str = DEFAULT_FUNCTIONS_DIR  # where new functions go unless a folder setting says
    notes: tuple[str, ...] = ()  # how groups were formed, when the settings and the command line differ

    @property
    def keys(self) -> list[str]:
        """Every dispatch key that leaves the monolith, groups' included."""
        return [key for action in self.actions for key in action.keys]


def plan_actions(
    project: Project,
    analysis: Analysis,
    keys: tuple[str, ...] | None,
    *,
    retire: bool,
    functions_dir: str = DEFAULT_FUNCTIONS_DIR,
    wanted: groups.Request | None = None,
) -> Plan:
    """``keys=None`` means every action still in the monolith (migrate); ``wanted`` says
    which of them go into groups."""
    monolith = analysis.function
    functions_dir = functions_folder(project, functions_dir)
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
                hint=did_you_mean(key, known),
            )
        else:
            chosen.append(key)
    _check_settings(project, analysis, known, wanted)
    groups.check_members(project, monolith.logical_id, known, lambda: _other_monoliths_actions(project, monolith.logical_id))
    units, notes = groups.units(project, wanted or groups.Request(keys, {}), chosen, known)
    actions = tuple(_name(project, analysis, unit.name, functions_dir, unit.members) for unit in units)
    _check_unique(actions, analysis)
    return Plan(monolith, actions, tuple(already), retire, functions_dir.rstrip("/") or DEFAULT_FUNCTIONS_DIR,
                tuple(notes))


def _name(project: Project, analysis: Analysis, key: str, functions_dir: str, group: tuple[str, ...] = ()) -> ActionPlan:
    logical_id = naming.logical_id(key)
    chosen = project.settings.for_action(key).folder
    name = naming.folder_name(key)
    folder = chosen.rstrip("/") if chosen else (f"{functions_dir}/{name}" if functions_dir else name)
    made = next((f for f in project.functions if f.logical_id == logical_id and f.strangler_actions), None)
    if made is not None:
        raise StranglerError(
            f"{logical_id} is the function an earlier run made for group {key} ({', '.join(made.actions)}); "
            f"strangler does not add actions to a function it made",
            where=f"{project.template.path.name}: Resources.{logical_id}",
            hint="extract these actions on their own, or into a group of another name",
        )
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
    return ActionPlan(key, logical_id, folder, project.settings.for_action(key).FunctionName, group)


def _check_settings(project: Project, analysis: Analysis, known: list[str], wanted: groups.Request | None) -> None:
    """Settings for an action the monolith does not have are a typo, refused with the list.

    Settings for an action an earlier run extracted are not: the file that chose them for
    that run stays as it was while the next actions are extracted (strangler does not
    rewrite a function it already made).
    """
    extracted = {key for f in project.functions for key in (*f.actions, f.strangler_action) if key is not None}
    # [actions.<group>] sets the properties of a group's function.
    extracted |= set(project.settings.groups) | set(wanted.groups if wanted is not None else ())
    unknown = [key for key in project.settings.actions if key not in known and key not in extracted]
    if unknown:
        # One settings file serves every monolith of the template.
        elsewhere = _other_monoliths_actions(project, analysis.function.logical_id)
        unknown = [key for key in unknown if key not in elsewhere]
    for key in unknown:
        listed = ", ".join(known) or "none left"
        raise StranglerError(
            f"settings for action {key!r}, which {analysis.function.logical_id} does not have; its actions are: {listed}",
            where=project.settings.place(key),
            hint="the key is written exactly as `strangler scan` lists it (quote it when it has dots or spaces)",
        )


def _other_monoliths_actions(project: Project, monolith_id: str) -> set[str]:
    found: set[str] = set()
    for function in project.functions:
        if function.logical_id == monolith_id or function.is_strangler:
            continue
        try:
            found.update(a.key for a in analyse_function(project, function).dispatch.actions)
        except StranglerError:
            continue  # not a monolith: it has no actions to set
    return found


# Folders that are not the application's code: build output, git's own, caches.
_NOT_FOR_FUNCTIONS = {".aws-sam", ".git", "__pycache__", ".venv", "venv", "node_modules", ".pytest_cache"}


def functions_folder(project: Project, value: str) -> str:
    """``--functions-dir`` as a clean path relative to the application (``""`` for its top).

    An absolute path inside the application is accepted; a path outside it, an empty one,
    one into build output or git's own folder, or a name the file system cannot hold is
    refused before anything is planned.
    """
    def refuse(why: str, hint: str = "give a folder inside the application, e.g. --functions-dir functions") -> StranglerError:
        return StranglerError(f"--functions-dir {value!r} {why}", where=str(project.root), hint=hint)

    if not value.strip():
        raise refuse("is empty", "leave it out for functions/, or give . for the application's own folder")
    target = Path(os.path.normpath(project.root / value))
    try:
        relative = target.relative_to(project.root)
    except ValueError:
        raise refuse("is outside the application (new functions must be deployable from its template)") from None
    parts = relative.parts
    hidden = next((part for part in parts if part in _NOT_FOR_FUNCTIONS), None)
    if hidden is not None:
        raise refuse(f"is inside {hidden}/, which sam build, git or tools own")
    long = next((part for part in parts if len(part.encode("utf-8")) > naming.MAX_FOLDER_NAME), None)
    if long is not None:
        raise refuse(f"has a folder name of {len(long.encode('utf-8'))} bytes; at most {naming.MAX_FOLDER_NAME} are allowed")
    return relative.as_posix() if parts else ""


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


def check_across(plans: list[Plan], places: dict[str, str]) -> None:
    """Actions of different monoliths split in one run must not become the same function,
    folder or FunctionName (two resources ``GetItem``): refused with both names."""
    seen: dict[str, tuple[str, str]] = {}
    for plan in plans:
        monolith = plan.monolith.logical_id
        for action in plan.actions:
            for name in (action.logical_id, action.folder, action.function_name):
                if name is None:
                    continue
                if name in seen and seen[name][0] != monolith:
                    other, key = seen[name]
                    raise StranglerError(
                        f"action {key!r} of {other} and action {action.key!r} of {monolith} both become {name}",
                        where=places.get(monolith),
                        hint="rename one of the keys, or extract only one of them (--function)",
                    )
                seen.setdefault(name, (monolith, action.key))
