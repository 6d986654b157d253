"""The Python files (and requirements) of the code folders, as Python reads them.

Each text is the file's UTF-8 content with its line endings untouched (CRLF stays CRLF:
LibCST keeps every line's own ending and writes new lines with the module's first one) and
without a leading byte order mark, which ``ast``, ``symtable`` and ``compile`` refuse in a
``str``. ``as_written`` puts the mark back on whatever is written for that file.

A file that cannot be used (not UTF-8, a dangling symlink, a symlink loop) is listed but
refuses when its text is asked for: strangler stops only if the run needs that file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from strangler.errors import StranglerError

BOM = "\ufeff"


@dataclass(frozen=True)
class Link:
    """How a source file is reached through a symlink: the link itself (the file, or a
    folder above it) and the real path it points at."""

    link: Path
    target: Path
    inside: bool  # the target is inside the application


@dataclass(frozen=True)
class Unusable:
    """Why a listed file cannot be used; raised when the file is needed."""

    message: str
    where: str
    hint: str

    def error(self) -> StranglerError:
        return StranglerError(self.message, where=self.where, hint=self.hint)


class SourceFiles(Mapping[Path, str]):
    def __init__(
        self,
        texts: Mapping[Path, str | Unusable],
        bom: frozenset[Path] = frozenset(),
        links: Mapping[Path, Link] | None = None,
    ):
        self._texts = dict(texts)
        self.bom = bom
        self.links = dict(links or {})

    def __getitem__(self, path: Path) -> str:
        text = self._texts[path]
        if isinstance(text, Unusable):
            raise text.error()
        return text

    def __iter__(self) -> Iterator[Path]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def as_written(self, path: Path, text: str) -> str:
        """``text`` as it goes to disk for ``path`` (or a copy of it): with the file's BOM
        (an empty file gets none: there is no text to mark)."""
        return BOM + text if path in self.bom and text and not text.startswith(BOM) else text


def as_written(sources: Mapping[Path, str], path: Path, text: str) -> str:
    """``SourceFiles.as_written`` for any mapping (a plain dict has no BOMs)."""
    return sources.as_written(path, text) if isinstance(sources, SourceFiles) else text


def link_of(sources: Mapping[Path, str], path: Path) -> Link | None:
    return sources.links.get(path) if isinstance(sources, SourceFiles) else None
