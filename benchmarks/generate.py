"""Write a synthetic but realistic SAM monolith with N EventBridge actions.

The app looks like ``fixtures/eventbridge-orders/before`` grown large: one
``MonolithFunction`` (``CodeUri: src/``, ``Handler: app.lambda_handler``) receives every
``detail-type`` of one ``EventBridgeRule`` and dispatches through a module-level table
``HANDLERS = {"OrderPlaced": on_order_placed, ...}``.

``src/app.py`` holds, in this order: a module docstring, imports, module-level boto3
clients and resources, constants, two dataclasses, two decorators (one a factory), a
metrics helper every other handler uses, then one section per *group* of 2-5 actions
on the same entity (the group's helpers, shared by its actions, its constants, and its
handlers, a few of which have a helper of their own), the table and the dispatcher.
Handler bodies are drawn from nine shapes (5-15 lines each) so that the actions need
different slices of the module. ``src/shared.py`` is a sibling module that app.py
imports from (exceptions, the event envelope dataclass, key and JSON helpers).

Everything is derived from ``random.Random(seed)``: the same ``(actions, seed)`` always
writes the same bytes.

    python -m benchmarks.generate 500 /tmp/app500 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

SOURCE = "shop.core"
MAX_BODY_LINES = 15

ENTITIES = (
    "Order", "Payment", "Shipment", "Invoice", "Customer", "Refund", "Cart", "Coupon",
    "Inventory", "Subscription", "Review", "Return", "Warehouse", "Carrier", "LoyaltyAccount",
    "GiftCard", "PriceList", "Product", "Catalog", "Supplier", "PurchaseOrder", "Quote",
    "Ticket", "Dispute", "Chargeback", "Wallet", "Voucher", "Bundle", "Promotion", "Address",
    "Consent", "Notification", "Report", "Batch", "Parcel", "Pickup", "Delivery", "Store",
    "Employee", "Session",
)
EVENTS = (
    "Created", "Updated", "Deleted", "Approved", "Rejected", "Cancelled", "Expired",
    "Completed", "Failed", "Submitted", "Archived", "Restored", "Assigned", "Escalated",
    "Reopened", "Closed", "Verified", "Suspended", "Resumed", "Flagged", "Merged", "Placed",
    "Imported", "Exported", "Synced", "Scheduled", "Delayed", "Confirmed", "Refunded", "Renewed",
)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")


def snake(text: str) -> str:
    return "_".join(w.lower() for w in _WORD.findall(text))


# --- the pieces of app.py ---------------------------------------------------------------
APP_HEAD = '''\
"""Core shop service - the single Lambda behind every ``shop.core`` event.

EventBridge delivers $count detail-types here (see the CoreEvents rule in
template.yaml) and ``lambda_handler`` fans out on ``event["detail-type"]``
through the ``HANDLERS`` table at the bottom of this module.

Handlers take ``(detail, meta)`` and return a dict; the dispatcher wraps the
result and maps our own exceptions to a status. Anything else propagates so
that EventBridge retries (and eventually dead-letters) the event.
"""
import os, json, logging
import functools
import time
from dataclasses import dataclass, asdict

import boto3
from botocore.exceptions import ClientError

from shared import (
    ConflictError,
    EventMeta,
    ValidationError,
    entity_key,
    now_iso,
    parse_money,
    redact,
    to_jsonable,
)

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# --- clients (created once per container) ------------------------------------
dynamodb = boto3.resource("dynamodb")
TABLE = dynamodb.Table(os.environ["TABLE_NAME"])
sns = boto3.client("sns")
TOPIC_ARN = os.environ["TOPIC_ARN"]
events = boto3.client("events")
BUS_NAME = os.environ.get("EVENT_BUS_NAME", "default")

# --- business constants ------------------------------------------------------
SCHEMA_VERSION = 7
MAX_ITEMS = 100
DEFAULT_CURRENCY = "EUR"
HIGH_VALUE_CENTS = 50_000  # anything above 500 EUR is reviewed by a human
SENSITIVE_FIELDS = ("email", "phone", "iban", "card_last4")
PRIORITIES = ("low", "normal", "high", "urgent")
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
METRICS_NAMESPACE = "Shop/Core"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "core")


@dataclass
class LineItem:
    """One line of an order, a cart or a quote as the storefront sends it."""

    sku: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents

    @classmethod
    def from_raw(cls, raw: dict) -> "LineItem":
        try:
            item = cls(str(raw["sku"]), int(raw["quantity"]), int(raw["unit_price_cents"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"bad line item {raw!r}: {exc}") from exc
        if item.quantity <= 0:
            raise ValidationError(f"non-positive quantity for {item.sku}")
        return item


@dataclass(frozen=True)
class AuditRecord:
    """What compliance wants to know about a sensitive change."""

    kind: str
    subject: str
    actor: str
    at: str


def require_fields(*fields):
    """Decorator: reject the event early when ``detail`` lacks any of ``fields``."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(detail, meta):
            missing = [f for f in fields if detail.get(f) in (None, "", [])]
            if missing:
                raise ValidationError(f"{fn.__name__}: missing {', '.join(missing)}")
            return fn(detail, meta)

        return wrapper

    return decorator


