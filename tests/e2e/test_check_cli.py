"""``strangler check`` as a user runs it on the check fixtures: every rule at once, the fix
as one change that a dry run shows first, and a second run that changes nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.apps import copy_app, snapshot, strangler
from tests.support.hostile import repository


def _diff(app: Path) -> list[str]:
    diff = subprocess.run(["git", "diff"], cwd=app, capture_output=True, text=True, check=True).stdout
    return [line for line in diff.splitlines() if not line.startswith("index ")]


def _codes(app: Path) -> list[str]:
    return [finding["code"] for finding in json.loads(strangler(app, "check", "--format", "json").stdout)]


def test_unguarded_writes_are_found_fixed_as_the_dry_run_showed_and_fixed_once(tmp_path: Path) -> None:
    app = copy_app("unguarded-writes", tmp_path / "app")
    repository(app)
    assert sorted(set(_codes(app))) == ["STR201", "STR202", "STR203", "STR205"]
    before = snapshot(app)
    dry = strangler(app, "check", "--fix", "--dry-run")
    assert snapshot(app) == before

    fixed = strangler(app, "check", "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert _diff(app) == [line for line in dry.stdout.splitlines() if not line.startswith("index ")]
    after = snapshot(app)
    again = strangler(app, "check", "--fix")
    assert again.exit_code == 0 and "All checks passed." in again.stdout
    assert snapshot(app) == after


def test_a_queue_put_in_front_of_a_callee_has_its_writes_guarded_in_the_same_run(tmp_path: Path) -> None:
    """STR101's queue makes AuditFunction at-least-once; the run's next round of fixes
    guards its put_item, so a second run finds nothing more to fix."""
    app = copy_app("sync-chain-orders", tmp_path / "app")
    repository(app)
    assert _codes(app) == ["STR102", "STR101"]
    fixed = strangler(app, "check", "--fix")
    assert fixed.exit_code == 1  # STR102 stays: its fix is advice
    assert "Found 2 problems (1 fixed, 1 remaining)." in fixed.stdout
    audit = (app / "audit" / "app.py").read_text(encoding="utf-8")
    # The wrapper the queue needs is what runs, so it is what is decorated (once).
    assert audit.count("@idempotent(") == 1 and "_lambda_handler_direct = lambda_handler" in audit
    assert audit.index("@idempotent(") > audit.index("_lambda_handler_direct = lambda_handler")
    after = snapshot(app)
    again = strangler(app, "check", "--fix")
    assert snapshot(app) == after
    assert _codes(app) == ["STR102"] and again.exit_code == 1


def test_the_callee_fed_by_the_queue_writes_once_when_a_message_comes_twice(tmp_path: Path) -> None:
    """Both rounds of the fix replayed under moto: the message Pricing now sends, delivered
    twice to the adapted and guarded Audit, writes the audit item once (a repeat no longer
    overwrites what changed since) and answers the same."""
    import boto3
    from moto import mock_aws

    from strangler.verify import lambdaload
    from tests.support.apps import scenario

    app = copy_app("sync-chain-orders", tmp_path / "app")
    repository(app)
    assert strangler(app, "check", "--fix").exit_code == 1
    story = scenario("sync-chain-orders")
    record = {"messageId": "m-1", "receiptHandle": "r", "body": json.dumps(story.AUDIT_PAYLOAD), "attributes": {},
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:audit", "awsRegion": "us-east-1"}
    env = {**story.ENV, "IDEMPOTENCY_TABLE": "idempotency"}
    with mock_aws():
        story.setup_aws()
        boto3.client("dynamodb", region_name=story.REGION).create_table(
            TableName="idempotency", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        def deliver() -> object:
            return lambdaload.invoke(app / "audit", "app.lambda_handler", {"Records": [dict(record)]}, env,
                                     context=lambdaload.FakeContext(function_name="AuditFunction"))

        first = deliver()
        assert story.aws_state() == [story.AUDIT_ITEM]
        table = boto3.resource("dynamodb", region_name=story.REGION).Table(story.TABLE_NAME)
        key = {"pk": story.AUDIT_ITEM["pk"], "sk": story.AUDIT_ITEM["sk"]}
        table.update_item(Key=key, UpdateExpression="SET reviewed = :yes", ExpressionAttributeValues={":yes": True})
        repeat = deliver()
        state = story.aws_state()
    assert first == repeat == {"batchItemFailures": []}
    assert state == [{**story.AUDIT_ITEM, "reviewed": True}]  # the repeat did not write the item again
