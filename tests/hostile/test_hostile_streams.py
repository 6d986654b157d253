"""Stream and queue monoliths as teams write them: what strangler splits, and what it refuses.

A DynamoDB stream is split with one filtered mapping per action (records are skipped, not
deleted). A key no filter can express, a mapping whose batches mean something across
actions, SQS (a filter deletes what it rejects) and a Kinesis key outside the record's
decoded data (filters see only that) are refused, named, and the tree is left as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from moto import mock_aws

from strangler.verify import lambdaload, routing
from tests.support import samcheck
from tests.support.apps import scenario
from tests.support.hostile import accepted, app_copy, edit, refused, repository

APP = "dynamodb-stream-orders"
T = "template.yaml"
STREAM_EVENT = """            Stream: !GetAtt OrdersTable.StreamArn
            StartingPosition: TRIM_HORIZON
"""
KEY_LINE = '        name = record["eventName"]\n'


def stream_app(tmp_path: Path) -> Path:
    return app_copy(APP, tmp_path, git_repo=False)


def record(name: str, **new_image: str) -> dict:
    image = {"order_id": {"S": "o-1"}, **{k: {"S": v} for k, v in new_image.items()}}
    dynamodb = {"Keys": {"order_id": {"S": "o-1"}}, "ApproximateCreationDateTime": 1714557600}
    if name != "REMOVE":
        dynamodb["NewImage"] = image
    if name != "INSERT":
        dynamodb["OldImage"] = image
    return {"Records": [{
        "eventID": "1", "eventName": name, "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/app-OrdersTable-1AB/stream/2024",
        "dynamodb": dynamodb,
    }]}


# --- SQS: a filter deletes what it rejects --------------------------------------------------
def test_an_sqs_monolith_is_refused_with_the_routes_that_lose_nothing(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "          Type: DynamoDB\n", "          Type: SQS\n")
    edit(app / T, STREAM_EVENT, "            Queue: !GetAtt StreamFailuresQueue.Arn\n")
    edit(app / "order_events" / "app.py", "import os\n", "import json\nimport os\n")
    edit(app / "order_events" / "app.py", KEY_LINE, '        name = json.loads(record["body"])["type"]\n')
    repository(app)

    for command in (("extract", "INSERT"), ("migrate",)):
        refused(app, *command, names=(
            "template.yaml: Resources.OrderEventsFunction", "event OrderChanges (SQS) cannot be split safely",
            "Lambda deletes an SQS message that a mapping's filter rejects",
            "(1) one queue per action", "(2) an SNS topic with one subscription per action",
            "(3) an EventBridge Pipe from the queue to an event bus with one rule per action",
        ))


def test_a_kinesis_monolith_keyed_outside_the_data_is_refused_saying_filters_see_only_the_data(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "          Type: DynamoDB\n", "          Type: Kinesis\n")
    edit(app / T, "  StreamFailuresQueue:\n", "  ClicksStream:\n    Type: AWS::Kinesis::Stream\n"
                                               "    Properties:\n      ShardCount: 1\n\n  StreamFailuresQueue:\n")
    edit(app / T, "Stream: !GetAtt OrdersTable.StreamArn", "Stream: !GetAtt ClicksStream.Arn")
    refused(app, "extract", "INSERT", names=("OrderEventsFunction", "event OrderChanges", "Records[*].eventName",
                                             "filters records only on their data", "base64.b64decode"))


# --- DynamoDB: what a filter cannot express, or would change ------------------------------
def test_batch_item_failures_across_actions_are_refused(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "            BisectBatchOnFunctionError: true\n",
         "            BisectBatchOnFunctionError: true\n            FunctionResponseTypes:\n              - ReportBatchItemFailures\n")
    refused(app, "migrate", names=("template.yaml: Resources.OrderEventsFunction event OrderChanges",
                                   "reports batch item failures", "keep the handler whole"))


def test_a_key_computed_from_several_fields_is_refused(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / "order_events" / "app.py", KEY_LINE, "        name = f\"{record['eventName']}:{record['awsRegion']}\"\n")
    refused(app, "extract", "INSERT", names=("order_events/app.py:35", "cannot tell statically"))


def test_an_attribute_without_its_type_is_refused(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / "order_events" / "app.py", KEY_LINE, '        name = record["dynamodb"]["NewImage"]["status"]\n')
    refused(app, "extract", "INSERT", names=("OrderEventsFunction event OrderChanges", "a DynamoDB image holds typed values"))


# --- DynamoDB: what is split ------------------------------------------------------------------
def test_a_dispatch_on_a_field_of_the_new_image_keeps_removals_with_the_monolith(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / "order_events" / "app.py", KEY_LINE, '        name = record["dynamodb"]["NewImage"]["status"]["S"]\n')
    edit(app / "order_events" / "app.py", '    "INSERT": on_insert,\n    "MODIFY": audit_status_change,\n    "REMOVE": archive_order,\n',
         '    "PLACED": on_insert,\n    "SHIPPED": audit_status_change,\n    "CANCELLED": archive_order,\n')
    accepted(app, "extract", "SHIPPED")
    cfn = samcheck.assert_valid(app / T)

    assert routing.targets(cfn, record("MODIFY", status="SHIPPED")) == {"ShippedFunction"}
    assert routing.targets(cfn, record("INSERT", status="PLACED")) == {"OrderEventsFunction"}
    assert routing.targets(cfn, record("REMOVE")) == {"OrderEventsFunction"}  # no NewImage: exists false
    assert routing.targets(cfn, record("MODIFY")) == {"OrderEventsFunction"}  # no status


def test_an_else_after_two_event_names_is_the_third(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    module = app / "order_events" / "app.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text[: text.index("def lambda_handler")] + '''def lambda_handler(event, context):
    results = []
    for record in event["Records"]:
        name = record["eventName"]
        if name == "INSERT":
            result = on_insert(record, history)
        elif name == "MODIFY":
            result = audit_status_change(record, history)
        else:  # REMOVE: a stream sends nothing else
            result = archive_order(record, history)
        results.append({"event": name, "result": result})
    return results
''', encoding="utf-8")
    accepted(app, "migrate")
    cfn = samcheck.assert_valid(app / T)

    for name in ("INSERT", "MODIFY", "REMOVE"):
        assert routing.targets(cfn, record(name)) == {f"{name.title()}Function"}
    assert "archive_order(record, history)" in (app / "functions" / "remove" / "app.py").read_text(encoding="utf-8")


def test_a_table_default_after_two_event_names_is_the_third(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    module = app / "order_events" / "app.py"
    edit(module, '    "REMOVE": archive_order,\n', "")
    edit(module, "        handler = HANDLERS.get(name)\n", "        handler = HANDLERS.get(name, archive_order)\n")
    assert "REMOVE  default: archive_order" in accepted(app, "scan").output
    accepted(app, "extract", "REMOVE")
    cfn = samcheck.assert_valid(app / T)

    assert routing.targets(cfn, record("REMOVE")) == {"RemoveFunction"}
    assert routing.targets(cfn, record("MODIFY")) == {"OrderEventsFunction"}


def test_a_monolith_that_already_filters_keeps_its_other_names(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "            BisectBatchOnFunctionError: true\n", "            BisectBatchOnFunctionError: true\n"
         "            FilterCriteria:\n              Filters:\n                - Pattern: '{\"eventName\": [\"INSERT\", \"MODIFY\"]}'\n")
    accepted(app, "extract", "INSERT")
    cfn = samcheck.assert_valid(app / T)

    assert routing.targets(cfn, record("INSERT")) == {"InsertFunction"}
    assert routing.targets(cfn, record("MODIFY")) == {"OrderEventsFunction"}
    assert routing.targets(cfn, record("REMOVE")) == set()  # nobody took them before either
    accepted(app, "extract", "MODIFY")
    cfn = samcheck.assert_valid(app / T)
    assert routing.targets(cfn, record("MODIFY")) == {"ModifyFunction"}
    events = samcheck.load_template(app / T)["Resources"]["OrderEventsFunction"]["Properties"].get("Events")
    assert not events, "the monolith's filter admitted INSERT and MODIFY only: its mapping goes"


def test_other_consumers_of_the_stream_are_counted_before_writing(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "  OrderEventsFunction:\n", """  SearchIndexFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: order_events/
      Handler: codec.plain
      AutoPublishAlias: live
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt OrdersTable.StreamArn
            StartingPosition: LATEST

  OrderEventsFunction:
