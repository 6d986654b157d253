"""``strangler check`` as a user runs it on the check fixtures: every rule at once, the fix
as one change that a dry run shows first, and a second run that changes nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.apps import copy_app, snapshot, strangler
from tests.support.hostile import repository


def _diff(app: Path) -> list[str]:
    diff = subprocess.run(["git", "diff"], cwd=app, capture_output=True, text=True, check=True).stdout
    return [line for line in diff.splitlines() if not line.startswith("index ")]


def _codes(app: Path) -> list[str]:
    return [finding["code"] for finding in json.loads(strangler(app, "check", "--format", "json").stdout)]


def test_unguarded_writes_are_found_fixed_as_the_dry_run_showed_and_fixed_once(tmp_path: Path) -> None:
    app = copy_app("unguarded-writes", tmp_path / "app")
    repository(app)
    assert sorted(set(_codes(app))) == ["STR201", "STR202", "STR203", "STR205"]
    before = snapshot(app)
    dry = strangler(app, "check", "--fix", "--dry-run")
    assert snapshot(app) == before

    fixed = strangler(app, "check", "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert _diff(app) == [line for line in dry.stdout.splitlines() if not line.startswith("index ")]
    after = snapshot(app)
    again = strangler(app, "check", "--fix")
    assert again.exit_code == 0 and "All checks passed." in again.stdout
    assert snapshot(app) == after


def test_a_queue_put_in_front_of_a_callee_has_its_writes_guarded_in_the_same_run(tmp_path: Path) -> None:
    """STR101's queue makes AuditFunction at-least-once; the run's next round of fixes
    guards its put_item, so a second run finds nothing more to fix."""
    app = copy_app("sync-chain-orders", tmp_path / "app")
    repository(app)
    assert _codes(app) == ["STR102", "STR101"]
    fixed = strangler(app, "check", "--fix")
    assert fixed.exit_code == 1  # STR102 stays: its fix is advice
    assert "Found 2 problems (1 fixed, 1 remaining)." in fixed.stdout
    audit = (app / "audit" / "app.py").read_text(encoding="utf-8")
    # The wrapper the queue needs is what runs, so it is what is decorated (once).
    assert audit.count("@idempotent(") == 1 and "_lambda_handler_direct = lambda_handler" in audit
    assert audit.index("@idempotent(") > audit.index("_lambda_handler_direct = lambda_handler")
    after = snapshot(app)
    again = strangler(app, "check", "--fix")
    assert snapshot(app) == after
    assert _codes(app) == ["STR102"] and again.exit_code == 1
