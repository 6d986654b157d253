"""What a long run tells whoever watches it: the phase it is in, and how far a counted phase is.

The stages report through a ``Progress`` they are given (``SILENT`` by default) and never
print: the command line decides whether anything shows (a terminal) or not (a pipe, -q,
--json). Plain data at the bottom of the layers, so that every stage can take one.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def phase(self, text: str, total: int = 0) -> None:
        """A phase begins (the one before it is over): ``text`` says what it does, in words
        true of a dry run too ("Rendering", never "Extracted"). ``total`` > 0 when it is
        counted: ``advance`` is then called once per item."""

    def advance(self, item: str) -> None:
        """One item of the counted phase is done; ``item`` names it (an action's key)."""


class _Silent:
    def phase(self, text: str, total: int = 0) -> None:
        return None

    def advance(self, item: str) -> None:
        return None


SILENT: Progress = _Silent()
