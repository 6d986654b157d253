"""Nested dispatch and included routers, taken apart step by step, end where one run ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import samcheck
from tests.support.apps import copy_app, snapshot, strangler

APP = "nested-fulfilment"
LIBRARY = "powertools-routers-library"
ACTIONS = (
    "shop.orders/OrderPlaced", "shop.orders/OrderCancelled", "shop.payments/PaymentCaptured",
    "shop.payments/PaymentRefunded", "shop.payments/ChargebackOpened",
    "shop.warehouse/ParcelPacked", "shop.warehouse/ParcelHandedOver",
)


def test_extracting_pairs_one_run_each_equals_one_run_for_all(tmp_path: Path) -> None:
    steps = ("shop.warehouse/ParcelHandedOver", "shop.orders/OrderCancelled", "shop.warehouse/ParcelPacked", "shop.orders/OrderPlaced")
    stepwise = copy_app(APP, tmp_path / "stepwise")
    for action in steps:
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
        samcheck.assert_valid(stepwise / "template.yaml")
    at_once = copy_app(APP, tmp_path / "at-once")
    assert strangler(at_once, "extract", *steps).exit_code == 0
    assert snapshot(stepwise) == snapshot(at_once)
    # what is left is still the nested dispatch, with only the payments actions
    scan = strangler(stepwise, "scan")
    assert "nested if/elif chain" in scan.output
    assert "shop.payments/PaymentCaptured" in scan.output and "shop.orders/OrderPlaced  " not in scan.output


@pytest.mark.parametrize(
    ("fixture", "actions"),
    [
        ("eventbridge-orders", ("OrderPlaced", "OrderCancelled", "OrderShipped", "PaymentFailed")),
        (APP, ACTIONS),
        (LIBRARY, ("GET /health", "GET /books", "GET /books/{isbn}", "POST /books", "POST /loans",
                   "PUT /loans/{loan_id}/return", "GET /members/{member_id}/loans")),
        # two monoliths: each one's actions, one run each, then migrate retires both
        ("multi-api-shop", ("GET /products", "GET /products/{sku}", "POST /products",
                            "GET /orders/{order_id}", "POST /orders", "POST /orders/{order_id}/cancel")),
        ("rest-method-orders", ("GET", "POST", "PUT", "DELETE")),
        ("typed-events-billing", ("InvoiceIssued", "InvoicePaid", "InvoiceOverdue", "InvoiceVoided")),
        ("multi-source-orders", ("SQS", "SNS", "EventBridgeRule", "HttpApi")),
        ("multi-source-nested", ("SQS", "SNS", "EventBridgeRule", "HttpApi")),
        ("multi-source-keyed", ("SQS", "SNS", "EventBridgeRule/ParcelShipped", "EventBridgeRule/ParcelDelivered", "HttpApi")),
        # branches that fall through to a shared tail: each run takes one out of the sequence
        ("fallthrough-notifications", ("WelcomeRequested", "PasswordResetRequested", "InvoiceReady", "AccountClosed")),
        # routes outside Events: a standalone rule, a filtered subscription, raw HTTP API routes
        ("standalone-rule-payments", ("PaymentAuthorized", "PaymentCaptured", "PaymentRefunded", "ChargebackOpened",
                                      "receipt", "refund_receipt", "dispute_letter", "GET /payments/{payment_id}",
                                      "POST /payments/{payment_id}/refund", "GET /health")),
        # routes of an included openapi.yaml: each run edits the file the previous one left
        ("openapi-pets", ("GET /pets", "POST /pets", "GET /pets/{petId}", "DELETE /pets/{petId}",
                          "POST /pets/{petId}/adoption", "GET /health")),
        # a stream: each run adds one key to the monolith's anything-but filter
        ("dynamodb-stream-orders", ("INSERT", "MODIFY", "REMOVE")),
        # plain CloudFormation: each run re-points one method and replaces the API's deployment again
        ("cfn-rest-inventory", ("GET /items", "POST /items", "GET /items/{sku}", "DELETE /items/{sku}",
                                "POST /items/{sku}/stock")),
        # log groups, alarms, invoke configs copied and role statements widened one action at a time
        ("observed-orders", ("GET /orders", "POST /orders", "GET /orders/{order_id}", "DELETE /orders/{order_id}")),
        # AppSync: each run adds a data source and role beside the last ones, re-points one resolver
        ("appsync-blog", ("Query.getPost", "Query.listPosts", "Mutation.createPost", "Mutation.addComment", "Post.comments")),
        ("graphql-notes", ("getNote", "notesByTag", "saveNote", "deleteNote")),
        # schedules: SAM events move, standalone ones are re-pointed, one run at a time
        ("scheduled-jobs", ("cleanup", "expire_sessions", "digest", "weekly_report", "rotate_keys")),
        # Cognito: a trigger of a SAM event list, or of a pool's LambdaConfig, per run
        ("cognito-triggers", ("DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication",
                              "VerifyAuthChallengeResponse_Authentication", "PreAuthentication_Authentication",
                              "PostAuthentication_Authentication")),
        # a "%s %s" % key; the else is GET /health's action, and last the monolith's only code
        ("rest-format-keys", ("GET /orders", "POST /orders", "DELETE /orders", "GET /menu", "GET /health")),
        # a table's guard: its route last, when the table is empty and only the guard is left
        ("http-table-guard", ("GET /books", "POST /books", "GET /books/{isbn}", "DELETE /books/{isbn}")),
        ("sns-match-receipts", ("order_confirmed", "order_shipped", "receipt_requested")),
        # a Kinesis stream: each run adds one event_type to the monolith's anything-but on data
        ("kinesis-clickstream", ("page_view", "add_to_cart", "checkout")),
        # a standalone event source mapping: each run copies it for one event name
        ("dynamodb-mapping-orders", ("INSERT", "MODIFY", "REMOVE")),
    ],
    ids=["eventbridge-orders", "nested-fulfilment", "powertools-routers-library", "multi-api-shop", "rest-method-orders", "typed-events-billing", "multi-source-orders", "multi-source-nested", "multi-source-keyed", "fallthrough-notifications", "standalone-rule-payments", "openapi-pets", "dynamodb-stream-orders", "cfn-rest-inventory", "observed-orders", "appsync-blog", "graphql-notes", "scheduled-jobs", "cognito-triggers", "rest-format-keys", "http-table-guard", "sns-match-receipts", "kinesis-clickstream", "dynamodb-mapping-orders"],
)
def test_extracting_every_action_one_run_each_then_migrating_equals_migrating(tmp_path: Path, fixture, actions) -> None:
    stepwise = copy_app(fixture, tmp_path / "stepwise")
    for action in actions:  # in dispatch order: new functions are placed in the order they are made
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
    result = strangler(stepwise, "migrate")
    assert result.exit_code == 0, result.output
    at_once = copy_app(fixture, tmp_path / "at-once")
    assert strangler(at_once, "migrate").exit_code == 0
    assert snapshot(stepwise) == snapshot(at_once)


def test_an_unknown_pair_names_the_pairs_there_are(tmp_path: Path) -> None:
    app = copy_app(APP, tmp_path / "app")
    before = snapshot(app)
    result = strangler(app, "extract", "shop.orders/ParcelPacked")
    assert result.exit_code == 1
    assert "unknown action 'shop.orders/ParcelPacked'" in result.output and "shop.warehouse/ParcelPacked" in result.output
    assert snapshot(app) == before


def test_a_router_whose_routes_all_left_is_removed_with_its_include(tmp_path: Path) -> None:
    app = copy_app(LIBRARY, tmp_path / "app")
    routes = ("GET /books", "GET /books/{isbn}", "POST /books")
    for route in routes:
        result = strangler(app, "extract", route)
        assert result.exit_code == 0, result.output
    assert not (app / "src/routes/books.py").exists()
    monolith = (app / "src/app.py").read_text()
    assert "books" not in monolith and 'app.include_router(loans.router, prefix="/loans")' in monolith
    samcheck.assert_valid(app / "template.yaml")
    at_once = copy_app(LIBRARY, tmp_path / "at-once")
    assert strangler(at_once, "extract", *routes).exit_code == 0
    assert snapshot(app) == snapshot(at_once)


def test_a_router_module_another_router_imports_from_stays_with_what_it_imports(tmp_path: Path) -> None:
    app = copy_app(LIBRARY, tmp_path / "app")
    assert strangler(app, "extract", "POST /loans", "PUT /loans/{loan_id}/return").exit_code == 0
    loans = (app / "src/routes/loans.py").read_text()
    assert "def _member_loans" in loans and "def borrow" not in loans and "def give_back" not in loans
    assert "sns" not in loans  # only the routes that left published
    template = samcheck.load_template(app / "template.yaml")
    assert "LOAN_TOPIC_ARN" not in template["Resources"]["LibraryFunction"]["Properties"]["Environment"]["Variables"]



def _methods_stepwise_and_at_once(tmp_path: Path, actions: tuple[str, ...]) -> tuple[Path, Path]:
    stepwise = copy_app("rest-method-orders", tmp_path / "stepwise")
    for action in actions:
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
        samcheck.assert_valid(stepwise / "template.yaml")
    at_once = copy_app("rest-method-orders", tmp_path / "at-once")
    assert strangler(at_once, "extract", *actions).exit_code == 0
    return stepwise, at_once


def test_methods_extracted_one_run_each_equal_one_run_for_all_and_keep_any_for_the_rest(tmp_path: Path) -> None:
    stepwise, at_once = _methods_stepwise_and_at_once(tmp_path, ("GET", "POST"))
    assert snapshot(stepwise) == snapshot(at_once)
    template = samcheck.load_template(stepwise / "template.yaml")
    events = template["Resources"]["OrdersFunction"]["Properties"]["Events"]
    # exact methods beat ANY: the monolith keeps ANY /orders for PUT, DELETE and its 405
    assert sorted(events) == ["DeleteOrder", "Orders"] and events["Orders"]["Properties"]["Method"] == "ANY"


# The monolith's last event, last in the function, leaves first: what followed it (the blank
# line before the next top-level key) stays with the monolith, as when the runs are separate.
def test_methods_whose_first_takes_the_monolith_last_event_equal_one_run_for_all(tmp_path: Path) -> None:
    stepwise, at_once = _methods_stepwise_and_at_once(tmp_path, ("DELETE", "POST"))
    assert snapshot(stepwise) == snapshot(at_once)


def test_openapi_routes_extracted_one_run_each_equal_one_run_for_all(tmp_path: Path) -> None:
    """Within one run, the second action edits the included file as the first left it."""
    actions = ("DELETE /pets/{petId}", "GET /pets", "POST /pets/{petId}/adoption")
    stepwise = copy_app("openapi-pets", tmp_path / "stepwise")
    for action in actions:
        result = strangler(stepwise, "extract", action)
        assert result.exit_code == 0, result.output
        samcheck.assert_valid(stepwise / "template.yaml")
    at_once = copy_app("openapi-pets", tmp_path / "at-once")
    assert strangler(at_once, "extract", *actions).exit_code == 0
    assert snapshot(stepwise) == snapshot(at_once)
    definition = (at_once / "openapi.yaml").read_text()
    assert definition.count("${PetsFunction.Arn}") == 2  # POST /pets and GET /pets/{petId} stay
    assert "${DeletePetsPetIdFunction.Arn}" in definition and "${GetPetsFunction.Arn}" in definition
    assert "Fn::GetAtt: [PostPetsPetIdAdoptionFunction, Arn]" in definition


# A group made by one run, each other action by its own, then migrate: as one migrate with
# the group in strangler.toml. Runs in dispatch order (a group stands where its first action
# does), as new functions are placed in the order they are made.
@pytest.mark.parametrize("fixture, runs", [
    ("eventbridge-orders", (("OrderPlaced", "OrderCancelled"), ("OrderShipped",))),
    ("chain-payments", (("PaymentAuthorized",), ("PaymentCaptured", "PaymentSettled"), ("PaymentRefunded",))),
])
def test_a_group_and_single_actions_one_run_each_then_migrating_equals_migrating_with_the_group(
    tmp_path: Path, fixture, runs,
) -> None:
    group = next(keys for keys in runs if len(keys) > 1)
    settings = "[groups.Together]\nactions = [" + ", ".join(f'"{key}"' for key in group) + "]\n"
    stepwise = copy_app(fixture, tmp_path / "stepwise")
    (stepwise / "strangler.toml").write_text(settings, encoding="utf-8")
    for keys in runs:
        result = strangler(stepwise, "extract", *keys, *(("--into", "Together") if keys == group else ()))
        assert result.exit_code == 0, result.output
    assert strangler(stepwise, "migrate").exit_code == 0
    at_once = copy_app(fixture, tmp_path / "at-once")
    (at_once / "strangler.toml").write_text(settings, encoding="utf-8")
    assert strangler(at_once, "migrate").exit_code == 0
    assert snapshot(stepwise) == snapshot(at_once)
