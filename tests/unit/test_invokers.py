"""invokers_of: which resources deliver events to a function, through every intrinsic form."""

from __future__ import annotations

from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from strangler.template.document import TemplateDocument
from strangler.template.invokers import invokers_of

FUNCTION = {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.handler", "CodeUri": "src/"}}


def found(resources: dict[str, Any], parameters: dict[str, Any] | None = None, function: dict | None = None) -> list[str]:
    template = {"Resources": {"Mono": function or FUNCTION, **resources}}
    if parameters:
        template["Parameters"] = parameters
    return [f"{i.logical_id} {i.kind} {i.how}" for i in invokers_of(template, "Mono")]


def rule(arn: Any) -> dict:
    return {"R": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "t", "Arn": arn}]}}}


@pytest.mark.parametrize("arn", [
    {"Fn::GetAtt": ["Mono", "Arn"]},
    {"Fn::GetAtt": "Mono.Arn"},
    {"Ref": "Mono"},
    {"Fn::Sub": "${Mono.Arn}"},
    {"Fn::Sub": ["${X}", {"X": {"Fn::GetAtt": ["Mono", "Arn"]}}]},
    {"Fn::Join": ["", [{"Fn::GetAtt": ["Mono", "Arn"]}, ":live"]]},
    {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, {"Ref": "Mono"}]},
    {"Ref": "Mono.Alias"},
    {"Ref": "MonoAliaslive"},  # SAM derives it from AutoPublishAlias
])
def test_every_intrinsic_form_of_a_reference(arn: Any) -> None:
    assert found(rule(arn)) == ["R AWS::Events::Rule Targets[0].Arn"]


def test_yaml_short_tags_through_ruamel(tmp_path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Mono:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: app.handler}\n"
        "  R:\n    Type: AWS::Events::Rule\n    Properties:\n      Targets:\n"
        "        - {Id: a, Arn: !GetAtt [Mono, Arn]}\n"
        "  S:\n    Type: AWS::SNS::Subscription\n    Properties:\n      Protocol: lambda\n"
        "      Endpoint: !Join ['', [!Sub '${Mono.Arn}']]\n",
        encoding="utf-8",
    )
    data = TemplateDocument.load(path).data
    assert [i.logical_id for i in invokers_of(data, "Mono")] == ["R", "S"]


def test_a_physical_name_in_an_arn_string() -> None:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"FunctionName": "orders-prod", "Handler": "a.b"}}
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-prod:live"
    assert found(rule(arn), function=function) == ["R AWS::Events::Rule Targets[0].Arn"]
    assert found(rule("arn:aws:lambda:eu-west-1:123456789012:function:orders-prod-v2"), function=function) == []


def test_a_parameter_whose_name_starts_like_the_function_is_not_it() -> None:
    assert found(rule({"Ref": "MonoTargetArn"}), parameters={"MonoTargetArn": {"Type": "String"}}) == []


def test_permissions_for_accounts_are_direct_callers_and_for_services_deliveries() -> None:
    def permission(**properties: Any) -> dict:
        return {"P": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Mono"}, **properties}}}

    assert found(permission(Principal="111122223333")) == []
    assert found(permission(Principal={"Ref": "CallerAccount"})) == []
    assert found(permission(Principal="sns.amazonaws.com")) == ["P AWS::Lambda::Permission FunctionName with Principal sns.amazonaws.com"]
    assert found(permission(Principal="*", SourceArn="arn:aws:execute-api:..."))[0].endswith("SourceArn")
    assert found(permission(Principal="*", FunctionUrlAuthType="NONE", Action="lambda:InvokeFunctionUrl"))


def test_references_that_are_not_deliveries() -> None:
    resources = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"Statement": [{"Resource": {"Fn::GetAtt": ["Mono", "Arn"]}}]}]}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Mono}"}}},
        "Caller": {"Type": "AWS::Serverless::Function", "Properties": {"Environment": {"Variables": {"F": {"Ref": "Mono"}}}}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Mono"}}]}},
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Mono"}}},
        "Token": {"Type": "Custom::Seed", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Mono", "Arn"]}}},
    }
    assert found(resources) == []


def test_an_unknown_kind_that_names_the_function_counts() -> None:
    resources = {"Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"Parameters": {"Fn": {"Ref": "Mono"}}}}}
    assert found(resources) == ["Nested AWS::CloudFormation::Stack Parameters"]


def test_kinds_beyond_the_usual_ones() -> None:
    arn = {"Fn::GetAtt": ["Mono", "Arn"]}
    resources = {
        "Url": {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": arn, "AuthType": "NONE"}},
        "Sfn": {"Type": "AWS::Serverless::StateMachine", "Properties": {"Definition": {"States": {"A": {"Resource": arn}}}}},
        "Other": {"Type": "AWS::Serverless::Function", "Properties": {"EventInvokeConfig": {
            "DestinationConfig": {"OnSuccess": {"Type": "Lambda", "Destination": arn}}}}},
        "Authorizer": {"Type": "AWS::ApiGateway::Authorizer", "Properties": {"AuthorizerUri": {"Fn::Sub": "x/${Mono.Arn}/y"}}},
        "Subscription": {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {"DestinationArn": arn}},
    }
    assert [line.split()[0] for line in found(resources)] == list(resources)


def test_a_function_url_of_its_own_is_a_route() -> None:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "a.b", "FunctionUrlConfig": {"AuthType": "NONE"}}}
    assert found({}, function=function) == ["Mono AWS::Serverless::Function its FunctionUrlConfig (HTTP requests to its function URL)"]


def test_a_function_url_from_globals_is_a_route_too() -> None:
    template = {"Globals": {"Function": {"FunctionUrlConfig": {"AuthType": "AWS_IAM"}}}, "Resources": {"Mono": FUNCTION}}
    assert [i.how for i in invokers_of(template, "Mono")] == ["its FunctionUrlConfig (HTTP requests to its function URL)"]


def test_an_sns_subscription_of_another_protocol_is_not_a_delivery() -> None:
    resources = {"S": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "sqs", "Endpoint": {"Ref": "Mono"}}}}
    assert found(resources) == []


def test_samtranslator_parse_and_ruamel_parse_agree() -> None:
    text = "Resources:\n  Mono: {Type: AWS::Serverless::Function}\n  R:\n    Type: AWS::Pipes::Pipe\n    Properties:\n      Enrichment: !GetAtt Mono.Arn\n"
    assert [i.how for i in invokers_of(yaml_parse(text), "Mono")] == ["Enrichment"]
