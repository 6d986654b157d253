"""Every rule ``strangler check`` runs, in the order their codes are numbered: a new
pitfall is a module beside this one and a line here."""

from __future__ import annotations

from strangler.check.base import Rule
from strangler.check.idempotency import RULE as IDEMPOTENCY
from strangler.check.invokes import SyncInvokeRule
from strangler.check.monolith import MonolithRule

RULES: list[Rule] = [MonolithRule(), SyncInvokeRule(), IDEMPOTENCY]
