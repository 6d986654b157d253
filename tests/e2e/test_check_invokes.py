"""``strangler check`` on the sync-chain-orders fixture: OrdersApi waits for PricingFunction
(and uses its answer), PricingFunction waits for AuditFunction (and does not).

The fix is checked as a change (dry run == run, rerun changes nothing, the template's
untouched lines byte for byte, translation and cfn-lint) and as behaviour under moto:
the audit item written before the fix is written after it through the queue, and a
direct invoke of AuditFunction still works."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest
from moto import mock_aws

from strangler.verify import lambdaload
from tests.support import samcheck
from tests.support.apps import copy_app, scenario, snapshot, strangler
from tests.support.hostile import repository

APP = "sync-chain-orders"
SNAPSHOT = Path(__file__).parent / "snapshots" / "check" / "sync-chain-orders.txt"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    repository(app := copy_app(APP, tmp_path / "app"))
    return app


def test_findings_are_exact_with_the_chain(app: Path) -> None:
    result = strangler(app, "check", "--format", "json")
    assert result.exit_code == 1
    found = [(f["code"], f["location"]["path"], f["location"]["line"], f["function_id"]) for f in json.loads(result.stdout)]
    assert found == [("STR102", "orders_api/app.py", 21, "OrdersApi"), ("STR101", "pricing/app.py", 25, "PricingFunction")]
    text = strangler(app, "check").stdout
    assert "(chain OrdersApi -> PricingFunction -> AuditFunction)" in text
    assert "OrdersApi is billed for its 1024 MB while it waits" in text
    assert "PricingFunction is billed for its 512 MB while it waits" in text


def test_text_output_is_the_snapshot(app: Path) -> None:
    text = strangler(app, "check").stdout
    if os.environ.get("STRANGLER_REGENERATE"):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")


def test_select_and_quiet(app: Path) -> None:
    only = strangler(app, "check", "--select", "STR101", "-q")
    assert only.exit_code == 1
    assert only.stdout.splitlines() == [
        ("pricing/app.py:25:5: STR101 PricingFunction waits for AuditFunction and ignores its response; PricingFunction is "
         "billed for its 512 MB while it waits (chain OrdersApi -> PricingFunction -> AuditFunction)"),
        "Found 1 problem (1 fixable with --fix).",
    ]
    assert strangler(app, "check", "--select", "STR100").exit_code == 0
    unknown = strangler(app, "check", "--select", "STR10X")
    assert unknown.exit_code == 1 and "no rule has this code" in unknown.stderr and "Traceback" not in unknown.output


def test_dry_run_diff_is_the_fix_and_a_second_fix_changes_nothing(app: Path, tmp_path: Path) -> None:
    before = snapshot(app)
    dry = strangler(app, "check", "--fix", "--dry-run", "--select", "STR1")
    assert snapshot(app) == before
    assert dry.stdout.startswith("diff --git a/audit/app.py b/audit/app.py")
    fixed = strangler(app, "check", "--fix", "--select", "STR1")
    assert fixed.exit_code == 1  # STR102 remains: advice only
    assert "Found 2 problems (1 fixed, 1 remaining)." in fixed.stdout
    assert "AuditFunction now gets these events from SQS, at least once" in fixed.stdout
    diff = subprocess.run(["git", "diff"], cwd=app, capture_output=True, text=True, check=True).stdout
    assert _hunks(diff) == _hunks(dry.stdout)
    after = snapshot(app)
    # STR1 only: the queue makes AuditFunction at-least-once, which the idempotency rules may then take up.
    again = strangler(app, "check", "--fix", "--select", "STR1")
    assert snapshot(app) == after
    remaining = json.loads(strangler(app, "check", "--format", "json", "--select", "STR1").stdout)
    assert [f["code"] for f in remaining] == ["STR102"]
    assert again.exit_code == 1


def _hunks(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if not line.startswith("index ")]


def test_the_fixed_template_translates_lints_and_keeps_untouched_lines(app: Path) -> None:
    original = (app / "template.yaml").read_text(encoding="utf-8")
    assert strangler(app, "check", "--fix").exit_code == 1
    fixed = (app / "template.yaml").read_text(encoding="utf-8")
    assert samcheck.lint(samcheck.translate(app / "template.yaml")) == []
    kept = [line for line in original.splitlines(keepends=True)]
    assert _subsequence(kept, fixed.splitlines(keepends=True))
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    queue = resources["AuditFunctionQueue"]["Properties"]
    assert queue["VisibilityTimeout"] == 30  # 6 x AuditFunction's Timeout of 5
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    event = resources["AuditFunction"]["Properties"]["Events"]["AuditFunctionQueue"]
    assert event["Type"] == "SQS" and event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    pricing = resources["PricingFunction"]["Properties"]
    assert {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["AuditFunctionQueue", "QueueName"]}}} in pricing["Policies"]
    assert pricing["Environment"]["Variables"]["AUDIT_FUNCTION_QUEUE_URL"] == {"Ref": "AuditFunctionQueue"}


def _subsequence(small: list[str], large: list[str]) -> bool:
    """Every line of ``small`` appears in ``large``, in order (the fix only adds lines)."""
    lines = iter(large)
    return all(any(line == other for other in lines) for line in small)


def test_sarif_and_json_validate(app: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    root = Path(__file__).resolve().parents[2]
    sarif = json.loads(strangler(app, "check", "--format", "sarif").stdout)
    for schema in ("sarif-2.1.0-rtm.5.json", "sarif-2.1.0-subset.schema.json"):
        jsonschema.validate(sarif, json.loads((root / "tests/support/schemas" / schema).read_text()))
    run = sarif["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["STR102", "STR101"]
    assert run["results"][1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pricing/app.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 25, "startColumn": 5}}
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"STR100", "STR101", "STR102"}
    document = json.loads(strangler(app, "check", "--format", "json").stdout)
    jsonschema.validate(document, json.loads((root / "strangler/schemas/check.schema.json").read_text()))


def test_crlf_files_stay_crlf(app: Path) -> None:
    for name in ("template.yaml", "pricing/app.py", "audit/app.py"):
        path = app / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    _commit(app)
    result = strangler(app, "check", "--fix")
    assert result.exit_code == 1, result.output
    for name in ("template.yaml", "pricing/app.py", "audit/app.py"):
        data = (app / name).read_bytes()
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), name
    assert b"send_message" in (app / "pricing/app.py").read_bytes()
    assert samcheck.lint(samcheck.translate(app / "template.yaml")) == []


def _commit(app: Path) -> None:
    subprocess.run(["git", "add", "-A"], cwd=app, check=True)
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "crlf"], cwd=app, check=True)


def test_a_dirty_tree_is_refused_and_left_alone(app: Path) -> None:
    (app / "pricing/app.py").write_text((app / "pricing/app.py").read_text() + "# local edit\n")
    before = snapshot(app)
    result = strangler(app, "check", "--fix")
    assert result.exit_code == 1 and "uncommitted changes" in result.stderr
    assert snapshot(app) == before


def test_a_bad_template_is_an_error_not_a_traceback(app: Path) -> None:
    (app / "template.yaml").write_text("Resources: [\n", encoding="utf-8")
    result = strangler(app, "check")
    assert result.exit_code == 1 and "strangler: error:" in result.stderr and "Traceback" not in result.output


# --- behaviour under moto -------------------------------------------------------------------
class _RecordingLambda:
    """Stands in for the Lambda client: records each invoke as Lambda would receive it."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        return {"StatusCode": 200}


