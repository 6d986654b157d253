"""Resources that watch a function: found by kind, copied or widened for each new function,
removed, narrowed or re-pointed when the monolith retires, refused when they would dangle."""

from __future__ import annotations

from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from strangler.errors import StranglerError
from strangler.model import DELETE
from strangler.template import sam
from strangler.template.document import TemplateDocument
from strangler.template.resources import apply_resources
from strangler.template.watchers import retire_watchers, split_watchers, watchers_of

HEAD = """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""
FUNCTION = """
  OrdersFunction:
    Type: AWS::Serverless::Function
{attributes}    Properties:
{name}      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
{more}"""
WHERE = "template.yaml: Resources.OrdersFunction"


def doc_of(tmp_path: Path, resources: str, *, name: str = "", attributes: str = "", more: str = "") -> TemplateDocument:
    text = HEAD + FUNCTION.format(name=name, attributes=attributes, more=more) + resources
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return TemplateDocument.load(path)


def new_function(doc: TemplateDocument, new_id: str = "GetOrderFunction") -> dict:
    resource, _ = sam.new_function(doc, "OrdersFunction", doc.data["Resources"]["OrdersFunction"], "GET /order",
                                   f"functions/{new_id}/", "app.lambda_handler")
    return resource


def extract(doc: TemplateDocument, new_id: str = "GetOrderFunction", key: str = "GET /order") -> tuple[dict, list[str]]:
    function = new_function(doc, new_id)
    splits, notes = split_watchers(doc, "OrdersFunction", key, new_id, function, WHERE)
    apply_resources(doc, splits)
    sam.place_new_functions(doc.data["Resources"], "OrdersFunction", [(new_id, function)])
    return function, notes


def written(doc: TemplateDocument) -> dict:
    return yaml_parse(doc.dump())["Resources"]


LOG_GROUP_BY_REF = """
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Delete
    Properties:
      LogGroupName: !Sub /aws/lambda/${OrdersFunction}
      RetentionInDays: 14
      KmsKeyId: arn:aws:kms:eu-west-1:123456789012:key/abc
"""


# --- finding ------------------------------------------------------------------------------
def test_each_kind_is_found_with_where_it_names_the_function(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, LOG_GROUP_BY_REF + """
  Retries:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref OrdersFunction
      Qualifier: $LATEST
      MaximumRetryAttempts: 1
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Metrics:
        - Id: e
          MetricStat:
            Metric:
              Namespace: AWS/Lambda
              MetricName: Errors
              Dimensions:
                - Name: FunctionName
                  Value: !Ref OrdersFunction
            Period: 60
            Stat: Sum
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
  Board:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '{"widgets": [{"properties": {"metrics": [["AWS/Lambda", "Errors", "FunctionName", "${OrdersFunction}"]]}}]}'
  Filter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref OrdersLogGroup
      FilterPattern: ERROR
      MetricTransformations:
        - MetricName: OrderErrors
          MetricNamespace: Orders
          MetricValue: '1'
""")
    found = {w.logical_id: (w.kind, w.role, w.how) for w in watchers_of(doc.data, "OrdersFunction")}
    assert found == {
        "OrdersLogGroup": ("AWS::Logs::LogGroup", "copy", "LogGroupName"),
        "Retries": ("AWS::Lambda::EventInvokeConfig", "copy", "FunctionName"),
        "Errors": ("AWS::CloudWatch::Alarm", "copy", "Metrics[0] Dimensions FunctionName"),
        "Board": ("AWS::CloudWatch::Dashboard", "mention", "DashboardBody"),
        "Filter": ("AWS::Logs::MetricFilter", "mention", "LogGroupName"),  # through the log group removed with it
    }


def test_a_log_group_named_by_join_or_by_the_literal_function_name_is_the_function_s(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  Joined:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Join ['', [/aws/lambda/, !Ref OrdersFunction]]
  Literal:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/orders-api
  Other:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/orders-api-old
""", name="      FunctionName: orders-api\n")
    assert [w.logical_id for w in watchers_of(doc.data, "OrdersFunction")] == ["Joined", "Literal"]


def test_routes_and_the_resources_made_for_new_functions_are_not_watchers(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [shop]}
      Targets:
        - Arn: !GetAtt OrdersFunction.Arn
          Id: orders
