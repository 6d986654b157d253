"""EventBridge rules (``EventBridgeRule``, ``CloudWatchEvent``): the new function's rule takes
the action's detail-type, the monolith's rule excludes it (``anything-but``).

Nested dispatch routes on two fields at once (``source``, then ``detail-type``).

A rule's pattern is read as a union of *boxes*: each box says which values of the two
fields it accepts (all, a list, or all but a list). Taking the pair ``(a, b)`` out of a
box that accepts it leaves two boxes: the box without ``a``, and ``a`` with the box's
``b``-values without ``b``. One box is written as the pattern's own fields; several as an
``$or`` whose branches hold only the two fields, so no field is filtered both at the top
and inside ``$or``. The boxes stay disjoint, so reading the pattern back gives them again
and every later extraction works on what earlier ones wrote.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from strangler.model import ANY_CASE, DELETE, NESTED_SEPARATOR, EventPath
from strangler.template.document import list_copies
from strangler.sources.base import EventSource, EventSplit, Refusal, copy_without, plain, seq_like


class EventBridgeRules(EventSource):
    types = ("EventBridgeRule", "CloudWatchEvent")

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        return _eventbridge(name, event, key, path, where)

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The detail-types a rule lists (``detail-type: [A, B, C]``)."""
        pattern = (event.get("Properties") or {}).get("Pattern") if isinstance(event, Mapping) else None
        listed = pattern.get("detail-type") if isinstance(pattern, Mapping) and path.parts == ("detail-type",) else None
        if isinstance(listed, list) and listed and all(isinstance(item, str) for item in listed):
            return frozenset(listed)
        return None


RULES = EventBridgeRules()


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
    narrowed = seq_like(current, [key])
    if current is None:
        new_event = copy_without(event, ("RuleName",))
        new_event["Properties"]["Pattern"]["detail-type"] = narrowed
        monolith = copy.deepcopy(event)
        monolith["Properties"]["Pattern"]["detail-type"] = seq_like(None, [{"anything-but": [key]}])
        return EventSplit(new_event, monolith, f"{name}: the monolith's rule now excludes {key}",
                          about_monolith=True)
    items = current if isinstance(current, list) else [current]
    if all(isinstance(item, str) for item in items):
        if key not in items:
            return EventSplit()
        # Copy the event with its detail-type list already replaced: a rule can list
        # hundreds of types, and copying the list for each action would be quadratic.
        new_event = copy_without(event, ("RuleName",), {id(current): narrowed})
        rest = [item for item in items if item != key]
        if not rest:
            return EventSplit(new_event, DELETE)
        return EventSplit(new_event, copy.deepcopy(event, {id(current): seq_like(current, rest)}))
    if len(items) == 1 and isinstance(items[0], dict) and set(items[0]) == {"anything-but"}:
        excluded = items[0]["anything-but"]
        excluded = list(excluded) if isinstance(excluded, list) else [excluded]
        if key in excluded:
            return EventSplit()
        new_event = copy_without(event, ("RuleName",), {id(current): narrowed})
        monolith = copy.deepcopy(event, list_copies(event))
        monolith["Properties"]["Pattern"]["detail-type"][0]["anything-but"] = seq_like(excluded, [*excluded, key])
        return EventSplit(new_event, monolith)
    raise Refusal(f"the rule's detail-type filter {json.dumps(plain(current))} cannot be split safely", where=where)