def _code(app: Path, folder: str) -> Path:
    return app / folder


@mock_aws
def test_before_and_after_the_fix_the_audit_item_is_the_same(app: Path) -> None:
    story = scenario(APP)
    story.setup_aws()
    env = dict(story.ENV)
    # Before: Pricing waits for Audit, which writes the item.
    recorder = _RecordingLambda()
    with lambdaload.load(_code(app, "pricing"), "app.lambda_handler", env) as pricing:
        pricing.__globals__["lambda_"] = recorder
        quote = pricing(copy.deepcopy(story.QUOTE_REQUEST), lambdaload.FakeContext("pricing"))
    [call] = recorder.calls
    assert json.loads(call["Payload"]) == story.AUDIT_PAYLOAD
    lambdaload.invoke(_code(app, "audit"), "app.lambda_handler", json.loads(call["Payload"]), env)
    before = story.aws_state()
    assert before == [story.AUDIT_ITEM]

    # After: Pricing sends the same payload as a message; the adapted Audit writes the same item.
    assert strangler(app, "check", "--fix", "--select", "STR1").exit_code == 1
    boto3 = pytest.importorskip("boto3")
    boto3.resource("dynamodb", region_name=story.REGION).Table(story.TABLE_NAME).delete_item(
        Key={"pk": story.AUDIT_ITEM["pk"], "sk": story.AUDIT_ITEM["sk"]})
    queue_url = story.create_queue()
    env_after = {**env, "AUDIT_FUNCTION_QUEUE_URL": queue_url}
    again = lambdaload.invoke(_code(app, "pricing"), "app.lambda_handler", copy.deepcopy(story.QUOTE_REQUEST), env_after)
    assert again == quote
    sqs = boto3.client("sqs", region_name=story.REGION)
    [message] = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert message["Body"] == call["Payload"]
    record = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
              "attributes": {}, "messageAttributes": {}, "md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:audit-function-queue-test", "awsRegion": "us-east-1"}
    answer = lambdaload.invoke(_code(app, "audit"), "app.lambda_handler", {"Records": [record]}, env_after)
    assert answer == {"batchItemFailures": []}
    assert story.aws_state() == before

    # A direct invoke of the adapted handler still behaves as before.
    direct = lambdaload.invoke(_code(app, "audit"), "app.lambda_handler", dict(story.AUDIT_PAYLOAD), env_after)
    assert direct == {"recorded": "ORDER#o-1001"}

    # A record that raises is reported for another try; the others are not.
    broken = dict(record, messageId="m-broken", body=json.dumps({"kind": "quote"}))
    answer = lambdaload.invoke(_code(app, "audit"), "app.lambda_handler", {"Records": [record, broken]}, env_after)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-broken"}]}


def test_odd_code_is_skipped_not_a_traceback(app: Path) -> None:
    (app / "pricing/app.py").write_text("def lambda_handler(event, context:\n    pass\n", encoding="utf-8")
    (app / "orders_api/app.py").write_bytes(b"\xff\xfe not utf-8")
    result = strangler(app, "check", "--format", "json")
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == 1 and json.loads(result.stdout) == []
    assert "strangler: warning: orders_api/app.py cannot be read or parsed: not checked" in result.stderr
    assert "strangler: warning: pricing/app.py cannot be read or parsed: not checked" in result.stderr


def test_the_finding_points_at_the_callee_in_the_template(app: Path) -> None:
    [used, unused] = json.loads(strangler(app, "check", "--format", "json").stdout)
    template = (app / "template.yaml").read_text().splitlines()
    assert template[used["related"][0]["line"] - 1] == "  PricingFunction:"
    assert template[unused["related"][0]["line"] - 1] == "  AuditFunction:"
