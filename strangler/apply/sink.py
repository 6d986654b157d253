"""Write a rendered change: validated first, then applied all at once or one commit per step.

A run either completes or leaves the tree and the repository exactly as they were: a
failure or a signal at any point of the writing (``interrupts``) rolls back the files,
and with ``--commit`` also the commits, the branch and the index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from strangler.apply import changeset, interrupts, lock, validate
from strangler.apply.gitops import GitFailure, Start, Workspace
from strangler.errors import StranglerError
from strangler.load.project import Project
from strangler.model import ChangeSet, FileChange
from strangler.pipeline import Outcome
from strangler.plan.plan import ActionPlan
from strangler.progress import SILENT, Progress


@dataclass(frozen=True)
class WriteOptions:
    allow_dirty: bool = False
    commit: bool = False
    branch: str | None = None


def write(outcome: Outcome, options: WriteOptions, say: Callable[[str], None], progress: Progress = SILENT) -> None:
    """Apply ``outcome`` to the disk, or raise with nothing changed. ``progress`` is told
    the phases: checking the change, then writing it (or committing each step, counted)."""
    assert outcome.changes is not None and outcome.plan is not None
    project = outcome.project
    changes = outcome.changes.changes
    progress.phase(CHECKING)
    validate.check(changes, project.relative(project.template.path), say)
    workspace = Workspace.find(project.root)
    where = lock.place(project.template.path.parent, workspace.git_dir if workspace.versioned else None)
    # Signals wait from here (taken at each phase): none can come between taking the lock
    # and the block that gives it back. The lock comes first so that a second run is told
    # about the first, not about the files the first is writing.
    with interrupts.deferred(), lock.held(where):
        interrupts.phase("locked")
        _check(outcome, workspace, options, say)
        if options.commit:
            progress.phase(COMMITTING, len(outcome.steps))
            _commit_steps(outcome, workspace, options.branch, say, progress)
        else:
            progress.phase(f"Writing {len(changes)} file{'' if len(changes) == 1 else 's'}")
            _apply_once(project.root, changes, workspace, options.branch)
        interrupts.written()
        interrupts.mark("written")


# The phases of a write as a terminal shows them.
CHECKING = "Checking that the code compiles and the template translates"
COMMITTING = "Committing"


def _check(outcome: Outcome, workspace: Workspace, options: WriteOptions, say: Callable[[str], None]) -> None:
    """Refusals that need the repository: all before anything is written."""
    assert outcome.changes is not None
    if not workspace.versioned:
        if options.commit or options.branch:
            raise StranglerError("--commit and --branch need a git repository", where=str(outcome.project.root))
        say("Not in a git repository: nothing is versioned, keep a copy of the app before going on.")
        return
    if not options.allow_dirty:
        workspace.refuse_dirty([*(c.path for c in outcome.changes.changes), *copied_sources(outcome)])
    if options.branch:
        workspace.check_branch(options.branch)
    if options.commit:
        workspace.check_identity()


def copied_sources(outcome: Outcome) -> list[str]:
    """Files of the monolith's folder that the run reads and copies into a new function.

    Each new function's folder mirrors the monolith's (``needs.function_files``): its
    handler module, local modules and requirements.txt come from the same relative path
    under the monolith's CodeUri. An uncommitted edit to one of them would be copied.
    """
    assert outcome.changes is not None and outcome.plan is not None
    project = outcome.project
    # Each written file under the folder that holds it (and that folder's parents): one
    # pass over the changes, not one per action, which a large migrate makes quadratic.
    written_under: dict[Path, list[Path]] = {}
    for change in outcome.changes.changes:
        if change.new is None:
            continue
        target = project.root / change.path
        for parent in target.parents:
            written_under.setdefault(parent, []).append(target)
    found = []
    for plan in outcome.plans:
        code_dir = plan.monolith.code_dir
        for action in plan.actions:
            folder = project.root / action.folder
            for target in written_under.get(folder, ()):
                source = code_dir / target.relative_to(folder)
                if source.is_file():
                    found.append(project.relative(source))
    return sorted(set(found))


def _apply_once(root: Path, changes: tuple[FileChange, ...], workspace: Workspace, branch: str | None) -> None:
    start = workspace.start() if branch else None
    try:
        if branch:
            workspace.start_branch(branch)
            interrupts.phase("branch")
        _apply(root, changes)
    except BaseException as exc:
        if start is not None:
            _undo_git(workspace, start, branch, None)
        if isinstance(exc, GitFailure):
            raise _git_error(exc, workspace) from exc
        raise


def _apply(root: Path, changes) -> None:
    try:
        changeset.apply(root, changes)
    except changeset.ApplyError as exc:
        raise StranglerError(f"could not write ({exc.cause}); nothing was changed", where=exc.path) from exc


def _commit_steps(outcome: Outcome, workspace: Workspace, branch: str | None, say: Callable[[str], None],
                  progress: Progress = SILENT) -> None:
    root = outcome.project.root
    start = workspace.start()
    titles = step_titles(outcome)
    originals = changeset.Originals(root)
    written: dict[str, str | None] = {}
    said: list[str] = []
    try:
        if branch:
            workspace.start_branch(branch)
            interrupts.phase("branch")
        for number, (step, title) in enumerate(zip(outcome.steps, titles), start=1):
            delta = _delta(step, written)
            originals.remember(c.path for c in delta)
            _apply(root, delta)
            interrupts.phase(f"commit {number} before")
            try:
                # The ids are read once at the end: one git process less per step.
                workspace.commit(delta, _message(title, step, delta), sha=False)
            except GitFailure as exc:
                raise GitFailure(f"{exc.step} of step {number} ({title})", exc.output) from exc
            interrupts.phase(f"commit {number} after")
            progress.advance(title)
        committed = titles[: min(len(outcome.steps), len(titles))]
        said = [f"[{sha}] {title}" for sha, title in zip(workspace.last_commits(len(committed)), committed)]
        interrupts.phase("committed")
    except BaseException as exc:
        _undo_git(workspace, start, branch, originals)
        if isinstance(exc, GitFailure):
            raise _git_error(exc, workspace) from exc
        raise
    # Said only now: until the last commit, an interrupted run takes every commit back.
    for line in said:
        say(line)


def step_titles(outcome: Outcome) -> list[str]:
    """One commit title per step, in the order the steps were rendered: each monolith's
    actions, then its retirement, then the next monolith's."""
    titles = []
    for plan in outcome.plans:
        if not (plan.actions or plan.retire):
            continue
        titles += [f"Extract {_what(a)} from {plan.monolith.logical_id} into {a.logical_id}" for a in plan.actions]
        if plan.retire:
            titles.append(f"Retire {plan.monolith.logical_id}: every action has its own function")
    return titles