def idempotent(fn):
    """Decorator: run a handler at most once per EventBridge event id."""

    @functools.wraps(fn)
    def wrapper(detail, meta):
        try:
            TABLE.put_item(
                Item={**entity_key("EVENT", meta.event_id), "ttl": int(time.time()) + IDEMPOTENCY_TTL_SECONDS},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                logger.info("duplicate delivery of %s, skipped", meta.event_id)
                return {"duplicate": True}
            raise
        return fn(detail, meta)

    return wrapper


def emit_metric(name, value, unit="Count"):
    """Embedded metric format: CloudWatch picks the metric up from the log line."""
    print(json.dumps({
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": METRICS_NAMESPACE,
                "Dimensions": [["service"]],
                "Metrics": [{"Name": name, "Unit": unit}],
            }],
        },
        "service": SERVICE,
        name: value,
    }))
'''

GROUP_HEAD = '''

# --- $Ent ($keys) $rule
'''

# Once per entity, in its first group: its states and the loader every group of it uses.
ENTITY_HEAD = '''$ENT_OPEN_STATES = ("NEW", "ACTIVE"$extra_open)
$ENT_CLOSED_STATES = ("CLOSED", "CANCELLED", "ARCHIVED")


def $load_fn($ent_id):
    """Fetch the $ent item or raise ConflictError."""
    item = TABLE.get_item(Key=entity_key("$ENT", $ent_id), ConsistentRead=True).get("Item")
    if item is None:
        raise ConflictError(f"$ent {$ent_id} not found")
    return item
'''

GROUP_HELPERS = {
    "status": '''

def $status_fn($ent_id, new_status, meta, allowed_from):
    """Conditionally move a $ent to ``new_status``; returns the previous status."""
    previous = $load_fn($ent_id).get("status")
    try:
        TABLE.update_item(
            Key=entity_key("$ENT", $ent_id),
            UpdateExpression="SET #s = :new, last_event_id = :e, updated_at = :t",
            ConditionExpression="#s IN (" + ", ".join(f":a{i}" for i in range(len(allowed_from))) + ")",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":new": new_status, ":e": meta.event_id, ":t": meta.time,
                **{f":a{i}": s for i, s in enumerate(allowed_from)},
            },
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ConflictError(f"$ent {$ent_id} is {previous}, cannot become {new_status}") from err
        raise
    return previous
''',
    "publish": '''

def $publish_fn($ent_id, change, payload):
    """Tell the subscribers of the shop topic that a $ent changed."""
    resp = sns.publish(
        TopicArn=TOPIC_ARN,
        Subject=f"$Ent {$ent_id}: {change}",
        Message=json.dumps(to_jsonable(payload), sort_keys=True),
        MessageAttributes={
            "entity": {"DataType": "String", "StringValue": "$ent"},
            "change": {"DataType": "String", "StringValue": change},
        },
    )
    return resp["MessageId"]
''',
    "forward": '''

def $forward_fn(detail_type, $ent_id, meta):
    """Re-publish on the internal bus with the current state attached."""
    current = $load_fn($ent_id)
    resp = events.put_events(Entries=[{
        "EventBusName": BUS_NAME,
        "Source": "$source.internal",
        "DetailType": f"$Ent{detail_type}",
        "Detail": json.dumps({"$id": $ent_id, "state": to_jsonable(current), "cause": meta.event_id}),
    }])
    if resp.get("FailedEntryCount"):
        raise RuntimeError(f"put_events failed for $ent {$ent_id}")
    return resp["Entries"][0].get("EventId")
''',
}
# Which handler shape uses which group helper.
HELPER_SHAPE = {"status": "transition", "publish": "notify", "forward": "forward"}

SINGLE_HELPER = '''

def _$snake_rules(detail):
    """Only $key has these rules (see $ticket)."""
    problems = []
    for name in ($fields):
        if not detail.get(name):
            problems.append(f"{name} is required")
    if detail.get("priority", "normal") not in PRIORITIES:
        problems.append(f"unknown priority {detail.get('priority')!r}")
    return problems
'''

# Handler bodies, indented by four spaces; 5-15 lines each.
SHAPES = {
    "create": '''\
    $ent_id = detail["$id"]
    item = {
        **entity_key("$ENT", $ent_id),
        "status": "$STATUS",
        "attributes": redact(detail, SENSITIVE_FIELDS),
        "created_at": meta.time, "last_event_id": meta.event_id,
        "schema": SCHEMA_VERSION,
    }
    try:
        TABLE.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as err:
        if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise ConflictError(f"$ent {$ent_id} already exists") from err
    return {"$id": $ent_id, "status": "$STATUS"}
