"""5,000 branches in the benchmark's own dispatch shapes: analysed, split and written.

An elif chain of N branches is a syntax tree N levels deep; a match of N cases is wide but
its rewriting and printing went through the same visitors. The benchmark's generator
writes them like the smaller apps it measures (the same handlers, helpers and rule), so
this is what a user with a very long dispatch gets: two actions taken out, the monolith
written without them, and a scan of the result still sees every other action.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from benchmarks.generate import generate, keys_of
from tests.support.hostile import accepted, python_compiles, refused

N = 5000


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["chain", "match"])
def test_two_of_5000_branches_are_split_and_the_rest_still_scans(shape: str, tmp_path: Path) -> None:
    app = generate(tmp_path / "app", N, 0, shape)
    keys = keys_of(N, 0, shape)
    first, last = keys[0], keys[-1]
    monolith = app / "src" / "app.py"
    if not python_compiles(monolith):
        refused(app, "extract", first, last, names=("src/app.py:",))
        return

    accepted(app, "extract", first, last)
    code = monolith.read_text(encoding="utf-8")
    assert python_compiles(monolith)
    assert f'"{first}"' not in code and f'"{last}"' not in code
    assert f'"{keys[1]}"' in code and f'"{keys[-2]}"' in code
    made = sorted((app / "functions").glob("*/app.py"))
    assert len(made) == 2
    for path in made:
        new = path.read_text(encoding="utf-8")
        ast.parse(new)
        assert f'"{keys[1]}"' not in new and f'"{keys[-2]}"' not in new  # one branch, not the dispatch
        assert len(new) < len(code) // 100
    template = (app / "template.yaml").read_text(encoding="utf-8")
    assert f"{first}Function:" in template and f"{last}Function:" in template

    (function,) = json.loads(accepted(app, "scan", "--json").output)["functions"]
    assert [action["key"] for action in function["actions"]] == keys[1:-1]
    assert not [action["key"] for action in function["actions"] if action["refusal"]]
