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
    "two filtered event source mappings on one SQS queue compete for its messages and Lambda "
    "deletes those a filter rejects; give each type its own queue (an SNS topic with one "
    "filtered subscription per function, or EventBridge Pipes from the old queue), then run "
    "strangler on that source"
)

SQS = Refused(("SQS",), _SQS_ADVICE)
KINESIS = Refused(("Kinesis",), "Kinesis mappings are not split yet; each function would need FilterCriteria on data")
DYNAMODB = Refused(
    ("DynamoDB",), "DynamoDB stream mappings are not split yet; each function would need FilterCriteria on dynamodb"
)
S3 = Refused(("S3",), "S3 notifications cannot overlap on one bucket; route by prefix or suffix by hand")
ALEXA_SKILL = Refused(("AlexaSkill",), "a skill has one endpoint for every intent")