''',
    "transition": '''\
    $ent_id = detail.get("$id")
    if not $ent_id:
        raise ValidationError("$key without $id")
    reason = detail.get("reason", "unspecified")
    previous = $status_fn($ent_id, "$STATUS", meta, allowed_from=$ENT_OPEN_STATES)
    logger.info("$ent %s: %s -> $STATUS (%s)", $ent_id, previous, reason)
    return {"$id": $ent_id, "previous": previous, "status": "$STATUS", "reason": reason}
''',
    "inspect": '''\
    $ent_id = detail["$id"]
    current = $load_fn($ent_id)
    if current.get("status") in $ENT_CLOSED_STATES:
        logger.warning("$key for closed $ent %s ignored", $ent_id)
        return {"$id": $ent_id, "ignored": True}
    changes = {k: v for k, v in detail.items() if k in current and current[k] != v}
    TABLE.update_item(
        Key=entity_key("$ENT", $ent_id),
        UpdateExpression="SET changes = list_append(if_not_exists(changes, :empty), :c), updated_at = :t",
        ExpressionAttributeValues={":c": [to_jsonable(changes)], ":empty": [], ":t": meta.time},
    )
    return {"$id": $ent_id, "changed": sorted(changes)}
''',
    "notify": '''\
    $ent_id = detail["$id"]
    current = $load_fn($ent_id)
    payload = {"previous": current.get("status"), **redact(detail, SENSITIVE_FIELDS)}
    message_id = $publish_fn($ent_id, "$key", payload)
    emit_metric("$keyNotified", 1)
    return {"$id": $ent_id, "message_id": message_id}
''',
    "forward": '''\
    $ent_id = detail.get("$id") or detail.get("reference", "").rpartition(":")[2]
    if not $ent_id:
        raise ValidationError("$key without $id or reference")
    entry_id = $forward_fn("$verb", $ent_id, meta)
    logger.debug("forwarded %s as %s", meta.event_id, entry_id)
    return {"$id": $ent_id, "forwarded": entry_id}
''',
    "lineitems": '''\
    items = [LineItem.from_raw(raw) for raw in detail.get("items", [])]
    if not items:
        raise ValidationError("$key without items")
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"too many items ({len(items)})")
    total = sum(item.total_cents for item in items)
    currency = detail.get("currency", DEFAULT_CURRENCY)
    TABLE.put_item(Item={
        **entity_key("$ENT_TOTAL", meta.event_id),
        "total_cents": total,
        "currency": currency,
        "lines": [asdict(item) for item in items],
    })
    return {"total_cents": total, "currency": currency, "high_value": total >= HIGH_VALUE_CENTS}
''',
    "audit": '''\
    record = AuditRecord(
        kind="$key",
        subject=str(detail.get("$id", "unknown")),
        actor=detail.get("actor", "system"),
        at=meta.time or now_iso(),
    )
    TABLE.put_item(Item={**entity_key("AUDIT", meta.event_id), **asdict(record)})
    logger.info("audited %s on %s", record.kind, record.subject)
    return asdict(record)
''',
    "money": '''\
    amount = parse_money(detail.get("amount", "0"))
    if amount <= 0:
        raise ValidationError(f"$key: amount must be positive, got {detail.get('amount')!r}")
    $ent_id = detail["$id"]
    TABLE.update_item(
        Key=entity_key("$ENT", $ent_id),
        UpdateExpression="ADD balance_cents :a SET updated_at = :t",
        ExpressionAttributeValues={":a": amount, ":t": meta.time},
    )
    emit_metric("$keyAmount", amount)
    return {"$id": $ent_id, "amount_cents": amount}
''',
    "single": '''\
    problems = _$snake_rules(detail)
    if problems:
        raise ValidationError("; ".join(problems))
    $ent_id = detail["$id"]
    state = {"state": "$STATUS", "priority": detail.get("priority", "normal"), "at": meta.time}
    TABLE.put_item(Item={**entity_key("$ENT", $ent_id), **state})
    return {"$id": $ent_id, **state}
''',
}
GENERIC_SHAPES = ("create", "inspect", "lineitems", "audit", "money")

APP_TAIL = '''

# detail-type -> handler. Keep in sync with the rule pattern in template.yaml!
HANDLERS = {
$entries}


