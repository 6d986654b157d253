"""The one exception type every stage raises when it refuses or fails."""

from __future__ import annotations

from pathlib import Path


class StranglerError(Exception):
    """A refusal with a reason a user can act on.

    ``where`` names the file (and line) or template resource the problem was found at,
    ``hint`` what to do about it.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def at(path: Path | str, line: int | None = None) -> str:
    """Format a location as ``path:line`` for error messages."""
    return f"{path}:{line}" if line else str(path)
