"""What every event source answers, and what the sources share.

An event source is one kind of event a function declares (a SAM event ``Type``). For one
action of a monolith it answers, event by event: does the event carry this action (a
source recognises its own Types); what the new function gets (the key carved out of the
event: a narrowed copy, or the event itself); what the monolith keeps (a narrowed event,
``DELETE``, or the event unchanged); and, when it cannot split the event safely, why (a
:class:`Refusal`). Sources never touch the template: the template dialect applies their
answer.

A new source is a module with one :class:`EventSource` and one line in ``registry.py``.
"""

from __future__ import annotations

import copy
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from strangler.errors import StranglerError
from strangler.model import EventPath
from strangler.template.document import after_first_line


@dataclass(frozen=True)
class EventSplit:
    """The answer of a source for one monolith event."""

    new_event: Any = None  # event definition for the new function, or None
    monolith_event: Any = None  # replacement for the monolith, DELETE, or None (unchanged)
    note: str = ""
    fallback: bool = False  # an exact route carved out of a catch-all: only if nothing matched exactly
    # The note says only what becomes of the monolith's own event (its rule now excludes the
    # key, a route added in front of its catch-all): moot in a run that retires the monolith.
    about_monolith: bool = False
    # An event the monolith gets besides its own, so that it keeps what the new event takes
    # from under it (REST: the other methods of a resource carved out of /{proxy+}).
    monolith_beside: Any = None


class Refusal(StranglerError):
    """This action cannot be routed at the event source safely."""


class EventSource(ABC):
    """One kind of event source: the event Types it recognises and how it splits them.

    ``refusal`` says why a kind cannot be split at all; a source that splits some events
    raises :class:`Refusal` from :meth:`split` for the others.
    """

    types: tuple[str, ...] = ()  # the SAM event Types it recognises
    refusal: str | None = None

    def recognises(self, event_type: str) -> bool:
        return event_type in self.types

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The keys read from ``path`` that ``event``'s filter lets through, when it lists
        them all; None when it lets through keys it does not name (or reads elsewhere)."""
        return None

    @abstractmethod
    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        """The action ``key``, read from ``path``, carved out of the monolith's event ``name``:
        what the new function gets and what the monolith keeps (``EventSplit()``: the event
        does not carry the action)."""

    def retire(self, name: str, event: Any, where: str) -> None:
        """Raise :class:`Refusal` when ``event``, still the monolith's once every action has
        left, must not be deleted with it (it still delivers events someone relies on)."""


# --- shared by the sources ---------------------------------------------------------------
def copy_without(event: Any, drop: tuple[str, ...], replace: dict[int, Any] | None = None) -> Any:
    """A deep copy of ``event`` without the properties ``drop``; ``replace`` maps the ids
    of nodes to what the copy holds instead (deepcopy's memo does exactly that)."""
    new = copy.deepcopy(event, dict(replace or {}))
    for key in drop:
        (new.get("Properties") or {}).pop(key, None)
    return new


def seq_like(template: Any, items: list) -> Any:
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


def map_like(sibling: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap() if isinstance(sibling, CommentedMap) else {}


def plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