def lambda_handler(event, context):
    """Route an EventBridge event to the handler of its detail-type."""
    detail_type = event["detail-type"]
    request_id = getattr(context, "aws_request_id", "-")
    logger.info("event %s (%s) request=%s", event.get("id"), detail_type, request_id)

    if detail_type not in HANDLERS:
        # The rule pattern filters these out, but archive replays and console
        # test events still end up here now and then.
        logger.warning("no handler for detail-type %r, ignoring", detail_type)
        emit_metric("UnhandledEvent", 1)
        return {"status": "ignored", "detail_type": detail_type}

    meta = EventMeta(event_id=event["id"], source=event.get("source", ""), time=event.get("time", ""))
    detail = event.get("detail") or {}
    started = time.perf_counter()
    try:
        result = HANDLERS[detail_type](detail, meta)
    except ValidationError as exc:
        logger.error("rejected %s %s: %s", detail_type, meta.event_id, exc)
        return {"status": "rejected", "detail_type": detail_type, "reason": str(exc)}
    except ConflictError as exc:
        logger.warning("conflict on %s %s: %s", detail_type, meta.event_id, exc)
        return {"status": "conflict", "detail_type": detail_type, "reason": str(exc)}
    except ClientError:
        logger.exception("AWS call failed on %s %s", detail_type, meta.event_id)
        raise
    finally:
        emit_metric("HandlerDuration", (time.perf_counter() - started) * 1000, unit="Milliseconds")

    logger.info("handled %s %s", detail_type, meta.event_id)
    return {"status": "ok", "detail_type": detail_type, "result": to_jsonable(result)}
'''

SHARED = '''\
"""Bits shared by the core handlers (and by the storefront's unit tests).

Keep this module free of boto3 clients: it is imported without AWS credentials.
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation


class ValidationError(Exception):
    """The event is malformed; retrying will not help."""


class ConflictError(Exception):
    """The event does not apply to the current state of the entity."""


@dataclass(frozen=True)
class EventMeta:
    """The envelope fields of an EventBridge event a handler may care about."""

    event_id: str
    source: str
    time: str


def entity_key(kind: str, entity_id: str) -> dict:
    """Primary key of an entity's META item (single-table design)."""
    return {"pk": f"{kind}#{entity_id}", "sk": "META"}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def redact(detail: dict, fields) -> dict:
    """A copy of ``detail`` safe to store or publish."""
    return {k: ("***" if k in fields else v) for k, v in detail.items()}


def parse_money(value) -> int:
    """``"12.34"`` or ``12.34`` -> 1234 cents; raises ValidationError."""
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"not an amount: {value!r}") from exc


def to_jsonable(value):
    """DynamoDB hands back Decimals; make results json.dumps-able."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
'''

REQUIREMENTS = """\
# runtime deps (boto3 is in the Lambda runtime, pinned here for local runs)
boto3>=1.34
aws-lambda-powertools>=2.30  # TODO: move emit_metric to powertools Metrics
"""

TEMPLATE_HEAD = """\
# ---------------------------------------------------------------------------
# core-service (generated by benchmarks/generate.py, $count actions, seed $seed$shape)
#
# Every shop.core event reaches MonolithFunction through the CoreEvents rule.
# ---------------------------------------------------------------------------
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: >
  core-service - reacts to $count shop.core detail-types coming from the
  core event bus.

Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues:
      - dev
      - staging
      - prod
    Description: Deployment stage, used in resource names and tags

# Settings shared by every function in this stack
Globals:
  Function:
    Runtime: python3.12
    Timeout: 20
    MemorySize: 512
    Architectures:
      - arm64
    Tracing: Active
    Environment:
      Variables:
        LOG_LEVEL: INFO
        STAGE: !Ref Stage
        POWERTOOLS_SERVICE_NAME: core
    Tags:
      team: platform
      service: core

Resources:
  # Bus owned by the storefront team; we only attach rules to it.
  CoreEventBus:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub shop-core-$${Stage}

  # Internal bus the handlers forward enriched events to.
  InternalEventBus:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub shop-internal-$${Stage}

  # Single-table design: pk = <KIND>#<id>, sk = META
  CoreTable:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      TableName: !Sub core-$${Stage}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
        - AttributeName: sk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
        - AttributeName: sk
          KeyType: RANGE
      TimeToLiveSpecification:
        AttributeName: ttl
        Enabled: true
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true

  # Notifications, CRM and finance subscribe to this.
  ChangesTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub core-changes-$${Stage}

  # The monolith. Handler dispatches on event["detail-type"].
  MonolithFunction:
    Type: AWS::Serverless::Function
    Properties:
      Description: Handles every shop.core event
      CodeUri: src/
      Handler: app.lambda_handler
      Environment:
        Variables:
          TABLE_NAME: !Ref CoreTable
          TOPIC_ARN: !Ref ChangesTopic
          EVENT_BUS_NAME: !Ref InternalEventBus
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref CoreTable
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt ChangesTopic.TopicName
        - EventBridgePutEventsPolicy:
            EventBusName: !Ref InternalEventBus
      Events:
        CoreEvents:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref CoreEventBus
            Pattern:
              source:
$sources              detail-type:
$detail_types              # synthetic traffic from the load-test harness must not run
              detail:
                channel:
                  - anything-but:
                      - load-test
            RetryPolicy:
              MaximumRetryAttempts: 4
              MaximumEventAgeInSeconds: 3600
      Tags:
        component: core-monolith

