"""Run one ``strangler check`` rule on an application folder and write its fix, without the
command: find, fix into an Edits, and apply the ChangeSet's files to the folder."""

from __future__ import annotations

from pathlib import Path

from strangler.check.app import CheckedApp
from strangler.check.base import Rule
from strangler.check.edits import Edits
from strangler.check.model import Finding
from strangler.load.project import load
from strangler.model import ChangeSet


def findings(rule: Rule, app: Path) -> list[Finding]:
    return list(rule.find(CheckedApp(load(app))))


def fixed(rule: Rule, app: Path) -> ChangeSet:
    """The change set of fixing every fixable finding of ``rule`` in ``app``; written to ``app``."""
    checked = CheckedApp(load(app))
    edits = Edits(checked.project)
    rule.fix(checked, list(rule.find(checked)), edits)
    changes = edits.change_set()
    write(app, changes)
    return changes


def write(app: Path, changes: ChangeSet) -> None:
    for change in changes.changes:
        path = app / change.path
        if change.new is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(change.new.encode("utf-8"))


def snapshot(app: Path) -> dict[str, bytes]:
    return {str(p.relative_to(app)): p.read_bytes() for p in sorted(app.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}
