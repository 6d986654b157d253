"""The delivery simulator agrees with AWS's documented routing on SAM-translated templates."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from strangler.verify import routing
from tests.support import samcheck
from strangler.verify.patterns import matches


def translated(tmp_path: Path, resources: str) -> dict[str, Any]:
    """Write a SAM template (Globals give every function code) and translate it."""
    (tmp_path / "src").mkdir(exist_ok=True)
    path = tmp_path / "template.yaml"
    header = """\
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
    Resources:
    """
    path.write_text(textwrap.dedent(header) + textwrap.indent(textwrap.dedent(resources), "  "))
    return samcheck.assert_valid(path)


def eb_event(detail_type: str, detail: dict[str, Any] | None = None, source: str = "shop") -> dict[str, Any]:
    return {
        "version": "0", "id": "1", "source": source, "detail-type": detail_type,
        "account": "123456789012", "region": "us-east-1", "time": "2024-01-01T00:00:00Z",
        "resources": [], "detail": detail or {},
    }


def sns_event(message: Any, **attributes: Any) -> dict[str, Any]:
    def typed(value: Any) -> dict[str, str]:
        if isinstance(value, list):
            return {"Type": "String.Array", "Value": json.dumps(value)}
        if isinstance(value, (int, float)):
            return {"Type": "Number", "Value": str(value)}
        return {"Type": "String", "Value": value}

    body = message if isinstance(message, str) else json.dumps(message)
    return {"Records": [{"EventSource": "aws:sns", "Sns": {
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:topic", "Message": body,
        "MessageAttributes": {name: typed(value) for name, value in attributes.items()},
    }}]}


def http_event(method: str, path: str, stage: str = "$default") -> dict[str, Any]:
    return {
        "version": "2.0", "routeKey": "ignored", "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}, "stage": stage},
    }


def rest_event(method: str, path: str) -> dict[str, Any]:
    return {"resource": "ignored", "path": path, "httpMethod": method, "requestContext": {}}


# --------------------------------------------------------------------------- EventBridge

EVENTBRIDGE = """
Bus:
  Type: AWS::Events::EventBus
  Properties: {Name: shop}
Created:
  Type: AWS::Serverless::Function
  Properties:
    AutoPublishAlias: live
    Events:
      Rule:
        Type: EventBridgeRule
        Properties:
          EventBusName: !Ref Bus
          Pattern: {source: [shop], detail-type: [OrderCreated, OrderUpdated]}
Deleted:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Rule:
        Type: EventBridgeRule
        Properties:
          EventBusName: !Ref Bus
          Pattern: {detail-type: [OrderDeleted]}
Other:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Rule:
        Type: EventBridgeRule
        Properties:
          EventBusName: !Ref Bus
          Pattern:
            source: [shop]
            detail-type: [{anything-but: [OrderCreated, OrderUpdated, OrderDeleted]}]
Raw:
  Type: AWS::Serverless::Function
RawRule:
  Type: AWS::Events::Rule
  Properties:
    EventPattern: '{"source": ["audit"], "detail": {"level": [{"numeric": [">=", 3]}]}}'
    Targets: [{Id: raw, Arn: !GetAtt Raw.Arn}]
DisabledRule:
  Type: AWS::Events::Rule
  Properties:
    State: DISABLED
    EventPattern: {source: [audit]}
    Targets: [{Id: off, Arn: !GetAtt Deleted.Arn}]
