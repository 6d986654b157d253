"""The sink: show a ChangeSet as a unified diff, or apply it all or nothing."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from strangler.apply import interrupts
from strangler.model import FileChange

_FUNCNAME = re.compile(r"^[A-Za-z_$]")


def _blob_id(text: str | None) -> str:
    if text is None:
        return "0" * 7
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()[:7]


def unified_diff(changes: Iterable[FileChange]) -> str:
    """The changes as ``git diff`` prints them (``a/``/``b/``, ``/dev/null``, index lines).

    Git's own diff is used when git is installed, so the dry run shows exactly what
    ``git diff`` shows after the real run; difflib stands in otherwise.
    """
    changes = sorted(changes, key=lambda c: c.path)
    whole = {c.path: _whole_file_diff(c) for c in changes if c.old is None or c.new is None}
    modified = [c for c in changes if c.path not in whole]
    try:
        edited = _git_diff(modified) if modified else ""
    except (OSError, subprocess.SubprocessError):
        edited = _difflib_diff(modified)
    chunks = dict(whole)
    for chunk in re.split(r"(?m)^(?=diff --git a/)", edited):
        if chunk:
            chunks[_chunk_path(chunk)] = chunk
    return "".join(chunks[c.path] for c in changes if c.path in chunks)


def _chunk_path(chunk: str) -> str:
    sides = chunk[len("diff --git ") : chunk.index("\n")]
    return sides[2 : (len(sides) - 1) // 2]


def _whole_file_diff(change: FileChange) -> str:
    """A new or deleted file, exactly as git prints it: every line added or removed.

    Git is only asked about edited files; a large migration creates thousands of files.
    """
    created = change.old is None
    text = change.new if created else change.old
    assert text is not None
    head = [f"diff --git a/{change.path} b/{change.path}\n"]
    if created:
        head += ["new file mode 100644\n", f"index {_blob_id(None)}..{_blob_id(text)}\n"]
    else:
        head += ["deleted file mode 100644\n", f"index {_blob_id(text)}..{_blob_id(None)}\n"]
    if not text:
        return "".join(head)
    lines = text.splitlines(keepends=True)
    count = "" if len(lines) == 1 else f",{len(lines)}"
    sign = "+" if created else "-"
    head += ["--- /dev/null\n", f"+++ b/{change.path}\n"] if created else [f"--- a/{change.path}\n", "+++ /dev/null\n"]
    head.append(f"@@ -0,0 +1{count} @@\n" if created else f"@@ -1{count} +0,0 @@\n")
    body = [sign + line for line in lines]
    if not body[-1].endswith("\n"):
        body[-1] += "\n\\ No newline at end of file\n"
    return "".join(head + body)


def _git_diff(changes: list[FileChange]) -> str:
    """One ``git diff --no-index`` over two temporary trees holding only the changed files."""
    with tempfile.TemporaryDirectory(prefix="strangler-diff-") as temp:
        root = Path(temp)
        for side, text_of in (("a", lambda c: c.old), ("b", lambda c: c.new)):
            (root / side).mkdir()
            for change in changes:
                text = text_of(change)
                if text is not None:
                    target = root / side / change.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(text.encode("utf-8"))
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", "diff", "--no-index", "--no-color", "--no-renames",
             "--no-ext-diff", "--no-prefix", "a", "b"],
            cwd=root, capture_output=True, check=False,
        )
        if done.returncode not in (0, 1):
            raise subprocess.SubprocessError(done.stderr.decode(errors="replace"))
        return "".join(_repo_header(line) for line in done.stdout.decode("utf-8").splitlines(keepends=True))


def _repo_header(line: str) -> str:
    """``--no-index`` names a new file ``b/x`` on both sides; a repository says ``a/x b/x``."""
    if not line.startswith("diff --git "):
        return line
    # Both sides name the same path (renames are off), so the line splits in the middle,
    # whatever spaces the path holds.
    sides = line[len("diff --git ") :].rstrip("\n")
    path = sides[2 : (len(sides) - 1) // 2]
    return f"diff --git a/{path} b/{path}\n"


def _difflib_diff(changes: list[FileChange]) -> str:
    out: list[str] = []
    for change in changes:
        out.append(f"diff --git a/{change.path} b/{change.path}\n")
        if change.old is None:
            out.append("new file mode 100644\n")
            out.append(f"index {_blob_id(None)}..{_blob_id(change.new)}\n")
        elif change.new is None:
            out.append("deleted file mode 100644\n")
            out.append(f"index {_blob_id(change.old)}..{_blob_id(None)}\n")
        else:
            out.append(f"index {_blob_id(change.old)}..{_blob_id(change.new)} 100644\n")
        old_lines = _lines(change.old)
        new_lines = _lines(change.new)
        before = "/dev/null" if change.old is None else f"a/{change.path}"
        after = "/dev/null" if change.new is None else f"b/{change.path}"
        body = list(difflib.unified_diff(old_lines, new_lines, before, after, n=3))
        if not body:
            continue
        out.append(f"--- {before}\n+++ {after}\n")
        out.extend(_with_function_context(body[2:], old_lines))
    return "".join(out)


def _lines(text: str | None) -> list[str]:
    if not text:
        return []
    lines = text.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _with_function_context(body: list[str], old_lines: list[str]) -> list[str]:
    """Add git's hunk-header context: the last line above the hunk that starts a definition."""
    result = []
    for line in body:
        if line.startswith("@@"):
            start = int(line.split()[1].lstrip("-").split(",")[0])
            context = next(
                (old_lines[i].rstrip("\n") for i in range(start - 2, -1, -1) if _FUNCNAME.match(old_lines[i])), ""
            )
            if context:
                line = line.rstrip("\n") + f" {context[:80]}\n"
        result.append(line)
    return result


