"""Dispatch by branches: if/elif chains, if sequences and match, detected and rewritten."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.render import codegen

PATH = "src/app.py"
FUNCTION = FunctionRef("PaymentsFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

HELPERS = """\
import json
import logging

logger = logging.getLogger()


def on_captured(detail):
    return {"captured": detail["id"]}


def on_refund(payment_id, amount):
    return {"refund": payment_id, "amount": amount}


def audit(detail):
    return json.dumps(detail)


"""

CHAIN = HELPERS + """\
def lambda_handler(event, context):
    detail_type = event["detail-type"]
    detail = event["detail"]
    logger.info("payment event %s", detail_type)
    if detail_type in ("PaymentCaptured", "PaymentSettled"):
        return on_captured(detail)
    elif detail_type == "PaymentRefunded":
        return on_refund(detail["id"], detail["amount"])
    elif detail_type == "PaymentDisputed" or detail_type == "PaymentFlagged":
        # inline: record and move on
        note = audit(detail)
        return {"flagged": note}
    else:
        return {"ignored": detail_type}
"""

SEQUENCE = HELPERS + """\
def lambda_handler(event, context):
    report = event["report"]
    if report == "captured":
        return on_captured(event)
    if report == "refunds":
        return on_refund(event["id"], 0)
    raise ValueError(f"unknown report {report}")
"""

MATCH = HELPERS + """\
def lambda_handler(event, context):
    results = []
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        match message["type"]:
            case "captured":
                results.append(on_captured(message))
            case "refunded" | "reversed":
                from refunds import process as process_refund
                results.append(process_refund(message))
            case _:
                logger.warning("skipped %s", message.get("type"))
    return results
"""


def analysed(source: str) -> Analysis:
    return analyse(FUNCTION, textwrap.dedent(source), PATH)


def extracted(source: str, key: str) -> str:
    return codegen.extracted_module(analysed(source), key, '"""extracted"""')[0]


def test_an_if_elif_chain_through_an_alias_is_a_dispatch() -> None:
    analysis = analysed(CHAIN)
    assert analysis.dispatch.shape == "if/elif chain"
    assert str(analysis.dispatch.event_path) == "detail-type"
    assert [(a.key, a.handler) for a in analysis.dispatch.actions] == [
        ("PaymentCaptured", "on_captured"), ("PaymentSettled", "on_captured"),
        ("PaymentRefunded", "on_refund"), ("PaymentDisputed", "inline code"), ("PaymentFlagged", "inline code"),
    ]


def test_the_new_entrypoint_is_the_branch_with_the_dispatcher_around_it() -> None:
    code = extracted(CHAIN, "PaymentRefunded")
    assert 'logger.info("payment event %s", detail_type)\n    return on_refund(detail["id"], detail["amount"])' in code
    assert "def on_refund" in code and "def on_captured" not in code and "import json" not in code
    assert "else" not in code


def test_inline_code_branches_carry_their_dependencies() -> None:
    code = extracted(CHAIN, "PaymentDisputed")
    assert "# inline: record and move on\n    note = audit(detail)" in code
    assert "def audit" in code and "import json" in code


def test_the_monolith_loses_a_branch_and_keeps_the_rest_byte_for_byte() -> None:
    original = textwrap.dedent(CHAIN)
    helper = original[original.index("def on_refund") : original.index("def audit")]
    branch = '    elif detail_type == "PaymentRefunded":\n        return on_refund(detail["id"], detail["amount"])\n'
    assert branch in original
    code = codegen.monolith_module(analysed(CHAIN), ["PaymentRefunded"])[0]
    assert code == original.replace(helper, "").replace(branch, "")


def test_a_key_leaving_a_shared_branch_narrows_its_test() -> None:
    code = codegen.monolith_module(analysed(CHAIN), ["PaymentSettled", "PaymentFlagged"])[0]
    assert 'if detail_type == "PaymentCaptured":' in code
    assert 'elif detail_type == "PaymentDisputed":' in code


def test_when_every_branch_leaves_the_default_stays() -> None:
    keys = ["PaymentCaptured", "PaymentSettled", "PaymentRefunded", "PaymentDisputed", "PaymentFlagged"]
    code = codegen.monolith_module(analysed(CHAIN), keys)[0]
    assert 'logger.info("payment event %s", detail_type)\n    return {"ignored": detail_type}\n' in code


def test_a_sequence_of_ifs_that_each_return_is_a_dispatch() -> None:
    analysis = analysed(SEQUENCE)
    assert analysis.dispatch.shape == "if sequence"
    code = extracted(SEQUENCE, "refunds")
    assert 'report = event["report"]\n    return on_refund(event["id"], 0)\n' in code
    assert "raise ValueError" not in code  # the default cannot run after the branch returns
    assert 'if report == "captured"' not in code
    monolith = codegen.monolith_module(analysis, ["captured"])[0]
    assert 'if report == "captured"' not in monolith and 'if report == "refunds":' in monolith


def test_a_match_in_a_record_loop_with_alternatives_and_a_lazy_import() -> None:
    analysis = analysed(MATCH)
    assert analysis.dispatch.shape == "match"
    assert str(analysis.dispatch.event_path) == "Records[*].Sns.Message(json).type"
    code = extracted(MATCH, "reversed")
    assert "from refunds import process as process_refund\n        results.append(process_refund(message))" in code
    assert "match" not in code.split("def lambda_handler")[1]
    monolith = codegen.monolith_module(analysis, ["reversed"])[0]
    assert 'case "refunded":' in monolith and '"reversed"' not in monolith


def test_a_sequence_branch_that_returns_from_every_path_of_a_try() -> None:
    source = HELPERS + """\
