"""Typed event objects: which event key each attribute of a wrapper class reads.

Powertools data classes (``EventBridgeEvent(event).detail_type``) and the EventBridge
schema bindings ``sam init`` generates (``Marshaller.unmarshall(event, AWSEvent)``) rename
the event's keys to Python attributes; routing needs the key back. An attribute missing
here is refused rather than guessed.
"""

from __future__ import annotations

from strangler.model import BASE64, JSON

# EventBridge envelope, shared by the Powertools class and the schema bindings' AWSEvent.
_EVENTBRIDGE = {
    "detail_type": ("detail-type",), "source": ("source",), "detail": ("detail",), "account": ("account",),
    "region": ("region",), "resources": ("resources",), "id": ("id",), "version": ("version",), "time": ("time",),
}

ATTRIBUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "EventBridgeEvent": _EVENTBRIDGE,
    "AWSEvent": _EVENTBRIDGE,
    "APIGatewayProxyEvent": {
        "http_method": ("httpMethod",), "path": ("path",), "resource": ("resource",), "body": ("body",),
        "json_body": ("body", JSON),
    },
    "APIGatewayProxyEventV2": {
        "http_method": ("requestContext", "http", "method"), "path": ("rawPath",), "raw_path": ("rawPath",),
        "route_key": ("routeKey",), "body": ("body",), "json_body": ("body", JSON),
    },
    "SQSEvent": {"records": ("Records",)},
    "SNSEvent": {"records": ("Records",)},
    # What one record of those has (``for record in SQSEvent(event).records``: the loop adds the [*]).
    "SQSRecord": {"body": ("body",), "json_body": ("body", JSON)},
    "SNSEventRecord": {"sns": ("Sns",)},
    "SNSMessage": {"message": ("Message",), "subject": ("Subject",)},
    "KinesisStreamEvent": {"records": ("Records",)},
    "KinesisStreamRecord": {"kinesis": ("kinesis",)},
    "KinesisStreamRecordPayload": {"data": ("data",), "partition_key": ("partitionKey",)},
}

# The class of what an attribute returns, where it is itself typed.
RETURNS: dict[tuple[str, str], str] = {
    ("SQSEvent", "records"): "SQSRecord",
    ("SNSEvent", "records"): "SNSEventRecord",
    ("SNSEventRecord", "sns"): "SNSMessage",
    ("KinesisStreamEvent", "records"): "KinesisStreamRecord",
    ("KinesisStreamRecord", "kinesis"): "KinesisStreamRecordPayload",
}

# Methods that decode what they are called on: ``record.kinesis.data_as_json()`` reads the
# record's data, base64-decoded and parsed.
METHODS: dict[tuple[str, str], tuple[str, ...]] = {
    ("KinesisStreamRecordPayload", "data_as_json"): ("data", BASE64, JSON),
    ("KinesisStreamRecordPayload", "data_as_text"): ("data", BASE64),
}

# Classes an unmarshalled schema event can be, after ``Marshaller.unmarshall(event, Class)``.
UNMARSHALLED = "AWSEvent"
