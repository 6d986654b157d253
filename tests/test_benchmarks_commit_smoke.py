"""The benchmark's writing operations do what `strangler migrate [--commit]` does: a commit
per action and one for the retirement, in a repository made before the clock starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks import run

N = 6


def _commits(repo: Path) -> list[str]:
    log = subprocess.run(["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True)
    return log.stdout.splitlines()


def test_migrate_commit_makes_a_commit_per_step_and_migrate_one_write(tmp_path: Path) -> None:
    app = run.App.create(tmp_path, N)
    commit = app.prepare("migrate-commit")
    (repo,) = sorted(app._scratch.iterdir())
    assert _commits(repo) == ["before"]  # made before the clock starts
    assert commit() == N + 1
    subjects = _commits(repo)
    assert len(subjects) == N + 2 and subjects[0].startswith("Retire MonolithFunction")

    write = app.prepare("migrate-write")
    repo = max(app._scratch.iterdir(), key=lambda p: int(p.name.removeprefix("copy")))
    write()
    assert _commits(repo) == ["before"]
    assert (repo / "functions").is_dir() and "  MonolithFunction:\n" not in (repo / "template.yaml").read_text(encoding="utf-8")


def test_the_writing_operations_get_a_table_of_their_own(tmp_path: Path) -> None:
    result = run.measure(N, repeat=1, operations=("floor", "migrate-write", "migrate-commit"), workdir=tmp_path)
    table = run.format_writing([result])
    assert "migrate --commit s" in table and table.splitlines()[-1].startswith(f"| {N} |")
