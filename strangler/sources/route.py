"""One router per event source: how an action is reached without a Lambda calling a Lambda.

Each router takes one event of the monolith and the action's key and returns what the new
function gets (a narrowed copy, or the moved event) and what the monolith keeps. Routers
never touch the template; ``functions.py`` applies their answer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from strangler.errors import StranglerError
from strangler.model import ANY_CASE, DELETE, EACH, JSON, NESTED_SEPARATOR, EventPath, RoutePlan
from strangler.sources import pairs
from strangler.template.document import after_first_line
from strangler.template.invokers import Invoker

@dataclass(frozen=True)
class EventSplit:
    """The answer of a router for one monolith event."""

    new_event: Any = None  # event definition for the new function, or None
    monolith_event: Any = None  # replacement for the monolith, DELETE, or None (unchanged)
    note: str = ""
    fallback: bool = False  # an exact route carved out of a catch-all: only if nothing matched exactly


class Refusal(StranglerError):
    """This action cannot be routed at the event source safely."""


_SQS_ADVICE = (
    "two filtered event source mappings on one SQS queue compete for its messages and Lambda "
    "deletes those a filter rejects; give each type its own queue (an SNS topic with one "
    "filtered subscription per function, or EventBridge Pipes from the old queue), then run "
    "strangler on that source"
)
_UNSPLITTABLE = {
    "SQS": _SQS_ADVICE,
    "Kinesis": "Kinesis mappings are not split yet; each function would need FilterCriteria on data",
    "DynamoDB": "DynamoDB stream mappings are not split yet; each function would need FilterCriteria on dynamodb",
    "S3": "S3 notifications cannot overlap on one bucket; route by prefix or suffix by hand",
    "Schedule": "a schedule sends one fixed event; give it its own function by hand",
    "ScheduleV2": "a schedule sends one fixed event; give it its own function by hand",
    "AlexaSkill": "a skill has one endpoint for every intent",
}


def plan_route(
    events: Mapping[str, Any] | None, key: str, path: EventPath, where: str, custom_resources: tuple[str, ...] = (),
    invokers: tuple[Invoker, ...] = (),
) -> RoutePlan:
    """How the action ``key``, selected by ``path``, leaves a function with ``events``.

    ``custom_resources`` are the custom resources whose ServiceToken is the function;
    ``invokers`` the other resources that deliver events to it outside ``events``.
    """
    if custom_resources:
        raise Refusal(
            f"the function is the ServiceToken of {', '.join(custom_resources)}: CloudFormation sends every "
            "RequestType to that one function and cannot be pointed at one function per action",
            where=where,
            hint="keep the custom resource's handler whole",
        )
    if path.parts == ("RequestType",):
        raise Refusal(
            "the key is a custom resource's RequestType: CloudFormation sends Create, Update and Delete "
            "of one resource to one ServiceToken, so they cannot go to different functions",
            where=where,
            hint="keep the custom resource's handler whole",
        )
    if path.startswith("request", "intent") or path.parts[:2] == ("request", "type"):
        raise Refusal(
            "the key is an Alexa request's type or intent: a skill has one endpoint for all of them",
            where=where,
            hint="keep the skill's handler whole",
        )
    if invokers:
        raise outside_events(invokers, where)
    if not events:
        return RoutePlan("direct invoke", notes=(
            "no event source: callers invoke the function directly and must switch to the new "
            "function for this action (its name is in the template's Outputs)",
        ))
    splits: list[tuple[str, str, EventSplit]] = []
    for name, event in events.items():
        kind = str((event or {}).get("Type"))
        router = _ROUTERS.get(kind)
        if router is None:
            advice = _UNSPLITTABLE.get(kind, f"strangler cannot split a {kind} event source")
            raise Refusal(f"event {name} ({kind}) cannot be split safely: {advice}", where=where)
        splits.append((name, kind, router(name, event, key, path, f"{where} event {name}")))
    if any(split.new_event is not None and not split.fallback for _, _, split in splits):
        splits = [(n, k, s) for n, k, s in splits if not s.fallback]
    new: dict[str, Any] = {}
    monolith: dict[str, Any] = {}
    kinds: set[str] = set()
    notes: list[str] = []
    for name, kind, split in splits:
        kinds.add(kind)
        if split.new_event is not None:
            new[name] = split.new_event
        if split.monolith_event is not None:
            monolith[name] = split.monolith_event
        if split.note:
            notes.append(split.note)
    if not new:
        raise Refusal(
            f"no event source routes {key!r} (selected by {path}) to this function, so a new function would get nothing",
            where=where,
            hint="add the key to the event source first, or leave this action in the monolith",
        )
    return RoutePlan("/".join(sorted(kinds)), new, monolith, tuple(notes))


def outside_events(invokers: tuple[Invoker, ...], where: str) -> Refusal:
    """Events that reach the function through resources strangler does not route yet would
    keep going to the monolith after the split, and to nothing once it is retired."""
    first = invokers[0]
    described = "; ".join(invoker.describe() for invoker in invokers)
    prefix = where.partition("Resources.")[0] if "Resources." in where else ""
    return Refusal(
        f"{described}. strangler routes only the function's own Events: after the split "
        f"{'this resource' if len(invokers) == 1 else 'these resources'} would still send every action's events "
        f"to {first.function_id}, and to nothing once migrate retires it",
        where=f"{prefix}Resources.{first.logical_id}",
        hint=first.advice,
    )


# --- EventBridge ------------------------------------------------------------------------
def _eventbridge(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    if path.is_nested:
        return _eventbridge_pair(name, event, key, path, where)
    if path.parts == ("detail-type", ANY_CASE):
        return _eventbridge_any_case(name, event, key, where)
    if path.parts != ("detail-type",):
        raise Refusal(f"the dispatch key comes from {path}, but EventBridge routes on detail-type", where=where)
    properties = event.get("Properties") or {}
    pattern = properties.get("Pattern")
    if not isinstance(pattern, dict):
        raise Refusal("the rule has no Pattern mapping to narrow", where=where)
    current = pattern.get("detail-type")
    narrowed = _seq_like(current, [key])
    if current is None:
        new_event = _copy_without(event, ("RuleName",))
        new_event["Properties"]["Pattern"]["detail-type"] = narrowed
        monolith = copy.deepcopy(event)
        monolith["Properties"]["Pattern"]["detail-type"] = _seq_like(None, [{"anything-but": [key]}])
        return EventSplit(new_event, monolith, f"{name}: the monolith's rule now excludes {key}")
    items = current if isinstance(current, list) else [current]
    if all(isinstance(item, str) for item in items):
        if key not in items:
            return EventSplit()
        # Copy the event with its detail-type list already replaced: a rule can list
        # hundreds of types, and copying the list for each action would be quadratic.
        new_event = _copy_without(event, ("RuleName",), {id(current): narrowed})
        rest = [item for item in items if item != key]
        if not rest:
            return EventSplit(new_event, DELETE)
        return EventSplit(new_event, copy.deepcopy(event, {id(current): _seq_like(current, rest)}))
    if len(items) == 1 and isinstance(items[0], dict) and set(items[0]) == {"anything-but"}:
        excluded = items[0]["anything-but"]
        excluded = list(excluded) if isinstance(excluded, list) else [excluded]
        if key in excluded:
            return EventSplit()
        new_event = _copy_without(event, ("RuleName",), {id(current): narrowed})
        monolith = copy.deepcopy(event)
        monolith["Properties"]["Pattern"]["detail-type"][0]["anything-but"] = _seq_like(excluded, [*excluded, key])
        return EventSplit(new_event, monolith)
    raise Refusal(f"the rule's detail-type filter {json.dumps(_plain(current))} cannot be split safely", where=where)


def _eventbridge_any_case(name: str, event: Any, key: str, where: str) -> EventSplit:
    """The code compares ``detail-type.upper()``: route with ``equals-ignore-case``."""
    pattern = (event.get("Properties") or {}).get("Pattern")
    if not isinstance(pattern, dict):
        raise Refusal("the rule has no Pattern mapping to narrow", where=where)
    current = pattern.get("detail-type")
    narrowed = _seq_like(current, [{"equals-ignore-case": key}])
    if current is None:
        new_event = _copy_without(event, ("RuleName",))
        new_event["Properties"]["Pattern"]["detail-type"] = narrowed
        monolith = copy.deepcopy(event)
        monolith["Properties"]["Pattern"]["detail-type"] = [{"anything-but": {"equals-ignore-case": [key]}}]
        return EventSplit(new_event, monolith, f"{name}: the monolith's rule now excludes {key} in any case")
    items = current if isinstance(current, list) else [current]
    if all(isinstance(item, str) for item in items):
        # The rule lists spellings: the new function takes exactly those that are this key
        # in some case, so it receives what the monolith received, no more.
        mine = [item for item in items if item.casefold() == key.casefold()]
        rest = [item for item in items if item.casefold() != key.casefold()]
        if not mine:
            return EventSplit()
        new_event = _copy_without(event, ("RuleName",), {id(current): _seq_like(current, mine)})
        if not rest:
            return EventSplit(new_event, DELETE)
        return EventSplit(new_event, copy.deepcopy(event, {id(current): _seq_like(current, rest)}))
    excluded = items[0].get("anything-but") if len(items) == 1 and isinstance(items[0], dict) else None
    if isinstance(excluded, dict) and set(excluded) == {"equals-ignore-case"}:
        values = excluded["equals-ignore-case"]
        values = list(values) if isinstance(values, list) else [values]
        if any(v.casefold() == key.casefold() for v in values if isinstance(v, str)):
            return EventSplit()
        new_event = _copy_without(event, ("RuleName",), {id(current): narrowed})
        monolith = copy.deepcopy(event)
        monolith["Properties"]["Pattern"]["detail-type"][0]["anything-but"]["equals-ignore-case"] = [*values, key]
        return EventSplit(new_event, monolith)
    raise Refusal(f"the rule's detail-type filter {json.dumps(_plain(current))} cannot be split safely", where=where)


_PAIR_FIELDS = {("source",): "source", ("detail-type",): "detail-type"}


def _eventbridge_pair(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    """Nested dispatch on source and detail-type: the new rule takes the one pair, the
    monolith's rule every pair it took before but that one (see ``pairs``)."""
    outer, inner = path.levels
    fields = (_PAIR_FIELDS.get(outer.parts), _PAIR_FIELDS.get(inner.parts))
    if fields[0] is None or fields[1] is None or fields[0] == fields[1]:
        raise Refusal(
            f"the nested dispatch reads {path}, but an EventBridge rule can split nested dispatch "
            "on source and detail-type only",
            where=where,
        )
    pair = key.partition(NESTED_SEPARATOR)[::2]
    pattern = (event.get("Properties") or {}).get("Pattern")
    if not isinstance(pattern, dict):
        raise Refusal("the rule has no Pattern mapping to narrow", where=where)
    try:
        boxes = pairs.boxes_of(pattern, fields)  # type: ignore[arg-type]
    except pairs.Unsupported as exc:
        raise Refusal(
            f"the rule filters {fields[0]}/{fields[1]} with {json.dumps(_plain(exc.args[0]))}, which cannot be split safely",
            where=where,
            hint="list the values (or use anything-but) in the rule's pattern",
        ) from None
    if not pairs.admits(boxes, pair):
        return EventSplit()
    new_event = _copy_without(event, ("RuleName",))
    _write_pair(new_event["Properties"]["Pattern"], {fields[0]: [pair[0]], fields[1]: [pair[1]]}, None)
    rest = pairs.without(boxes, pair)
    if not rest:
        return EventSplit(new_event, DELETE)
    monolith = copy.deepcopy(event)
    _write_pair(monolith["Properties"]["Pattern"], *pairs.rules_of(rest, fields))  # type: ignore[arg-type]
    return EventSplit(new_event, monolith, f"{name}: the monolith's rule now excludes {pair[0]} {pair[1]}")


