"""``else`` and table defaults as actions on SNS subscriptions and API routes: a filter
policy listing every value of the key's field, or a monolith whose API events each name
one route, lets through a known set of keys; the default handles the one left over."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import analyse
from strangler.model import EventPath, FunctionRef
from strangler.render import codegen
from strangler.sources.http import HTTP_API, REST_API
from strangler.sources.sns import TOPICS
from tests.support.apps import snapshot, strangler
from tests.support.templates import sam_app

PATH = "src/app.py"
FUNCTION = FunctionRef("NotifyFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

ATTRIBUTE = EventPath(("Records", "*", "Sns", "MessageAttributes", "kind", "Value"))
BODY = EventPath(("Records", "*", "Sns", "Message", "(json)", "kind"))
NESTED_BODY = EventPath(("Records", "*", "Sns", "Message", "(json)", "order", "kind"))


def sns(policy, scope: str | None = None, **extra) -> dict:
    properties = {"Topic": {"Ref": "Topic"}, "FilterPolicy": policy, **extra}
    if scope is not None:
        properties["FilterPolicyScope"] = scope
    return {"Type": "SNS", "Properties": properties}


# --- SNS: listed_keys ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "path", "keys"),
    [
        (sns({"kind": ["a", "b"]}), ATTRIBUTE, {"a", "b"}),
        (sns({"kind": ["a", "b"]}, "MessageAttributes"), ATTRIBUTE, {"a", "b"}),
        (sns({"kind": ["a"], "region": ["eu"]}), ATTRIBUTE, {"a"}),  # other fields only narrow further
        (sns({"kind": ["a", "b"]}, "MessageBody"), BODY, {"a", "b"}),
        (sns({"order": {"kind": ["a"]}}, "MessageBody"), NESTED_BODY, {"a"}),
    ],
    ids=["attribute", "attribute-scope", "other-field", "body", "nested-body"],
)
def test_an_sns_policy_that_lists_the_values_lists_the_keys(event, path, keys) -> None:
    assert TOPICS.listed_keys(event, path) == frozenset(keys)


@pytest.mark.parametrize(
    ("event", "path"),
    [
        ({"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}}}, ATTRIBUTE),  # no policy
        (sns({"region": ["eu"]}), ATTRIBUTE),  # the key's field is free
        (sns({"kind": ["a", "b"]}), BODY),  # the policy is on attributes, the key in the body
        (sns({"kind": ["a", "b"]}, "MessageBody"), ATTRIBUTE),
        (sns({"kind": [{"anything-but": ["a"]}]}), ATTRIBUTE),
        (sns({"kind": [{"prefix": "order-"}]}), ATTRIBUTE),
        (sns({"kind": ["a", 5]}), ATTRIBUTE),
        (sns({"kind": []}), ATTRIBUTE),
        (sns({"$or": [{"kind": ["a"]}, {"region": ["eu"]}]}), ATTRIBUTE),
        (sns({"kind": ["a"], "$or": [{"x": ["1"]}, {"y": ["2"]}]}), ATTRIBUTE),
        (sns({"kind": ["a"]}, SqsSubscription=True), ATTRIBUTE),
        (sns({"kind": ["a"]}), EventPath(("Records", "*", "Sns", "Subject"))),
    ],
    ids=["no-policy", "free-field", "wrong-scope", "wrong-scope-body", "anything-but", "prefix",
         "number", "empty", "or", "or-beside", "sqs-subscription", "unfilterable-path"],
)
def test_otherwise_an_sns_subscription_lists_nothing(event, path) -> None:
    assert TOPICS.listed_keys(event, path) is None


# --- HTTP: listed_keys ---------------------------------------------------------------------
def api(path, method="get", kind="Api") -> dict:
    properties = {} if path is None else {"Path": path}
    if method is not None:
        properties["Method"] = method
    return {"Type": kind, "Properties": properties}


METHOD_PATH = EventPath(("method+path",))


@pytest.mark.parametrize(
    ("source", "event", "path", "keys"),
    [
        (REST_API, api("/orders", "post"), METHOD_PATH, {"POST /orders"}),
        (REST_API, api("/orders", "get"), EventPath(("httpMethod",)), {"GET"}),
        (REST_API, api("/{proxy+}", "delete"), EventPath(("httpMethod", "(any case)")), {"DELETE"}),
        (REST_API, api("/orders/{id}", "any"), EventPath(("resource",)), {"/orders/{id}"}),
        (HTTP_API, api("/orders/{id}", "get", "HttpApi"), EventPath(("routeKey",)), {"GET /orders/{id}"}),
        (HTTP_API, api("/orders", "any", "HttpApi"), EventPath(("requestContext", "routeKey")), {"ANY /orders"}),
        (HTTP_API, api("/orders", "put", "HttpApi"), METHOD_PATH, {"PUT /orders"}),
        (HTTP_API, api("/orders", "patch", "HttpApi"), EventPath(("requestContext", "http", "method")), {"PATCH"}),
    ],
    ids=["rest-route", "rest-method", "rest-method-on-proxy", "rest-resource", "http-route-key",
         "http-any-route-key", "http-route", "http-method"],
)
def test_an_api_event_lists_its_one_key(source, event, path, keys) -> None:
    assert source.listed_keys(event, path) == frozenset(keys)


@pytest.mark.parametrize(
    ("source", "event", "path"),
    [
        (REST_API, api("/orders", "any"), METHOD_PATH),  # any method
        (REST_API, api("/orders", "any"), EventPath(("httpMethod",))),
        (REST_API, api("/orders/{id}", "get"), METHOD_PATH),  # the key may be /orders/42
        (REST_API, api("/{proxy+}", "any"), EventPath(("resource",))),
        (REST_API, api({"Ref": "Path"}, "get"), METHOD_PATH),
        (REST_API, api("/orders", "get"), EventPath(("body", "(json)", "action"))),
        (REST_API, api("/orders", "get"), EventPath(("routeKey",))),  # REST events carry no routeKey
        (HTTP_API, api(None, None, "HttpApi"), EventPath(("routeKey",))),  # $default
        (HTTP_API, api("$default", "get", "HttpApi"), EventPath(("requestContext", "http", "method"))),
        (HTTP_API, api("/{proxy+}", "any", "HttpApi"), EventPath(("routeKey",))),
    ],
    ids=["rest-any", "rest-any-method", "rest-parameter", "rest-proxy", "rest-intrinsic-path", "rest-body",
         "rest-route-key", "http-default", "http-default-method", "http-proxy"],
)
def test_otherwise_an_api_event_lists_nothing(source, event, path) -> None:
    assert source.listed_keys(event, path) is None


# --- the default as an action ----------------------------------------------------------------
SNS_CHAIN = """\
def lambda_handler(event, context):
    record = event["Records"][0]
    kind = record["Sns"]["MessageAttributes"]["kind"]["Value"]
    if kind == "welcome":
        return {"sent": "welcome"}
    elif kind == "reset":
        return {"sent": "reset"}
    else:
        # the subscription only lets receipts through here
        return {"sent": "receipt", "kind": kind}