"""


@pytest.fixture(scope="module")
def eventbridge_cfn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return translated(tmp_path_factory.mktemp("eb"), EVENTBRIDGE)


@pytest.mark.parametrize(
    ("detail_type", "expected"),
    [("OrderCreated", {"Created"}), ("OrderUpdated", {"Created"}),
     ("OrderDeleted", {"Deleted"}), ("OrderShipped", {"Other"})],
)
def test_eventbridge_event_reaches_only_the_rule_listing_its_detail_type(
    eventbridge_cfn: dict[str, Any], detail_type: str, expected: set[str]
) -> None:
    assert routing.eventbridge_targets(eventbridge_cfn, eb_event(detail_type)) == expected
    assert routing.targets(eventbridge_cfn, eb_event(detail_type)) == expected


def test_eventbridge_alias_target_resolves_to_function(eventbridge_cfn: dict[str, Any]) -> None:
    rule = next(
        props for _, props in _typed(eventbridge_cfn, "AWS::Events::Rule")
        if isinstance(props.get("EventPattern"), dict)
        and props["EventPattern"].get("detail-type") == ["OrderCreated", "OrderUpdated"]
    )
    assert rule["Targets"][0]["Arn"] == {"Ref": "CreatedAliaslive"}
    assert routing.functions(eventbridge_cfn) == {"Created", "Deleted", "Other", "Raw"}


def test_eventbridge_json_string_pattern_and_disabled_rule(eventbridge_cfn: dict[str, Any]) -> None:
    assert routing.eventbridge_targets(eventbridge_cfn, eb_event("x", {"level": 3}, "audit")) == {"Raw"}
    assert routing.eventbridge_targets(eventbridge_cfn, eb_event("x", {"level": 2}, "audit")) == set()
    assert routing.eventbridge_targets(eventbridge_cfn, eb_event("x", {"level": "3"}, "audit")) == set()


def test_eventbridge_bus_filter(eventbridge_cfn: dict[str, Any]) -> None:
    event = eb_event("OrderDeleted")
    assert routing.eventbridge_targets(eventbridge_cfn, event, bus="Bus") == {"Deleted"}
    assert routing.eventbridge_targets(eventbridge_cfn, event, bus="default") == set()


def _typed(cfn: dict[str, Any], type_name: str) -> list[tuple[str, dict[str, Any]]]:
    return [(k, v.get("Properties", {})) for k, v in cfn["Resources"].items() if v["Type"] == type_name]


# Pattern semantics, checked against moto's EventBridge matcher as a second opinion.
PATTERN_CASES: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    ({"detail-type": ["A", "B"]}, {"detail-type": "B"}, True),
    ({"detail-type": ["A", "B"]}, {"detail-type": "C"}, False),
    ({"detail": {"kind": ["a"]}}, {"detail": {}}, False),
    ({"detail": {"kind": [{"prefix": "ord"}]}}, {"detail": {"kind": "order"}}, True),
    ({"detail": {"kind": [{"prefix": "ord"}]}}, {"detail": {"kind": "return"}}, False),
    ({"detail": {"kind": [{"anything-but": "a"}]}}, {"detail": {"kind": "b"}}, True),
    ({"detail": {"kind": [{"anything-but": "a"}]}}, {"detail": {"kind": "a"}}, False),
    ({"detail": {"kind": [{"anything-but": ["a", "b"]}]}}, {"detail": {"kind": "b"}}, False),
    ({"detail": {"kind": [{"anything-but": ["a", "b"]}]}}, {"detail": {"kind": "c"}}, True),
    ({"detail": {"kind": [{"anything-but": ["a"]}]}}, {"detail": {}}, False),
    ({"detail": {"kind": [{"anything-but": {"prefix": "int"}}]}}, {"detail": {"kind": "internal"}}, False),
    ({"detail": {"kind": [{"anything-but": {"prefix": "int"}}]}}, {"detail": {"kind": "external"}}, True),
    ({"detail": {"kind": [{"exists": True}]}}, {"detail": {"kind": "x"}}, True),
    ({"detail": {"kind": [{"exists": True}]}}, {"detail": {}}, False),
    ({"detail": {"kind": [{"exists": False}]}}, {"detail": {}}, True),
    ({"detail": {"kind": [{"exists": False}]}}, {"detail": {"kind": "x"}}, False),
    ({"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"n": 5}}, True),
    ({"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"n": 6}}, False),
    ({"detail": {"n": [{"numeric": [">", 0]}]}}, {"detail": {"n": "1"}}, False),
    ({"detail": {"a": {"b": ["x"]}}}, {"detail": {"a": {"b": "x"}}}, True),
    ({"detail": {"a": {"b": ["x"]}}}, {"detail": {"a": {"b": "y"}}}, False),
    ({"detail": {"tags": ["red"]}}, {"detail": {"tags": ["blue", "red"]}}, True),
    ({"detail": {"n": [5]}}, {"detail": {"n": 5.0}}, True),
    ({"detail": {"n": ["5"]}}, {"detail": {"n": 5}}, False),
    ({"$or": [{"source": ["a"]}, {"detail-type": ["t"]}]}, {"source": "b", "detail-type": "t"}, True),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), PATTERN_CASES)
def test_pattern_semantics(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected
    moto_models = pytest.importorskip("moto.events.models")
    assert moto_models.EventPattern.load(json.dumps(pattern)).matches_event(event) is expected


def test_unknown_operator_is_an_error_not_a_match() -> None:
    with pytest.raises(ValueError, match="unsupported filter operator"):
        matches({"kind": [{"regex": "a.*"}]}, {"kind": "abc"})


# --------------------------------------------------------------------------- SNS

SNS = """
Topic:
  Type: AWS::SNS::Topic
