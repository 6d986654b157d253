"""Code generation: the specialised entrypoint, the extracted module, the slimmer monolith."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.render import codegen

PATH = "src/app.py"


def analysed(source: str, entrypoint: str = "lambda_handler") -> Analysis:
    function = FunctionRef("OrdersFunction", "src/", Path("src"), f"app.{entrypoint}", Path(PATH), entrypoint)
    return analyse(function, textwrap.dedent(source), PATH)


def specialised(source: str, key: str, entrypoint: str = "lambda_handler") -> str:
    """The specialised entrypoint's code, without the blank lines above it."""
    function = codegen.specialise(analysed(source, entrypoint), key)
    return cst.Module(body=[function.with_changes(leading_lines=())]).code


def extracted(source: str, key: str) -> str:
    return codegen.extracted_module(analysed(source), key, f'"""{key}: extracted by strangler."""')[0]


def monolith(source: str, *removed: str) -> str:
    return codegen.monolith_module(analysed(source), removed)[0]


HANDLERS = """\
def on_placed(detail):
    return {"placed": detail["id"]}

def on_cancelled(detail):
    return {"cancelled": detail["id"]}

HANDLERS = {"OrderPlaced": on_placed, "OrderCancelled": on_cancelled}

"""


# --- the specialised entrypoint -------------------------------------------------------------


@pytest.mark.parametrize(
    ("entrypoint", "expected"),
    [
        (
            """\
            def lambda_handler(event, context):
                return HANDLERS[event["detail-type"]](event["detail"])
            """,
            """\
            def lambda_handler(event, context):
                return on_placed(event["detail"])
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                handler = HANDLERS.get(event["detail-type"])
                if handler is None:
                    return {"status": "ignored"}
                return handler(event["detail"])
            """,
            """\
            def lambda_handler(event, context):
                handler = on_placed
                return handler(event["detail"])
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                handler = HANDLERS.get(event["detail-type"])
                if handler is not None:
                    return handler(event["detail"])
                else:
                    return {"status": "ignored"}
            """,
            """\
            def lambda_handler(event, context):
                handler = on_placed
                return handler(event["detail"])
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                handler = HANDLERS.get(event["detail-type"])
                if not handler:
                    return {"status": "ignored"}
                return handler(event["detail"])
            """,
            """\
            def lambda_handler(event, context):
                handler = on_placed
                return handler(event["detail"])
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                return HANDLERS.get(event["detail-type"], lambda detail: None)(event["detail"])
            """,
            """\
            def lambda_handler(event, context):
                return on_placed(event["detail"])
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                kind = event["detail-type"]
                if kind not in HANDLERS:
                    raise ValueError(f"unknown detail-type {kind}")
                return HANDLERS[kind](event["detail"])
            """,
            """\
            def lambda_handler(event, context):
                kind = event["detail-type"]
                return on_placed(event["detail"])
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                kind = event["detail-type"]
                if kind in HANDLERS:
                    result = HANDLERS[kind](event["detail"])
                else:
                    result = None
                return {"result": result}
            """,
            """\
            def lambda_handler(event, context):
                kind = event["detail-type"]
                result = on_placed(event["detail"])
                return {"result": result}
            """,
        ),
        (
            """\
            def lambda_handler(event, context):
                kind = event["detail-type"]
                if kind not in HANDLERS:
                    raise ValueError(kind)
                elif kind.startswith("Test"):
                    return None
                return HANDLERS[kind](event["detail"])
            """,
            """\
            def lambda_handler(event, context):
                kind = event["detail-type"]
                if kind.startswith("Test"):
                    return None
                return on_placed(event["detail"])
            """,
        ),
    ],
    ids=["subscript", "get-is-None", "get-is-not-None-else", "get-not", "get-default", "not-in", "in-else", "not-in-elif"],
)
def test_the_lookup_becomes_the_handler_and_dead_guards_go(entrypoint, expected):
    assert specialised(HANDLERS + textwrap.dedent(entrypoint), "OrderPlaced") == textwrap.dedent(expected)


