"""STR2xx over every fixture app: it never raises, every finding has a fix or advice, and
after the fix nothing fixable is left, so a second fix changes nothing (the monolith apps
have writes behind SQS, SNS and EventBridge too)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from strangler.check.idempotency import RULE
from strangler.verify import lambdaload
from tests.support import samcheck
from tests.support.apps import FIXTURES, copy_app, scenario, strangler
from tests.support.checkfix import findings, fixed

APPS = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir())


@pytest.mark.parametrize("name", APPS)
def test_fix_is_stable(name: str, tmp_path: Path) -> None:
    app = copy_app(name, tmp_path / "app")
    found = findings(RULE, app)
    assert all(f.fixable or f.advice for f in found)
    changes = fixed(RULE, app)
    assert bool(changes.changes) == any(f.fixable for f in found)
    assert [f for f in findings(RULE, app) if f.fixable] == []


# The monolith apps the fix changes, each with its scenario: the fixed monolith must answer
# every event of the scenario, delivered once, as the original does. (The multi-source
# monoliths are advice only: their put_items are keyed on business ids, so the guard is the
# Powertools utility, which a monolith also fed by an API must be split before it gets.)
FIXED_MONOLITHS = {
    "chain-payments": "PaymentsFunction",
    "eventbridge-orders": "OrdersFunction",
    "fallthrough-notifications": "NotifyFunction",
    "nested-fulfilment": "FulfilmentFunction",
    "sns-notifications": "NotifierFunction",
    "table-of-tables-security": "SecurityFunction",
}
PERSISTENCE = "idempotency-store"


@pytest.mark.parametrize("name", sorted(FIXED_MONOLITHS))
def test_fixed_monolith_answers_the_scenario_as_before(name: str, tmp_path: Path) -> None:
    story = scenario(name)
    before = copy_app(name, tmp_path / "before")
    after = copy_app(name, tmp_path / "after")
    assert fixed(RULE, after).changes, "the fix changed nothing: this test compares nothing"
    function = FIXED_MONOLITHS[name]
    assert _play(story, after, function) == _play(story, before, function)


def _play(story: Any, app: Path, function: str) -> tuple[list[Any], Any]:
    code = samcheck.function_code(app / "template.yaml")[function]
    env = {**story.ENV, "IDEMPOTENCY_TABLE": PERSISTENCE}
    results = []
    with mock_aws():
        story.setup_aws()
        if "IDEMPOTENCY_TABLE" in code.environment:
            _persistence_table(app)
        for _, event in story.EVENTS:
            context = lambdaload.FakeContext(function_name=function)
            try:
                answer = lambdaload.invoke(code.code_dir, code.handler, copy.deepcopy(event), env, context=context)
                results.append(("returned", json.loads(json.dumps(answer, default=str))))
            except Exception as exc:  # noqa: BLE001  (the monolith lets some errors escape for retries)
                results.append(("raised", type(exc).__name__, str(exc)))
        return results, story.aws_state()


def _persistence_table(app: Path) -> None:
    """The persistence table, made in moto from the fixed template's own definition."""
    template = samcheck.load_template(app / "template.yaml")
    (properties,) = [r["Properties"] for r in template["Resources"].values()
                     if r["Type"] == "AWS::DynamoDB::Table" and "TimeToLiveSpecification" in r.get("Properties", {})
                     and r["Properties"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]]
    boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName=PERSISTENCE, BillingMode=properties["BillingMode"], KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"])


def test_after_a_split_each_new_function_is_checked_on_its_own(tmp_path: Path) -> None:
    app = copy_app("chain-payments", tmp_path / "app")
    assert strangler(app, "migrate").exit_code == 0
    found = [(f.location.path, f.code, f.function_id, f.fixable) for f in findings(RULE, app)]
    assert found == [
        ("functions/chargeback_opened/app.py", "STR201", "ChargebackOpenedFunction", True),
        ("functions/payment_refunded/app.py", "STR203", "PaymentRefundedFunction", True),
    ]
    changes = fixed(RULE, app)
    assert [c.path for c in changes.changes] == [
        "functions/chargeback_opened/app.py", "functions/chargeback_opened/requirements.txt",
        "functions/payment_refunded/app.py",
        "functions/payment_refunded/requirements.txt", "template.yaml"]
    samcheck.assert_valid(app / "template.yaml")
    assert fixed(RULE, app).changes == ()
