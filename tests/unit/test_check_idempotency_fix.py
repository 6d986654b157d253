"""The idempotency fixes on small applications: the code, the template, the requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.check.idempotency import RULE
from strangler.check.idempotency_fix import condition_arguments
from strangler.check.idempotency_template import with_requirement
from strangler.verify import lambdaload
from tests.support import samcheck
from tests.support.checkapps import sam_app
from tests.support.checkfix import findings, fixed, snapshot


def test_condition_expression_names_a_reserved_word_through_a_placeholder() -> None:
    assert condition_arguments("order_id") == ("attribute_not_exists(order_id)", None)
    assert condition_arguments("name") == ("attribute_not_exists(#pk)", {"#pk": "name"})
    assert condition_arguments("pk") == ("attribute_not_exists(#pk)", {"#pk": "pk"})  # plain words: always safe
    assert condition_arguments("user-id") == ("attribute_not_exists(#pk)", {"#pk": "user-id"})


def test_requirement_added_once_in_the_file_style() -> None:
    assert with_requirement(None) == "aws-lambda-powertools\n"
    assert with_requirement("boto3") == "boto3\naws-lambda-powertools\n"
    assert with_requirement("a\r\nb\r\n") == "a\r\nb\r\naws-lambda-powertools\r\n"
    for present in ("aws-lambda-powertools\n", "AWS_Lambda_Powertools[tracer]>=3\n", "aws.lambda.powertools==3.1 ; x\n"):
        assert with_requirement(present) == present


def test_client_put_item_with_trailing_comma_gets_its_arguments_on_their_own_lines(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import os

        import boto3
        from botocore.exceptions import ClientError

        ddb = boto3.client("dynamodb")


        def handler(event, context):
            for record in event["Records"]:
                # one item per message
                ddb.put_item(
                    TableName=os.environ["TABLE"],
                    Item={"pk": {"S": record["messageId"]}},
                )
            return len(event["Records"])
        """)
    fixed(RULE, app)
    assert (app / "src" / "app.py").read_text() == '''\
import os

import boto3
from botocore.exceptions import ClientError

ddb = boto3.client("dynamodb")


def handler(event, context):
    for record in event["Records"]:
        # one item per message
        try:
            ddb.put_item(
                TableName=os.environ["TABLE"],
                Item={"pk": {"S": record["messageId"]}},
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": "pk"},
            )
        except ClientError as error:
            # A repeated delivery finds the item its first delivery wrote: nothing left to do.
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
    return len(event["Records"])
'''
    assert not (app / "src" / "requirements.txt").exists()  # a condition needs no new package
    assert findings(RULE, app) == []


def test_powertools_fix_adds_a_persistence_table_when_there_is_none(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import boto3

        sqs = boto3.client("sqs")


        def handler(event, context):
            sqs.send_message(QueueUrl="u", MessageBody=event["Records"][0]["body"])
        """)
    fixed(RULE, app)
    code = (app / "src" / "app.py").read_text()
    assert code.startswith("import boto3\nfrom aws_lambda_powertools.utilities.idempotency import "
                           "DynamoDBPersistenceLayer, IdempotencyConfig, idempotent\nimport os\n\n"
                           'persistence_layer = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])\n'
                           'idempotency_config = IdempotencyConfig(event_key_jmespath="Records[*].messageId")\n\n'
                           'sqs = boto3.client("sqs")\n')
    assert "@idempotent(persistence_store=persistence_layer, config=idempotency_config)\ndef handler(" in code
    template = (app / "template.yaml").read_text()
    assert template.endswith("""\
            Queue: !GetAtt Queue.Arn
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref IdempotencyTable

  IdempotencyTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
      TimeToLiveSpecification:
        AttributeName: expiration
        Enabled: true
""")
    assert "          IDEMPOTENCY_TABLE: !Ref IdempotencyTable\n      Events:" in template
    cfn = samcheck.assert_valid(app / "template.yaml")
    policies = cfn["Resources"]["WorkerRole"]["Properties"]["Policies"]
    assert any("IdempotencyTable" in str(p) for p in policies)
    assert (app / "src" / "requirements.txt").read_text() == "aws-lambda-powertools\n"
    before = snapshot(app)
    assert fixed(RULE, app).changes == () and snapshot(app) == before


def test_no_fix_for_a_function_with_its_own_role(tmp_path: Path) -> None:
    app = _publishing_app(tmp_path, after="      Runtime: python3.12\n", added="      Role: arn:aws:iam::1:role/r\n")
    (finding,) = findings(RULE, app)
    assert not finding.fixable and "has its own Role" in finding.advice
    assert fixed(RULE, app).changes == ()


def test_no_powertools_fix_when_two_sources_key_their_events_differently(tmp_path: Path) -> None:
    events = """\
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
        Bus:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [shop]}
"""
    app = sam_app(tmp_path, "import requests\n\n\ndef handler(event, context):\n    requests.post('https://x', json={})\n",
                  events=events)
    (finding,) = findings(RULE, app)
    assert finding.message.startswith("Queue (SQS) (and 1 more) can deliver")
    assert not finding.fixable and "EventBridge and SQS" in finding.advice


def test_put_item_into_an_unknown_table_falls_back_to_powertools(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import boto3

        table = boto3.resource("dynamodb").Table(some_name())


        def handler(event, context):
            table.put_item(Item={"pk": event["id"]})
        """)
    (finding,) = findings(RULE, app)
    assert finding.message.endswith("put_item into a table has no ConditionExpression")
    assert "@idempotent on handler" in (finding.fix or "")


def test_no_fix_when_the_variable_names_another_table(tmp_path: Path) -> None:
    app = _publishing_app(tmp_path, after="          TABLE: !Ref Table\n", added="          IDEMPOTENCY_TABLE: !Ref Table\n")
    (finding,) = findings(RULE, app)
    assert not finding.fixable and "already sets IDEMPOTENCY_TABLE" in finding.advice


