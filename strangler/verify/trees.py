"""Before and after: the application at a git ref, and the work tree.

"Before" is read out of git into a temporary folder (``git archive``), so the work tree
is never touched. Without ``--before``: ``HEAD`` when the work tree has uncommitted
changes, else the commit before the run of strangler commits that ends at ``HEAD``.
"""

from __future__ import annotations

import io
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

import git

from strangler.errors import StranglerError

# The titles strangler gives its commits (apply/sink.py step_titles).
_STEP_TITLE = re.compile(r"^(Extract .+ from \S+ into \S+|Retire \S+: every action has its own function)$")


@dataclass(frozen=True)
class Versions:
    """Where the application is before (a ref, extracted to ``before``) and after."""

    ref: str
    commit: str
    why: str  # how the ref was chosen, for the report
    before: Path  # the application's folder inside the extracted tree
    after: Path


def versions(project: Path, ref: str | None, scratch: Path) -> Versions:
    """The two versions of the application in ``project``; ``before`` lands in ``scratch``."""
    try:
        repo = git.Repo(project, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise StranglerError(
            "the application is not in a git repository, so there is no version before the split to compare with",
            where=str(project),
            hint="commit the monolith before running strangler (or pass --before REF in a repository)",
        ) from None
    top = Path(repo.working_tree_dir or project).resolve()
    inside = project.resolve().relative_to(top)
    if ref is None:
        ref, why = _default_ref(repo, inside)
    else:
        why = "given with --before"
    commit = _commit(repo, ref)
    _extract(repo, commit, inside, scratch)
    return Versions(ref, commit.hexsha, why, scratch / inside, project.resolve())


def _default_ref(repo: git.Repo, inside: Path) -> tuple[str, str]:
    if not repo.head.is_valid():
        raise StranglerError("the repository has no commit yet", where=str(repo.working_tree_dir),
                             hint="commit the monolith, run strangler, then verify")
    if repo.is_dirty(untracked_files=True, path=str(inside) if str(inside) != "." else None):
        return "HEAD", "the work tree has uncommitted changes: compared with HEAD"
    steps = 0
    commit = repo.head.commit
    while _STEP_TITLE.match(commit.summary if isinstance(commit.summary, str) else "") and commit.parents:
        steps += 1
        commit = commit.parents[0]
    if not steps:
        raise StranglerError(
            "nothing to verify: the work tree has no uncommitted change and HEAD is not a strangler commit",
            where=str(repo.working_tree_dir),
            hint="run extract or migrate first, or name the version before the split with --before REF",
        )
    return commit.hexsha[:12], f"the commit before the {steps} strangler commit{'s' if steps > 1 else ''} ending at HEAD"


def _commit(repo: git.Repo, ref: str) -> git.Commit:
    try:
        return repo.commit(ref)
    except (git.BadName, ValueError, git.GitCommandError):
        raise StranglerError(f"no commit {ref!r} in the repository", where=str(repo.working_tree_dir),
                             hint="pass a branch, tag or commit to --before") from None


def _extract(repo: git.Repo, commit: git.Commit, inside: Path, scratch: Path) -> None:
    scratch.mkdir(parents=True, exist_ok=True)
    stream = io.BytesIO()
    paths = [] if str(inside) == "." else [inside.as_posix()]
    try:
        repo.archive(stream, commit.hexsha, format="tar", path=paths) if paths else repo.archive(stream, commit.hexsha, format="tar")
    except git.GitCommandError:
        raise StranglerError(f"the application's folder {inside} is not in {commit.hexsha[:12]}",
                             where=str(repo.working_tree_dir), hint="pass --before a commit that has the monolith") from None
    stream.seek(0)
    with tarfile.open(fileobj=stream) as archive:
        archive.extractall(scratch, filter="data")
