"""``AWS::Lambda::EventSourceMapping`` on a DynamoDB or Kinesis stream, feeding the monolith:
split like a SAM ``DynamoDB``/``Kinesis`` event.

The mapping's properties are what a SAM stream event writes into the mapping it makes
(``StartingPosition``, ``FilterCriteria``, ``FunctionResponseTypes``...), so the stream
sources (``sources/streams.py``) split its ``FilterCriteria`` exactly as they split an
event's: the new function gets a copy of the mapping (every setting kept) admitting only
its action's records, ``FunctionName`` re-pointed; the monolith's mapping gets the
complement, or goes when its filters admit nothing else. Every mapping reads the whole
stream; the notes and refusals are the stream sources' (batch item failures, tumbling
windows, enhanced fan-out consumers, keys a filter cannot see).

Refused: an SQS queue (a filter deletes what it rejects: the SQS advice), a source whose
kind the template does not tell (a parameter, an imported ARN), a ``FunctionName`` that
names the monolith through an alias or a physical name.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.model import DELETE, EventPath, ResourceSplit
from strangler.sources import refused
from strangler.sources.base import EventSource, Refusal, plain
from strangler.sources.resources.base import ResourceRoute
from strangler.sources.resources.repoint import (
    copied_resource,
    ending_like,
    names_directly,
    refuse_indirect,
    repointed,
)
from strangler.sources.streams import DYNAMODB, KINESIS
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import intrinsic
from strangler.template.invokers import Invoker

# What the source resource (or a literal ARN) says the mapping reads.
_BY_TYPE = {
    "AWS::DynamoDB::Table": "DynamoDB",
    "AWS::DynamoDB::GlobalTable": "DynamoDB",
    "AWS::Kinesis::Stream": "Kinesis",
    "AWS::Kinesis::StreamConsumer": "Kinesis",
    "AWS::SQS::Queue": "SQS",
}
_BY_ARN = (("arn:aws:dynamodb:", "DynamoDB"), (":dynamodb:", "DynamoDB"), (":kinesis:", "Kinesis"),
           (":sqs:", "SQS"))
_SOURCES: dict[str, EventSource] = {"DynamoDB": DYNAMODB, "Kinesis": KINESIS}


class EventSourceMappings(ResourceRoute):
    kinds = ("AWS::Lambda::EventSourceMapping",)

    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        mapping = doc.data["Resources"][invoker.logical_id]
        properties = mapping.get("Properties") or {}
        if not names_directly(properties.get("FunctionName"), invoker.function_id):
            raise refuse_indirect(invoker, "FunctionName", where)
        kind = _kind_of(doc, properties.get("EventSourceArn"))
        if kind == "SQS":
            raise Refusal(f"{invoker.describe()}, and it reads an SQS queue, which cannot be split safely: "
                          f"{refused.SQS.refusal}", where=where,
                          hint="keep one mapping on the queue, and route each type before it (one of the three "
                               "routes above), then run strangler again")
        if kind not in _SOURCES:
            raise Refusal(
                f"{invoker.describe()}, and its EventSourceArn ({_shown(properties.get('EventSourceArn'))}) does not "
                "say whether it is a DynamoDB stream, a Kinesis stream or a queue",
                where=where,
                hint="write EventSourceArn as !GetAtt <Table>.StreamArn or !GetAtt <Stream>.Arn of a resource of "
                     "the template, then run again",
            )
        if _source_type(doc, properties.get("EventSourceArn")) == "AWS::Kinesis::StreamConsumer":
            raise Refusal(
                f"{invoker.describe()}, and it reads through an enhanced fan-out consumer; a consumer serves one "
                "subscription per shard at a time, so a second mapping on it would compete with the first",
                where=where,
                hint="give each action's mapping its own AWS::Kinesis::StreamConsumer (or read the stream itself), "
                     "then run strangler again",
            )
        # The mapping's own properties are the event's: the source copies them (comments
        # and all) and changes only FilterCriteria.
        event = {"Type": kind, "Properties": properties}
        try:
            split = _SOURCES[kind].split(invoker.logical_id, event, key, path, where)
        except Refusal as exc:
            raise Refusal(f"{invoker.describe()}: {exc.message}", where=where, hint=exc.hint or invoker.advice) from None
        if split.new_event is None:
            return ResourceSplit(invoker.logical_id)
        new_mapping_id = f"{new_id}{invoker.logical_id}"
        new_mapping = copied_resource(doc, mapping, invoker.logical_id, key)
        new_mapping["Properties"] = copy_node(split.new_event["Properties"])
        new_mapping["Properties"]["FunctionName"] = repointed(properties["FunctionName"], invoker.function_id, new_id)
        added = ((new_mapping_id, new_mapping),)
        note = f"{key} moves to {new_mapping_id} (to {new_id})"
        if split.note:
            note += f"; {split.note.removeprefix(invoker.logical_id + ': ')}"
        if split.monolith_event is DELETE:
            return ResourceSplit(invoker.logical_id, DELETE, added, delivers=True,
                                 note=f"{note}; the mapping admitted nothing else and is removed")
        replacement = None
        if split.monolith_event is not None:
            replacement = copy.deepcopy(mapping)
            replacement["Properties"] = split.monolith_event["Properties"]
            ending_like(mapping, replacement, bool(added))
        return ResourceSplit(invoker.logical_id, replacement, added, delivers=True,
                             note=f"{note}; the mapping's filter skips its records")

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        """What is left of the filter matched no action: the mapping goes with the monolith."""
        properties = doc.data["Resources"][invoker.logical_id].get("Properties") or {}
        if not names_directly(properties.get("FunctionName"), invoker.function_id):
            return None
        return ResourceSplit(invoker.logical_id, DELETE, note="removed with the monolith it fed")


def _source_type(doc: TemplateDocument, source: Any) -> str | None:
    """The Type of the template resource ``source`` names by !GetAtt or !Ref, if any."""
    found = intrinsic(source)
    if found is None or found[0] not in ("GetAtt", "Ref"):
        return None
    target = getattr(found[1], "value", found[1])
    name = (target.split(".", 1)[0] if isinstance(target, str) else str(next(iter(target)))) if target else ""
    resource = (doc.data.get("Resources") or {}).get(name)
    return resource.get("Type") if isinstance(resource, Mapping) else None


def _kind_of(doc: TemplateDocument, source: Any) -> str | None:
    """DynamoDB, Kinesis or SQS, from the resource ``source`` names or its literal ARN."""
    found = intrinsic(source)
    if found is not None and found[0] in ("GetAtt", "Ref"):
        return _BY_TYPE.get(_source_type(doc, source) or "")
    text = source if isinstance(source, str) else None
    if found is not None and found[0] == "Sub":
        value = found[1]
        text = value if isinstance(value, str) else (value[0] if isinstance(value, list) and value else None)
        text = getattr(text, "value", text)
    if not isinstance(text, str):
        return None
    return next((kind for marker, kind in _BY_ARN if marker in text), None)


def _shown(value: Any) -> str:
    found = intrinsic(value)
    if found is not None:
        inner = getattr(found[1], "value", found[1])
        return f"!{found[0]} {'.'.join(map(str, inner)) if isinstance(inner, list) else inner}"
    return str(plain(value))


EVENT_SOURCE_MAPPINGS = EventSourceMappings()