def _eventbridge_any_case(name: str, event: Any, key: str, where: str) -> EventSplit:
    """The code compares ``detail-type.upper()``: route with ``equals-ignore-case``."""
    pattern = (event.get("Properties") or {}).get("Pattern")
    if not isinstance(pattern, dict):
        raise Refusal("the rule has no Pattern mapping to narrow", where=where)
    current = pattern.get("detail-type")
    narrowed = seq_like(current, [{"equals-ignore-case": key}])
    if current is None:
        new_event = copy_without(event, ("RuleName",))
        new_event["Properties"]["Pattern"]["detail-type"] = narrowed
        monolith = copy.deepcopy(event)
        monolith["Properties"]["Pattern"]["detail-type"] = [{"anything-but": {"equals-ignore-case": [key]}}]
        return EventSplit(new_event, monolith, f"{name}: the monolith's rule now excludes {key} in any case",
                          about_monolith=True)
    items = current if isinstance(current, list) else [current]
    if all(isinstance(item, str) for item in items):
        # The rule lists spellings: the new function takes exactly those that are this key
        # in some case, so it receives what the monolith received, no more.
        mine = [item for item in items if item.casefold() == key.casefold()]
        rest = [item for item in items if item.casefold() != key.casefold()]
        if not mine:
            return EventSplit()
        new_event = copy_without(event, ("RuleName",), {id(current): seq_like(current, mine)})
        if not rest:
            return EventSplit(new_event, DELETE)
        return EventSplit(new_event, copy.deepcopy(event, {id(current): seq_like(current, rest)}))
    excluded = items[0].get("anything-but") if len(items) == 1 and isinstance(items[0], dict) else None
    if isinstance(excluded, dict) and set(excluded) == {"equals-ignore-case"}:
        values = excluded["equals-ignore-case"]
        values = list(values) if isinstance(values, list) else [values]
        if any(v.casefold() == key.casefold() for v in values if isinstance(v, str)):
            return EventSplit()
        new_event = copy_without(event, ("RuleName",), {id(current): narrowed})
        monolith = copy.deepcopy(event, list_copies(event))
        monolith["Properties"]["Pattern"]["detail-type"][0]["anything-but"]["equals-ignore-case"] = [*values, key]
        return EventSplit(new_event, monolith)
    raise Refusal(f"the rule's detail-type filter {json.dumps(plain(current))} cannot be split safely", where=where)


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
        boxes = boxes_of(pattern, fields)  # type: ignore[arg-type]
    except Unsupported as exc:
        raise Refusal(
            f"the rule filters {fields[0]}/{fields[1]} with {json.dumps(plain(exc.args[0]))}, which cannot be split safely",
            where=where,
            hint="list the values (or use anything-but) in the rule's pattern",
        ) from None
    if not admits(boxes, pair):
        return EventSplit()
    new_event = copy_without(event, ("RuleName",), _copies_but_pair(pattern, event, fields))
    _write_pair(new_event["Properties"]["Pattern"], {fields[0]: [pair[0]], fields[1]: [pair[1]]}, None)
    rest = without(boxes, pair)
    if not rest:
        return EventSplit(new_event, DELETE)
    monolith = copy.deepcopy(event, _copies_but_pair(pattern, event, fields))
    _write_pair(monolith["Properties"]["Pattern"], *rules_of(rest, fields))  # type: ignore[arg-type]
    return EventSplit(new_event, monolith, f"{name}: the monolith's rule now excludes {pair[0]} {pair[1]}",
                      about_monolith=True)


def _copies_but_pair(pattern: Mapping[str, Any], event: Any, fields: tuple[str, str]) -> dict[int, Any]:
    """A memo for copying ``event`` whose pattern is about to get both fields (and ``$or``)
    rewritten by ``_write_pair``: those values stay the originals in the copy, since they are
    only read (for their YAML style) and then replaced. Once several pairs have left, they
    hold a detail-type list per source: copying them for every action cost the most."""
    memo = {id(pattern[key]): pattern[key] for key in (*fields, OR) if key in pattern}
    return list_copies(event, memo)



def _write_pair(pattern: Any, rules: dict[str, list | None], branches: list | None) -> None:
    """Put the two fields' rules (or the ``$or`` holding them) where they were in the pattern."""
    keys = list(pattern)
    anchor = next((i for i, k in enumerate(keys) if k in rules or k == OR), len(keys))
    old = {k: pattern.pop(k) for k in [*rules, OR] if k in pattern}
    if hasattr(pattern, "insert"):  # ruamel's CommentedMap keeps the comments around the keys
        entries = [(k, seq_like(old.get(k), v) if k in old else _flow(v)) for k, v in rules.items() if v is not None]
        if branches:
            entries.append((OR, _block([{k: _flow(v) for k, v in branch.items()} for branch in branches])))
        for offset, (k, v) in enumerate(entries):
            pattern.insert(anchor + offset, k, v)
        return
    entries = [(k, v) for k, v in rules.items() if v is not None] + ([(OR, branches)] if branches else [])
    items = list(pattern.items())
    pattern.clear()
    pattern.update([*items[:anchor], *entries, *items[anchor:]])