def colour(diff: str) -> str:
    """``diff`` for a terminal: each line styled up to its line ending and reset before it,
    so that no colour runs on past the end of a line (into the next one, or the prompt when
    a pager or an interruption cuts the output short)."""
    import click

    styled = []
    for line in diff.splitlines(keepends=True):
        text = line.rstrip("\r\n")
        end = line[len(text):]
        if line.startswith(("+++", "---", "diff --git", "index ", "new file", "deleted file")):
            text = click.style(text, bold=True)
        elif line.startswith("+"):
            text = click.style(text, fg="green")
        elif line.startswith("-"):
            text = click.style(text, fg="red")
        elif line.startswith("@@"):
            text = click.style(text, fg="cyan")
        styled.append(text + end)
    return "".join(styled)


class ApplyError(Exception):
    def __init__(self, path: str, cause: BaseException):
        super().__init__(f"{path}: {cause}")
        self.path = path
        self.cause = cause


def apply(root: Path, changes: Iterable[FileChange]) -> None:
    """Write every change or none.

    Every new content is first written to a temporary file beside its target; only when all
    are written are they renamed into place, the replaced files kept aside until the end.
    Any failure, or a signal, puts back what was renamed and removes what was created.
    Signals wait during the renames and the rollback and are taken at the phases between.
    """
    changes = list(changes)
    made_dirs: list[Path] = []
    staged: list[tuple[Path, Path | None]] = []  # (target, temp file or None for a deletion)
    swapped: list[tuple[Path, Path | None]] = []  # (target, backup or None if it was new)
    current = ""
    with interrupts.deferred():
        try:
            for change in changes:
                current = change.path
                interrupts.phase(f"stage {change.path}")
                target = root / change.path
                if change.new is None:
                    staged.append((target, None))
                    continue
                _make_parents(target.parent, root, made_dirs)
                temp = target.with_name(f".{target.name}.strangler-new")
                staged.append((target, temp))  # before writing, so a half-written file is cleaned up
                temp.write_text(change.new, encoding="utf-8")
            for target, temp in staged:
                current = str(target.relative_to(root))
                interrupts.phase(f"swap {current}")
                backup = None
                if target.exists():
                    backup = target.with_name(f".{target.name}.strangler-old")
                    swapped.append((target, backup))  # before renaming: the rollback checks what exists
                    os.replace(target, backup)
                else:
                    swapped.append((target, None))
                if temp is not None:
                    interrupts.phase(f"place {current}")
                    os.replace(temp, target)
            interrupts.phase("swapped")
        except BaseException as exc:
            _roll_back(root, staged, swapped, made_dirs)
            if isinstance(exc, interrupts.SIGNALS):
                raise
            raise ApplyError(current, exc) from exc
        for target, backup in swapped:
            if backup is not None:
                backup.unlink()
            if not target.exists():
                _remove_empty_parents(target.parent, root)


def _make_parents(directory: Path, root: Path, made: list[Path]) -> None:
    missing = []
    while not directory.exists() and directory != root:
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        made.append(path)  # before making it: the rollback removes it only if it exists
        path.mkdir()


def _roll_back(root: Path, staged, swapped, made_dirs: list[Path]) -> None:
    for target, backup in reversed(swapped):
        interrupts.mark(f"restore {target.relative_to(root).as_posix()}")
        if backup is None:
            if target.exists():
                target.unlink()
        elif backup.exists():
            # Moved aside and perhaps replaced: the backup is the original.
            os.replace(backup, target)
    for _, temp in staged:
        if temp is not None and temp.exists():
            temp.unlink()
    for directory in reversed(made_dirs):
        if directory.exists() and not any(directory.iterdir()):
            directory.rmdir()


class Originals:
    """The files a multi-step run touches, as they were before its first step, byte for byte.

    ``--commit`` writes one step after another; undoing the run puts these back.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, tuple[bytes, int] | None] = {}
        self.missing_dirs: list[Path] = []

    def remember(self, paths: Iterable[str]) -> None:
        """Call before each step, for the paths it is about to write."""
        for path in paths:
            if path in self.files:
                continue
            target = self.root / path
            self.files[path] = (target.read_bytes(), target.stat().st_mode) if target.is_file() else None
            directory = target.parent
            while directory != self.root and not directory.exists():
                if directory not in self.missing_dirs:
                    self.missing_dirs.append(directory)
                directory = directory.parent

    def restore(self) -> list[str]:
        """Put every remembered file back; what could not be, as messages."""
        problems = []
        for path, original in self.files.items():
            interrupts.mark(f"restore {path}")
            target = self.root / path
            try:
                if original is None:
                    target.unlink(missing_ok=True)
                    continue
                content, mode = original
                target.parent.mkdir(parents=True, exist_ok=True)
                temp = target.with_name(f".{target.name}.strangler-new")
                temp.write_bytes(content)
                os.chmod(temp, mode & 0o7777)
                os.replace(temp, target)
            except OSError as exc:
                problems.append(f"{path}: {exc}")
        for directory in sorted(self.missing_dirs, key=lambda d: len(d.parts), reverse=True):
            # Only folders the run made: an empty folder the user had stays.
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        return problems


def _remove_empty_parents(directory: Path, root: Path) -> None:
    while directory != root and directory.is_dir() and not any(p.name != "__pycache__" for p in directory.iterdir()):
        for cache in directory.glob("__pycache__"):
            for item in cache.iterdir():
                item.unlink()
            cache.rmdir()
        directory.rmdir()
        directory = directory.parent
