"""A handler with one action is not a monolith: one branch on a value from the event (and
a default) is a dispatch of one action, reported as such, and never split. One ``if`` on
a value not from the event is no dispatch at all."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import analyse
from strangler.analyse.dispatch.table import NoDispatch
from strangler.model import FunctionRef
from tests.support.apps import snapshot, strangler
from tests.support.templates import sam_app

PATH = "src/app.py"
FUNCTION = FunctionRef("OrdersFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

IF_ELSE = """\
def lambda_handler(event, context):
    method = event["requestContext"]["http"]["method"]
    if method == "GET":
        return {"statusCode": 200, "body": "[]"}
    return {"statusCode": 405}
"""

MATCH = """\
def lambda_handler(event, context):
    match event["detail-type"]:
        case "OrderPlaced":
            return {"placed": 1}
        case _:
            return {"ignored": 1}
"""

TABLE = """\
def on_get(event):
    return {"statusCode": 200}


ROUTES = {"GET": on_get}


def lambda_handler(event, context):
    return ROUTES[event["requestContext"]["http"]["method"]](event)
"""


def analysed(source: str, events=None):
    return analyse(FUNCTION, textwrap.dedent(source), PATH, events=events)


@pytest.mark.parametrize(
    ("source", "key"), [(IF_ELSE, "GET"), (MATCH, "OrderPlaced"), (TABLE, "GET")], ids=["if", "match", "table"],
)
def test_one_branch_on_the_event_is_a_dispatch_of_one_action(source: str, key: str) -> None:
    assert [a.key for a in analysed(source).dispatch.actions] == [key]


@pytest.mark.parametrize(
    "source",
    [
        ('import os\n\nSTAGE = os.environ["STAGE"]\n\n\ndef lambda_handler(event, context):\n'
        '    if STAGE == "prod":\n        return {"prod": 1}\n    return {"dev": 1}\n'),
        ('import os\n\n\ndef lambda_handler(event, context):\n'
        '    if os.environ.get("STAGE") == "prod":\n        print("prod")\n    return {"ok": 1}\n'),
    ],
    ids=["module-constant", "environment"],
)
def test_one_if_on_a_value_not_from_the_event_is_no_dispatch(source: str) -> None:
    with pytest.raises(NoDispatch, match="no dispatch found"):
        analysed(source)


def test_two_lone_tests_on_different_event_values_are_no_dispatch_not_a_refusal() -> None:
    source = """\
def lambda_handler(event, context):
    if event.get("source") == "serverless-plugin-warmup":
        return {}
    if event["requestContext"]["http"]["method"] == "OPTIONS":
        return {"statusCode": 204}
    return {"statusCode": 200}
"""
    with pytest.raises(NoDispatch, match="no dispatch found"):
        analysed(source)


def test_a_guard_in_front_of_a_helper_that_dispatches_is_not_the_dispatch() -> None:
    source = """\
def handle(kind, event):
    if kind == "OrderPlaced":
        return {"placed": 1}
    elif kind == "OrderCancelled":
        return {"cancelled": 1}


def lambda_handler(event, context):
    if event.get("source") == "serverless-plugin-warmup":
        return {}
    return handle(event["detail-type"], event)
"""
    assert [a.key for a in analysed(source).dispatch.actions] == ["OrderPlaced", "OrderCancelled"]


def test_one_branch_and_an_else_the_rule_gives_a_key_are_two_actions() -> None:
    source = MATCH
    rule = {"Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"detail-type": ["OrderPlaced", "OrderShipped"]}}}}
    assert [a.key for a in analysed(source, rule).dispatch.actions] == ["OrderPlaced", "OrderShipped"]


TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        List:
          Type: HttpApi
          Properties:
            Path: /orders
            Method: ANY
"""


def app(folder: Path, source: str) -> Path:
    return sam_app(folder, TEMPLATE, source)


@pytest.mark.parametrize(("source", "line"), [(IF_ELSE, 3), (TABLE, 5)], ids=["if", "table"])
def test_scan_says_one_action_only_and_migrate_leaves_it_alone(tmp_path: Path, source: str, line: int) -> None:
    folder = app(tmp_path / "app", source)
    scan = strangler(folder, "scan")
    assert scan.exit_code == 0, scan.output
    assert f"OrdersFunction  not split: one action only ('GET' at src/app.py:{line}): not a monolith" in scan.output
    before = snapshot(folder)
    strangler(folder, "migrate")
    assert snapshot(folder) == before