Outputs:
  MonolithFunctionArn:
    Description: ARN of the core monolith function
    Value: !GetAtt MonolithFunction.Arn
  CoreTableName:
    Description: Name of the core table
    Value: !Ref CoreTable
    Export:
      Name: !Sub $${AWS::StackName}-CoreTable
  ChangesTopicArn:
    Description: Topic that receives change notifications
    Value: !Ref ChangesTopic
"""


DISPATCH_SHAPES = ("table", "chain", "sequence", "match", "nested", "routes")
SHAPE_WORDS = {
    "table": "a dispatch table",
    "chain": "an if/elif chain",
    "sequence": "a sequence of ifs",
    "match": "a match statement",
    "nested": "source, then detail-type",
    "routes": "Powertools HTTP routes",
}

# The branch shapes: ``lambda_handler`` keeps the table shape's logging, error mapping and
# metric around a dispatch written out as branches ($dispatch, indented by eight spaces).
BRANCH_TAIL = """

def _done(detail_type, meta, result):
    logger.info("handled %s %s", detail_type, meta.event_id)
    return {"status": "ok", "detail_type": detail_type, "result": to_jsonable(result)}


def lambda_handler(event, context):
    \"\"\"Route an EventBridge event to the handler of its $what.\"\"\"
    detail_type = event["detail-type"]
    source = event.get("source", "")
    request_id = getattr(context, "aws_request_id", "-")
    logger.info("event %s (%s from %s) request=%s", event.get("id"), detail_type, source, request_id)

    meta = EventMeta(event_id=event["id"], source=source, time=event.get("time", ""))
    detail = event.get("detail") or {}
    started = time.perf_counter()
    try:
$dispatch    except ValidationError as exc:
        logger.error("rejected %s %s: %s", detail_type, meta.event_id, exc)
        return {"status": "rejected", "detail_type": detail_type, "reason": str(exc)}
    except ConflictError as exc:
        logger.warning("conflict on %s %s: %s", detail_type, meta.event_id, exc)
        return {"status": "conflict", "detail_type": detail_type, "reason": str(exc)}
    except ClientError:
        logger.exception("AWS call failed on %s %s", detail_type, meta.event_id)
        raise
    finally:
        emit_metric("HandlerDuration", (time.perf_counter() - started) * 1000, unit="Milliseconds")
"""

IGNORED = """\
# The rule pattern filters these out, but archive replays and console
# test events still end up here now and then.
logger.warning("no handler for detail-type %r, ignoring", detail_type)
emit_metric("UnhandledEvent", 1)
return {"status": "ignored", "detail_type": detail_type}
"""

ROUTES_TAIL = """

@app.exception_handler(ValidationError)
def handle_validation(ex):
    logger.error("rejected %s: %s", app.current_event.path, ex)
    return Response(status_code=400, content_type=content_types.APPLICATION_JSON, body={"message": str(ex)})


@app.exception_handler(ConflictError)
def handle_conflict(ex):
    logger.warning("conflict on %s: %s", app.current_event.path, ex)
    return Response(status_code=409, content_type=content_types.APPLICATION_JSON, body={"message": str(ex)})


def lambda_handler(event, context):
    \"\"\"Every route of the core API: see the @app.post decorators above.\"\"\"
    started = time.perf_counter()
    try:
        return app.resolve(event, context)
    finally:
        emit_metric("HandlerDuration", (time.perf_counter() - started) * 1000, unit="Milliseconds")
"""

ROUTES_HEAD = """
app = APIGatewayHttpResolver()


def _request():
    \"\"\"The JSON body and the envelope of the current HTTP request.\"\"\"
    event = app.current_event
    meta = EventMeta(event_id=event.request_context.request_id, source="http", time=event.request_context.time)
    return event.json_body or {}, meta
