"""Signals: SIGINT and SIGTERM stop a run only where it can be undone completely.

While the sink writes, a signal is not raised where it lands (between renaming a file
aside and renaming its replacement in, say) but recorded, and taken at the next safe
point (``phase``), where the writer rolls back. The rollback itself is never interrupted:
a second signal during it only waits. Before anything is written (loading, analysis) a
signal stops the run at once, which is safe too.

``hook`` is for tests: it is called with the name of every phase, so a test can raise an
exception or send a signal at exactly that moment, without sleeps or timing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

hook: Callable[[str], None] | None = None


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt is for SIGINT."""


EXIT_CODES = {KeyboardInterrupt: 128 + signal.SIGINT, Terminated: 128 + signal.SIGTERM}
SIGNALS = (KeyboardInterrupt, Terminated)

_depth = 0
_pending: int | None = None
_written = False


def exit_code(error: BaseException) -> int:
    return next(code for kind, code in EXIT_CODES.items() if isinstance(error, kind))


def _interrupt(signum: int) -> BaseException:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _on_signal(signum: int, frame: object) -> None:
    global _pending
    if _depth:
        if _pending is None:
            _pending = signum
        return
    raise _interrupt(signum)


@contextmanager
def handled() -> Iterator[None]:
    """Route SIGINT and SIGTERM through this module for the length of one command."""
    global _depth, _pending, _written
    _depth, _pending, _written = 0, None, False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Signals wait until the outermost deferred block ends (or a ``phase`` takes them)."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _pending is not None:
            signum, _pending = _pending, None
            raise _interrupt(signum)


def check() -> None:
    """Take a signal that arrived during a deferred block, at a point that can be undone."""
    global _pending
    if _pending is not None:
        signum, _pending = _pending, None
        raise _interrupt(signum)


def phase(name: str) -> None:
    """A safe point of a write: the test hook sees it, then a waiting signal is taken."""
    if hook is not None:
        hook(name)
    check()


def mark(name: str) -> None:
    """A moment nothing may stop (a step of a rollback): the test hook sees it, and a
    signal waits."""
    if hook is not None:
        hook(name)


def written() -> None:
    """The change is complete: a signal from now on no longer means nothing was changed."""
    global _written
    _written = True


def was_written() -> bool:
    return _written
