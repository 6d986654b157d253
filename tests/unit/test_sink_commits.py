"""--commit says each commit it made, by the short id git gives it, oldest first."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.apps import copy_app, strangler
from tests.support.hostile import repository


def test_the_commits_said_are_the_commits_made(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    repo = repository(app)

    result = strangler(app, "migrate", "--commit", "--branch", "strangle")

    assert result.exit_code == 0, result.output
    said = re.findall(r"^\[([0-9a-f]+)\] (.+)$", result.output, flags=re.MULTILINE)
    made = list(reversed(list(repo.iter_commits("strangle"))))[1:]
    assert len(said) == len(made) > 2
    assert said == [(repo.git.rev_parse("--short=10", c.hexsha), c.summary) for c in made]
