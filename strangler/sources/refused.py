"""Event sources strangler refuses to split, each with the reason and what to do instead."""

from __future__ import annotations

from typing import Any

from strangler.model import EventPath
from strangler.sources.base import EventSource, EventSplit, Refusal


class Refused(EventSource):
    """A kind of event whose events cannot go to one function per action safely."""

    def __init__(self, types: tuple[str, ...], refusal: str) -> None:
        self.types = types
        self.refusal = refusal

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        raise Refusal(f"event {name} ({event.get('Type')}) cannot be split safely: {self.refusal}", where=where)


_SQS_ADVICE = (
    "Lambda deletes an SQS message that a mapping's filter rejects, and two mappings on one queue compete "
    "for its messages, so one filtered mapping per action would lose messages (strangler writes no route "
    "that can lose a message). Route each type before it reaches a queue, then run strangler again: "
    "(1) one queue per action, each producer sending each type to its own queue; "
    "(2) an SNS topic with one subscription per action filtered on the type (strangler splits a "
    "function's SNS event into such subscriptions); or "
    "(3) an EventBridge Pipe from the queue to an event bus with one rule per action (strangler splits "
    "EventBridgeRule events)"
)

SQS = Refused(("SQS",), _SQS_ADVICE)
S3 = Refused(("S3",), "S3 notifications cannot overlap on one bucket; route by prefix or suffix by hand")
ALEXA_SKILL = Refused(("AlexaSkill",), "a skill has one endpoint for every intent")