Other:
  Type: AWS::SNS::Topic
KindA:
  Type: AWS::Serverless::Function
  Properties:
    AutoPublishAlias: live
    Events:
      Sub:
        Type: SNS
        Properties:
          Topic: !Ref Topic
          FilterPolicyScope: MessageBody
          FilterPolicy: {kind: [a]}
NotA:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Sub:
        Type: SNS
        Properties:
          Topic: !Ref Topic
          FilterPolicyScope: MessageBody
          FilterPolicy:
            kind: [{anything-but: [a]}, {exists: false}]
ByAttribute:
  Type: AWS::Serverless::Function
ByAttributeSubscription:
  Type: AWS::SNS::Subscription
  Properties:
    TopicArn: !Ref Other
    Protocol: lambda
    Endpoint: !GetAtt ByAttribute.Arn
    FilterPolicy: '{"tier": ["gold", {"prefix": "plat"}], "size": [{"numeric": [">", 10]}]}'
Everything:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Sub:
        Type: SNS
        Properties: {Topic: !Ref Other}
"""


@pytest.fixture(scope="module")
def sns_cfn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return translated(tmp_path_factory.mktemp("sns"), SNS)


@pytest.mark.parametrize(
    ("message", "expected"),
    [({"kind": "a"}, {"KindA"}), ({"kind": "b"}, {"NotA"}), ({"other": 1}, {"NotA"}),
     ({"kind": ["b", "a"]}, {"KindA"})],
)
def test_sns_message_body_policies_split_messages(
    sns_cfn: dict[str, Any], message: dict[str, Any], expected: set[str]
) -> None:
    assert routing.sns_targets(sns_cfn, sns_event(message), topic_id="Topic") == expected
    assert routing.targets(sns_cfn, sns_event(message)) == expected | {"Everything"}


def test_sns_attribute_policy_as_json_string(sns_cfn: dict[str, Any]) -> None:
    def deliver(**attributes: Any) -> set[str]:
        return routing.sns_targets(sns_cfn, sns_event({}, **attributes), topic_id="Other")

    assert deliver(tier="gold", size=11) == {"ByAttribute", "Everything"}
    assert deliver(tier="platinum", size=11) == {"ByAttribute", "Everything"}
    assert deliver(tier=["silver", "gold"], size=11) == {"ByAttribute", "Everything"}
    assert deliver(tier="gold", size=10) == {"Everything"}
    assert deliver(tier="gold", size="11") == {"Everything"}
    assert deliver(size=11) == {"Everything"}


def test_sns_subscriptions_are_what_sam_generates(sns_cfn: dict[str, Any]) -> None:
    subscriptions = dict(_typed(sns_cfn, "AWS::SNS::Subscription"))
    assert subscriptions["KindASub"]["Endpoint"] == {"Ref": "KindAAliaslive"}
    assert subscriptions["NotASub"]["FilterPolicyScope"] == "MessageBody"
    assert {k for k, _ in _typed(sns_cfn, "AWS::Lambda::Permission")} >= {"KindASubPermission"}


# --------------------------------------------------------------------------- HTTP / REST

HTTP = """
Api:
  Type: AWS::Serverless::HttpApi
