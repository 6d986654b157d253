"""The events to replay: the files the user keeps, or one sample per action.

SAM's convention is ``events/*.json`` beside the template (what ``sam local
generate-event`` writes); ``--events`` adds files or folders. A file holds one event or a
list of them. With none at all, strangler writes a sample per action from where the
dispatch reads its key, in the envelope of the monolith's event source, and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strangler.errors import StranglerError
from strangler.model import ANY_CASE, BY_TYPE, EACH, JSON, THEN, EventPath


@dataclass(frozen=True)
class Event:
    """One event to replay, and where it came from (``events/order.json#2``, ``sample for X``)."""

    name: str
    body: Any
    sample: bool = False


def gather(app: Path, given: Iterable[Path]) -> list[Event]:
    """``events/*.json`` of the application, then every file or folder given."""
    found: list[Event] = []
    default = app / "events"
    sources = ([default] if default.is_dir() else []) + [Path(p) for p in given]
    for source in sources:
        if not source.exists():
            raise StranglerError(f"no such file or folder {source}", where=str(source),
                                 hint="pass event files (one event or a list per file) or folders of them")
        files = sorted(source.rglob("*.json")) if source.is_dir() else [source]
        for path in files:
            found += _read(path, app)
    return found


def _read(path: Path, app: Path) -> list[Event]:
    shown = path.relative_to(app).as_posix() if path.is_relative_to(app) else str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StranglerError(f"{shown} is not a JSON event: {exc}", where=shown,
                             hint="an event file holds one JSON event or a list of them") from None
    if isinstance(data, list):
        return [Event(f"{shown}#{index + 1}", item) for index, item in enumerate(data)]
    return [Event(shown, data)]


# --- samples ------------------------------------------------------------------------------
def sample(key: str, path: EventPath, kinds: Iterable[str], hints: Mapping[str, Any]) -> Event | None:
    """An event that carries ``key`` where the dispatch reads it, in the envelope of one of
    the monolith's event Types ``kinds``; None when strangler cannot write one. ``hints``
    are values the routes require (an EventBridge ``source``, an SNS topic's ARN)."""
    if path.parts[:1] == (BY_TYPE,) or THEN in path.parts or ANY_CASE in path.parts:
        return None
    kinds = set(kinds)
    if path.parts == ("detail-type",) and kinds & {"EventBridgeRule", "CloudWatchEvent"}:
        return Event(f"sample for {key}", _eventbridge(key, hints), sample=True)
    if path.parts == ("routeKey",) and "HttpApi" in kinds:
        return Event(f"sample for {key}", _http_api(key), sample=True)
    body = _at(list(path.parts), key)
    if body is None:
        return None
    if path.parts[:3] == ("Records", EACH, "Sns") and "SNS" in kinds:
        record = body["Records"][0]
        record["Sns"].update({"Type": "Notification", "TopicArn": hints.get("topic", "")})
        record["Sns"].setdefault("MessageAttributes", {})
        record.update({"EventSource": "aws:sns", "EventVersion": "1.0"})
        return Event(f"sample for {key}", body, sample=True)
    if not kinds:
        return Event(f"sample for {key}", body, sample=True)  # direct invoke: the payload is the event
    return None


def _at(parts: list[str], key: str) -> Any:
    """The smallest event with ``key`` at ``parts``; None for paths it cannot build."""
    if not parts:
        return key
    head, rest = parts[0], parts[1:]
    inner = _at(rest, key)
    if inner is None:
        return None
    if head == EACH:
        return [inner]
    if head == JSON:
        return json.dumps(inner)
    if head.startswith("("):
        return None
    return {head: inner}


def _eventbridge(detail_type: str, hints: Mapping[str, Any]) -> dict[str, Any]:
    event = {
        "version": "0", "id": "00000000-0000-4000-8000-000000000000", "detail-type": detail_type,
        "source": "strangler.verify", "account": "123456789012",
        "time": "2024-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {},
    }
    pattern = hints.get("pattern")
    if isinstance(pattern, Mapping):
        event.update({k: v for k, v in satisfying(pattern).items() if k != "detail-type"})
    return event


def satisfying(pattern: Mapping[str, Any]) -> dict[str, Any]:
    """The smallest event an EventBridge ``pattern`` matches (its first choice at every field)."""
    event: dict[str, Any] = {}
    for name, rule in pattern.items():
        if name.startswith("$"):
            continue
        if isinstance(rule, Mapping):
            event[name] = satisfying(rule)
        elif isinstance(rule, list):
            value = _first_match(rule)
            if value is not _ABSENT:
                event[name] = value
    return event


_ABSENT = object()


def _first_match(choices: list) -> Any:
    for choice in choices:
        if not isinstance(choice, Mapping):
            return choice
        if "prefix" in choice and isinstance(choice["prefix"], str):
            return choice["prefix"] + "sample"
        if "suffix" in choice and isinstance(choice["suffix"], str):
            return "sample" + choice["suffix"]
        if "equals-ignore-case" in choice:
            return choice["equals-ignore-case"]
        if "anything-but" in choice:
            return "strangler-sample"
        if "exists" in choice:
            return "sample" if choice["exists"] else _ABSENT
        if "numeric" in choice:
            bounds = [v for v in choice["numeric"] if isinstance(v, (int, float))]
            return (max(bounds) + 1) if bounds else 0
    return _ABSENT


def _http_api(route_key: str) -> dict[str, Any]:
    method, _, path = route_key.partition(" ")
    raw = "/".join("sample" if part.startswith("{") else part for part in path.split("/"))
    return {
        "version": "2.0", "routeKey": route_key, "rawPath": raw, "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": method, "path": raw}, "routeKey": route_key, "stage": "$default"},
        "pathParameters": {part.strip("{}+"): "sample" for part in path.split("/") if part.startswith("{")} or None,
        "body": None, "isBase64Encoded": False,
    }
