"""Dispatch in a helper the handler calls: followed, specialised per action, and the event
path joined from what the handler passes and what the helper reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.render import codegen

PATH = "src/app.py"
FUNCTION = FunctionRef("BillingFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

RECORDS = '''\
import json

import billing

CHARGE = "charge"
REFUND = "refund"


def process_record(record):
    body = json.loads(record["body"])
    if body["kind"] == CHARGE:
        return billing.charge(body)
    elif body["kind"] == REFUND:
        return billing.refund(body)
    return None


def lambda_handler(event, context):
    results = []
    for record in event["Records"]:
        results.append(process_record(record))
    return {"results": results}
'''

TYPED = '''\
from aws_lambda_powertools import Logger

from schema.aws.events.billing import AWSEvent, Marshaller

import invoices

logger = Logger()

INVOICE_PAID = "InvoicePaid"
INVOICE_VOIDED = "InvoiceVoided"


def route(aws_event):
    if aws_event.detail_type == INVOICE_PAID:
        return invoices.paid(aws_event.detail)
    elif aws_event.detail_type == INVOICE_VOIDED:
        return invoices.voided(aws_event.detail)
    logger.warning("no route")
    return None


def lambda_handler(event, context):
    aws_event = Marshaller.unmarshall(event, AWSEvent)
    result = route(aws_event)
    return Marshaller.marshall(result)
'''


def analysed(source: str) -> Analysis:
    return analyse(FUNCTION, source, PATH)


def extracted(source: str, key: str) -> str:
    return codegen.extracted_module(analysed(source), key, '"""extracted"""')[0]


def test_a_helper_called_per_record_dispatches_on_the_record() -> None:
    analysis = analysed(RECORDS)
    assert [a.key for a in analysis.dispatch.actions] == ["charge", "refund"]
    assert str(analysis.dispatch.event_path) == "Records[*].body(json).kind"
    assert analysis.dispatch.entrypoint == "lambda_handler" and "process_record()" in analysis.dispatch.table


def test_the_new_module_keeps_the_handler_and_the_helper_cut_to_one_branch() -> None:
    code = extracted(RECORDS, "refund")
    helper = code[code.index("def process_record") : code.index("def lambda_handler")]
    assert "billing.refund(body)" in helper and "charge" not in helper and "if " not in helper
    assert "for record in event[\"Records\"]:\n        results.append(process_record(record))" in code
    assert "CHARGE" not in code and "REFUND" not in code  # the constants only the test read


def test_the_monolith_keeps_its_handler_and_the_helper_loses_the_branch() -> None:
    code = codegen.monolith_module(analysed(RECORDS), ["charge"])[0]
    assert code.split("def lambda_handler")[1] == RECORDS.split("def lambda_handler")[1]
    assert "    if body[\"kind\"] == REFUND:\n        return billing.refund(body)\n    return None\n" in code


def test_a_typed_event_passed_to_the_helper_keeps_its_type() -> None:
    analysis = analysed(TYPED)
    assert [a.key for a in analysis.dispatch.actions] == ["InvoicePaid", "InvoiceVoided"]
    assert str(analysis.dispatch.event_path) == "detail-type"
    code = extracted(TYPED, "InvoiceVoided")
    assert "invoices.voided(aws_event.detail)" in code and "invoices.paid" not in code
    assert "Marshaller.unmarshall(event, AWSEvent)" in code
    assert "logger" not in code  # only the tail after the chain, dead once one branch returns, used it


def test_return_handle_event_follows_the_event_itself() -> None:
    source = '''\
import orders


def handle(event):
    match event["detail-type"]:
        case "OrderPlaced":
            return orders.place(event["detail"])
        case "OrderCancelled":
            return orders.cancel(event["detail"])


def lambda_handler(event, context):
    return handle(event)
'''
    analysis = analysed(source)
    assert str(analysis.dispatch.event_path) == "detail-type" and analysis.dispatch.shape == "match"


def test_a_helper_given_something_not_from_the_event_is_not_followed() -> None:
    source = '''\
import orders

MODE = "x"


def handle(mode):
    if mode == "a":
        return orders.a()
    elif mode == "b":
        return orders.b()


def lambda_handler(event, context):
    return handle(MODE)
'''
    with pytest.raises(StranglerError, match="no dispatch found"):
        analysed(source)


def test_a_helper_called_twice_is_not_followed() -> None:
    source = RECORDS.replace('    return {"results": results}', '    process_record(event["retry"])\n    return {"results": results}')
    with pytest.raises(StranglerError, match="no dispatch found"):
        analysed(source)


def test_every_action_extracted_from_the_helper_leaves_nothing_left() -> None:
    code = codegen.monolith_module(analysed(RECORDS), ["charge", "refund"])[0]
    rerun = analyse(FUNCTION, code, PATH, earlier=("charge", "refund"))
    assert rerun.dispatch.actions == ()


def test_a_nested_dispatch_in_the_helper_reads_both_levels_from_the_record() -> None:
    source = '''\
import json

import shop


def process(record):
    message = json.loads(record["body"])
    if message["source"] == "orders":
        if message["type"] == "placed":
            return shop.placed(message)
        elif message["type"] == "cancelled":
            return shop.cancelled(message)
    elif message["source"] == "payments":
        if message["type"] == "captured":
            return shop.captured(message)
        elif message["type"] == "refunded":
            return shop.refunded(message)


def lambda_handler(event, context):
    for record in event["Records"]:
        process(record)
'''
    analysis = analysed(source)
    assert str(analysis.dispatch.event_path) == "Records[*].body(json).source / Records[*].body(json).type"
    code = extracted(source, "payments/refunded")
    helper = code[code.index("def process") : code.index("def lambda_handler")]
    assert "shop.refunded(message)" in helper and "if " not in helper


TABLE = '''\
import json

import billing

HANDLERS = {
    "charge": billing.charge,
    "refund": billing.refund,
}


def process_record(record):
    body = json.loads(record["body"])
    return HANDLERS[body["kind"]](body)


def lambda_handler(event, context):
    return [process_record(record) for record in event["Records"]]
'''


def test_a_table_in_the_helper() -> None:
    analysis = analysed(TABLE)
    assert str(analysis.dispatch.event_path) == "Records[*].body(json).kind"
    code = extracted(TABLE, "refund")
    assert "return billing.refund(body)" in code and "HANDLERS" not in code
    assert "for record in event[\"Records\"]" in code
    monolith = codegen.monolith_module(analysis, ["refund"])[0]
    assert '"refund"' not in monolith and '"charge": billing.charge,' in monolith
