"""Git: refuse a dirty tree, commit one step at a time, undo a run that failed midway."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import git

from strangler.errors import StranglerError
from strangler.model import FileChange


@dataclass(frozen=True)
class Workspace:
    """The repository around the project, if there is one."""

    repo: git.Repo | None
    project: Path

    @classmethod
    def find(cls, project: Path) -> "Workspace":
        try:
            return cls(git.Repo(project, search_parent_directories=True), project)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return cls(None, project)

    @property
    def versioned(self) -> bool:
        return self.repo is not None

    def repo_path(self, path: str) -> str:
        assert self.repo is not None and self.repo.working_tree_dir
        return (self.project / path).resolve().relative_to(Path(self.repo.working_tree_dir).resolve()).as_posix()

    def refuse_dirty(self, paths: Iterable[str]) -> None:
        """Uncommitted changes to files the run would touch would be mixed with ours."""
        if self.repo is None:
            return
        wanted = [self.repo_path(p) for p in paths]
        if not wanted:
            return
        status = self.repo.git.status("--porcelain", "--untracked-files=all", "--", *wanted)
        dirty = [line[3:] for line in status.splitlines() if line.strip()]
        if dirty:
            listed = "\n    ".join(dirty)
            raise StranglerError(
                f"uncommitted changes to files this run would touch:\n    {listed}",
                where=self.repo.working_tree_dir,
                hint="commit or stash them first, or pass --allow-dirty",
            )

    def start_branch(self, name: str) -> None:
        assert self.repo is not None
        if name in self.repo.heads:
            raise StranglerError(f"branch {name} already exists", where=self.repo.working_tree_dir, hint="choose another --branch")
        self.repo.git.checkout("-b", name)

    def commit(self, changes: Iterable[FileChange], message: str) -> str:
        assert self.repo is not None
        changes = list(changes)
        written = [self.repo_path(c.path) for c in changes if c.new is not None]
        deleted = [self.repo_path(c.path) for c in changes if c.new is None]
        if written:
            self.repo.index.add(written)
        if deleted:
            self.repo.index.remove(deleted)
        return self.repo.index.commit(message).hexsha[:10]

    def head(self) -> tuple[str | None, str | None]:
        """The commit and branch to return to if a run fails."""
        assert self.repo is not None
        branch = None if self.repo.head.is_detached else self.repo.active_branch.name
        commit = self.repo.head.commit.hexsha if self.repo.head.is_valid() else None
        return commit, branch

    def undo(self, commit: str | None, branch: str | None, new_branch: str | None, paths: Iterable[str]) -> None:
        """Put the repository back where it was: commits, index and the touched files."""
        assert self.repo is not None
        if commit is not None:
            self.repo.head.reset(commit, index=True, working_tree=False)
            tracked = set(self.repo.git.ls_tree("-r", "--name-only", commit).splitlines())
            mine = [self.repo_path(p) for p in paths]
            restore = [p for p in mine if p in tracked]
            if restore:
                self.repo.git.checkout(commit, "--", *restore)
            for path in mine:
                target = Path(self.repo.working_tree_dir) / path
                if path not in tracked and target.exists():
                    target.unlink()
        if branch is not None and new_branch is not None:
            self.repo.git.checkout(branch)
            self.repo.git.branch("-D", new_branch)
