"""The sink: a ChangeSet as a git-style unified diff, and applied all or nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from strangler.apply import changeset
from strangler.apply.changeset import ApplyError, apply, unified_diff
from strangler.model import FileChange

CHANGES = [
    FileChange("functions/order_placed/app.py", None, "def lambda_handler(event, context):\n    return 1\n"),
    FileChange("src/app.py", "import json\nimport os\nHANDLERS = {}\n", "import json\nHANDLERS = {}\n"),
    FileChange("src/legacy.py", "OLD = True\n", None),
]

EXPECTED_DIFF = """\
diff --git a/functions/order_placed/app.py b/functions/order_placed/app.py
new file mode 100644
index 0000000..bddc03a
--- /dev/null
+++ b/functions/order_placed/app.py
@@ -0,0 +1,2 @@
+def lambda_handler(event, context):
+    return 1
diff --git a/src/app.py b/src/app.py
index 3b5d5d6..f507d79 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,3 +1,2 @@
 import json
-import os
 HANDLERS = {}
diff --git a/src/legacy.py b/src/legacy.py
deleted file mode 100644
index a4c0367..0000000
--- a/src/legacy.py
+++ /dev/null
@@ -1 +0,0 @@
-OLD = True
"""


def test_diff_of_new_modified_and_deleted_files():
    assert unified_diff(CHANGES) == EXPECTED_DIFF


def test_diff_without_git_is_the_same_text(monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory: 'git'")

    monkeypatch.setattr(changeset.subprocess, "run", no_git)

    assert unified_diff(CHANGES) == EXPECTED_DIFF


def test_diff_marks_a_missing_final_newline():
    diff = unified_diff([FileChange("src/app.py", "x = 1", "x = 2")])

    assert diff.endswith("-x = 1\n\\ No newline at end of file\n+x = 2\n\\ No newline at end of file\n")


def test_diff_of_nothing_is_empty():
    assert unified_diff([]) == ""


def test_diff_header_of_a_path_with_a_space():
    diff = unified_diff([FileChange("my service/app.py", None, "x = 1\n")])

    assert diff.splitlines()[0] == "diff --git a/my service/app.py b/my service/app.py"


# --- apply ------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("import json\nimport os\nHANDLERS = {}\n")
    (tmp_path / "src" / "legacy.py").write_text("OLD = True\n")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "gone.py").write_text("GONE = 1\n")
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    return tmp_path


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) under ``root``."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_apply_writes_every_change_and_removes_emptied_folders(project):
    apply(project, [*CHANGES, FileChange("old/gone.py", "GONE = 1\n", None)])

    assert tree(project) == {
        "functions": None,
        "functions/order_placed": None,
        "functions/order_placed/app.py": b"def lambda_handler(event, context):\n    return 1\n",
        "src": None,
        "src/app.py": b"import json\nHANDLERS = {}\n",
        "template.yaml": b"Resources: {}\n",
    }


def test_a_path_whose_parent_is_a_file_changes_nothing(project):
    before = tree(project)

    with pytest.raises(ApplyError) as caught:
        apply(project, [*CHANGES, FileChange("src/app.py/extra.py", None, "x = 1\n")])

    assert caught.value.path == "src/app.py/extra.py"
    assert tree(project) == before


def test_a_failing_rename_changes_nothing(project, monkeypatch):
    before = tree(project)
    real_replace = os.replace
    calls = []

    def replace_failing_on_second_call(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(changeset.os, "replace", replace_failing_on_second_call)

    with pytest.raises(ApplyError) as caught:
        apply(project, CHANGES)

    assert caught.value.path == "src/app.py"
    assert tree(project) == before


def test_a_failing_temporary_write_changes_nothing(project, monkeypatch):
    before = tree(project)
    real_write_text = Path.write_text
    writes = []

    def write_failing_on_second_call(self, data, *args, **kwargs):
        writes.append(self)
        if len(writes) == 2:
            raise OSError(errno.EIO, "Input/output error", str(self))
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_failing_on_second_call)

    with pytest.raises(ApplyError):
        apply(project, CHANGES)

    assert tree(project) == before


def test_a_temporary_write_that_fails_half_way_leaves_no_temporary_file(project, monkeypatch):
    before = tree(project)
    real_write_text = Path.write_text
    writes = []

    def disk_full_on_second_call(self, data, *args, **kwargs):
        writes.append(self)
        if len(writes) == 2:
            with open(self, "w", encoding="utf-8") as handle:
                handle.write(data[:5])
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", disk_full_on_second_call)

    with pytest.raises(ApplyError):
        apply(project, CHANGES)

    assert tree(project) == before


def test_new_and_deleted_files_read_exactly_as_git_diff_shows_them(tmp_path) -> None:
    import subprocess

    from strangler.apply.changeset import apply, unified_diff
    from strangler.model import FileChange

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "gone.py").write_text("x = 1\ny = 2")
    (repo / "one.txt").write_text("only line\n")
    (repo / "kept.py").write_text("a = 1\nb = 2\nc = 3\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "before"], cwd=repo, check=True)
    changes = [
        FileChange("gone.py", "x = 1\ny = 2", None),
        FileChange("one.txt", "only line\n", None),
        FileChange("new/empty.py", None, ""),
        FileChange("new/single.txt", None, "one"),
        FileChange("new/module.py", None, '"""doc"""\n\nVALUE = 1\n'),
        FileChange("kept.py", "a = 1\nb = 2\nc = 3\n", "a = 1\nb = 20\nc = 3\n"),
    ]
    diff = unified_diff(changes)
    apply(repo, changes)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    shown = subprocess.run([*git, "diff", "--cached", "--no-renames", "--no-color"], cwd=repo, check=True, capture_output=True, text=True)
    assert diff == shown.stdout
