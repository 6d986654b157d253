"""What ``strangler check`` finds: data that flows from the rules to the output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in the application, relative to the project directory; line and column from 1."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Finding:
    """One pitfall at one place.

    ``message`` is one line (what was found); ``explanation`` says why it matters;
    ``fix`` says what ``--fix`` does about it, or None when it is advice only (then
    ``advice`` says what a person can do instead).
    """

    code: str  # "STR101"
    message: str
    location: Location
    function_id: str | None = None  # the template's function the code belongs to
    explanation: str = ""
    fix: str | None = None
    advice: str = ""
    related: tuple[Location, ...] = ()  # other places the finding involves (the callee, the template)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def line(self) -> str:
        """The ruff-style line: ``path:line:col: CODE message``."""
        return f"{self.location}: {self.code} {self.message}"


@dataclass(frozen=True)
class RuleInfo:
    """One rule code, as the README, ``--select`` and SARIF's rule list show it."""

    code: str  # "STR101"
    name: str  # "sync-invoke" (kebab case, for SARIF and people)
    summary: str  # one line
    explanation: str  # a short paragraph: why it is a pitfall, what the fix is