""")
    assert watchers_of(doc.data, "OrdersFunction") == ()


# --- one action leaves ------------------------------------------------------------------
def test_a_log_group_is_copied_with_its_settings_and_named_for_the_new_function(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, LOG_GROUP_BY_REF)
    extract(doc)
    copy = written(doc)["GetOrderFunctionLogGroup"]
    assert copy["Properties"] == {
        "LogGroupName": {"Fn::Sub": "/aws/lambda/${GetOrderFunction}"},
        "RetentionInDays": 14, "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/abc",
    }
    assert (copy["DeletionPolicy"], copy["UpdateReplacePolicy"]) == ("Retain", "Delete")
    assert copy["Metadata"]["Strangler"] == {"SplitFrom": "OrdersLogGroup", "Action": "GET /order"}
    assert "OrdersLogGroup" in written(doc)


def test_a_physical_name_gives_the_new_function_one_after_it_and_its_depends_on_names_its_own_log_group(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/orders-api
      RetentionInDays: 7
""", name="      FunctionName: orders-api\n", attributes="    DependsOn: [OrdersLogGroup, Topic]\n")
    _function, notes = extract(doc)
    resources = written(doc)
    assert resources["GetOrderFunction"]["Properties"]["FunctionName"] == "orders-api-get-order"
    assert resources["GetOrderFunctionLogGroup"]["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/orders-api-get-order"}
    assert resources["GetOrderFunction"]["DependsOn"] == ["GetOrderFunctionLogGroup", "Topic"]
    assert resources["OrdersFunction"]["DependsOn"] == ["OrdersLogGroup", "Topic"]
    assert any("FunctionName orders-api-get-order" in note for note in notes)


def test_a_function_name_from_the_settings_is_the_one_its_copies_name(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${AWS::StackName}-orders
""", name="      FunctionName: !Sub ${AWS::StackName}-orders\n")
    function = new_function(doc)
    function["Properties"]["FunctionName"] = "order-reader"
    splits, _ = split_watchers(doc, "OrdersFunction", "GET /order", "GetOrderFunction", function, WHERE)
    assert str(splits[0].added[0][1]["Properties"]["LogGroupName"].value) == "/aws/lambda/order-reader"


def test_a_derived_literal_name_longer_than_lambda_allows_is_refused(tmp_path: Path) -> None:
    long = "o" * 60
    doc = doc_of(tmp_path, f"""
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/{long}
""", name=f"      FunctionName: {long}\n")
    with pytest.raises(StranglerError, match="longer than Lambda's 64 characters") as refused:
        extract(doc)
    assert refused.value.hint and "settings" in refused.value.hint


def test_an_invoke_config_is_copied_for_the_new_function(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  OrdersInvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref OrdersFunction
      Qualifier: $LATEST
      MaximumRetryAttempts: 0
      DestinationConfig:
        OnFailure:
          Destination: !Ref Topic
""")
    extract(doc)
    copy = written(doc)["GetOrderFunctionInvokeConfig"]["Properties"]
    assert copy["FunctionName"] == {"Ref": "GetOrderFunction"}
    assert copy["MaximumRetryAttempts"] == 0 and copy["DestinationConfig"] == {"OnFailure": {"Destination": {"Ref": "Topic"}}}


def test_sam_event_invoke_config_goes_with_the_function_s_properties(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, "", more="      EventInvokeConfig:\n        MaximumRetryAttempts: 0\n")
    assert new_function(doc)["Properties"]["EventInvokeConfig"] == {"MaximumRetryAttempts": 0}


