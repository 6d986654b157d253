"""STR2xx over every fixture app: it never raises, every finding has a fix or advice, and
after the fix nothing fixable is left, so a second fix changes nothing (the monolith apps
have writes behind SQS, SNS and EventBridge too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.check.idempotency import RULE
from tests.support.apps import FIXTURES, copy_app
from tests.support.checkfix import findings, fixed

APPS = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir())


@pytest.mark.parametrize("name", APPS)
def test_fix_is_stable(name: str, tmp_path: Path) -> None:
    app = copy_app(name, tmp_path / "app")
    found = findings(RULE, app)
    assert all(f.fixable or f.advice for f in found)
    changes = fixed(RULE, app)
    assert bool(changes.changes) == any(f.fixable for f in found)
    assert [f for f in findings(RULE, app) if f.fixable] == []
