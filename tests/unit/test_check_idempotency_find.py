"""What STR2xx counts as an unguarded write, and which deliveries make it one."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.check.idempotency import RULE
from tests.support.checkapps import sam_app
from tests.support.checkfix import findings

PRELUDE = """\
import os
import boto3
"""


def _codes(app: Path) -> list[tuple[str, int]]:
    return [(f.code, f.location.line) for f in findings(RULE, app)]


@pytest.mark.parametrize(("body", "expected"), [
    # DynamoDB put_item: client and Table resource, batch_writer; conditioned ones are guarded.
    ('boto3.client("dynamodb").put_item(TableName=os.environ["TABLE"], Item={})', ["STR201"]),
    ('boto3.resource("dynamodb").Table(os.environ["TABLE"]).put_item(Item={})', ["STR201"]),
    ('boto3.resource("dynamodb").Table("t").put_item(Item={}, ConditionExpression="attribute_not_exists(pk)")', []),
    ('boto3.resource("dynamodb").Table("t").put_item(**event["params"])', []),
    ('with boto3.resource("dynamodb").Table("t").batch_writer() as batch:\n        batch.put_item(Item={})', ["STR201"]),
    # update_item: counters and appends, not plain SETs.
    ('boto3.client("dynamodb").update_item(TableName="t", Key={}, UpdateExpression="ADD n :one")', ["STR202"]),
    ('boto3.client("dynamodb").update_item(TableName="t", Key={}, UpdateExpression="SET n = n + :one")', ["STR202"]),
    ('boto3.client("dynamodb").update_item(TableName="t", Key={}, UpdateExpression="SET l = list_append(l, :x)")',
     ["STR202"]),
    ('boto3.client("dynamodb").update_item(TableName="t", Key={}, UpdateExpression="SET a = :a, b = :b")', []),
    # New messages; a FIFO deduplication id makes the queue drop the repeat.
    ('boto3.client("sqs").send_message(QueueUrl="u", MessageBody="b")', ["STR203"]),
    ('boto3.client("sqs").send_message_batch(QueueUrl="u", Entries=[])', ["STR203"]),
    ('boto3.client("sqs").send_message(QueueUrl="u", MessageBody="b", MessageDeduplicationId=event["id"])', []),
    ('boto3.client("sns").publish(TopicArn="t", Message="m")', ["STR203"]),
    ('boto3.client("events").put_events(Entries=[])', ["STR203"]),
    # S3: only a generated key repeats (a key from the event is overwritten with the same object).
    ('boto3.client("s3").put_object(Bucket="b", Key=f"in/{uuid.uuid4()}.json", Body=b"")', ["STR204"]),
    ('key = f"{time.time()}.csv"\n    boto3.client("s3").upload_file("/tmp/x", "b", key)', ["STR204"]),
    ('boto3.client("s3").put_object(Bucket="b", Key=event["key"], Body=b"")', []),
    # External calls.
    ('requests.post("https://x.example", json={})', ["STR205"]),
    ('requests.get("https://x.example")', []),
    ('urllib.request.urlopen("https://x.example", data=b"{}")', ["STR205"]),
    ('urllib.request.urlopen("https://x.example")', []),
])
def test_write_kinds(tmp_path: Path, body: str, expected: list[str]) -> None:
    code = PRELUDE + "import time\nimport urllib.request\nimport uuid\n\nimport requests\n\n\n" \
        f"def handler(event, context):\n    {body}\n"
    assert [c for c, _ in _codes(sam_app(tmp_path, code))] == expected


def test_aliases_constants_and_helpers_are_followed(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import os
        import boto3 as aws
        from boto3 import client as make_client

        import store as persistence
        from notify import tell

        TABLE_NAME = os.environ.get("TABLE")
        _ddb = aws.resource("dynamodb")
        table = _ddb.Table(TABLE_NAME)
        sns = make_client("sns")


        def _save(item):
            table.put_item(Item=item)


        def _never_called():
            sns.publish(TopicArn="t", Message="m")


        def handler(event, context):
            _save({"pk": "1"})
            persistence.count()
            tell()
        """, files={
        "store.py": """\
            import boto3
            ddb = boto3.client("dynamodb")

            def count():
                _inc()

            def _inc():
                ddb.update_item(TableName="t", Key={}, UpdateExpression="ADD n :one")
            """,
        "notify.py": """\
            import boto3

            def tell():
                boto3.client("sqs").send_message(QueueUrl="u", MessageBody="b")
            """,
    })
    assert [(f.location.path, f.code, f.message.split("; ")[1]) for f in findings(RULE, app)] == [
        ("src/app.py", "STR201", "put_item into Table has no ConditionExpression"),
        ("src/notify.py", "STR203", "sqs.send_message sends a new message on every delivery"),
        ("src/store.py", "STR202", "update_item on t adds to a value ('ADD n :one')"),
    ]


def test_a_handler_wrapped_under_its_own_name_is_read_through_its_alias(tmp_path: Path) -> None:
    # What STR101's fix leaves in a callee: the original kept as an alias, a wrapper in its name.
    app = sam_app(tmp_path, """\
        import boto3

        table = boto3.resource("dynamodb").Table("t")


        def handler(event, context):
            table.put_item(Item=event)


        _handler_direct = handler


        def handler(event, context):
            return _handler_direct(event, context)
        """)
    assert _codes(app) == [("STR201", 7)]


