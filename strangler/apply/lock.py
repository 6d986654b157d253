"""One writing run at a time per application: a lock file holding the writer's pid.

In a git repository the lock lives in the git directory (``strangler.lock``), where it can
never show in the tree or get into a commit, and where it also keeps two runs from
committing into one index at once. Outside git it is ``.strangler.lock`` beside the
template. A lock whose process is gone (killed, machine rebooted) is taken over.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from strangler.errors import StranglerError

NAME_IN_GIT = "strangler.lock"
NAME_IN_TREE = ".strangler.lock"


def place(template_dir: Path, git_dir: Path | None) -> Path:
    return git_dir / NAME_IN_GIT if git_dir is not None else template_dir / NAME_IN_TREE


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` for the block, or refuse if a live process holds it."""
    acquire(path)
    try:
        yield
    finally:
        release(path)


def acquire(path: Path) -> None:
    mine = _content(os.getpid())
    for _ in range(3):  # a takeover can race with another run's; a few tries settle it
        if _create(path, mine):
            return
        holder = _read(path)
        if holder is None:
            continue  # released meanwhile
        if _alive(holder):
            pid, host = holder
            raise StranglerError(
                f"another strangler run (pid {pid}{'' if host == socket.gethostname() else f' on {host}'}) is writing this application",
                where=str(path),
                hint=f"wait for it to finish; if no such run exists, remove {path}",
            )
        _take_over(path, holder)
    raise StranglerError("could not take the lock: other runs keep taking it", where=str(path), hint="try again")


def release(path: Path) -> None:
    if _read(path) == (os.getpid(), socket.gethostname()):
        path.unlink(missing_ok=True)


def _content(pid: int) -> bytes:
    return f"{pid} {socket.gethostname()}\n".encode()


def _create(path: Path, content: bytes) -> bool:
    """Create the lock with its content in one step (a hard link of a complete file), so
    that no reader ever sees an empty lock."""
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(content)
    try:
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    except OSError:
        # A file system without hard links: exclusive creation, written at once.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        return True
    finally:
        temp.unlink(missing_ok=True)


def _read(path: Path) -> tuple[int, str] | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").split()
    except FileNotFoundError:
        return None
    try:
        return int(text[0]), (text[1] if len(text) > 1 else socket.gethostname())
    except (IndexError, ValueError):
        return (0, socket.gethostname())  # unreadable: nobody can be shown to hold it, so it is stale


def _alive(holder: tuple[int, str]) -> bool:
    pid, host = holder
    if host != socket.gethostname():
        return True  # a process on another machine cannot be checked: assume it runs
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def _take_over(path: Path, stale: tuple[int, str]) -> None:
    """Remove a dead process's lock, unless another run replaced it in the meantime."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.stale")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    if _read(aside) == stale:
        aside.unlink(missing_ok=True)
        return
    # We moved a live run's fresh lock: give it back if its place is still free.
    try:
        os.link(aside, path)
    except OSError:
        pass
    aside.unlink(missing_ok=True)
