"""The interface every rule module of ``strangler check`` answers to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from strangler.check.app import CheckedApp
from strangler.check.edits import Edits
from strangler.check.model import Finding, RuleInfo


class Rule(Protocol):
    """One pitfall: its codes, how it is found and how the safe cases are fixed."""

    @property
    def infos(self) -> tuple[RuleInfo, ...]:
        """Every code this rule reports (``STR101``, ``STR102``...)."""
        ...

    def find(self, app: CheckedApp) -> Iterable[Finding]:
        """The findings in ``app``, in file then line order; never raises for odd code
        (an unreadable module is a finding or nothing, not a traceback)."""
        ...

    def fix(self, app: CheckedApp, findings: Sequence[Finding], edits: Edits) -> None:
        """Fix the ``fixable`` findings among ``findings`` (all of this rule's codes) by
        editing ``edits``; raise :class:`strangler.errors.StranglerError` to refuse the
        whole run (nothing is written then). Rules run one after another on the same
        ``edits``, so a rule reads files and the template through it, as earlier rules
        left them."""
        ...
