"""Deep inputs: a dispatch of thousands of branches is split like a small one.

An elif chain of N branches is a syntax tree N levels deep, and LibCST, ``ast``, ``symtable``
and ``compile`` recurse once or more per level: with Python's default recursion limit 400
branches used to end in RecursionError. Each case generates a monolith whose
``lambda_handler`` dispatches ``event["detail-type"]`` through one chain, match or sequence
of ifs (``benchmarks.branches``), runs the CLI as a user would and checks what it made.
Only a chain deeper than Python's own parser allows is refused, naming file and line.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from benchmarks.branches import function, generate, key
from tests.support.hostile import TreeState, accepted, python_compiles, refused

N = 1000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """One generated app per (shape, size), copied for each case that changes it."""
    made: dict[tuple[str, int], Path] = {}

    def app(shape: str, size: int, tmp_path: Path) -> Path:
        if (shape, size) not in made:
            made[shape, size] = generate(tmp_path_factory.mktemp(f"{shape}{size}"), size, shape)
        return Path(shutil.copytree(made[shape, size], tmp_path / "app"))

    return app


def _folder(number: int) -> str:
    return f"functions/event{number:05d}_happened"


def _extracted(app: Path, size: int, number: int, shape: str) -> None:
    """``extract`` of one action out of ``size``: its function has its handler and only it,
    the monolith compiles, lost that branch and handler and kept every other one."""
    accepted(app, "extract", key(number))
    new = (app / _folder(number) / "app.py").read_text(encoding="utf-8")
    tree = ast.parse(new)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert defined == {"record", function(number), "lambda_handler"}
    handler = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "lambda_handler")
    assert ast.unparse(handler.body[-1]) == f"return {function(number)}(detail)"
    assert not any(isinstance(node, (ast.If, ast.Match)) for node in ast.walk(handler))

    monolith = (app / "src" / "app.py").read_text(encoding="utf-8")
    compile(monolith, "src/app.py", "exec")
    assert f'"{key(number)}"' not in monolith and f"def {function(number)}(" not in monolith
    others = [n for n in range(size) if n != number]
    assert all(f'"{key(n)}":' in monolith or f'== "{key(n)}":' in monolith for n in (others[0], others[-1]))
    assert sum(f"def {function(n)}(" in monolith for n in others) == size - 1
    if shape == "chain":  # the chain stays a chain, headed by an if
        assert monolith.count("    elif detail_type == ") == size - 2
        assert f'    if detail_type == "{key(others[0])}":' in monolith
    template = (app / "template.yaml").read_text(encoding="utf-8")
    assert f"{key(number)}Function:" in template


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["chain", "match", "sequence"])
def test_migrate_dry_run_of_1000_branches_plans_every_action(shape: str, generated, tmp_path: Path) -> None:
    app = generated(shape, N, tmp_path)
    before = TreeState.of(app)
    output = accepted(app, "migrate", "--dry-run", "-v").output  # -v: every new function listed
    assert TreeState.of(app) == before
    for number in (0, N // 2, N - 1):
        assert f"{key(number)}Function ({_folder(number)}/)" in output
    assert output.count("Function (functions/event") == N
    assert "MonolithFunction (the monolith)" in output


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["chain", "match", "sequence"])
def test_extract_the_last_of_1000_branches(shape: str, generated, tmp_path: Path) -> None:
    _extracted(generated(shape, N, tmp_path), N, N - 1, shape)


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["chain", "match", "sequence"])
def test_extract_the_first_of_1000_branches(shape: str, generated, tmp_path: Path) -> None:
    _extracted(generated(shape, N, tmp_path), N, 0, shape)


def test_extract_from_a_400_branch_chain_which_used_to_overflow(generated, tmp_path: Path) -> None:
    _extracted(generated("chain", 400, tmp_path), 400, 200, "chain")


@pytest.mark.slow
def test_scan_of_a_5000_branch_chain_lists_every_action(generated, tmp_path: Path) -> None:
    app = generated("chain", 5000, tmp_path)
    if not python_compiles(app / "src" / "app.py"):
        refused(app, "scan", names=("src/app.py:", "if/elif chain of 5000 branches"))
        return
    (function_scan,) = json.loads(accepted(app, "scan", "--json").output)["functions"]
    actions = function_scan["actions"]
    assert [a["key"] for a in actions] == [key(n) for n in range(5000)]
    assert not [a["key"] for a in actions if a["refusal"]]


@pytest.mark.slow
def test_a_chain_deeper_than_python_parses_is_refused_with_its_line(tmp_path: Path) -> None:
    # CPython's parser nests one level per elif and stops at a fixed depth (~6,000 on 3.11):
    # Lambda could not import this module, and strangler says so instead of crashing.
    size = 7000
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    shutil.copy(generate(tmp_path / "small", 1, "chain") / "template.yaml", app / "template.yaml")
    branches = "".join(f'    elif detail_type == "{key(n)}":\n        return {n}\n' for n in range(1, size))
    source = (
        "def lambda_handler(event, context):\n"
        '    detail_type = event["detail-type"]\n'
        f'    if detail_type == "{key(0)}":\n        return 0\n{branches}'
    )
    (app / "src" / "app.py").write_text(source, encoding="utf-8")
    output = refused(app, "scan", names=("src/app.py:3", "if/elif chain of 7000 branches", "nested deeper"))
    assert "Traceback" not in output
