"""Schedules (``Schedule``, ``ScheduleV2``) whose ``Input`` names the action.

A schedule sends one fixed event: its ``Input`` (EventBridge rules and EventBridge
Scheduler both deliver the Input as the whole event). When the dispatch reads its key from
that Input (``{"job": "cleanup"}`` read as ``event["job"]``), the schedule belongs to one
action and moves whole to the new function: nothing is narrowed, nothing is left behind.

A schedule without Input (EventBridge's own "Scheduled Event"), or whose Input does not
carry the key the dispatch reads, stays with the monolith; it is refused when the monolith
retires, since it would go with it. An Input strangler cannot read (an intrinsic function,
text that is not JSON, a key that is not a string) is refused at once: it may carry the
action, and the monolith would lose the action's code while the schedule still calls it.

The standalone ``AWS::Scheduler::Schedule`` and scheduled ``AWS::Events::Rule`` resources
use the same reading (``sources/resources/scheduler.py``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from strangler.model import ANY_CASE, DELETE, EACH, JSON, NESTED_SEPARATOR, EventPath
from strangler.sources.base import EventSource, EventSplit, Refusal, copy_without
from strangler.template.intrinsics import intrinsic, intrinsic_name, shape

# Physical names CloudFormation would create twice (the new function's rule or schedule
# is created before the monolith's is deleted): the moved event lets SAM name it.
_NAMES = ("Name",)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Schedules(EventSource):
    types = ("Schedule", "ScheduleV2")

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        properties = (event or {}).get("Properties") or {}
        scheduled = (event or {}).get("Type") == "Schedule"
        found = input_key(properties.get("Input"), "Input" in properties, path, f"event {name}'s Input", where, scheduled)
        if found is None or not same_key(found, key, path):
            return EventSplit()
        new_event = copy_without(event, _NAMES)
        sends = f"its Input names {found!r}" if "Input" in properties else f"its scheduled event is {found!r}"
        notes = [f"{name}: moved whole to the new function ({sends})"]
        if any(n in properties for n in _NAMES):
            notes.append(f"{name}: its Name is not carried over (CloudFormation would create the name twice); "
                         "SAM names the new schedule")
        role = properties.get("RoleArn")
        if role is not None:
            notes.append(f"{name}: the schedule runs as RoleArn {_shown(role)}: that role must be allowed "
                         "lambda:InvokeFunction on the new function; grant it by hand")
        dead_letters = properties.get("DeadLetterConfig")
        if isinstance(dead_letters, dict) and "Type" in dead_letters:
            notes.append(f"{name}: SAM creates its dead-letter queue anew for the new function; "
                         "messages in the old one stay there")
        return EventSplit(new_event, DELETE, "; ".join(notes))

    def retire(self, name: str, event: Any, where: str) -> None:
        properties = (event or {}).get("Properties") or {}
        if "Input" not in properties and event.get("Type") == "Schedule":
            why = "has no Input: it sends EventBridge's scheduled event, which names no action"
        elif "Input" not in properties:
            why = "has no Input: strangler cannot tell which action its invocations are for"
        else:
            why = f"sends Input {_shown(properties.get('Input'))}, which names no action strangler moved"
        raise Refusal(
            f"event {name} ({event.get('Type')}) {why}; it still calls the monolith and would be deleted with it",
            where=f"{where} event {name}",
            hint="give the schedule an Input that names its action (as the dispatch reads it), or move it to a "
                 "function by hand, or run migrate --keep-monolith",
        )


SCHEDULES = Schedules()


# What an EventBridge rule sends on its schedule when its target has no Input (the fields a
# dispatch can read: every scheduled event has the same ones).
SCHEDULED_EVENT = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}


def input_key(value: Any, present: bool, path: EventPath, what: str, where: str, scheduled: bool = False) -> str | None:
    """The key ``path`` reads from what a schedule sends: its Input (a JSON text), or with no
    Input the rule's own scheduled event when ``scheduled`` (EventBridge rules; Scheduler
    schedules send no such event). None when that does not carry the key; refused when the
    Input cannot be read."""
    if not present:
        return _read(SCHEDULED_EVENT, path, "the scheduled event", where, {}) if scheduled else None
    text, variables = _text_of(value)
    if text is None:
        raise Refusal(
            f"{what} is {shape(value)}: strangler cannot read which action it names",
            where=where,
            hint="write the Input as literal JSON text, or move this schedule by hand",
        )
    try:
        node: Any = json.loads(text)
    except ValueError:
        raise Refusal(
            f"{what} {_shown(value)!r} is not JSON: strangler cannot read which action it names",
            where=where,
            hint="write the Input as JSON text, or move this schedule by hand",
        ) from None
    return _read(node, path, what, where, variables)


def _read(node: Any, path: EventPath, what: str, where: str, variables: dict[str, str]) -> str | None:
    """The key at ``path`` of ``node``; a nested dispatch's key is ``outer/inner``."""
    if path.is_nested:
        outer, inner = path.levels
        first, second = _read(node, outer, what, where, variables), _read(node, inner, what, where, variables)
        return None if first is None or second is None else f"{first}{NESTED_SEPARATOR}{second}"
    for part in path.parts:
        if part == EACH or part.startswith("("):
            if part == JSON and isinstance(node, str):
                node = _loads(node, what, where)
                continue
            if part == ANY_CASE:
                continue
            raise Refusal(
                f"the dispatch reads {path}; a schedule's Input is matched on plain fields only",
                where=where,
                hint="read the key from a field of the Input (event[\"job\"]), or move this schedule by hand",
            )
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if node is None:
        return None
    if not isinstance(node, str):
        raise Refusal(
            f"{what} holds {json.dumps(node)} at {path}, not a string: strangler cannot tell which action it names",
            where=where,
            hint="write the key as a string in the Input, or move this schedule by hand",
        )
    used = [name for marker, name in variables.items() if marker in node]
    if used:
        raise Refusal(
            f"{what} names its action through ${{{used[0]}}}: strangler cannot tell which action that is",
            where=where,
            hint="write the key literally in the Input, or move this schedule by hand",
        )
    return node


def _text_of(value: Any) -> tuple[str | None, dict[str, str]]:
    """The Input's JSON text: a string, or a ``!Sub`` whose variables are replaced by markers
    (a key that holds one is unknown; a variable outside a JSON string makes it unreadable)."""
    if isinstance(value, str) and not intrinsic_name(value):
        return value, {}
    found = intrinsic(value)
    template = found[1] if found is not None and found[0] == "Sub" else None
    if isinstance(template, list) and template:
        template = template[0]
    if not isinstance(template, str):
        return None, {}
    markers: dict[str, str] = {}

    def marker(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
        return markers.setdefault(name, f"<strangler-sub-{len(markers)}>")

    text = _SUB_VARIABLE.sub(marker, template)
    return text, {m: name for name, m in markers.items()}


def same_key(found: str, key: str, path: EventPath) -> bool:
    """The Input's value selects ``key`` (in any case when the code compares it so)."""
    if ANY_CASE in path.parts:
        return found.casefold() == key.casefold()
    return found == key


def _loads(text: str, what: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise Refusal(f"{what} holds {text!r} where the dispatch parses JSON", where=where) from None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else f"({shape(value)})"
