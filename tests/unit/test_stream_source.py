"""DynamoDB stream events: one filtered mapping per action, the monolith's filter the complement."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from strangler.model import ANY_CASE, DELETE, EACH, JSON, EventPath
from strangler.sources.base import Refusal
from strangler.sources.registry import source_for
from strangler.sources.route import plan_route
from strangler.sources.streams import DYNAMODB
from strangler.template.document import TemplateDocument
from strangler.verify.patterns import matches

WHERE = "template.yaml: Resources.OrderEventsFunction"
EVENT_NAME = EventPath(("Records", EACH, "eventName"))
NEW_KIND = EventPath(("Records", EACH, "dynamodb", "NewImage", "kind", "S"))
STREAM = """\
OrderChanges:
  Type: DynamoDB
  Properties:
    Stream: !GetAtt OrdersTable.StreamArn
    StartingPosition: TRIM_HORIZON
"""


@pytest.fixture
def events(tmp_path: Path):
    def load(events_yaml: str = STREAM) -> Any:
        template = tmp_path / "template.yaml"
        template.write_text(
            "Resources:\n  OrderEventsFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n"
            + textwrap.indent(textwrap.dedent(events_yaml), " " * 8)
        )
        return TemplateDocument.load(template).data["Resources"]["OrderEventsFunction"]["Properties"]["Events"]

    return load


def patterns(event: Any) -> list[dict[str, Any]]:
    """The filter patterns of an event definition ([] when it takes every record)."""
    if event is DELETE:
        return []
    criteria = event["Properties"].get("FilterCriteria")
    return [json.loads(entry["Pattern"]) for entry in criteria["Filters"]] if criteria else [{}]


def admitted(event: Any, record: dict[str, Any]) -> bool:
    return any(matches(pattern, record) for pattern in patterns(event))


def record(name: str, kind: str | None = None) -> dict[str, Any]:
    dynamodb: dict[str, Any] = {"Keys": {"id": {"S": "1"}}}
    if kind is not None:
        dynamodb["NewImage"] = {"id": {"S": "1"}, "kind": {"S": kind}}
    return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}


def split(events: Any, key: str, path: EventPath = EVENT_NAME) -> tuple[Any, Any, str]:
    plan = plan_route(events, key, path, WHERE)
    return plan.new_events["OrderChanges"], plan.monolith_events.get("OrderChanges"), " ".join(plan.notes)


def refusal(events: Any, key: str, path: EventPath = EVENT_NAME) -> Refusal:
    with pytest.raises(Refusal) as caught:
        plan_route(events, key, path, WHERE)
    return caught.value


def test_the_registry_routes_dynamodb_events_to_the_stream_source() -> None:
    assert source_for("DynamoDB") is DYNAMODB


def test_event_name_gets_a_filter_and_the_monolith_its_complement(events) -> None:
    new, monolith, _ = split(events(), "INSERT")

    assert patterns(new) == [{"eventName": ["INSERT"]}]
    assert patterns(monolith) == [{"eventName": [{"anything-but": ["INSERT"]}]}]
    assert new["Properties"]["StartingPosition"] == "TRIM_HORIZON"  # everything else is copied
    for name in ("INSERT", "MODIFY", "REMOVE"):
        assert admitted(new, record(name)) + admitted(monolith, record(name)) == 1, name


def test_the_pattern_is_a_json_string_as_lambda_wants_it(events) -> None:
    new, monolith, _ = split(events(), "MODIFY")

    assert isinstance(new["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"], str)
    assert isinstance(monolith["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"], str)


def test_each_extraction_excludes_one_more_name_and_the_last_deletes_the_event(events) -> None:
    source = events()
    _, after_insert, _ = split(source, "INSERT")
    source["OrderChanges"] = after_insert
    _, after_modify, note = split(source, "MODIFY")
    assert patterns(after_modify) == [{"eventName": [{"anything-but": ["INSERT", "MODIFY"]}]}]
    assert "now has 3 readers per shard" in note
    source["OrderChanges"] = after_modify
    new, last, note = split(source, "REMOVE")

    assert last is None or last is DELETE
    assert patterns(new) == [{"eventName": ["REMOVE"]}]
    assert "now has 3 readers per shard" in note


def test_two_readers_are_no_warning_but_the_whole_stream_is_said(events) -> None:
    _, _, note = split(events(), "INSERT")

    assert "a mapping of its own on OrdersTable.StreamArn takes the INSERT records, the monolith's skips them" in note
    assert "every mapping reads the whole stream; filtered records are skipped, not deleted" in note
    assert "no longer handled in order with each other" in note
    assert "warning" not in note


def test_the_warning_names_the_alternatives(events) -> None:
    source = events(STREAM + "    FilterCriteria:\n      Filters:\n"
                    "        - Pattern: '{\"eventName\": [{\"anything-but\": [\"INSERT\"]}]}'\n")
    _, _, note = split(source, "MODIFY")

    assert "warning: OrdersTable.StreamArn now has 3 readers per shard; DynamoDB streams allow about 2" in note
    assert "group actions in one function" in note
    assert "EventBridge Pipes" in note and "Kinesis data stream" in note


def test_the_starting_position_is_explained(events) -> None:
    _, _, trim = split(events(), "INSERT")
    _, _, latest = split(events(STREAM.replace("TRIM_HORIZON", "LATEST")), "INSERT")

    assert "INSERT records the monolith already handled are handled again" in trim
    assert "starting at LATEST, INSERT records written while the stack updates may reach neither function" in latest


def test_an_image_field_keeps_records_without_it_with_the_monolith(events) -> None:
    new, monolith, _ = split(events(), "refund", NEW_KIND)

    assert patterns(new) == [{"dynamodb": {"NewImage": {"kind": {"S": ["refund"]}}}}]
    assert patterns(monolith) == [{"dynamodb": {"NewImage": {"kind": {"S": [{"anything-but": ["refund"]}, {"exists": False}]}}}}]
    for case in (record("INSERT", "refund"), record("INSERT", "sale"), record("REMOVE")):
        assert admitted(new, case) + admitted(monolith, case) == 1, case
    assert admitted(monolith, record("REMOVE"))


def test_an_existing_list_loses_the_key(events) -> None:
    source = events(STREAM + "    FilterCriteria:\n      Filters:\n"
                    "        - Pattern: '{\"eventName\": [\"INSERT\", \"MODIFY\"], \"dynamodb\": {\"Keys\": {\"id\": {\"S\": [\"1\"]}}}}'\n")
    new, monolith, _ = split(source, "INSERT")

    assert patterns(new) == [{"eventName": ["INSERT"], "dynamodb": {"Keys": {"id": {"S": ["1"]}}}}]
    assert patterns(monolith) == [{"eventName": ["MODIFY"], "dynamodb": {"Keys": {"id": {"S": ["1"]}}}}]


def test_filters_that_do_not_admit_the_key_stay_with_the_monolith(events) -> None:
    source = events(STREAM + "    FilterCriteria:\n      Filters:\n"
                    "        - Pattern: '{\"eventName\": [\"REMOVE\"]}'\n"
                    "        - Pattern: '{\"eventName\": [\"INSERT\"]}'\n")
    new, monolith, _ = split(source, "INSERT")

    assert patterns(new) == [{"eventName": ["INSERT"]}]
    assert patterns(monolith) == [{"eventName": ["REMOVE"]}]


def test_a_name_the_filter_does_not_admit_leaves_the_event_alone(events) -> None:
    source = events(STREAM + "    FilterCriteria:\n      Filters:\n        - Pattern: '{\"eventName\": [\"REMOVE\"]}'\n")

    assert "no event source routes 'INSERT'" in str(refusal(source, "INSERT"))


def test_listed_keys_are_the_names_every_filter_lists(events) -> None:
    listed = events(STREAM + "    FilterCriteria:\n      Filters:\n        - Pattern: '{\"eventName\": [\"INSERT\", \"REMOVE\"]}'\n")

    assert DYNAMODB.listed_keys(listed["OrderChanges"], EVENT_NAME) == frozenset({"INSERT", "REMOVE"})
    assert DYNAMODB.listed_keys(listed["OrderChanges"], NEW_KIND) is None


def test_a_stream_sends_three_event_names_less_those_its_filter_excludes(events) -> None:
    excluding = events(STREAM + "    FilterCriteria:\n      Filters:\n"
                       "        - Pattern: '{\"eventName\": [{\"anything-but\": [\"INSERT\"]}]}'\n")

    assert DYNAMODB.listed_keys(events()["OrderChanges"], EVENT_NAME) == frozenset({"INSERT", "MODIFY", "REMOVE"})
    assert DYNAMODB.listed_keys(excluding["OrderChanges"], EVENT_NAME) == frozenset({"MODIFY", "REMOVE"})
    assert DYNAMODB.listed_keys(events()["OrderChanges"], NEW_KIND) is None


def test_lower_cased_event_names_filter_on_the_name_the_stream_sends(events) -> None:
    new, _, _ = split(events(), "insert", EventPath(("Records", EACH, "eventName", ANY_CASE)))

    assert patterns(new) == [{"eventName": ["INSERT"]}]


@pytest.mark.parametrize(
    ("key", "path", "says"),
    [
        ("Created", EVENT_NAME, "DynamoDB streams name their records INSERT, MODIFY, REMOVE"),
        ("Insert", EventPath(("Records", EACH, "eventName", ANY_CASE)), "no record is named 'Insert'"),
        ("refund", EventPath(("Records", EACH, "dynamodb", "NewImage", "kind")), "a DynamoDB image holds typed values"),
        ("refund", EventPath(("Records", EACH, "body", JSON, "kind")), "a Lambda event filter cannot express"),
        ("refund", EventPath(("detail-type",)), "a DynamoDB stream mapping filters each record"),
        ("refund", EventPath(("Records", EACH, "dynamodb", "NewImage", "kind", "S", ANY_CASE)), "in any case"),
    ],
    ids=["unknown-event-name", "mixed-case-name", "untyped-attribute", "decoded", "not-a-record", "any-case-field"],
)
def test_keys_no_filter_can_express_are_refused(events, key: str, path: EventPath, says: str) -> None:
    error = refusal(events(), key, path)

    assert says in error.message and error.where == f"{WHERE} event OrderChanges"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("    FunctionResponseTypes:\n      - ReportBatchItemFailures\n", "reports batch item failures"),
        ("    TumblingWindowInSeconds: 60\n", "aggregates a tumbling window"),
        ("    FilterCriteria: !Ref Filters\n", "strangler splits a list of Filters with a Pattern each"),
        ("    FilterCriteria:\n      Filters:\n        - Pattern: !Sub '{}'\n", "is not a JSON object written as a string"),
        ("    FilterCriteria:\n      Filters:\n        - Pattern: '{\"eventName\": [{\"prefix\": \"IN\"}]}'\n",
         "cannot be split safely"),
    ],
    ids=["batch-item-failures", "tumbling-window", "intrinsic-criteria", "intrinsic-pattern", "prefix-filter"],
)
def test_mappings_whose_meaning_a_filter_would_change_are_refused(events, extra: str, says: str) -> None:
    error = refusal(events(STREAM + extra), "INSERT")

    assert says in error.message and error.where == f"{WHERE} event OrderChanges"


def test_a_pattern_longer_than_lambda_allows_is_refused(events) -> None:
    excluded = json.dumps([f"kind-{n:04d}" for n in range(400)])
    source = events(STREAM + "    FilterCriteria:\n      Filters:\n"
                    f"        - Pattern: '{{\"dynamodb\": {{\"NewImage\": {{\"kind\": {{\"S\": [{{\"anything-but\": {excluded}}}]}}}}}}}}'\n")

    assert "Lambda allows 4096" in refusal(source, "refund", NEW_KIND).message


def test_the_event_is_never_changed_in_place(events) -> None:
    source = events()
    before = json.dumps(source, default=str)
    split(source, "INSERT")

    assert json.dumps(source, default=str) == before