def _write_pair(pattern: Any, rules: dict[str, list | None], branches: list | None) -> None:
    """Put the two fields' rules (or the ``$or`` holding them) where they were in the pattern."""
    keys = list(pattern)
    anchor = next((i for i, k in enumerate(keys) if k in rules or k == pairs.OR), len(keys))
    old = {k: pattern.pop(k) for k in [*rules, pairs.OR] if k in pattern}
    if hasattr(pattern, "insert"):  # ruamel's CommentedMap keeps the comments around the keys
        entries = [(k, _seq_like(old.get(k), v) if k in old else _flow(v)) for k, v in rules.items() if v is not None]
        if branches:
            entries.append((pairs.OR, _block([{k: _flow(v) for k, v in branch.items()} for branch in branches])))
        for offset, (k, v) in enumerate(entries):
            pattern.insert(anchor + offset, k, v)
        return
    entries = [(k, v) for k, v in rules.items() if v is not None] + ([(pairs.OR, branches)] if branches else [])
    items = list(pattern.items())
    pattern.clear()
    pattern.update([*items[:anchor], *entries, *items[anchor:]])


# --- HTTP APIs --------------------------------------------------------------------------
_CATCH_ALL = {None, "$default", "/{proxy+}"}


def _http_api(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    if path.parts not in (("routeKey",), ("requestContext", "routeKey"), ("method+path",)):
        raise Refusal(
            f"the dispatch key comes from {path}, but an HTTP API routes on method and path (routeKey) only: "
            "requests that differ by query string, header or body cannot go to different functions",
            where=where,
        )
    method, _, route_path = key.partition(" ")
    if not route_path.startswith("/"):
        raise Refusal(f"{key!r} is not a route key of the form 'METHOD /path'", where=where)
    properties = event.get("Properties") or {}
    event_path, event_method = properties.get("Path"), str(properties.get("Method", "ANY")).upper()
    if event_path == route_path and event_method == method.upper():
        return EventSplit(copy.deepcopy(event), DELETE)
    if event_path in _CATCH_ALL and event_method == "ANY":
        new_event = copy.deepcopy(event)
        new_event.setdefault("Properties", {})
        new_event["Properties"]["Path"] = route_path
        new_event["Properties"]["Method"] = method.lower()
        return EventSplit(new_event, None, f"{name}: exact route {key} added in front of the catch-all", fallback=True)
    return EventSplit()


def _rest_api(name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
    if path.parts == ("method+path",):
        method, _, resource = key.partition(" ")
    elif path.parts in (("resource",), ("requestContext", "resourcePath")):
        method, resource = "ANY", key
    else:
        raise Refusal(
            f"the dispatch key comes from {path}, but a REST API routes on method and resource path only: "
            "requests that differ by query string, header or body cannot go to different functions",
            where=where,
        )
    properties = event.get("Properties") or {}
    event_path, event_method = properties.get("Path"), str(properties.get("Method", "ANY")).upper()
    if event_path == resource and method in ("ANY", event_method):
        return EventSplit(copy.deepcopy(event), DELETE)
    if event_path == "/{proxy+}" and event_method == "ANY":
        new_event = copy.deepcopy(event)
        new_event["Properties"]["Path"] = resource
        new_event["Properties"]["Method"] = method.lower() if method != "ANY" else "ANY"
        return EventSplit(new_event, None, f"{name}: resource {key} added in front of /{{proxy+}}", fallback=True)
    return EventSplit()


# --- SNS --------------------------------------------------------------------------------
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
        policy = _map_like(properties)
        properties["FilterPolicy"] = policy
    target = policy
    for part in field_path[:-1]:
        if not isinstance(target.get(part), dict):
            target[part] = _map_like(target)
        target = target[part]
    target[field_path[-1]] = _seq_like(target.get(field_path[-1]), values)
    if scope == "MessageBody":
        properties["FilterPolicyScope"] = "MessageBody"
    return event


def _get_nested(policy: Any, field_path: tuple[str, ...]) -> Any:
    for part in field_path:
        if not isinstance(policy, dict):
            return None
        policy = policy.get(part)
    return policy


# --- helpers ----------------------------------------------------------------------------
def _copy_without(event: Any, drop: tuple[str, ...], replace: dict[int, Any] | None = None) -> Any:
    """A deep copy of ``event`` without the properties ``drop``; ``replace`` maps the ids
    of nodes to what the copy holds instead (deepcopy's memo does exactly that)."""
    new = copy.deepcopy(event, dict(replace or {}))
    for key in drop:
        (new.get("Properties") or {}).pop(key, None)
    return new


def _seq_like(template: Any, items: list) -> Any:
    """A list in the same flavour (ruamel flow/block style) as ``template``."""
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(template, CommentedSeq):
        seq = CommentedSeq(items)
        if template.fa.flow_style():
            seq.fa.set_flow_style()
        elif len(template) and items:
            # Comment lines after the old last item introduce what follows the list.
            entry = template.ca.items.get(len(template) - 1)
            token = after_first_line(entry[0]) if entry else None
            if token is not None:
                seq.ca.items[len(items) - 1] = [token, None, None, None]
        return seq
    return list(items)


def _flow(items: list) -> Any:
    """A YAML list written ``[a, b]``: a rule's values, short as the patterns people write."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _block(items: list) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return CommentedSeq([CommentedMap(item) for item in items])


def _map_like(sibling: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap() if isinstance(sibling, CommentedMap) else {}


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


_ROUTERS: dict[str, Callable[[str, Any, str, EventPath, str], EventSplit]] = {
    "EventBridgeRule": _eventbridge,
    "CloudWatchEvent": _eventbridge,
    "HttpApi": _http_api,
    "Api": _rest_api,
    "SNS": _sns,
}