"""

REST_CHAIN = """\
def lambda_handler(event, context):
    route = "%s %s" % (event["httpMethod"], event["resource"])
    if route == "GET /orders":
        return {"statusCode": 200, "body": "[]"}
    elif route == "POST /orders":
        return {"statusCode": 201, "body": "{}"}
    else:
        return {"statusCode": 200, "body": "ok"}
"""

HTTP_TABLE = """\
def list_orders(event):
    return {"statusCode": 200, "body": "[]"}


def create_order(event):
    return {"statusCode": 201, "body": "{}"}


def health(event):
    return {"statusCode": 200, "body": "ok"}


ROUTES = {
    "GET /orders": list_orders,
    "POST /orders": create_order,
}


def lambda_handler(event, context):
    return ROUTES.get(event["routeKey"], health)(event)
"""


def subscription(*kinds: str) -> dict:
    return {"Notify": sns({"kind": list(kinds)})}


def routes(kind: str, *pairs: tuple[str, str]) -> dict:
    return {f"Route{i}": api(path, method, kind) for i, (method, path) in enumerate(pairs)}


ORDERS = (("get", "/orders"), ("post", "/orders"), ("get", "/health"))


@pytest.mark.parametrize(
    ("source", "events", "expected", "handler"),
    [
        (SNS_CHAIN, subscription("welcome", "reset", "receipt"), ["welcome", "reset", "receipt"], "else: inline code"),
        (REST_CHAIN, routes("Api", *ORDERS), ["GET /orders", "POST /orders", "GET /health"], "else: inline code"),
        (HTTP_TABLE, routes("HttpApi", *ORDERS), ["GET /orders", "POST /orders", "GET /health"], "default: health"),
    ],
    ids=["sns-else", "rest-else", "http-table-default"],
)
def test_the_default_serves_the_one_key_the_events_still_let_through(source, events, expected, handler) -> None:
    analysis = analyse(FUNCTION, textwrap.dedent(source), PATH, (), events=events)
    assert [a.key for a in analysis.dispatch.actions] == expected
    assert analysis.dispatch.actions[-1].handler == handler
    code = codegen.extracted_module(analysis, expected[-1], '"""extracted"""')[0]
    assert "201" not in code and "[]" not in code


@pytest.mark.parametrize(
    ("source", "events"),
    [
        (SNS_CHAIN, subscription("welcome", "reset", "receipt", "invoice")),  # two left
        (SNS_CHAIN, {"Notify": sns({"kind": [{"anything-but": ["welcome", "reset"]}]})}),
        (SNS_CHAIN, {**subscription("welcome", "reset", "receipt"), "Other": sns({"region": ["eu"]})}),
        (REST_CHAIN, routes("Api", *ORDERS, ("delete", "/orders"))),  # two left
        (REST_CHAIN, routes("Api", ("get", "/orders"), ("post", "/orders"), ("any", "/health"))),
        (REST_CHAIN, routes("Api", ("get", "/orders"), ("post", "/orders"), ("get", "/orders/{id}"))),
        (HTTP_TABLE, routes("HttpApi", *ORDERS, ("any", "/{proxy+}"))),
        (HTTP_TABLE, routes("HttpApi", ("get", "/orders"), ("post", "/orders"))),  # nothing left
    ],
    ids=["sns-two-left", "sns-anything-but", "sns-unfiltered-sibling", "rest-two-left", "rest-any",
         "rest-parameter", "http-catch-all", "http-none-left"],
)
def test_otherwise_the_default_stays_the_monoliths(source, events) -> None:
    analysis = analyse(FUNCTION, textwrap.dedent(source), PATH, (), events=events)
    assert len(analysis.dispatch.actions) == 2


# --- end to end ------------------------------------------------------------------------------
SNS_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  NotifyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Notify:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            FilterPolicy:
              kind:
                - welcome
                - reset
                - receipt
"""

