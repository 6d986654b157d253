"""The parts of ``strangler verify`` that need no AWS: events, samples, keys, template values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.model import EACH, JSON, THEN, EventPath
from strangler.verify.events import gather, sample, satisfying
from strangler.verify.intrinsics import Names, resolve
from strangler.verify.replay import read_key


def test_an_event_file_holds_one_event_or_a_list(tmp_path: Path) -> None:
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "one.json").write_text('{"detail-type": "A"}')
    (tmp_path / "events" / "many.json").write_text('[{"n": 1}, {"n": 2}]')
    found = gather(tmp_path, [])
    assert [e.name for e in found] == ["events/many.json#1", "events/many.json#2", "events/one.json"]


def test_a_missing_event_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(StranglerError, match="no such file or folder"):
        gather(tmp_path, [tmp_path / "nope.json"])


def test_a_sample_carries_the_key_where_the_dispatch_reads_it() -> None:
    path = EventPath(("Records", EACH, "Sns", "Message", JSON, "kind"))
    event = sample("invoice_ready", path, ["SNS"], {}).body
    assert json.loads(event["Records"][0]["Sns"]["Message"]) == {"kind": "invoice_ready"}
    assert event["Records"][0]["EventSource"] == "aws:sns"


def test_an_eventbridge_sample_satisfies_the_rule() -> None:
    pattern = {"source": ["shop.orders"], "detail": {"channel": [{"anything-but": ["test"]}], "v": [{"prefix": "2"}]}}
    event = sample("OrderPlaced", EventPath(("detail-type",)), ["EventBridgeRule"], {"pattern": pattern}).body
    assert event["source"] == "shop.orders" and event["detail-type"] == "OrderPlaced"
    assert event["detail"] == {"channel": "strangler-sample", "v": "2sample"}


def test_an_http_api_sample_fills_path_parameters() -> None:
    event = sample("GET /orders/{id}", EventPath(("routeKey",)), ["HttpApi"], {}).body
    assert event["rawPath"] == "/orders/sample" and event["pathParameters"] == {"id": "sample"}


def test_no_sample_for_paths_it_cannot_build() -> None:
    assert sample("A/B", EventPath(("source", THEN, "detail-type")), ["EventBridgeRule"], {}) is None


def test_satisfying_skips_fields_that_must_be_absent() -> None:
    assert satisfying({"detail": {"retry": [{"exists": False}], "kind": ["a", "b"]}}) == {"detail": {"kind": "a"}}


def test_the_key_is_read_as_the_dispatch_reads_it() -> None:
    event = {"Records": [{"Sns": {"Message": json.dumps({"kind": "k1"})}}]}
    assert read_key(event, EventPath(("Records", EACH, "Sns", "Message", JSON, "kind"))) == "k1"
    assert read_key({"source": "s", "detail-type": "d"}, EventPath(("source", THEN, "detail-type"))) == "s/d"
    assert read_key({"action": 3}, EventPath(("action",))) is None


def test_template_values_resolve_against_what_verify_created() -> None:
    names = Names(refs={"Table": "orders"}, attributes={("Topic", "TopicName"): "t"}, parameters={"Stage": "dev"})
    value = {"A": {"Ref": "Table"}, "B": {"Fn::Sub": "${Stage}-${Topic.TopicName}-${AWS::Region}"},
             "C": {"Fn::Join": ["/", ["x", {"Ref": "Stage"}]]}, "D": {"Ref": "Missing"}}
    assert resolve(value, names) == {"A": "orders", "B": "dev-t-us-east-1", "C": "x/dev", "D": "<unresolved Missing>"}
    assert names.unresolved == {"Missing"}
