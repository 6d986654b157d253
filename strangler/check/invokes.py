"""STR101/STR102: a Lambda function that waits for another one (a synchronous invoke).

STR101: the response is not used, so a queue can carry the request without changing what
the caller observes: fixed (``invokes_fix``). STR102: the response is used: advice only
(a Step Functions state machine sequencing the two, or an asynchronous invoke with a
destination), never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from strangler.check import invokes_fix
from strangler.check.app import CheckedApp
from strangler.check.edits import Edits
from strangler.check.invokes_find import Invoke, sync_invokes
from strangler.check.model import Finding, Location, RuleInfo

UNUSED = RuleInfo(
    code="STR101",
    name="sync-invoke-response-unused",
    summary="A Lambda function waits for another one whose response it does not use",
    explanation=("A synchronous invoke bills the caller for its memory while the callee runs, holds it up by the "
                 "slowest callee and leaves it the callee's errors and retries. The response is not used, so an "
                 "SQS queue (with a dead-letter queue) can carry the request instead."),
)
USED = RuleInfo(
    code="STR102",
    name="sync-invoke-response-used",
    summary="A Lambda function waits for another one and uses its response",
    explanation=("A synchronous invoke bills the caller for its memory while the callee runs and chains their "
                 "failures. The response is used, so the call cannot simply become a message: sequence the two "
                 "with Step Functions, or invoke asynchronously with a destination for the result."),
)


class SyncInvokeRule:
    infos = (UNUSED, USED)

    def find(self, app: CheckedApp) -> Iterable[Finding]:
        invokes = sync_invokes(app)
        edges = {(i.caller, i.callee) for i in invokes if i.callee is not None}
        return [_finding(app, invoke, edges) for invoke in invokes]

    def fix(self, app: CheckedApp, findings: Sequence[Finding], edits: Edits) -> None:
        wanted = {(f.location.path, f.location.line, f.location.col) for f in findings
                  if f.code == UNUSED.code and f.fixable}
        chosen = [i for i in sync_invokes(app) if (i.path, i.line, i.col) in wanted]
        invokes_fix.fix(app, chosen, edits)


def _finding(app: CheckedApp, invoke: Invoke, edges: set[tuple[str, str | None]]) -> Finding:
    callee = invoke.callee or f"the function {invoke.target} names"
    memory = memory_size(app, invoke.caller)
    chain = " -> ".join(longest_chain(edges, invoke.caller, invoke.callee)) if invoke.callee else ""
    maybe = "" if invoke.certain else " (InvocationType is not a literal: it may be synchronous)"
    via = f" through {invoke.helper}()" if invoke.helper else ""
    response = "uses its response" if invoke.used else "ignores its response"
    said = (f"{invoke.caller} waits for {callee}{via}{maybe} and {response}; {invoke.caller} is billed for its "
            f"{memory} while it waits")
    if chain.count(" -> ") > 1:
        said += f" (chain {chain})"
    location = Location(invoke.path, invoke.line, invoke.col)
    related = (resource_location(app, invoke.callee or invoke.caller),)
    if invoke.used:
        return Finding(USED.code, said, location, invoke.caller, USED.explanation,
                       advice=f"a Step Functions state machine that runs {invoke.caller}'s work, then {callee}; "
                              "or InvocationType='Event' with an OnSuccess destination for the result",
                       related=related)
    refusal = invokes_fix.refusal(app, invoke)
    fix = (f"a queue {invoke.callee}Queue (with a dead-letter queue) between them: {invoke.caller} sends a message, "
           f"{invoke.callee} reads it through an SQS event") if refusal is None else None
    return Finding(UNUSED.code, said, location, invoke.caller, UNUSED.explanation,
                   fix=fix, advice="" if fix else f"not fixed automatically: {refusal}; put an SQS queue between "
                   "them by hand (or invoke with InvocationType='Event')", related=related)


def resource_location(app: CheckedApp, logical_id: str) -> Location:
    """Where the template declares ``logical_id`` (its first line when the position is unknown)."""
    resources = app.template.get("Resources")
    try:
        line, col = resources.lc.key(logical_id)  # ruamel keeps each key's position (from 0)
    except (AttributeError, KeyError, TypeError):
        return Location(app.template_path, 1, 1)
    return Location(app.template_path, line + 1, col + 1)


def memory_size(app: CheckedApp, logical_id: str) -> str:
    """``512 MB``: the function's MemorySize, else Globals', else Lambda's default 128."""
    own = (app.resource(logical_id).get("Properties") or {}).get("MemorySize")
    globals_: Mapping[str, Any] = (app.template.get("Globals") or {}).get("Function") or {}
    value = own if own is not None else globals_.get("MemorySize", 128)
    return f"{value} MB" if isinstance(value, int) else "memory"


def longest_chain(edges: set[tuple[str, str | None]], caller: str, callee: str | None) -> list[str]:
    """The longest path of waits through caller -> callee (each function once)."""

    def forward(node: str, seen: frozenset[str]) -> list[str]:
        nexts = [forward(b, seen | {b}) for a, b in sorted(edges, key=str) if a == node and b and b not in seen]
        return [node, *max(nexts, key=len, default=[])]

    def backward(node: str, seen: frozenset[str]) -> list[str]:
        befores = [backward(a, seen | {a}) for a, b in sorted(edges, key=str) if b == node and a not in seen]
        return [*max(befores, key=len, default=[]), node]

    if callee is None:
        return [caller]
    start = frozenset({caller, callee})
    return [*backward(caller, start), *forward(callee, start)]
