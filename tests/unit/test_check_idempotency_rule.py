"""STR2xx on the unguarded-writes fixture: the exact findings, and the fix as written."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from strangler.check.idempotency import RULE
from strangler.check.registry import RULES
from tests.support.apps import FIXTURES, copy_app
from tests.support.checkfix import findings, fixed, snapshot

APP = "unguarded-writes"
BEFORE = FIXTURES / APP / "before"


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = copy_app(APP, tmp_path_factory.mktemp("fixed") / "app")
    fixed(RULE, app)
    return app


def test_registered() -> None:
    assert RULE in RULES
    assert [info.code for info in RULE.infos] == ["STR201", "STR202", "STR203", "STR204", "STR205"]


def test_exact_findings() -> None:
    found = [(f.line(), f.function_id, f.fixable) for f in findings(RULE, BEFORE)]
    queue, topic, rule = "OrdersQueue (SQS)", "OrderEventsTopic (SNS)", "Shipped (EventBridge)"
    stock = "InventoryQueue (SQS)"
    twice = "can deliver the same event twice"
    assert found == [
        (f"intake/app.py:19:5: STR201 {queue} {twice}; put_item into OrdersTable has no ConditionExpression",
         "IntakeFunction", True),
        (f"intake/app.py:25:5: STR203 {queue} {twice}; sqs.send_message sends a new message on every delivery",
         "IntakeFunction", True),
        (f"inventory/app.py:17:5: STR202 {stock} {twice}; update_item on StockTable adds to a value "
         + "('ADD reserved :qty')", "InventoryFunction", True),
        (f"notifications/handler.py:15:5: STR203 {topic} {twice}; sns.publish sends a new message on every delivery",
         "NotificationsFunction", True),
        (f"notifications/stats_store.py:11:5: STR202 {topic} {twice}; update_item on CustomerStatsTable adds to a "
         + "value ('ADD order_count :one')", "NotificationsFunction", True),
        (f"partner_sync/app.py:26:5: STR201 {rule} {twice}; put_item into ShipmentsTable has no ConditionExpression",
         "PartnerSyncFunction", True),
        (f"partner_sync/app.py:28:16: STR205 {rule} {twice}; requests.post calls an external API on every delivery",
         "PartnerSyncFunction", True),
    ]
    # Not findings: the API's put_item (a synchronous caller), the receipts handler (already
    # @idempotent), the audit put_item (ConditionExpression) and the plain SET update_item.


def test_findings_point_at_the_template_and_explain() -> None:
    first = findings(RULE, BEFORE)[0]
    assert first.related[0].path == "template.yaml" and first.related[0].line == 92
    # Keyed on the order id, not the delivery's: another event may rewrite the same order,
    # so the guard is the Powertools utility (a condition would drop that rewrite).
    assert "@idempotent_function on save_order" in (first.fix or "")
    assert "ConditionalCheckFailedException" in first.explanation
    intake_message = findings(RULE, BEFORE)[1]
    assert "@idempotent_function on save_order" in (intake_message.fix or "")
    assert "Lambda context" in intake_message.explanation


def test_fix_changes_only_what_it_must(after: Path) -> None:
    before, now = snapshot(BEFORE), snapshot(after)
    changed = sorted(path for path in now if now[path] != before.get(path))
    assert changed == ["intake/app.py", "inventory/app.py", "notifications/handler.py", "partner_sync/app.py",
                       "partner_sync/requirements.txt", "template.yaml"]
    assert set(now) == set(before)


def test_untouched_template_lines_keep_their_bytes(after: Path) -> None:
    old = (BEFORE / "template.yaml").read_bytes().decode().splitlines(keepends=True)
    new = (after / "template.yaml").read_bytes().decode().splitlines(keepends=True)
    diff = [line for line in difflib.ndiff(old, new) if line[:1] in "+-"]
    assert [line for line in diff if line.startswith("-")] == [
        "-       Policies: AmazonDynamoDBFullAccess  # TODO(ops): narrow this down\n"]
    added = [line[2:] for line in diff if line.startswith("+")]
    assert added.count("          IDEMPOTENCY_TABLE: !Ref ReceiptsIdempotencyStore\n") == 4
    assert added.count("            TableName: !Ref ReceiptsIdempotencyStore\n") == 4
    assert added.count("        - DynamoDBCrudPolicy:\n") == 4
    # The one policy becomes a list; its comment stays on its line.
    assert "      Policies:\n" in added
    assert "        - AmazonDynamoDBFullAccess        # TODO(ops): narrow this down\n" in added
    assert len(added) == 4 + 4 + 4 + 2  # and the Policies line, now a list
    # The existing persistence table is reused: no second one.
    assert b"IdempotencyTable" not in (after / "template.yaml").read_bytes()


def test_crlf_file_stays_crlf(after: Path) -> None:
    text = (after / "partner_sync" / "app.py").read_bytes()
    assert text.count(b"\n") == text.count(b"\r\n")
    assert b"\r\n@idempotent(persistence_store=persistence_layer, config=idempotency_config)\r\ndef handler(" in text
    assert b"  # name: the carrier's tracking id\r\n" in text
    assert (after / "partner_sync" / "requirements.txt").read_bytes() == b"requests==2.32.3\r\naws-lambda-powertools\r\n"


def test_per_record_function_for_sqs(after: Path) -> None:
    text = (after / "intake" / "app.py").read_text()
    assert '@idempotent_function(data_keyword_argument="record", persistence_store=persistence_layer, ' \
           "config=record_idempotency_config)\ndef save_order(record):" in text
    assert "saved.append(save_order(record=record))" in text
    assert "    record_idempotency_config.register_lambda_context(context)\n    saved = []" in text
    assert 'IdempotencyConfig(event_key_jmespath="messageId")' in text
    # The storefront comment inside the guarded put_item is kept.
    assert "# kept as text: floats are not Decimal-safe" in text


def test_record_handler_of_powertools_batch(after: Path) -> None:
    text = (after / "inventory" / "app.py").read_text()
    assert '@idempotent_function(data_keyword_argument="record", persistence_store=persistence_layer, ' \
           "config=record_idempotency_config)\ndef record_handler(record: SQSRecord):" in text
    assert "    record_idempotency_config.register_lambda_context(context)\n    return process_partial_response(" in text


def test_handler_decorator_goes_innermost(after: Path) -> None:
    text = (after / "notifications" / "handler.py").read_text()
    assert ("@logger.inject_lambda_context(log_event=False)\n"
            "@idempotent(persistence_store=persistence_layer, config=idempotency_config)\n"
            "def lambda_handler(event, context):") in text
    assert 'IdempotencyConfig(event_key_jmespath="Records[*].Sns.MessageId")' in text


def test_second_fix_changes_nothing(after: Path) -> None:
    before = snapshot(after)
    assert fixed(RULE, after).changes == ()
    assert snapshot(after) == before
    assert [f for f in findings(RULE, after) if f.fixable] == []


def test_a_monolith_is_checked_per_action(tmp_path: Path) -> None:
    app = copy_app("multi-source-orders", tmp_path / "app")
    handlers = app / "orders" / "order_handlers.py"
    text = handlers.read_text()
    # A put_item only the HTTP API's action reaches (a caller sees its errors), and an
    # external call only the partner topic's action reaches.
    text = text.replace("def cancel_order(table, order_id):\n",
                        "def cancel_order(table, order_id):\n    table.put_item(Item={\"order_id\": order_id + \"-audit\"})\n")
    text = text.replace("def partner_update(table, message):\n",
                        "def partner_update(table, message):\n    import urllib.request\n"
                        "    urllib.request.urlopen(\"https://partner.example\", data=b\"{}\")\n")
    handlers.write_text(text)
    found = [(f.line(), f.fixable, f.advice) for f in findings(RULE, app)]
    twice = "can deliver the same event twice"
    assert found == [
        ((f"orders/order_handlers.py:13:5: STR201 IntakeQueue (SQS) {twice}; put_item into OrdersTable has no "
          "ConditionExpression (action 'SQS')"), False,
         ("OrdersFunction is a monolith also delivered events that do not repeat (or by several services): split "
          "it first (strangler extract), then fix each new function")),
        ((f"orders/order_handlers.py:23:5: STR205 PartnerUpdatesTopic (SNS) {twice}; urllib.request.urlopen sends "
          "data to an external API on every delivery (action 'SNS')"), False,
         ("OrdersFunction is a monolith also delivered events that do not repeat (or by several services): split "
          "it first (strangler extract), then fix each new function")),
    ]
