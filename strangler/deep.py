"""Room for deep syntax trees: the analysis and rendering run on a thread with a large stack.

An ``elif`` chain of N branches is a syntax tree N levels deep (each ``elif`` is the
``orelse`` of the one before), and so is a ``match`` once LibCST or ``ast`` walks it in
places. strangler's own code walks chains iteratively, but the libraries under it recurse
once or more per level: LibCST's visitors and transformers (``visit`` ->
``_visit_and_replace_children`` -> ``visit_optional`` per ``elif``), its code generation
and ``deep_equals``, and CPython's ``ast``, ``symtable`` and ``compile``, whose C
recursion checks scale with ``sys.getrecursionlimit()`` (on 3.11 at least). With the
default limit of 1,000 a chain of a few hundred branches (400 in our tests) ended in
RecursionError.

Those recursions are not ours to rewrite, so the work that walks trees runs here instead:
on a worker thread whose stack is large enough for the limit we raise to. The process
keeps the main thread for signals (Ctrl-C interrupts the wait; the worker computes only,
it writes nothing, so leaving it behind is safe) and for writing.

CPython's own parser has a fixed depth limit that no setting raises ("too complex to
parse", a MemoryError, at about 6,000 nested levels on 3.11); whoever parses with ``ast``
turns that into a refusal naming the file and line (see ``too_deep``).
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from strangler.errors import StranglerError

T = TypeVar("T")

# 100,000 frames of LibCST recursion (a few per elif level: chains of ~20,000 branches)
# need far less than 1 GiB of C stack even when a level passes through C (a property, a
# dataclass __init__); the stack is reserved address space, only touched pages cost memory.
RECURSION_LIMIT = 100_000
STACK_SIZE = 1024 * 1024 * 1024

_state = threading.local()
_lock = threading.Lock()


def call(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``function(*args, **kwargs)``, run where deep recursion does not overflow.

    Nested calls (the pipeline calls itself through several entry points) run directly.
    Exceptions cross back to the caller unchanged.
    """
    if getattr(_state, "deep", False):
        return function(*args, **kwargs)
    result: list[T] = []
    error: list[BaseException] = []

    def work() -> None:
        _state.deep = True
        try:
            result.append(function(*args, **kwargs))
        except BaseException as exc:  # handed to the caller, re-raised there
            error.append(exc)

    with _lock:  # the stack size and the limit are process-wide settings
        previous_stack = threading.stack_size()
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        worker: threading.Thread | None = threading.Thread(target=work, name="strangler-deep", daemon=True)
        try:
            threading.stack_size(STACK_SIZE)
            worker.start()  # type: ignore[union-attr]
        except (RuntimeError, ValueError, MemoryError):
            # No thread of that size here (a tight ulimit -v): work on this thread, with
            # the default limit; only inputs deeper than it allows then fail, as before.
            sys.setrecursionlimit(previous_limit)
            worker = None
        finally:
            threading.stack_size(previous_stack)
    if worker is None:
        return function(*args, **kwargs)
    try:
        while worker.is_alive():
            worker.join(0.1)  # a bounded wait, so Ctrl-C reaches the main thread
    finally:
        with _lock:
            if not worker.is_alive():
                sys.setrecursionlimit(previous_limit)
    if error:
        raise error[0].with_traceback(error[0].__traceback__)
    return result[0]


@contextmanager
def in_place() -> Iterator[None]:
    """Run :func:`call` on the calling thread: a profiler sees only the thread it runs on.
    Chains deeper than the default recursion limit then fail as they would without us."""
    previous = getattr(_state, "deep", False)
    _state.deep = True
    try:
        yield
    finally:
        _state.deep = previous


def too_deep(where: str, what: str, error: BaseException) -> StranglerError:
    """The refusal for a module Python itself cannot parse or compile for its depth.

    ``where`` is ``file:line`` of the construct, ``what`` names it."""
    # The parser's overflow is a MemoryError without a message; the compiler's says so.
    reason = str(error) if isinstance(error, RecursionError) else "Python's parser stack overflowed"
    return StranglerError(
        f"Python cannot compile this module: {what} is nested deeper than its parser or compiler allows ({reason})",
        where=where,
        hint="split the chain (a table of handlers, or chains of a few hundred branches each): "
        "Lambda could not import this module either",
    )


# --- the garbage collector over a long run ------------------------------------------------
# A run keeps almost everything it makes until it ends: the parsed module and its metadata,
# the analysis, each action's slice, new module text and template nodes. CPython's full
# collections scan every tracked object, so over a migration they rescan that growing heap
# again and again (5 full collections took ~25% of `migrate --dry-run` of 500 chain
# branches), and find next to nothing: the run makes little cyclic garbage (peak memory the
# same with the collector off). So what has lived through a stage is frozen (moved out of
# the collector's generations) until the run ends; young objects are still collected.
_runs = 0
_gc_lock = threading.Lock()


@contextmanager
def long_run() -> Iterator[None]:
    """A run inside which :func:`settled` freezes; everything is unfrozen when it ends.

    Nothing is frozen when some other code of the process had frozen objects already (it
    would be unfrozen with ours)."""
    global _runs
    with _gc_lock:
        mine = _runs > 0 or gc.get_freeze_count() == 0
        if mine:
            _runs += 1
    try:
        yield
    finally:
        if mine:
            with _gc_lock:
                _runs -= 1
                if _runs == 0:
                    gc.unfreeze()  # back to the oldest generation: collected as usual from now on


def settled() -> None:
    """What is alive now lives until the run ends (the end of a stage, of an action):
    later full collections skip it. Does nothing outside :func:`long_run`."""
    with _gc_lock:
        if _runs > 0:
            gc.freeze()
