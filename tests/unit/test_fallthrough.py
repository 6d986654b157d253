"""Branches that fall through to a shared tail, and two things that look like a dispatch but are not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.analyse.dispatch.table import NoDispatch
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.render import codegen

PATH = "src/app.py"
FUNCTION = FunctionRef("NotifyFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

SEQUENCE = """\
import json
import logging

logger = logging.getLogger()


def welcome(detail):
    return {"welcome": detail["user"]}


def lambda_handler(event, context):
    kind = event["detail-type"]
    detail = event["detail"]
    status, body = 400, {"error": "unknown"}

    if kind == "Welcome":
        status = 201
        body = welcome(detail)

    if kind == "Reset":
        status, body = 202, {"reset": detail["user"]}

    logger.info("%s -> %s", kind, status)
    return {"statusCode": status, "body": json.dumps(body)}
"""


def analysed(source: str) -> Analysis:
    return analyse(FUNCTION, textwrap.dedent(source), PATH)


def test_ifs_that_set_results_for_a_shared_tail_are_a_dispatch() -> None:
    analysis = analysed(SEQUENCE)
    assert analysis.dispatch.shape == "if sequence"
    assert str(analysis.dispatch.event_path) == "detail-type"
    assert [(a.key, a.handler, a.line) for a in analysis.dispatch.actions] == [
        ("Welcome", "inline code", 16), ("Reset", "inline code", 20),
    ]


def test_the_new_entrypoint_keeps_the_defaults_its_branch_and_the_tail() -> None:
    code = codegen.extracted_module(analysed(SEQUENCE), "Reset", '"""extracted"""')[0]
    assert (
        '    status, body = 400, {"error": "unknown"}\n\n'
        '    status, body = 202, {"reset": detail["user"]}\n\n'
        '    logger.info("%s -> %s", kind, status)\n'
        '    return {"statusCode": status, "body": json.dumps(body)}\n'
    ) in code
    assert "if kind" not in code and "def welcome" not in code


def test_the_monolith_loses_the_branch_and_keeps_defaults_and_tail() -> None:
    original = textwrap.dedent(SEQUENCE)
    branch = '    if kind == "Welcome":\n        status = 201\n        body = welcome(detail)\n\n'
    helper = 'def welcome(detail):\n    return {"welcome": detail["user"]}\n\n\n'
    code = codegen.monolith_module(analysed(SEQUENCE), ["Welcome"])[0]
    assert code == original.replace(branch, "").replace(helper, "")


def test_a_branch_that_rebinds_the_key_ends_the_sequence() -> None:
    # after `kind = "Reset"` the second if runs too: the two are not alternatives
    source = SEQUENCE.replace('        status = 201\n', '        status = 201\n        kind = "Reset"\n')
    with pytest.raises(NoDispatch):
        analysed(source)


def test_ifs_on_a_setting_that_fall_through_are_not_a_dispatch() -> None:
    source = """\
    import os

    STAGE = os.environ["STAGE"]


    def lambda_handler(event, context):
        timeout = 3
        if STAGE == "prod":
            timeout = 10
        if STAGE == "dev":
            timeout = 1
        if event["kind"] == "a":
            return {"a": timeout}
        elif event["kind"] == "b":
            return {"b": timeout}
    """
    analysis = analysed(source)
    assert analysis.dispatch.shape == "if/elif chain"
    assert [a.key for a in analysis.dispatch.actions] == ["a", "b"]


# --- not a dispatch ---------------------------------------------------------------------
ACCUMULATOR = """\
response = {}


def on_a(event):
    return "a"


def on_b(event):
    return "b"


def lambda_handler(event, context):
    kind = event["kind"]
    response["kind"] = kind
    if kind == "a":
        response["body"] = on_a(event)
    elif kind == "b":
        response["body"] = on_b(event)
    return response.get("body")
"""


def test_a_module_level_response_accumulator_does_not_hide_the_chain() -> None:
    analysis = analysed(ACCUMULATOR)
    assert analysis.dispatch.shape == "if/elif chain"
    assert [a.key for a in analysis.dispatch.actions] == ["a", "b"]


def test_an_accumulator_in_a_match_is_no_table_either() -> None:
    source = ACCUMULATOR.replace(
        '    if kind == "a":\n        response["body"] = on_a(event)\n    elif kind == "b":\n',
        '    match kind:\n        case "a":\n            response["body"] = on_a(event)\n        case "b":\n    ',
    ).replace('    response["body"] = on_b(event)\n    return', '        response["body"] = on_b(event)\n    return')
    analysis = analysed(source)
    assert analysis.dispatch.shape == "match"
    assert [a.key for a in analysis.dispatch.actions] == ["a", "b"]


def test_a_table_changed_at_run_time_is_still_refused() -> None:
    source = """\
    def on_a(event):
        return "a"


    HANDLERS = {"a": on_a}


    def lambda_handler(event, context):
        HANDLERS[event["name"]] = on_a
        return HANDLERS[event["kind"]](event)
    """
    with pytest.raises(StranglerError, match=r"HANDLERS is changed at run time"):
        analysed(source)


ERRORS = """\
import json


def lambda_handler(event, context):
    kind = event["kind"]
    try:
        if kind == "a":
            return {"statusCode": 200, "body": "a"}
        elif kind == "b":
            return {"statusCode": 200, "body": "b"}
        return {"statusCode": 400}
    except Exception as exc:
        name = type(exc).__name__
        if name == "KeyError":
            status = 422
        elif name == "ConditionalCheckFailedException":
            status = 409
        else:
            raise
        return {"statusCode": status, "body": json.dumps({"error": str(exc)})}
"""


def test_an_if_chain_mapping_errors_to_statuses_is_error_handling() -> None:
    analysis = analysed(ERRORS)
    assert analysis.dispatch.shape == "if/elif chain"
    assert [a.key for a in analysis.dispatch.actions] == ["a", "b"]
    code = codegen.extracted_module(analysis, "b", '"""extracted"""')[0]
    assert 'return {"statusCode": 200, "body": "b"}\n    except Exception as exc:' in code
    assert 'if name == "KeyError":' in code  # the error handling goes with every action


def test_a_match_mapping_errors_to_statuses_is_error_handling() -> None:
    source = ERRORS.replace(
        '        if name == "KeyError":\n            status = 422\n        elif name == "ConditionalCheckFailedException":\n'
        '            status = 409\n        else:\n            raise\n',
        '        match name:\n            case "KeyError":\n                status = 422\n'
        '            case "ConditionalCheckFailedException":\n                status = 409\n'
        '            case _:\n                raise\n',
    )
    assert "match name" in source
    analysis = analysed(source)
    assert [a.key for a in analysis.dispatch.actions] == ["a", "b"]
