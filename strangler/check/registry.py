"""Every rule ``strangler check`` runs, in the order their codes are numbered."""

from __future__ import annotations

from strangler.check.base import Rule

# Append-only: each rule module adds its rule object here.
RULES: list[Rule] = []

from strangler.check.monolith import MonolithRule  # appended: one import per rule

RULES.append(MonolithRule())

from strangler.check.invokes import SyncInvokeRule  # appended: one import per rule

RULES.append(SyncInvokeRule())