Create:
  Type: AWS::Serverless::Function
  Properties:
    AutoPublishAlias: live
    Events:
      Http:
        Type: HttpApi
        Properties: {ApiId: !Ref Api, Path: /orders, Method: post}
Read:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Http:
        Type: HttpApi
        Properties: {ApiId: !Ref Api, Path: "/orders/{id}", Method: get}
Proxy:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Root:
        Type: HttpApi
        Properties: {ApiId: !Ref Api, Path: /orders, Method: any}
      Http:
        Type: HttpApi
        Properties: {ApiId: !Ref Api, Path: "/orders/{proxy+}", Method: any}
Fallback:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Http:
        Type: HttpApi
        Properties: {ApiId: !Ref Api}
Rest:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Create:
        Type: Api
        Properties: {Path: /orders, Method: post}
RestProxy:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Any:
        Type: Api
        Properties: {Path: "/{proxy+}", Method: any}
"""


@pytest.fixture(scope="module")
def http_cfn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return translated(tmp_path_factory.mktemp("http"), HTTP)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/orders", {"Create"}),        # exact path and method
        ("GET", "/orders", {"Proxy"}),          # exact path, ANY
        ("GET", "/orders/7", {"Read"}),         # {param} beats greedy
        ("DELETE", "/orders/7", {"Proxy"}),     # greedy ANY beats $default
        ("GET", "/orders/7/lines", {"Proxy"}),
        ("GET", "/customers", {"Fallback"}),    # only $default left
    ],
)
def test_http_route_selection(http_cfn: dict[str, Any], method: str, path: str, expected: set[str]) -> None:
    assert routing.http_targets(http_cfn, http_event(method, path)) == expected
    assert routing.targets(http_cfn, http_event(method, path)) == expected


def test_http_named_stage_prefix_is_stripped(http_cfn: dict[str, Any]) -> None:
    assert routing.http_targets(http_cfn, http_event("POST", "/prod/orders", stage="prod")) == {"Create"}


def test_http_api_id_restricts(http_cfn: dict[str, Any]) -> None:
    assert routing.http_targets(http_cfn, http_event("POST", "/orders"), api_id="Api") == {"Create"}
    with pytest.raises(ValueError, match="no AWS::ApiGatewayV2::Api named 'Nope'"):
        routing.http_targets(http_cfn, http_event("POST", "/orders"), api_id="Nope")
    event = http_event("POST", "/orders")
    event["requestContext"]["apiId"] = "a1b2c3"  # a real API id: not a logical id, ask all
    assert routing.http_targets(http_cfn, event) == {"Create"}


def test_exact_route_beats_proxy_beats_default() -> None:
    routes = [
        routing.Route("ANY", "/{proxy+}", "Proxy"),
        routing.Route("ANY", "$default", "Default"),
        routing.Route("POST", "/orders", "Exact"),
    ]

    def pick(method: str, path: str) -> str | None:
        route = routing.select_route(routes, method, path, allow_default=True)
        return route.function if route else None

    assert pick("POST", "/orders") == "Exact"
    assert pick("GET", "/orders") == "Proxy"
    assert pick("GET", "/") == "Default"
    assert routing.select_route(routes, "GET", "/", allow_default=False) is None


def test_rest_route_selection(http_cfn: dict[str, Any]) -> None:
    assert routing.rest_targets(http_cfn, rest_event("POST", "/orders")) == {"Rest"}
    assert routing.rest_targets(http_cfn, rest_event("GET", "/things/1")) == {"RestProxy"}
    assert routing.targets(http_cfn, rest_event("POST", "/orders")) == {"Rest"}


def test_unknown_event_shape_is_an_error(http_cfn: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unrecognised event shape"):
        routing.targets(http_cfn, {"hello": "world"})


# --------------------------------------------------------------------------- OpenAPI definitions

DEFINITION = """\
openapi: "3.0.1"
paths:
  /a:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub:
            - arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Target}/invocations
            - Target: {Fn::GetAtt: [A, Arn]}
  /b:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: {Fn::Sub: "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${B.Arn}/invocations"}
