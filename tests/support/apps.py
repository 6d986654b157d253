"""Fixture apps for end-to-end tests: copy, run the CLI, snapshot, load the scenario."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from click.testing import CliRunner, Result

from strangler.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
IGNORED = {"__pycache__", ".pytest_cache", ".git"}
# The monolith apps: the ones with a reviewed split (``expected/``); an app written for
# ``strangler check`` has single-purpose functions and nothing to split.
MONOLITH_APPS = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir() and (p / "expected").is_dir())


def copy_app(name: str, destination: Path) -> Path:
    """A private copy of ``fixtures/<name>/before`` to run strangler on."""
    shutil.copytree(FIXTURES / name / "before", destination, ignore=shutil.ignore_patterns(*IGNORED))
    return destination


def strangler(app: Path, *args: str) -> Result:
    """Run the CLI on ``app`` as a user would (``strangler -C app ...``)."""
    command, *rest = args
    return CliRunner().invoke(main, [command, "-C", str(app), "--no-color", *rest], catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` by relative path, to compare trees byte for byte."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not IGNORED & set(path.relative_to(folder).parts)
    }


def scenario(name: str) -> ModuleType:
    """``fixtures/<name>/scenario.py``: events, AWS set-up and state snapshot."""
    path = FIXTURES / name / "scenario.py"
    spec = importlib.util.spec_from_file_location(f"scenario_{name.replace('-', '_')}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Run:
    """One strangler command on one fixture, with the tree before and after."""

    fixture: str
    args: tuple[str, ...]
    original: Path  # untouched copy: the monolith as it was
    app: Path  # where the command ran
    result: Result


def run_on_copy(fixture: str, args: tuple[str, ...], workdir: Path) -> Run:
    original = copy_app(fixture, workdir / "original")
    app = copy_app(fixture, workdir / "app")
    return Run(fixture, args, original, app, strangler(app, *args))