@pytest.mark.parametrize("else_branch", [False, True], ids=["after", "in-else"])
def test_a_try_around_only_the_lookup_is_removed(else_branch):
    tail = (
        "    else:\n        return handler(event['detail'])\n"
        if else_branch
        else "    return handler(event['detail'])\n"
    )
    source = HANDLERS + (
        "def lambda_handler(event, context):\n"
        "    try:\n"
        '        handler = HANDLERS[event["detail-type"]]\n'
        "    except KeyError:\n"
        '        return {"status": "ignored"}\n'
    ) + tail

    assert specialised(source, "OrderCancelled") == (
        "def lambda_handler(event, context):\n"
        "    handler = on_cancelled\n"
        "    return handler(event['detail'])\n"
    )


def test_a_try_whose_body_calls_the_handler_is_kept():
    source = HANDLERS + textwrap.dedent(
        """\
        def lambda_handler(event, context):
            try:
                return HANDLERS[event["detail-type"]](event["detail"])
            except KeyError:
                return {"status": "ignored"}
        """
    )

    assert specialised(source, "OrderPlaced") == textwrap.dedent(
        """\
        def lambda_handler(event, context):
            try:
                return on_placed(event["detail"])
            except KeyError:
                return {"status": "ignored"}
        """
    )


@pytest.mark.parametrize(
    ("handlers", "extra"),
    [("except (KeyError, TypeError):", ""), ("except KeyError:", "    finally:\n        print('done')\n")],
    ids=["other-exception", "finally"],
)
def test_a_try_that_can_catch_more_than_the_lookup_is_kept(handlers, extra):
    source = HANDLERS + (
        "def lambda_handler(event, context):\n"
        "    try:\n"
        '        handler = HANDLERS[event["detail-type"]]\n'
        f"    {handlers}\n"
        "        return None\n"
    ) + extra + "    return handler(event)\n"

    assert "    try:\n        handler = on_placed\n" in specialised(source, "OrderPlaced")


def test_decorators_are_kept_and_the_entrypoint_is_renamed_lambda_handler():
    source = HANDLERS + textwrap.dedent(
        """\
        def traced(function):
            return function

        @traced
        def handle(event, context):
            return HANDLERS[event["detail-type"]](event["detail"])
        """
    )

    assert specialised(source, "OrderCancelled", entrypoint="handle") == textwrap.dedent(
        """\
        @traced
        def lambda_handler(event, context):
            return on_cancelled(event["detail"])
        """
    )


# --- the extracted module -------------------------------------------------------------------

ORDERS = '''\
"""Orders service: one entry point for every shop.orders event."""
from __future__ import annotations

import os, json, logging
from decimal import Decimal, ROUND_HALF_UP
import hashlib  # unused since the v1 checksum was dropped

import boto3

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

s3 = boto3.client("s3")
AUDIT_BUCKET = os.environ["AUDIT_BUCKET"]
TAX_RATE = Decimal("0.20")


def gross(amount):
    return (Decimal(amount) * (1 + TAX_RATE)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def on_placed(detail):
    logger.info("placed %s", detail["id"])
    return {"total": str(gross(detail["amount"]))}


def on_refunded(detail):
    return {"refund": str(gross(detail["amount"]))}


def on_archived(detail):
    s3.put_object(Bucket=AUDIT_BUCKET, Key=detail["id"], Body=json.dumps(detail))
    return {"archived": detail["id"]}


HANDLERS = {
    "OrderPlaced": on_placed,
    "OrderRefunded": on_refunded,
    "OrderArchived": on_archived,
}


def lambda_handler(event, context):
    handler = HANDLERS.get(event["detail-type"])
    if handler is None:
        return {"status": "ignored"}
    return {"status": "ok", "result": handler(event["detail"])}
'''


def test_the_extracted_module_has_only_what_the_action_needs_with_imports_trimmed():
    assert extracted(ORDERS, "OrderPlaced") == '''\
"""OrderPlaced: extracted by strangler."""

from __future__ import annotations

import os, logging
from decimal import Decimal, ROUND_HALF_UP

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

TAX_RATE = Decimal("0.20")


def gross(amount):
    return (Decimal(amount) * (1 + TAX_RATE)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def on_placed(detail):
    logger.info("placed %s", detail["id"])
    return {"total": str(gross(detail["amount"]))}


def lambda_handler(event, context):
    handler = on_placed
    return {"status": "ok", "result": handler(event["detail"])}
'''