@pytest.mark.parametrize(("alarm_name", "expected"), [
    ("orders-errors", "orders-errors-get-order"),
    ("!Sub ${AWS::StackName}-errors", {"Fn::Sub": "${AWS::StackName}-errors-get-order"}),
    ("!Ref Topic", {"Fn::Join": ["-", [{"Ref": "Topic"}, "get-order"]]}),
    ("!Sub ${OrdersFunction}-errors", {"Fn::Sub": "${GetOrderFunction}-errors"}),
])
def test_an_alarm_is_copied_with_its_thresholds_and_actions_under_another_name(tmp_path: Path, alarm_name, expected) -> None:
    doc = doc_of(tmp_path, f"""
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: {alarm_name}
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref OrdersFunction
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 3
      Threshold: 2
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [!Ref Topic]
""")
    extract(doc)
    resources = written(doc)
    copy = resources["GetOrderFunctionErrorsAlarm"]["Properties"]
    assert copy["AlarmName"] == expected != resources["ErrorsAlarm"]["Properties"]["AlarmName"]
    assert copy["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "GetOrderFunction"}}]
    assert (copy["Threshold"], copy["EvaluationPeriods"], copy["AlarmActions"]) == (2, 3, [{"Ref": "Topic"}])


ROLE = """
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/orders-api
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt OrdersLogGroup.Arn
        - PolicyName: metrics
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: logs:PutLogEvents
                Resource:
                  - !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/orders-api:*
                  - !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/audit:*
"""


def test_iam_statements_on_the_function_are_widened_to_each_new_function(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, ROLE, name="      FunctionName: orders-api\n",
                 more="      Role: !GetAtt OrdersRole.Arn\n")
    extract(doc)
    extract(doc, "PutOrderFunction", "PUT /order")
    policies = written(doc)["OrdersRole"]["Properties"]["Policies"]
    assert policies[0]["PolicyDocument"]["Statement"][0]["Resource"] == [
        {"Fn::GetAtt": ["OrdersLogGroup", "Arn"]}, {"Fn::GetAtt": ["GetOrderFunctionLogGroup", "Arn"]},
        {"Fn::GetAtt": ["PutOrderFunctionLogGroup", "Arn"]},
    ]
    assert [r["Fn::Sub"].rpartition("log-group:")[2] for r in policies[1]["PolicyDocument"]["Statement"][0]["Resource"]] == [
        "/aws/lambda/orders-api:*", "/audit:*", "/aws/lambda/orders-api-get-order:*", "/aws/lambda/orders-api-put-order:*",
    ]


def test_what_only_mentions_the_function_is_reported_when_an_action_leaves(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  Board:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '{"widgets": [{"properties": {"title": "${OrdersFunction}"}}]}'
""")
    _, notes = extract(doc)
    assert notes == [("Board (AWS::CloudWatch::Dashboard) refers to OrdersFunction in DashboardBody: it does not follow "
                     "GetOrderFunction; add the new functions' widgets to the dashboard by hand")]


def test_a_copy_whose_id_is_taken_is_refused(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, LOG_GROUP_BY_REF + "  GetOrderFunctionLogGroup:\n    Type: AWS::SNS::Topic\n")
    with pytest.raises(StranglerError, match="GetOrderFunctionLogGroup, which the template already has"):
        extract(doc)


# --- the monolith retires -----------------------------------------------------------------
def retire(doc: TemplateDocument, answers_preflight: bool = False) -> list:
    splits = retire_watchers(doc, "OrdersFunction", WHERE, answers_preflight)
    apply_resources(doc, splits)
    sam.retire(doc, "OrdersFunction")
    return splits


def test_copied_watchers_leave_with_the_monolith_and_a_retained_log_group_says_its_logs_stay(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, LOG_GROUP_BY_REF + """
  Retries:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref OrdersFunction
      Qualifier: $LATEST
Outputs:
  Logs:
    Value: !Ref OrdersLogGroup
""")
    extract(doc)
    splits = retire(doc)
    assert [(s.logical_id, s.replacement is DELETE) for s in splits] == [("OrdersLogGroup", True), ("Retries", True)]
    assert "DeletionPolicy Retain" in splits[0].note and "their own: GetOrderFunctionLogGroup" in splits[0].note
    left = yaml_parse(doc.dump())
    assert {"GetOrderFunction", "GetOrderFunctionLogGroup", "GetOrderFunctionRetries"} <= set(left["Resources"])
    assert not {"OrdersFunction", "OrdersLogGroup", "Retries"} & set(left["Resources"])
    assert "Outputs" not in left  # its one output named the log group removed with the monolith


def test_iam_statements_lose_what_named_the_monolith(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, ROLE, name="      FunctionName: orders-api\n",
                 more="      Role: !GetAtt OrdersRole.Arn\n")
    extract(doc)
    retire(doc)
    policies = written(doc)["OrdersRole"]["Properties"]["Policies"]
    assert policies[0]["PolicyDocument"]["Statement"][0]["Resource"] == [{"Fn::GetAtt": ["GetOrderFunctionLogGroup", "Arn"]}]
    assert [r["Fn::Sub"].rpartition("log-group:")[2] for r in policies[1]["PolicyDocument"]["Statement"][0]["Resource"]] == [
        "/audit:*", "/aws/lambda/orders-api-get-order:*",
    ]


def test_a_policy_that_only_named_the_monolith_goes_from_the_role(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, ROLE, name="      FunctionName: orders-api\n",
                 more="      Role: !GetAtt OrdersRole.Arn\n")
    retire(doc)  # nothing extracted: nothing replaces what the statements named
    policies = written(doc)["OrdersRole"]["Properties"]["Policies"]
    assert [p["PolicyName"] for p in policies] == ["metrics"]


def test_a_policy_resource_left_empty_is_refused(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/orders-api
  LogsPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: logs
      Roles: [some-role]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: logs:PutLogEvents
            Resource: !GetAtt OrdersLogGroup.Arn
""", name="      FunctionName: orders-api\n")
    with pytest.raises(StranglerError, match="LogsPolicy .* would leave an empty policy"):
        retire(doc)


def test_a_depends_on_the_monolith_or_its_log_group_names_what_replaced_them(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, LOG_GROUP_BY_REF + """
  Seed:
    Type: AWS::SNS::Topic
    DependsOn: [OrdersFunction, OrdersLogGroup, Topic]
""")
    extract(doc)
    extract(doc, "PutOrderFunction", "PUT /order")
    retire(doc)
    assert written(doc)["Seed"]["DependsOn"] == [
        "GetOrderFunction", "PutOrderFunction", "GetOrderFunctionLogGroup", "PutOrderFunctionLogGroup", "Topic",
    ]


def test_a_dashboard_on_the_monolith_is_refused_at_retirement(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  Board:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '{"title": "${OrdersFunction}"}'
""")
    extract(doc)
    with pytest.raises(StranglerError, match="Board .* retiring OrdersFunction would leave it dangling") as refused:
        retire(doc)
    assert refused.value.where == "template.yaml: Resources.Board"
    assert "GetOrderFunction" in (refused.value.hint or "") and "--keep-monolith" in (refused.value.hint or "")


PREFLIGHT = """      Events:
        Read:
          Type: Api
          Properties: {Path: /order, Method: get}
        Preflight:
          Type: Api
          Properties: {Path: /order, Method: options}
"""


def test_a_preflight_the_handler_answers_moves_to_the_first_new_function(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, "", more=PREFLIGHT)
    function = new_function(doc)
    function["Properties"]["Events"] = {"Read": doc.data["Resources"]["OrdersFunction"]["Properties"]["Events"].pop("Read")}
    sam.place_new_functions(doc.data["Resources"], "OrdersFunction", [("GetOrderFunction", function)])
    splits = retire(doc, answers_preflight=True)
    assert [s.logical_id for s in splits] == ["GetOrderFunction"]
    events = written(doc)["GetOrderFunction"]["Properties"]["Events"]
    assert list(events) == ["Read", "Preflight"] and events["Preflight"]["Properties"]["Method"] == "options"


def test_a_preflight_no_new_function_answers_is_refused(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, "", more=PREFLIGHT)
    extract(doc)
    with pytest.raises(StranglerError, match="answers the CORS preflight .*Preflight.* that no action took") as refused:
        retire(doc, answers_preflight=False)
    assert "Cors" in (refused.value.hint or "")


def test_an_alarm_on_the_monolith_s_alias_watches_the_same_alias_of_the_new_function(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  LiveErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref OrdersFunction
        - Name: Resource
          Value: !Sub ${OrdersFunction}:live
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
  LiveRetries:
    Type: AWS::Lambda::EventInvokeConfig
    DependsOn: OrdersFunctionAliaslive
    Properties:
      FunctionName: !Ref OrdersFunction
      Qualifier: live
      MaximumRetryAttempts: 0
""", more="      AutoPublishAlias: live\n")
    extract(doc)
    resources = written(doc)
    assert resources["GetOrderFunctionLiveErrors"]["Properties"]["Dimensions"][1]["Value"] == {"Fn::Sub": "${GetOrderFunction}:live"}
    assert resources["GetOrderFunctionLiveRetries"]["DependsOn"] == "GetOrderFunctionAliaslive"
    assert resources["GetOrderFunction"]["Properties"]["AutoPublishAlias"] == "live"


def test_a_json_template_gets_its_copies_in_json(tmp_path: Path) -> None:
    import json

    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "OrdersFunction": {"Type": "AWS::Serverless::Function", "Properties": {
                "FunctionName": "orders-api", "CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12"}},
            "OrdersLogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {
                "LogGroupName": "/aws/lambda/orders-api", "RetentionInDays": 3}},
            "ErrorsAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "AlarmName": {"Fn::Join": ["-", ["orders", {"Ref": "AWS::Region"}]]},
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "OrdersFunction"}}]}},
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    doc = TemplateDocument.load(path)
    extract(doc)
    retire(doc)
    resources = json.loads(doc.dump())["Resources"]
    assert set(resources) == {"GetOrderFunction", "GetOrderFunctionLogGroup", "GetOrderFunctionErrorsAlarm"}
    assert resources["GetOrderFunctionLogGroup"]["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/orders-api-get-order"}
    assert resources["GetOrderFunctionErrorsAlarm"]["Properties"]["AlarmName"] == {
        "Fn::Join": ["-", [{"Fn::Join": ["-", ["orders", {"Ref": "AWS::Region"}]]}, "get-order"]]}


