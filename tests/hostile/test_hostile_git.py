"""The user's git history is safe: failing git steps leave the repository as it was,
``--commit`` commits exactly what strangler wrote, and an uncommitted edit to a file the
run reads and copies stops it like an edit to a file it rewrites."""

from __future__ import annotations

import stat
from pathlib import Path

import git
import pytest

from strangler.apply import interrupts, lock
from tests.support.hostile import TreeState, accepted, app_copy, cli, edit, refused, repository

APP = "eventbridge-orders"


def _hook(app: Path, name: str, script: str) -> None:
    path = app / ".git" / "hooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _remove_hook(app: Path, name: str) -> None:
    (app / ".git" / "hooks" / name).unlink()


FAIL_ON_SECOND = """\
n=$(cat .git/hook-count 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > .git/hook-count
if [ $n -ge 2 ]; then echo "lint: line too long" >&2; exit 1; fi
"""


def _summaries(repo: git.Repo) -> list[str]:
    return [c.summary for c in repo.iter_commits()]


def _clean_result(tmp_path: Path, *args: str) -> dict[str, bytes]:
    clean = app_copy(APP, tmp_path / "clean", git_repo=True)
    accepted(clean, *args)
    return TreeState.of(clean).files


# --- failing git steps ----------------------------------------------------------------------
def test_a_pre_commit_hook_that_fails_leaves_the_repository_as_it_was(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path / "app", git_repo=True)
    _hook(app, "pre-commit", 'echo "black would reformat template.yaml" >&2\nexit 1\n')
    refused(app, "extract", "OrderShipped", "--commit",
            names=("git commit of step 1", "Extract OrderShipped", "black would reformat", "nothing was changed"))
    _remove_hook(app, "pre-commit")
    accepted(app, "extract", "OrderShipped", "--commit")
    assert _summaries(git.Repo(app))[0] == "Extract OrderShipped from OrdersFunction into OrderShippedFunction"


def test_a_hook_that_fails_on_the_second_commit_takes_the_first_back_too(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path / "app", git_repo=True)
    repo = git.Repo(app)
    _hook(app, "pre-commit", FAIL_ON_SECOND)
    refused(app, "migrate", "--commit", "--branch", "strangle",
            names=("git commit of step 2", "Extract OrderCancelled", "lint: line too long"))
    assert repo.active_branch.name in ("master", "main")
    assert "strangle" not in repo.heads
    assert _summaries(repo) == ["the monolith"]
    _remove_hook(app, "pre-commit")
    accepted(app, "migrate", "--commit", "--branch", "strangle")
    assert TreeState.of(app).files == _clean_result(tmp_path, "migrate", "--commit", "--branch", "strangle")
    assert len(_summaries(repo)) == 6


def test_a_hook_that_rewrites_a_file_and_fails_does_not_keep_its_edit(tmp_path: Path) -> None:
    """A formatter hook edits the template, then fails: the template is put back byte for byte."""
    app = app_copy(APP, tmp_path / "app", git_repo=True)
    _hook(app, "pre-commit", 'printf "# reformatted\\n" >> template.yaml\nexit 1\n')
    refused(app, "extract", "OrderShipped", "PaymentFailed", "--commit", names=("git commit of step 1",))


def test_a_commit_msg_hook_that_rejects_the_message_is_a_clear_refusal(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path / "app", git_repo=True)
    _hook(app, "commit-msg", 'echo "subject must start with a ticket id" >&2\nexit 1\n')
    refused(app, "migrate", "--commit", names=("git commit of step 1", "subject must start with a ticket id"))


@pytest.mark.parametrize("name", ["bad..name", "has space", "ends.lock", "-dash-first", "tilde~1", "trailing/"])
def test_an_invalid_branch_name_is_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    refused(app, "migrate", "--commit", "--branch", name, names=(name, "not a valid branch name"))