""")
    repository(app)
    result = accepted(app, "extract", "INSERT")

    assert ("warning: OrdersTable.StreamArn is read by 3 event source mappings (InsertFunction, OrderEventsFunction, "
            "SearchIndexFunction), SearchIndexFunction among them; DynamoDB streams allow about 2") in result.output
    assert "EventBridge Pipes" in result.output


def test_no_count_line_when_the_split_functions_are_the_only_readers(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    result = accepted(app, "migrate")

    assert "now has 3 readers per shard" in result.output  # the stream source's own count
    assert "event source mappings (" not in result.output


# --- functions without CodeUri: SAM CLI builds the template's folder -------------------------
def beside_the_template(tmp_path: Path) -> Path:
    """The fixture with its code next to template.yaml and no CodeUri."""
    app = stream_app(tmp_path)
    for path in sorted((app / "order_events").iterdir()):
        path.rename(app / path.name)
    (app / "order_events").rmdir()
    edit(app / T, "      CodeUri: order_events/\n", "")
    (app / "README.md").write_text("# orders-stream\n", encoding="utf-8")
    repository(app)
    return app


def test_a_function_without_codeuri_is_split_end_to_end(tmp_path: Path) -> None:
    app = beside_the_template(tmp_path)
    accepted(app, "extract", "INSERT")
    cfn = samcheck.assert_valid(app / T)
    code = samcheck.function_code(app / T)

    assert "CodeUri" not in samcheck.load_template(app / T)["Resources"]["OrderEventsFunction"]["Properties"]
    assert code["InsertFunction"].code_dir == app / "functions" / "insert"
    assert routing.targets(cfn, record("INSERT", customer_id="c-1")) == {"InsertFunction"}
    assert routing.targets(cfn, record("REMOVE")) == {"OrderEventsFunction"}
    assert '"INSERT": on_insert' not in (app / "app.py").read_text(encoding="utf-8")
    again = accepted(app, "extract", "INSERT")
    assert "already" in again.output


def test_a_function_without_codeuri_is_migrated_and_files_beside_the_template_stay(tmp_path: Path) -> None:
    app = beside_the_template(tmp_path)
    accepted(app, "migrate")
    samcheck.assert_valid(app / T)

    assert not (app / "app.py").exists()  # the handler module goes
    assert (app / "README.md").is_file() and (app / "template.yaml").is_file()
    for action in ("insert", "modify", "remove"):
        assert (app / "functions" / action / "app.py").is_file()


def test_the_new_function_without_codeuri_behaves_like_the_monolith(tmp_path: Path) -> None:
    story = scenario(APP)
    app = beside_the_template(tmp_path)
    original = tmp_path / "original"
    shutil.copytree(app, original, ignore=shutil.ignore_patterns(".git"))
    accepted(app, "extract", "REMOVE")
    results = []
    for folder, handler in ((original, "app.lambda_handler"), (app / "functions" / "remove", "app.lambda_handler")):
        with mock_aws():
            story.setup_aws()
            event = dict(story.EVENTS)["REMOVE"]
            results.append(json.dumps(lambdaload.invoke(folder, handler, event, story.ENV), default=str))
    assert results[0] == results[1]


# --- validation compares with the original template -------------------------------------------
def test_an_image_function_awaiting_sam_build_does_not_stop_the_split(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "  OrderEventsFunction:\n", "  ReportsFunction:\n    Type: AWS::Serverless::Function\n"
         "    Metadata:\n      DockerContext: ./reports\n      Dockerfile: Dockerfile\n"
         "    Properties:\n      PackageType: Image\n\n  OrderEventsFunction:\n")
    # an image function may not have a Runtime: the zip function names its own
    edit(app / T, "    Runtime: python3.12\n", "")
    edit(app / T, "      Handler: app.lambda_handler\n", "      Handler: app.lambda_handler\n      Runtime: python3.12\n")
    repository(app)
    result = accepted(app, "migrate")

    assert "did not translate" not in result.output  # validated as sam build leaves it, not as a problem
    resources = samcheck.load_template(app / T)["Resources"]
    assert "ImageUri" not in resources["ReportsFunction"]["Properties"]  # sam build's to fill in
    assert {"InsertFunction", "ModifyFunction", "RemoveFunction"} <= set(resources)


def test_a_problem_the_template_already_had_is_reported_and_does_not_stop_the_split(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    # a policy template without its parameter: SAM refuses it, with or without the split
    edit(app / T, "  OrderEventsFunction:\n", "  AuditFunction:\n    Type: AWS::Serverless::Function\n"
         "    Properties:\n      CodeUri: order_events/\n      Handler: codec.plain\n"
         "      Policies:\n        - SQSPollerPolicy: {}\n\n  OrderEventsFunction:\n")
    repository(app)
    result = accepted(app, "extract", "INSERT")

    assert "template.yaml did not translate before this run either" in result.output
    assert "Resource with id [AuditFunction] is invalid" in result.output
    assert "InsertFunction" in samcheck.load_template(app / T)["Resources"]


def test_a_problem_of_the_monolith_copied_into_the_new_function_is_not_blamed_on_the_split(tmp_path: Path) -> None:
    app = stream_app(tmp_path)
    edit(app / T, "        - SQSSendMessagePolicy:\n            QueueName: !GetAtt StreamFailuresQueue.QueueName\n",
         "        - SQSSendMessagePolicy: {}\n")
    repository(app)
    result = accepted(app, "extract", "INSERT")

    assert "did not translate before this run either" in result.output
    assert "Resource with id [InsertFunction] is invalid" in result.output
