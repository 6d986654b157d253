"""Kinesis monoliths as teams write them: what strangler splits on the records' decoded data,
and what it refuses (named, the tree left as it was)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from strangler.verify import routing
from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "kinesis-clickstream"
T = "template.yaml"
CODE = Path("clickstream") / "app.py"
DECODE = '        click = json.loads(raw.decode("utf-8"))\n'
LAST_PROPERTY = "            BisectBatchOnFunctionError: true   # a poison record ends up alone\n"
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/app-ClickstreamStream-1AB"


def clicks(tmp_path: Path) -> Path:
    return app_copy(APP, tmp_path, git_repo=False)


def batch(**data: object) -> dict:
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    return {"Records": [{
        "kinesis": {"partitionKey": "s-1", "sequenceNumber": "1", "data": encoded},
        "eventSource": "aws:kinesis", "eventID": "shardId-000000000000:1", "eventName": "aws:kinesis:record",
        "awsRegion": "us-east-1", "eventSourceARN": STREAM_ARN,
    }]}


# --- refused -----------------------------------------------------------------------------------
def test_batch_item_failures_across_actions_are_refused(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / T, LAST_PROPERTY, LAST_PROPERTY + "            FunctionResponseTypes: [ReportBatchItemFailures]\n")
    refused(app, "extract", "checkout", names=("template.yaml: Resources.ClickstreamFunction event Clicks",
                                                "(Kinesis) reports batch item failures", "keep the handler whole"))


def test_a_tumbling_window_is_refused(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / T, LAST_PROPERTY, LAST_PROPERTY + "            TumblingWindowInSeconds: 300\n")
    refused(app, "migrate", names=("ClickstreamFunction event Clicks", "(Kinesis) aggregates a tumbling window"))


def test_an_enhanced_fan_out_consumer_is_refused(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / T, "  SessionsTable:\n", "  ClicksConsumer:\n    Type: AWS::Kinesis::StreamConsumer\n    Properties:\n"
         "      ConsumerName: sessions\n      StreamARN: !GetAtt ClickstreamStream.Arn\n\n  SessionsTable:\n")
    edit(app / T, "Stream: !GetAtt ClickstreamStream.Arn", "Stream: !GetAtt ClicksConsumer.ConsumerARN")
    refused(app, "extract", "page_view", names=("event Clicks (Kinesis) reads through an enhanced fan-out consumer",
                                                 "ClicksConsumer.ConsumerARN", "AWS::Kinesis::StreamConsumer"))


def test_a_key_from_the_partition_key_is_refused(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / CODE, '        handler = DISPATCH.get(click["event_type"])\n',
         '        handler = DISPATCH.get(record["kinesis"]["partitionKey"])\n')
    refused(app, "extract", "page_view", names=("ClickstreamFunction event Clicks", "Records[*].kinesis.partitionKey",
                                                 "filters records only on their data"))


def test_compressed_data_is_refused(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / CODE, "import base64\n", "import base64\nimport gzip\n")
    edit(app / CODE, DECODE, '        click = json.loads(gzip.decompress(raw))\n')
    refused(app, "extract", "page_view", names=("clickstream/app.py",))


def test_a_filter_with_a_prefix_on_the_key_is_refused(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / T, LAST_PROPERTY, LAST_PROPERTY + "            FilterCriteria:\n              Filters:\n"
         "                - Pattern: '{\"data\": {\"event_type\": [{\"prefix\": \"page\"}]}}'\n")
    refused(app, "extract", "page_view", names=("ClickstreamFunction event Clicks", "cannot be split safely"))


# --- accepted ----------------------------------------------------------------------------------
def test_types_no_action_claims_stay_with_the_monolith(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    result = accepted(app, "extract", "page_view", "checkout")
    cfn = samcheck.assert_valid(app / T)

    assert routing.targets(cfn, batch(event_type="page_view", session_id="s")) == {"PageViewFunction"}
    assert routing.targets(cfn, batch(event_type="checkout", session_id="s")) == {"CheckoutFunction"}
    assert routing.targets(cfn, batch(event_type="add_to_cart", session_id="s")) == {"ClickstreamFunction"}
    assert routing.targets(cfn, batch(event_type="scroll_depth", session_id="s")) == {"ClickstreamFunction"}
    assert routing.targets(cfn, batch(session_id="s")) == {"ClickstreamFunction"}  # no event_type: exists false
    assert "5 GetRecords calls and 2 MB per second per shard" in result.output
    assert "# a poison record ends up alone" in (app / T).read_text().split("PageViewFunction:")[0]


def test_a_monolith_that_already_filters_is_split_filter_by_filter(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / T, LAST_PROPERTY, LAST_PROPERTY + "            FilterCriteria:\n              Filters:\n"
         "                - Pattern: '{\"data\": {\"event_type\": [\"page_view\", \"checkout\"]}}'\n"
         "                - Pattern: '{\"data\": {\"event_type\": [\"add_to_cart\"], \"quantity\": [{\"numeric\": [\">\", 0]}]}}'\n")
    accepted(app, "extract", "checkout")
    cfn = samcheck.assert_valid(app / T)

    assert routing.targets(cfn, batch(event_type="checkout")) == {"CheckoutFunction"}
    assert routing.targets(cfn, batch(event_type="page_view")) == {"ClickstreamFunction"}
    assert routing.targets(cfn, batch(event_type="add_to_cart", quantity=2)) == {"ClickstreamFunction"}
    assert routing.targets(cfn, batch(event_type="add_to_cart", quantity=0)) == set()  # filtered before, still


def test_the_decoding_written_another_way_is_followed(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / CODE, "import base64\n", "from base64 import b64decode\n")
    edit(app / CODE, '        raw = base64.b64decode(record["kinesis"]["data"])\n', "")
    edit(app / CODE, DECODE, '        click = json.loads(b64decode(record["kinesis"]["data"]).decode())\n')
    accepted(app, "migrate")
    cfn = samcheck.assert_valid(app / T)

    for kind, function in (("page_view", "PageViewFunction"), ("add_to_cart", "AddToCartFunction"),
                           ("checkout", "CheckoutFunction")):
        assert routing.targets(cfn, batch(event_type=kind)) == {function}


def test_powertools_kinesis_records_are_followed(tmp_path: Path) -> None:
    app = clicks(tmp_path)
    edit(app / CODE, "import boto3\n",
         "import boto3\nfrom aws_lambda_powertools.utilities.data_classes import KinesisStreamEvent\n")
    edit(app / CODE, '    for record in event["Records"]:\n', "    for record in KinesisStreamEvent(event).records:\n")
    edit(app / CODE, '        raw = base64.b64decode(record["kinesis"]["data"])\n', "")
    edit(app / CODE, DECODE, "        click = record.kinesis.data_as_json()\n")
    edit(app / CODE, 'record["kinesis"]["partitionKey"]', "record.kinesis.partition_key")
    accepted(app, "extract", "add_to_cart")
    cfn = samcheck.assert_valid(app / T)

    assert routing.targets(cfn, batch(event_type="add_to_cart")) == {"AddToCartFunction"}
    assert routing.targets(cfn, batch(event_type="checkout")) == {"ClickstreamFunction"}
    assert "record.kinesis.data_as_json()" in (app / "functions" / "add_to_cart" / "app.py").read_text()
