"""Write a rendered change: validated first, then applied all at once or one commit per step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strangler import changeset, validate
from strangler.errors import StranglerError
from strangler.gitops import Workspace
from strangler.model import ChangeSet, FileChange
from strangler.pipeline import Outcome


@dataclass(frozen=True)
class WriteOptions:
    allow_dirty: bool = False
    commit: bool = False
    branch: str | None = None


def write(outcome: Outcome, options: WriteOptions, say: Callable[[str], None]) -> None:
    """Apply ``outcome`` to the disk, or raise with nothing changed."""
    assert outcome.changes is not None and outcome.plan is not None
    project = outcome.project
    changes = outcome.changes.changes
    validate.check(changes, project.relative(project.template.path))
    workspace = Workspace.find(project.root)
    if not workspace.versioned:
        if options.commit or options.branch:
            raise StranglerError("--commit and --branch need a git repository", where=str(project.root))
        say("Not in a git repository: nothing is versioned, keep a copy of the app before going on.")
    elif not options.allow_dirty:
        workspace.refuse_dirty(c.path for c in changes)
    if options.commit:
        _commit_steps(outcome, workspace, options.branch, say)
        return
    if options.branch:
        workspace.start_branch(options.branch)
    _apply(project.root, changes)


def _apply(root, changes) -> None:
    try:
        changeset.apply(root, changes)
    except changeset.ApplyError as exc:
        raise StranglerError(f"could not write ({exc.cause}); nothing was changed", where=exc.path) from exc


def _commit_steps(outcome: Outcome, workspace: Workspace, branch: str | None, say: Callable[[str], None]) -> None:
    plan = outcome.plan
    assert plan is not None
    start, start_branch = workspace.head()
    if branch:
        workspace.start_branch(branch)
    titles = [f"Extract {a.key} from {plan.monolith.logical_id} into {a.logical_id}" for a in plan.actions]
    if plan.retire:
        titles.append(f"Retire {plan.monolith.logical_id}: every action has its own function")
    written: dict[str, str | None] = {}
    touched: list[str] = []
    try:
        for step, title in zip(outcome.steps, titles):
            delta = _delta(step, written)
            _apply(outcome.project.root, delta)
            touched.extend(c.path for c in delta)
            sha = workspace.commit(delta, _message(title, step, delta))
            say(f"[{sha}] {title}")
    except BaseException:
        workspace.undo(start, start_branch, branch, touched)
        raise


def _delta(step: ChangeSet, written: dict[str, str | None]) -> list[FileChange]:
    """What this cumulative step changes on top of the steps before it."""
    delta = []
    for change in step.changes:
        current = written.get(change.path, change.old)
        if current != change.new:
            delta.append(FileChange(change.path, current, change.new))
            written[change.path] = change.new
    return delta


def _message(title: str, step: ChangeSet, delta: list[FileChange]) -> str:
    marks = {True: "A", False: "M"}
    files = [f"  {'D' if c.new is None else marks[c.old is None]} {c.path}" for c in delta]
    what = step.report.created[-1:] if step.report.created else ()
    body = [f"New function: {line}" for line in what]
    return "\n".join([title, "", *body, "", "Files:", *files]).replace("\n\n\n", "\n\n")
