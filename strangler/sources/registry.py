"""Every event source strangler knows, by event Type: a new source is one line here."""

from __future__ import annotations

from strangler.sources import cognito, eventbridge, http, refused, schedule, sns, streams
from strangler.sources.base import EventSource

SOURCES: tuple[EventSource, ...] = (
    eventbridge.RULES,
    http.HTTP_API,
    http.REST_API,
    sns.TOPICS,
    refused.SQS,
    streams.KINESIS,
    streams.DYNAMODB,
    refused.S3,
    refused.ALEXA_SKILL,
    schedule.SCHEDULES,
    cognito.COGNITO,
)


def source_for(event_type: str) -> EventSource | None:
    """The source that recognises ``event_type``; None when strangler knows no such source."""
    return next((source for source in SOURCES if source.recognises(event_type)), None)