"""

INCLUDING_API = """
A:
  Type: AWS::Serverless::Function
B:
  Type: AWS::Serverless::Function
Api:
  Type: AWS::Serverless::Api
  Properties:
    StageName: v1
    DefinitionBody:
      Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./openapi.yaml}}
AllowA:
  Type: AWS::Lambda::Permission
  Properties:
    Action: lambda:InvokeFunction
    FunctionName: !Ref A
    Principal: apigateway.amazonaws.com
    SourceArn: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*
"""


def test_an_included_definition_is_inserted_and_routed_through_sub_variables(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(DEFINITION)
    cfn = translated(tmp_path, INCLUDING_API)
    assert "paths" in cfn["Resources"]["Api"]["Properties"]["Body"]
    assert routing.targets(cfn, rest_event("GET", "/a")) == {"A"}


def test_a_definition_route_without_a_permission_reaches_nothing(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(DEFINITION)
    cfn = translated(tmp_path, INCLUDING_API)
    assert routing.targets(cfn, rest_event("GET", "/b")) == set()  # API Gateway may not invoke B


def test_an_include_not_inserted_is_an_error_not_a_miss() -> None:
    cfn = {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/openapi.yaml"}}}}}}}
    with pytest.raises(ValueError, match="not inserted"):
        routing.targets(cfn, rest_event("GET", "/a"))


# --------------------------------------------------------------------------- streams

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/app-OrdersTable-1AB2/stream/2024-05-01T00:00:00.000"


def stream_record(name: str, kind: str | None = None, arn: str = STREAM_ARN) -> dict[str, Any]:
    dynamodb: dict[str, Any] = {"Keys": {"id": {"S": "1"}}}
    if kind is not None:
        dynamodb["NewImage"] = {"id": {"S": "1"}, "kind": {"S": kind}}
    return {"eventID": f"{name}-{kind}", "eventName": name, "eventSource": "aws:dynamodb",
            "eventSourceARN": arn, "dynamodb": dynamodb}


def stream_function(name: str, pattern: str | None, table: str = "OrdersTable") -> str:
    indent = " " * 14
    criteria = (f"\n{indent}FilterCriteria:\n{indent}  Filters:\n{indent}    - Pattern: '{pattern}'" if pattern else "")
    return f"""
    {name}:
      Type: AWS::Serverless::Function
      Properties:
        Events:
          Changes:
            Type: DynamoDB
            Properties:
              Stream: !GetAtt {table}.StreamArn
              StartingPosition: LATEST{criteria}
    """


TABLES = """
OrdersTable:
  Type: AWS::DynamoDB::Table
  Properties:
    KeySchema: [{AttributeName: id, KeyType: HASH}]
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    BillingMode: PAY_PER_REQUEST
    StreamSpecification: {StreamViewType: NEW_IMAGE}
OtherTable:
  Type: AWS::DynamoDB::Table
  Properties:
    TableName: other
    KeySchema: [{AttributeName: id, KeyType: HASH}]
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    BillingMode: PAY_PER_REQUEST
    StreamSpecification: {StreamViewType: NEW_IMAGE}
