"""Signals wait in deferred blocks and are taken at phases; handlers are given back."""

from __future__ import annotations

import signal

import pytest

from strangler.apply import interrupts


def test_a_signal_in_a_deferred_block_waits_for_its_end() -> None:
    done = []
    with interrupts.handled():
        with pytest.raises(interrupts.Terminated):
            with interrupts.deferred():
                signal.raise_signal(signal.SIGTERM)
                done.append("after the signal")
    assert done == ["after the signal"]


def test_a_phase_takes_a_waiting_signal_inside_the_block() -> None:
    done = []
    with interrupts.handled(), interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        done.append("still running")
        with pytest.raises(KeyboardInterrupt):
            interrupts.phase("stage x")
        done.append("taken once")
    assert done == ["still running", "taken once"]


def test_nested_blocks_wait_for_the_outermost() -> None:
    with interrupts.handled():
        with pytest.raises(KeyboardInterrupt):
            with interrupts.deferred():
                with interrupts.deferred():
                    signal.raise_signal(signal.SIGINT)
                interrupts.mark("inner block over, signal still waiting")


def test_a_second_signal_while_one_waits_is_the_same_interruption() -> None:
    with interrupts.handled():
        with pytest.raises(KeyboardInterrupt):
            with interrupts.deferred():
                signal.raise_signal(signal.SIGINT)
                signal.raise_signal(signal.SIGTERM)


def test_outside_a_block_a_signal_is_raised_at_once() -> None:
    with interrupts.handled():
        with pytest.raises(interrupts.Terminated):
            signal.raise_signal(signal.SIGTERM)


def test_handlers_are_given_back() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with interrupts.handled():
        assert signal.getsignal(signal.SIGTERM) is not before[1]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_exit_codes() -> None:
    assert interrupts.exit_code(KeyboardInterrupt()) == 130
    assert interrupts.exit_code(interrupts.Terminated()) == 143


def test_the_hook_sees_every_phase_and_mark() -> None:
    seen: list[str] = []
    interrupts.hook = seen.append
    try:
        interrupts.phase("a")
        interrupts.mark("b")
    finally:
        interrupts.hook = None
    assert seen == ["a", "b"]
