"""A table's guard as an action: ``handler = TABLE.get(k)`` then ``if handler is None:``
(or ``if k not in TABLE:``) answering and leaving, then ``return handler(event)``. When
the function's filters let through one key the table does not list, the guard's body is
that key's action; the monolith keeps the guard, the table's own entries drop it."""

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
FUNCTION = FunctionRef("ApiFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

MODULE = """\
import json
import logging

logger = logging.getLogger()


def list_orders(event):
    return {"statusCode": 200, "body": "[]"}


def create_order(event):
    return {"statusCode": 201, "body": "{}"}


def not_found(route):
    return {"statusCode": 404, "body": json.dumps({"message": f"no route {route}"})}


ROUTES = {
    "GET /orders": list_orders,
    "POST /orders": create_order,
}


def lambda_handler(event, context):
    route = event["routeKey"]
    logger.info("request %s", route)
BODY
"""

GET_IS_NONE = """\
    handler = ROUTES.get(route)
    if handler is None:
        # the API only sends GET /health here
        return not_found(route)
    return handler(event)"""
GET_NOT = GET_IS_NONE.replace("if handler is None:", "if not handler:")
NOT_IN = """\
    if route not in ROUTES:
        # the API only sends GET /health here
        return not_found(route)
    return ROUTES[route](event)"""
ONE_LINE = """\
    handler = ROUTES.get(route)
    if handler is None: return not_found(route)
    return handler(event)"""
RAISES = """\
    handler = ROUTES.get(route)
    if handler is None:
        raise KeyError(route)
    return handler(event)"""
READS_HANDLER = """\
    handler = ROUTES.get(route)
    if handler is None:
        logger.warning("no handler (%s) for %s", handler, route)
        return not_found(route)
    return handler(event)"""

SHAPES = {"get-is-none": GET_IS_NONE, "get-not": GET_NOT, "not-in": NOT_IN, "one-line": ONE_LINE,
          "raises": RAISES, "reads-handler": READS_HANDLER}


def source(body: str) -> str:
    return MODULE.replace("BODY", body)


def api(*routes: tuple[str, str]) -> dict:
    return {f"Route{i}": {"Type": "HttpApi", "Properties": {"Path": p, "Method": m}} for i, (m, p) in enumerate(routes)}


THREE = api(("get", "/orders"), ("post", "/orders"), ("get", "/health"))


def analysed(body: str, events=THREE, earlier=()):
    return analyse(FUNCTION, source(body), PATH, earlier, events=events)


@pytest.mark.parametrize("body", list(SHAPES.values()), ids=list(SHAPES))
def test_the_guard_serves_the_one_route_the_api_still_sends(body: str) -> None:
    analysis = analysed(body)
    keys = [a.key for a in analysis.dispatch.actions]
    assert keys == ["GET /orders", "POST /orders", "GET /health"]
    assert analysis.dispatch.actions[-1].handler.startswith("default: if ")
    code = codegen.extracted_module(analysis, "GET /health", '"""extracted"""')[0]
    assert "ROUTES" not in code and "list_orders" not in code and "create_order" not in code
    assert 'logger.info("request %s", route)' in code  # the code before the guard stays
    guard_body = [line.strip() for line in body.splitlines()[2:-1]] if "\n    if" in body else []
    for line in guard_body:
        assert line in code
    assert "return handler(event)" not in code and "if handler" not in code and "not in" not in code
    # The monolith keeps its guard and its table as they were.
    assert codegen.monolith_module(analysis, ["GET /health"])[0] == source(body)


def test_the_extracted_guard_runs_like_the_monolith() -> None:
    analysis = analysed(GET_IS_NONE)
    code = codegen.extracted_module(analysis, "GET /health", '"""extracted"""')[0]
    assert code.endswith(
        "def lambda_handler(event, context):\n"
        '    route = event["routeKey"]\n'
        '    logger.info("request %s", route)\n'
        "    # the API only sends GET /health here\n"
        "    return not_found(route)\n"
    )
    new, old = {}, {}
    exec(compile(code, "new", "exec"), new)  # noqa: S102 - the generated module, run on an event
    exec(compile(source(GET_IS_NONE), "old", "exec"), old)  # noqa: S102
    event = {"routeKey": "GET /health"}
    assert new["lambda_handler"](event, None) == old["lambda_handler"](event, None)


def test_a_guard_that_reads_the_handler_sees_none() -> None:
    code = codegen.extracted_module(analysed(READS_HANDLER), "GET /health", '"""extracted"""')[0]
    assert "    handler = None\n" in code


@pytest.mark.parametrize("body", [GET_IS_NONE, NOT_IN], ids=["get-is-none", "not-in"])
def test_the_tables_entries_drop_the_guard(body: str) -> None:
    code = codegen.extracted_module(analysed(body), "GET /orders", '"""extracted"""')[0]
    assert "not_found" not in code and "ROUTES" not in code and "list_orders(event)" in code


@pytest.mark.parametrize(
    ("body", "events"),
    [
        (GET_IS_NONE, api(("get", "/orders"), ("post", "/orders"))),  # nothing left
        (GET_IS_NONE, api(("get", "/orders"), ("post", "/orders"), ("get", "/health"), ("get", "/ready"))),
        (GET_IS_NONE, api(("get", "/orders"), ("post", "/orders"), ("any", "/{proxy+}"))),
        (GET_IS_NONE, None),
        # the guard does not leave: the code after it runs too
        (GET_IS_NONE.replace("return not_found(route)", "logger.warning(route)"), THREE),
        (GET_IS_NONE.replace("        return not_found(route)\n", "        return not_found(route)\n    else:\n        pass\n"),
         THREE),
        (GET_IS_NONE.replace("if handler is None:", "if handler is not None:"), THREE),
        (GET_IS_NONE.replace("if handler is None:", "if handler is None and route:"), THREE),
        # the name may no longer hold what the lookup found
        (GET_IS_NONE.replace("    if handler", "    handler = handler or None\n    if handler"), THREE),
        (GET_IS_NONE.replace("    if handler", "    handler = list_orders\n    if handler"), THREE),
        # a lookup that fails (or acts) before the guard
        ("    ROUTES[route]\n" + GET_IS_NONE, THREE),
        # the guard is not the entrypoint's own statement
        ("    try:\n" + textwrap.indent(GET_IS_NONE, "    ") + "\n    except KeyError:\n        raise", THREE),
    ],
    ids=["none-left", "two-left", "catch-all", "no-events", "falls-through", "else", "is-not-none", "and",
         "rebound", "reassigned", "lookup-before", "in-try"],
)
def test_otherwise_the_guard_stays_the_monoliths(body: str, events) -> None:
    analysis = analysed(body, events)
    assert [a.key for a in analysis.dispatch.actions] == ["GET /orders", "POST /orders"]


TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31

Resources:
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        ListOrders:
          Type: HttpApi
          Properties:
            Path: /orders
            Method: get
        CreateOrder:
          Type: HttpApi
          Properties:
            Path: /orders
            Method: post
        Health:
          Type: HttpApi
          Properties:
            Path: /health
            Method: get

Outputs:
  ApiUrl:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/"
"""


def app(folder: Path, body: str) -> Path:
    return sam_app(folder, TEMPLATE, source(body))


@pytest.mark.parametrize("body", [GET_IS_NONE, NOT_IN], ids=["get-is-none", "not-in"])
def test_scan_names_the_guard_and_extract_routes_it(tmp_path: Path, body: str) -> None:
    folder = app(tmp_path / "app", body)
    scan = strangler(folder, "scan")
    assert scan.exit_code == 0, scan.output
    assert "GET /health  default: if " in scan.output
    result = strangler(folder, "extract", "GET /health")
    assert result.exit_code == 0, result.output
    template = (folder / "template.yaml").read_text(encoding="utf-8")
    assert "GetHealthFunction" in template
    assert (folder / "src" / "app.py").read_text(encoding="utf-8") == source(body)
    before = snapshot(folder)
    assert strangler(folder, "extract", "GET /health").exit_code == 0
    assert snapshot(folder) == before  # a second run changes nothing


@pytest.mark.parametrize("body", [GET_IS_NONE, NOT_IN], ids=["get-is-none", "not-in"])
def test_extracting_one_by_one_then_migrating_equals_migrating(tmp_path: Path, body: str) -> None:
    stepwise = app(tmp_path / "stepwise", body)
    for action in ("GET /orders", "POST /orders", "GET /health"):
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
    assert strangler(stepwise, "migrate").exit_code == 0
    at_once = app(tmp_path / "at-once", body)
    result = strangler(at_once, "migrate")
    assert result.exit_code == 0, result.output
    assert snapshot(stepwise) == snapshot(at_once)
    assert "ApiFunction:" not in (at_once / "template.yaml").read_text(encoding="utf-8")


LOCAL = source(GET_IS_NONE).replace(
    'ROUTES = {\n    "GET /orders": list_orders,\n    "POST /orders": create_order,\n}\n\n\n', ""
).replace(
    '    route = event["routeKey"]\n',
    '    route = event["routeKey"]\n    routes = {"GET /orders": list_orders, "POST /orders": create_order}\n',
).replace("ROUTES.get", "routes.get")


def test_a_table_built_in_the_handler_stays_behind() -> None:
    local = LOCAL
    assert "routes = {" in local and "ROUTES" not in local
    analysis = analyse(FUNCTION, local, PATH, (), events=THREE)
    assert [a.key for a in analysis.dispatch.actions] == ["GET /orders", "POST /orders", "GET /health"]
    code = codegen.extracted_module(analysis, "GET /health", '"""extracted"""')[0]
    assert "routes" not in code and "list_orders" not in code and "return not_found(route)" in code


def test_a_table_built_in_the_handler_emptied_by_earlier_runs_still_has_its_guard(tmp_path: Path) -> None:
    # Once both entries left, ``routes = {}`` is still the dispatch: its guard is GET /health's
    # action, so the last run takes it instead of retiring the monolith with its route.
    def local_app(folder: Path) -> Path:
        app(folder, GET_IS_NONE)
        (folder / "src" / "app.py").write_text(LOCAL, encoding="utf-8")
        return folder

    stepwise = local_app(tmp_path / "stepwise")
    for action in ("GET /orders", "POST /orders"):
        assert strangler(stepwise, "extract", action).exit_code == 0
    assert "routes = {}" in (stepwise / "src" / "app.py").read_text(encoding="utf-8")
    scan = strangler(stepwise, "scan")
    assert "GET /health  default: if handler is None" in scan.output, scan.output
    assert strangler(stepwise, "migrate").exit_code == 0
    at_once = local_app(tmp_path / "at-once")
    assert strangler(at_once, "migrate").exit_code == 0
    assert snapshot(stepwise) == snapshot(at_once)
    assert "GetHealthFunction" in (at_once / "template.yaml").read_text(encoding="utf-8")


def test_a_comment_on_the_guards_line_stays_above_its_body() -> None:
    body = GET_IS_NONE.replace("if handler is None:", "if handler is None:  # health checks land here")
    code = codegen.extracted_module(analysed(body), "GET /health", '"""extracted"""')[0]
    assert "    # health checks land here\n    # the API only sends GET /health here\n    return not_found(route)\n" in code