"""


def stream_cfn(tmp_path: Path, *functions: str) -> dict[str, Any]:
    return translated(tmp_path, TABLES + "".join(textwrap.dedent(f) for f in functions))


def test_stream_records_reach_the_mapping_whose_filter_admits_them(tmp_path: Path) -> None:
    cfn = stream_cfn(
        tmp_path,
        stream_function("Inserts", '{"eventName": ["INSERT"]}'),
        stream_function("Rest", '{"eventName": [{"anything-but": ["INSERT"]}]}'),
        stream_function("Others", None, "OtherTable"),
    )
    assert routing.targets(cfn, {"Records": [stream_record("INSERT")]}) == {"Inserts"}
    assert routing.targets(cfn, {"Records": [stream_record("MODIFY"), stream_record("REMOVE")]}) == {"Rest"}
    # a mixed batch is split record by record
    assert routing.targets(cfn, {"Records": [stream_record("INSERT"), stream_record("REMOVE")]}) == {"Inserts", "Rest"}
    other = STREAM_ARN.replace("app-OrdersTable-1AB2", "other")
    assert routing.targets(cfn, {"Records": [stream_record("INSERT", arn=other)]}) == {"Others"}


def test_an_exists_false_alternative_keeps_records_without_the_field(tmp_path: Path) -> None:
    cfn = stream_cfn(
        tmp_path,
        stream_function("Refunds", '{"dynamodb": {"NewImage": {"kind": {"S": ["refund"]}}}}'),
        stream_function("Rest", '{"dynamodb": {"NewImage": {"kind": {"S": [{"anything-but": ["refund"]}, {"exists": false}]}}}}'),
    )
    assert routing.targets(cfn, {"Records": [stream_record("INSERT", "refund")]}) == {"Refunds"}
    assert routing.targets(cfn, {"Records": [stream_record("INSERT", "sale")]}) == {"Rest"}
    assert routing.targets(cfn, {"Records": [stream_record("REMOVE")]}) == {"Rest"}


def test_overlapping_stream_filters_are_an_error(tmp_path: Path) -> None:
    cfn = stream_cfn(tmp_path, stream_function("Inserts", '{"eventName": ["INSERT"]}'), stream_function("All", None))
    with pytest.raises(AssertionError, match="filters overlap"):
        routing.targets(cfn, {"Records": [stream_record("INSERT")]})


def test_a_stream_record_no_filter_admits_beside_one_that_is_routed_is_an_error(tmp_path: Path) -> None:
    cfn = stream_cfn(tmp_path, stream_function("Inserts", '{"eventName": ["INSERT"]}'))
    assert routing.targets(cfn, {"Records": [stream_record("REMOVE")]}) == set()
    with pytest.raises(AssertionError, match="filters leave a gap"):
        routing.targets(cfn, {"Records": [stream_record("INSERT"), stream_record("REMOVE")]})


def test_kinesis_filters_apply_to_the_decoded_data(tmp_path: Path) -> None:
    import base64

    cfn = translated(tmp_path, """
        Clicks:
          Type: AWS::Kinesis::Stream
          Properties: {ShardCount: 1}
        Purchases:
          Type: AWS::Serverless::Function
          Properties:
            Events:
              Stream:
                Type: Kinesis
                Properties:
                  Stream: !GetAtt Clicks.Arn
                  StartingPosition: LATEST
                  FilterCriteria:
                    Filters:
                      - Pattern: '{"data": {"kind": ["purchase"]}}'
        """)

    def kinesis(kind: str) -> dict[str, Any]:
        data = base64.b64encode(json.dumps({"kind": kind}).encode()).decode()
        return {"Records": [{"eventSource": "aws:kinesis", "eventID": "1", "kinesis": {"data": data},
                             "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/app-Clicks-9XY"}]}

    assert routing.targets(cfn, kinesis("purchase")) == {"Purchases"}
    assert routing.targets(cfn, kinesis("view")) == set()
