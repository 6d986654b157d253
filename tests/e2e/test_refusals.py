"""Bad input: a clear message naming the file, line or resource, exit code 1, nothing written."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.apps import copy_app, snapshot, strangler


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


def refused(app: Path, *args: str) -> str:
    """Run, expect a refusal with nothing written, return the message."""
    before = snapshot(app)
    result = strangler(app, *args)
    assert result.exit_code == 1, result.output
    assert snapshot(app) == before
    assert result.output.startswith("strangler: error: ")
    return result.output


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    return copy_app("eventbridge-orders", tmp_path / "orders")


@pytest.fixture
def billing(tmp_path: Path) -> Path:
    return copy_app("direct-invoke-billing", tmp_path / "billing")


def test_syntax_error_names_file_and_line(orders: Path) -> None:
    lines = (orders / "src" / "app.py").read_text().splitlines()
    edit(orders / "src" / "app.py", "def _order_total(lines):", "def _order_total(lines:")
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("def _order_total"))
    message = refused(orders, "migrate")
    assert f"src/app.py:{line}: syntax error" in message


def test_syntax_error_in_a_sibling_module_names_it(orders: Path) -> None:
    edit(orders / "src" / "shared.py", "class ConflictError(Exception):", "class ConflictError(Exception)")
    assert "src/shared.py:" in refused(orders, "extract", "OrderShipped")


def test_template_that_is_not_yaml(orders: Path) -> None:
    edit(orders / "template.yaml", "Resources:", "Resources: [")
    assert re.search(r"template\.yaml:\d+: not valid YAML", refused(orders, "scan"))


def test_template_that_is_not_json(tmp_path: Path) -> None:
    app = tmp_path / "json-app"
    app.mkdir()
    (app / "template.json").write_text('{"Resources": {\n  "Fn": \n}\n')
    assert "template.json:3: not valid JSON" in refused(app, "scan")


def test_handler_pointing_at_a_missing_module(orders: Path) -> None:
    edit(orders / "template.yaml", "Handler: app.lambda_handler", "Handler: orders_app.lambda_handler")
    message = refused(orders, "migrate")
    assert "Resources.OrdersFunction" in message and "src/orders_app.py, which does not exist" in message


def test_handler_pointing_at_a_missing_function(orders: Path) -> None:
    edit(orders / "template.yaml", "Handler: app.lambda_handler", "Handler: app.main")
    message = refused(orders, "migrate")
    assert "src/app.py" in message and "main()" in message and "OrdersFunction" in message


def test_no_dispatch_says_what_was_looked_for(orders: Path) -> None:
    edit(orders / "template.yaml", "Handler: app.lambda_handler", "Handler: shared.to_jsonable")
    message = refused(orders, "migrate")
    assert re.search(r"src/shared\.py:\d+: no dispatch found: looked for a module-level dict", message)


def test_dispatch_on_a_computed_key_is_refused_with_its_line(orders: Path) -> None:
    edit(orders / "src" / "app.py", 'detail_type = event["detail-type"]', 'detail_type = event["detail-type"].strip()')
    line = next(i for i, t in enumerate((orders / "src" / "app.py").read_text().splitlines(), 1) if ".strip()" in t)
    message = refused(orders, "migrate")
    assert f"src/app.py:{line}: cannot tell statically" in message


def test_table_changed_at_run_time_is_refused(orders: Path) -> None:
    edit(orders / "src" / "app.py", "\ndef lambda_handler(", '\nHANDLERS["OrderRefunded"] = on_order_cancelled\n\n\ndef lambda_handler(')
    message = refused(orders, "extract", "OrderShipped")
    assert "HANDLERS is changed at run time (HANDLERS[...] = ...)" in message and "src/app.py:" in message


def test_unknown_action_lists_the_known_ones(orders: Path) -> None:
    message = refused(orders, "extract", "OrderLost")
    assert "unknown action 'OrderLost'" in message
    assert "OrderPlaced, OrderCancelled, OrderShipped, PaymentFailed" in message


def test_sqs_source_is_refused_with_the_safe_alternative(orders: Path) -> None:
    edit(orders / "template.yaml", "Type: EventBridgeRule", "Type: SQS")
    message = refused(orders, "extract", "OrderShipped")
    assert "Resources.OrdersFunction" in message and "event OrderLifecycle (SQS) cannot be split safely" in message
    assert "an SNS topic with one subscription per action filtered on the type" in message


def test_custom_resource_handler_is_refused(billing: Path) -> None:
    edit(
        billing / "template.yaml",
        "Outputs:",
        "  LedgerSeed:\n    Type: Custom::LedgerSeed\n    Properties:\n      ServiceToken: !GetAtt BillingFunction.Arn\n\nOutputs:",
    )
    message = refused(billing, "extract", "refund")
    assert "ServiceToken of LedgerSeed" in message


def test_name_clash_with_an_existing_resource(orders: Path) -> None:
    edit(orders / "template.yaml", "Outputs:", "  OrderShippedFunction:\n    Type: AWS::SNS::Topic\n\nOutputs:")
    message = refused(orders, "extract", "OrderShipped")
    assert "Resources.OrderShippedFunction" in message and "already has a resource with that id" in message


def test_name_clash_with_an_existing_folder(orders: Path) -> None:
    (orders / "functions" / "order_shipped").mkdir(parents=True)
    (orders / "functions" / "order_shipped" / "README.md").write_text("ours\n")
    assert "functions/order_shipped: the folder for 'OrderShipped' already exists" in refused(orders, "extract", "OrderShipped")


def test_two_actions_that_normalise_to_one_name(orders: Path) -> None:
    edit(orders / "src" / "app.py", '    "OrderShipped": handle_order_shipped,', '    "OrderShipped": handle_order_shipped,\n    "order-shipped": handle_order_shipped,')
    message = refused(orders, "migrate")
    assert "actions 'OrderShipped' and 'order-shipped' both become" in message


def test_retiring_a_monolith_another_resource_refers_to(billing: Path) -> None:
    message = refused(billing, "migrate")
    assert "Resources.CheckoutInvokePermission" in message and "refers to BillingFunction" in message
    assert "--keep-monolith" in message


def test_usage_errors_exit_with_2(orders: Path) -> None:
    result = strangler(orders, "extract")
    assert result.exit_code == 2
    assert "Missing argument" in result.output
