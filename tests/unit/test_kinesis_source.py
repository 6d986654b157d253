"""Kinesis stream events: the key read from each record's base64 JSON data; one mapping per
action filtered on ``data``, the monolith's the complement."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from strangler.analyse.dispatch.eventpath import Locals, Unresolvable, resolve
from strangler.model import BASE64, DELETE, EACH, JSON, EventPath
from strangler.sources.base import Refusal
from strangler.sources.registry import source_for
from strangler.sources.route import plan_route
from strangler.sources.streams import KINESIS
from strangler.template.document import TemplateDocument
from strangler.verify.patterns import matches

WHERE = "template.yaml: Resources.ClicksFunction"
KIND = EventPath(("Records", EACH, "kinesis", "data", BASE64, JSON, "kind"))
NESTED = EventPath(("Records", EACH, "kinesis", "data", BASE64, JSON, "meta", "type"))
STREAM = """\
Clicks:
  Type: Kinesis
  Properties:
    Stream: !GetAtt ClicksStream.Arn
    StartingPosition: LATEST
"""


# --- where the key is read ---------------------------------------------------------------------
def path_of(source: str, variable: str = "kind") -> EventPath:
    module = cst.parse_module(textwrap.dedent(source))
    function = next(s for s in module.body if isinstance(s, cst.FunctionDef))
    values: list[cst.BaseExpression] = []

    class Assignments(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == variable for t in node.targets):
                values.append(node.value)

    function.visit(Assignments())
    return resolve(values[-1], Locals.of(function))


@pytest.mark.parametrize(
    "decoding",
    [
        'json.loads(base64.b64decode(record["kinesis"]["data"]))',
        'json.loads(base64.b64decode(record["kinesis"]["data"]).decode())',
        'json.loads(base64.b64decode(record["kinesis"]["data"]).decode("utf-8"))',
        'json.loads(b64decode(record["kinesis"]["data"]).decode("UTF8"))',
    ],
)
def test_the_key_of_a_records_decoded_data(decoding: str) -> None:
    path = path_of(f"""\
        def lambda_handler(event, context):
            for record in event["Records"]:
                kind = {decoding}["kind"]
        """)

    assert path == KIND
    assert str(path) == "Records[*].kinesis.data(base64)(json).kind"


def test_the_data_through_helper_variables() -> None:
    assert path_of("""\
        def lambda_handler(event, context):
            for record in event["Records"]:
                raw = base64.b64decode(record["kinesis"]["data"])
                text = raw.decode("utf-8")
                click = json.loads(text)
                kind = click["meta"]["type"]
        """) == NESTED


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ('json.loads(record["kinesis"]["data"].decode())["kind"]', "decoded from something other than base64"),
        ('json.loads(base64.b64decode(record["kinesis"]["data"]).decode("latin-1"))["kind"]',
         "call strangler cannot"),
        ('json.loads(gzip.decompress(base64.b64decode(record["kinesis"]["data"])))["kind"]', "call strangler cannot"),
    ],
)
def test_other_decodings_are_not_followed(code: str, reason: str) -> None:
    with pytest.raises(Unresolvable) as caught:
        path_of(f"""\
            def lambda_handler(event, context):
                for record in event["Records"]:
                    kind = {code}
            """)
    assert reason in caught.value.reason


# --- the split ---------------------------------------------------------------------------------
@pytest.fixture
def events(tmp_path: Path):
    def load(events_yaml: str = STREAM) -> Any:
        template = tmp_path / "template.yaml"
        template.write_text(
            "Resources:\n  ClicksFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n"
            + textwrap.indent(textwrap.dedent(events_yaml), " " * 8)
        )
        return TemplateDocument.load(template).data["Resources"]["ClicksFunction"]["Properties"]["Events"]

    return load


def patterns(event: Any) -> list[dict[str, Any]]:
    if event is DELETE or event is None:
        return []
    criteria = event["Properties"].get("FilterCriteria")
    return [json.loads(entry["Pattern"]) for entry in criteria["Filters"]] if criteria else [{}]


def record(data: Any) -> dict[str, Any]:
    """A Kinesis record with ``data`` (JSON) as Lambda matches it: filters see ``data`` decoded."""
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    return {"data": json.loads(base64.b64decode(encoded))}


def admitted(event: Any, data: Any) -> bool:
    return any(matches(pattern, record(data)) for pattern in patterns(event))


def split(events: Any, key: str, path: EventPath = KIND) -> tuple[Any, Any, str]:
    plan = plan_route(events, key, path, WHERE)
    return plan.new_events["Clicks"], plan.monolith_events.get("Clicks"), " ".join(plan.notes)


def refusal(events: Any, key: str, path: EventPath = KIND) -> Refusal:
    with pytest.raises(Refusal) as caught:
        plan_route(events, key, path, WHERE)
    return caught.value


def test_the_registry_routes_kinesis_events_to_the_stream_source() -> None:
    assert source_for("Kinesis") is KINESIS


def test_the_new_mapping_filters_on_data_and_the_monolith_gets_the_complement(events) -> None:
    new, monolith, _ = split(events(), "page_view")

    assert patterns(new) == [{"data": {"kind": ["page_view"]}}]
    assert patterns(monolith) == [{"data": {"kind": [{"anything-but": ["page_view"]}, {"exists": False}]}}]
    assert isinstance(new["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"], str)
    assert new["Properties"]["Stream"].value == monolith["Properties"]["Stream"].value == "ClicksStream.Arn"
    for data in ({"kind": "page_view"}, {"kind": "checkout"}, {"other": 1}, {"kind": "page_view", "x": [1]}):
        assert admitted(new, data) + admitted(monolith, data) == 1, data


def test_a_nested_field_of_the_data(events) -> None:
    new, monolith, _ = split(events(), "refund", NESTED)

    assert patterns(new) == [{"data": {"meta": {"type": ["refund"]}}}]
    for data in ({"meta": {"type": "refund"}}, {"meta": {"type": "sale"}}, {"meta": {}}, {}):
        assert admitted(new, data) + admitted(monolith, data) == 1, data


def test_each_extraction_excludes_one_more_type_and_records_of_no_action_stay(events) -> None:
    source = events()
    for kind in ("page_view", "add_to_cart", "checkout"):
        _, monolith, _ = split(source, kind)
        source["Clicks"] = monolith

    assert patterns(monolith) == [
        {"data": {"kind": [{"anything-but": ["page_view", "add_to_cart", "checkout"]}, {"exists": False}]}}]
    assert admitted(monolith, {"kind": "scroll_depth"}) and not admitted(monolith, {"kind": "checkout"})


def test_a_listed_filter_loses_its_last_value_and_the_event_goes(events) -> None:
    source = events(STREAM + "    FilterCriteria:\n      Filters:\n        - Pattern: '{\"data\": {\"kind\": [\"a\", \"b\"]}}'\n")
    assert KINESIS.listed_keys(source["Clicks"], KIND) == frozenset({"a", "b"})
    _, rest, _ = split(source, "a")
    assert patterns(rest) == [{"data": {"kind": ["b"]}}]
    source["Clicks"] = rest

    new, last, _ = split(source, "b")

    assert patterns(new) == [{"data": {"kind": ["b"]}}]
    assert last is DELETE


def test_without_listing_filters_the_keys_are_not_listed(events) -> None:
    assert KINESIS.listed_keys(events()["Clicks"], KIND) is None


def test_the_notes_say_what_the_stream_pays(events) -> None:
    _, _, note = split(events(), "page_view")

    assert "a mapping of its own on ClicksStream.Arn takes the page_view records, the monolith's skips them" in note
    assert "every mapping reads the whole stream" in note and "no longer handled in order" in note
    assert "standard consumers share 5 GetRecords calls and 2 MB per second per shard" in note
    assert "warning" not in note
    assert "2 readers" not in note  # the DynamoDB streams limit is not Kinesis's


def test_five_mappings_on_a_stream_are_warned_of(events) -> None:
    excluded = json.dumps({"data": {"kind": [{"anything-but": ["a", "b", "c"]}, {"exists": False}]}})
    _, _, note = split(events(STREAM + f"    FilterCriteria:\n      Filters:\n        - Pattern: '{excluded}'\n"), "d")

    assert "warning: ClicksStream.Arn now has 5 mappings polling each shard; Kinesis allows 5 GetRecords" in note
    assert "enhanced fan-out consumer" in note


def test_the_starting_position_is_explained(events) -> None:
    _, _, trim = split(events(STREAM.replace("LATEST", "TRIM_HORIZON")), "x")
    _, _, stamp = split(events(STREAM.replace("LATEST", "AT_TIMESTAMP")), "x")

    assert "its retention period, 24 hours by default" in trim and "handled again" in trim
    assert "StartingPositionTimestamp" in stamp


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("    FunctionResponseTypes:\n      - ReportBatchItemFailures\n", "event Clicks (Kinesis) reports batch item failures"),
        ("    TumblingWindowInSeconds: 60\n", "event Clicks (Kinesis) aggregates a tumbling window"),
        ("    FilterCriteria: !Ref Filters\n", "FilterCriteria is"),
        ("    FilterCriteria:\n      Filters:\n        - Pattern: '{\"data\": {\"kind\": [{\"prefix\": \"p\"}]}}'\n",
         "cannot be split safely"),
    ],
)
def test_mappings_a_filter_would_change_are_refused(events, extra: str, words: str) -> None:
    message = refusal(events(STREAM + extra), "x")

    assert words in message.message
    assert message.where == WHERE + " event Clicks"


def test_an_enhanced_fan_out_consumer_is_refused(events) -> None:
    source = events(STREAM.replace("!GetAtt ClicksStream.Arn", "!GetAtt ClicksConsumer.ConsumerARN"))

    message = refusal(source, "x")

    assert "enhanced fan-out consumer (ClicksConsumer.ConsumerARN)" in message.message
    assert "AWS::Kinesis::StreamConsumer" in (message.hint or "")


@pytest.mark.parametrize(
    "path",
    [
        EventPath(("Records", EACH, "eventName")),
        EventPath(("Records", EACH, "kinesis", "partitionKey")),
        EventPath(("Records", EACH, "kinesis", "data", BASE64, JSON)),
        EventPath(("Records", EACH, "kinesis", "data", JSON, "kind")),
        EventPath(("Records", EACH, "kinesis", "data", BASE64, JSON, "tags", EACH)),
        EventPath(("Records", EACH, "kinesis", "data", BASE64, JSON, "payload", JSON, "kind")),
    ],
    ids=str,
)
def test_keys_a_kinesis_filter_cannot_see_are_refused(events, path: EventPath) -> None:
    message = refusal(events(), "x", path)

    assert "Kinesis mapping filters records only on their data" in message.message or "cannot express" in message.message
    assert message.where == WHERE + " event Clicks"


def test_the_input_is_not_mutated(events) -> None:
    source = events()
    before = json.dumps(source["Clicks"], default=str, sort_keys=True)
    split(source, "page_view")

    assert json.dumps(source["Clicks"], default=str, sort_keys=True) == before


def test_powertools_kinesis_data_classes() -> None:
    assert path_of("""\
        def lambda_handler(event, context):
            for record in KinesisStreamEvent(event).records:
                kind = record.kinesis.data_as_json()["kind"]
        """) == KIND
    assert path_of("""\
        @event_source(data_class=KinesisStreamEvent)
        def lambda_handler(event, context):
            for record in event.records:
                payload = record.kinesis
                kind = json.loads(payload.data_as_text())["kind"]
        """) == KIND


def test_a_data_method_of_an_untyped_value_is_not_followed() -> None:
    with pytest.raises(Unresolvable):
        path_of("""\
            def lambda_handler(event, context):
                for record in event["Records"]:
                    kind = record.data_as_json()["kind"]
            """)
