"""Replay every event against both versions and compare what each version did.

For each event: the functions each template delivers it to (``routing``, or the direct
invoke a monolith with no routes gets, followed to the function that took the action),
what the one function returned or raised, and what it wrote to AWS (the change of the
world's snapshot across that event). After the split an event must reach exactly one
function and both must match; an event that cannot be run alike on both sides (a handler
that does not import here) is "not verified", never "equal".
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from strangler.load.project import Project
from strangler.model import ANY_CASE, EACH, JSON, THEN, EventPath, FunctionRef
from strangler.verify import routing
from strangler.verify.events import Event
from strangler.verify.world import World, canonical

SAME, DIFFERENT, UNVERIFIED, MISROUTED = "same", "different", "not verified", "misrouted"


@dataclass(frozen=True)
class Side:
    """One version of the application, ready to run: its template as deployed, its
    functions' code, and the monoliths whose direct-invoke events are routed by key."""

    name: str  # "before" or "after"
    project: Project
    cfn: Mapping[str, Any]
    direct: Mapping[str, EventPath]  # monolith id -> where its key is read (functions with no routes)


@dataclass(frozen=True)
class Outcome:
    """What one side did with one event."""

    functions: tuple[str, ...]
    answer: Mapping[str, Any] | None = None  # {"returned": ...} / {"raised": ..., "message": ...}
    effects: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    event: Event
    before: Outcome
    after: Outcome
    status: str
    differences: tuple[str, ...] = ()


def replay(
    before: Side, after: Side, events: Sequence[Event], ignore: Sequence[str] = ()
) -> tuple[list[Verdict], list[str]]:
    """Run ``events`` in order on one side, then on the other; each side keeps its world
    across its events (moto's state is one per process: the sides take turns). Also what
    each side's template values could not be resolved to, for the report."""
    then, unresolved_then = _run_side(before, events)
    now, unresolved_now = _run_side(after, events)
    notes = [f"{side}: {item}" for side, items in (("before", unresolved_then), ("after", unresolved_now))
             for item in sorted(items)]
    return [_compare(event, a, b, ignore) for event, a, b in zip(events, then, now)], notes


def _run_side(side: Side, events: Sequence[Event]) -> tuple[list[Outcome], set[str]]:
    from strangler.verify.world import standing

    with standing(side.cfn) as world, _Sandboxes(side, world) as sandboxes:
        outcomes, state = [], world.snapshot()
        for index, event in enumerate(events):
            outcome, state = _outcome(side, world, sandboxes, event, index, state)
            outcomes.append(outcome)
        return outcomes, set(world.names.unresolved)


# --- routing ---------------------------------------------------------------------------------
def delivered_to(side: Side, event: Any) -> tuple[str, ...]:
    """The functions AWS would deliver ``event`` to in ``side``'s template."""
    try:
        found = routing.targets(side.cfn, event)
    except ValueError:
        found = set()
    if found:
        return tuple(sorted(found))
    return _direct(side, event)


def _direct(side: Side, event: Any) -> tuple[str, ...]:
    """A direct invoke reaches the function that has the event's action: the one strangler
    extracted it into (``Metadata.Strangler.Action``), or else the monolith."""
    for monolith, path in side.direct.items():
        key = read_key(event, path)
        if key is None:
            continue
        taken = [f.logical_id for f in side.project.functions
                 if f.extracted_from == monolith and key in f.actions]
        if taken:
            return tuple(taken)
        if any(f.logical_id == monolith for f in side.project.functions):
            return (monolith,)
    return ()


def read_key(event: Any, path: EventPath) -> str | None:
    """The key the dispatch reads from ``event`` at ``path``; None when it is not there."""
    if THEN in path.parts:
        outer, inner = path.levels
        first, second = read_key(event, outer), read_key(event, inner)
        return None if first is None or second is None else f"{first}/{second}"
    value = event
    for part in path.parts:
        if part == ANY_CASE:
            continue
        if part == EACH:
            value = value[0] if isinstance(value, list) and value else None
        elif part == JSON:
            try:
                value = json.loads(value)
            except (TypeError, ValueError):
                return None
        elif isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value if isinstance(value, str) else None


