"""Never route events to nowhere, never delete what is still used.

A monolith reached by a resource outside its own ``Events`` (a standalone rule, a
subscription, a mapping, an integration, a data source, a trigger...) is not direct
invoke: until strangler routes those, ``extract`` and ``migrate`` refuse, name the
resource and write nothing. Only a function nothing in the template invokes is direct
invoke. And ``migrate`` removes only the monolith's files that nothing left in the
template reaches.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import git
import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused, repository

ANCHOR = "  # Cross-account direct invocation from checkout\n"


def billing(tmp_path: Path, resources: str = "", *, git_repo: bool = True) -> Path:
    """The direct-invoke billing app (no Events) with ``resources`` added to the template."""
    app = app_copy("direct-invoke-billing", tmp_path, git_repo=False)
    if resources:
        edit(app / "template.yaml", ANCHOR, textwrap.indent(textwrap.dedent(resources).strip("\n"), "  ") + "\n\n" + ANCHOR)
    if git_repo:
        repository(app)
    return app


def as_json(app: Path) -> Path:
    """The same app with its template written as JSON (long intrinsic forms)."""
    data = yaml_parse((app / "template.yaml").read_text(encoding="utf-8"))
    (app / "template.yaml").unlink()
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return app


def template(app: Path) -> dict:
    name = "template.json" if (app / "template.json").exists() else "template.yaml"
    return samcheck.load_template(app / name)


# --- resources outside Events make extract refuse, naming them --------------------------------
OUTSIDE = {
    "events-rule-getatt": ("""
        NightlyBilling:
          Type: AWS::Events::Rule
          Properties:
            ScheduleExpression: rate(1 day)
            Targets:
              - Id: billing
                Arn: !GetAtt BillingFunction.Arn
        """, "NightlyBilling", "AWS::Events::Rule"),
    "sns-subscription-getatt-list": ("""
        RefundTopic:
          Type: AWS::SNS::Topic
        RefundSubscription:
          Type: AWS::SNS::Subscription
          Properties:
            TopicArn: !Ref RefundTopic
            Protocol: lambda
            Endpoint: !GetAtt [BillingFunction, Arn]
        """, "RefundSubscription", "AWS::SNS::Subscription"),
    "event-source-mapping-ref": ("""
        RefundQueue:
          Type: AWS::SQS::Queue
        RefundMapping:
          Type: AWS::Lambda::EventSourceMapping
          Properties:
            EventSourceArn: !GetAtt RefundQueue.Arn
            FunctionName: !Ref BillingFunction
        """, "RefundMapping", "AWS::Lambda::EventSourceMapping"),
    "permission-for-a-service": ("""
        ExportsBucketPermission:
          Type: AWS::Lambda::Permission
          Properties:
            Action: lambda:InvokeFunction
            FunctionName: !Ref BillingFunction
            Principal: s3.amazonaws.com
            SourceAccount: !Ref AWS::AccountId
        """, "ExportsBucketPermission", "AWS::Lambda::Permission"),
    "rest-method-sub-uri": ("""
        BillingRestApi:
          Type: AWS::ApiGateway::RestApi
          Properties:
            Name: billing
        ChargeMethod:
          Type: AWS::ApiGateway::Method
          Properties:
            RestApiId: !Ref BillingRestApi
            ResourceId: !GetAtt BillingRestApi.RootResourceId
            HttpMethod: POST
            AuthorizationType: NONE
            Integration:
              Type: AWS_PROXY
              IntegrationHttpMethod: POST
              Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${BillingFunction.Arn}/invocations
        """, "ChargeMethod", "AWS::ApiGateway::Method"),
    "http-integration-join": ("""
        BillingHttpApi:
          Type: AWS::ApiGatewayV2::Api
          Properties:
            Name: billing
            ProtocolType: HTTP
        ChargeIntegration:
          Type: AWS::ApiGatewayV2::Integration
          Properties:
            ApiId: !Ref BillingHttpApi
            IntegrationType: AWS_PROXY
            PayloadFormatVersion: "2.0"
            IntegrationUri: !Join ["", ["arn:aws:apigateway:", !Ref AWS::Region, ":lambda:path/2015-03-31/functions/", !GetAtt BillingFunction.Arn, "/invocations"]]
        """, "ChargeIntegration", "AWS::ApiGatewayV2::Integration"),
    "openapi-definition-body": ("""
        BillingApi:
          Type: AWS::Serverless::Api
          Properties:
            StageName: v1
            DefinitionBody:
              openapi: "3.0.1"
              paths:
                /charges:
                  post:
                    x-amazon-apigateway-integration:
                      type: aws_proxy
                      httpMethod: POST
                      uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${BillingFunction.Arn}/invocations
        """, "BillingApi", "AWS::Serverless::Api"),
    "appsync-data-source": ("""
        BillingGraphApi:
          Type: AWS::AppSync::GraphQLApi
          Properties:
            Name: billing
            AuthenticationType: API_KEY
        BillingDataSource:
          Type: AWS::AppSync::DataSource
          Properties:
            ApiId: !GetAtt BillingGraphApi.ApiId
            Name: billing
            Type: AWS_LAMBDA
            LambdaConfig:
              LambdaFunctionArn: !GetAtt BillingFunction.Arn
        """, "BillingDataSource", "AWS::AppSync::DataSource"),
    "serverless-graphql-api": ("""
        BillingGraph:
          Type: AWS::Serverless::GraphQLApi
          Properties:
            SchemaInline: "type Query { invoice(id: ID!): String }"
            Auth:
              Type: API_KEY
            DataSources:
              Lambda:
                Billing:
                  FunctionArn: !GetAtt BillingFunction.Arn
        """, "BillingGraph", "AWS::Serverless::GraphQLApi"),
    "cognito-trigger": ("""
        CustomerPool:
          Type: AWS::Cognito::UserPool
          Properties:
            LambdaConfig:
              PostConfirmation: !GetAtt BillingFunction.Arn
        """, "CustomerPool", "AWS::Cognito::UserPool"),
    "s3-notification": ("""
        ExportsBucket:
          Type: AWS::S3::Bucket
          Properties:
            NotificationConfiguration:
              LambdaConfigurations:
                - Event: s3:ObjectCreated:*
                  Function: !GetAtt BillingFunction.Arn
        """, "ExportsBucket", "AWS::S3::Bucket"),
    "scheduler-schedule": ("""
        MonthlyInvoices:
          Type: AWS::Scheduler::Schedule
          Properties:
            ScheduleExpression: cron(0 3 1 * ? *)
            FlexibleTimeWindow:
              Mode: "OFF"
            Target:
              Arn: !GetAtt BillingFunction.Arn
              RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/scheduler
              Input: '{"action": "invoice"}'
        """, "MonthlyInvoices", "AWS::Scheduler::Schedule"),
    "pipe-target": ("""
        RefundQueue:
          Type: AWS::SQS::Queue
        RefundPipe:
          Type: AWS::Pipes::Pipe
          Properties:
            RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/pipes
            Source: !GetAtt RefundQueue.Arn
            Target: !GetAtt BillingFunction.Arn
        """, "RefundPipe", "AWS::Pipes::Pipe"),
    "state-machine-substitution": ("""
        RefundFlow:
          Type: AWS::StepFunctions::StateMachine
          Properties:
            RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/sfn
            DefinitionString: '{"StartAt": "Refund", "States": {"Refund": {"Type": "Task", "Resource": "${BillingArn}", "End": true}}}'
            DefinitionSubstitutions:
              BillingArn: !GetAtt BillingFunction.Arn
        """, "RefundFlow", "AWS::StepFunctions::StateMachine"),
    "rule-target-in-if-branch": ("""
        NightlyBilling:
          Type: AWS::Events::Rule
          Properties:
            ScheduleExpression: rate(1 day)
            Targets:
              - Id: billing
                Arn: !If [IsProd, !GetAtt BillingFunction.Arn, !Sub "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:noop"]
        """, "NightlyBilling", "AWS::Events::Rule"),
    "physical-name-in-an-arn": ("""
        NightlyBilling:
          Type: AWS::Events::Rule
          Properties:
            ScheduleExpression: rate(1 day)
            Targets:
              - Id: billing
                Arn: !Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:billing-${Stage}
        """, "NightlyBilling", "AWS::Events::Rule"),
    "sub-list-form-through-an-alias": ("""
        BillingLive:
          Type: AWS::Lambda::Alias
          Properties:
            FunctionName: !Ref BillingFunction
            FunctionVersion: "$LATEST"
            Name: live
        RefundTopic:
          Type: AWS::SNS::Topic
          Properties:
            Subscription:
              - Protocol: lambda
                Endpoint: !Sub ["${Target}", {Target: !Ref BillingLive}]
        """, "RefundTopic", "AWS::SNS::Topic"),
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_a_resource_outside_events_makes_extract_refuse(tmp_path: Path, case: str) -> None:
    resources, logical_id, kind = OUTSIDE[case]
    app = billing(tmp_path, resources)
    message = refused(app, "extract", "refund", names=(logical_id, kind, "BillingFunction"))
    assert f"Resources.{logical_id}" in message
    assert "hint: " in message


@pytest.mark.parametrize("case", ["events-rule-getatt", "openapi-definition-body"])
def test_migrate_refuses_too(tmp_path: Path, case: str) -> None:
    resources, logical_id, kind = OUTSIDE[case]
    app = billing(tmp_path, resources)
    refused(app, "migrate", "--keep-monolith", names=(logical_id, kind))


def test_json_rule_with_a_getatt_list(tmp_path: Path) -> None:
    app = as_json(billing(tmp_path, OUTSIDE["events-rule-getatt"][0], git_repo=False))
    text = (app / "template.json").read_text(encoding="utf-8")
    assert '"Fn::GetAtt": [\n' in text and '"BillingFunction",' in text
    refused(app, "extract", "refund", names=("NightlyBilling", "AWS::Events::Rule"))


def test_json_subscription_with_a_dotted_getatt_and_a_join(tmp_path: Path) -> None:
    app = as_json(billing(tmp_path, git_repo=False))
    data = json.loads((app / "template.json").read_text(encoding="utf-8"))
    data["Resources"]["RefundTopic"] = {"Type": "AWS::SNS::Topic"}
    data["Resources"]["RefundSubscription"] = {"Type": "AWS::SNS::Subscription", "Properties": {
        "TopicArn": {"Ref": "RefundTopic"}, "Protocol": "lambda",
        "Endpoint": {"Fn::Join": [":", [{"Fn::GetAtt": "BillingFunction.Arn"}, "live"]]}}}
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    refused(app, "extract", "refund", names=("RefundSubscription", "AWS::SNS::Subscription"))


def test_included_openapi_of_the_monolith_api_may_route_to_it(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    edit(app / "template.yaml", "      Events:\n        OrderLifecycle:", """      Events:
        Admin:
          Type: HttpApi
          Properties:
            ApiId: !Ref AdminApi
            Path: /orders
            Method: get
        OrderLifecycle:""")
    edit(app / "template.yaml", "  # Customer notifications service", """  AdminApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: openapi.yaml

  # Customer notifications service""")
    refused(app, "extract", "OrderShipped", names=("AdminApi", "AWS::Serverless::HttpApi", "may route"))