REST_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  NotifyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        ListOrders:
          Type: Api
          Properties:
            Path: /orders
            Method: get
        CreateOrder:
          Type: Api
          Properties:
            Path: /orders
            Method: post
        Health:
          Type: Api
          Properties:
            Path: /health
            Method: get

Outputs:
  ApiUrl:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
"""

CASES = {
    "sns": (SNS_TEMPLATE, SNS_CHAIN, ("welcome", "reset", "receipt")),
    "rest": (REST_TEMPLATE, REST_CHAIN, ("GET /orders", "POST /orders", "GET /health")),
}


def app(folder: Path, case: str) -> Path:
    template, code, _ = CASES[case]
    return sam_app(folder, template, code)


@pytest.mark.parametrize("case", list(CASES))
def test_extract_takes_the_else_and_the_template_routes_it(tmp_path: Path, case: str) -> None:
    folder = app(tmp_path / "app", case)
    last = CASES[case][2][-1]
    scan = strangler(folder, "scan")
    assert scan.exit_code == 0, scan.output
    assert f"{last}  else: inline code" in scan.output
    result = strangler(folder, "extract", last)
    assert result.exit_code == 0, result.output
    template = (folder / "template.yaml").read_text(encoding="utf-8")
    assert template.count("Type: AWS::Serverless::Function") == 2
    assert "else" not in (folder / "src" / "app.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", list(CASES))
def test_extracting_one_by_one_then_migrating_equals_migrating(tmp_path: Path, case: str) -> None:
    stepwise = app(tmp_path / "stepwise", case)
    for action in CASES[case][2]:
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
    assert strangler(stepwise, "migrate").exit_code == 0
    at_once = app(tmp_path / "at-once", case)
    result = strangler(at_once, "migrate")
    assert result.exit_code == 0, result.output
    assert snapshot(stepwise) == snapshot(at_once)
