"""STR2xx over every fixture app: it never raises, and its fix, applied twice, changes nothing
the second time (the monolith apps have writes behind SQS, SNS and EventBridge too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.check.idempotency import RULE
from tests.support.apps import FIXTURES, copy_app
from tests.support.checkfix import findings, fixed, snapshot

APPS = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir())


@pytest.mark.parametrize("name", APPS)
def test_fix_is_stable(name: str, tmp_path: Path) -> None:
    app = copy_app(name, tmp_path / "app")
    found = findings(RULE, app)
    fixed(RULE, app)
    after = snapshot(app)
    assert fixed(RULE, app).changes == ()
    assert snapshot(app) == after
    assert [f for f in findings(RULE, app) if f.fixable] == []
    assert all(f.fixable or f.advice for f in found)
