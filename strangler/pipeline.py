"""The stages wired together: load -> analyse -> plan -> render. The CLI only prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler import deep
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.table import NoDispatch
from strangler.analyse.facts import FactCache
from strangler.analyse.function import analyse_function
from strangler.errors import StranglerError, did_you_mean
from strangler.load.project import (
    NO_CODE_DIRS,
    CodeDirs,
    Project,
    extracted_by_earlier_runs,
    load,
)
from strangler.model import ChangeSet
from strangler.plan import groups
from strangler.plan.plan import (
    DEFAULT_FUNCTIONS_DIR,
    Plan,
    check_across,
    plan_actions,
)
from strangler.progress import SILENT, Progress
from strangler.render.render import render_all, render_steps_all


@dataclass(frozen=True)
class Outcome:
    """Finished plans (one per monolith, rendered into one change), or only a message when
    there is nothing to do."""

    project: Project
    plans: tuple[Plan, ...]
    changes: ChangeSet | None
    message: str | None = None
    steps: tuple[ChangeSet, ...] = ()

    @property
    def plan(self) -> Plan | None:
        """The first plan (the only one unless several monoliths are split in one run)."""
        return self.plans[0] if self.plans else None

    @property
    def already(self) -> tuple[str, ...]:
        return tuple(line for plan in self.plans for line in plan.already)


# The first phase of a run as a terminal shows it: reading the template and the code,
# finding each dispatch and planning the new functions.
ANALYSING = "Analysing the application"


@dataclass(frozen=True)
class Survey:
    """Every function of the template: the monoliths, and why each other one is not split."""

    monoliths: tuple[Analysis, ...]
    not_split: tuple[tuple[str, str], ...]  # (logical id, why)
    # Functions whose handler dispatches or could not be analysed, refused: they stop a
    # migrate of the whole template, and a scan reports them.
    refused: tuple[tuple[str, StranglerError], ...] = ()
    # Why each function was not split, to raise when no function at all can be.
    no_dispatch: tuple[StranglerError, ...] = ()
    single: tuple[str, ...] = ()  # handlers with one action: not monoliths


def survey(project: Project, logical_id: str | None) -> Survey:
    """``--function`` alone (its refusal raised), or every function of the template."""
    return deep.call(_survey, project, logical_id)


def _survey(project: Project, logical_id: str | None) -> Survey:
    if logical_id is not None:
        return Survey((analyse_function(project, project.function(logical_id)),), ())
    monoliths: list[Analysis] = []
    not_split: list[tuple[str, str]] = []
    refused: list[tuple[str, StranglerError]] = []
    no_dispatch: list[StranglerError] = []
    single_ids: list[str] = []
    skipped = dict(project.skipped)
    for function in project.functions:
        if function.is_strangler:
            continue
        try:
            analysis = analyse_function(project, function)
        except NoDispatch as exc:
            not_split.append((function.logical_id, _said(exc)))
            no_dispatch.append(exc)
            continue
        except StranglerError as exc:
            if function.has_local_code:
                refused.append((function.logical_id, exc))
            else:
                # Code that is not here (a typo in Handler, code built elsewhere): not ours
                # to split, but the reason to give when no function at all can be split.
                not_split.append((function.logical_id, f"not local Python code: {exc.message}"))
                no_dispatch.append(exc)
            continue
        single = _single_action(project, analysis)
        if single is not None:
            not_split.append((function.logical_id, single))
            single_ids.append(function.logical_id)
        else:
            monoliths.append(analysis)
    order = {name: index for index, name in enumerate(project.resources)}
    not_split += [(name, f"not local Python code: {why}") for name, why in skipped.items()]
    not_split.sort(key=lambda item: order.get(item[0], len(order)))
    return Survey(tuple(monoliths), tuple(not_split), tuple(refused), tuple(no_dispatch), tuple(single_ids))


def _said(error: StranglerError) -> str:
    return f"{error.message} ({error.where})" if error.where else error.message


def _single_action(project: Project, analysis: Analysis) -> str | None:
    """Why a handler with one action (and a default) is not a monolith; None when it is one.

    Actions earlier runs extracted count: a monolith with one action left is still split."""
    keys = [a.key for a in analysis.dispatch.actions]
    if len(keys) + len(extracted_by_earlier_runs(project, analysis.function.logical_id)) >= 2:
        return None
    if not keys:
        return f"its dispatch at {analysis.path}:{analysis.dispatch.line} has no action"
    return f"one action only ({keys[0]!r} at {analysis.path}:{analysis.dispatch.line}): not a monolith"


def dispatching(project: Project, logical_id: str | None) -> list[Analysis]:
    """The monolith(s) to work on: ``--function``, or every function whose handler dispatches
    (a refusal is raised when no function dispatches)."""
    found = survey(project, logical_id)
    if not found.monoliths:
        _no_monolith(project, found)
    return list(found.monoliths)


def _no_monolith(project: Project, found: Survey) -> None:
    """Raise why nothing can be split: a refusal first, then the first "no dispatch"."""
    if found.refused:
        raise found.refused[0][1]
    if found.single:
        return
    if found.no_dispatch:
        raise found.no_dispatch[0]
    if project.skipped:
        reasons = "; ".join(f"{logical_id}: {why}" for logical_id, why in project.skipped.items())
        raise StranglerError(f"no Python function with local code strangler can take apart ({reasons})",
                             where=project.template.path.name)


def choose_monolith(project: Project, logical_id: str | None) -> Analysis | None:
    analyses = dispatching(project, logical_id)
    if len(analyses) > 1:
        names = ", ".join(a.function.logical_id for a in analyses)
        raise StranglerError(f"several functions dispatch ({names})", where=project.template.path.name, hint="choose one with --function")
    return analyses[0] if analyses else None


def run(
    directory: Path,
    template: Path | None,
    function: str | None,
    keys: tuple[str, ...] | None,
    *,
    retire: bool,
    functions_dir: str = DEFAULT_FUNCTIONS_DIR,
    steps: bool = False,
    progress: Progress = SILENT,
    code: CodeDirs = NO_CODE_DIRS,
    into: str | None = None,
) -> Outcome:
    """Extract ``keys`` (all when None) and optionally retire the monolith(s); ``into``
    puts the keys into one function of that name (a group). ``code`` (``--code``) says
    where the source of a monolith whose code is in S3 is. ``progress`` is told each phase
    (analysis, then the render's) and each action as it is rendered."""
    return deep.call(
        _in_long_run, directory, template, function, keys,
        retire=retire, functions_dir=functions_dir, steps=steps, progress=progress, code=code, into=into,
    )


def _in_long_run(directory: Path, *args: Any, **kwargs: Any) -> Outcome:
    with deep.long_run():  # the survey's and each action's objects are frozen as they settle
        return _run(directory, *args, **kwargs)


def _run(
    directory: Path,
    template: Path | None,
    function: str | None,
    keys: tuple[str, ...] | None,
    *,
    retire: bool,
    functions_dir: str,
    steps: bool,
    progress: Progress,
    code: CodeDirs,
    into: str | None = None,
) -> Outcome:
    progress.phase(ANALYSING)
    project = load(directory, template, code)
    wanted = groups.request(project.settings, keys, into)
    keys = wanted.keys
    chosen = _monoliths_or_done(project, function, keys)
    deep.settled()  # the project and its analyses live until the end
    if isinstance(chosen, str):
        return Outcome(project, (), None, chosen)
    if function is None and wanted.into is None:
        chosen = _out_of_groups(project, chosen)
    pairs = tuple(
        (analysis, plan_actions(project, analysis, taken, retire=retire, functions_dir=functions_dir, wanted=wanted))
        for analysis, taken in chosen
    )
    check_across([plan for _, plan in pairs], {a.function.logical_id: f"{a.path}:{a.dispatch.line}" for a, _ in pairs})
    plans = tuple(plan for _, plan in pairs)
    work = tuple((analysis, plan) for analysis, plan in pairs if plan.actions or plan.retire)
    if not work:
        return Outcome(project, plans, None, "; ".join(line for p in plans for line in p.already) or "nothing to extract")
    # Either way the render edits the loaded template itself: a copy of a large template
    # costs more than all the edits, and nothing renders this project again.
    if steps:
        step_sets = tuple(render_steps_all(project, work, FactCache(), progress))
        changes = step_sets[-1]
    else:
        step_sets = ()
        changes = render_all(project, work, FactCache(), progress, consume_template=True)
    return Outcome(project, tuple(plan for _, plan in work) + tuple(p for p in plans if not (p.actions or p.retire)),
                   changes, None, step_sets)


Chosen = list[tuple[Analysis, "tuple[str, ...] | None"]]


def _out_of_groups(project: Project, chosen: Chosen) -> Chosen:
    """An action asked for by name that an earlier run put into a group's function with
    other actions is taken out of that function: it is then the monolith (it dispatches)."""
    found: Chosen = []
    for analysis, keys in chosen:
        if keys is None:
            found.append((analysis, keys))
            continue
        earlier = extracted_by_earlier_runs(project, analysis.function.logical_id)
        grouped: dict[str, list[str]] = {}
        for key in keys:
            owner = earlier.get(key)
            if owner is not None and len(owner.strangler_actions) > 1:
                grouped.setdefault(owner.logical_id, []).append(key)
        rest = tuple(key for key in keys if not any(key in taken for taken in grouped.values()))
        if rest or not grouped:
            found.append((analysis, rest))
        found += [(analyse_function(project, project.function(owner)), tuple(taken)) for owner, taken in grouped.items()]
    return found


def _monoliths_or_done(project: Project, function: str | None, keys: tuple[str, ...] | None) -> Chosen | str:
    """Each monolith with the keys to take from it (None: all), or why there is nothing to do."""
    if function is not None and function not in {f.logical_id for f in project.functions}:
        made = extracted_by_earlier_runs(project, function)
        if made:
            return f"nothing to do: {function} was already migrated to {', '.join(f.logical_id for f in made.values())}"
    if function is not None:
        return [(analysis, keys) for analysis in dispatching(project, function)]
    found = survey(project, None)
    if keys is not None and found.monoliths:
        return _owners(project, found, keys)
    if found.refused and (keys is None or not found.monoliths):
        # migrate is all or nothing: a monolith strangler cannot split stops the run.
        raise found.refused[0][1]
    if found.monoliths:
        return [(analysis, keys) for analysis in found.monoliths]
    retired = sorted({f.extracted_from for f in project.functions if f.extracted_from} - set(project.resources))
    if retired:
        made = [f.logical_id for f in project.functions if f.extracted_from in retired]
        return f"nothing to do: {', '.join(retired)} was already migrated to {', '.join(made)}"
    _no_monolith(project, found)
    if found.single:
        # A handler with one action is not a monolith: left alone, not a failure.
        return "nothing to split: " + "; ".join(f"{name}: {why}" for name, why in found.not_split if name in found.single)
    raise StranglerError("no function of the template dispatches", where=project.template.path.name)


def _owners(project: Project, found: Survey, keys: tuple[str, ...]) -> Chosen:
    """The monolith that has each action; one run may take actions from several."""
    wanted: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        owners = [
            analysis.function.logical_id for analysis in found.monoliths
            if key in {a.key for a in analysis.dispatch.actions}
            or key in extracted_by_earlier_runs(project, analysis.function.logical_id)
        ]
        if len(owners) > 1:
            raise StranglerError(
                f"action {key!r} is an action of several functions: {', '.join(owners)}",
                where=project.template.path.name,
                hint="choose one with --function",
            )
        if not owners:
            if found.refused:
                raise found.refused[0][1]
            listed = "; ".join(
                f"{a.function.logical_id}: {', '.join(x.key for x in a.dispatch.actions) or 'none left'}"
                for a in found.monoliths
            )
            every = [x.key for a in found.monoliths for x in a.dispatch.actions]
            raise StranglerError(f"unknown action {key!r}; the actions are {listed}", where=project.template.path.name,
                                 hint=did_you_mean(key, every))
        wanted.setdefault(owners[0], []).append(key)
    return [(analysis, tuple(wanted[analysis.function.logical_id]))
            for analysis in found.monoliths if analysis.function.logical_id in wanted]