def test_a_function_with_events_and_an_outside_subscription_splits_both(tmp_path: Path) -> None:
    """The standalone subscription is narrowed like the function's own SNS event: each new
    function gets its own filtered copy and permission; nothing is left to the monolith."""
    app = app_copy("sns-notifications", tmp_path)
    edit(app / "template.yaml", "  NotifierDLQ:", """  LegacySubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref NotificationsTopic
      Protocol: lambda
      Endpoint: !GetAtt NotifierFunction.Arn

  NotifierDLQ:""")
    accepted(app, "extract", "welcome_email")
    data = template(app)["Resources"]
    legacy = data["LegacySubscription"]["Properties"]
    assert legacy["FilterPolicy"] == {"kind": [{"anything-but": ["welcome_email"]}, {"exists": False}]}
    copy = data["WelcomeEmailFunctionLegacySubscription"]["Properties"]
    assert copy["FilterPolicy"] == {"kind": ["welcome_email"]} and copy["FilterPolicyScope"] == "MessageBody"
    assert copy["Endpoint"] == {"Fn::GetAtt": ["WelcomeEmailFunction", "Arn"]}
    permission = data["WelcomeEmailFunctionLegacySubscriptionPermission"]["Properties"]
    assert permission["Principal"] == "sns.amazonaws.com" and permission["SourceArn"] == {"Ref": "NotificationsTopic"}
    samcheck.assert_valid(app / "template.yaml")
    accepted(app, "migrate")
    left = template(app)["Resources"]
    assert "NotifierFunction" not in left and "LegacySubscription" not in left
    samcheck.assert_valid(app / "template.yaml")


