"""How a verification reads: one line per event, the differences under it, a summary."""

from __future__ import annotations

from typing import Any

from strangler.verify.command import Verification
from strangler.verify.replay import (
    DIFFERENT,
    MISROUTED,
    SAME,
    UNVERIFIED,
    Outcome,
    Verdict,
)

MARKS = {SAME: "✓", DIFFERENT: "✗", MISROUTED: "✗", UNVERIFIED: "?"}


def passed(verification: Verification) -> bool:
    """Every event reaches one function after the split and does what it did before."""
    return all(v.status == SAME for v in verification.verdicts) and bool(verification.verdicts)


def lines(verification: Verification) -> list[str]:
    found = verification.versions
    said = [f"before: {found.ref} ({found.why})", "after:  the work tree", *verification.notes, ""]
    width = max((len(v.event.name) for v in verification.verdicts), default=5)
    said.append(f"  {'event':<{width}}  before -> after")
    for verdict in verification.verdicts:
        route = f"{_reached(verdict.before)} -> {_reached(verdict.after)}"
        said.append(f"{MARKS[verdict.status]} {verdict.event.name:<{width}}  {route}  {_summary(verdict)}")
        said += [f"    {difference}" for difference in verdict.differences]
    said += ["", summary(verification)]
    return said


def summary(verification: Verification) -> str:
    counts = {status: sum(v.status == status for v in verification.verdicts) for status in MARKS}
    total = len(verification.verdicts)
    if not total:
        return "No event to replay: add events to events/ or pass --events."
    parts = [f"{counts[SAME]} of {total} event{'s' if total != 1 else ''} behave the same"]
    if counts[DIFFERENT]:
        parts.append(f"{counts[DIFFERENT]} differ")
    if counts[MISROUTED]:
        parts.append(f"{counts[MISROUTED]} not delivered to exactly one function")
    if counts[UNVERIFIED]:
        parts.append(f"{counts[UNVERIFIED]} could not be verified")
    return ", ".join(parts) + "."


def as_json(verification: Verification) -> dict[str, Any]:
    return {
        "before": {"ref": verification.versions.ref, "commit": verification.versions.commit, "why": verification.versions.why},
        "notes": list(verification.notes),
        "passed": passed(verification),
        "events": [_verdict_json(v) for v in verification.verdicts],
        "summary": summary(verification),
    }


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "event": verdict.event.name, "sample": verdict.event.sample, "status": verdict.status,
        "before": {"functions": list(verdict.before.functions), "answer": verdict.before.answer, "effects": verdict.before.effects},
        "after": {"functions": list(verdict.after.functions), "answer": verdict.after.answer, "effects": verdict.after.effects},
        "differences": list(verdict.differences),
    }


def _reached(outcome: Outcome) -> str:
    return ", ".join(outcome.functions) if outcome.functions else "nothing"


def _summary(verdict: Verdict) -> str:
    answer = verdict.after.answer or verdict.before.answer or {}
    if "raised" in answer:
        result = f"raised {answer['raised']}"
    elif "returned" in answer:
        returned = answer["returned"]
        code = returned.get("statusCode") if isinstance(returned, dict) else None
        result = f"returned {code}" if code is not None else "returned"
    else:
        result = ""
    effects = sorted(set(verdict.before.effects) | set(verdict.after.effects))
    wrote = f"; wrote {', '.join(effects)}" if effects else ""
    return f"{result}{wrote}"
