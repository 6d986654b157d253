"""Hostile inputs: run the CLI as a user would and check that a refusal left nothing behind.

Every case of ``tests/hostile`` reads as: an app (a fixture copy, often in a git
repository, then broken on purpose), a command, and an expectation on the exit code, the
message and the tree. ``TreeState`` is what "untouched" means: every byte of every file,
every folder (an empty one left behind counts), and the repository's HEAD, branches,
index and status.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import git
from click.testing import CliRunner, Result

from strangler import deep
from strangler.cli import main
from tests.support.apps import copy_app

LITTER = re.compile(r"\.strangler-(new|old)$|\.strangler\.lock$")


@dataclass(frozen=True)
class TreeState:
    files: dict[str, bytes]
    folders: frozenset[str]
    git: tuple[str, ...] = ()

    @classmethod
    def of(cls, root: Path) -> TreeState:
        files: dict[str, bytes] = {}
        folders: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".git", "__pycache__")]
            here = Path(dirpath)
            for name in dirnames:
                folders.add((here / name).relative_to(root).as_posix())
            for name in filenames:
                path = here / name
                key = path.relative_to(root).as_posix()
                files[key] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        return cls(files, frozenset(folders), _git_state(root))

    def litter(self) -> list[str]:
        return [p for p in self.files if LITTER.search(p)]


def _git_state(root: Path) -> tuple[str, ...]:
    if not (root / ".git").exists():
        return ()
    repo = git.Repo(root)
    head = repo.head.commit.hexsha if repo.head.is_valid() else "(no commit)"
    branch = "(detached)" if repo.head.is_detached else repo.head.reference.name
    branches = " ".join(sorted(h.name for h in repo.heads))
    return (head, branch, branches, repo.git.status("--porcelain", "--untracked-files=all"),
            repo.git.diff("--cached", "--binary"))


def cli(app: Path | None, *args: str, cwd: Path | None = None) -> Result:
    """``strangler COMMAND -C app ARGS...`` in-process; exceptions are caught as a user
    would see them, so a traceback is a failure of the test, not of the run."""
    command, *rest = args
    where = ["-C", str(app)] if app is not None else []
    runner = CliRunner()
    if cwd is not None:
        previous = Path.cwd()
        os.chdir(cwd)
    try:
        result = runner.invoke(main, [command, *where, "--no-color", *rest], catch_exceptions=True)
    finally:
        if cwd is not None:
            os.chdir(previous)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def refused(app: Path, *args: str, names: tuple[str, ...] = (), cwd: Path | None = None) -> str:
    """Run, expect exit 1 with a message naming each of ``names``, and the tree as it was."""
    before = TreeState.of(app)
    result = cli(app, *args, cwd=cwd)
    assert result.exit_code == 1, result.output
    assert "strangler: error: " in result.output, result.output
    for name in names:
        assert name in result.output, f"{name!r} not named in:\n{result.output}"
    after = TreeState.of(app)
    assert after.litter() == []
    assert after == before
    return result.output


def accepted(app: Path, *args: str, cwd: Path | None = None) -> Result:
    result = cli(app, *args, cwd=cwd)
    assert result.exit_code == 0, result.output
    assert TreeState.of(app).litter() == []
    return result


def repository(path: Path) -> git.Repo:
    """Make ``path`` a git repository with everything committed, as a user's app would be."""
    repo = git.Repo.init(path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
        config.set_value("commit", "gpgsign", "false")
    repo.git.add(A=True)
    repo.index.commit("the monolith")
    return repo


def app_copy(fixture: str, tmp_path: Path, *, git_repo: bool = False) -> Path:
    app = copy_app(fixture, tmp_path / fixture)
    if git_repo:
        repository(app)
    return app


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a fixture file, failing loudly if the fixture changed."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def python_compiles(path: Path) -> bool:
    """Whether this Python compiles the module at all: 3.12 caps the compiler's C recursion
    at a fixed depth (~2,500 elifs), 3.11 and 3.13 go to the parser's ~6,000."""
    try:
        deep.call(compile, path.read_text(encoding="utf-8"), str(path), "exec")
    except (RecursionError, MemoryError):
        return False
    return True
