"""The lock file: pid and host inside, created whole, stale ones taken over, live ones refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from strangler.apply import lock
from strangler.errors import StranglerError


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_held_writes_pid_and_host_and_removes_the_file(tmp_path: Path) -> None:
    where = tmp_path / "x.lock"
    with lock.held(where):
        assert where.read_text() == f"{os.getpid()} {socket.gethostname()}\n"
    assert not where.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file either


def test_the_lock_is_given_back_when_the_block_fails(tmp_path: Path) -> None:
    where = tmp_path / "x.lock"
    with pytest.raises(KeyboardInterrupt), lock.held(where):
        raise KeyboardInterrupt
    assert not where.exists()


def test_a_live_holder_is_refused_by_pid_and_file(tmp_path: Path) -> None:
    where = tmp_path / "x.lock"
    where.write_text(f"{os.getppid()} {socket.gethostname()}\n")
    with pytest.raises(StranglerError) as refused:
        lock.acquire(where)
    assert f"pid {os.getppid()}" in str(refused.value) and str(where) in str(refused.value)
    assert where.read_text().startswith(str(os.getppid()))


def test_a_holder_on_another_host_is_assumed_alive(tmp_path: Path) -> None:
    where = tmp_path / "x.lock"
    where.write_text(f"{_dead_pid()} build-server-7\n")
    with pytest.raises(StranglerError, match="on build-server-7"):
        lock.acquire(where)


@pytest.mark.parametrize("content", ["{dead} {host}\n", "garbage\n", ""])
def test_a_stale_or_unreadable_lock_is_taken_over(tmp_path: Path, content: str) -> None:
    where = tmp_path / "x.lock"
    where.write_text(content.format(dead=_dead_pid(), host=socket.gethostname()))
    with lock.held(where):
        assert where.read_text().split()[0] == str(os.getpid())
    assert list(tmp_path.iterdir()) == []


def test_release_leaves_a_lock_that_is_not_ours(tmp_path: Path) -> None:
    where = tmp_path / "x.lock"
    where.write_text(f"{os.getppid()} {socket.gethostname()}\n")
    lock.release(where)
    assert where.exists()


def test_place_is_in_the_git_directory_when_there_is_one(tmp_path: Path) -> None:
    assert lock.place(tmp_path / "app", tmp_path / "app" / ".git") == tmp_path / "app" / ".git" / "strangler.lock"
    assert lock.place(tmp_path / "app", None) == tmp_path / "app" / ".strangler.lock"
