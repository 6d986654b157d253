"""SNS subscriptions (``SNS``): the new function's subscription filters on the action's key
(a field of the JSON message or a message attribute), the monolith's excludes it."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.model import DELETE, EACH, JSON, EventPath
from strangler.sources.base import EventSource, EventSplit, Refusal, map_like, seq_like


class SnsTopics(EventSource):
    types = ("SNS",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        return _sns(name, event, key, path, where)

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The values a subscription's filter policy lists for the key's field
        (``FilterPolicy: {kind: [A, B, C]}`` on a message attribute, or on a field of the
        message body with ``FilterPolicyScope: MessageBody``): SNS delivers a message only
        when that field holds one of them, so nothing else reaches the function."""
        properties = event.get("Properties") if isinstance(event, Mapping) else None
        if not isinstance(properties, Mapping) or properties.get("SqsSubscription"):
            return None
        try:
            scope, field_path = _sns_filter_target(path, "")
        except Refusal:
            return None
        policy = properties.get("FilterPolicy")
        if not isinstance(policy, Mapping) or str(properties.get("FilterPolicyScope", "MessageAttributes")) != scope:
            return None
        # A policy with $or lets a message through by another branch, where the field may be free.
        if _mentions(policy, "$or"):
            return None
        listed = _get_nested(policy, field_path)
        if isinstance(listed, list) and listed and all(isinstance(value, str) for value in listed):
            return frozenset(listed)
        return None


TOPICS = SnsTopics()


def _sns(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    scope, field_path = _sns_filter_target(path, where)
    properties = event.get("Properties") or {}
    if properties.get("SqsSubscription"):
        raise Refusal("an SNS event with SqsSubscription is not split yet", where=where)
    existing_scope = str(properties.get("FilterPolicyScope", "MessageAttributes"))
    policy = properties.get("FilterPolicy")
    if policy is not None and existing_scope != scope:
        raise Refusal(f"the subscription already filters on {existing_scope}, the key is in {scope}", where=where)
    current = _get_nested(policy, field_path) if isinstance(policy, dict) else None
    new_event = copy.deepcopy(event)
    monolith = copy.deepcopy(event)
    if current is None:
        remainder = [{"anything-but": [key]}, {"exists": False}]
    elif isinstance(current, list) and all(isinstance(v, str) for v in current):
        if key not in current:
            return EventSplit()
        remainder = [v for v in current if v != key]
        if not remainder:
            return EventSplit(_with_policy(new_event, field_path, [key], scope), DELETE)
    elif _is_exclusion(current):
        excluded = list(current[0]["anything-but"])
        if key in excluded:
            return EventSplit()
        remainder = [{"anything-but": [*excluded, key]}, *current[1:]]
    else:
        raise Refusal(f"the filter policy on {'.'.join(field_path)} cannot be split safely", where=where)
    _with_policy(new_event, field_path, [key], scope)
    _with_policy(monolith, field_path, remainder, scope)
    note = ""
    if scope == "MessageBody" and policy is None:
        note = (f"{name}: messages whose body is not a JSON object no longer reach the monolith "
                "(SNS cannot apply a MessageBody filter policy to them)")
    return EventSplit(new_event, monolith, note)


def _sns_filter_target(path: EventPath, where: str) -> tuple[str, tuple[str, ...]]:
    body = ("Records", EACH, "Sns", "Message", JSON)
    attributes = ("Records", EACH, "Sns", "MessageAttributes")
    if path.startswith(*body) and len(path.parts) > len(body) and EACH not in path.after(*body) and JSON not in path.after(*body):
        return "MessageBody", path.after(*body)
    rest = path.after(*attributes)
    if path.startswith(*attributes) and len(rest) == 2 and rest[1] == "Value":
        return "MessageAttributes", (rest[0],)
    raise Refusal(
        f"the dispatch key comes from {path}; SNS can filter on a field of the JSON message "
        "(Records[*].Sns.Message(json).<field>) or on a message attribute",
        where=where,
    )


def _is_exclusion(value: Any) -> bool:
    return (
        isinstance(value, list) and value and isinstance(value[0], dict)
        and set(value[0]) == {"anything-but"} and isinstance(value[0]["anything-but"], list)
    )


def _with_policy(event: Any, field_path: tuple[str, ...], values: list, scope: str) -> Any:
    properties = event["Properties"]
    policy = properties.get("FilterPolicy")
    if not isinstance(policy, dict):
        policy = map_like(properties)
        properties["FilterPolicy"] = policy
    target = policy
    for part in field_path[:-1]:
        if not isinstance(target.get(part), dict):
            target[part] = map_like(target)
        target = target[part]
    target[field_path[-1]] = seq_like(target.get(field_path[-1]), values)
    if scope == "MessageBody":
        properties["FilterPolicyScope"] = "MessageBody"
    return event


def _get_nested(policy: Any, field_path: tuple[str, ...]) -> Any:
    for part in field_path:
        if not isinstance(policy, dict):
            return None
        policy = policy.get(part)
    return policy


def _mentions(value: Any, word: str) -> bool:
    if isinstance(value, Mapping):
        return word in value or any(_mentions(item, word) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, word) for item in value)
    return False
