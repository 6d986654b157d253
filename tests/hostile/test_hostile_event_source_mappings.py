"""``AWS::Lambda::EventSourceMapping`` resources outside ``Events``: a DynamoDB or Kinesis
mapping is split like the SAM stream event it stands for (complementary FilterCriteria);
what cannot be split is refused, named, and the tree left as it was."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from strangler.verify import routing
from tests.support import samcheck
from tests.support.apps import scenario
from tests.support.hostile import accepted, app_copy, edit, refused

T = "template.yaml"
KINESIS_EVENTS = """      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt ClickstreamStream.Arn
            StartingPosition: LATEST
            BatchSize: 200
            MaximumBatchingWindowInSeconds: 2
            ParallelizationFactor: 2
            MaximumRetryAttempts: 5
            BisectBatchOnFunctionError: true   # a poison record ends up alone
"""
KINESIS_MAPPING = """
  # the platform team's mapping, kept outside the function
  ClicksMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt ClickstreamStream.Arn
      FunctionName: !Ref ClickstreamFunction
      StartingPosition: LATEST
      BatchSize: 200
      ParallelizationFactor: 2
      BisectBatchOnFunctionError: true   # a poison record ends up alone
"""
DYNAMODB_EVENTS_START = "      Events:\n        OrderChanges:\n          Type: DynamoDB\n"


def kinesis_mapping_app(tmp_path: Path) -> Path:
    app = app_copy("kinesis-clickstream", tmp_path, git_repo=False)
    edit(app / T, KINESIS_EVENTS, "")
    # without a SAM Kinesis event, the function's role needs the stream's read access itself
    edit(app / T, "        - KMSDecryptPolicy:\n", "        - KinesisStreamReadPolicy:\n"
         "            StreamName: !Ref ClickstreamStream\n        - KMSDecryptPolicy:\n")
    edit(app / T, "\nOutputs:\n", KINESIS_MAPPING + "\nOutputs:\n")
    return app


def dynamodb_mapping_app(tmp_path: Path) -> Path:
    app = app_copy("dynamodb-stream-orders", tmp_path, git_repo=False)
    text = (app / T).read_text()
    start = text.index(DYNAMODB_EVENTS_START)
    end = text.index("\nOutputs:\n")
    event = text[start + len(DYNAMODB_EVENTS_START):end]
    mapping = ("\n  OrderChangesMapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
               "      EventSourceArn: !GetAtt OrdersTable.StreamArn\n      FunctionName: !GetAtt OrderEventsFunction.Arn\n"
               + "\n".join(line[6:] for line in event.splitlines() if line.strip() and "Properties:" not in line
                           and "Stream:" not in line) + "\n")
    (app / T).write_text(text[:start] + "        - DynamoDBStreamReadPolicy:\n            TableName: !Ref OrdersTable\n"
                         "            StreamName: '*'\n" + text[end:].replace("\nOutputs:\n", mapping + "\nOutputs:\n", 1))
    return app


def clicks(event_type: str | None) -> dict:
    data = {"session_id": "s-1", **({"event_type": event_type} if event_type else {})}
    return {"Records": [{
        "kinesis": {"partitionKey": "s-1", "sequenceNumber": "1",
                    "data": base64.b64encode(json.dumps(data).encode()).decode()},
        "eventSource": "aws:kinesis", "eventID": "shardId-000000000000:1", "eventName": "aws:kinesis:record",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/app-ClickstreamStream-1AB",
    }]}


# --- split -------------------------------------------------------------------------------------
def test_a_kinesis_mapping_is_split_by_its_filter(tmp_path: Path) -> None:
    app = kinesis_mapping_app(tmp_path)
    samcheck.assert_valid(app / T)
    result = accepted(app, "extract", "add_to_cart")
    cfn = samcheck.assert_valid(app / T)
    template = samcheck.load_template(app / T)

    new = template["Resources"]["AddToCartFunctionClicksMapping"]
    assert new["Metadata"]["Strangler"] == {"SplitFrom": "ClicksMapping", "Action": "add_to_cart"}
    assert new["Properties"]["FunctionName"] == {"Ref": "AddToCartFunction"}
    assert new["Properties"]["ParallelizationFactor"] == 2
    assert json.loads(new["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"]) == {"data": {"event_type": ["add_to_cart"]}}
    assert routing.targets(cfn, clicks("add_to_cart")) == {"AddToCartFunction"}
    for other in ("page_view", "checkout", "scroll_depth", None):
        assert routing.targets(cfn, clicks(other)) == {"ClickstreamFunction"}, other
    assert "ClicksMapping" in result.output and "every mapping reads the whole stream" in result.output
    text = (app / T).read_text()
    assert "BisectBatchOnFunctionError: true   # a poison record ends up alone\n      FilterCriteria:" in text
    assert text.count("# a poison record ends up alone") == 2  # on the monolith's mapping and its copy, once each


def test_migrating_a_kinesis_mapping_leaves_one_mapping_per_action(tmp_path: Path) -> None:
    app = kinesis_mapping_app(tmp_path)
    accepted(app, "migrate")
    cfn = samcheck.assert_valid(app / T)
    template = samcheck.load_template(app / T)

    assert "ClickstreamFunction" not in template["Resources"] and "ClicksMapping" not in template["Resources"]
    for kind, function in (("page_view", "PageViewFunction"), ("add_to_cart", "AddToCartFunction"),
                           ("checkout", "CheckoutFunction")):
        assert routing.targets(cfn, clicks(kind)) == {function}


def test_a_dynamodb_mapping_is_split_and_its_last_name_removes_it(tmp_path: Path) -> None:
    app = dynamodb_mapping_app(tmp_path)
    samcheck.assert_valid(app / T)
    accepted(app, "extract", "INSERT", "MODIFY")
    cfn = samcheck.assert_valid(app / T)
    story = scenario("dynamodb-stream-orders")
    for name, batch in story.EVENTS:
        owner = {"INSERT": "InsertFunction", "MODIFY": "ModifyFunction"}.get(name, "OrderEventsFunction")
        assert routing.targets(cfn, batch) == {owner}, name

    accepted(app, "extract", "REMOVE")
    template = samcheck.load_template(app / T)
    assert "OrderChangesMapping" not in template["Resources"]  # it admitted nothing else
    cfn = samcheck.assert_valid(app / T)
    for name, batch in story.EVENTS:
        assert routing.targets(cfn, batch) == {f"{name.title()}Function"}, name


# --- refused -----------------------------------------------------------------------------------
def test_a_mapping_whose_source_the_template_does_not_tell_is_refused(tmp_path: Path) -> None:
    app = kinesis_mapping_app(tmp_path)
    edit(app / T, "Parameters:\n", "Parameters:\n  ClicksArn:\n    Type: String\n")
    edit(app / T, "      EventSourceArn: !GetAtt ClickstreamStream.Arn\n", "      EventSourceArn: !Ref ClicksArn\n")
    refused(app, "extract", "page_view", names=("Resources.ClicksMapping", "AWS::Lambda::EventSourceMapping",
                                                 "EventSourceArn (!Ref ClicksArn)", "hint: "))


def test_a_mapping_naming_the_function_by_a_literal_name_is_refused(tmp_path: Path) -> None:
    app = kinesis_mapping_app(tmp_path)
    edit(app / T, "      Handler: app.lambda_handler\n", "      Handler: app.lambda_handler\n      FunctionName: clicks\n")
    edit(app / T, "      FunctionName: !Ref ClickstreamFunction\n", "      FunctionName: clicks\n")
    refused(app, "extract", "page_view", names=("Resources.ClicksMapping", "FunctionName"))


def test_batch_item_failures_on_a_mapping_are_refused(tmp_path: Path) -> None:
    app = kinesis_mapping_app(tmp_path)
    edit(app / T, "      ParallelizationFactor: 2\n", "      ParallelizationFactor: 2\n"
         "      FunctionResponseTypes: [ReportBatchItemFailures]\n")
    refused(app, "migrate", names=("Resources.ClicksMapping", "reports batch item failures"))


def test_an_sqs_mapping_is_refused_with_the_routes_that_lose_nothing(tmp_path: Path) -> None:
    app = kinesis_mapping_app(tmp_path)
    edit(app / T, "  SessionsTable:\n", "  ClicksQueue:\n    Type: AWS::SQS::Queue\n\n  SessionsTable:\n")
    edit(app / T, "      EventSourceArn: !GetAtt ClickstreamStream.Arn\n", "      EventSourceArn: !GetAtt ClicksQueue.Arn\n")
    refused(app, "extract", "page_view", names=("Resources.ClicksMapping", "reads an SQS queue",
                                                 "Lambda deletes an SQS message", "(1) one queue per action"))