"""


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _source_of(action: _Action) -> str:
    return f"{SOURCE}.{snake(action.entity).replace('_', '-')}"


def _route_path(action: _Action) -> str:
    version = action.key[len(action.entity) + len(action.verb):].lower()
    path = f"/{snake(action.entity).replace('_', '-')}/{snake(action.verb)}"
    return path + (f"/{version}" if version else "")


def _routes_head(head: str) -> str:
    """APP_HEAD for Powertools routes: the resolver, and decorators that read the request."""
    head = head.replace(
        "from botocore.exceptions import ClientError\n",
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types\n"
        "from botocore.exceptions import ClientError\n",
    )
    head = re.sub(
        r"( *)def wrapper\(detail, meta\):\n",
        lambda m: f"{m[1]}def wrapper(*args, **kwargs):\n{m[1]}    detail, meta = _request()\n",
        head,
    )
    head = head.replace("return fn(detail, meta)", "return fn(*args, **kwargs)")
    return head + ROUTES_HEAD


def _chain(actions: list[_Action], call: str, test: str = "detail_type") -> str:
    lines = []
    for index, action in enumerate(actions):
        word = "if" if index == 0 else "elif"
        lines.append(f'{word} {test} == "{action.key}":\n    {call.format(f=action.function)}\n')
    return "".join(lines)


def _tail(actions: list[_Action], shape: str) -> tuple[str, list[str]]:
    """The dispatcher of ``shape``, and the keys in the order ``strangler scan`` lists them."""
    keys = [action.key for action in actions]
    if shape == "table":
        entries = "".join(f'    "{a.key}": {a.function},\n' for a in actions)
        return Template(APP_TAIL).substitute(entries=entries), keys
    if shape == "routes":
        return ROUTES_TAIL, [f"POST {_route_path(a)}" for a in actions]
    assign = "result = {f}(detail, meta)"
    done = "return _done(detail_type, meta, {f}(detail, meta))"
    what = "detail-type"
    if shape == "chain":
        dispatch = _chain(actions, assign) + "else:\n" + _indent(IGNORED, 4)
        dispatch += "return _done(detail_type, meta, result)\n"
    elif shape == "sequence":
        dispatch = "".join(f'if detail_type == "{a.key}":\n    {done.format(f=a.function)}\n' for a in actions)
        dispatch += IGNORED
    elif shape == "match":
        cases = "".join(f'    case "{a.key}":\n        {assign.format(f=a.function)}\n' for a in actions)
        dispatch = "match detail_type:\n" + cases + "    case _:\n" + _indent(IGNORED, 8)
        dispatch += "return _done(detail_type, meta, result)\n"
    elif shape == "nested":
        what = "source, then of its detail-type"
        by_source: dict[str, list[_Action]] = {}
        for action in actions:
            by_source.setdefault(_source_of(action), []).append(action)
        dispatch = ""
        keys = []
        for index, (source, members) in enumerate(by_source.items()):
            word = "if" if index == 0 else "elif"
            dispatch += f'{word} source == "{source}":\n' + _indent(_chain(members, done), 4)
            keys += [f"{source}/{a.key}" for a in members]
        dispatch += IGNORED
    else:
        raise ValueError(f"shape must be one of {', '.join(DISPATCH_SHAPES)}")
    return Template(BRANCH_TAIL).substitute(dispatch=_indent(dispatch, 8), what=what), keys


def _routes_template() -> str:
    """TEMPLATE_HEAD with an HTTP API in front of the monolith instead of the rule."""
    head, _, rest = TEMPLATE_HEAD.partition("      Events:\n")
    _, _, tail = rest.partition("      Tags:\n        component: core-monolith\n")
    api = """\
  # The core API; Powertools routes every request (see the @app.post decorators).
  CoreApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Description: Core shop API

"""
    head = head.replace("  # The monolith. Handler dispatches", api + "  # The monolith. Handler dispatches")
    events = """\
      Events:
        Proxy:
          Type: HttpApi
          Properties:
            ApiId: !Ref CoreApi
            Path: /{proxy+}
            Method: ANY