def _flow(items: list) -> Any:
    """A YAML list written ``[a, b]``: a rule's values, short as the patterns people write."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _block(items: list) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return CommentedSeq([CommentedMap(item) for item in items])


# --- two fields at once: boxes ------------------------------------------------------------
OR = "$or"


class Unsupported(Exception):
    """The pattern filters the fields in a way this module does not split."""


@dataclass(frozen=True)
class Filter:
    """Which values of one field a box accepts: ``all``, ``only`` some, or ``except`` some."""

    kind: str  # "all", "only" or "except"
    values: tuple[str, ...] = ()

    @classmethod
    def parse(cls, rule: Any) -> "Filter":
        if rule is None:
            return cls("all")
        # list.__iter__ reads a CommentedSeq at C speed (its own __iter__ goes through
        # __getitem__ per item): every extraction re-reads the monolith's rule, which holds a
        # detail-type list per source once several pairs have left.
        items = tuple(list.__iter__(rule)) if isinstance(rule, list) else (rule,)
        if items and all(map(isinstance, items, repeat(str))):
            return cls("only", items)
        if len(items) == 1 and isinstance(items[0], Mapping) and set(items[0]) == {"anything-but"}:
            excluded = items[0]["anything-but"]
            excluded = list(excluded) if isinstance(excluded, list) else [excluded]
            if all(isinstance(value, str) for value in excluded):
                return cls("except", tuple(excluded))
        raise Unsupported(rule)

    def admits(self, value: str) -> bool:
        if self.kind == "only":
            return value in self.values
        return value not in self.values

    def without(self, value: str) -> "Filter":
        if self.kind == "only":
            return Filter("only", tuple(v for v in self.values if v != value))
        return Filter("except", (*self.values, value))

    @property
    def empty(self) -> bool:
        return self.kind == "only" and not self.values

    def rule(self) -> list | None:
        """The pattern's value for this filter (None: the field is not filtered)."""
        if self.kind == "all":
            return None
        if self.kind == "only":
            return list(self.values)
        return [{"anything-but": list(self.values)}]


Box = tuple[Filter, Filter]  # (outer field, inner field)


def boxes_of(pattern: Mapping[str, Any], fields: tuple[str, str]) -> list[Box]:
    """The boxes a pattern accepts on ``fields``; :class:`Unsupported` if it cannot tell."""
    if OR not in pattern:
        return [(Filter.parse(pattern.get(fields[0])), Filter.parse(pattern.get(fields[1])))]
    branches = pattern[OR]
    if any(field in pattern for field in fields) or not isinstance(branches, list):
        raise Unsupported(branches)
    boxes = []
    for branch in branches:
        if not isinstance(branch, Mapping) or not branch or set(branch) - set(fields):
            raise Unsupported(branch)
        boxes.append((Filter.parse(branch.get(fields[0])), Filter.parse(branch.get(fields[1]))))
    return boxes


def admits(boxes: list[Box], pair: tuple[str, str]) -> bool:
    return any(outer.admits(pair[0]) and inner.admits(pair[1]) for outer, inner in boxes)


def without(boxes: list[Box], pair: tuple[str, str]) -> list[Box]:
    """The boxes once ``pair`` goes elsewhere."""
    first, second = pair
    result: list[Box] = []
    for outer, inner in boxes:
        if not (outer.admits(first) and inner.admits(second)):
            result.append((outer, inner))
            continue
        rest = outer.without(first)
        if not rest.empty:
            result.append((rest, inner))
        narrowed = inner.without(second)
        if not narrowed.empty:
            result.append((Filter("only", (first,)), narrowed))
    return result


def rules_of(boxes: list[Box], fields: tuple[str, str]) -> tuple[dict[str, list | None], list[dict] | None]:
    """What to write: the two fields' rules (one box), or the ``$or`` branches (several)."""
    if len(boxes) == 1:
        outer, inner = boxes[0]
        return {fields[0]: outer.rule(), fields[1]: inner.rule()}, None
    branches = []
    for box in boxes:
        branches.append({field: f.rule() for field, f in zip(fields, box, strict=True) if f.rule() is not None})
    return {fields[0]: None, fields[1]: None}, branches
