"""The benchmark suite still runs: a small generated app is a monolith strangler accepts,
and the harness can measure it. No timing is asserted here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks import run
from benchmarks.generate import DISPATCH_SHAPES, generate, keys_of
from strangler.cli import main

N = 20


def test_generated_app_is_a_monolith_strangler_accepts(tmp_path: Path) -> None:
    app = generate(tmp_path / "app", N, seed=0)
    source = (app / "src" / "app.py").read_text(encoding="utf-8")
    compile(source, "app.py", "exec")
    assert generate(tmp_path / "again", N, seed=0).joinpath("src", "app.py").read_text(encoding="utf-8") == source

    scanned = CliRunner().invoke(main, ["scan", "-C", str(app), "--json"], catch_exceptions=False)
    assert scanned.exit_code == 0, scanned.output
    (function,) = json.loads(scanned.output)["functions"]
    assert function["logical_id"] == "MonolithFunction"
    assert [a["key"] for a in function["actions"]] == keys_of(N, seed=0)
    assert not [a["key"] for a in function["actions"] if a["refusal"]]

    dry_run = CliRunner().invoke(main, ["migrate", "--dry-run", "-C", str(app), "--no-color"], catch_exceptions=False)
    assert dry_run.exit_code == 0, dry_run.output
    assert not (app / "functions").exists()


@pytest.mark.parametrize("shape", [s for s in DISPATCH_SHAPES if s != "table"])
def test_every_dispatch_shape_is_a_monolith_strangler_accepts(tmp_path: Path, shape: str) -> None:
    app = generate(tmp_path / "app", N, seed=0, shape=shape)
    source = (app / "src" / "app.py").read_text(encoding="utf-8")
    compile(source, "app.py", "exec")
    assert generate(tmp_path / "again", N, seed=0, shape=shape).joinpath("src", "app.py").read_text(encoding="utf-8") == source
    # the same handlers as the table shape: only the dispatch differs
    table = generate(tmp_path / "table", N, seed=0).joinpath("src", "app.py").read_text(encoding="utf-8")
    assert source != table and len(re.findall(r"^def (?:on|handle)_\w+\((?:detail, meta)?\):", source, re.MULTILINE)) == N

    scanned = CliRunner().invoke(main, ["scan", "-C", str(app), "--json"], catch_exceptions=False)
    assert scanned.exit_code == 0, scanned.output
    (function,) = json.loads(scanned.output)["functions"]
    assert function["logical_id"] == "MonolithFunction"
    assert [a["key"] for a in function["actions"]] == keys_of(N, seed=0, shape=shape)
    assert not [a["key"] for a in function["actions"] if a["refusal"]]


def test_harness_measures_a_small_app_once(tmp_path: Path) -> None:
    result = run.measure(N, repeat=1, workdir=tmp_path)

    assert result.actions == N and result.lines > 0
    assert set(result.seconds) == set(run.OPERATIONS)
    assert all(seconds > 0 for seconds in result.seconds.values())
    assert all(runs == 1 for runs in result.runs.values())
    assert result.rss_mb and result.extract_key in keys_of(N)
    assert result.shape == "table"
    table = run.format_table([result])
    assert table.splitlines()[2].startswith(f"| {N} | table |")


def test_harness_measures_another_shape(tmp_path: Path) -> None:
    result = run.measure(N, repeat=1, workdir=tmp_path, operations=("floor", "scan"), shape="match")

    assert result.shape == "match" and set(result.seconds) == {"floor", "scan"}
    assert run.format_table([result]).splitlines()[2].startswith(f"| {N} | match |")
