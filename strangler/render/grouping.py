"""A group's route: the routes of its actions, one after the other, made into one.

Each action of a group is routed as if it left alone (the monolith narrowed after each),
then what the new function gets is combined: two copies of one monolith event (or of one
resource outside Events) that differ only in one list, the list of keys the source lets
through (an EventBridge pattern's detail-types, an SNS filter policy's values, a mapping's
FilterCriteria), become one copy whose list has both; copies that differ otherwise stay
separate events, named after their action. Each event still matches one action's keys,
which only the group's function now receives.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from strangler.errors import StranglerError
from strangler.model import ResourceSplit, RoutePlan
from strangler.plan import naming
from strangler.template.document import TemplateDocument, copy_node, intended

# Event Types read through an event source mapping: Lambda refuses two mappings of one
# function on one queue or stream, so their copies must combine into one event.
_MAPPED = {"SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB"}
_DIFFERENT = object()


def differences(mine: Any, theirs: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where two template values differ: mappings are compared key by key, anything else
    (a list, a scalar, mappings with other keys) is one difference where it stands."""
    if isinstance(mine, dict) and isinstance(theirs, dict) and set(mine) == set(theirs):
        return [found for key in mine for found in differences(mine[key], theirs[key], (*path, key))]
    if _same(mine, theirs):
        return []
    return [path]


def _same(mine: Any, theirs: Any) -> bool:
    return type(mine) is type(theirs) and intended(mine) == intended(theirs) and str(mine) == str(theirs)


def merge_into(mine: Any, theirs: Any) -> bool:
    """Make ``mine`` also let through what ``theirs`` does, when they differ in one list
    only (its items are alternatives: a pattern's or a filter's values); False otherwise."""
    found = differences(mine, theirs)
    if not found:
        return True
    if len(found) != 1:
        return False
    target, other = _at(mine, found[0]), _at(theirs, found[0])
    if not isinstance(target, list) or not isinstance(other, list):
        return False
    for item in other:
        if not any(_same(item, have) for have in target):
            _append(target, copy_node(item))
    return True


def _append(items: Any, item: Any) -> None:
    """Add ``item`` at the end of a list; the comment after the old last item introduced
    what follows the list, so it moves to after the new one."""
    last = len(items) - 1
    comments = getattr(getattr(items, "ca", None), "items", None)
    items.append(item)
    if comments is not None and last in comments:
        comments[last + 1] = comments.pop(last)


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def combined(plans: Sequence[RoutePlan], keys: Sequence[str], where: str) -> RoutePlan:
    """One route for the group's function from its actions' routes (already applied to
    the monolith and the resources outside Events)."""
    kinds = sorted({kind for plan in plans for kind in plan.kind.split("/") if kind})
    if plans and all(plan.direct for plan in plans):
        return dataclasses.replace(plans[0], notes=tuple(n for p in plans for n in p.notes))
    events: dict[str, Any] = {}
    for plan, key in zip(plans, keys):
        for name, event in plan.new_events.items():
            _add_event(events, name, event, key, where)
    # What followed an event in the monolith (a blank line before the next resource)
    # stays only after the last of them.
    names = list(events)
    events = {name: copy_node(event) if name != names[-1] else event for name, event in events.items()}
    return RoutePlan("/".join(kinds), events, {}, tuple(n for p in plans for n in p.notes), _through(plans))


def _through(plans: Sequence[RoutePlan]) -> tuple[ResourceSplit, ...]:
    """The resources the group's actions went through, each once (they are applied
    already: the combined route only says which ones deliver)."""
    found: dict[str, ResourceSplit] = {}
    for split in (split for plan in plans for split in plan.resources):
        before = found.get(split.logical_id)
        found[split.logical_id] = split if before is None else dataclasses.replace(
            before, delivers=before.delivers or split.delivers)
    return tuple(found.values())


def _add_event(events: dict[str, Any], name: str, event: Any, key: str, where: str) -> None:
    if name not in events:
        events[name] = event
        return
    if merge_into(events[name], event):
        return
    kind = str((event or {}).get("Type"))
    renamed = f"{name}{naming.pascal(key)}"
    if kind in _MAPPED or renamed in events:
        raise StranglerError(
            f"the group's copies of event {name} ({kind}) differ in more than the keys they let through, "
            f"and one function cannot have two of them",
            where=f"{where} event {name}",
            hint="extract these actions in separate functions",
        )
    events[renamed] = event


def fold_added(doc: TemplateDocument, splits: Sequence[ResourceSplit], group: str, made: set[str],
               where: str) -> list[ResourceSplit]:
    """The resources outside Events an action of the group adds, marked with the group, and
    combined with the same resource an earlier action of the group added (``made``: the
    ids added so far) instead of added twice."""
    resources = doc.data["Resources"]
    folded = []
    for split in splits:
        added = []
        for logical_id, resource in split.added:
            marker = (resource.get("Metadata") or {}).get("Strangler") if isinstance(resource, dict) else None
            if isinstance(marker, dict) and "Action" in marker:
                marker["Action"] = group
            if logical_id not in made:
                made.add(logical_id)
                added.append((logical_id, resource))
            elif not merge_into(resources[logical_id], resource):
                raise StranglerError(
                    f"the group's actions each need their own {logical_id}, which differ in more than the keys "
                    "they let through",
                    where=f"{where}: Resources.{split.logical_id}",
                    hint="extract these actions in separate functions",
                )
        folded.append(dataclasses.replace(split, added=tuple(added)))
    return folded


@contextmanager
def hidden(resources: Any, logical_ids: set[str]) -> Iterator[None]:
    """``resources`` without ``logical_ids`` for a while, then with them again where they
    were (and the comments that hang on them)."""
    order = list(resources)
    kept = [(order.index(i), i, resources[i]) for i in sorted(logical_ids, key=order.index) if i in resources]
    comments = getattr(getattr(resources, "ca", None), "items", None)
    notes = {i: comments[i] for _, i, _ in kept if comments is not None and i in comments}
    for _, logical_id, _ in kept:
        del resources[logical_id]
    try:
        yield
    finally:
        _restore(resources, kept)
        if comments is not None:
            comments.update(notes)


def _restore(resources: Any, kept: list[tuple[int, str, Any]]) -> None:
    if hasattr(resources, "insert"):
        for position, logical_id, resource in kept:
            resources.insert(position, logical_id, resource)
        return
    items = list(resources.items())
    for position, logical_id, resource in kept:
        items.insert(position, (logical_id, resource))
    resources.clear()
    resources.update(items)
