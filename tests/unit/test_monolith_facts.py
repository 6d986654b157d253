"""What the trimmed monolith still needs, read statement by statement, is what reading its
whole text gives: after every step of a migration, for every fixture app and every
dispatch shape of the benchmark."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from benchmarks.generate import DISPATCH_SHAPES, generate
from strangler.analyse.facts import combined, facts_of, walk
from strangler.errors import StranglerError
from strangler.pipeline import run
from strangler.plan.plan import DEFAULT_FUNCTIONS_DIR
from strangler.render import needs
from tests.support.apps import MONOLITH_APPS, copy_app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
APPS = MONOLITH_APPS


def _steps_checked(app: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Runs a stepwise migration comparing every step's facts; (steps read statement by
    statement, steps read whole)."""
    real = needs._module_facts
    counts = [0, 0]

    def checked(analysis, code: str):
        found = real(analysis, code)
        assert found == facts_of(ast.parse(code))
        counts[needs.codegen.monolith_statements(analysis, code) is None] += 1
        return found

    monkeypatch.setattr(needs, "_module_facts", checked)
    try:
        run(app, None, None, None, retire=True, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=True)
    except StranglerError:
        run(app, None, None, None, retire=False, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=True)
    return counts[0], counts[1]


@pytest.mark.parametrize("name", APPS)
def test_every_step_of_a_fixture_app(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = copy_app(name, tmp_path / "app")
    _, whole = _steps_checked(app, monkeypatch)
    assert whole == 0


@pytest.mark.parametrize("shape", DISPATCH_SHAPES)
def test_every_step_of_every_benchmark_shape(shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path / "app", 24, 0, shape)
    by_statement, whole = _steps_checked(tmp_path / "app", monkeypatch)
    assert by_statement >= 23 and whole == 0


ODD = [
    "import os\nA = os.environ['A']\ndef f():\n    import boto3\n    return os.environ.get('B'), boto3.client('s3')\n",
    "from os import environ\nX = environ['X']\nY = dict(os.environ)\n",  # a read here, a use there: counted together
    "import os\ndef f(n):\n    return os.getenv(n)\nZ = os.getenv('Z')\nS = boto3.resource('dynamodb')\n",
    "def f():\n    def g():\n        return os.environ['DEEP']\n    return os.environ['SHALLOW']\nT = os.environ['TOP']\n",
]


@pytest.mark.parametrize("source", ODD)
def test_facts_of_statements_combine_into_the_facts_of_their_module(source: str) -> None:
    tree = ast.parse(source)
    parts = [walk(ast.Module(body=[statement], type_ignores=[])) for statement in tree.body]
    assert combined(parts) == facts_of(tree)


def test_combined_facts_keep_the_order_of_a_walk_of_the_module_breadth_first() -> None:
    tree = ast.parse(ODD[3])
    parts = [walk(ast.Module(body=[statement], type_ignores=[])) for statement in tree.body]
    assert combined(parts).env_vars == ("TOP", "SHALLOW", "DEEP")