def test_an_invalid_branch_name_without_commit_is_refused_too(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    refused(app, "extract", "OrderShipped", "--branch", "bad..name", names=("bad..name",))


def test_an_existing_branch_is_refused_and_left_alone(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    repo = git.Repo(app)
    repo.git.branch("strangle")
    refused(app, "migrate", "--commit", "--branch", "strangle", names=("branch strangle already exists",))
    assert repo.heads["strangle"].commit == repo.head.commit


@pytest.fixture
def no_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user without any git identity: empty HOME, no system config, no EMAIL, and git told
    not to guess one from the host name."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    for name in ("EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    app = app_copy(APP, tmp_path, git_repo=True)
    with git.Repo(app).config_writer() as config:
        config.remove_section("user")
    return app


def test_no_git_identity_is_refused_before_the_first_step(no_identity: Path) -> None:
    refused(no_identity, "migrate", "--commit", names=("no identity", "user.name", "user.email"))


def test_no_git_identity_does_not_matter_without_commit(no_identity: Path) -> None:
    accepted(no_identity, "extract", "OrderShipped", "--branch", "strangle")
    repo = git.Repo(no_identity)
    assert repo.active_branch.name == "strangle"
    assert (no_identity / "functions" / "order_shipped" / "app.py").is_file()


def test_a_failed_write_with_branch_goes_back_to_the_first_branch(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    before = TreeState.of(app)

    def disk_full(phase: str) -> None:
        if phase == "place template.yaml":
            raise OSError(28, "No space left on device")

    interrupts.hook = disk_full
    try:
        result = cli(app, "migrate", "--branch", "strangle")
    finally:
        interrupts.hook = None
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert TreeState.of(app) == before
    assert "strangle" not in git.Repo(app).heads


def test_a_detached_head_is_given_back_detached_at_its_commit(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    repo = git.Repo(app)
    repo.git.checkout("--detach", "HEAD")
    _hook(app, "pre-commit", FAIL_ON_SECOND)
    refused(app, "migrate", "--commit", names=("git commit of step 2",))
    assert repo.head.is_detached


def test_a_repository_without_a_commit_yet_is_given_back_without_one(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    repo = git.Repo.init(app)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    repo.git.add(A=True)  # staged, never committed
    _hook(app, "pre-commit", FAIL_ON_SECOND)
    refused(app, "migrate", "--commit", "--allow-dirty", names=("git commit of step 2",))
    assert not repo.head.is_valid()


# --- --commit commits what strangler wrote, nothing else --------------------------------------
def test_commit_leaves_the_users_staged_changes_staged_and_out_of_its_commits(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    repo = git.Repo(app)
    (app / "NOTES.md").write_text("work in progress\n")
    (app / "README.md").write_text("a new readme\n")
    repo.git.add("NOTES.md", "README.md")
    (app / "NOTES.md").write_text("work in progress, edited again\n")  # staged and unstaged differ
    staged = repo.git.diff("--cached", "--binary")
    accepted(app, "migrate", "--commit")
    for commit in list(repo.iter_commits(max_count=5)):
        changed = set(commit.stats.files)
        assert not changed & {"NOTES.md", "README.md"}, commit.summary
    assert repo.git.diff("--cached", "--binary") == staged
    assert (app / "NOTES.md").read_text() == "work in progress, edited again\n"
    assert repo.git.status("--porcelain") == "AM NOTES.md\nA  README.md"


def test_each_commit_holds_exactly_the_files_of_its_step(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    repo = git.Repo(app)
    accepted(app, "extract", "OrderShipped", "--commit")
    files = repo.git.show("--name-status", "--format=", "HEAD").splitlines()
    assert sorted(files) == sorted([
        "A\tfunctions/order_shipped/app.py",
        "A\tfunctions/order_shipped/handlers_extra.py",
        "A\tfunctions/order_shipped/requirements.txt",
        "A\tfunctions/order_shipped/shared.py",
        "M\tsrc/app.py",
        "M\ttemplate.yaml",
    ])
    assert not repo.is_dirty(untracked_files=True)


def test_an_app_in_a_subfolder_of_the_repository_commits_its_own_paths(tmp_path: Path) -> None:
    top = tmp_path / "monorepo"
    top.mkdir()
    (top / "other.txt").write_text("another project\n")
    app = app_copy(APP, top)
    repo = repository(top)
    (top / "other.txt").write_text("another project, edited\n")
    accepted(app, "migrate", "--commit")
    assert repo.git.status("--porcelain") == " M other.txt"
    retire = repo.git.show("--name-status", "--format=", "HEAD").splitlines()
    assert "D\teventbridge-orders/src/app.py" in retire and "M\teventbridge-orders/template.yaml" in retire


def test_a_written_path_ignored_by_gitignore_is_still_committed(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    repo = git.Repo(app)
    (app / ".gitignore").write_text("functions/\n")
    repo.index.add([".gitignore"])
    repo.index.commit("ignore build output")
    accepted(app, "extract", "OrderShipped", "--commit")
    assert "functions/order_shipped/app.py" in repo.git.show("--name-only", "--format=", "HEAD").splitlines()


def test_no_lock_or_litter_gets_into_a_commit_or_the_tree(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    repo = git.Repo(app)
    accepted(app, "migrate", "--commit")
    every = repo.git.log("--name-only", "--format=").splitlines()
    assert not [p for p in every if "strangler" in p and ("lock" in p or "strangler-" in p)]
    assert not (Path(repo.git_dir) / lock.NAME_IN_GIT).exists()


# --- files read and copied count as touched ------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "action", "copied"),
    [
        (APP, "OrderShipped", "src/shared.py"),
        (APP, "OrderShipped", "src/handlers_extra.py"),
        (APP, "OrderShipped", "src/requirements.txt"),
        ("powertools-routers-library", "GET /books", "src/storage.py"),
        ("powertools-routers-library", "GET /books", "src/routes/__init__.py"),
    ],
    ids=["sibling-module", "module-of-a-handler", "requirements", "router-sibling", "router-package"],
)
def test_an_uncommitted_edit_to_a_copied_file_is_refused(tmp_path: Path, fixture: str, action: str, copied: str) -> None:
    app = app_copy(fixture, tmp_path, git_repo=True)
    path = app / copied
    path.write_text(path.read_text() + "\n# not committed yet\n")
    refused(app, "extract", action, names=(copied, "uncommitted changes"))


def test_a_staged_but_uncommitted_copied_file_is_refused(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    edit(app / "src" / "shared.py", "class ConflictError", "class ConflictError  # staged only\nclass _Unused:\n    pass\n\n\nclass ConflictError")
    git.Repo(app).git.add("src/shared.py")
    refused(app, "extract", "OrderShipped", "--commit", names=("src/shared.py",))


def test_an_untracked_module_that_would_be_copied_is_refused(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    (app / "src" / "helpers.py").write_text("def shout(text):\n    return text.upper()\n")
    edit(app / "src" / "handlers_extra.py", "import boto3\n", "import boto3\nfrom helpers import shout\n")
    edit(app / "src" / "handlers_extra.py", 'Subject=f"Order {order_id} shipped"', 'Subject=shout(f"Order {order_id} shipped")')
    git.Repo(app).git.commit("-qam", "use helpers (but forget to add the module)")
    refused(app, "extract", "OrderShipped", names=("src/helpers.py",))


def test_an_uncommitted_edit_to_a_file_no_action_copies_does_not_matter(tmp_path: Path) -> None:
    app = app_copy("powertools-routers-library", tmp_path, git_repo=True)
    path = app / "src" / "routes" / "members.py"
    path.write_text(path.read_text() + "\n# not committed yet\n")
    accepted(app, "extract", "GET /books")
    assert not (app / "functions" / "get_books" / "routes" / "members.py").exists()


def test_allow_dirty_copies_the_edit_it_was_told_about(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    path = app / "src" / "shared.py"
    path.write_text(path.read_text() + "\n# not committed yet\n")
    accepted(app, "extract", "OrderShipped", "--allow-dirty")
    assert (app / "functions" / "order_shipped" / "shared.py").read_text().endswith("# not committed yet\n")