REPLAY_RULE = """  ReplayRule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref ShopEventBus
      EventPattern:
        source: [shop.replay]
      Targets:
        - Id: orders
          Arn: !GetAtt OrdersFunction.Arn{target}

  # Customer notifications service"""


def test_eventbridge_monolith_with_a_standalone_rule_splits_it_too(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path, git_repo=True)
    edit(app / "template.yaml", "  # Customer notifications service", REPLAY_RULE.format(target=""))
    git.Repo(app).git.commit("-am", "a replay rule")
    accepted(app, "extract", "OrderShipped", "--commit")
    data = template(app)["Resources"]
    assert data["ReplayRule"]["Properties"]["EventPattern"] == {
        "source": ["shop.replay"], "detail-type": [{"anything-but": ["OrderShipped"]}]}
    replay = data["OrderShippedFunctionReplayRule"]["Properties"]
    assert replay["EventPattern"] == {"source": ["shop.replay"], "detail-type": ["OrderShipped"]}
    assert replay["Targets"] == [{"Id": "orders", "Arn": {"Fn::GetAtt": ["OrderShippedFunction", "Arn"]}}]
    assert data["OrderShippedFunctionReplayRulePermission"]["Properties"]["SourceArn"] == {
        "Fn::GetAtt": ["OrderShippedFunctionReplayRule", "Arn"]}
    samcheck.assert_valid(app / "template.yaml")