def test_a_name_that_only_ends_like_the_function_s_is_not_the_function_s(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  BackordersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/backorders
  ReaderPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: logs:GetLogEvents
            Resource: !Sub arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/backorders:*
""", name="      FunctionName: orders\n")
    assert watchers_of(doc.data, "OrdersFunction") == ()


def test_a_watcher_no_new_function_has_a_copy_of_is_removed_with_a_note_saying_so(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, LOG_GROUP_BY_REF)
    function = new_function(doc)  # made as an earlier strangler made them: no copy of the log group
    sam.place_new_functions(doc.data["Resources"], "OrdersFunction", [("GetOrderFunction", function)])
    (split,) = retire(doc)
    assert split.replacement is DELETE and "no new function has a copy" in split.note


def test_a_statement_resource_computed_by_if_is_refused(tmp_path: Path) -> None:
    doc = doc_of(tmp_path, """
  OrdersLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/orders-api
  LogsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: logs:PutLogEvents
            Resource: !If [Prod, [!GetAtt OrdersLogGroup.Arn, arn:aws:logs:::log-group:/audit], !GetAtt OrdersLogGroup.Arn]
""", name="      FunctionName: orders-api\n")
    with pytest.raises(StranglerError, match="computed by !If") as refused:
        extract(doc)
    assert refused.value.where == "template.yaml: Resources.LogsPolicy"


CATCH_ALL = """      Events:
        Read:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: /order, Method: GET}
        Rest:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Path: "/{proxy+}", Method: ANY}
