"""``AWS::Lambda::EventSourceMapping`` outside Events: split like a SAM stream event."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

from strangler.model import BASE64, DELETE, EACH, JSON, EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.event_source_mapping import EVENT_SOURCE_MAPPINGS
from strangler.sources.resources.registry import route_for
from strangler.template.document import TemplateDocument, intended
from strangler.template.invokers import invokers_of

KIND = EventPath(("Records", EACH, "kinesis", "data", BASE64, JSON, "kind"))
EVENT_NAME = EventPath(("Records", EACH, "eventName"))
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Orders:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue
  Monolith:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: SOURCE
      FunctionName: !GetAtt Monolith.Arn
      StartingPosition: TRIM_HORIZON
      MaximumRetryAttempts: 2
"""
WHERE = "template.yaml: Resources.Mapping"


def load(tmp_path: Path, source: str = "!GetAtt Clicks.Arn", extra: str = "") -> TemplateDocument:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE).lstrip().replace("SOURCE", source) + extra, encoding="utf-8")
    return TemplateDocument.load(path)


def split(doc: TemplateDocument, key: str = "page_view", path: EventPath = KIND):
    invoker = next(i for i in invokers_of(doc.data, "Monolith") if i.logical_id == "Mapping")
    return EVENT_SOURCE_MAPPINGS.split(doc, invoker, key, path, "PageViewFunction", WHERE)


def pattern(resource) -> dict:
    return json.loads(resource["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"])


def test_the_registry_routes_mappings() -> None:
    assert route_for("AWS::Lambda::EventSourceMapping") is EVENT_SOURCE_MAPPINGS


def test_a_kinesis_mapping_gets_a_filtered_copy_and_the_monolith_the_complement(tmp_path: Path) -> None:
    doc = load(tmp_path)
    before = copy.deepcopy(intended(doc.data))

    result = split(doc)

    assert intended(doc.data) == before  # routes never change the template
    (new_id, new), = result.added
    assert new_id == "PageViewFunctionMapping"
    assert new["Metadata"]["Strangler"] == {"SplitFrom": "Mapping", "Action": "page_view"}
    assert new["Properties"]["FunctionName"].value == "PageViewFunction.Arn"
    assert new["Properties"]["MaximumRetryAttempts"] == 2
    assert pattern(new) == {"data": {"kind": ["page_view"]}}
    assert pattern(result.replacement) == {"data": {"kind": [{"anything-but": ["page_view"]}, {"exists": False}]}}
    assert result.replacement["Properties"]["FunctionName"].value == "Monolith.Arn"
    assert result.delivers and "every mapping reads the whole stream" in result.note


@pytest.mark.parametrize(
    "source",
    ["!GetAtt Orders.StreamArn", "!GetAtt [Orders, StreamArn]",
     "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000",
     "!Sub arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders/stream/2024"],
)
def test_a_dynamodb_mapping_is_told_by_its_source(tmp_path: Path, source: str) -> None:
    result = split(load(tmp_path, source), "INSERT", EVENT_NAME)

    assert pattern(result.added[0][1]) == {"eventName": ["INSERT"]}
    assert pattern(result.replacement) == {"eventName": [{"anything-but": ["INSERT"]}]}


def test_the_last_value_of_a_listed_filter_removes_the_mapping(tmp_path: Path) -> None:
    extra = "      FilterCriteria:\n        Filters:\n          - Pattern: '{\"data\": {\"kind\": [\"page_view\"]}}'\n"
    result = split(load(tmp_path, extra=extra))

    assert result.replacement is DELETE
    assert pattern(result.added[0][1]) == {"data": {"kind": ["page_view"]}}


def test_a_mapping_that_never_gets_the_action_is_left_alone(tmp_path: Path) -> None:
    extra = "      FilterCriteria:\n        Filters:\n          - Pattern: '{\"data\": {\"kind\": [\"checkout\"]}}'\n"
    result = split(load(tmp_path, extra=extra))

    assert result.added == () and result.replacement is None and not result.delivers


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("!GetAtt Queue.Arn", "reads an SQS queue"),
        ("arn:aws:sqs:us-east-1:123456789012:orders", "reads an SQS queue"),
        ("!ImportValue shared-stream-arn", "does not say whether it is a DynamoDB stream"),
    ],
)
def test_sources_that_cannot_be_split_refuse(tmp_path: Path, source: str, words: str) -> None:
    with pytest.raises(Refusal) as caught:
        split(load(tmp_path, source))

    assert words in caught.value.message
    assert caught.value.where == WHERE


def test_a_stream_consumer_refuses(tmp_path: Path) -> None:
    extra = ("  Consumer:\n    Type: AWS::Kinesis::StreamConsumer\n    Properties:\n"
             "      ConsumerName: c\n      StreamARN: !GetAtt Clicks.Arn\n")
    with pytest.raises(Refusal) as caught:
        split(load(tmp_path, "!Ref Consumer", extra))

    assert "enhanced fan-out consumer" in caught.value.message


def test_a_function_named_through_an_alias_refuses(tmp_path: Path) -> None:
    doc = load(tmp_path, extra="  Live:\n    Type: AWS::Lambda::Alias\n    Properties:\n"
               "      FunctionName: !Ref Monolith\n      FunctionVersion: '1'\n      Name: live\n")
    doc.data["Resources"]["Mapping"]["Properties"]["FunctionName"] = doc.ref("Live")

    with pytest.raises(Refusal) as caught:
        split(doc)

    assert "FunctionName" in caught.value.message


def test_retiring_removes_the_mapping(tmp_path: Path) -> None:
    doc = load(tmp_path)
    invoker = next(i for i in invokers_of(doc.data, "Monolith") if i.logical_id == "Mapping")

    assert EVENT_SOURCE_MAPPINGS.retire(doc, invoker, WHERE).replacement is DELETE
