"""``else`` (or ``case _``) as an action: when the function's filters let through one key
the branches do not handle, the default handles exactly that key and is its action."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import analyse
from strangler.model import FunctionRef
from strangler.render import codegen
from tests.support.apps import snapshot, strangler
from tests.support.templates import sam_app

PATH = "src/app.py"
FUNCTION = FunctionRef("OrdersFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

CHAIN = """\
def lambda_handler(event, context):
    kind = event["detail-type"]
    if kind == "OrderPlaced":
        return {"placed": 1}
    elif kind == "OrderCancelled":
        return {"cancelled": 1}
    else:
        # the rule only lets shipments through here
        return {"shipped": kind}
"""

MATCH = """\
def lambda_handler(event, context):
    kind = event["detail-type"]
    match kind:
        case "OrderPlaced":
            return {"placed": 1}
        case "OrderCancelled":
            return {"cancelled": 1}
        case _:
            return {"shipped": kind}
"""


def rule(*types: str) -> dict:
    return {"Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"], "detail-type": list(types)}}}}


def analysed(source: str, events, earlier=()):
    return analyse(FUNCTION, textwrap.dedent(source), PATH, earlier, events=events)


@pytest.mark.parametrize("source", [CHAIN, MATCH], ids=["chain", "match"])
def test_the_default_serves_the_one_key_the_rule_still_lets_through(source: str) -> None:
    analysis = analysed(source, rule("OrderPlaced", "OrderCancelled", "OrderShipped"))
    assert [(a.key, a.handler) for a in analysis.dispatch.actions] == [
        ("OrderPlaced", "inline code"), ("OrderCancelled", "inline code"), ("OrderShipped", "else: inline code"),
    ]
    code = codegen.extracted_module(analysis, "OrderShipped", '"""extracted"""')[0]
    assert 'kind = event["detail-type"]\n    ' in code and 'return {"shipped": kind}' in code
    assert "placed" not in code and "match" not in code and "else" not in code
    monolith = codegen.monolith_module(analysis, ["OrderShipped"])[0]
    assert "shipped" not in monolith and "placed" in monolith and "cancelled" in monolith


@pytest.mark.parametrize(
    "events",
    [
        rule("OrderPlaced", "OrderCancelled"),  # nothing left for the else
        rule("OrderPlaced", "OrderCancelled", "OrderShipped", "OrderRefunded"),  # two left
        {"Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"]}}}},  # any type
        {**rule("OrderPlaced", "OrderCancelled", "OrderShipped"), "Api": {"Type": "HttpApi"}},
        None,
    ],
    ids=["none-left", "two-left", "unfiltered", "another-source", "no-events"],
)
def test_otherwise_the_default_stays_the_monoliths(events) -> None:
    analysis = analysed(CHAIN, events)
    assert [a.key for a in analysis.dispatch.actions] == ["OrderPlaced", "OrderCancelled"]


@pytest.mark.parametrize("source", [CHAIN, MATCH], ids=["chain", "match"])
def test_when_only_the_default_stays_it_becomes_its_keys_branch(source: str) -> None:
    analysis = analysed(source, rule("OrderPlaced", "OrderCancelled", "OrderShipped"))
    left = codegen.monolith_module(analysis, ["OrderPlaced", "OrderCancelled"])[0]
    assert ('if kind == "OrderShipped":' in left) or ('case "OrderShipped":' in left)
    again = analyse(FUNCTION, left, PATH, ("OrderPlaced", "OrderCancelled"), events=rule("OrderShipped"))
    assert [a.key for a in again.dispatch.actions] == ["OrderShipped"]


TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: shop
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Orders:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern:
              source:
                - shop
              detail-type:
                - OrderPlaced
                - OrderCancelled
                - OrderShipped
"""


def app(folder: Path) -> Path:
    return sam_app(folder, TEMPLATE, CHAIN)


def test_scan_says_which_key_the_else_serves_and_extract_takes_it(tmp_path: Path) -> None:
    folder = app(tmp_path / "app")
    scan = strangler(folder, "scan")
    assert scan.exit_code == 0, scan.output
    assert "OrderShipped  else: inline code (src/app.py:7)" in scan.output
    result = strangler(folder, "extract", "OrderShipped")
    assert result.exit_code == 0, result.output
    template = (folder / "template.yaml").read_text(encoding="utf-8")
    assert "OrderShippedFunction" in template
    assert "else" not in (folder / "src" / "app.py").read_text(encoding="utf-8")


def test_extracting_the_others_first_then_migrating_equals_migrating(tmp_path: Path) -> None:
    stepwise = app(tmp_path / "stepwise")
    for action in ("OrderPlaced", "OrderCancelled", "OrderShipped"):
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
    assert strangler(stepwise, "migrate").exit_code == 0
    at_once = app(tmp_path / "at-once")
    result = strangler(at_once, "migrate")
    assert result.exit_code == 0, result.output
    assert snapshot(stepwise) == snapshot(at_once)
