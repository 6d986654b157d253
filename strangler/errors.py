"""The one exception type every stage raises when it refuses or fails."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
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


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the choices ``word`` was probably meant to be: the same but for case
    first (keys are compared exactly), else the close matches difflib finds; None if none."""
    known = list(dict.fromkeys(choices))
    same = [choice for choice in known if choice.casefold() == word.casefold()]
    if not same:
        folded = {choice.casefold(): choice for choice in known}
        same = [folded[match] for match in difflib.get_close_matches(word.casefold(), list(folded), n=3, cutoff=0.8)]
    if not same:
        return None
    return "did you mean " + " or ".join(repr(choice) for choice in same) + "?"