"""


def _catch_all_retired(tmp_path: Path, api: str, answers_preflight: bool) -> dict:
    doc = doc_of(tmp_path, api, more=CATCH_ALL)
    function = new_function(doc)
    function["Properties"]["Events"] = {"Read": doc.data["Resources"]["OrdersFunction"]["Properties"]["Events"].pop("Read")}
    sam.place_new_functions(doc.data["Resources"], "OrdersFunction", [("GetOrderFunction", function)])
    retire(doc, answers_preflight=answers_preflight)
    return written(doc)["GetOrderFunction"]["Properties"]["Events"]


def test_the_preflight_a_kept_catch_all_answered_goes_to_the_first_new_function(tmp_path: Path) -> None:
    events = _catch_all_retired(tmp_path, "  Api:\n    Type: AWS::Serverless::HttpApi\n", answers_preflight=True)
    assert list(events) == ["Read", "RestPreflight"]
    assert events["RestPreflight"]["Properties"] == {"ApiId": {"Ref": "Api"}, "Path": "/{proxy+}", "Method": "options"}


def test_a_catch_all_s_preflight_is_left_to_api_gateway_when_the_api_has_cors(tmp_path: Path) -> None:
    api = "  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      CorsConfiguration: {AllowOrigins: ['*']}\n"
    assert list(_catch_all_retired(tmp_path, api, answers_preflight=True)) == ["Read"]


def test_a_catch_all_whose_handler_does_not_answer_the_preflight_goes_as_before(tmp_path: Path) -> None:
    events = _catch_all_retired(tmp_path, "  Api:\n    Type: AWS::Serverless::HttpApi\n", answers_preflight=False)
    assert list(events) == ["Read"]
