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
import functools
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
    left = monolith["Properties"]["Pattern"]
    if len(rest) > 1 and hasattr(left, "insert"):
        _write_pair(left, {fields[0]: None, fields[1]: None}, written_branches(rest, fields))
    else:
        _write_pair(left, *rules_of(rest, fields))  # type: ignore[arg-type]
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
            entries.append((OR, _block(branches)))
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


def _block(branches: list) -> Any:
    """The ``$or`` list: a branch given as rules is written ``field: [a, b]``; one already
    written (a ``CommentedMap``, see ``written_branches``) goes in as it is."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return CommentedSeq([
        branch if isinstance(branch, CommentedMap) else CommentedMap({k: _flow(v) for k, v in branch.items()})
        for branch in branches
    ])


# --- two fields at once: boxes ------------------------------------------------------------
OR = "$or"


class Unsupported(Exception):
    """The pattern filters the fields in a way this module does not split."""


@dataclass(frozen=True)
class Filter:
    """Which values of one field a box accepts: ``all``, ``only`` some, or ``except`` some."""

    kind: str  # "all", "only" or "except"
    values: tuple[str, ...] = ()

    @functools.cached_property
    def _members(self) -> frozenset[str]:
        # A box lives through many extractions (see ``written_branches``): look values up
        # in a set, not along a list of hundreds of detail-types each time.
        return frozenset(self.values)

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
            return value in self._members
        return value not in self._members

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
        box = _box_written(branch, fields)
        if box is None:
            if not isinstance(branch, Mapping) or not branch or set(branch) - set(fields):
                raise Unsupported(branch)
            box = (Filter.parse(branch.get(fields[0])), Filter.parse(branch.get(fields[1])))
        boxes.append(box)
    return boxes


# Splitting a nested dispatch's pairs one by one leaves the monolith's rule a branch per
# source, each listing the detail-types still its own: reading and writing every branch
# for every action made the route quadratic. A branch is written once for its box and
# then carried over, as the same object, to the monolith's next rule while its box is
# unchanged; reading it back gives that box without parsing it again. The previous rule
# is replaced in the template by the next one, so no branch is in the document twice.
# id(box) -> (box, branch); id(branch) -> (branch, fields, box, stamp). Entries keep their
# objects alive, so ids are not reused; the stamp (the branch's keys, the ids and lengths
# of its values) tells a branch edited since it was written, which is then read again.
_BRANCH_OF: dict[int, tuple[Box, Any]] = {}
_BOX_OF: dict[int, tuple[Any, tuple[str, str], Box, tuple]] = {}
_BOUND = 20_000  # branches of a few nested migrations; then it starts over


def written_branches(boxes: list[Box], fields: tuple[str, str]) -> list[Any]:
    """The ``$or`` branches of ``boxes``, reusing the branch written before for a box."""
    from ruamel.yaml.comments import CommentedMap

    if len(_BRANCH_OF) >= _BOUND:
        _BRANCH_OF.clear()
        _BOX_OF.clear()
    result = []
    for box in boxes:
        hit = _BRANCH_OF.get(id(box))
        if hit is None or hit[0] is not box:
            branch = CommentedMap({field: _flow(rule) for field, f in zip(fields, box, strict=True)
                                   if (rule := f.rule()) is not None})
            hit = _BRANCH_OF[id(box)] = (box, branch)
            _BOX_OF[id(branch)] = (branch, fields, box, _stamp(branch))
        result.append(hit[1])
    return result


def _box_written(branch: Any, fields: tuple[str, str]) -> Box | None:
    hit = _BOX_OF.get(id(branch))
    if hit is None or hit[0] is not branch or hit[1] != fields or hit[3] != _stamp(branch):
        return None
    return hit[2]


def _stamp(branch: Any) -> tuple:
    return tuple(branch), *((id(value), len(value) if isinstance(value, list) else -1) for value in branch.values())


def admits(boxes: list[Box], pair: tuple[str, str]) -> bool:
    return any(outer.admits(pair[0]) and inner.admits(pair[1]) for outer, inner in boxes)


def without(boxes: list[Box], pair: tuple[str, str]) -> list[Box]:
    """The boxes once ``pair`` goes elsewhere."""
    first, second = pair
    result: list[Box] = []
    for box in boxes:
        outer, inner = box
        if not (outer.admits(first) and inner.admits(second)):
            result.append(box)  # the same object: its branch is written once (written_branches)
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
