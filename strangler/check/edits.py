"""The changes ``strangler check --fix`` makes, gathered before anything is written.

Rules edit the template through ``template`` (a document of its own, so the project the
rules read stays as it was on disk) and code files through ``text``/``replace``; at the end
``change_set`` turns it all into one ChangeSet that the writer applies all-or-nothing.
"""

from __future__ import annotations

from pathlib import Path

from strangler.load.project import Project
from strangler.model import ChangeSet, FileChange, Report
from strangler.template.document import TemplateDocument


class Edits:
    def __init__(self, project: Project) -> None:
        self.project = project
        # A document of its own: the rules read ``project.template`` as it is on disk.
        self.template = TemplateDocument.load(project.template.path)
        self._original: dict[str, str | None] = {}
        self._texts: dict[str, str | None] = {}
        self._lines: dict[str, list[str]] = {kind: [] for kind in ("created", "changed", "manual")}
        self.template_edited = False

    def text(self, relative: str) -> str | None:
        """A file as earlier fixes of this run left it (None: absent)."""
        if relative in self._texts:
            return self._texts[relative]
        return self._read(relative)

    def replace(self, relative: str, new: str | None) -> None:
        """Give ``relative`` (a path under the project) new text, or None to delete it."""
        if relative not in self._original:
            self._original[relative] = self._read(relative)
        self._texts[relative] = new

    def touch_template(self) -> None:
        """Say the template document was edited (its dump is then part of the change)."""
        self.template_edited = True

    def say(self, kind: str, line: str) -> None:
        """One report line: kind is ``created``, ``changed`` or ``manual``."""
        self._lines[kind].append(line)

    def change_set(self) -> ChangeSet:
        changes = [FileChange(path, self._original[path], new) for path, new in self._texts.items()
                   if new != self._original[path]]
        if self.template_edited:
            relative = self.project.relative(self.template.path)
            old = self.template.path.read_bytes().decode("utf-8")
            new = str(self.template.dump())
            if new != old:
                changes.append(FileChange(relative, old, new))
        report = Report(created=tuple(self._lines["created"]), changed=tuple(self._lines["changed"]),
                        manual=tuple(self._lines["manual"]))
        return ChangeSet(tuple(sorted(changes, key=lambda change: change.path)), report)

    def _read(self, relative: str) -> str | None:
        path = self.project.root / Path(relative)
        if not path.is_file():
            return None
        return path.read_bytes().decode("utf-8")