# --- running ---------------------------------------------------------------------------------
def _outcome(side: Side, world: World, sandboxes: _Sandboxes, event: Event, index: int,
             then: Mapping[str, Any]) -> tuple[Outcome, Mapping[str, Any]]:
    """What the one function the event reaches did, and the world's state afterwards."""
    functions = delivered_to(side, event.body)
    if len(functions) != 1:
        return Outcome(functions), then
    answer = sandboxes.run(functions[0], event.body, index)
    now = world.snapshot()
    return Outcome(functions, answer, _changes(then, now)), now


class _Sandboxes:
    """One interpreter per function of a side, started on its first event."""

    def __init__(self, side: Side, world: World):
        self.side, self.world = side, world
        self.running: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Any] = {}

    def __enter__(self) -> _Sandboxes:
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.running.values():
            if process.stdin:
                try:
                    process.stdin.close()
                except OSError:
                    pass  # it stopped already
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for logs in self.logs.values():
            logs.close()

    def _patience(self, logical_id: str) -> float:
        """How long an event may take: the function's own Timeout, with room for a cold
        import and for moto, which is slower than AWS."""
        resource = (self.side.cfn.get("Resources") or {}).get(logical_id) or {}
        timeout = (resource.get("Properties") or {}).get("Timeout", 3)
        return 60.0 + 3 * (float(timeout) if isinstance(timeout, (int, float)) else 3.0)

    def _logs(self, logical_id: str) -> str:
        logs = self.logs.get(logical_id)
        if logs is None:
            return ""
        logs.flush()
        logs.seek(0)
        return logs.read()

    def run(self, logical_id: str, event: Any, index: int) -> Mapping[str, Any]:
        process = self.running.get(logical_id) or self._start(logical_id)
        if isinstance(process, dict):
            return process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps({"event": event, "seed": index}) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], self._patience(logical_id))
            if not ready:  # a handler that never returns is not an answer: stop it
                process.kill()
                return {"unverified": f"{logical_id} did not answer within {self._patience(logical_id):.0f} s"}
            line = process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            return {"unverified": f"{logical_id} stopped: {_last_line(self._logs(logical_id))}"}
        return json.loads(line)

    def _start(self, logical_id: str) -> subprocess.Popen | dict[str, str]:
        function = _function(self.side.project, logical_id)
        if function is None:
            why = self.side.project.skipped.get(logical_id)  # names --code for code in S3
            return {"unverified": f"{logical_id}: {why}" if why else f"{logical_id} has no local Python code here"}
        env = {**_inherited(), **self.world.environment(), "PYTHONDONTWRITEBYTECODE": "1"}
        config = {"code_dir": str(function.code_dir), "handler": function.handler, "name": logical_id,
                  "env": {**self._function_environment(logical_id), "AWS_LAMBDA_FUNCTION_NAME": logical_id}}
        # What the handler logs goes to a file, not a pipe: a pipe nobody reads fills up and
        # stops the handler mid-event.
        logs = self.logs[logical_id] = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "strangler.verify.sandbox"], cwd=function.code_dir, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=logs,
        )
        assert process.stdin is not None
        self.running[logical_id] = process
        try:
            process.stdin.write(json.dumps(config) + "\n")
            process.stdin.flush()
        except OSError:
            pass  # it stopped at once: its first answer says why
        return process

    def _function_environment(self, logical_id: str) -> dict[str, str]:
        from strangler.verify.intrinsics import resolve

        resource = (self.side.cfn.get("Resources") or {}).get(logical_id) or {}
        variables = ((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
        resolved = resolve(variables, self.world.names, self.side.cfn.get("Mappings"))
        return {str(k): "" if v is None else str(v) for k, v in resolved.items()}


def _function(project: Project, logical_id: str) -> FunctionRef | None:
    return next((f for f in project.functions if f.logical_id == logical_id and f.has_local_code), None)


def _inherited() -> dict[str, str]:
    """The environment a sandbox starts from: this interpreter's, without AWS settings
    (a real profile or region must not leak into the comparison)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


# --- comparing -------------------------------------------------------------------------------
def _changes(then: Mapping[str, Any], now: Mapping[str, Any]) -> dict[str, Any]:
    """What changed in each part of the world across one event."""
    changed: dict[str, Any] = {}
    for name in now:
        old, new = then.get(name), now[name]
        if old == new:
            continue
        if isinstance(new, list) and isinstance(old, list) and name.split(" ", 1)[0] in ("queue", "bus", "topic"):
            changed[name] = {"added": new[len(old):]} if new[: len(old)] == old else {"now": new}
        elif isinstance(new, list):
            old_set = {canonical(item) for item in old or []}
            new_set = {canonical(item) for item in new}
            changed[name] = {"added": sorted(new_set - old_set), "removed": sorted(old_set - new_set)}
        else:
            old = old or {}
            changed[name] = {key: new.get(key) for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}
    return changed


def _compare(event: Event, before: Outcome, after: Outcome, ignore: Sequence[str]) -> Verdict:
    if len(after.functions) != 1:
        reached = ", ".join(after.functions) or "no function"
        return Verdict(event, before, after, MISROUTED, (f"after the split it reaches {reached}",))
    if len(before.functions) != 1:
        reached = ", ".join(before.functions) or "no function"
        return Verdict(event, before, after, UNVERIFIED, (f"before the split it reached {reached}",))
    for outcome in (before, after):
        if outcome.answer and "unverified" in outcome.answer:
            return Verdict(event, before, after, UNVERIFIED, (outcome.answer["unverified"],))
    if _import_failed(before.answer) and _import_failed(after.answer):
        return Verdict(event, before, after, UNVERIFIED, (f"the handler cannot import here: {before.answer['message']}",))
    differences = []
    then, now = _plain(before.answer, ignore), _plain(after.answer, ignore)
    if then != now:
        differences.append(f"result: {_short(then)} -> {_short(now)}")
    effects_then, effects_now = _plain(before.effects, ignore), _plain(after.effects, ignore)
    for name in sorted(set(effects_then) | set(effects_now)):
        if effects_then.get(name) != effects_now.get(name):
            differences.append(f"{name}: {_short(effects_then.get(name))} -> {_short(effects_now.get(name))}")
    return Verdict(event, before, after, DIFFERENT if differences else SAME, tuple(differences))


def _import_failed(answer: Mapping[str, Any] | None) -> bool:
    return bool(answer) and answer.get("raised") in ("ModuleNotFoundError", "ImportError")


def _plain(value: Any, ignore: Sequence[str]) -> Any:
    """``value`` with JSON strings parsed (an HTTP body, a message) and ignored fields gone;
    the exception's place (file and line) is shown, never compared."""
    value = _parsed(value)
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "where"}
    for path in ignore:
        value = _without(value, path.split("."))
    return value


def _parsed(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return _parsed(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _parsed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_parsed(v) for v in value]
    return value


def _without(value: Any, path: list[str]) -> Any:
    """Drop ``path`` wherever it starts: at the top, or in any nested value (an ignored
    ``updated_at`` goes from every item and message, wherever they sit)."""
    if isinstance(value, list):
        return [_without(v, path) for v in value]
    if not isinstance(value, dict):
        return value
    head, rest = path[0], path[1:]
    result = {}
    for key, item in value.items():
        if key == head and not rest:
            continue
        if key == head:
            item = _without(item, rest)
        result[key] = _without(item, path)
    return result


def _short(value: Any, limit: int = 160) -> str:
    text = canonical(value) if value is not None else "nothing"
    return text if len(text) <= limit else text[: limit - 1] + "…"