"""
    return head + events + "      Tags:\n        component: core-monolith\n" + tail


ROUTES_TEMPLATE = _routes_template()


@dataclass
class _Action:
    key: str
    entity: str
    verb: str
    function: str
    shape: str
    decorators: list[str] = field(default_factory=list)
    docstring: bool = False
    debug_line: bool = False
    comment: str | None = None


@dataclass
class _Group:
    entity: str
    actions: list[_Action]
    helpers: list[str]
    names: dict[str, str] = field(default_factory=dict)  # helper kind -> function name
    first: bool = False  # the entity's first group defines its states and loader


def _helper_name(kind: str, entity: str) -> str:
    ent = snake(entity)
    return {
        "load": f"_load_{ent}",
        "status": f"_set_{ent}_status",
        "publish": f"_publish_{ent}_change",
        "forward": f"_forward_{ent}",
    }[kind]


def action_keys(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """``count`` distinct (key, entity, verb), grouped by entity in a shuffled order."""
    entities = list(ENTITIES)
    rng.shuffle(entities)
    per_entity = {entity: rng.sample(EVENTS, len(EVENTS)) for entity in entities}
    chosen: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    version = 1
    while len(chosen) < count:
        # Round-robin over entities in chunks, so each entity gets several groups.
        for entity in entities:
            take = rng.randint(5, 12)
            verbs, per_entity[entity] = per_entity[entity][:take], per_entity[entity][take:]
            for verb in verbs:
                key = f"{entity}{verb}" + (f"V{version}" if version > 1 else "")
                if snake(key) in seen:
                    continue
                seen.add(snake(key))
                chosen.append((key, entity, verb))
                if len(chosen) == count:
                    return chosen
        if not any(per_entity.values()):
            version += 1
            per_entity = {entity: rng.sample(EVENTS, len(EVENTS)) for entity in entities}
    return chosen


def _groups(count: int, rng: random.Random) -> list[_Group]:
    keys = action_keys(count, rng)
    groups: list[_Group] = []
    index = 0
    while index < len(keys):
        entity = keys[index][1]
        run = 1
        while index + run < len(keys) and keys[index + run][1] == entity:
            run += 1
        # Split the entity's run into groups of 2-5 (a lone action joins the previous group).
        chunk_start = index
        while chunk_start < index + run:
            size = min(rng.randint(2, 5), index + run - chunk_start)
            if size == 1 and groups and groups[-1].entity == entity:
                groups[-1].actions.append(_action(keys[chunk_start], rng))
                chunk_start += 1
                continue
            members = [_action(k, rng) for k in keys[chunk_start : chunk_start + size]]
            groups.append(_Group(entity, members, []))
            chunk_start += size
        index += run
    used: dict[str, list[str]] = {}  # helper kinds an entity's earlier groups defined
    for group in groups:
        group.first = group.entity not in used
        kinds = list(GROUP_HELPERS)
        rng.shuffle(kinds)
        earlier = used.setdefault(group.entity, [])
        kinds.sort(key=earlier.count)  # prefer a kind the entity has no helper of yet
        # Three groups in four have helpers of their own (two for the larger groups).
        count = 0 if rng.random() < 0.25 else (1 if len(group.actions) <= 4 else 2)
        group.helpers = kinds[:count]
        for kind in group.helpers:
            count = earlier.count(kind)
            group.names[kind] = _helper_name(kind, group.entity) + (f"_v{count + 1}" if count else "")
            earlier.append(kind)
        group.names["load"] = _helper_name("load", group.entity)
        # Each group helper is used by two of the group's actions; the others draw a shape:
        # now and then a group helper again, or a helper of their own, mostly a generic one.
        shapes = [HELPER_SHAPE[kind] for kind in group.helpers for _ in range(2)]
        while len(shapes) < len(group.actions):
            roll = rng.random()
            if group.helpers and roll < 0.2:
                shapes.append(HELPER_SHAPE[rng.choice(group.helpers)])
            elif roll < 0.3:
                shapes.append("single")
            else:
                shapes.append(rng.choice(GENERIC_SHAPES))
        rng.shuffle(shapes)
        for action, shape in zip(group.actions, shapes):
            action.shape = shape
    return groups


def _action(item: tuple[str, str, str], rng: random.Random) -> _Action:
    key, entity, verb = item
    prefix = "on" if rng.random() < 0.8 else "handle"
    action = _Action(key, entity, verb, f"{prefix}_{snake(key)}", "create")
    roll = rng.random()
    if roll < 0.3:
        fields = [f'"{snake(entity)}_id"'] + (['"actor"'] if rng.random() < 0.4 else [])
        action.decorators.append(f"@require_fields({', '.join(fields)})")
    if 0.25 < roll < 0.4:
        action.decorators.append("@idempotent")
    action.docstring = rng.random() < 0.5
    action.debug_line = rng.random() < 0.25
    if rng.random() < 0.1:
        action.comment = rng.choice((
            "# NOTE: the storefront sends this twice on retries; handlers must be idempotent",
            "# TODO(core): drop the fallback once every producer sends the id",
            "# keep the response shape: the replay tool parses it",
        ))
    return action


def _fill(template: str, action: _Action | None, group: _Group, **extra: str) -> str:
    entity = group.entity
    values = {
        "Ent": entity,
        "ent": snake(entity),
        "ENT": snake(entity).upper(),
        "id": f"{snake(entity)}_id",
        "source": SOURCE,
    }
    if action is not None:
        values.update(
            key=action.key,
            verb=action.verb,
            snake=snake(action.key),
            STATUS=snake(action.verb).upper(),
        )
    values.update({f"{kind}_fn": name for kind, name in group.names.items()})
    values.update(extra)
    # ``$ent_id``/``$ENT_OPEN_STATES`` read as one identifier to Template: spell them out first.
    text = template
    for name in ("ent", "ENT", "key", "snake"):
        if name in values:
            text = re.sub(rf"\${name}(?=[A-Za-z_])", lambda _m, n=name: "${" + n + "}", text)
    return Template(text).substitute(values)


def _handler(action: _Action, group: _Group, routed: bool = False) -> str:
    body = _fill(SHAPES[action.shape], action, group)
    if routed:  # a Powertools route takes no arguments: it reads the request itself
        body = "    detail, meta = _request()\n" + body
    extras = []  # optional lines, kept while the body stays within 15 lines
    if action.docstring:
        extras.append(f'    """{action.key}: {_describe(action)}."""')
    if action.comment:
        extras.append(f"    {action.comment}")
    if action.debug_line:
        extras.append(f'    logger.debug("{action.key} detail keys: %s", sorted(detail))')
    room = max(0, MAX_BODY_LINES - body.count("\n"))
    room = room - 1 if routed else room
    route = [f'@app.post("{_route_path(action)}")'] if routed else []
    signature = "()" if routed else "(detail, meta)"
    lines = ["", "", *route, *action.decorators, f"def {action.function}{signature}:", *extras[:room]]
    return "\n".join(lines) + "\n" + body


def _describe(action: _Action) -> str:
    return {
        "create": "store the new item",
        "transition": "conditional status change",
        "inspect": "record what changed",
        "notify": "tell the subscribers",
        "forward": "hand over to the internal bus",
        "lineitems": "price the line items",
        "audit": "keep an audit record",
        "money": "book the amount",
        "single": "validate, then store the state",
    }[action.shape]


def render_app(count: int, seed: int = 0, shape: str = "table") -> tuple[str, list[str]]:
    """The source of ``src/app.py`` and the action keys as ``strangler scan`` lists them."""
    if shape not in DISPATCH_SHAPES:
        raise ValueError(f"shape must be one of {', '.join(DISPATCH_SHAPES)}")
    rng = random.Random(seed)
    groups = _groups(count, rng)
    head = Template(APP_HEAD).substitute(count=count)
    if shape == "routes":
        head = _routes_head(head)
    parts = [head]
    table: list[_Action] = []
    for group in groups:
        keys = ", ".join(a.key for a in group.actions)
        rule = "-" * max(3, 78 - len(f"# --- {group.entity} ({keys}) "))
        if len(keys) > 60:
            keys = keys[:57] + "..."
            rule = "-" * max(3, 78 - len(f"# --- {group.entity} ({keys}) "))
        extra_open = ', "ON_HOLD"' if rng.random() < 0.5 else ""
        parts.append(_fill(GROUP_HEAD, None, group, keys=keys, rule=rule))
        if group.first:
            parts.append(_fill(ENTITY_HEAD, None, group, extra_open=extra_open))
        for helper in group.helpers:
            parts.append(_fill(GROUP_HELPERS[helper], None, group))
        for action in group.actions:
            if action.shape == "single":
                fields = ", ".join(f'"{f}"' for f in rng.sample(("reason", "actor", "channel", "region", "note"), 2))
                ticket = f"CORE-{rng.randint(100, 9999)}"
                parts.append(_fill(SINGLE_HELPER, action, group, fields=fields + ",", ticket=ticket))
            parts.append(_handler(action, group, routed=shape == "routes"))
            table.append(action)
    tail, keys = _tail(table, shape)
    parts.append(tail)
    return "".join(parts), keys


def render_template(keys: list[str], seed: int = 0, shape: str = "table", sources: list[str] | None = None) -> str:
    if shape == "routes":
        return Template(ROUTES_TEMPLATE).substitute(count=len(keys), seed=seed, shape=", " + SHAPE_WORDS[shape])
    if shape == "nested":
        detail_types = "".join(f"                - {key.partition('/')[2]}\n" for key in keys)
        source_list = "".join(f"                - {source}\n" for source in sources or ())
    else:
        detail_types = "".join(f"                - {key}\n" for key in keys)
        source_list = f"                - {SOURCE}\n"
    return Template(TEMPLATE_HEAD).substitute(
        count=len(keys), seed=seed, sources=source_list, detail_types=detail_types,
        shape="" if shape == "table" else ", " + SHAPE_WORDS[shape],
    )


def generate(root: Path, actions: int, seed: int = 0, shape: str = "table") -> Path:
    """Write the app into ``root`` (created if needed) and return ``root``."""
    if actions < 1:
        raise ValueError("actions must be at least 1")
    root = Path(root)
    source, keys = render_app(actions, seed, shape)
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    sources = list(dict.fromkeys(key.partition("/")[0] for key in keys)) if shape == "nested" else None
    (root / "template.yaml").write_text(render_template(keys, seed, shape, sources), encoding="utf-8")
    (src / "app.py").write_text(source, encoding="utf-8")
    (src / "shared.py").write_text(SHARED, encoding="utf-8")
    (src / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    return root


def keys_of(actions: int, seed: int = 0, shape: str = "table") -> list[str]:
    """The action keys ``generate(..., actions, seed, shape)`` writes, as ``strangler scan`` lists them."""
    return render_app(actions, seed, shape)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("actions", type=int, help="number of actions (dispatch table entries)")
    parser.add_argument("directory", type=Path, help="where to write the app (created if needed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", choices=DISPATCH_SHAPES, default="table", help="how lambda_handler dispatches")
    args = parser.parse_args(argv)
    root = generate(args.directory, args.actions, args.seed, args.shape)
    lines = (root / "src" / "app.py").read_text(encoding="utf-8").count("\n")
    print(f"{root}: {args.actions} actions ({args.shape}), src/app.py {lines} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
