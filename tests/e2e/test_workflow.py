"""The safe workflow: git guard, a commit per step, all-or-nothing writes, reruns."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import git
import pytest

from strangler.apply import changeset, gitops
from tests.support.apps import copy_app, snapshot, strangler

APP = "eventbridge-orders"


def _repo(path: Path) -> git.Repo:
    repo = git.Repo.init(path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    repo.git.add(A=True)
    repo.index.commit("the monolith")
    return repo


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return copy_app(APP, tmp_path / "app")


@pytest.fixture
def repo(app: Path) -> git.Repo:
    return _repo(app)


def test_uncommitted_change_to_a_touched_file_is_refused(app: Path, repo: git.Repo) -> None:
    (app / "src" / "app.py").write_text((app / "src" / "app.py").read_text() + "\n# wip\n")
    before = snapshot(app)
    result = strangler(app, "extract", "OrderShipped")
    assert result.exit_code == 1
    assert "uncommitted changes" in result.output and "src/app.py" in result.output
    assert snapshot(app) == before


def test_allow_dirty_writes_anyway(app: Path, repo: git.Repo) -> None:
    (app / "src" / "app.py").write_text((app / "src" / "app.py").read_text() + "\n# wip\n")
    result = strangler(app, "extract", "OrderShipped", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert (app / "functions" / "order_shipped" / "app.py").is_file()
    assert "# wip" in (app / "src" / "app.py").read_text()


def test_dirty_files_the_run_does_not_touch_do_not_matter(app: Path, repo: git.Repo) -> None:
    (app / "NOTES.md").write_text("scratch\n")
    assert strangler(app, "extract", "OrderShipped").exit_code == 0


def test_outside_git_it_works_and_says_nothing_is_versioned(app: Path) -> None:
    result = strangler(app, "extract", "OrderShipped")
    assert result.exit_code == 0, result.output
    assert "nothing is versioned" in result.output


def test_commit_makes_one_commit_per_action_that_one_revert_undoes(app: Path, repo: git.Repo) -> None:
    start = snapshot(app)
    result = strangler(app, "extract", "OrderShipped", "PaymentFailed", "--commit", "--branch", "strangle")
    assert result.exit_code == 0, result.output
    assert repo.active_branch.name == "strangle"
    commits = list(repo.iter_commits("strangle", max_count=3))
    assert [c.summary for c in commits[:2]] == [
        "Extract PaymentFailed from OrdersFunction into PaymentFailedFunction",
        "Extract OrderShipped from OrdersFunction into OrderShippedFunction",
    ]
    assert "functions/payment_failed/app.py" in commits[0].message and "template.yaml" in commits[0].message
    assert not repo.is_dirty(untracked_files=True)
    repo.git.revert("--no-edit", "HEAD")
    after_one_step = copy_app(APP, app.parent / "one-step")
    assert strangler(after_one_step, "extract", "OrderShipped").exit_code == 0
    assert snapshot(app) == snapshot(after_one_step)
    repo.git.revert("--no-edit", "HEAD~2")
    assert snapshot(app) == start


def test_migrate_with_commit_ends_with_the_retirement(app: Path, repo: git.Repo) -> None:
    result = strangler(app, "migrate", "--commit")
    assert result.exit_code == 0, result.output
    summaries = [c.summary for c in repo.iter_commits(max_count=6)]
    assert summaries[0] == "Retire OrdersFunction: every action has its own function"
    assert len([s for s in summaries if s.startswith("Extract ")]) == 4
    assert not (app / "src" / "app.py").exists()


def test_dry_run_diff_is_what_git_diff_shows_after_the_run(app: Path, repo: git.Repo) -> None:
    dry = strangler(app, "migrate", "--dry-run")
    assert dry.exit_code == 0
    assert strangler(app, "migrate").exit_code == 0
    repo.git.add(A=True)
    assert dry.stdout == repo.git.diff("--cached", "--no-renames", "--no-color") + "\n"


def test_extract_one_then_another_equals_extract_both(tmp_path: Path) -> None:
    stepwise = copy_app(APP, tmp_path / "stepwise")
    assert strangler(stepwise, "extract", "OrderShipped").exit_code == 0
    assert strangler(stepwise, "extract", "PaymentFailed").exit_code == 0
    at_once = copy_app(APP, tmp_path / "at-once")
    assert strangler(at_once, "extract", "OrderShipped", "PaymentFailed").exit_code == 0
    assert snapshot(stepwise) == snapshot(at_once)


def test_rerun_names_the_function_already_made(app: Path) -> None:
    assert strangler(app, "extract", "OrderShipped").exit_code == 0
    again = strangler(app, "extract", "OrderShipped")
    assert again.exit_code == 0
    assert "OrderShipped is already extracted to OrderShippedFunction" in again.output


def test_an_action_added_later_is_extracted_the_same_way(app: Path) -> None:
    assert strangler(app, "extract", "OrderShipped").exit_code == 0
    source = (app / "src" / "app.py").read_text()
    source = source.replace(
        "HANDLERS = {",
        "def on_order_refunded(detail, meta):\n    return {\"refunded\": detail[\"order_id\"]}\n\n\nHANDLERS = {\n    \"OrderRefunded\": on_order_refunded,",
    )
    (app / "src" / "app.py").write_text(source)
    template = (app / "template.yaml").read_text().replace("- PaymentFailed\n", "- PaymentFailed\n                - OrderRefunded\n", 1)
    (app / "template.yaml").write_text(template)
    result = strangler(app, "extract", "OrderRefunded")
    assert result.exit_code == 0, result.output
    assert "def on_order_refunded" in (app / "functions" / "order_refunded" / "app.py").read_text()
    assert "on_order_refunded" not in (app / "src" / "app.py").read_text()


# --- all or nothing ---------------------------------------------------------------------
def test_a_target_path_that_is_a_file_leaves_the_tree_as_it_was(app: Path) -> None:
    (app / "functions").write_text("not a folder\n")
    before = snapshot(app)
    result = strangler(app, "extract", "OrderShipped")
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert snapshot(app) == before


def test_a_failure_while_renaming_into_place_is_rolled_back(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(app)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 6:
            raise PermissionError("read-only folder")
        return real_replace(src, dst)

    monkeypatch.setattr(changeset.os, "replace", flaky)
    result = strangler(app, "migrate")
    assert result.exit_code == 1
    assert "read-only folder" in result.output
    monkeypatch.setattr(changeset.os, "replace", real_replace)
    assert snapshot(app) == before
    assert not [p for p in app.rglob(".*strangler-*")]


def test_an_exception_in_the_middle_of_writing_is_rolled_back(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(app)
    real_write = Path.write_text
    calls = {"n": 0}

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    result = strangler(app, "extract", "OrderShipped", "PaymentFailed")
    monkeypatch.setattr(Path, "write_text", real_write)
    assert result.exit_code == 1
    assert "disk full" in result.output
    assert snapshot(app) == before


def test_a_failed_commit_run_restores_the_repository(app: Path, repo: git.Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    head = repo.head.commit.hexsha
    before = snapshot(app)
    real_commit = gitops.Workspace.commit
    calls = {"n": 0}

    def second_fails(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("hook rejected the commit")
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(gitops.Workspace, "commit", second_fails)
    result = strangler(app, "extract", "OrderShipped", "PaymentFailed", "--commit")
    assert result.exit_code == 1
    assert "hook rejected the commit" in result.output and "nothing was changed" in result.output
    assert calls["n"] == 2
    assert repo.head.commit.hexsha == head
    assert snapshot(app) == before
    assert not repo.is_dirty(untracked_files=True)
