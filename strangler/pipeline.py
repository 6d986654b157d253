"""The stages wired together: load -> analyse -> plan -> render. The CLI only prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from strangler import deep
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.table import NoDispatch
from strangler.analyse.facts import FactCache
from strangler.analyse.function import analyse_function
from strangler.errors import StranglerError
from strangler.model import ChangeSet
from strangler.plan.plan import (
    DEFAULT_FUNCTIONS_DIR,
    Plan,
    plan_actions,
)
from strangler.load.project import Project, extracted_by_earlier_runs, load
from strangler.render.render import render, render_steps


@dataclass(frozen=True)
class Outcome:
    """A finished plan and its change, or only a message when there is nothing to do."""

    project: Project
    plan: Plan | None
    changes: ChangeSet | None
    message: str | None = None
    steps: tuple[ChangeSet, ...] = ()


def dispatching(project: Project, logical_id: str | None) -> list[Analysis]:
    """The monolith(s) to work on: ``--function``, or every function whose handler dispatches."""
    return deep.call(_dispatching, project, logical_id)


def _dispatching(project: Project, logical_id: str | None) -> list[Analysis]:
    if logical_id is not None:
        return [analyse_function(project, project.function(logical_id))]
    found, errors = [], []
    for function in project.functions:
        if function.is_strangler:
            continue
        try:
            found.append(analyse_function(project, function))
        except NoDispatch as exc:
            errors.append(exc)
        except StranglerError:
            raise
    if not found and errors:
        raise errors[0]
    if not found and project.skipped:
        reasons = "; ".join(f"{logical_id}: {why}" for logical_id, why in project.skipped.items())
        raise StranglerError(f"no Python function with local code strangler can take apart ({reasons})",
                             where=project.template.path.name)
    return found


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
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Extract ``keys`` (all when None) and optionally retire the monolith."""
    return deep.call(
        _run, directory, template, function, keys,
        retire=retire, functions_dir=functions_dir, steps=steps, progress=progress,
    )


def _run(
    directory: Path,
    template: Path | None,
    function: str | None,
    keys: tuple[str, ...] | None,
    *,
    retire: bool,
    functions_dir: str,
    steps: bool,
    progress: Callable[[str], None] | None,
) -> Outcome:
    project = load(directory, template)
    analysis = _monolith_or_done(project, function)
    if isinstance(analysis, str):
        return Outcome(project, None, None, analysis)
    plan = plan_actions(project, analysis, keys, retire=retire, functions_dir=functions_dir)
    if not plan.actions and not plan.retire:
        return Outcome(project, plan, None, "; ".join(plan.already) or "nothing to extract")
    # Either way the render edits the loaded template itself: a copy of a large template
    # costs more than all the edits, and nothing renders this project again.
    if steps:
        step_sets = tuple(render_steps(project, analysis, plan, FactCache(), progress))
        changes = step_sets[-1]
    else:
        step_sets = ()
        changes = render(project, analysis, plan, FactCache(), progress, consume_template=True)
    return Outcome(project, plan, changes, None, step_sets)


def _monolith_or_done(project: Project, function: str | None) -> Analysis | str:
    """The monolith's analysis, or why there is nothing to do (it was retired already)."""
    if function is not None and function not in {f.logical_id for f in project.functions}:
        made = extracted_by_earlier_runs(project, function)
        if made:
            return f"nothing to do: {function} was already migrated to {', '.join(f.logical_id for f in made.values())}"
    analysis = choose_monolith(project, function)
    if analysis is not None:
        return analysis
    retired = sorted({f.extracted_from for f in project.functions if f.extracted_from} - set(project.resources))
    if retired:
        made = [f.logical_id for f in project.functions if f.extracted_from in retired]
        return f"nothing to do: {', '.join(retired)} was already migrated to {', '.join(made)}"
    raise StranglerError("no function of the template dispatches", where=project.template.path.name)
