"""strangler.deep: work that walks deep syntax trees runs on a large stack."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from strangler import deep


def _depth(n: int) -> int:
    return 0 if n == 0 else 1 + _depth(n - 1)


def test_recursion_far_deeper_than_the_default_limit_completes() -> None:
    limit = sys.getrecursionlimit()
    assert deep.call(_depth, 20 * limit) == 20 * limit
    assert sys.getrecursionlimit() == limit


def test_the_work_runs_off_the_calling_thread_and_nested_calls_run_in_place() -> None:
    def where() -> tuple[str, str]:
        return threading.current_thread().name, deep.call(lambda: threading.current_thread().name)

    outer, inner = deep.call(where)
    assert outer == inner == "strangler-deep"
    assert threading.current_thread().name != outer


def test_an_exception_reaches_the_caller_unchanged_and_the_limit_is_restored() -> None:
    limit = sys.getrecursionlimit()

    def fail() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        deep.call(fail)
    assert sys.getrecursionlimit() == limit


def test_the_refusal_names_where_and_what() -> None:
    error = deep.too_deep("src/app.py:12", "the if/elif chain of 7000 branches", MemoryError())
    assert error.where == "src/app.py:12"
    assert "if/elif chain of 7000 branches" in str(error) and "parser stack overflowed" in str(error)


def test_in_place_runs_on_the_calling_thread_so_a_profiler_sees_the_work() -> None:
    with deep.in_place():
        assert deep.call(threading.current_thread) is threading.current_thread()
    assert deep.call(threading.current_thread) is not threading.current_thread()


def test_what_settled_during_a_run_is_frozen_until_the_run_ends() -> None:
    assert gc.get_freeze_count() == 0
    deep.settled()  # outside a run: nothing is frozen for good
    assert gc.get_freeze_count() == 0
    kept = [[] for _ in range(10)]
    with deep.long_run():
        deep.settled()
        assert gc.get_freeze_count() >= len(kept)
        with deep.long_run():  # a nested run does not unfreeze the outer one's
            deep.settled()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_objects_frozen_by_someone_else_are_left_alone() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with deep.long_run():
            _ = [[] for _ in range(10)]
            deep.settled()
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