def _what(action: ActionPlan) -> str:
    """The action's key, and a group's actions: a commit title names what moved."""
    return f"{action.key} ({', '.join(action.group)})" if action.group else action.key


def _undo_git(workspace: Workspace, start: Start, branch: str | None, originals: changeset.Originals | None) -> None:
    """Back to ``start``: files, index, branch and HEAD. Nothing stops it (signals wait)."""
    with interrupts.deferred():
        problems = originals.restore() if originals is not None else []
        problems += workspace.undo(start, branch)
    if problems:
        listed = "\n    ".join(problems)
        raise StranglerError(
            f"the run failed and could not be undone completely:\n    {listed}",
            where=str(workspace.top),
            hint=f"the repository was at {start.commit or 'no commit'} on {start.branch or 'a detached HEAD'}; "
                 "put back what is listed by hand",
        )


def _git_error(exc: GitFailure, workspace: Workspace) -> StranglerError:
    said = [line for line in exc.output.splitlines() if line.strip()][-6:]
    detail = ("\n    " + "\n    ".join(said)) if said else ""
    return StranglerError(
        f"{exc.step} failed; nothing was changed (files, commits, branch and index are as before){detail}",
        where=str(workspace.top),
        hint="fix what git reports (a hook, the identity, the branch name) and run again",
    )


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


def write_changes(project: Project, changes: ChangeSet, options: WriteOptions, say: Callable[[str], None]) -> None:
    """Apply a ChangeSet that is not a split (``strangler check --fix``) the way ``write``
    applies one: validated first, under the lock, a dirty tree refused, all or nothing."""
    if options.commit or options.branch:
        raise StranglerError("--commit and --branch are for extract and migrate", where=str(project.root))
    validate.check(changes.changes, project.relative(project.template.path), say)
    workspace = Workspace.find(project.root)
    where = lock.place(project.template.path.parent, workspace.git_dir if workspace.versioned else None)
    with interrupts.deferred(), lock.held(where):
        interrupts.phase("locked")
        if not workspace.versioned:
            say("Not in a git repository: nothing is versioned, keep a copy of the app before going on.")
        elif not options.allow_dirty:
            workspace.refuse_dirty([change.path for change in changes.changes])
        _apply_once(project.root, changes.changes, workspace, None)
        interrupts.written()
        interrupts.mark("written")
