"""EventBridge routing on two fields at once, for nested dispatch (``source``, then ``detail-type``).

A rule's pattern is read as a union of *boxes*: each box says which values of the two
fields it accepts (all, a list, or all but a list). Taking the pair ``(a, b)`` out of a
box that accepts it leaves two boxes: the box without ``a``, and ``a`` with the box's
``b``-values without ``b``. One box is written as the pattern's own fields; several as an
``$or`` whose branches hold only the two fields, so no field is filtered both at the top
and inside ``$or``. The boxes stay disjoint, so reading the pattern back gives them again
and every later extraction works on what earlier ones wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
        items = list(rule) if isinstance(rule, list) else [rule]
        if items and all(isinstance(item, str) for item in items):
            return cls("only", tuple(items))
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