def test_idempotent_handler_and_idempotent_function_are_guarded(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import boto3
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        sqs = boto3.client("sqs")


        @idempotent_function(data_keyword_argument="record", persistence_store=None)
        def one(record):
            sqs.send_message(QueueUrl="u", MessageBody="b")


        def handler(event, context):
            for record in event["Records"]:
                one(record=record)
            sqs.send_message(QueueUrl="u", MessageBody="summary")
        """)
    assert _codes(app) == [("STR203", 15)]
    (app / "src" / "app.py").write_text((app / "src" / "app.py").read_text().replace(
        "def handler", "@idempotency.idempotent(persistence_store=None)\ndef handler"))
    assert _codes(app) == []


@pytest.mark.parametrize(("events", "more", "service"), [
    ("      Events:\n        Get:\n          Type: Api\n          Properties: {Path: /x, Method: get}\n", "", None),
    ("", "", None),  # invoked directly only: nothing says it is asynchronous
    ("      EventInvokeConfig:\n        MaximumRetryAttempts: 2\n", "", "Worker (asynchronous invoke)"),
    ("      Events:\n        Nightly:\n          Type: Schedule\n          Properties: {Schedule: rate(1 day)}\n", "",
     "Nightly (EventBridge schedule)"),
    ("", """\
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [shop]}
      Targets:
        - Id: w
          Arn: !GetAtt Worker.Arn
""", "Rule (EventBridge)"),
    ("", """\
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: !Ref Worker
""", "Mapping (event source mapping)"),
    ("", """\
  Topic:
    Type: AWS::SNS::Topic
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      Protocol: lambda
      TopicArn: !Ref Topic
      Endpoint: !GetAtt Worker.Arn
""", "Subscription (SNS)"),
])
def test_which_deliveries_repeat(tmp_path: Path, events: str, more: str, service: str | None) -> None:
    app = sam_app(tmp_path, PRELUDE + "\n\ndef handler(event, context):\n    boto3.client('sns').publish(TopicArn='t', Message='m')\n",
                  events=events, more=more)
    found = findings(RULE, app)
    assert [f.message.split(" can deliver")[0] for f in found] == ([service] if service else [])


def test_unreadable_module_is_no_finding(tmp_path: Path) -> None:
    app = sam_app(tmp_path, "def handler(event, context):\n    boto3.client('sns').publish(\n")
    assert findings(RULE, app) == []


@pytest.mark.parametrize(("principal", "service"), [("s3.amazonaws.com", "S3"), ("apigateway.amazonaws.com", None)])
def test_a_permission_for_an_asynchronous_service_repeats(tmp_path: Path, principal: str, service: str | None) -> None:
    more = f"""\
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Worker
      Principal: {principal}
"""
    app = sam_app(tmp_path, PRELUDE + "\n\ndef handler(event, context):\n    boto3.client('sns').publish(TopicArn='t', Message='m')\n",
                  events="", more=more)
    assert [f.message.split(" can deliver")[0] for f in findings(RULE, app)] == ([f"Allow ({service})"] if service else [])


def test_arguments_dispatch_tables_and_lazy_imports_are_followed(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import os
        import boto3

        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


        def _created(event):
            return {"ok": True}


        def _paid(event, sink):
            sink.put_item(Item={"pk": event["id"]})


        def _store(target, event):
            target.put_item(Item={"pk": event["id"]})


        HANDLERS = {"created": _created, "paid": _paid}


        def handler(event, context):
            from audit import trail  # lazy: keeps the cold start small

            trail(boto3.client("sqs"))
            _store(table, event)
            return HANDLERS[event["kind"]](event, table)
        """, files={"audit.py": """\
            def trail(queue):
                queue.send_message(QueueUrl="u", MessageBody="b")
            """})
    found = [(f.location.path, f.code) for f in findings(RULE, app)]
    # _paid's ``sink`` is reached through the table, not as a call: its client is unknown.
    assert found == [("src/app.py", "STR201"), ("src/audit.py", "STR203")]


def test_writes_after_a_dedupe_record_are_guarded(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import boto3
        from botocore.exceptions import ClientError

        table = boto3.resource("dynamodb").Table("t")
        sns = boto3.client("sns")


        def _first_time(message_id):
            try:
                table.put_item(Item={"pk": message_id}, ConditionExpression="attribute_not_exists(pk)")
            except ClientError:
                return False
            return True


        def _notify(body):
            sns.publish(TopicArn="t", Message=body)


        def handler(event, context):
            sns.publish(TopicArn="t", Message="before the guard")
            for record in event["Records"]:
                if not _first_time(record["messageId"]):
                    continue
                table.update_item(Key={"pk": "n"}, UpdateExpression="ADD n :one")
                _notify(record["body"])
            try:
                table.put_item(Item={"pk": event["batch"]}, ConditionExpression="attribute_not_exists(pk)")
            except ClientError:
                return "seen"
            sns.publish(TopicArn="t", Message="after the inline guard")
        """)
    assert _codes(app) == [("STR203", 21)]
