"""Which deliveries make a function at-least-once, and the event's own id for each.

SQS, SNS, EventBridge, S3, streams, brokers and asynchronous invokes may hand the same
event to a function more than once (their retries and redeliveries are documented as
"at least once"); an API, a user pool trigger or a GraphQL resolver answers a caller who
sees the error and decides. Only the former make a non-idempotent write a pitfall.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strangler.check.app import CheckedApp, Delivery
from strangler.template.intrinsics import referenced_ids

# SAM event Type -> the service, as people name it in a finding.
_EVENT_TYPES = {
    "SQS": "SQS", "SNS": "SNS", "EventBridgeRule": "EventBridge", "CloudWatchEvent": "EventBridge",
    "Schedule": "EventBridge schedule", "ScheduleV2": "EventBridge Scheduler", "S3": "S3",
    "DynamoDB": "DynamoDB stream", "Kinesis": "Kinesis", "MQ": "Amazon MQ", "MSK": "MSK",
    "SelfManagedKafka": "Kafka", "DocumentDB": "DocumentDB stream",
}
# Resources outside Events that deliver asynchronously or from a poller.
_RESOURCE_TYPES = {
    "AWS::Events::Rule": "EventBridge", "AWS::SNS::Subscription": "SNS", "AWS::SNS::Topic": "SNS",
    "AWS::Lambda::EventSourceMapping": "event source mapping", "AWS::Scheduler::Schedule": "EventBridge Scheduler",
    "AWS::S3::Bucket": "S3", "AWS::Lambda::EventInvokeConfig": "asynchronous invoke", "AWS::Pipes::Pipe": "Pipes",
}
# Service principals of an AWS::Lambda::Permission that invoke asynchronously.
_PRINCIPALS = {"s3.amazonaws.com": "S3", "sns.amazonaws.com": "SNS", "events.amazonaws.com": "EventBridge",
               "scheduler.amazonaws.com": "EventBridge Scheduler"}
# Where an Events entry names the resource that delivers (the queue, the topic...).
_SOURCE_PROPERTIES = ("Queue", "Topic", "Bucket", "Stream", "Broker", "EventBusName")

# The key that identifies one delivery, as the Powertools idempotency docs key each source
# (``event_key_jmespath``); None: the whole event is the key.
_EVENT_KEYS = {
    "SQS": "Records[*].messageId", "SNS": "Records[*].Sns.MessageId", "EventBridge": "id",
    "EventBridge schedule": "id", "S3": "Records[*].[s3.bucket.name, s3.object.key, s3.object.sequencer]",
    "DynamoDB stream": "Records[*].eventID", "Kinesis": "Records[*].eventID",
}


@dataclass(frozen=True)
class AtLeastOnce:
    """A delivery that may repeat: what to call it in a finding and how its event is keyed."""

    name: str  # the queue, topic or rule ("OrdersQueue"), else the Events entry's name
    service: str  # "SQS"

    def describe(self) -> str:
        return f"{self.name} ({self.service})"

    @property
    def event_key(self) -> str | None:
        return _EVENT_KEYS.get(self.service)


def at_least_once(app: CheckedApp, function_id: str) -> tuple[AtLeastOnce, ...]:
    """The deliveries of ``function_id`` that can repeat an event, in template order."""
    found = [repeating(app, function_id, delivery) for delivery in app.deliveries(function_id)]
    own = app.resource(function_id).get("Properties")
    if isinstance(own, Mapping) and own.get("EventInvokeConfig") is not None:
        found.append(AtLeastOnce(function_id, "asynchronous invoke"))
    return tuple(source for source in found if source is not None)


def repeating(app: CheckedApp, function_id: str, delivery: Delivery) -> AtLeastOnce | None:
    """The delivery as an at-least-once source, None when it answers a caller."""
    if delivery.outside_events and delivery.kind == "AWS::Lambda::Permission":
        # A service allowed to invoke the function, its side set up elsewhere.
        principal = (app.resource(delivery.name).get("Properties") or {}).get("Principal")
        service = _PRINCIPALS.get(principal) if isinstance(principal, str) else None
        return AtLeastOnce(delivery.name, service) if service else None
    if delivery.outside_events:
        service = _RESOURCE_TYPES.get(delivery.kind)
        return AtLeastOnce(delivery.name, service) if service else None
    service = _EVENT_TYPES.get(delivery.kind)
    if service is None:
        return None
    return AtLeastOnce(_source_name(app, function_id, delivery.name), service)


def _source_name(app: CheckedApp, function_id: str, event_name: str) -> str:
    """The queue/topic/bucket an Events entry reads from, else the entry's own name."""
    events = (app.resource(function_id).get("Properties") or {}).get("Events") or {}
    entry: Any = events.get(event_name) if isinstance(events, Mapping) else None
    properties = entry.get("Properties") if isinstance(entry, Mapping) else None
    if isinstance(properties, Mapping):
        for key in _SOURCE_PROPERTIES:
            for logical_id in referenced_ids(properties.get(key)):
                return logical_id
    return event_name