def test_a_generated_hash_key_is_no_condition_fix(tmp_path: Path) -> None:
    app = sam_app(tmp_path, """\
        import os
        import uuid

        import boto3

        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


        def handler(event, context):
            item = {"pk": str(uuid.uuid4()), "body": event["detail"]}
            table.put_item(Item=item)
        """)
    (finding,) = findings(RULE, app)
    assert finding.code == "STR201" and "@idempotent on handler" in (finding.fix or "")


def test_every_function_loading_the_fixed_module_gets_the_table(tmp_path: Path) -> None:
    more = """\
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.api
      Runtime: python3.12
      Events:
        Get:
          Type: HttpApi
"""
    app = sam_app(tmp_path, """\
        import boto3

        sns = boto3.client("sns")


        def handler(event, context):
            sns.publish(TopicArn="t", Message=event["Records"][0]["body"])


        def api(event, context):
            sns.publish(TopicArn="t", Message="m")
            return {"statusCode": 204}
        """, more=more)
    assert [f.function_id for f in findings(RULE, app)] == ["Worker"]  # the API is synchronous
    fixed(RULE, app)
    cfn = samcheck.assert_valid(app / "template.yaml")
    for function in ("Worker", "Api"):  # Api imports the module too: it reads IDEMPOTENCY_TABLE
        assert cfn["Resources"][function]["Properties"]["Environment"]["Variables"]["IDEMPOTENCY_TABLE"] \
            == {"Ref": "IdempotencyTable"}
    code = (app / "src" / "app.py").read_text()
    assert code.count("@idempotent(") == 1 and code.count("DynamoDBPersistenceLayer(") == 1


def test_two_at_least_once_functions_sharing_a_module_are_both_decorated(tmp_path: Path) -> None:
    more = """\
  Topic:
    Type: AWS::SNS::Topic
  Other:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.other
      Runtime: python3.12
      Events:
        Note:
          Type: SNS
          Properties:
            Topic: !Ref Topic
"""
    app = sam_app(tmp_path, """\
        import requests


        def handler(event, context):
            requests.post("https://x.example", json=event["Records"][0]["body"])


        def other(event, context):
            requests.post("https://y.example", json=event["Records"][0]["Sns"]["Message"])
        """, more=more)
    fixed(RULE, app)
    code = (app / "src" / "app.py").read_text()
    assert 'idempotency_config = IdempotencyConfig(event_key_jmespath="Records[*].messageId")' in code
    assert 'idempotency_config_2 = IdempotencyConfig(event_key_jmespath="Records[*].Sns.MessageId")' in code
    assert "config=idempotency_config)\ndef handler(" in code and "config=idempotency_config_2)\ndef other(" in code
    assert code.count("DynamoDBPersistenceLayer(table_name") == 1
    samcheck.assert_valid(app / "template.yaml")
    assert fixed(RULE, app).changes == ()


def test_the_powertools_layer_needs_no_requirement(tmp_path: Path) -> None:
    app = _publishing_app(
        tmp_path, after="      Runtime: python3.12\n",
        added="      Layers:\n"
              "        - !Sub arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7\n")
    assert "src/requirements.txt" not in [c.path for c in fixed(RULE, app).changes]
    samcheck.assert_valid(app / "template.yaml")


def test_a_put_item_keyed_on_a_business_id_is_guarded_by_powertools_not_a_condition(tmp_path: Path) -> None:
    # Another event (an update of the same order) may write this item again on purpose: a
    # condition would silently drop it, the Powertools utility drops only a repeat.
    app = sam_app(tmp_path, """\
        import json
        import boto3

        table = boto3.resource("dynamodb").Table("t")


        def handler(event, context):
            for record in event["Records"]:
                order = json.loads(record["body"])
                table.put_item(Item={"pk": order["order_id"], "status": order["status"]})
        """)
    (finding,) = findings(RULE, app)
    assert finding.code == "STR201" and "Powertools" in (finding.fix or "") and "Condition" not in (finding.fix or "")


def test_the_condition_fix_replayed_under_moto_writes_once_and_a_repeat_succeeds(tmp_path: Path) -> None:
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    app = sam_app(tmp_path, """\
        import os
        import boto3

        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


        def handler(event, context):
            for record in event["Records"]:
                message_id = record["messageId"]
                table.put_item(Item={"pk": message_id, "body": record["body"]})
            return len(event["Records"])
        """)
    fixed(RULE, app)
    assert "ConditionExpression" in (app / "src" / "app.py").read_text()
    event = {"Records": [{"messageId": "m-1", "body": "first", "eventSource": "aws:sqs"}]}
    env = {"TABLE": "t", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    with moto.mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="eu-west-1")
        dynamodb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        first = lambdaload.invoke(app / "src", "app.handler", event, env)
        repeat = lambdaload.invoke(app / "src", "app.handler", {"Records": [dict(event["Records"][0], body="again")]}, env)
        items = dynamodb.Table("t").scan()["Items"]
    assert first == repeat == 1
    assert items == [{"pk": "m-1", "body": "first"}]  # the repeat neither failed nor wrote


def _publishing_app(tmp_path: Path, after: str, added: str) -> Path:
    """An app whose SQS-fed handler publishes to SNS, with ``added`` put after the template's line ``after``."""
    app = sam_app(tmp_path, "import boto3\n\n\ndef handler(event, context):\n"
                            "    boto3.client('sns').publish(TopicArn='t', Message='m')\n")
    template = app / "template.yaml"
    text = template.read_text()
    assert after in text
    template.write_text(text.replace(after, after + added))
    return app
