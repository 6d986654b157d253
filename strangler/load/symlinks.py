"""Symlinks under a code folder: followed when copied, never written through nor replaced.

``sam build`` copies what a symlink points at, so a new function gets a regular copy of a
symlinked module, and the run says so (edits to the shared file no longer reach it). A file
strangler would rewrite that is a symlink, or sits in a symlinked folder, is refused: the
file it points at may be shared with other code, and replacing the link by a regular file
would quietly end that sharing. Deleting (retiring the monolith's folder) removes a
symlinked file's link only, and leaves a symlinked folder's files where they are.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path

from strangler.errors import StranglerError
from strangler.load.files import Link, link_of
from strangler.load.project import Project


def copied_links(project: Project, folder: str, code_dir: Path, paths: Iterable[Path]) -> list[str]:
    """What the report says about the files a new function in ``folder`` copies through a symlink."""
    notes = []
    for path in paths:
        link = link_of(project.sources, path)
        if link is not None:
            notes.append(
                f"{folder}/{path.relative_to(code_dir).as_posix()} is a copy of {_display(project, path)}, which "
                f"{_via(project, path, link)}: "
                "edit the copy from now on, changes to the link's target no longer reach this function"
            )
    return notes


def guard_links(
    project: Project, files: MutableMapping[str, str | None], removed: list[str], manual: list[str],
    unlinked: set[str] | None = None,
) -> None:
    """Refuse to rewrite a file reached through a symlink; keep deletions off link targets.

    ``unlinked``: paths known to be reached through no symlink, skipped, and added to as
    they are found (a run that checks after every step checks each path once)."""
    for path in sorted(files):
        if unlinked is not None and path in unlinked:
            continue
        absolute = project.root / path
        link = link_of(project.sources, absolute)
        if link is None:
            if unlinked is not None:
                unlinked.add(path)
            continue
        if files[path] is not None:
            raise StranglerError(
                f"this file {_via(project, absolute, link)}; strangler would have to rewrite the file it points at "
                "(other code may share it) or replace the link by a regular file, and does neither",
                where=path,
                hint=f"replace the link by a copy of its target (cp --remove-destination "
                f"{_display(project, link.target)} {_display(project, link.link)}), commit, and run again",
            )
        if link.link == absolute:
            # The sink removes the link itself; the file it points at stays.
            _replace(removed, path, f"{path} (the symlink only; {_display(project, link.target)} stays)")
            continue
        del files[path]
        _replace(removed, path, None)
        note = (f"{_display(project, link.link)}/ is a symlink to {_display(project, link.target)}: "
                "its files were left in place; remove the link once nothing needs it")
        if note not in manual:
            manual.append(note)


def _replace(lines: list[str], line: str, new: str | None) -> None:
    if line in lines:
        index = lines.index(line)
        if new is None:
            del lines[index]
        else:
            lines[index] = new


def _via(project: Project, path: Path, link: Link) -> str:
    target = _display(project, link.target)
    outside = "" if link.inside else ", outside the application"
    if link.link == path:
        return f"is a symlink to {target}{outside}"
    return f"is in {_display(project, link.link)}/, a symlink to {target}{outside}"


def _display(project: Project, path: Path) -> str:
    try:
        return project.relative(path)
    except ValueError:
        return str(path)
