"""End to end: strangler on every fixture app, proven by translation, routing and behaviour.

For each fixture and command, the run's result must
- match the reviewed tree in ``fixtures/<app>/expected/<case>/``;
- translate with aws-sam-translator offline and pass cfn-lint;
- deliver every event of the scenario to exactly the function the new template routes it
  to, and that function, imported from its folder, must return what the monolith returned
  and leave the same AWS state (moto);
- change nothing when run again; and its dry run must write nothing and print a diff
  that turns the original tree into the same result.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from strangler.verify import lambdaload, routing
from tests.support import samcheck
from tests.support.apps import FIXTURES, Run, copy_app, run_on_copy, scenario, snapshot, strangler

CASES = [
    ("eventbridge-orders", ("extract", "OrderShipped")),
    ("eventbridge-orders", ("migrate",)),
    ("http-api-catalog", ("extract", "GET /products/{id}")),
    ("http-api-catalog", ("migrate",)),
    ("sns-notifications", ("extract", "invoice_ready")),
    ("sns-notifications", ("migrate",)),
    ("direct-invoke-billing", ("extract", "refund")),
    ("direct-invoke-billing", ("migrate", "--keep-monolith")),
    ("chain-payments", ("extract", "PaymentSettled")),
    ("chain-payments", ("migrate",)),
    ("match-inventory", ("extract", "stock_counted")),
    ("match-inventory", ("migrate",)),
    ("table-in-handler-users", ("extract", "POST /users")),
    ("table-in-handler-users", ("migrate",)),
    ("sequence-reports", ("extract", "inventory_value")),
    ("sequence-reports", ("migrate",)),
    ("powertools-tickets", ("extract", "PUT /tickets/{ticket_id}/status")),
    ("powertools-tickets", ("migrate",)),
    ("nested-fulfilment", ("extract", "shop.warehouse/ParcelPacked")),
    # a whole source (its branch goes) and one action of another (its branch stays)
    ("nested-fulfilment", ("extract", "shop.warehouse/ParcelPacked", "shop.warehouse/ParcelHandedOver", "shop.orders/OrderCancelled")),
    ("nested-fulfilment", ("migrate",)),
    # every route of one router; another router still imports a helper from its module
    ("powertools-routers-library", ("extract", "POST /loans", "PUT /loans/{loan_id}/return")),
    ("powertools-routers-library", ("migrate",)),
    ("table-of-tables-security", ("extract", "aws.signin/AWS Console Sign In via CloudTrail")),
    ("table-of-tables-security", ("migrate",)),
    # two monoliths in one template: one action of each in one run, then both split
    ("multi-api-shop", ("extract", "GET /products/{sku}", "POST /orders/{order_id}/cancel")),
    ("multi-api-shop", ("migrate",)),
    ("rest-method-orders", ("extract", "POST")),
    ("rest-method-orders", ("migrate",)),
    ("typed-events-billing", ("extract", "InvoiceOverdue")),
    ("typed-events-billing", ("migrate",)),
    # dispatch on the kind of event: the SQS branch takes the queue's event whole
    ("multi-source-orders", ("extract", "SQS")),
    ("multi-source-orders", ("migrate",)),
    # the record's source tested inside "Records" in event; the API is the code after the chain
    ("multi-source-nested", ("extract", "SNS")),
    ("multi-source-nested", ("migrate",)),
    # the detail-type tested again inside "detail-type" in event: one detail-type of the bus rule
    ("multi-source-keyed", ("extract", "EventBridgeRule/ParcelShipped")),
    ("multi-source-keyed", ("migrate",)),
    ("fallthrough-notifications", ("extract", "PasswordResetRequested")),
    ("fallthrough-notifications", ("migrate",)),
    # no Events at all: a standalone rule, a filtered subscription and raw HTTP API routes
    ("standalone-rule-payments", ("extract", "PaymentCaptured", "refund_receipt", "POST /payments/{payment_id}/refund")),
    ("standalone-rule-payments", ("migrate",)),
    # routes in an AWS::Include'd openapi.yaml: a Sub-list integration and a plain one re-pointed in the file
    ("openapi-pets", ("extract", "POST /pets/{petId}/adoption", "DELETE /pets/{petId}")),
    ("openapi-pets", ("migrate",)),
    # a DynamoDB stream: complementary FilterCriteria on eventName, records skipped, not deleted
    ("dynamodb-stream-orders", ("extract", "REMOVE")),
    ("dynamodb-stream-orders", ("migrate",)),
    # plain CloudFormation: a REST API of AWS::ApiGateway::Method resources, a Deployment and a role
    ("cfn-rest-inventory", ("extract", "GET /items/{sku}")),
    ("cfn-rest-inventory", ("migrate",)),
    # log groups, alarms, an invoke config and role statements per new function; the preflight moves at retirement
    ("observed-orders", ("extract", "DELETE /orders/{order_id}")),
    ("observed-orders", ("migrate",)),
    # AppSync: resolvers re-pointed at a data source (and service role) per new function;
    # one resolver on a router in another module, one naming its data source by literal Name
    ("appsync-blog", ("extract", "Query.getPost", "Mutation.addComment")),
    ("appsync-blog", ("migrate",)),
    # SAM GraphQLApi: a Lambda data source and a copy of the pipeline function per new function
    ("graphql-notes", ("extract", "saveNote")),
    ("graphql-notes", ("migrate",)),
    # schedules whose Input names the job: SAM events move whole, standalone ones are re-pointed
    ("scheduled-jobs", ("extract", "digest", "rotate_keys")),
    ("scheduled-jobs", ("migrate",)),
    # Cognito triggers: SAM Cognito events narrowed to a trigger each, a pool's LambdaConfig re-pointed
    ("cognito-triggers", ("extract", "CreateAuthChallenge_Authentication", "PreAuthentication_Authentication")),
    ("cognito-triggers", ("migrate",)),
    # the key built with "%s %s" %; the else answers the one route no branch names
    ("rest-format-keys", ("extract", "GET /health")),
    ("rest-format-keys", ("migrate",)),
    # the table's guard (if handler is None) answers the one route the table no longer lists
    ("http-table-guard", ("extract", "DELETE /books/{isbn}")),
    ("http-table-guard", ("migrate",)),
    # match on an SNS message attribute; case _ serves the one type the filter policy has left
    ("sns-match-receipts", ("extract", "receipt_requested")),
    ("sns-match-receipts", ("migrate",)),
    # a Kinesis stream: the key read from the record's base64 JSON data; FilterCriteria on data
    ("kinesis-clickstream", ("extract", "add_to_cart")),
    ("kinesis-clickstream", ("migrate",)),
    # the same stream read through an AWS::Lambda::EventSourceMapping resource outside Events
    ("dynamodb-mapping-orders", ("extract", "MODIFY")),
    ("dynamodb-mapping-orders", ("migrate",)),
    # groups: one function for several actions, keeping a dispatch of just them; one rule
    # whose pattern lists the group's detail-types
    ("eventbridge-orders", ("extract", "OrderPlaced", "OrderCancelled", "--into", "Lifecycle")),
    # an if/elif chain specialised to three of its branches (two share a handler)
    ("chain-payments", ("extract", "PaymentCaptured", "PaymentSettled", "PaymentRefunded", "--into", "Money")),
    # a table in the handler cut to two entries; two HttpApi events, one per route
    ("table-in-handler-users", ("extract", "GET /users", "POST /users", "--into", "UserRecords")),
    # a standalone rule copied once for the group, its pattern listing both detail-types
    ("standalone-rule-payments", ("extract", "PaymentAuthorized", "PaymentCaptured", "--into", "Ledger")),
]
MONOLITHS = {
    "eventbridge-orders": "OrdersFunction",
    "http-api-catalog": "CatalogFunction",
    "sns-notifications": "NotifierFunction",
    "direct-invoke-billing": "BillingFunction",
    "chain-payments": "PaymentsFunction",
    "match-inventory": "InventoryFunction",
    "table-in-handler-users": "UsersFunction",
    "sequence-reports": "ReportsFunction",
    "powertools-tickets": "TicketsFunction",
    "nested-fulfilment": "FulfilmentFunction",
    "powertools-routers-library": "LibraryFunction",
    "table-of-tables-security": "SecurityFunction",
    "multi-api-shop": ("ProductsFunction", "OrdersFunction"),
    "rest-method-orders": "OrdersFunction",
    "typed-events-billing": "HelloWorldFunction",
    "multi-source-orders": "OrdersFunction",
    "multi-source-nested": "OrdersFunction",
    "fallthrough-notifications": "NotifyFunction",
    "multi-source-keyed": "OrdersFunction",
    "standalone-rule-payments": ("PaymentsFunction", "ReceiptsFunction", "AdminFunction"),
    "openapi-pets": "PetsFunction",
    "dynamodb-stream-orders": "OrderEventsFunction",
    "cfn-rest-inventory": "InventoryFunction",
    "observed-orders": "OrdersFunction",
    "appsync-blog": "BlogFunction",
    "graphql-notes": "NotesFunction",
    "scheduled-jobs": "JobsFunction",
    "cognito-triggers": "AuthTriggersFunction",
    "rest-format-keys": "CafeFunction",
    "http-table-guard": "BooksFunction",
    "sns-match-receipts": "MailerFunction",
    "kinesis-clickstream": "ClickstreamFunction",
    "dynamodb-mapping-orders": "OrderEventsFunction",
}


def _monoliths(fixture: str) -> set[str]:
    named = MONOLITHS[fixture]
    return set(named) if isinstance(named, tuple) else {named}


def case_id(args: tuple[str, ...]) -> str:
    return re.sub(r"[^a-z0-9]+", "-", " ".join(args).lower()).strip("-")


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}:{case_id(c[1])}")
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    fixture, args = request.param
    result = run_on_copy(fixture, args, tmp_path_factory.mktemp(fixture))
    assert result.result.exit_code == 0, result.result.output
    return result


def test_result_is_the_reviewed_tree(run: Run) -> None:
    expected_dir = FIXTURES / run.fixture / "expected" / case_id(run.args)
    actual = snapshot(run.app)
    if os.environ.get("STRANGLER_REGENERATE"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(run.app, expected_dir, ignore=shutil.ignore_patterns("__pycache__"))
    assert actual == snapshot(expected_dir)


def test_template_translates_and_lints(run: Run) -> None:
    samcheck.assert_valid(run.app / "template.yaml")


def test_every_new_function_is_marked_with_its_action(run: Run) -> None:
    template = samcheck.load_template(run.app / "template.yaml")
    marked = {
        logical_id: resource["Metadata"]["Strangler"]
        for logical_id, resource in template["Resources"].items()
        if "ExtractedFrom" in ((resource.get("Metadata") or {}).get("Strangler") or {})
    }
    assert marked, "no function carries Metadata.Strangler"
    origins = {m["ExtractedFrom"] for m in marked.values()}
    # a group comes from one of the monoliths
    assert origins <= _monoliths(run.fixture) if "--into" in run.args else origins == _monoliths(run.fixture)
    if run.args[0] == "extract":
        assert [m["Action"] for m in marked.values()] == _asked(run.args)
    for m in marked.values():
        assert m.get("Actions", [m["Action"]]) == [m["Action"]] or m["Action"] not in m["Actions"]


def test_events_reach_their_function_which_behaves_like_the_monolith(run: Run) -> None:
    story = scenario(run.fixture)
    monoliths = _monoliths(run.fixture)
    before = samcheck.translate(run.original / "template.yaml")
    after = samcheck.translate(run.app / "template.yaml")
    extracted = _extracted(run.app)
    routed = any(_has_events(run.original, monolith, run.fixture) for monolith in monoliths)
    code = samcheck.function_code(run.original / "template.yaml")
    declared = {name for monolith in monoliths for name in code[monolith].environment}

    def original(key: str, event: dict[str, Any]) -> str:
        """The monolith, or with several functions the one the original template routes to."""
        if len(monoliths) == 1:
            return next(iter(monoliths))
        reached = routing.targets(before, event)
        assert len(reached) == 1, f"fixture event for {key} reaches {reached}"
        return next(iter(reached))

    expected, expected_state = _play(story, run.original, original, declared)

    def target(key: str, event: dict[str, Any]) -> str:
        first = original(key, event)
        owner = extracted.get(key, first)
        if routed:
            assert routing.targets(before, event) == {first}, f"fixture event for {key} does not reach {first}"
            assert routing.targets(after, event) == {owner}, f"{key} is not routed to {owner} alone"
        return owner

    actual, actual_state = _play(story, run.app, target, declared)
    assert actual == expected
    assert actual_state == expected_state


def test_events_no_action_claims_never_reach_an_extracted_function(run: Run) -> None:
    story = scenario(run.fixture)
    monoliths = _monoliths(run.fixture)
    if not any(_has_events(run.original, monolith, run.fixture) for monolith in monoliths):
        pytest.skip("direct invoke: callers choose the function")
    before = samcheck.translate(run.original / "template.yaml")
    after = samcheck.translate(run.app / "template.yaml")
    for event in story.UNROUTED_EVENTS:
        reached = routing.targets(after, event)
        assert reached <= routing.targets(before, event) & monoliths
        if run.args[0] == "extract" and _sns_body_is_object(event):
            assert reached == routing.targets(before, event), "the monolith must keep what no action claims"


def test_running_again_changes_nothing(run: Run) -> None:
    before = snapshot(run.app)
    again = strangler(run.app, *run.args)
    assert again.exit_code == 0, again.output
    assert "already" in again.output
    assert snapshot(run.app) == before


def test_dry_run_writes_nothing_and_its_diff_is_the_change(run: Run, tmp_path: Path) -> None:
    app = copy_app(run.fixture, tmp_path / "dry")
    before = snapshot(app)
    dry = strangler(app, *run.args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(app) == before
    diff = dry.stdout
    assert diff.startswith("diff --git a/")
    patch = tmp_path / "change.diff"
    patch.write_text(diff, encoding="utf-8")
    subprocess.run(["git", "apply", "-p1", str(patch)], cwd=app, check=True)
    assert snapshot(app) == snapshot(run.app)


# --- helpers --------------------------------------------------------------------------
def _play(story, app: Path, choose, declared: set[str]) -> tuple[list[Any], Any]:
    """Every event in order against one fresh AWS, each sent to ``choose(key, event)``.

    A function sees only the scenario variables its template declares (of those the
    monolith's template declared), so a variable wrongly dropped fails the comparison.
    """
    code = samcheck.function_code(app / "template.yaml")
    results = []
    with mock_aws():
        story.setup_aws()
        for key, event in story.EVENTS:
            function = code[choose(key, event)]
            env = {k: v for k, v in story.ENV.items() if k in function.environment or k not in declared}
            # Lambda hands each invocation a fresh event: a handler that fills in the
            # event's response (Cognito triggers) must not change the next play's input.
            results.append(_outcome(function.code_dir, function.handler, copy.deepcopy(event), env))
        state = story.aws_state()
    return results, state


def _outcome(code_dir: Path, handler: str, event: dict[str, Any], env: dict[str, str]) -> Any:
    try:
        return ("returned", json.loads(json.dumps(lambdaload.invoke(code_dir, handler, event, env), default=str)))
    except Exception as exc:  # the monolith lets some errors escape for retries
        return ("raised", type(exc).__name__, str(exc))


def _asked(args: tuple[str, ...]) -> list[str]:
    """The functions an extract names: its actions, or the group ``--into`` names."""
    if "--into" in args:
        return [args[args.index("--into") + 1]]
    return list(args[1:])


def _extracted(app: Path) -> dict[str, str]:
    template = samcheck.load_template(app / "template.yaml")
    return {
        key: logical_id
        for logical_id, resource in template["Resources"].items()
        # a function carries ExtractedFrom; a rule or permission made beside it, SplitFrom
        if "ExtractedFrom" in ((resource.get("Metadata") or {}).get("Strangler") or {})
        # a group's function serves each of its Actions
        for key in resource["Metadata"]["Strangler"].get("Actions") or [resource["Metadata"]["Strangler"]["Action"]]
    }


def _has_events(app: Path, function: str, fixture: str) -> bool:
    """Routing is checked unless the function is invoked directly: it has Events, or a
    resource outside them (a rule, a subscription, an API route, a data source...) routes
    some scenario event to it, or it is a plain AWS::Lambda::Function (every route outside)."""
    template = samcheck.load_template(app / "template.yaml")
    resource = template["Resources"][function]
    if (resource.get("Properties") or {}).get("Events") or resource["Type"] == "AWS::Lambda::Function":
        return True
    cfn = samcheck.translate(app / "template.yaml")
    if function in routing.standalone_targets(cfn):
        return True
    return any(function in _reached(cfn, event) for _, event in scenario(fixture).EVENTS)


def _reached(cfn: dict[str, Any], event: dict[str, Any]) -> set[str]:
    try:
        return routing.targets(cfn, event)
    except ValueError:
        return set()


def _sns_body_is_object(event: dict[str, Any]) -> bool:
    """SNS drops a message a MessageBody filter cannot read as a JSON object."""
    records = event.get("Records") or []
    if not records or "Sns" not in records[0]:
        return True
    try:
        return isinstance(json.loads(records[0]["Sns"]["Message"]), dict)
    except (TypeError, ValueError):
        return False