def test_the_extracted_module_keeps_future_imports_that_nothing_references():
    code = extracted(ORDERS, "OrderRefunded")

    assert code.splitlines()[:3] == ['"""OrderRefunded: extracted by strangler."""', "", "from __future__ import annotations"]
    assert "import os" not in code and "import boto3" not in code and "logger" not in code


def test_a_logging_companion_comes_with_the_logger_and_what_it_needs():
    code = extracted(
        """\
        import os
        import logging

        logger = logging.getLogger()
        logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

        def on_shipped(detail):
            logger.info("shipped %s", detail["id"])

        HANDLERS = {"OrderShipped": on_shipped}

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event["detail"])
        """,
        "OrderShipped",
    )

    assert 'logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))' in code
    assert "import os\n" in code


def test_a_companion_does_not_come_along_for_its_arguments_alone():
    code = extracted(ORDERS, "OrderArchived")

    assert "logger" not in code and "logging" not in code


def test_an_entrypoint_that_uses_the_table_beyond_the_lookup_is_refused():
    source = HANDLERS + textwrap.dedent(
        """\
        def lambda_handler(event, context):
            print("known kinds:", sorted(HANDLERS))
            return HANDLERS[event["detail-type"]](event["detail"])
        """
    )

    with pytest.raises(StranglerError) as caught:
        extracted(source, "OrderPlaced")

    assert (caught.value.where, caught.value.message) == (
        f"{PATH}:9",
        "lambda_handler() uses HANDLERS for more than the lookup, so the new function would need the whole table",
    )


# --- the monolith ---------------------------------------------------------------------------


def test_the_monolith_loses_only_what_nothing_else_uses_and_nothing_else_changes():
    code, gone = codegen.monolith_module(analysed(ORDERS), ["OrderArchived"])

    # Gone: on_archived, its entry, s3/AUDIT_BUCKET (TAX_RATE, left of their group, keeps
    # the blank line that opened it), boto3, and json from the shared import line. Kept byte for byte: everything else, including
    # the hashlib import that was unused before the run.
    assert code == '''\
"""Orders service: one entry point for every shop.orders event."""
from __future__ import annotations

import os, logging
from decimal import Decimal, ROUND_HALF_UP
import hashlib  # unused since the v1 checksum was dropped

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

TAX_RATE = Decimal("0.20")


def gross(amount):
    return (Decimal(amount) * (1 + TAX_RATE)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def on_placed(detail):
    logger.info("placed %s", detail["id"])
    return {"total": str(gross(detail["amount"]))}


def on_refunded(detail):
    return {"refund": str(gross(detail["amount"]))}


HANDLERS = {
    "OrderPlaced": on_placed,
    "OrderRefunded": on_refunded,
}


def lambda_handler(event, context):
    handler = HANDLERS.get(event["detail-type"])
    if handler is None:
        return {"status": "ignored"}
    return {"status": "ok", "result": handler(event["detail"])}
'''
    assert gone == ("AUDIT_BUCKET", "boto3", "json", "on_archived", "s3")


def test_a_helper_still_used_by_a_remaining_action_stays_in_the_monolith():
    code, gone = codegen.monolith_module(analysed(ORDERS), ["OrderPlaced"])

    assert "def gross(amount):" in code and "TAX_RATE" in code
    assert gone == ("on_placed",)
    assert code == ORDERS.replace(
        textwrap.dedent(
            '''\
            def on_placed(detail):
                logger.info("placed %s", detail["id"])
                return {"total": str(gross(detail["amount"]))}


            '''
        ),
        "",
    ).replace('    "OrderPlaced": on_placed,\n', "")


def test_imports_unused_before_the_run_stay_even_beside_names_that_leave():
    code = monolith(
        """\
        import json, hashlib, os

        def on_placed(detail):
            return json.dumps(detail)

        def on_cancelled(detail):
            return os.getpid()

        HANDLERS = {"OrderPlaced": on_placed, "OrderCancelled": on_cancelled}

        def lambda_handler(event, context):
            return HANDLERS[event["detail-type"]](event["detail"])
        """,
        "OrderPlaced",
    )

    assert code.splitlines()[0] == "import hashlib, os"


# --- removing table entries with their comments ---------------------------------------------

TABLE = """\
def on_placed(detail): ...
def on_paid(detail): ...
def on_shipped(detail): ...

HANDLERS = {
    # new orders from the web shop
    "OrderPlaced": on_placed,  # since v1
    # card and PayPal
    "PaymentReceived": on_paid,  # since v2

    # fulfilment
    "OrderShipped": on_shipped,  # since v3
    # more to come
}

def lambda_handler(event, context):
    return HANDLERS[event["detail-type"]](event["detail"])
"""


