"""A table's default as an action: when the function's filters let through one key the
table does not list, the lookup's default (``TABLE.get(k, on_other)``,
``TABLE.get(k) or on_other``) handles exactly that key and is its action."""

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

GET = """\
import json


def on_placed(event):
    return {"placed": 1}


def on_cancelled(event):
    return {"cancelled": 1}


def on_other(event):
    # the rule only lets shipments through here
    return {"shipped": event["detail-type"]}


HANDLERS = {
    "OrderPlaced": on_placed,
    "OrderCancelled": on_cancelled,
}


def lambda_handler(event, context):
    kind = event["detail-type"]
    return HANDLERS.get(kind, on_other)(event)
"""
OR = GET.replace("return HANDLERS.get(kind, on_other)(event)", "handler = HANDLERS.get(kind) or on_other\n    return handler(event)")


def rule(*types: str) -> dict:
    return {"Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"], "detail-type": list(types)}}}}


def analysed(source: str, events, earlier=()):
    return analyse(FUNCTION, textwrap.dedent(source), PATH, earlier, events=events)


@pytest.mark.parametrize("source", [GET, OR], ids=["get-default", "or-default"])
def test_the_default_serves_the_one_key_the_rule_still_lets_through(source: str) -> None:
    analysis = analysed(source, rule("OrderPlaced", "OrderCancelled", "OrderShipped"))
    assert [(a.key, a.handler) for a in analysis.dispatch.actions] == [
        ("OrderPlaced", "on_placed"), ("OrderCancelled", "on_cancelled"), ("OrderShipped", "default: on_other"),
    ]
    code = codegen.extracted_module(analysis, "OrderShipped", '"""extracted"""')[0]
    assert "on_other(event)" in code and "def on_other(event):" in code
    assert "HANDLERS" not in code and "on_placed" not in code and " or " not in code
    placed = codegen.extracted_module(analysis, "OrderPlaced", '"""extracted"""')[0]
    assert "on_other" not in placed and "on_placed(event)" in placed
    # The monolith still receives only its table's keys: its default stays, and so does on_other.
    monolith = codegen.monolith_module(analysis, ["OrderShipped"])[0]
    assert monolith == textwrap.dedent(source)


@pytest.mark.parametrize(
    "events",
    [
        rule("OrderPlaced", "OrderCancelled"),  # nothing left for the default
        rule("OrderPlaced", "OrderCancelled", "OrderShipped", "OrderRefunded"),  # two left
        {"Orders": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["shop"]}}}},  # any type
        {**rule("OrderPlaced", "OrderCancelled", "OrderShipped"), "Api": {"Type": "HttpApi"}},
        None,
    ],
    ids=["none-left", "two-left", "unfiltered", "another-source", "no-events"],
)
def test_otherwise_the_default_stays_the_monoliths(events) -> None:
    analysis = analysed(GET, events)
    assert [a.key for a in analysis.dispatch.actions] == ["OrderPlaced", "OrderCancelled"]


@pytest.mark.parametrize(
    "default", ["None", "{}", "make_default()", "undefined_name"], ids=["none", "dict", "call", "unknown-name"],
)
def test_a_default_that_is_not_a_function_stays_the_monoliths(default: str) -> None:
    source = GET.replace("HANDLERS.get(kind, on_other)(event)", f"HANDLERS.get(kind, {default})")
    analysis = analysed(source, rule("OrderPlaced", "OrderCancelled", "OrderShipped"))
    assert [a.key for a in analysis.dispatch.actions] == ["OrderPlaced", "OrderCancelled"]


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


def app(folder: Path, source: str = GET) -> Path:
    return sam_app(folder, TEMPLATE, source)


def test_scan_says_which_key_the_default_serves_and_extract_takes_it(tmp_path: Path) -> None:
    folder = app(tmp_path / "app")
    scan = strangler(folder, "scan")
    assert scan.exit_code == 0, scan.output
    assert "OrderShipped  default: on_other (src/app.py:25)" in scan.output
    result = strangler(folder, "extract", "OrderShipped")
    assert result.exit_code == 0, result.output
    assert "OrderShippedFunction" in (folder / "template.yaml").read_text(encoding="utf-8")
    assert (folder / "src" / "app.py").read_text(encoding="utf-8") == GET
    again = strangler(folder, "scan")
    assert "OrderShipped  default" not in again.output


@pytest.mark.parametrize("source", [GET, OR], ids=["get-default", "or-default"])
def test_extracting_the_others_first_then_migrating_equals_migrating(tmp_path: Path, source: str) -> None:
    stepwise = app(tmp_path / "stepwise", source)
    for action in ("OrderPlaced", "OrderCancelled", "OrderShipped"):
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
    assert strangler(stepwise, "migrate").exit_code == 0
    at_once = app(tmp_path / "at-once", source)
    result = strangler(at_once, "migrate")
    assert result.exit_code == 0, result.output
    assert snapshot(stepwise) == snapshot(at_once)
    assert "OrderShippedFunction" in (at_once / "template.yaml").read_text(encoding="utf-8")


def test_a_lookup_without_the_default_keeps_it_the_monoliths() -> None:
    source = GET.replace("    return HANDLERS.get(kind, on_other)(event)", "    HANDLERS[kind]\n    return HANDLERS.get(kind, on_other)(event)")
    analysis = analysed(source, rule("OrderPlaced", "OrderCancelled", "OrderShipped"))
    assert [a.key for a in analysis.dispatch.actions] == ["OrderPlaced", "OrderCancelled"]


def test_a_guard_before_the_default_serves_the_key_instead() -> None:
    # ``if kind not in HANDLERS: return ...`` answers first: on_other is never reached.
    guard = '    if kind not in HANDLERS:\n        return {"ignored": kind}\n'
    source = GET.replace("    return HANDLERS.get(kind, on_other)(event)", guard + "    return HANDLERS.get(kind, on_other)(event)")
    analysis = analysed(source, rule("OrderPlaced", "OrderCancelled", "OrderShipped"))
    assert [(a.key, a.handler) for a in analysis.dispatch.actions][-1] == ("OrderShipped", "default: if kind not in HANDLERS")
    code = codegen.extracted_module(analysis, "OrderShipped", '"""extracted"""')[0]
    assert 'return {"ignored": kind}' in code and "on_other" not in code
