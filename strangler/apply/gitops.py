"""Git: refuse a dirty tree, commit one step at a time, undo a run that failed midway.

Commits go through ``git commit --only -- <paths>`` so that they hold exactly the files
strangler wrote (whatever else the user has staged stays staged and out of them) and so
that the repository's hooks run as for any commit. Undoing a run puts back the index file
byte for byte and moves the branch refs back; it never checks anything out.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import git

from strangler.errors import StranglerError
from strangler.model import FileChange


class GitFailure(Exception):
    """A git command that failed: which step, and what git said."""

    def __init__(self, step: str, output: str):
        super().__init__(f"{step} failed: {output}" if output else f"{step} failed")
        self.step = step
        self.output = output


@dataclass(frozen=True)
class Start:
    """Where the repository was before a run: what an undo goes back to."""

    commit: str | None  # None: no commit yet
    branch: str | None  # None: detached HEAD
    index: bytes | None  # the index file, None when there was none


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

    @property
    def top(self) -> Path:
        assert self.repo is not None and self.repo.working_tree_dir
        return Path(self.repo.working_tree_dir)

    @property
    def git_dir(self) -> Path:
        assert self.repo is not None
        return Path(self.repo.git_dir)

    def repo_path(self, path: str) -> str:
        return (self.project / path).resolve().relative_to(self.top.resolve()).as_posix()

    def _versioned(self, path: str) -> str | None:
        """``path`` inside the repository, or None for a file it cannot version (a module
        copied through a symlink that points outside it: git knows only the link)."""
        try:
            return self.repo_path(path)
        except ValueError:
            return None

    def refuse_dirty(self, paths: Iterable[str]) -> None:
        """Uncommitted changes to files the run would touch (or copy) would be mixed with ours."""
        if self.repo is None:
            return
        wanted = sorted({p for p in map(self._versioned, paths) if p is not None})
        if not wanted:
            return
        dirty: list[str] = []
        for chunk in range(0, len(wanted), 500):  # status takes no pathspec file; stay below ARG_MAX
            status = self._git("git status", "status", "--porcelain", "--untracked-files=all", "--no-renames", "-z",
                               "--", *wanted[chunk : chunk + 500])
            dirty += [entry[3:] for entry in status.split("\0") if len(entry) > 3]
        if dirty:
            listed = "\n    ".join(dirty)
            raise StranglerError(
                f"uncommitted changes to files this run would touch or copy:\n    {listed}",
                where=str(self.top),
                hint="commit or stash them first, or pass --allow-dirty",
            )

    def check_branch(self, name: str) -> None:
        """Refuse a --branch name git would refuse, or one that exists, before anything is written."""
        assert self.repo is not None
        done = self._run("check-ref-format", "--branch", name)
        if done.returncode != 0 or name.startswith("-"):
            raise StranglerError(f"--branch {name!r} is not a valid branch name", where=str(self.top),
                                 hint="see git check-ref-format for the rules (no '..', spaces, '~', '^', ':' ...)")
        if self._run("rev-parse", "--verify", "--quiet", f"refs/heads/{name}").returncode == 0:
            raise StranglerError(f"branch {name} already exists", where=str(self.top), hint="choose another --branch")

    def check_identity(self) -> None:
        """Commits need an author: say so now rather than after writing the first step."""
        for who in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            done = self._run("var", who)
            if done.returncode != 0:
                said = _last_line(done.stderr)
                raise StranglerError(
                    f"git has no identity to commit with ({said})",
                    where=str(self.top),
                    hint='set one: git config --global user.name "Your Name"; git config --global user.email you@example.com',
                )

    def start(self) -> Start:
        """The commit, branch and index to return to if a run fails."""
        assert self.repo is not None
        commit = self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}").stdout.strip() or None
        ref = self._run("symbolic-ref", "--quiet", "HEAD")
        branch = ref.stdout.strip().removeprefix("refs/heads/") if ref.returncode == 0 else None
        index = self._index_file()
        return Start(commit, branch, index.read_bytes() if index.exists() else None)

    def start_branch(self, name: str) -> None:
        self._git(f"git switch --create {name}", "switch", "--quiet", "--create", name)

    def commit(self, changes: Iterable[FileChange], message: str, sha: bool = True) -> str | None:
        """Commit exactly ``changes`` (as they are on disk now), nothing else of the index;
        the new commit's short id, unless ``sha`` is False (``last_commits`` gives a run's
        ids in one call)."""
        changes = list(changes)
        paths = [self.repo_path(c.path) for c in changes]
        created = [self.repo_path(c.path) for c in changes if c.old is None and c.new is not None]
        if created:
            # ``commit --only`` takes only paths git knows: make the new files known, empty.
            self._git("git add --intent-to-add", "add", "--force", "--intent-to-add", "--pathspec-from-file=-",
                      "--pathspec-file-nul", stdin=_nul(created))
        self._git("git commit", "commit", "--quiet", "--only", "--allow-empty", "--no-edit", "-m", message,
                  "--pathspec-from-file=-", "--pathspec-file-nul", stdin=_nul(paths))
        if not sha:
            return None
        return self._git("git rev-parse", "rev-parse", "--short=10", "HEAD").strip()

    def last_commits(self, count: int) -> list[str]:
        """The short ids (as ``commit`` gives them) of the last ``count`` commits of HEAD,
        oldest first."""
        if count <= 0:
            return []
        listed = self._git("git rev-list", "rev-list", "--first-parent", "--abbrev-commit", "--abbrev=10",
                           f"--max-count={count}", "HEAD")
        return list(reversed(listed.split()))

    def undo(self, start: Start, new_branch: str | None) -> list[str]:
        """Put refs and index back as ``start`` says; what could not be undone, as messages."""
        assert self.repo is not None
        problems: list[str] = []

        def attempt(step: str, *args: str) -> None:
            done = self._run(*args)
            if done.returncode != 0:
                problems.append(f"{step}: {_last_line(done.stderr)}")

        if new_branch is not None:
            if start.branch is not None:
                attempt(f"git symbolic-ref HEAD refs/heads/{start.branch}", "symbolic-ref", "HEAD", f"refs/heads/{start.branch}")
            elif start.commit is not None:
                attempt(f"git update-ref --no-deref HEAD {start.commit}", "update-ref", "--no-deref", "HEAD", start.commit)
            if self._run("rev-parse", "--verify", "--quiet", f"refs/heads/{new_branch}").returncode == 0:
                attempt(f"git update-ref -d refs/heads/{new_branch}", "update-ref", "-d", f"refs/heads/{new_branch}")
        elif start.branch is not None:
            ref = f"refs/heads/{start.branch}"
            if start.commit is not None:
                attempt(f"git update-ref {ref} {start.commit}", "update-ref", ref, start.commit)
            else:
                attempt(f"git update-ref -d {ref}", "update-ref", "-d", ref)
        elif start.commit is not None:
            attempt(f"git update-ref --no-deref HEAD {start.commit}", "update-ref", "--no-deref", "HEAD", start.commit)
        try:
            self._restore_index(start.index)
        except OSError as exc:
            problems.append(f"restoring {self._index_file()}: {exc}")
        return problems

    # --- plumbing -------------------------------------------------------------------
    def _index_file(self) -> Path:
        path = Path(self._git("git rev-parse", "rev-parse", "--git-path", "index").strip())
        return path if path.is_absolute() else self.top / path

    def _restore_index(self, content: bytes | None) -> None:
        index = self._index_file()
        if content is None:
            index.unlink(missing_ok=True)
            return
        temp = index.with_name("index.strangler-undo")
        temp.write_bytes(content)
        os.replace(temp, index)

    def _run(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0"}
        env.pop("GIT_INDEX_FILE", None)  # the index strangler restores is the repository's
        done = subprocess.run(["git", *args], cwd=self.top, env=env, input=stdin, capture_output=True, check=False)
        return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                           done.stderr.decode("utf-8", "replace"))

    def _git(self, step: str, *args: str, stdin: bytes | None = None) -> str:
        done = self._run(*args, stdin=stdin)
        if done.returncode != 0:
            raise GitFailure(step, (done.stderr.strip() or done.stdout.strip()))
        return done.stdout


def _nul(paths: Iterable[str]) -> bytes:
    return b"".join(p.encode("utf-8") + b"\0" for p in paths)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
