"""`scan` on every fixture, and per-action settings carried into a valid template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import samcheck
from tests.support.apps import copy_app, strangler

TABLES = {
    "eventbridge-orders": ("OrdersFunction", "app.lambda_handler", ["OrderPlaced", "OrderCancelled", "OrderShipped", "PaymentFailed"]),
    "http-api-catalog": ("CatalogFunction", "app.lambda_handler", ["GET /products", "POST /products", "GET /products/{id}", "DELETE /products/{id}", "ANY /{proxy+}"]),
    "sns-notifications": ("NotifierFunction", "app.lambda_handler", ["welcome_email", "password_reset", "invoice_ready"]),
    "direct-invoke-billing": ("BillingFunction", "app.handler", ["charge", "refund", "get_invoice", "invoice"]),
    "chain-payments": ("PaymentsFunction", "app.lambda_handler", ["PaymentAuthorized", "PaymentCaptured", "PaymentSettled", "PaymentRefunded", "ChargebackOpened"]),
    "match-inventory": ("InventoryFunction", "handler.main", ["stock_received", "stock_reserved", "stock_released", "stock_counted"]),
    "table-in-handler-users": ("UsersFunction", "app.lambda_handler", ["GET /users", "POST /users", "DELETE /users/{id}"]),
    "sequence-reports": ("ReportsFunction", "main.handler", ["daily_sales", "inventory_value", "refund_summary"]),
    "powertools-tickets": ("TicketsFunction", "app.lambda_handler", ["GET /tickets", "POST /tickets", "GET /tickets/{ticket_id}", "PUT /tickets/{ticket_id}/status", "DELETE /tickets/{ticket_id}"]),
}
SHAPES = {
    "eventbridge-orders": "table", "http-api-catalog": "table", "sns-notifications": "table",
    "direct-invoke-billing": "table", "chain-payments": "if/elif chain", "match-inventory": "match",
    "table-in-handler-users": "table in the handler", "sequence-reports": "if sequence",
    "powertools-tickets": "Powertools HTTP API router",
}


@pytest.mark.parametrize("fixture", TABLES)
def test_scan_json_lists_every_action_with_its_route_and_needs(fixture: str, tmp_path: Path) -> None:
    app = copy_app(fixture, tmp_path / "app")
    result = strangler(app, "scan", "--json")
    assert result.exit_code == 0, result.output
    (function,) = json.loads(result.stdout)["functions"]
    logical_id, handler, keys = TABLES[fixture]
    assert (function["logical_id"], function["handler"]) == (logical_id, handler)
    assert function["shape"] == SHAPES[fixture]
    assert [a["key"] for a in function["actions"]] == keys
    for action in function["actions"]:
        assert action["refusal"] is None and action["route"]
        assert action["needs"]["symbols"], action["key"]
        assert action["gain"]["package_bytes"] < action["gain"]["monolith_package_bytes"]


def test_scan_after_an_extraction_names_the_function_made(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    assert strangler(app, "extract", "OrderShipped").exit_code == 0
    (function,) = json.loads(strangler(app, "scan", "--json").stdout)["functions"]
    assert function["extracted"] == [{"key": "OrderShipped", "function": "OrderShippedFunction"}]
    assert "OrderShipped" not in [a["key"] for a in function["actions"]]


def test_scan_shows_what_each_function_would_drop(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    out = strangler(app, "scan").stdout
    assert "drops S3WritePolicy(PaymentAuditBucket) (the code does not read PAYMENT_AUDIT_BUCKET" in out
    assert "drops aws-lambda-powertools (not imported)" in out
    assert "KiB of code, against" in out


def test_per_action_settings_reach_the_template(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    (app / "strangler.toml").write_text(
        '[defaults]\nTimeout = 12\n\n[actions.OrderShipped]\nMemorySize = 1024\nfolder = "lambdas/shipping"\n'
        'FunctionName = "orders-shipped"\nReservedConcurrentExecutions = 2\n'
    )
    result = strangler(app, "extract", "OrderShipped", "PaymentFailed")
    assert result.exit_code == 0, result.output
    cfn = samcheck.assert_valid(app / "template.yaml")
    shipped = cfn["Resources"]["OrderShippedFunction"]["Properties"]
    assert (shipped["MemorySize"], shipped["Timeout"], shipped["FunctionName"]) == (1024, 12, "orders-shipped")
    assert shipped["ReservedConcurrentExecutions"] == 2
    assert (app / "lambdas" / "shipping" / "app.py").is_file()
    failed = cfn["Resources"]["PaymentFailedFunction"]["Properties"]
    assert failed["Timeout"] == 12 and "FunctionName" not in failed


def test_invalid_settings_stop_the_run_before_anything_is_written(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    (app / "strangler.toml").write_text("[actions.OrderShipped]\nMemorySize = 64\n")
    result = strangler(app, "extract", "OrderShipped")
    assert result.exit_code == 1
    assert "strangler.toml: actions.\"OrderShipped\".MemorySize = 64" in result.output
    assert not (app / "functions").exists()