def table_after(source: str, *removed: str) -> str:
    code = monolith(source, *removed)
    start = code.index("HANDLERS = {")
    return code[start : code.index("\n", code.index("}", start)) + 1]


@pytest.mark.parametrize(
    ("removed", "expected"),
    [
        (
            ["OrderPlaced"],
            """\
            HANDLERS = {
                # card and PayPal
                "PaymentReceived": on_paid,  # since v2

                # fulfilment
                "OrderShipped": on_shipped,  # since v3
                # more to come
            }
            """,
        ),
        (
            ["PaymentReceived"],
            """\
            HANDLERS = {
                # new orders from the web shop
                "OrderPlaced": on_placed,  # since v1

                # fulfilment
                "OrderShipped": on_shipped,  # since v3
                # more to come
            }
            """,
        ),
        (
            ["OrderShipped"],
            """\
            HANDLERS = {
                # new orders from the web shop
                "OrderPlaced": on_placed,  # since v1
                # card and PayPal
                "PaymentReceived": on_paid,  # since v2
                # more to come
            }
            """,
        ),
        (
            ["OrderPlaced", "OrderShipped"],
            """\
            HANDLERS = {
                # card and PayPal
                "PaymentReceived": on_paid,  # since v2
                # more to come
            }
            """,
        ),
        (["OrderPlaced", "PaymentReceived", "OrderShipped"], "HANDLERS = {}\n"),
    ],
    ids=["first", "middle", "last", "first-and-last", "all"],
)
def test_removing_entries_takes_their_own_comments_and_keeps_everyone_elses(removed, expected):
    assert table_after(TABLE, *removed) == textwrap.dedent(expected)


@pytest.mark.parametrize(
    ("table", "removed", "expected"),
    [
        ('{"A": on_placed, "B": on_paid, "C": on_shipped}', "A", '{"B": on_paid, "C": on_shipped}'),
        ('{"A": on_placed, "B": on_paid, "C": on_shipped}', "B", '{"A": on_placed, "C": on_shipped}'),
        ('{"A": on_placed, "B": on_paid, "C": on_shipped}', "C", '{"A": on_placed, "B": on_paid}'),
        ('{"A": on_placed, "B": on_paid, "C": on_shipped,}', "C", '{"A": on_placed, "B": on_paid,}'),
        ('{ "A": on_placed, "B": on_paid }', "B", '{ "A": on_placed }'),
        ('{"A": on_placed}', "A", "{}"),
    ],
)
def test_removing_entries_from_a_single_line_table(table, removed, expected):
    source = f"def on_placed(detail): ...\ndef on_paid(detail): ...\ndef on_shipped(detail): ...\n\nHANDLERS = {table}\n\n"
    source += "def lambda_handler(event, context):\n    return HANDLERS[event['kind']](event)\n"

    assert table_after(source, removed) == f"HANDLERS = {expected}\n"


def test_removing_the_last_entry_of_a_table_without_a_trailing_comma():
    source = TABLE.replace("# since v3\n    # more to come\n", "# since v3\n").replace(
        '"OrderShipped": on_shipped,', '"OrderShipped": on_shipped'
    )

    assert table_after(source, "OrderShipped") == textwrap.dedent(
        """\
        HANDLERS = {
            # new orders from the web shop
            "OrderPlaced": on_placed,  # since v1
            # card and PayPal
            "PaymentReceived": on_paid  # since v2
        }
        """
    )


def test_removing_the_last_entry_of_a_hanging_indent_table_keeps_the_other_comments():
    source = TABLE.replace(
        TABLE[TABLE.index("HANDLERS = {") : TABLE.index("\n}\n") + 3],
        'HANDLERS = {"OrderPlaced": on_placed,  # since v1\n'
        '            "PaymentReceived": on_paid,  # since v2\n'
        '            "OrderShipped": on_shipped}\n',
    )

    assert table_after(source, "OrderShipped") == (
        'HANDLERS = {"OrderPlaced": on_placed,  # since v1\n'
        '            "PaymentReceived": on_paid  # since v2\n'
        "}\n"
    )