def lambda_handler(event, context):
    report = event["report"]
    if report == "captured":
        try:
            return on_captured(event)
        except KeyError as exc:
            return {"error": str(exc)}
    if report == "refunds":
        return on_refund(event["id"], 0)
    return {"unknown": report}
"""
    assert [a.key for a in analysed(source).dispatch.actions] == ["captured", "refunds"]
    assert 'return {"error": str(exc)}\n' in extracted(source, "captured")
    assert "unknown" not in extracted(source, "captured")


def test_what_earlier_runs_left_of_a_chain_is_still_its_dispatch() -> None:
    source = HELPERS + """\
def lambda_handler(event, context):
    kind = event["type"]
    if kind == "captured":
        return on_captured(event)
    else:
        return {"ignored": kind}
"""
    # Alone it is a dispatch of one action (a scan says "one action only", not a monolith).
    assert [a.key for a in analysed(source).dispatch.actions] == ["captured"]
    analysis = analyse(FUNCTION, textwrap.dedent(source), PATH, earlier=("refunded",))
    assert [a.key for a in analysis.dispatch.actions] == ["captured"]
    assert codegen.monolith_module(analysis, ["captured"])[0].endswith('kind = event["type"]\n    return {"ignored": kind}\n')


def test_a_dispatch_with_nothing_left_has_no_actions() -> None:
    source = HELPERS + 'def lambda_handler(event, context):\n    return {"ignored": event["type"]}\n'
    assert analyse(FUNCTION, source, PATH, earlier=("captured",)).dispatch.actions == ()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (HELPERS + 'def lambda_handler(event, context):\n    kind = event["type"].strip()\n    if kind == "a":\n        return 1\n    elif kind == "b":\n        return 2\n',
         "cannot tell statically which part of the event selects the branch"),
        (HELPERS + 'def lambda_handler(event, context):\n    if event["source"] == "a":\n        if event["type"] == "x":\n            return 1\n        elif event["type"] == "y":\n            return 2\n    elif event["source"] == "b":\n        return 3\n',
         "nested dispatch"),
        (HELPERS + 'def lambda_handler(event, context):\n    if event["type"] == "a":\n        return 1\n    elif event["type"] == "a":\n        return 2\n',
         "'a' is tested twice"),
    ],
    ids=["normalised-key", "nested", "duplicate"],
)
def test_refusals(source: str, message: str) -> None:
    with pytest.raises(StranglerError) as caught:
        analysed(source)
    assert message in caught.value.message
    assert caught.value.where.startswith(PATH + ":")


def test_a_handler_with_no_dispatch_says_both_shapes_were_looked_for() -> None:
    with pytest.raises(StranglerError) as caught:
        analysed(HELPERS + "def lambda_handler(event, context):\n    return on_captured(event)\n")
    assert "a module-level dict" in caught.value.message and "an if/elif chain" in caught.value.message


def test_a_match_on_method_and_path_is_keyed_like_an_api_route() -> None:
    source = HELPERS + """\
def lambda_handler(event, context):
    match (event["requestContext"]["http"]["method"], event["rawPath"]):
        case ("GET", "/payments"):
            return on_captured(event)
        case ("POST", "/payments/refunds"):
            return on_refund(event["id"], 0)
        case _:
            return {"statusCode": 404}
"""
    analysis = analysed(source)
    assert [a.key for a in analysis.dispatch.actions] == ["GET /payments", "POST /payments/refunds"]
    assert str(analysis.dispatch.event_path) == "method+path"
    assert "return on_refund(event[\"id\"], 0)\n" in extracted(source, "POST /payments/refunds")


def test_a_table_keyed_by_an_f_string_of_method_and_resource() -> None:
    source = HELPERS + """\
ROUTES = {"GET /payments": on_captured, "DELETE /payments/{id}": audit}


def lambda_handler(event, context):
    route = f"{event['httpMethod']} {event['resource']}"
    return ROUTES[route](event)
"""
    assert str(analysed(source).dispatch.event_path) == "method+path"


def test_a_composite_key_of_anything_else_is_refused() -> None:
    source = HELPERS + """\
ROUTES = {"a b": on_captured, "c d": audit}


def lambda_handler(event, context):
    return ROUTES[f"{event['source']} {event['detail-type']}"](event)
"""
    with pytest.raises(StranglerError) as caught:
        analysed(source)
    assert "more than an HTTP method and a path" in caught.value.message


def test_a_method_and_path_leaving_an_or_pattern_narrows_it() -> None:
    source = """\
def lambda_handler(event, context):
    match (event["httpMethod"], event["resource"]):
        case ("GET", "/a") | ("GET", "/b"):
            return 1
        case ("POST", "/a"):
            return 2
    return 3
"""
    code = codegen.monolith_module(analysed(source), ["GET /a"])[0]
    assert '        case ("GET", "/b"):\n            return 1\n' in code