def test_a_standalone_rule_whose_input_transformer_drops_the_key_refuses(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    transformer = """
          InputTransformer:
            InputPathsMap:
              order: $.detail.order_id
            InputTemplate: '{"order_id": <order>}'"""
    edit(app / "template.yaml", "  # Customer notifications service", REPLAY_RULE.format(target=transformer))
    refused(app, "extract", "OrderShipped", names=("ReplayRule", "InputTransformer", "detail-type", "hint: "))


def test_scan_says_why(tmp_path: Path) -> None:
    app = billing(tmp_path, OUTSIDE["cognito-trigger"][0])
    result = accepted(app, "scan")
    assert "REFUSED: CustomerPool (AWS::Cognito::UserPool) delivers events to BillingFunction" in result.output


# --- a reference is not a delivery ----------------------------------------------------------------
def test_a_function_nothing_invokes_is_direct_invoke(tmp_path: Path) -> None:
    app = billing(tmp_path)
    result = accepted(app, "extract", "refund")
    data = template(app)
    assert data["Outputs"]["RefundFunctionName"]["Value"] == {"Ref": "RefundFunction"}
    assert "Events" not in data["Resources"]["RefundFunction"]["Properties"]
    # An account allowed to invoke it is how a direct caller gets in, not an event source.
    assert "CheckoutInvokePermission" in data["Resources"]
    assert "switch its callers to RefundFunction" in result.output
    samcheck.assert_valid(app / "template.yaml")


def test_outputs_policies_and_alarms_that_name_it_are_not_deliveries(tmp_path: Path) -> None:
    app = billing(tmp_path, """
        InvokeBillingPolicy:
          Type: AWS::IAM::ManagedPolicy
          Properties:
            PolicyDocument:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Action: lambda:InvokeFunction
                  Resource: !GetAtt BillingFunction.Arn
        BillingErrors:
          Type: AWS::CloudWatch::Alarm
          Properties:
            Namespace: AWS/Lambda
            MetricName: Errors
            Dimensions:
              - Name: FunctionName
                Value: !Ref BillingFunction
            Statistic: Sum
            Period: 60
            EvaluationPeriods: 1
            Threshold: 1
            ComparisonOperator: GreaterThanOrEqualToThreshold
        SupportToolsFunction:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: support/
            Handler: tools.handler
            Environment:
              Variables:
                BILLING_FUNCTION: !Ref BillingFunction
            Policies:
              - LambdaInvokePolicy:
                  FunctionName: !Ref BillingFunction
        """, git_repo=False)
    (app / "support").mkdir()
    (app / "support" / "tools.py").write_text(
        "import boto3, os\n\n\ndef handler(event, context):\n"
        "    return boto3.client('lambda').invoke(FunctionName=os.environ['BILLING_FUNCTION'])\n",
        encoding="utf-8",
    )
    accepted(app, "extract", "refund")
    data = template(app)
    assert data["Outputs"]["RefundFunctionName"]["Value"] == {"Ref": "RefundFunction"}
    assert data["Outputs"]["BillingFunctionArn"]["Value"] == {"Fn::GetAtt": ["BillingFunction", "Arn"]}
    samcheck.assert_valid(app / "template.yaml")


# --- migrate never deletes what the new template still uses ---------------------------------------
def orders(tmp_path: Path) -> Path:
    return app_copy("eventbridge-orders", tmp_path, git_repo=True)


def test_functions_dir_under_the_codeuri_survives_migrate(tmp_path: Path) -> None:
    app = orders(tmp_path)
    accepted(app, "extract", "OrderShipped", "--commit", "--functions-dir", "src/functions")
    result = accepted(app, "migrate", "--functions-dir", "src/functions")
    for name in ("order_shipped", "order_placed", "order_cancelled", "payment_failed"):
        assert (app / "src" / "functions" / name / "app.py").is_file(), name
    assert (app / "src" / "functions" / "order_shipped" / "handlers_extra.py").is_file()
    assert not (app / "src" / "app.py").exists() and not (app / "src" / "shared.py").exists()
    assert "src/functions/order_shipped/ left in place: the code of OrderShippedFunction" in result.output
    samcheck.assert_valid(app / "template.yaml")


def test_folder_setting_under_the_codeuri_survives_migrate(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    (app / "strangler.toml").write_text('[actions.OrderPlaced]\nfolder = "src/placing"\n', encoding="utf-8")
    accepted(app, "extract", "OrderPlaced")
    accepted(app, "migrate")
    assert (app / "src" / "placing" / "app.py").is_file()
    assert (app / "src" / "placing" / "requirements.txt").is_file()
    assert not (app / "src" / "app.py").exists()
    code = samcheck.function_code(app / "template.yaml")
    assert code["OrderPlacedFunction"].code_dir == (app / "src" / "placing").resolve()
    samcheck.assert_valid(app / "template.yaml")


def test_a_function_sharing_the_codeuri_keeps_the_folder(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    edit(app / "template.yaml", "  # Customer notifications service", """  AuditFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: shared.to_jsonable

  # Customer notifications service""")
    before = {p: (app / "src" / p).read_bytes() for p in ("shared.py", "handlers_extra.py", "requirements.txt")}
    result = accepted(app, "migrate")
    assert {p: (app / "src" / p).read_bytes() for p in before} == before
    assert "is also the code of AuditFunction: left in place" in result.output
    assert "AuditFunction" in template(app)["Resources"]
    samcheck.assert_valid(app / "template.yaml")


def test_a_module_an_enclosing_function_imports_stays(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    (app / "reports.py").write_text(
        "from src.shared import to_jsonable\n\n\ndef handler(event, context):\n    return to_jsonable(event)\n",
        encoding="utf-8",
    )
    (app / "src" / "__init__.py").write_text("", encoding="utf-8")
    edit(app / "template.yaml", "  # Customer notifications service", """  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: reports.handler

  # Customer notifications service""")
    result = accepted(app, "migrate")
    assert (app / "src" / "shared.py").is_file() and (app / "src" / "__init__.py").is_file()
    assert not (app / "src" / "app.py").exists() and not (app / "src" / "handlers_extra.py").exists()
    assert "src/shared.py left in place: ReportsFunction imports it" in result.output
    samcheck.assert_valid(app / "template.yaml")


def test_an_enclosing_function_that_imports_by_computed_name_keeps_everything(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    (app / "plugins.py").write_text(
        "import importlib\nimport os\n\n\ndef handler(event, context):\n"
        "    return importlib.import_module(os.environ['PLUGIN']).run(event)\n",
        encoding="utf-8",
    )
    edit(app / "template.yaml", "  # Customer notifications service", """  PluginsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: plugins.handler

  # Customer notifications service""")
    accepted(app, "migrate")
    for name in ("app.py", "shared.py", "handlers_extra.py"):
        assert (app / "src" / name).is_file(), name
    samcheck.assert_valid(app / "template.yaml")


def test_another_function_and_a_layer_inside_the_codeuri_stay(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    (app / "src" / "worker").mkdir()
    (app / "src" / "worker" / "main.py").write_text("def handler(event, context):\n    return event\n", encoding="utf-8")
    (app / "src" / "layer" / "python").mkdir(parents=True)
    (app / "src" / "layer" / "python" / "common.py").write_text("VALUE = 1\n", encoding="utf-8")
    edit(app / "template.yaml", "  # Customer notifications service", """  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/worker/
      Handler: main.handler

  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: src/layer/
      CompatibleRuntimes: [python3.12]

  # Customer notifications service""")
    result = accepted(app, "migrate")
    assert (app / "src" / "worker" / "main.py").is_file()
    assert (app / "src" / "layer" / "python" / "common.py").is_file()
    assert not (app / "src" / "app.py").exists()
    assert "src/worker/ left in place: the code of WorkerFunction" in result.output
    assert "src/layer/ left in place: the code of CommonLayer" in result.output
    samcheck.assert_valid(app / "template.yaml")


def test_data_files_of_the_folder_stay_and_python_goes(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    (app / "src" / "templates").mkdir()
    (app / "src" / "templates" / "shipped.json").write_text('{"subject": "shipped"}\n', encoding="utf-8")
    accepted(app, "migrate")
    assert (app / "src" / "templates" / "shipped.json").is_file()
    assert not any((app / "src").glob("*.py"))
    samcheck.assert_valid(app / "template.yaml")


def test_retiring_refuses_while_a_literal_arn_still_targets_the_monolith(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    edit(app / "template.yaml", "      CodeUri: src/\n      Handler: app.lambda_handler",
         "      FunctionName: orders-monolith\n      CodeUri: src/\n      Handler: app.lambda_handler")
    accepted(app, "migrate", "--keep-monolith")
    # Only the physical name ties this rule to the monolith: no Ref, no GetAtt.
    edit(app / "template.yaml", "  # Customer notifications service", """  ReplayRule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [shop.replay]
      Targets:
        - Id: orders
          Arn: arn:aws:lambda:eu-west-1:123456789012:function:orders-monolith

  # Customer notifications service""")
    refused(app, "migrate", names=("ReplayRule", "AWS::Events::Rule", "OrdersFunction"))
    assert "OrdersFunction:" in (app / "template.yaml").read_text(encoding="utf-8")
