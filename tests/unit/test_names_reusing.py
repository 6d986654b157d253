"""The names of a specialised dispatcher, read from the subtrees specialising left untouched,
are the names a visit of the whole specialised function finds: for every action of every
benchmark shape and of every fixture app."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import DISPATCH_SHAPES, generate
from strangler import deep
from strangler.errors import StranglerError
from strangler.load.project import load
from strangler.pipeline import dispatching
from strangler.render.codegen import modules
from tests.support.apps import MONOLITH_APPS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
APPS = MONOLITH_APPS


def _visited(node) -> frozenset[str]:
    collector = modules._Names()
    node.visit(collector)
    return frozenset(collector.names)


def _checked(app: Path) -> int:
    """Specialisations compared, each action of each dispatching function of ``app``."""
    def check() -> int:
        count = 0
        for analysis in dispatching(load(app, None), None):
            for action in analysis.dispatch.actions:
                try:
                    entry = modules.specialise(analysis, action.key)
                except StranglerError:
                    continue  # an action extract refuses: nothing is written for it
                assert modules._names_reusing(analysis, entry) == _visited(entry), action.key
                assert modules._names_reusing(analysis, entry) == _visited(entry)  # from the cache, the same
                helper = modules.specialised_helper(analysis, action.key)
                if helper is not None:
                    assert modules._names_reusing(analysis, helper) == _visited(helper), action.key
                count += 1
        return count

    return deep.call(check)


@pytest.mark.parametrize("shape", [s for s in DISPATCH_SHAPES if s != "table"])
def test_every_action_of_a_benchmark_shape(shape: str, tmp_path: Path) -> None:
    assert _checked(generate(tmp_path / "app", 30, 0, shape)) == 30


@pytest.mark.parametrize("name", APPS)
def test_every_action_of_a_fixture_app(name: str) -> None:
    try:
        _checked(FIXTURES / name / "before")
    except StranglerError:
        pytest.skip("the app is refused before any action is specialised")
